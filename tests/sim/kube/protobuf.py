# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes protobuf request and response bodies, in pure Python.

kubectl's typed clients (create deployment|job|cronjob|secret|configmap|namespace|serviceaccount|token|
clusterrolebinding, run, debug, auth can-i, certificate approve) and Helm's release storage send typed objects as
``application/vnd.kubernetes.protobuf``: the magic ``k8s\\x00`` followed by a ``runtime.Unknown`` message whose
``typeMeta`` names the apiVersion and kind and whose ``raw`` holds the typed message. They do not fall back to JSON
when a server answers 415, so the emulator decodes these bodies here, and answers in protobuf when a client prefers
it.

``decode(body)`` returns the object in its JSON form (the shape kube-apiserver would serve), ``encode(obj)`` does the
reverse. Both are driven by the field tables of sim.kube.protobuf_types, generated from the Go API types (every
struct tag there names the protobuf field number) for every built-in kind the emulator serves, their lists and the
kinds of their subresources. Fields a table does not list are skipped when decoding (as a protobuf reader must) and
dropped when encoding, or refused with ``encode(obj, strict=True)``.

JSON conventions follow Kubernetes' Go types: camelCase JSON names, zero-valued scalars omitted (``omitempty``)
unless the Go field is a pointer or has no ``omitempty`` (then a value present on the wire is kept, even when zero),
``bytes`` as base64 strings, ``metav1.Time`` as RFC 3339 with second precision, ``metav1.MicroTime`` with
microseconds, ``resource.Quantity`` as its string, ``IntOrString`` as a number or a string, ``FieldsV1`` as the JSON
object it carries, map values that are lists (``ExtraValue``) as lists, and embedded structs
(``ConfigMapVolumeSource``'s ``LocalObjectReference``, ``Volume``'s ``VolumeSource``) inlined into their parent.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json

from sim.kube import protobuf_types

