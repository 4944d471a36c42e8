# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's Kubernetes protobuf codec: real client bodies, round trips, wire edge cases, malformed input."""

import base64
import copy

import pytest

from sim.kube import protobuf
from sim.kube.protobuf import ProtobufError, decode, encode

# Bodies captured from kubectl v1.37.1 (the binary in .venv/bin) POSTing to a 127.0.0.1 capture server, as done live
# by tests/integration/test_kube_protobuf_capture.py; kept here so the decoder is pinned to real Go encoder output.
KUBECTL_SECRET = bytes.fromhex(  # kubectl create secret generic s --from-literal=k=v -n default
    "6b3873000a0c0a027631120653656372657412240a180a017312001a0764656661756c7422002a0032003800420012060a016b12017"
    "61a001a002200")
KUBECTL_NAMESPACE = bytes.fromhex(  # kubectl create namespace nsx
    "6b3873000a0f0a02763112094e616d657370616365121b0a130a036e737812001a0022002a0032003800420012001a020a001a002200")
KUBECTL_SERVICE_ACCOUNT = bytes.fromhex(  # kubectl create serviceaccount sa -n default
    "6b3873000a140a027631120e536572766963654163636f756e74121b0a190a02736112001a0764656661756c7422002a003200380042"
    "001a002200")

KUBECTL_DEBUG_NODE_POD = bytes.fromhex(  # kubectl debug node/gpu-node-1 --image=busybox:1.36 --profile=sysadmin -- sleep 3600
    "6b3873000a090a0276311203506f6412a4020a5d0a1e6e6f64652d64656275676765722d6770752d6e6f64652d312d6e77366b6312001a00"
    "22002a003200380042005a2d0a1c6170702e6b756265726e657465732e696f2f6d616e616765642d6279120d6b75626563746c2d64656275"
    "6712ad010a120a09686f73742d726f6f7412050a030a012f125b0a086465627567676572120c62757379626f783a312e33361a05736c6565"
    "701a04333630302a0042004a180a09686f73742d726f6f7410001a052f686f7374220032006a0072007a021001800100880100900100a201"
    "0446696c651a054e65766572320042004a00520a6770752d6e6f64652d315801600168018201008a01009a0100b2010e0a00120645786973"
    "74731a002200c201001a130a001a0022002a0032004a005a0072008801001a002200")


# ---- an independent minimal wire writer, so tests do not trust the encoder under test ----

def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def tag(num, wire):
    return varint(num << 3 | wire)


def ld(num, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return tag(num, 2) + varint(len(payload)) + payload


def vi(num, value):
    return tag(num, 0) + varint(value)


def envelope(api_version, kind, raw):
    return b"k8s\x00" + ld(1, ld(1, api_version) + ld(2, kind)) + ld(2, raw) + ld(3, b"") + ld(4, b"")


# ---- objects with every field type, one per kind ----

META = {
    "name": "support-access",
    "generateName": "support-",
    "namespace": "crusoe-system",
    "selfLink": "/api/v1/namespaces/crusoe-system/secrets/support-access",
    "uid": "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    "resourceVersion": "123456",
    "generation": 9007199254740993,
    "creationTimestamp": "2026-01-02T03:04:05Z",
    "deletionTimestamp": "2026-11-22T23:59:59Z",
    "deletionGracePeriodSeconds": 0,
    "labels": {"app.kubernetes.io/name": "crusoe-support-roles", "owner": "helm", "empty": ""},
    "annotations": {"meta.helm.sh/release-name": "crusoe-support", "note": "h\u00e9llo \u2603"},
    "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d", "uid": "u-1", "controller": True, "blockOwnerDeletion": False},
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "c", "uid": "u-2"},
    ],
    "finalizers": ["kubernetes.io/pv-protection", "example.com/cleanup"],
    "managedFields": [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2026-01-02T03:04:05Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {"f:owner": {}}}},
        },
        {
            "manager": "helm",
            "operation": "Apply",
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:phase": {}}},
            "subresource": "status",
        },
    ],
}

SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": META,
    "data": {"k": base64.b64encode(b"v").decode(), "bin": base64.b64encode(bytes(range(256))).decode(), "empty": ""},
    "stringData": {"plain": "text", "multi": "a\nb"},
    "type": "helm.sh/release.v1",
    "immutable": False,
}

CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cm", "namespace": "default", "labels": {"a": "b"}},
    "data": {"config.yaml": "key: value\n", "x": ""},
    "binaryData": {"blob": base64.b64encode(b"\x00\xff\xfe").decode()},
    "immutable": True,
}

NAMESPACE = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {"name": "crusoe-support", "labels": {"kubernetes.io/metadata.name": "crusoe-support"}},
    "spec": {"finalizers": ["kubernetes"]},
    "status": {
        "phase": "Terminating",
        "conditions": [
            {"type": "NamespaceDeletionDiscoveryFailure", "status": "False", "lastTransitionTime": "2026-03-04T05:06:07Z",
             "reason": "ResourcesDiscovered", "message": "All resources successfully discovered"},
            {"type": "NamespaceContentRemaining", "status": "True"},
        ],
    },
}

SERVICE_ACCOUNT = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {"name": "support", "namespace": "crusoe-support"},
    "secrets": [{"name": "support-token", "namespace": "crusoe-support", "kind": "Secret", "apiVersion": "v1",
                 "uid": "u-3", "resourceVersion": "7", "fieldPath": "data"}],
    "imagePullSecrets": [{"name": "registry"}, {"name": "mirror"}],
    "automountServiceAccountToken": False,
}

POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "node-debugger", "namespace": "crusoe-support", "labels": {"app": "debug"}},
    "spec": {
        "volumes": [
            {"name": "host-root", "hostPath": {"path": "/", "type": ""}},
            {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
            {"name": "cfg", "configMap": {"name": "cm", "items": [{"key": "a", "path": "a.txt", "mode": 420}], "defaultMode": 0o644,
                                          "optional": False}},
            {"name": "sec", "secret": {"secretName": "s", "defaultMode": 256, "optional": True}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "pvc-1", "readOnly": True}},
        ],
        "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["true"], "resources": {}}],
        "containers": [{
            "name": "debugger",
            "image": "busybox:1.36",
            "command": ["chroot", "/host"],
            "args": ["sh", "-c", "sleep 3600"],
            "workingDir": "/root",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostPort": 18080, "hostIP": "127.0.0.1"}],
            "env": [
                {"name": "A", "value": "1"},
                {"name": "EMPTY"},
                {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k", "optional": False}}},
                {"name": "CFG", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "a"}}},
            ],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}},
            "volumeMounts": [{"name": "host-root", "mountPath": "/host", "readOnly": True, "mountPropagation": "HostToContainer"}],
            "securityContext": {"privileged": True, "runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}},
            "stdin": True,
            "tty": True,
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePolicy": "File",
        }],
        "restartPolicy": "Never",
        "terminationGracePeriodSeconds": 0,
        "nodeName": "gpu-node-1",
        "hostNetwork": True,
        "hostPID": True,
        "hostIPC": True,
        "serviceAccountName": "support",
        "automountServiceAccountToken": False,
        "nodeSelector": {"kubernetes.io/hostname": "gpu-node-1"},
        "tolerations": [
            {"operator": "Exists"},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
        "imagePullSecrets": [{"name": "registry"}],
        "priority": -5,
    },
    "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z"}]},
}

DELETE_OPTIONS = {
    "apiVersion": "meta.k8s.io/v1",
    "kind": "DeleteOptions",
    "gracePeriodSeconds": 0,
    "preconditions": {"uid": "5f0c1a2b", "resourceVersion": "42"},
    "orphanDependents": False,
    "propagationPolicy": "Foreground",
    "dryRun": ["All"],
    "ignoreStoreReadErrorWithClusterBreakingPotential": True,
}

STATUS = {
    "apiVersion": "v1",
    "kind": "Status",
    "metadata": {},
    "status": "Failure",
    "message": 'secrets "s" already exists',
    "reason": "AlreadyExists",
    "details": {"name": "s", "kind": "secrets", "causes": [{"reason": "FieldValueDuplicate", "field": "metadata.name"}],
                "retryAfterSeconds": 3},
    "code": 409,
}

