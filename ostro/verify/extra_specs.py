"""Nova's extra-spec operators, written for the checker on its own (it
shares no code with :mod:`ostro.constraints.spec_ops`, on purpose)."""

import operator


def _numeric(compare):
    """A comparison of floats; a value that is not a number never matches."""
    def matches(value, operand):
        try:
            return compare(float(value), float(operand))
        except ValueError:
            return False
    return matches


#: Operators that take one operand: operator word -> test(value, operand).
_OPERATORS = {
    "=": _numeric(operator.ge),  # NOTE: Nova's "=" means "at least".
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


def spec_matches(value, requirement):
    """Whether metadata ``value`` meets an extra-spec ``requirement``.

    The first word may be an operator; without one the requirement is
    compared as a whole string.  ``<all-in> a b`` needs every word inside
    the value; ``<or> a <or> b`` needs the value to equal one of them.
    """
    words = requirement.split()
    word, operands = (words[0], words[1:]) if words else (None, [])
    if word == "<or>":
        # NOTE: alternatives sit at every other word, between "<or>" separators.
        return value in operands[::2]
    if word == "<all-in>":
        return bool(operands) and all(operand in value for operand in operands)
    compare = _OPERATORS.get(word)
    if compare is None:
        return value == requirement
    return bool(operands) and compare(value, operands[0])