__all__ = ["MAGIC", "PROTOBUF", "ProtobufError", "decode", "encode", "supported_kinds", "supports", "wire_bytes",
           "wire_varint", "wire_fixed64"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

_UINT64 = 1 << 64
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_WIRE_NAMES = {0: "varint", 1: "64-bit", 2: "length-delimited", 3: "start-group", 4: "end-group", 5: "32-bit"}

# value kinds of a field; the wire type each one must arrive with
STRING, BYTES, INT64, INT32, BOOL, MESSAGE, TIME, MICRO_TIME, QUANTITY, INT_OR_STRING, FIELDS_V1, MAP = (
    "string", "bytes", "int64", "int32", "bool", "message", "time", "microTime", "quantity", "intOrString",
    "fieldsV1", "map")
_WIRE_TYPE = {STRING: 2, BYTES: 2, MESSAGE: 2, TIME: 2, MICRO_TIME: 2, QUANTITY: 2, INT_OR_STRING: 2, FIELDS_V1: 2,
              MAP: 2, INT64: 0, INT32: 0, BOOL: 0}
_VARINTS = (INT64, INT32, BOOL)
_TYPE_META_KEYS = frozenset(("apiVersion", "kind"))


class ProtobufError(ValueError):
    """A body that is not a Kubernetes protobuf object this module understands (the server answers 400/415).

    ``unsupported`` is true when the body is well formed but names a kind without protobuf tables (415)."""

    def __init__(self, message, unsupported=False):
        super().__init__(message)
        self.unsupported = unsupported


class _Field:
    """One field of a message table: wire number, JSON name, value kind and how it maps to JSON."""

    __slots__ = ("num", "name", "kind", "sub", "repeated", "keep", "inline")

    def __init__(self, num, name, kind, sub=None, repeated=False, keep=False, inline=False):
        self.num = num
        self.name = name
        self.kind = kind
        self.sub = sub            # message table for MESSAGE, the value's _Field for MAP
        self.repeated = repeated
        self.keep = keep          # Go pointer or no omitempty: a zero value present on the wire stays in JSON
        self.inline = inline      # embedded struct: its JSON keys live in the parent object


class _Message:
    """A message table: name (for error messages) and fields by number.

    A ``wraps_list`` message (a map value such as ExtraValue) is a list in JSON: its only field holds the items."""

    def __init__(self, name, fields=(), wraps_list=False):
        self.name = name
        self.wraps_list = wraps_list
        self.set_fields(fields)

    def set_fields(self, fields):
        self.fields = {f.num: f for f in fields}
        self.ordered = sorted(fields, key=lambda f: f.num)
        self._names = None

    def json_names(self):
        """Every JSON key of this message, the keys of inlined structs included."""
        if self._names is None:
            names = set()
            for f in self.ordered:
                names |= f.sub.json_names() if f.inline else {f.name}
            self._names = frozenset(names)
        return self._names


# ---- tables from sim.kube.protobuf_types ----

# runtime.TypeMeta of the runtime.Unknown envelope (not metav1.TypeMeta: apiVersion is field 1 here)
TYPE_META = _Message("TypeMeta", [_Field(1, "apiVersion", STRING), _Field(2, "kind", STRING)])

_SCALAR_CODES = {"s": STRING, "b": BOOL, "i32": INT32, "i64": INT64, "bytes": BYTES, "t": TIME, "mt": MICRO_TIME,
                 "q": QUANTITY, "ios": INT_OR_STRING, "fv1": FIELDS_V1}


def _typed_field(num, name, code, tables, keep=False, inline=False):
    """A _Field from a table type code (see sim.kube.protobuf_tablegen)."""
    if code.startswith("{"):
        value_code = code[1:-1]
        if value_code.startswith("[]"):
            items = _typed_field(1, "items", value_code, tables)
            value = _Field(2, "value", MESSAGE, _Message(name + ".value", [items], wraps_list=True))
        else:
            value = _typed_field(2, "value", value_code, tables)
        return _Field(num, name, MAP, value, keep=keep)
    repeated = code.startswith("[]")
    code = code[2:] if repeated else code
    if code in _SCALAR_CODES:
        return _Field(num, name, _SCALAR_CODES[code], repeated=repeated, keep=keep)
    if code not in tables:
        raise KeyError("protobuf_types: unknown type %r of field %s" % (code, name))
    return _Field(num, name, MESSAGE, tables[code], repeated=repeated, keep=keep, inline=inline)


def _build_tables(messages):
    tables = {name: _Message(name.split(".", 1)[1]) for name in messages}
    for name, specs in messages.items():
        fields = []
        for spec in specs:
            num, json_name, code = spec.split(" ")
            flags = code[:len(code) - len(code.lstrip("*^"))]
            fields.append(_typed_field(int(num), json_name, code[len(flags):], tables, keep="*" in flags,
                                       inline="^" in flags))
        tables[name].set_fields(fields)
    return tables


_TABLES = _build_tables(protobuf_types.MESSAGES)
# (apiVersion, kind) -> message. Status travels as "v1"; DeleteOptions is registered in every group version
# (client-go sends the resource's group version), so any apiVersion is accepted for it.
_BY_GVK = {(gv, kind): _TABLES["%s.%s" % (pkg, kind)]
           for gv, (pkg, kinds) in protobuf_types.KINDS.items() for kind in kinds}
_BY_GVK[("v1", "Status")] = _TABLES["meta.Status"]
_ANY_VERSION = {"DeleteOptions": _TABLES["meta.DeleteOptions"]}


def supported_kinds():
    """The kinds decode() and encode() understand, sorted."""
    return sorted({kind for _gv, kind in _BY_GVK})


def supports(api_version, kind):
    """True if a body of this apiVersion and kind can be decoded and encoded."""
    return (api_version, kind) in _BY_GVK or kind in _ANY_VERSION


# ---------------------------------------------------------------- decoding

def _read_varint(buf, pos, end, what):
    result = 0
    shift = 0
    start = pos
    while True:
        if pos >= end:
            raise ProtobufError("truncated varint (%s) at byte %d" % (what, start))
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint (%s) longer than 10 bytes at byte %d" % (what, start))
    return result % _UINT64, pos


def _iter_fields(buf, start, end, msg_name):
    """Yield (number, wire type, value, offset): value is an int (varint), or (start, end) of the payload."""
    pos = start
    while pos < end:
        offset = pos
        key, pos = _read_varint(buf, pos, end, "field key of %s" % msg_name)
        num, wire = key >> 3, key & 7
        if num == 0:
            raise ProtobufError("invalid field number 0 in %s at byte %d" % (msg_name, offset))
        if wire == 0:
            value, pos = _read_varint(buf, pos, end, "%s field %d" % (msg_name, num))
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > end:
                raise ProtobufError("truncated %s value of %s field %d at byte %d" % (_WIRE_NAMES[wire], msg_name, num, offset))
            value = (pos, pos + size)
            pos += size
        elif wire == 2:
            length, pos = _read_varint(buf, pos, end, "length of %s field %d" % (msg_name, num))
            if pos + length > end:
                raise ProtobufError("truncated %s field %d at byte %d: length %d runs past the end of the message (%d bytes left)"
                                    % (msg_name, num, offset, length, end - pos))
            value = (pos, pos + length)
            pos += length
        else:
            raise ProtobufError("unsupported wire type %d (%s) for %s field %d at byte %d"
                                % (wire, _WIRE_NAMES.get(wire, "unknown"), msg_name, num, offset))
        yield num, wire, value, offset


def _text(buf, span, where):
    try:
        return bytes(buf[span[0]:span[1]]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtobufError("%s is not valid UTF-8: %s" % (where, exc)) from None


def _signed(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _format_time(seconds, nanos, where, micro=False):
    if seconds == 0 and nanos == 0:
        return None   # metav1.Time's zero value (JSON null): left out
    try:
        when = _EPOCH + datetime.timedelta(seconds=seconds)
    except OverflowError:
        raise ProtobufError("%s: timestamp %d seconds is out of range" % (where, seconds)) from None
    if micro:   # metav1.MicroTime: RFC 3339 with microseconds
        return when.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (nanos // 1000)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub_fields(buf, span, where, wires):
    """{number: value} of a small message whose fields must arrive with the given wire types."""
    out = {}
    for num, wire, value, _offset in _iter_fields(buf, span[0], span[1], where):
        if num in wires:
            if wire != wires[num]:
                raise ProtobufError("%s field %d: wire type %d (%s), expected %d (%s)"
                                    % (where, num, wire, _WIRE_NAMES[wire], wires[num], _WIRE_NAMES[wires[num]]))
            out[num] = value
    return out


def _decode_scalar_message(buf, span, kind, where):
    """Time, MicroTime, Quantity, IntOrString and FieldsV1 are messages on the wire and scalars (or raw JSON) in
    JSON."""
    if kind in (TIME, MICRO_TIME):
        parts = _sub_fields(buf, span, where, {1: 0, 2: 0})
        return _format_time(_signed(parts.get(1, 0), 64), _signed(parts.get(2, 0), 32), where, kind == MICRO_TIME)
    if kind == INT_OR_STRING:
        parts = _sub_fields(buf, span, where, {1: 0, 2: 0, 3: 2})
        if parts.get(1, 0) == 1:
            return _text(buf, parts[3], where) if 3 in parts else ""
        return _signed(parts.get(2, 0), 32)
    raw = _sub_fields(buf, span, where, {1: 2}).get(1)
    if kind == QUANTITY:
        return _text(buf, raw, where) if raw else ""
    if raw is None or raw[0] == raw[1]:
        return {}
    try:
        return json.loads(_text(buf, raw, where))
    except ValueError as exc:
        raise ProtobufError("%s does not hold JSON: %s" % (where, exc)) from None


def _decode_value(buf, field, wire, value, where):
    expected = _WIRE_TYPE[field.kind]
    if wire != expected:
        raise ProtobufError("%s: wire type %d (%s), expected %d (%s)" % (where, wire, _WIRE_NAMES[wire], expected, _WIRE_NAMES[expected]))
    kind = field.kind
    if kind == STRING:
        return _text(buf, value, where)
    if kind == BYTES:
        return base64.b64encode(bytes(buf[value[0]:value[1]])).decode("ascii")
    if kind == INT64:
        return _signed(value, 64)
    if kind == INT32:
        return _signed(value, 32)
    if kind == BOOL:
        return value != 0
    if kind == MESSAGE:
        decoded = _decode_message(buf, value[0], value[1], field.sub, where)
        return decoded.get(field.sub.ordered[0].name, []) if field.sub.wraps_list else decoded
    return _decode_scalar_message(buf, value, kind, where)


_MAP_KEY = _Field(1, "key", STRING)


def _decode_map_entry(buf, span, field, where):
    key = ""
    val = None
    for num, wire, value, _offset in _iter_fields(buf, span[0], span[1], where):
        if num == 1:
            key = _decode_value(buf, _MAP_KEY, wire, value, where + " key")
        elif num == 2:
            val = _decode_value(buf, field.sub, wire, value, "%s[%r]" % (where, key))
    if val is None:
        val = {QUANTITY: "0", MESSAGE: []}.get(field.sub.kind, "")
    return key, val


def _packed(buf, span, field, where):
    """The values of a packed repeated varint field (proto3 style; Go writes proto2 unpacked, readers take both)."""
    pos, end, out = span[0], span[1], []
    while pos < end:
        value, pos = _read_varint(buf, pos, end, where)
        out.append(_decode_value(buf, field, 0, value, where))
    return out


def _is_zero(value):
    return value is None or value == "" or value == 0 or value is False or value == [] or value == {}


def _decode_message(buf, start, end, message, path):
    out = {}
    for num, wire, value, _offset in _iter_fields(buf, start, end, path):
        field = message.fields.get(num)
        if field is None:
            continue   # a field this table does not know: skipped, as protobuf readers do
        where = "%s.%s" % (path, field.name)
        if field.kind == MAP:
            if wire != 2:
                raise ProtobufError("%s: wire type %d (%s), expected 2 (length-delimited)" % (where, wire, _WIRE_NAMES[wire]))
            key, val = _decode_map_entry(buf, value, field, where)
            out.setdefault(field.name, {})[key] = val
            continue
        if field.repeated and field.kind in _VARINTS and wire == 2:
            out.setdefault(field.name, []).extend(_packed(buf, value, field, where))
            continue
        decoded = _decode_value(buf, field, wire, value, where)
        if field.repeated:
            out.setdefault(field.name, []).append(decoded)
        elif field.inline:
            out.update(decoded)
        elif field.kind == MESSAGE:
            out[field.name] = decoded          # a struct present on the wire is shown, even when empty
        elif decoded is None or (_is_zero(decoded) and not field.keep):
            out.pop(field.name, None)
        else:
            out[field.name] = decoded
    return out


def _decode_unknown(body):
    """runtime.Unknown: (apiVersion, kind, (raw start, raw end))."""
    api_version = kind = ""
    raw = None
    content_encoding = content_type = ""
    for num, wire, value, offset in _iter_fields(body, len(MAGIC), len(body), "Unknown"):
        if num in (1, 2, 3, 4) and wire != 2:
            raise ProtobufError("Unknown field %d at byte %d: wire type %d (%s), expected 2 (length-delimited)"
                                % (num, offset, wire, _WIRE_NAMES[wire]))
        if num == 1:
            type_meta = _decode_message(body, value[0], value[1], TYPE_META, "Unknown.typeMeta")
            api_version = type_meta.get("apiVersion", "")
            kind = type_meta.get("kind", "")
        elif num == 2:
            raw = value
        elif num == 3:
            content_encoding = _text(body, value, "Unknown.contentEncoding")
        elif num == 4:
            content_type = _text(body, value, "Unknown.contentType")
    if content_encoding:
        raise ProtobufError("unsupported contentEncoding %r in the protobuf envelope" % content_encoding)
    if content_type not in ("", PROTOBUF):
        raise ProtobufError("unsupported contentType %r in the protobuf envelope" % content_type)
    return api_version, kind, raw


def _lookup(api_version, kind):
    if not kind:
        raise ProtobufError("the protobuf envelope names no kind (apiVersion %r)" % api_version)
    message = _BY_GVK.get((api_version, kind)) or _ANY_VERSION.get(kind)
    if message is not None:
        return message
    versions = sorted(gv for gv, k in _BY_GVK if k == kind)
    if versions:
        raise ProtobufError("unknown apiVersion %r for kind %r: expected %s" % (api_version, kind, " or ".join(versions)))
    raise ProtobufError("unknown kind %r (apiVersion %r): protobuf bodies are understood for the built-in kinds of %s"
                        % (kind, api_version, ", ".join(sorted({gv for gv, _k in _BY_GVK}))), unsupported=True)


def decode(body):
    """Decode a Kubernetes protobuf body (``k8s\\x00`` + runtime.Unknown) into the object's JSON form.

    Returns ``{"apiVersion": ..., "kind": ..., "metadata": {...}, ...}`` as kube-apiserver would show it.
    Raises ProtobufError for a missing magic, truncated or malformed input, or a kind this module does not know.
    """
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise ProtobufError("a protobuf body must be bytes, not %s" % type(body).__name__)
    body = bytes(body)
    if body[:len(MAGIC)] != MAGIC:
        raise ProtobufError("not a Kubernetes protobuf body: it does not start with the magic k8s\\x00 (got %r)" % body[:len(MAGIC)])
    api_version, kind, raw = _decode_unknown(body)
    message = _lookup(api_version, kind)
    obj = {"apiVersion": api_version, "kind": kind}
    if raw is not None:
        obj.update(_decode_message(body, raw[0], raw[1], message, kind))
    return obj


# ---------------------------------------------------------------- encoding

def _varint(value):
    value %= _UINT64   # negative numbers: two's complement in ten bytes, as protobuf int32/int64 are sent
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(num, wire):
    return _varint((num << 3) | wire)


def _length_delimited(num, payload):
    return _key(num, 2) + _varint(len(payload)) + payload


def wire_bytes(num, payload):
    """A length-delimited field (for other protobuf documents, such as the OpenAPI v2 one)."""
    return _length_delimited(num, payload)


def wire_varint(num, value):
    """A varint field."""
    return _key(num, 0) + _varint(value)


def wire_fixed64(num, payload):
    """A 64-bit field (payload: 8 little-endian bytes, e.g. a double)."""
    return _key(num, 1) + payload


def _parse_time(value, where):
    if not isinstance(value, str):
        raise ProtobufError("%s: expected an RFC 3339 timestamp string, got %s" % (where, type(value).__name__))
    try:
        when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ProtobufError("%s: %r is not an RFC 3339 timestamp" % (where, value)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    delta = when - _EPOCH
    seconds = delta.days * 86400 + delta.seconds
    return seconds, delta.microseconds * 1000


def _encode_int(value, kind, where):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProtobufError("%s: expected an integer, got %r" % (where, value))
    low, high = (_INT64_MIN, _INT64_MAX) if kind == INT64 else (_INT32_MIN, _INT32_MAX)
    if not low <= value <= high:
        raise ProtobufError("%s: %d does not fit in %s" % (where, value, kind))
    return _varint(value)


def _encode_time(num, value, where):
    seconds, nanos = _parse_time(value, where)
    payload = b""
    if seconds or nanos:
        payload = _key(1, 0) + _varint(seconds) + (_key(2, 0) + _varint(nanos) if nanos else b"")
    return _length_delimited(num, payload)


def _encode_int_or_string(num, value, where):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ProtobufError("%s: expected an integer or a string, got %r" % (where, value))
    if isinstance(value, str):   # Go writes all three fields: type, intVal, strVal
        payload = _key(1, 0) + _varint(1) + _key(2, 0) + _varint(0) + _length_delimited(3, value.encode("utf-8"))
    else:
        payload = _key(1, 0) + _varint(0) + _key(2, 0) + _encode_int(value, INT32, where) + _length_delimited(3, b"")
    return _length_delimited(num, payload)


def _encode_value(field, value, where, strict):
    """One occurrence of field (a repeated field: one item): key and payload."""
    num, kind = field.num, field.kind
    if kind == STRING:
        if not isinstance(value, str):
            raise ProtobufError("%s: expected a string, got %s" % (where, type(value).__name__))
        return _length_delimited(num, value.encode("utf-8"))
    if kind == BYTES:
        if not isinstance(value, str):
            raise ProtobufError("%s: expected a base64 string, got %s" % (where, type(value).__name__))
        try:
            raw = base64.b64decode(value.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ProtobufError("%s: %r is not valid base64" % (where, value)) from None
        return _length_delimited(num, raw)
    if kind in (INT64, INT32):
        return _key(num, 0) + _encode_int(value, kind, where)
    if kind == BOOL:
        if not isinstance(value, bool):
            raise ProtobufError("%s: expected true or false, got %r" % (where, value))
        return _key(num, 0) + _varint(int(value))
    if kind == MESSAGE:
        if field.sub.wraps_list:
            value = {field.sub.ordered[0].name: value}
        return _length_delimited(num, _encode_message(field.sub, value, where, strict))
    if kind in (TIME, MICRO_TIME):
        return _encode_time(num, value, where)
    if kind == INT_OR_STRING:
        return _encode_int_or_string(num, value, where)
    if kind == QUANTITY:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProtobufError("%s: expected a quantity string, got %r" % (where, value))
        return _length_delimited(num, _length_delimited(1, str(value).encode("utf-8")))
    # FIELDS_V1
    raw = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return _length_delimited(num, _length_delimited(1, raw))


def _encode_message(message, obj, path, strict=False, own_keys=True):
    """The payload of message from obj; strict: refuse keys without a field (own_keys False: an inlined struct,
    whose parent checks the keys of obj)."""
    if not isinstance(obj, dict):
        raise ProtobufError("%s: expected an object, got %s" % (path, type(obj).__name__))
    if strict and own_keys:
        unknown = sorted(k for k in set(obj) - message.json_names() - _TYPE_META_KEYS if obj[k] is not None)
        if unknown:
            raise ProtobufError("%s: no protobuf field for %s" % (path, ", ".join(unknown)))
    out = bytearray()
    for field in message.ordered:
        where = "%s.%s" % (path, field.name)
        if field.inline:
            out += _length_delimited(field.num, _encode_message(field.sub, obj, path, strict, own_keys=False))
            continue
        value = obj.get(field.name)
        if value is None:
            continue
        if field.kind == MAP:
            if not isinstance(value, dict):
                raise ProtobufError("%s: expected an object, got %s" % (where, type(value).__name__))
            for key in sorted(value):
                if not isinstance(key, str):
                    raise ProtobufError("%s: keys must be strings" % where)
                if value[key] is None:
                    continue
                entry = _encode_value(_MAP_KEY, key, where, strict) + \
                    _encode_value(field.sub, value[key], "%s[%r]" % (where, key), strict)
                out += _length_delimited(field.num, entry)
        elif field.repeated:
            if not isinstance(value, list):
                raise ProtobufError("%s: expected a list, got %s" % (where, type(value).__name__))
            for index, item in enumerate(value):
                out += _encode_value(field, item, "%s[%d]" % (where, index), strict)
        else:
            out += _encode_value(field, value, where, strict)
    return bytes(out)


def encode(obj, strict=False):
    """Encode an object (its JSON form, with apiVersion and kind) as a Kubernetes protobuf body.

    The reverse of decode() for the same kinds. Keys the field tables do not know are left out, or with strict=True
    refused (a server must not answer with less than it holds).
    Raises ProtobufError for an unknown kind, a value of the wrong type or (strict) a key without a field.
    """
    if not isinstance(obj, dict):
        raise ProtobufError("expected an object, got %s" % type(obj).__name__)
    api_version = obj.get("apiVersion") or ""
    kind = obj.get("kind") or ""
    message = _lookup(api_version, kind)
    raw = _encode_message(message, obj, kind, strict)
    type_meta = _encode_message(TYPE_META, {"apiVersion": api_version, "kind": kind}, "TypeMeta")
    # Go writes contentEncoding and contentType even when empty; so do we, byte for byte like kubectl.
    unknown = _length_delimited(1, type_meta) + _length_delimited(2, raw) + _length_delimited(3, b"") + _length_delimited(4, b"")
    return MAGIC + unknown