SECRET_LIST = {
    "apiVersion": "v1",
    "kind": "SecretList",
    "metadata": {"resourceVersion": "99", "continue": "token", "remainingItemCount": 0},
    "items": [{"metadata": {"name": "a"}, "type": "Opaque"}, {"metadata": {"name": "b"}, "data": {"x": "eQ=="}}],
}

ALL_OBJECTS = [SECRET, CONFIG_MAP, NAMESPACE, SERVICE_ACCOUNT, POD, DELETE_OPTIONS, STATUS, SECRET_LIST]


# ---- real client bodies ----

def test_decodes_kubectl_create_secret_body():
    obj = decode(KUBECTL_SECRET)
    assert obj == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                   "data": {"k": base64.b64encode(b"v").decode()}}


def test_decodes_kubectl_create_namespace_body():
    assert decode(KUBECTL_NAMESPACE) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nsx"}, "spec": {}, "status": {}}


def test_decodes_kubectl_create_serviceaccount_body():
    assert decode(KUBECTL_SERVICE_ACCOUNT) == {"apiVersion": "v1", "kind": "ServiceAccount",
                                               "metadata": {"name": "sa", "namespace": "default"}}


def test_decodes_kubectl_debug_node_pod_body():
    obj = decode(KUBECTL_DEBUG_NODE_POD)
    assert obj["metadata"] == {"name": "node-debugger-gpu-node-1-nw6kc", "labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}}
    assert obj["spec"] == {
        "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        "containers": [{"name": "debugger", "image": "busybox:1.36", "command": ["sleep", "3600"], "resources": {},
                        "volumeMounts": [{"name": "host-root", "mountPath": "/host"}], "securityContext": {"privileged": True},
                        "terminationMessagePolicy": "File"}],
        "restartPolicy": "Never",
        "nodeName": "gpu-node-1",
        "hostNetwork": True,
        "hostPID": True,
        "hostIPC": True,
        "tolerations": [{"operator": "Exists"}],
    }
    assert obj["status"] == {}


def test_reencoding_a_kubectl_body_decodes_to_the_same_object():
    for body in (KUBECTL_SECRET, KUBECTL_NAMESPACE, KUBECTL_SERVICE_ACCOUNT, KUBECTL_DEBUG_NODE_POD):
        assert decode(encode(decode(body))) == decode(body)


# ---- round trips ----

@pytest.mark.parametrize("obj", ALL_OBJECTS, ids=[o["kind"] for o in ALL_OBJECTS])
def test_round_trip(obj):
    body = encode(obj)
    assert body.startswith(b"k8s\x00")
    assert decode(body) == obj


def test_round_trip_does_not_modify_the_input():
    obj = copy.deepcopy(POD)
    encode(obj)
    assert obj == POD


def test_delete_options_accept_any_group_version():
    for api_version in ("v1", "meta.k8s.io/v1", "apps/v1"):
        obj = dict(DELETE_OPTIONS, apiVersion=api_version)
        assert decode(encode(obj)) == obj


@pytest.mark.parametrize("value", [1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 + 1, 2 ** 63 - 1, -1, -128, -(2 ** 31), -(2 ** 63)])
def test_int64_varint_edges(value):
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "n", "generation": value, "deletionGracePeriodSeconds": value}}
    assert decode(encode(obj)) == obj


@pytest.mark.parametrize("value", [1, 300, 2 ** 31 - 1, -1, -(2 ** 31)])
def test_int32_varint_edges(value):
    obj = {"apiVersion": "v1", "kind": "Status", "metadata": {}, "code": value}
    assert decode(encode(obj)) == obj


def test_negative_numbers_use_ten_byte_twos_complement():
    body = envelope("v1", "Secret", ld(1, vi(7, -1)))
    assert varint(-1) == b"\xff" * 9 + b"\x01"
    assert decode(body)["metadata"] == {"generation": -1}
    # and the encoder writes exactly that
    assert b"\x38" + b"\xff" * 9 + b"\x01" in encode({"apiVersion": "v1", "kind": "Secret", "metadata": {"generation": -1}})


def test_negative_int32_read_from_a_sign_extended_varint():
    body = envelope("v1", "Status", vi(6, -409))
    assert decode(body)["code"] == -409


