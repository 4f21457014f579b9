"""Every request's input, read once and strictly before routing (issue 11 §3).

Input the API cannot take is a 400 in the API's error body that names what
is wrong (a path segment, a header, a field of the body), never a 500 or a
503 from deeper down (the JSON parser's recursion, a codec, CP-SAT, a
PostgreSQL column):

- the path: UTF-8, no NUL, each segment at most :data:`MAX_NAME_LENGTH`
  characters (no name or id can be longer, so no lookup needs to run);
- the query string: UTF-8, no NUL;
- ``X-Project-Id`` (the project in noauth mode): an id like any other;
- ``Content-Type``: no charset but UTF-8 (RFC 8259 §8.1: JSON exchanged
  between systems is UTF-8; an unknown charset is a LookupError in webob);
- the body, if any: UTF-8 JSON nested at most :data:`MAX_DEPTH` deep, whose
  numbers are finite and whose integers fit in 64 bits, and whose strings
  (keys too) hold neither NUL nor lone surrogates (neither can be stored:
  PostgreSQL refuses NUL in text, and UTF-8 has no surrogates).

:class:`InputChecks` runs these checks around the pecan app and keeps the
decoded body in the environ; :func:`body_of` hands it to the controllers, so
a body is decoded once. Length limits of names and ids inside bodies are the
request types' (:func:`check_name`), which know which fields are names.
"""

import json
import math
import re
import urllib.parse

import webob
import webob.exc

from valet_api import errors

#: Containers inside containers; Heat's resources need a handful of levels
#: (body, resources, resource, properties, a list, an object, ...).
MAX_DEPTH = 64
#: Every name and id column is VARCHAR(255); one limit on every backend.
MAX_NAME_LENGTH = 255
#: Integers must fit in 64 bits (the database's and CP-SAT's integers).
INTEGER_LIMIT = 2 ** 63
#: Where :class:`InputChecks` keeps the decoded body.
BODY_KEY = "valet.json_body"
UTF8_NAMES = ("utf-8", "utf8")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: How much of a client's text an error message repeats.
_SHOWN = 40


class InputChecks:
    """WSGI middleware: the checks above, before ``app`` sees the request."""

    def __init__(self, app, debug=False):
        self.app, self.debug = app, debug

    def __call__(self, environ, start_response):
        try:
            check_path(environ.get("PATH_INFO", ""))
            check_query(environ.get("QUERY_STRING", ""))
            check_header(environ, "X-Project-Id")
            check_charset(environ.get("CONTENT_TYPE", ""))
            environ[BODY_KEY] = read_body(environ)
        except (errors.ApiError, webob.exc.HTTPException) as exc:
            # NOTE: an HTTPException here is the body size limit's 413 for a
            # chunked body cut off while it was read.
            errors.log(exc, environ.get("REQUEST_METHOD"), _logged_path(environ))
            return errors.response_for(exc, debug=self.debug)(environ, start_response)
        return self.app(environ, start_response)


def body_of(environ):
    """The request's decoded JSON body (``None`` without one), as
    :class:`InputChecks` read it; read now if it did not run."""
    if BODY_KEY not in environ:
        environ[BODY_KEY] = read_body(environ)
    return environ[BODY_KEY]


def check_name(value, field):
    """``value`` (a string) is a name or an id short enough to be stored."""
    if len(value) > MAX_NAME_LENGTH:
        raise errors.BadRequest(f"field {field} is longer than {MAX_NAME_LENGTH} characters "
                                f"({len(value)})")
    return value


def check_path(raw):
    """``PATH_INFO`` (WSGI's bytes as latin-1) is readable, segment by segment."""
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except UnicodeError as exc:
        raise errors.BadRequest("the path is not UTF-8 text") from exc
    for number, segment in enumerate(path.split("/")[1:], start=1):
        where = f"path segment {number} ('{shown(segment)}')"
        _check_text(segment, where)
        if len(segment) > MAX_NAME_LENGTH:
            raise errors.BadRequest(f"{where} is longer than {MAX_NAME_LENGTH} characters, "
                                    "the longest name or id")


def check_query(raw):
    try:
        pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True, encoding="utf-8",
                                       errors="strict")
    except UnicodeError as exc:
        raise errors.BadRequest("the query string is not UTF-8 text") from exc
    for name, value in pairs:
        _check_text(name, f"query parameter '{shown(name)}'")
        _check_text(value, f"query parameter '{shown(name)}'")


