"""Small readers for values as Heat hands them over (strings, JSON, references)."""

import json
import math
import re

from ostro.errors import TopologyError

_BANDWIDTH = re.compile(r"^\s*([0-9]{1,30}(?:\.[0-9]{1,30})?)\s*([kKmMgG]?)(?:bps|b/s)?\s*$")
_UNIT_MBPS = {"": 1.0, "k": 0.001, "m": 1.0, "g": 1000.0}

#: The largest pipe, in Mbps: 1 Tbps, beyond any server's uplink today.
#: NOTE: the exact model weighs each pipe by (hosts + 1)² in its objective;
#: with this bound the sum stays inside CP-SAT's 64-bit integers for tens of
#: thousands of hosts (2**63 Mbps overflowed it).
MAX_BANDWIDTH_MBPS = 1_000_000
#: The largest volume, in GB: Cinder's own size column (a 32-bit integer).
MAX_SIZE_GB = 2 ** 31 - 1
#: ASCII digits only: str.isdigit() also takes "²" and "١٢".
_SIZE = re.compile(r"[0-9]{1,10}")


def reference(value):
    """A member reference: a name, an orch id, or ``{"get_resource": name}``."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function in ("get_resource", "get_attr") and argument:
            return str(argument[0] if isinstance(argument, list) else argument)
    if isinstance(value, (str, int)):
        return str(value)
    raise TopologyError(f"cannot read {value!r} as a resource reference")


def bandwidth_mbps(value, where, field=None):
    """Mbps from a number or a string such as ``"100"``, ``"10 Gbps"``:
    positive, finite, at most :data:`MAX_BANDWIDTH_MBPS`. ``field`` names
    it in the request (``resources.<orch id>.properties.bandwidth``)."""
    if isinstance(value, bool):
        raise _refused(where, f"bandwidth must be a number, got {_short(value)}", field)
    if isinstance(value, (int, float)):
        number = value
    else:
        match = _BANDWIDTH.match(str(value)[:80])
        if not match:
            raise _refused(where, f"cannot read bandwidth {_short(value)} (Mbps or e.g. "
                           "'1 Gbps')", field)
        number = float(match.group(1)) * _UNIT_MBPS[match.group(2).lower()]
    # NOTE: NaN passes every comparison's "else", so finiteness comes first;
    # a huge int compares with the bound without becoming a float.
    if isinstance(number, float) and not math.isfinite(number):
        raise _refused(where, f"bandwidth must be a finite number, got {_short(value)}", field)
    if number <= 0:
        raise _refused(where, f"bandwidth must be positive, got {_short(value)}", field)
    if number > MAX_BANDWIDTH_MBPS:
        raise _refused(where, f"bandwidth must be at most {MAX_BANDWIDTH_MBPS} Mbps, got "
                       f"{_short(value)}", field)
    return float(number)


def size_gb(value, where, field=None):
    """A volume's size: a positive whole number of GB, as an integer or a
    string of ASCII digits, at most :data:`MAX_SIZE_GB`."""
    readable = (isinstance(value, int) and not isinstance(value, bool)) or \
        (isinstance(value, str) and _SIZE.fullmatch(value))
    if not readable or not 1 <= int(value) <= MAX_SIZE_GB:
        raise _refused(where, f"size must be a positive number of GB, got {_short(value)} "
                       f"(an integer or ASCII digits, at most {MAX_SIZE_GB})", field)
    return int(value)


def resource_id(value, where, field=None):
    """The Nova or Cinder id of a resource, if it has one: a string."""
    if value is not None and not isinstance(value, str):
        raise _refused(where, f"resource_id must be a string, got {_short(value)}", field)
    return value


def _refused(where, problem, field):
    return TopologyError(f"{where}: {problem}" + (f" (field {field})" if field else ""))


def _short(value):
    """``value`` as a message repeats it: a 5,000-digit size is cut short."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10 ** 30 else "a huge number"
    return text if len(text) <= 40 else text[:40] + "…"


def group_names(value, where):
    """Group names from ``metadata.valet`` / the flavor extra spec ``valet``.

    Accepts ``{"groups": [...]}``, the same as a JSON string (Nova metadata
    values are strings), or a comma-separated string of names.
    """
    if value in (None, "", {}):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise TopologyError(f"{where}: valet metadata is not valid JSON: {exc}") from exc
        else:
            return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, dict):
        value = value.get("groups", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TopologyError(f"{where}: valet groups must be a list of group names, got {value!r}")
    return list(value)
