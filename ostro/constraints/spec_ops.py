"""Nova's extra-spec operators, for matching flavor extra specs against
aggregate metadata the way nova-scheduler would.

A requirement is either a plain string (equality) or ``"<op> operand"``.
"""

import operator


def _numeric(compare):
    def check(value, operand):
        try:
            return compare(float(value), float(operand))
        except ValueError:
            return False
    return check


_BINARY = {
    "=": _numeric(operator.ge),      # Nova: "=" means "at least"
    "==": _numeric(operator.eq),
    "!=": _numeric(operator.ne),
    ">=": _numeric(operator.ge),
    "<=": _numeric(operator.le),
    "s==": operator.eq,
    "s!=": operator.ne,
    "s<": operator.lt,
    "s<=": operator.le,
    "s>": operator.gt,
    "s>=": operator.ge,
    "<in>": lambda value, operand: operand in value,
}


def matches(value, requirement):
    """Whether one metadata ``value`` satisfies a flavor ``requirement``."""
    words = requirement.split()
    if not words:
        return value == requirement
    op, operands = words[0], words[1:]
    if op == "<or>":
        # "<or> a <or> b": every other word is an alternative.
        return value in operands[::2]
    if op == "<all-in>":
        return bool(operands) and all(word in value for word in operands)
    check = _BINARY.get(op)
    if check is None:
        return value == requirement
    return bool(operands) and check(value, operands[0])


def host_satisfies(metadata, extra_specs, scope="aggregate_instance_extra_specs",
                   ignored=("valet",)):
    """``metadata``: key -> set of values of a host's aggregates."""
    for key, requirement in extra_specs.items():
        prefix, _, rest = key.partition(":")
        if rest:
            if prefix != scope:
                continue
            key = rest
        elif key in ignored:
            continue
        values = metadata.get(key)
        if not values or not any(matches(value, str(requirement)) for value in values):
            return False
    return True