def check_header(environ, header):
    """An id-like header: at most :data:`MAX_NAME_LENGTH` characters, no NUL."""
    value = environ.get("HTTP_" + header.upper().replace("-", "_"))
    if value is not None:
        _check_text(value, f"header {header}")
        if len(value) > MAX_NAME_LENGTH:
            raise errors.BadRequest(f"header {header} is longer than {MAX_NAME_LENGTH} "
                                    "characters")


def check_charset(content_type):
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"')
        if name.strip().lower() == "charset" and charset.lower() not in UTF8_NAMES:
            raise errors.BadRequest(f"header Content-Type: charset '{shown(charset)}' is not "
                                    "UTF-8, the only encoding of JSON the API reads")


def read_body(environ):
    """The body as JSON data (``None`` without a body), left readable for
    whatever reads it next (pecan looks at JSON bodies itself)."""
    request = webob.Request(environ)
    if not request.is_body_readable:
        return None
    raw = request.body
    return decode(raw) if raw else None


def decode(raw):
    """``raw`` bytes as JSON data, or the 400 that says why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.BadRequest(f"the request body is not UTF-8 text (byte {exc.start})") \
            from exc
    try:
        document = json.loads(text, parse_constant=_constant, parse_float=_float,
                              parse_int=_integer)
    except RecursionError as exc:
        raise errors.BadRequest(f"the request body is nested deeper than {MAX_DEPTH} "
                                "levels") from exc
    except ValueError as exc:
        raise errors.BadRequest(f"the request body is not valid JSON: {exc}") from exc
    _check_document(document)
    return document


class Refused:
    """A number the parser read but the API does not take; the walk over the
    document finds it and names its field (the parser's hooks cannot)."""

    __slots__ = ("text", "reason")

    def __init__(self, text, reason):
        self.text, self.reason = text, reason


def _constant(text):
    return Refused(text, "is not a number (JSON has no NaN or Infinity)")


def _float(text):
    # NOTE: 1e400 is valid JSON, and a float overflows it to infinity.
    value = float(text)
    return value if math.isfinite(value) else Refused(text, "is too large a number")


def _integer(text):
    # NOTE: the length first, so a 5,000-digit integer is never converted
    # (Python refuses more than 4,300 digits, without naming the field).
    if len(text) <= 20:
        value = int(text)
        if -INTEGER_LIMIT <= value < INTEGER_LIMIT:
            return value
    return Refused(shown(text), "is too large an integer (the limit is 64 bits)")


def _check_document(document):
    """Depth, numbers and strings of the whole document, without recursion
    (the document may be as deep as the parser's own limit)."""
    pending = [(document, (), 1)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value, field_name(path))
        elif isinstance(value, Refused):
            raise errors.BadRequest(f"{field_name(path)}: {value.text} {value.reason}")
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise errors.BadRequest(f"{field_name(path)}: nested deeper than "
                                        f"{MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_text(key, f"{field_name(path)}: key '{shown(key)}'")
                pending.append((item, path + (key,), depth + 1))


def field_name(path):
    """``resources.web-1.properties.size``, ``locations[0]``; the body itself
    when ``path`` is empty."""
    if not path:
        return "the request body"
    name = ""
    for key in path:
        name += f"[{key}]" if isinstance(key, int) else f".{shown(key)}"
    return "field " + name.lstrip(".")


def shown(text):
    """``text`` as an error message may repeat it: short, and with NUL and
    lone surrogates escaped (a log file's encoder refuses surrogates)."""
    text = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
    return _UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _check_text(value, where):
    found = _UNSTORABLE.search(value)
    if found is None:
        return
    if found.group() == "\x00":
        raise errors.BadRequest(f"{where} holds a NUL character, which no text may hold")
    raise errors.BadRequest(f"{where} holds a lone surrogate "
                            f"(\\u{ord(found.group()):04x}), which is not Unicode text")


def _logged_path(environ):
    """The path as the client sent it (percent-encoded), readable or not."""
    raw = environ.get("PATH_INFO", "")
    try:
        return urllib.parse.quote(raw.encode("latin-1"), safe="/")
    except UnicodeError:
        return ascii(raw)