def test_binary_secret_data_survives_as_base64():
    raw = bytes(range(256)) + b"\x00\x00"
    obj = {"apiVersion": "v1", "kind": "Secret", "data": {"b": base64.b64encode(raw).decode()}}
    body = encode(obj)
    assert raw in body
    assert base64.b64decode(decode(body)["data"]["b"]) == raw


def test_timestamps_are_rfc3339_with_second_precision():
    time_msg = vi(1, 1767323045) + vi(2, 999)   # 2026-01-02T03:04:05Z plus nanoseconds
    body = envelope("v1", "Secret", ld(1, ld(8, time_msg)))
    assert decode(body)["metadata"]["creationTimestamp"] == "2026-01-02T03:04:05Z"


def test_zero_timestamp_is_left_out():
    # Go sends metav1.Time{} as an empty message: the JSON form is null, so it is omitted
    body = envelope("v1", "Secret", ld(1, ld(1, "x") + ld(8, b"")))
    assert decode(body)["metadata"] == {"name": "x"}


def test_time_with_offset_and_fraction_encodes_to_utc_seconds():
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"creationTimestamp": "2026-01-02T05:04:05.5+02:00"}}
    assert decode(encode(obj))["metadata"]["creationTimestamp"] == "2026-01-02T03:04:05Z"


def test_zero_values_follow_go_omitempty():
    # present-but-zero non-pointer fields are dropped; pointer fields keep a zero value
    meta = ld(1, "n") + ld(2, "") + vi(7, 0) + vi(10, 0)
    body = envelope("v1", "Secret", ld(1, meta) + ld(3, "") + vi(5, 0))
    assert decode(body) == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "n", "deletionGracePeriodSeconds": 0},
                            "immutable": False}


def test_map_entry_without_value_is_an_empty_string():
    body = envelope("v1", "ConfigMap", ld(2, ld(1, "k")) + ld(3, ld(1, "b")))
    assert decode(body)["data"] == {"k": ""}
    assert decode(body)["binaryData"] == {"b": ""}


def test_fields_v1_is_parsed_json():
    entry = ld(1, "m") + ld(7, ld(1, b'{"f:spec":{"f:replicas":{}}}'))
    body = envelope("v1", "Secret", ld(1, ld(17, entry)))
    assert decode(body)["metadata"]["managedFields"] == [{"manager": "m", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]


def test_embedded_structs_are_inlined():
    volume = ld(1, "cfg") + ld(2, ld(19, ld(1, ld(1, "my-cm")) + vi(3, 420)))
    body = envelope("v1", "Pod", ld(2, ld(1, volume)))
    assert decode(body)["spec"]["volumes"] == [{"name": "cfg", "configMap": {"name": "my-cm", "defaultMode": 420}}]


def test_quantities_are_strings_and_numbers_are_accepted_when_encoding():
    obj = {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": 2, "memory": "1Gi"}}}]}}
    assert decode(encode(obj))["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "2", "memory": "1Gi"}}


def test_unknown_fields_of_every_wire_type_are_skipped():
    unknown = vi(90, 5) + tag(91, 1) + b"\x01" * 8 + ld(92, b"\x00\x01junk") + tag(93, 5) + b"\x02" * 4
    meta = ld(1, "s") + unknown + ld(3, "default")
    body = envelope("v1", "Secret", unknown + ld(1, meta) + ld(2, ld(1, "k") + ld(2, "v") + unknown) + ld(3, "Opaque") + unknown)
    assert decode(body) == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                            "data": {"k": "dg=="}, "type": "Opaque"}


def test_every_pod_spec_field_has_a_table():
    # PodSpec.securityContext (14) with runAsUser (2), Container.livenessProbe (10) with its inlined handler (1) and
    # exec (1): every field of the Go types has a table; an unknown number beside them is still skipped
    container = ld(1, "c") + ld(10, ld(1, ld(1, ld(1, "hi")))) + vi(95, 1)
    body = envelope("v1", "Pod", ld(2, ld(2, container) + ld(14, vi(2, 1000))))
    assert decode(body)["spec"] == {"containers": [{"name": "c", "livenessProbe": {"exec": {"command": ["hi"]}}}],
                                    "securityContext": {"runAsUser": 1000}}


def test_workload_kinds_round_trip():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
                  "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                           "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": POD["spec"]}},
                  "status": {"conditions": [{"type": "Available", "status": "True",
                                             "lastUpdateTime": "2026-01-02T03:04:05Z"}]}}
    assert decode(encode(deployment)) == deployment
    cronjob = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
               "spec": {"schedule": "*/5 * * * *", "suspend": False, "concurrencyPolicy": "Forbid",
                        "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": {
                            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}
    assert decode(encode(cronjob)) == cronjob


def test_micro_time_int_or_string_and_list_map_values():
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"holderIdentity": "me", "renewTime": "2026-01-02T03:04:05.123456Z", "leaseDurationSeconds": 15}}
    assert decode(encode(lease)) == lease
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "metadata": {},
              "spec": {"user": "u", "extra": {"scopes": ["a", "b"], "none": []},
                       "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    assert decode(encode(review)) == review
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}}
    assert decode(encode(service)) == service


