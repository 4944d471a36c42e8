# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes protobuf request and response bodies, in pure Python.

kubectl (create secret|configmap|namespace|serviceaccount) and Helm's release storage send typed objects as
``application/vnd.kubernetes.protobuf``: the magic ``k8s\\x00`` followed by a ``runtime.Unknown`` message whose
``typeMeta`` names the apiVersion and kind and whose ``raw`` holds the typed message. They do not fall back to JSON
when a server answers 415, so the emulator decodes these bodies here.

``decode(body)`` returns the object in its JSON form (the shape kube-apiserver would serve), ``encode(obj)`` does the
reverse. Both are driven by field tables below whose field numbers come from the ``generated.proto`` files of
k8s.io/apimachinery (pkg/runtime, pkg/apis/meta/v1) and k8s.io/api (core/v1). Fields a table does not list are
skipped when decoding (as a protobuf reader must) and dropped when encoding.

JSON conventions follow Kubernetes' Go types: camelCase JSON names, zero-valued scalars omitted (``omitempty``)
unless the Go field is a pointer or has no ``omitempty`` (then a value present on the wire is kept, even when zero),
``bytes`` as base64 strings, ``metav1.Time`` as RFC 3339 with second precision, ``resource.Quantity`` as its
string, ``FieldsV1`` as the JSON object it carries, and embedded structs (``ConfigMapVolumeSource``'s
``LocalObjectReference``, ``Volume``'s ``VolumeSource``) inlined into their parent.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json

__all__ = ["MAGIC", "PROTOBUF", "ProtobufError", "decode", "encode", "supported_kinds", "supports"]

PROTOBUF = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"

_UINT64 = 1 << 64
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_WIRE_NAMES = {0: "varint", 1: "64-bit", 2: "length-delimited", 3: "start-group", 4: "end-group", 5: "32-bit"}

# value kinds of a field; the wire type each one must arrive with
STRING, BYTES, INT64, INT32, BOOL, MESSAGE, TIME, QUANTITY, FIELDS_V1, MAP = (
    "string", "bytes", "int64", "int32", "bool", "message", "time", "quantity", "fieldsV1", "map")
_WIRE_TYPE = {STRING: 2, BYTES: 2, MESSAGE: 2, TIME: 2, QUANTITY: 2, FIELDS_V1: 2, MAP: 2, INT64: 0, INT32: 0, BOOL: 0}


class ProtobufError(ValueError):
    """A body that is not a Kubernetes protobuf object this module understands (the server answers 400/415)."""


class _Field:
    """One field of a message table: wire number, JSON name, value kind and how it maps to JSON."""

    __slots__ = ("num", "name", "kind", "sub", "repeated", "keep", "inline")

    def __init__(self, num, name, kind, sub=None, repeated=False, keep=False, inline=False):
        self.num = num
        self.name = name
        self.kind = kind
        self.sub = sub            # message table for MESSAGE, value kind for MAP
        self.repeated = repeated
        self.keep = keep          # Go pointer or no omitempty: a zero value present on the wire stays in JSON
        self.inline = inline      # embedded struct: its JSON keys live in the parent object


class _Message:
    """A message table: name (for error messages) and fields by number."""

    def __init__(self, name, fields):
        self.name = name
        self.fields = {f.num: f for f in fields}
        self.ordered = sorted(fields, key=lambda f: f.num)


def _f(num, name, kind, sub=None, **kwargs):
    return _Field(num, name, kind, sub, **kwargs)


# ---- k8s.io/apimachinery/pkg/runtime ----
TYPE_META = _Message("TypeMeta", [_f(1, "apiVersion", STRING), _f(2, "kind", STRING)])

# ---- k8s.io/apimachinery/pkg/apis/meta/v1 ----
OWNER_REFERENCE = _Message("OwnerReference", [
    _f(1, "kind", STRING, keep=True),
    _f(3, "name", STRING, keep=True),
    _f(4, "uid", STRING, keep=True),
    _f(5, "apiVersion", STRING, keep=True),
    _f(6, "controller", BOOL, keep=True),
    _f(7, "blockOwnerDeletion", BOOL, keep=True),
])
MANAGED_FIELDS_ENTRY = _Message("ManagedFieldsEntry", [
    _f(1, "manager", STRING),
    _f(2, "operation", STRING),
    _f(3, "apiVersion", STRING),
    _f(4, "time", TIME),
    _f(6, "fieldsType", STRING),
    _f(7, "fieldsV1", FIELDS_V1),
    _f(8, "subresource", STRING),
])
OBJECT_META = _Message("ObjectMeta", [
    _f(1, "name", STRING),
    _f(2, "generateName", STRING),
    _f(3, "namespace", STRING),
    _f(4, "selfLink", STRING),
    _f(5, "uid", STRING),
    _f(6, "resourceVersion", STRING),
    _f(7, "generation", INT64),
    _f(8, "creationTimestamp", TIME),
    _f(9, "deletionTimestamp", TIME),
    _f(10, "deletionGracePeriodSeconds", INT64, keep=True),
    _f(11, "labels", MAP, STRING),
    _f(12, "annotations", MAP, STRING),
    _f(13, "ownerReferences", MESSAGE, OWNER_REFERENCE, repeated=True),
    _f(14, "finalizers", STRING, repeated=True),
    _f(17, "managedFields", MESSAGE, MANAGED_FIELDS_ENTRY, repeated=True),
])
LIST_META = _Message("ListMeta", [
    _f(1, "selfLink", STRING),
    _f(2, "resourceVersion", STRING),
    _f(3, "continue", STRING),
    _f(4, "remainingItemCount", INT64, keep=True),
])
PRECONDITIONS = _Message("Preconditions", [
    _f(1, "uid", STRING, keep=True),
    _f(2, "resourceVersion", STRING, keep=True),
])
DELETE_OPTIONS = _Message("DeleteOptions", [
    _f(1, "gracePeriodSeconds", INT64, keep=True),
    _f(2, "preconditions", MESSAGE, PRECONDITIONS),
    _f(3, "orphanDependents", BOOL, keep=True),
    _f(4, "propagationPolicy", STRING, keep=True),
    _f(5, "dryRun", STRING, repeated=True),
    _f(6, "ignoreStoreReadErrorWithClusterBreakingPotential", BOOL, keep=True),
])
STATUS_CAUSE = _Message("StatusCause", [
    _f(1, "reason", STRING),
    _f(2, "message", STRING),
    _f(3, "field", STRING),
])
STATUS_DETAILS = _Message("StatusDetails", [
    _f(1, "name", STRING),
    _f(2, "group", STRING),
    _f(3, "kind", STRING),
    _f(4, "causes", MESSAGE, STATUS_CAUSE, repeated=True),
    _f(5, "retryAfterSeconds", INT32),
    _f(6, "uid", STRING),
])
STATUS = _Message("Status", [
    _f(1, "metadata", MESSAGE, LIST_META),
    _f(2, "status", STRING),
    _f(3, "message", STRING),
    _f(4, "reason", STRING),
    _f(5, "details", MESSAGE, STATUS_DETAILS),
    _f(6, "code", INT32),
])

# ---- k8s.io/api/core/v1 ----
SECRET = _Message("Secret", [
    _f(1, "metadata", MESSAGE, OBJECT_META),
    _f(2, "data", MAP, BYTES),
    _f(3, "type", STRING),
    _f(4, "stringData", MAP, STRING),
    _f(5, "immutable", BOOL, keep=True),
])
CONFIG_MAP = _Message("ConfigMap", [
    _f(1, "metadata", MESSAGE, OBJECT_META),
    _f(2, "data", MAP, STRING),
    _f(3, "binaryData", MAP, BYTES),
    _f(4, "immutable", BOOL, keep=True),
])
NAMESPACE_CONDITION = _Message("NamespaceCondition", [
    _f(1, "type", STRING, keep=True),
    _f(2, "status", STRING, keep=True),
    _f(4, "lastTransitionTime", TIME),
    _f(5, "reason", STRING),
    _f(6, "message", STRING),
])
NAMESPACE_SPEC = _Message("NamespaceSpec", [_f(1, "finalizers", STRING, repeated=True)])
NAMESPACE_STATUS = _Message("NamespaceStatus", [
    _f(1, "phase", STRING),
    _f(2, "conditions", MESSAGE, NAMESPACE_CONDITION, repeated=True),
])
NAMESPACE = _Message("Namespace", [
    _f(1, "metadata", MESSAGE, OBJECT_META),
    _f(2, "spec", MESSAGE, NAMESPACE_SPEC),
    _f(3, "status", MESSAGE, NAMESPACE_STATUS),
])
OBJECT_REFERENCE = _Message("ObjectReference", [
    _f(1, "kind", STRING),
    _f(2, "namespace", STRING),
    _f(3, "name", STRING),
    _f(4, "uid", STRING),
    _f(5, "apiVersion", STRING),
    _f(6, "resourceVersion", STRING),
    _f(7, "fieldPath", STRING),
])
LOCAL_OBJECT_REFERENCE = _Message("LocalObjectReference", [_f(1, "name", STRING)])
SERVICE_ACCOUNT = _Message("ServiceAccount", [
    _f(1, "metadata", MESSAGE, OBJECT_META),
    _f(2, "secrets", MESSAGE, OBJECT_REFERENCE, repeated=True),
    _f(3, "imagePullSecrets", MESSAGE, LOCAL_OBJECT_REFERENCE, repeated=True),
    _f(4, "automountServiceAccountToken", BOOL, keep=True),
])

# Pod: the fields support tooling and debug pods use
KEY_TO_PATH = _Message("KeyToPath", [
    _f(1, "key", STRING, keep=True),
    _f(2, "path", STRING, keep=True),
    _f(3, "mode", INT32, keep=True),
])
HOST_PATH_VOLUME_SOURCE = _Message("HostPathVolumeSource", [
    _f(1, "path", STRING, keep=True),
    _f(2, "type", STRING, keep=True),
])
EMPTY_DIR_VOLUME_SOURCE = _Message("EmptyDirVolumeSource", [
    _f(1, "medium", STRING),
    _f(2, "sizeLimit", QUANTITY),
])
SECRET_VOLUME_SOURCE = _Message("SecretVolumeSource", [
    _f(1, "secretName", STRING),
    _f(2, "items", MESSAGE, KEY_TO_PATH, repeated=True),
    _f(3, "defaultMode", INT32, keep=True),
    _f(4, "optional", BOOL, keep=True),
])
CONFIG_MAP_VOLUME_SOURCE = _Message("ConfigMapVolumeSource", [
    _f(1, "localObjectReference", MESSAGE, LOCAL_OBJECT_REFERENCE, inline=True),
    _f(2, "items", MESSAGE, KEY_TO_PATH, repeated=True),
    _f(3, "defaultMode", INT32, keep=True),
    _f(4, "optional", BOOL, keep=True),
])
PVC_VOLUME_SOURCE = _Message("PersistentVolumeClaimVolumeSource", [
    _f(1, "claimName", STRING, keep=True),
    _f(2, "readOnly", BOOL),
])
VOLUME_SOURCE = _Message("VolumeSource", [
    _f(1, "hostPath", MESSAGE, HOST_PATH_VOLUME_SOURCE),
    _f(2, "emptyDir", MESSAGE, EMPTY_DIR_VOLUME_SOURCE),
    _f(6, "secret", MESSAGE, SECRET_VOLUME_SOURCE),
    _f(10, "persistentVolumeClaim", MESSAGE, PVC_VOLUME_SOURCE),
    _f(19, "configMap", MESSAGE, CONFIG_MAP_VOLUME_SOURCE),
])
VOLUME = _Message("Volume", [
    _f(1, "name", STRING, keep=True),
    _f(2, "volumeSource", MESSAGE, VOLUME_SOURCE, inline=True),
])
VOLUME_MOUNT = _Message("VolumeMount", [
    _f(1, "name", STRING, keep=True),
    _f(2, "readOnly", BOOL),
    _f(3, "mountPath", STRING, keep=True),
    _f(4, "subPath", STRING),
    _f(5, "mountPropagation", STRING, keep=True),
    _f(6, "subPathExpr", STRING),
])
CONTAINER_PORT = _Message("ContainerPort", [
    _f(1, "name", STRING),
    _f(2, "hostPort", INT32),
    _f(3, "containerPort", INT32, keep=True),
    _f(4, "protocol", STRING),
    _f(5, "hostIP", STRING),
])
OBJECT_FIELD_SELECTOR = _Message("ObjectFieldSelector", [
    _f(1, "apiVersion", STRING),
    _f(2, "fieldPath", STRING, keep=True),
])
CONFIG_MAP_KEY_SELECTOR = _Message("ConfigMapKeySelector", [
    _f(1, "localObjectReference", MESSAGE, LOCAL_OBJECT_REFERENCE, inline=True),
    _f(2, "key", STRING, keep=True),
    _f(3, "optional", BOOL, keep=True),
])
SECRET_KEY_SELECTOR = _Message("SecretKeySelector", [
    _f(1, "localObjectReference", MESSAGE, LOCAL_OBJECT_REFERENCE, inline=True),
    _f(2, "key", STRING, keep=True),
    _f(3, "optional", BOOL, keep=True),
])
ENV_VAR_SOURCE = _Message("EnvVarSource", [
    _f(1, "fieldRef", MESSAGE, OBJECT_FIELD_SELECTOR),
    _f(3, "configMapKeyRef", MESSAGE, CONFIG_MAP_KEY_SELECTOR),
    _f(4, "secretKeyRef", MESSAGE, SECRET_KEY_SELECTOR),
])
ENV_VAR = _Message("EnvVar", [
    _f(1, "name", STRING, keep=True),
    _f(2, "value", STRING),
    _f(3, "valueFrom", MESSAGE, ENV_VAR_SOURCE),
])
RESOURCE_REQUIREMENTS = _Message("ResourceRequirements", [
    _f(1, "limits", MAP, QUANTITY),
    _f(2, "requests", MAP, QUANTITY),
])
CAPABILITIES = _Message("Capabilities", [
    _f(1, "add", STRING, repeated=True),
    _f(2, "drop", STRING, repeated=True),
])
SECURITY_CONTEXT = _Message("SecurityContext", [
    _f(1, "capabilities", MESSAGE, CAPABILITIES),
    _f(2, "privileged", BOOL, keep=True),
    _f(4, "runAsUser", INT64, keep=True),
    _f(5, "runAsNonRoot", BOOL, keep=True),
    _f(6, "readOnlyRootFilesystem", BOOL, keep=True),
    _f(7, "allowPrivilegeEscalation", BOOL, keep=True),
    _f(8, "runAsGroup", INT64, keep=True),
])
CONTAINER = _Message("Container", [
    _f(1, "name", STRING, keep=True),
    _f(2, "image", STRING),
    _f(3, "command", STRING, repeated=True),
    _f(4, "args", STRING, repeated=True),
    _f(5, "workingDir", STRING),
    _f(6, "ports", MESSAGE, CONTAINER_PORT, repeated=True),
    _f(7, "env", MESSAGE, ENV_VAR, repeated=True),
    _f(8, "resources", MESSAGE, RESOURCE_REQUIREMENTS),
    _f(9, "volumeMounts", MESSAGE, VOLUME_MOUNT, repeated=True),
    _f(13, "terminationMessagePath", STRING),
    _f(14, "imagePullPolicy", STRING),
    _f(15, "securityContext", MESSAGE, SECURITY_CONTEXT),
    _f(16, "stdin", BOOL),
    _f(17, "stdinOnce", BOOL),
    _f(18, "tty", BOOL),
    _f(20, "terminationMessagePolicy", STRING),
])
TOLERATION = _Message("Toleration", [
    _f(1, "key", STRING),
    _f(2, "operator", STRING),
    _f(3, "value", STRING),
    _f(4, "effect", STRING),
    _f(5, "tolerationSeconds", INT64, keep=True),
])
POD_SPEC = _Message("PodSpec", [
    _f(1, "volumes", MESSAGE, VOLUME, repeated=True),
    _f(2, "containers", MESSAGE, CONTAINER, repeated=True),
    _f(3, "restartPolicy", STRING),
    _f(4, "terminationGracePeriodSeconds", INT64, keep=True),
    _f(5, "activeDeadlineSeconds", INT64, keep=True),
    _f(6, "dnsPolicy", STRING),
    _f(7, "nodeSelector", MAP, STRING),
    _f(8, "serviceAccountName", STRING),
    _f(9, "serviceAccount", STRING),
    _f(10, "nodeName", STRING),
    _f(11, "hostNetwork", BOOL),
    _f(12, "hostPID", BOOL),
    _f(13, "hostIPC", BOOL),
    _f(15, "imagePullSecrets", MESSAGE, LOCAL_OBJECT_REFERENCE, repeated=True),
    _f(16, "hostname", STRING),
    _f(17, "subdomain", STRING),
    _f(19, "schedulerName", STRING),
    _f(20, "initContainers", MESSAGE, CONTAINER, repeated=True),
    _f(21, "automountServiceAccountToken", BOOL, keep=True),
    _f(22, "tolerations", MESSAGE, TOLERATION, repeated=True),
    _f(24, "priorityClassName", STRING),
    _f(25, "priority", INT32, keep=True),
    _f(27, "shareProcessNamespace", BOOL, keep=True),
    _f(30, "enableServiceLinks", BOOL, keep=True),
])
POD_CONDITION = _Message("PodCondition", [
    _f(1, "type", STRING, keep=True),
    _f(2, "status", STRING, keep=True),
    _f(3, "lastProbeTime", TIME),
    _f(4, "lastTransitionTime", TIME),
    _f(5, "reason", STRING),
    _f(6, "message", STRING),
])
POD_STATUS = _Message("PodStatus", [
    _f(1, "phase", STRING),
    _f(2, "conditions", MESSAGE, POD_CONDITION, repeated=True),
    _f(3, "message", STRING),
    _f(4, "reason", STRING),
    _f(5, "hostIP", STRING),
    _f(6, "podIP", STRING),
    _f(7, "startTime", TIME),
])
POD = _Message("Pod", [
    _f(1, "metadata", MESSAGE, OBJECT_META),
    _f(2, "spec", MESSAGE, POD_SPEC),
    _f(3, "status", MESSAGE, POD_STATUS),
])


def _list_of(name, item):
    return _Message(name, [_f(1, "metadata", MESSAGE, LIST_META), _f(2, "items", MESSAGE, item, repeated=True)])


# kind -> (message table, accepted apiVersions or None for any). DeleteOptions is registered in every group
# version (client-go sends the resource's group version), so any apiVersion is accepted for it.
_KINDS = {
    "Secret": (SECRET, ("v1",)),
    "SecretList": (_list_of("SecretList", SECRET), ("v1",)),
    "ConfigMap": (CONFIG_MAP, ("v1",)),
    "ConfigMapList": (_list_of("ConfigMapList", CONFIG_MAP), ("v1",)),
    "Namespace": (NAMESPACE, ("v1",)),
    "NamespaceList": (_list_of("NamespaceList", NAMESPACE), ("v1",)),
    "ServiceAccount": (SERVICE_ACCOUNT, ("v1",)),
    "ServiceAccountList": (_list_of("ServiceAccountList", SERVICE_ACCOUNT), ("v1",)),
    "Pod": (POD, ("v1",)),
    "PodList": (_list_of("PodList", POD), ("v1",)),
    "DeleteOptions": (DELETE_OPTIONS, None),
    "Status": (STATUS, ("v1",)),
}


def supported_kinds():
    """The kinds decode() and encode() understand, sorted."""
    return sorted(_KINDS)


def supports(api_version, kind):
    """True if a body of this apiVersion and kind can be decoded and encoded."""
    entry = _KINDS.get(kind)
    return entry is not None and (entry[1] is None or api_version in entry[1])


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


def _format_time(seconds, nanos, where):
    if seconds == 0 and nanos == 0:
        return None   # metav1.Time's zero value (JSON null): left out
    try:
        when = _EPOCH + datetime.timedelta(seconds=seconds)
    except OverflowError:
        raise ProtobufError("%s: timestamp %d seconds is out of range" % (where, seconds)) from None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode_scalar_message(buf, span, kind, where):
    """Time, Quantity and FieldsV1 are messages on the wire and scalars (or raw JSON) in JSON."""
    if kind == TIME:
        seconds = nanos = 0
        for num, wire, value, _offset in _iter_fields(buf, span[0], span[1], where):
            if num in (1, 2):
                if wire != 0:
                    raise ProtobufError("%s field %d: wire type %d (%s), expected 0 (varint)" % (where, num, wire, _WIRE_NAMES[wire]))
                if num == 1:
                    seconds = _signed(value, 64)
                else:
                    nanos = _signed(value, 32)
        return _format_time(seconds, nanos, where)
    raw = None
    for num, wire, value, _offset in _iter_fields(buf, span[0], span[1], where):
        if num == 1:
            if wire != 2:
                raise ProtobufError("%s field 1: wire type %d (%s), expected 2 (length-delimited)" % (where, wire, _WIRE_NAMES[wire]))
            raw = value
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
        return _decode_message(buf, value[0], value[1], field.sub, where)
    return _decode_scalar_message(buf, value, kind, where)


def _decode_map_entry(buf, span, field, where):
    key = ""
    val = None
    value_field = _Field(2, "value", field.sub)
    for num, wire, value, _offset in _iter_fields(buf, span[0], span[1], where):
        if num == 1:
            key = _decode_value(buf, _Field(1, "key", STRING), wire, value, where + " key")
        elif num == 2:
            val = _decode_value(buf, value_field, wire, value, "%s[%r]" % (where, key))
    if val is None:
        val = "" if field.sub != QUANTITY else "0"
    return key, val


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
    entry = _KINDS.get(kind)
    if entry is None:
        raise ProtobufError("unknown kind %r (apiVersion %r): protobuf bodies are understood for %s"
                            % (kind, api_version, ", ".join(supported_kinds())))
    message, versions = entry
    if versions is not None and api_version not in versions:
        raise ProtobufError("unknown apiVersion %r for kind %r: expected %s" % (api_version, kind, " or ".join(versions)))
    return message


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


def _encode_value(num, kind, sub, value, where):
    """One field occurrence: key and payload."""
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
        return _length_delimited(num, _encode_message(sub, value, where))
    if kind == TIME:
        seconds, nanos = _parse_time(value, where)
        payload = b""
        if seconds or nanos:
            payload = _key(1, 0) + _varint(seconds) + (_key(2, 0) + _varint(nanos) if nanos else b"")
        return _length_delimited(num, payload)
    if kind == QUANTITY:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProtobufError("%s: expected a quantity string, got %r" % (where, value))
        return _length_delimited(num, _length_delimited(1, str(value).encode("utf-8")))
    # FIELDS_V1
    raw = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return _length_delimited(num, _length_delimited(1, raw))


def _encode_message(message, obj, path):
    if not isinstance(obj, dict):
        raise ProtobufError("%s: expected an object, got %s" % (path, type(obj).__name__))
    out = bytearray()
    for field in message.ordered:
        where = "%s.%s" % (path, field.name)
        if field.inline:
            out += _length_delimited(field.num, _encode_message(field.sub, obj, path))
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
                entry = _encode_value(1, STRING, None, key, where) + _encode_value(2, field.sub, None, value[key], "%s[%r]" % (where, key))
                out += _length_delimited(field.num, entry)
        elif field.repeated:
            if not isinstance(value, list):
                raise ProtobufError("%s: expected a list, got %s" % (where, type(value).__name__))
            for index, item in enumerate(value):
                out += _encode_value(field.num, field.kind, field.sub, item, "%s[%d]" % (where, index))
        else:
            out += _encode_value(field.num, field.kind, field.sub, value, where)
    return bytes(out)


def encode(obj):
    """Encode an object (its JSON form, with apiVersion and kind) as a Kubernetes protobuf body.

    The reverse of decode() for the same kinds; keys the field tables do not know are left out.
    Raises ProtobufError for an unknown kind or a value of the wrong type.
    """
    if not isinstance(obj, dict):
        raise ProtobufError("expected an object, got %s" % type(obj).__name__)
    api_version = obj.get("apiVersion") or ""
    kind = obj.get("kind") or ""
    message = _lookup(api_version, kind)
    raw = _encode_message(message, obj, kind)
    type_meta = _encode_message(TYPE_META, {"apiVersion": api_version, "kind": kind}, "TypeMeta")
    # Go writes contentEncoding and contentType even when empty; so do we, byte for byte like kubectl.
    unknown = _length_delimited(1, type_meta) + _length_delimited(2, raw) + _length_delimited(3, b"") + _length_delimited(4, b"")
    return MAGIC + unknown
