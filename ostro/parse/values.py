"""Small readers for values as Heat hands them over (strings, JSON, references)."""

import json
import re

from ostro.errors import TopologyError

_BANDWIDTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?)(?:bps|b/s)?\s*$")
_UNIT_MBPS = {"": 1.0, "k": 0.001, "m": 1.0, "g": 1000.0}


def reference(value):
    """A member reference: a name, an orch id, or ``{"get_resource": name}``."""
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function in ("get_resource", "get_attr") and argument:
            return str(argument[0] if isinstance(argument, list) else argument)
    if isinstance(value, (str, int)):
        return str(value)
    raise TopologyError(f"cannot read {value!r} as a resource reference")


def bandwidth_mbps(value, where):
    """Mbps from a number or a string such as ``"100"``, ``"10 Gbps"``."""
    if isinstance(value, bool):
        raise TopologyError(f"{where}: bandwidth must be a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        match = _BANDWIDTH.match(str(value))
        if not match:
            raise TopologyError(f"{where}: cannot read bandwidth {value!r} (Mbps or e.g. '1 Gbps')")
        number = float(match.group(1)) * _UNIT_MBPS[match.group(2).lower()]
    if number <= 0:
        raise TopologyError(f"{where}: bandwidth must be positive, got {value!r}")
    return number


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