def test_packed_repeated_varints_are_read():
    # Go writes proto2 repeated scalars unpacked; a packed run must be read all the same
    packed = ld(4, varint(1) + varint(2) + varint(300))
    body = envelope("v1", "Pod", ld(2, ld(14, packed + vi(4, 7))))
    assert decode(body)["spec"]["securityContext"] == {"supplementalGroups": [1, 2, 300, 7]}


def test_strict_encoding_refuses_keys_without_a_field():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"a": "b"}}, "data": {}}
    assert decode(encode(obj, strict=True)) == {"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "x", "labels": {"a": "b"}}}
    with pytest.raises(ProtobufError, match="no protobuf field for shiny"):
        encode(dict(obj, metadata={"name": "x", "shiny": 1}), strict=True)
    with pytest.raises(ProtobufError, match=r"ConfigMap.volumes\[0\]|no protobuf field for volumes"):
        encode(dict(obj, volumes=[{}]), strict=True)


def test_encode_drops_keys_it_does_not_know():
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "unknownTopLevel": {"a": 1}}
    assert decode(encode(obj)) == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}


def test_supported_kinds():
    assert {"Secret", "ConfigMap", "Namespace", "ServiceAccount", "Pod", "DeleteOptions", "Deployment", "Job",
            "CronJob", "TokenRequest", "ClusterRoleBinding", "CertificateSigningRequest", "EndpointSlice",
            "StorageClass", "PersistentVolume", "ReplicationController", "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration", "PodList", "DeploymentList"} <= set(protobuf.supported_kinds())
    assert protobuf.supports("v1", "Secret")
    assert protobuf.supports("meta.k8s.io/v1", "DeleteOptions")
    assert protobuf.supports("apps/v1", "Deployment")
    assert protobuf.supports("events.k8s.io/v1", "Event") and protobuf.supports("v1", "Event")
    assert not protobuf.supports("apps/v1", "Secret")
    assert not protobuf.supports("example.com/v1", "Widget")
    assert not protobuf.supports("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    assert protobuf.PROTOBUF == "application/vnd.kubernetes.protobuf"


# ---- malformed input ----

def _error(body):
    with pytest.raises(ProtobufError) as info:
        decode(body)
    return str(info.value)


def test_bad_magic():
    assert "magic" in _error(b'{"apiVersion": "v1"}')
    assert "magic" in _error(b"")
    assert "magic" in _error(b"k8s")
    assert isinstance(ProtobufError("x"), ValueError)


def test_not_bytes():
    with pytest.raises(ProtobufError, match="must be bytes"):
        decode("k8s\x00")


def test_truncated_varint():
    # metadata.generation = 300 is 0xac 0x02 on the wire; the message ends after 0xac
    message = _error(b"k8s\x00" + ld(1, ld(1, "v1") + ld(2, "Secret")) + ld(2, ld(1, tag(7, 0) + b"\xac")))
    assert "truncated varint (Secret.metadata field 7)" in message
    assert "truncated varint" in _error(b"k8s\x00\x0a\x80")


def test_truncated_length():
    body = envelope("v1", "Secret", ld(1, ld(1, "name")))
    assert "truncated" in _error(body[:-12])
    message = _error(b"k8s\x00" + ld(1, ld(1, "v1") + ld(2, "Secret")) + ld(2, tag(1, 2) + varint(50) + b"abc"))
    assert "truncated Secret field 1" in message and "length 50" in message


def test_varint_longer_than_ten_bytes():
    assert "longer than 10 bytes" in _error(b"k8s\x00" + ld(1, ld(1, "v1") + ld(2, "Secret")) + ld(2, ld(1, tag(7, 0) + b"\xff" * 11 + b"\x01")))


def test_wrong_wire_type():
    message = _error(envelope("v1", "Secret", ld(1, vi(1, 5))))
    assert "Secret.metadata.name" in message and "wire type 0" in message and "expected 2" in message
    message = _error(envelope("v1", "Secret", ld(5, b"")))
    assert "Secret.immutable" in message and "expected 0" in message
    assert "Unknown field 2" in _error(b"k8s\x00" + ld(1, ld(1, "v1") + ld(2, "Secret")) + vi(2, 1))


def test_group_wire_types_are_rejected():
    assert "unsupported wire type 3" in _error(envelope("v1", "Secret", tag(60, 3)))


def test_unknown_kind():
    with pytest.raises(ProtobufError) as info:
        decode(envelope("example.com/v1", "Widget", b""))
    assert "unknown kind 'Widget'" in str(info.value) and "apps/v1" in str(info.value)
    assert info.value.unsupported


def test_known_kind_in_the_wrong_group_version():
    assert "unknown apiVersion 'apps/v1' for kind 'Secret'" in _error(envelope("apps/v1", "Secret", b""))


def test_missing_kind():
    assert "names no kind" in _error(b"k8s\x00" + ld(2, b""))


def test_invalid_utf8_string():
    assert "not valid UTF-8" in _error(envelope("v1", "Secret", ld(1, ld(1, b"\xff\xfe"))))


def test_fields_v1_that_is_not_json():
    entry = ld(7, ld(1, b"{not json"))
    assert "does not hold JSON" in _error(envelope("v1", "Secret", ld(1, ld(17, entry))))


def test_compressed_envelope_is_rejected():
    body = b"k8s\x00" + ld(1, ld(1, "v1") + ld(2, "Secret")) + ld(2, b"") + ld(3, "gzip")
    assert "contentEncoding" in _error(body)


# ---- encoder errors ----

@pytest.mark.parametrize("obj, text", [
    ({"apiVersion": "example.com/v1", "kind": "Widget"}, "unknown kind"),
    ({"apiVersion": "v1"}, "names no kind"),
    ({"apiVersion": "v1", "kind": "Secret", "data": ["x"]}, "Secret.data: expected an object"),
    ({"apiVersion": "v1", "kind": "Secret", "data": {"k": "not base64!"}}, "not valid base64"),
    ({"apiVersion": "v1", "kind": "Secret", "immutable": "yes"}, "Secret.immutable: expected true or false"),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"generation": 2 ** 63}}, "does not fit in int64"),
    ({"apiVersion": "v1", "kind": "Status", "code": 2 ** 31}, "does not fit in int32"),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"finalizers": "a"}}, "expected a list"),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"creationTimestamp": "yesterday"}}, "not an RFC 3339 timestamp"),
    ({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": 5}}, "Secret.metadata.name: expected a string"),
])
def test_encode_errors(obj, text):
    with pytest.raises(ProtobufError) as info:
        encode(obj)
    assert text in str(info.value)


def test_every_served_builtin_kind_has_tables():
    # a kind added to schema._BUILTINS needs its root in protobuf_tablegen.ROOTS (and the tables regenerated);
    # CustomResourceDefinitions are not in k8s.io/api and travel as JSON
    from sim.kube.schema import BUILTIN_TYPES  # pylint: disable=import-outside-toplevel
    for rt in BUILTIN_TYPES:
        if rt.kind == "CustomResourceDefinition":
            continue
        assert protobuf.supports(rt.group_version, rt.kind), rt
        if "list" in rt.verbs:
            assert protobuf.supports(rt.group_version, rt.kind + "List"), rt
