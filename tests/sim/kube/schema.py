# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource registry, discovery documents and OpenAPI v3 documents of the Kubernetes API emulator.

One ``Registry`` per virtual cluster. The built-in resource types, their discovery documents and their OpenAPI
documents are built once per process and shared by every registry (they are treated as read-only: callers
serialise them and must not mutate what they get back); a registry only holds its own CustomResourceDefinitions
and the documents that depend on them.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import hashlib
import json
import re

from sim.kube import openapi_v2
from sim.kube.schema_types import KINDS, PACKAGES, TYPES

DISCOVERY_V2_MEDIA_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
DISCOVERY_V2BETA1_MEDIA_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

FULL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
CREATE_ONLY = ("create",)

META = PACKAGES["meta"] + "."
OBJECT_META = META + "ObjectMeta"


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """One served resource of one group version."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple = FULL_VERBS
    short_names: tuple = ()
    categories: tuple = ()
    subresources: tuple = ()
    schema_name: str = ""      # key of the kind's schema in the OpenAPI components
    crd: str = ""              # name of the CustomResourceDefinition that defines it ("" for built-ins)
    scale_paths: tuple = ()    # CRD scale subresource: (specReplicasPath, statusReplicasPath, labelSelectorPath)

    @property
    def group_version(self) -> str:
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    def storage_version_hash(self) -> str:
        digest = hashlib.sha256(("%s/%s/%s" % (self.group, self.version, self.kind)).encode()).digest()
        return base64.b64encode(digest[:8]).decode()


# subresource -> (response group, version, kind or "" for the parent kind or "{}" to format with it, verbs)
SUBRESOURCES = {
    "status": (None, None, "", ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "exec": ("", "v1", "PodExecOptions", ("create", "get")),
    "attach": ("", "v1", "PodAttachOptions", ("create", "get")),
    "portforward": ("", "v1", "PodPortForwardOptions", ("create", "get")),
    "log": (None, None, "", ("get",)),
    "binding": ("", "v1", "Binding", ("create",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "ephemeralcontainers": (None, None, "", ("get", "patch", "update")),
    "resize": (None, None, "", ("get", "patch", "update")),
    "proxy": ("", "v1", "{}ProxyOptions", ("create", "delete", "get", "patch", "update")),
    "token": ("authentication.k8s.io", "v1", "TokenRequest", ("create",)),
    "finalize": (None, None, "", ("update",)),
    "approval": (None, None, "", ("get", "patch", "update")),
}

_POD_SUBS = ("attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize",
             "status")

# group, version, package, kind, plural, namespaced, verbs, shortNames, categories, subresources
_BUILTINS = (
    ("", "v1", "core", "Namespace", "namespaces", False, NO_COLLECTION_VERBS, ("ns",), (), ("finalize", "status")),
    ("", "v1", "core", "Pod", "pods", True, FULL_VERBS, ("po",), ("all",), _POD_SUBS),
    ("", "v1", "core", "Secret", "secrets", True, FULL_VERBS, (), (), ()),
    ("", "v1", "core", "ConfigMap", "configmaps", True, FULL_VERBS, ("cm",), (), ()),
    ("", "v1", "core", "ServiceAccount", "serviceaccounts", True, FULL_VERBS, ("sa",), (), ("token",)),
    ("", "v1", "core", "Node", "nodes", False, FULL_VERBS, ("no",), (), ("proxy", "status")),
    ("", "v1", "core", "Event", "events", True, FULL_VERBS, ("ev",), (), ()),
    ("", "v1", "core", "Service", "services", True, FULL_VERBS, ("svc",), ("all",), ("proxy", "status")),
    ("", "v1", "core", "Endpoints", "endpoints", True, FULL_VERBS, ("ep",), (), ()),
    ("", "v1", "core", "PersistentVolumeClaim", "persistentvolumeclaims", True, FULL_VERBS, ("pvc",), (), ("status",)),
    ("", "v1", "core", "PersistentVolume", "persistentvolumes", False, FULL_VERBS, ("pv",), (), ("status",)),
    ("", "v1", "core", "ReplicationController", "replicationcontrollers", True, FULL_VERBS, ("rc",), ("all",),
     ("scale", "status")),
    ("apps", "v1", "apps", "Deployment", "deployments", True, FULL_VERBS, ("deploy",), ("all",), ("scale", "status")),
    ("apps", "v1", "apps", "DaemonSet", "daemonsets", True, FULL_VERBS, ("ds",), ("all",), ("status",)),
    ("apps", "v1", "apps", "ReplicaSet", "replicasets", True, FULL_VERBS, ("rs",), ("all",), ("scale", "status")),
    ("apps", "v1", "apps", "StatefulSet", "statefulsets", True, FULL_VERBS, ("sts",), ("all",), ("scale", "status")),
    ("batch", "v1", "batch", "Job", "jobs", True, FULL_VERBS, (), ("all",), ("status",)),
    ("batch", "v1", "batch", "CronJob", "cronjobs", True, FULL_VERBS, ("cj",), ("all",), ("status",)),
    ("rbac.authorization.k8s.io", "v1", "rbac", "Role", "roles", True, FULL_VERBS, (), (), ()),
    ("rbac.authorization.k8s.io", "v1", "rbac", "RoleBinding", "rolebindings", True, FULL_VERBS, (), (), ()),
    ("rbac.authorization.k8s.io", "v1", "rbac", "ClusterRole", "clusterroles", False, FULL_VERBS, (), (), ()),
    ("rbac.authorization.k8s.io", "v1", "rbac", "ClusterRoleBinding", "clusterrolebindings", False, FULL_VERBS, (),
     (), ()),
    ("authorization.k8s.io", "v1", "authz", "SubjectAccessReview", "subjectaccessreviews", False, CREATE_ONLY, (), (),
     ()),
    ("authorization.k8s.io", "v1", "authz", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, CREATE_ONLY,
     (), (), ()),
    ("authorization.k8s.io", "v1", "authz", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, CREATE_ONLY,
     (), (), ()),
    ("authorization.k8s.io", "v1", "authz", "LocalSubjectAccessReview", "localsubjectaccessreviews", True,
     CREATE_ONLY, (), (), ()),
    ("authentication.k8s.io", "v1", "authn", "SelfSubjectReview", "selfsubjectreviews", False, CREATE_ONLY, (), (),
     ()),
    ("authentication.k8s.io", "v1", "authn", "TokenReview", "tokenreviews", False, CREATE_ONLY, (), (), ()),
    ("flowcontrol.apiserver.k8s.io", "v1", "fc", "FlowSchema", "flowschemas", False, FULL_VERBS, (), (), ("status",)),
    ("flowcontrol.apiserver.k8s.io", "v1", "fc", "PriorityLevelConfiguration", "prioritylevelconfigurations", False,
     FULL_VERBS, (), (), ("status",)),
    ("apiextensions.k8s.io", "v1", "apiext", "CustomResourceDefinition", "customresourcedefinitions", False,
     FULL_VERBS, ("crd", "crds"), ("api-extensions",), ("status",)),
    ("coordination.k8s.io", "v1", "coord", "Lease", "leases", True, FULL_VERBS, (), (), ()),
    ("events.k8s.io", "v1", "events", "Event", "events", True, FULL_VERBS, ("ev",), (), ()),
    ("policy", "v1", "policy", "PodDisruptionBudget", "poddisruptionbudgets", True, FULL_VERBS, ("pdb",), (),
     ("status",)),
    ("storage.k8s.io", "v1", "storage", "StorageClass", "storageclasses", False, FULL_VERBS, ("sc",), (), ()),
    ("certificates.k8s.io", "v1", "certs", "CertificateSigningRequest", "certificatesigningrequests", False,
     FULL_VERBS, ("csr",), (), ("approval", "status")),
    ("admissionregistration.k8s.io", "v1", "admreg", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
     False, FULL_VERBS, (), ("api-extensions",), ()),
    ("admissionregistration.k8s.io", "v1", "admreg", "ValidatingWebhookConfiguration",
     "validatingwebhookconfigurations", False, FULL_VERBS, (), ("api-extensions",), ()),
    ("discovery.k8s.io", "v1", "discovery", "EndpointSlice", "endpointslices", True, FULL_VERBS, (), (), ()),
)

BUILTIN_TYPES = tuple(
    ResourceType(group=g, version=v, kind=k, plural=p, singular=k.lower(), namespaced=ns, verbs=verbs,
                 short_names=short, categories=cats, subresources=subs, schema_name=PACKAGES[pkg] + "." + k)
    for g, v, pkg, k, p, ns, verbs, short, cats, subs in _BUILTINS)

# kube-apiserver lists the groups in this order (by group priority), custom groups follow sorted by name
_GROUP_ORDER = ("", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "batch",
                "certificates.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
                "admissionregistration.k8s.io", "apiextensions.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
                "flowcontrol.apiserver.k8s.io")

_BUILTIN_BY_PATH = {(r.group, r.version, r.plural): r for r in BUILTIN_TYPES}
_BUILTIN_BY_KIND = {(r.group_version, r.kind): r for r in BUILTIN_TYPES}
BUILTIN_GROUPS = frozenset(r.group for r in BUILTIN_TYPES)


def _version_key(version):
    """Sort key of kube-aware version priority: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0, version)
    major = int(m.group(1))
    if not m.group(2):
        return (0, -major, 0, "")
    return (1 if m.group(2) == "beta" else 2, -major, -int(m.group(3)), "")


def sort_versions(versions):
    return sorted(versions, key=_version_key)


# ---------------------------------------------------------------------------------------------------------------
# OpenAPI component schemas from the tables in schema_types

_SCALARS = {
    "s": {"type": "string"},
    "i": {"type": "integer", "format": "int32"},
    "i64": {"type": "integer", "format": "int64"},
    "b": {"type": "boolean"},
    "n": {"type": "number", "format": "double"},
    "bytes": {"type": "string", "format": "byte"},
    "o": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
}
_SPECIAL_REFS = {
    "t": (META + "Time", {"type": "string", "format": "date-time",
                          "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML "
                                         "and JSON."}),
    "ios": ("io.k8s.apimachinery.pkg.util.intstr.IntOrString",
            {"type": "string", "format": "int-or-string",
             "description": "IntOrString is a type that can hold an int32 or a string."}),
    "q": ("io.k8s.apimachinery.pkg.api.resource.Quantity",
          {"type": "string", "description": "Quantity is a fixed-point representation of a number."}),
}
_EXTRA_META = {
    META + "Patch": {"type": "object", "description": "Patch is provided to give a concrete name and type to the "
                                                      "Kubernetes PATCH request body."},
}


def _resolve_type(pkg, name):
    """Full OpenAPI name of a referenced type, looked up in pkg, then meta, then core."""
    if "." in name:
        pkg, name = name.split(".", 1)
        return PACKAGES[pkg] + "." + name, pkg, name
    for candidate in (pkg, "meta", "core"):
        if name in TYPES.get(candidate, {}) or name in KINDS.get(candidate, {}):
            return PACKAGES[candidate] + "." + name, candidate, name
    raise KeyError("unknown type %s in %s" % (name, pkg))


def _ref(full):
    return "#/components/schemas/" + full


def _field(pkg, spec, refs):
    """OpenAPI schema of one field spec; the names of referenced components are added to refs."""
    opts = spec.split(";")
    base = opts[0]
    retain_struct = base.endswith("!r")
    if retain_struct:
        base = base[:-2]
    if base.startswith("[]"):
        item = _field(pkg, base[2:], refs)
        out = {"type": "array", "items": item}
        strategy = None
        for opt in opts[1:]:
            if opt.startswith("map="):
                keys = opt[4:].split(",")
                out["x-kubernetes-list-type"] = "map"
                out["x-kubernetes-list-map-keys"] = keys
                out["x-kubernetes-patch-merge-key"] = keys[0]
                strategy = "merge"
            elif opt == "set":
                out["x-kubernetes-list-type"] = "set"
                strategy = "merge"
            elif opt == "retain":
                strategy = "merge,retainKeys"
        if strategy:
            out["x-kubernetes-patch-strategy"] = strategy
        else:
            out["x-kubernetes-list-type"] = "atomic"
        return out
    if base.startswith("{"):
        return {"type": "object", "additionalProperties": _field(pkg, base[1:-1], refs)}
    if base in _SCALARS:
        return dict(_SCALARS[base])
    if base in _SPECIAL_REFS:
        full = _SPECIAL_REFS[base][0]
        refs.add(full)
        return {"allOf": [{"$ref": _ref(full)}]}
    full = _resolve_type(pkg, base)[0]
    refs.add(full)
    out = {"allOf": [{"$ref": _ref(full)}], "default": {}}
    if retain_struct:
        out["x-kubernetes-patch-strategy"] = "retainKeys"
    return out


def _object_schema(pkg, fields, description, refs):
    props = {}
    required = []
    for name, spec in fields.items():
        if name.startswith("@"):
            continue
        if name.endswith("+"):
            name = name[:-1]
            required.append(name)
        props[name] = _field(pkg, spec, refs)
    out = {"type": "object", "properties": props}
    if description:
        out["description"] = description
    if required:
        out["required"] = required
    if fields.get("@map"):
        out["x-kubernetes-map-type"] = fields["@map"]
    return out


def _kind_fields(fields):
    out = {"apiVersion": "s", "kind": "s", "metadata": "meta.ObjectMeta"}
    out.update(fields)
    return out


@functools.lru_cache(maxsize=None)
def _component(full):
    """(schema, frozenset of referenced component names) of one built-in component."""
    refs = set()
    for special, schema in _SPECIAL_REFS.values():
        if full == special:
            return schema, frozenset()
    if full in _EXTRA_META:
        return _EXTRA_META[full], frozenset()
    for pkg, prefix in PACKAGES.items():
        if not full.startswith(prefix + "."):
            continue
        name = full[len(prefix) + 1:]
        if "." in name:
            continue
        if name in KINDS.get(pkg, {}):
            description, fields = KINDS[pkg][name]
            schema = _object_schema(pkg, _kind_fields(fields), description, refs)
            gv = _KIND_GVK.get(full)
            if gv:
                schema["x-kubernetes-group-version-kind"] = [gv]
            return schema, frozenset(refs)
        if name.endswith("List") and name[:-4] in KINDS.get(pkg, {}):
            kind = name[:-4]
            schema = _object_schema(pkg, {"apiVersion": "s", "kind": "s", "metadata": "meta.ListMeta",
                                          "items+": "[]" + kind},
                                    "%sList is a list of %s objects." % (kind, kind), refs)
            schema["properties"]["items"].pop("x-kubernetes-list-type", None)
            gv = _KIND_GVK.get(prefix + "." + kind)
            if gv:
                schema["x-kubernetes-group-version-kind"] = [dict(gv, kind=name)]
            return schema, frozenset(refs)
        if name in TYPES.get(pkg, {}):
            fields = TYPES[pkg][name]
            return _object_schema(pkg, fields, fields.get("@", ""), refs), frozenset(refs)
    raise KeyError(full)


_KIND_GVK = {r.schema_name: {"group": r.group, "kind": r.kind, "version": r.version} for r in BUILTIN_TYPES}
_KIND_GVK[PACKAGES["autoscaling"] + ".Scale"] = {"group": "autoscaling", "kind": "Scale", "version": "v1"}
_KIND_GVK[META + "DeleteOptions"] = {"group": "", "kind": "DeleteOptions", "version": "v1"}
_KIND_GVK[META + "Status"] = {"group": "", "kind": "Status", "version": "v1"}
_KIND_GVK[META + "WatchEvent"] = {"group": "", "kind": "WatchEvent", "version": "v1"}


def _closure(names):
    """Every component reachable from names, as {name: schema}."""
    out = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        schema, refs = _component(name)
        if name in (META + "DeleteOptions", META + "Status", META + "WatchEvent"):
            schema = dict(schema, **{"x-kubernetes-group-version-kind": [_KIND_GVK[name]]})
        out[name] = schema
        todo.extend(refs)
    return dict(sorted(out.items()))


def builtin_component(full):
    """The OpenAPI component schema of a built-in type (read-only)."""
    return _component(full)[0]


def builtin_components():
    """All components reachable from the built-in kinds (read-only), for schema navigation."""
    return _all_builtin_components()


@functools.lru_cache(maxsize=1)
def _all_builtin_components():
    return _closure([r.schema_name for r in BUILTIN_TYPES] + [PACKAGES["autoscaling"] + ".Scale"])


# ---------------------------------------------------------------------------------------------------------------
# OpenAPI paths

def _param(name, where, schema, description, required=False):
    out = {"name": name, "in": where, "description": description, "schema": schema}
    if required:
        out["required"] = True
    return out


_STR = {"type": "string", "uniqueItems": True}
_BOOL = {"type": "boolean", "uniqueItems": True}
_INT = {"type": "integer", "uniqueItems": True}

P_PRETTY = _param("pretty", "query", _STR, "If 'true', then the output is pretty printed. Defaults to 'false' unless "
                                           "the user-agent indicates a browser or command-line HTTP tool (curl and wget).")
P_NAMESPACE = _param("namespace", "path", _STR, "object name and auth scope, such as for teams and projects", True)
P_DRY_RUN = _param("dryRun", "query", _STR, "When present, indicates that modifications should not be persisted. An "
                                            "invalid or unrecognized dryRun directive will result in an error response "
                                            "and no further processing of the request. Valid values are: - All: all "
                                            "dry run stages will be processed")
P_FIELD_MANAGER = _param("fieldManager", "query", _STR, "fieldManager is a name associated with the actor or entity "
                                                        "that is making these changes.")
P_FIELD_VALIDATION = _param("fieldValidation", "query", _STR,
                            "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/"
                            "PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict")
P_FORCE = _param("force", "query", _BOOL, "Force is going to \"force\" Apply requests. It means user will re-acquire "
                                          "conflicting fields owned by other people. Force flag must be unset for "
                                          "non-apply patch requests.")
_LIST_PARAMS = [
    _param("allowWatchBookmarks", "query", _BOOL, "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
    _param("continue", "query", _STR, "The continue option should be set when retrieving more results from the server."),
    _param("fieldSelector", "query", _STR, "A selector to restrict the list of returned objects by their fields."),
    _param("labelSelector", "query", _STR, "A selector to restrict the list of returned objects by their labels."),
    _param("limit", "query", _INT, "limit is a maximum number of responses to return for a list call."),
    _param("resourceVersion", "query", _STR, "resourceVersion sets a constraint on what resource versions a request "
                                             "may be served from."),
    _param("resourceVersionMatch", "query", _STR, "resourceVersionMatch determines how resourceVersion is applied to "
                                                  "list calls."),
    _param("sendInitialEvents", "query", _BOOL, "`sendInitialEvents=true` may be set together with `watch=true`."),
    _param("timeoutSeconds", "query", _INT, "Timeout for the list/watch call."),
    _param("watch", "query", _BOOL, "Watch for changes to the described resources and return them as a stream of add, "
                                    "update, and remove notifications."),
]
_DELETE_PARAMS = [
    P_DRY_RUN,
    _param("gracePeriodSeconds", "query", _INT, "The duration in seconds before the object should be deleted."),
    _param("ignoreStoreReadErrorWithClusterBreakingPotential", "query", _BOOL,
           "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow "
           "fails with a corrupt object error."),
    _param("orphanDependents", "query", _BOOL, "Deprecated: please use the PropagationPolicy."),
    _param("propagationPolicy", "query", _STR, "Whether and how garbage collection will be performed."),
]
_WRITE_PARAMS = [P_DRY_RUN, P_FIELD_MANAGER, P_FIELD_VALIDATION]

_RESPONSE_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
                   "application/cbor")
_PATCH_TYPES = ("application/apply-patch+yaml", "application/apply-patch+cbor", "application/json-patch+json",
                "application/merge-patch+json", "application/strategic-merge-patch+json")


def _content(schema_name, types=_RESPONSE_TYPES):
    return {t: {"schema": {"$ref": _ref(schema_name)}} for t in types}


def _responses(schema_name, codes):
    out = {}
    for code in codes:
        text = {"200": "OK", "201": "Created", "202": "Accepted"}[code]
        out[code] = {"description": text, "content": _content(schema_name)} if schema_name else {"description": text}
    out["401"] = {"description": "Unauthorized"}
    return out


def _op_id_prefix(group, version):
    if not group:
        name = "Core"
    else:
        parts = group.replace(".k8s.io", "").split(".")
        name = parts[0][:1].upper() + parts[0][1:] + "".join(p[:1].upper() + p[1:] for p in parts[1:])
    return name + version[:1].upper() + version[1:]


def _tag(group, version):
    if not group:
        return "core_" + version
    parts = group.replace(".k8s.io", "").split(".")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) + "_" + version


def _operation(action, op_id, tag, gvk, params, responses, request=None):
    op = {"tags": [tag], "description": "%s %s" % (action, gvk["kind"]), "operationId": op_id}
    if params:
        op["parameters"] = params
    if request is not None:
        op["requestBody"] = request
    op["responses"] = responses
    op["x-kubernetes-action"] = action
    op["x-kubernetes-group-version-kind"] = gvk
    return op


def _resource_paths(r, strategic=True):
    """OpenAPI paths of one resource and its subresources."""
    prefix = "/api/%s" % r.version if not r.group else "/apis/%s/%s" % (r.group, r.version)
    idp = _op_id_prefix(r.group, r.version)
    tag = _tag(r.group, r.version)
    gvk = {"group": r.group, "kind": r.kind, "version": r.version}
    scope = "Namespaced" if r.namespaced else ""
    base = prefix + ("/namespaces/{namespace}/" if r.namespaced else "/") + r.plural
    scope_params = [P_NAMESPACE] if r.namespaced else []
    name_param = _param("name", "path", _STR, "name of the %s" % r.kind, True)
    schema = r.schema_name
    list_schema = schema + "List"
    patch_types = _PATCH_TYPES if strategic else tuple(t for t in _PATCH_TYPES if "strategic" not in t)
    paths = {}

    coll = {"parameters": scope_params + [P_PRETTY]}
    verbs = set(r.verbs)
    if "list" in verbs:
        coll["get"] = _operation("list", "list%s%s%s" % (idp, scope, r.kind), tag, gvk, list(_LIST_PARAMS),
                                 _responses(list_schema, ("200",)))
    if "create" in verbs:
        coll["post"] = _operation("post", "create%s%s%s" % (idp, scope, r.kind), tag, gvk, list(_WRITE_PARAMS),
                                  _responses(schema, ("200", "201", "202")),
                                  {"content": {"*/*": {"schema": {"$ref": _ref(schema)}}}, "required": True})
    if "deletecollection" in verbs:
        coll["delete"] = _operation("deletecollection", "delete%sCollection%s%s" % (idp, scope, r.kind), tag, gvk,
                                    [_LIST_PARAMS[1]] + _DELETE_PARAMS + _LIST_PARAMS[2:9],
                                    _responses(META + "Status", ("200",)),
                                    {"content": {"*/*": {"schema": {"$ref": _ref(META + "DeleteOptions")}}}})
    paths[base] = coll

    if r.namespaced and "list" in verbs:
        paths["%s/%s" % (prefix, r.plural)] = {
            "parameters": [P_PRETTY] + _LIST_PARAMS,
            "get": _operation("list", "list%s%sForAllNamespaces" % (idp, r.kind), tag, gvk, None,
                              _responses(list_schema, ("200",)))}

    item = {"parameters": [name_param] + scope_params + [P_PRETTY]}
    if "get" in verbs:
        item["get"] = _operation("get", "read%s%s%s" % (idp, scope, r.kind), tag, gvk, None,
                                 _responses(schema, ("200",)))
    if "update" in verbs:
        item["put"] = _operation("put", "replace%s%s%s" % (idp, scope, r.kind), tag, gvk, list(_WRITE_PARAMS),
                                 _responses(schema, ("200", "201")),
                                 {"content": {"*/*": {"schema": {"$ref": _ref(schema)}}}, "required": True})
    if "delete" in verbs:
        item["delete"] = _operation("delete", "delete%s%s%s" % (idp, scope, r.kind), tag, gvk, list(_DELETE_PARAMS),
                                    _responses(META + "Status", ("200", "202")),
                                    {"content": {"*/*": {"schema": {"$ref": _ref(META + "DeleteOptions")}}}})
    if "patch" in verbs:
        item["patch"] = _patch_op("patch%s%s%s" % (idp, scope, r.kind), tag, gvk, schema, patch_types)
    if len(item) > 1:
        paths[base + "/{name}"] = item

    for sub in r.subresources:
        paths[base + "/{name}/" + sub] = _subresource_path(r, sub, idp, tag, scope, scope_params, name_param,
                                                           patch_types)
    return paths


def _patch_op(op_id, tag, gvk, schema, patch_types):
    return _operation("patch", op_id, tag, gvk, list(_WRITE_PARAMS) + [P_FORCE], _responses(schema, ("200", "201")),
                      {"content": {t: {"schema": {"$ref": _ref(META + "Patch")}} for t in patch_types},
                       "required": True})


def _subresource_path(r, sub, idp, tag, scope, scope_params, name_param, patch_types):
    grp, ver, kind, verbs = SUBRESOURCES[sub]
    if kind == "":
        gvk = {"group": r.group, "kind": r.kind, "version": r.version}
        schema = r.schema_name
    else:
        kind = kind.format(r.kind)
        gvk = {"group": grp, "kind": kind, "version": ver}
        schema = PACKAGES["autoscaling"] + ".Scale" if sub == "scale" else ""
    suffix = "".join(p[:1].upper() + p[1:] for p in sub.split("/"))
    suffix = {"ephemeralcontainers": "EphemeralContainers", "portforward": "Portforward"}.get(sub, suffix)
    name = "%s%s%s%s" % (idp, scope, r.kind, suffix)
    out = {"parameters": [name_param] + scope_params + ([P_PRETTY] if schema else [])}
    if sub in ("exec", "attach", "portforward", "proxy"):
        methods = {"get": "get", "post": "create", "put": "update", "patch": "patch", "delete": "delete"}
        for method, verb in methods.items():
            if verb in verbs:
                out[method] = _operation("connect", "connect%s%s%s" % (idp, method.capitalize(), name[len(idp):]),
                                         tag, gvk, None, {"200": {"description": "OK"}, "401": {
                                             "description": "Unauthorized"}})
        return out
    if "get" in verbs:
        out["get"] = _operation("get", "read" + name, tag, gvk, None, _responses(schema, ("200",)))
    if "create" in verbs:
        out["post"] = _operation("post", "create" + name, tag, gvk, list(_WRITE_PARAMS),
                                 _responses(schema or r.schema_name, ("200", "201", "202")),
                                 {"content": {"*/*": {"schema": {"type": "object"}}}, "required": True})
    if "update" in verbs:
        out["put"] = _operation("put", "replace" + name, tag, gvk, list(_WRITE_PARAMS),
                                _responses(schema, ("200", "201")),
                                {"content": {"*/*": {"schema": {"$ref": _ref(schema)}}}, "required": True})
    if "patch" in verbs:
        out["patch"] = _patch_op("patch" + name, tag, gvk, schema, patch_types)
    return out


def _document(title_version, paths, schemas):
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": title_version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"BearerToken": {"type": "apiKey", "description": "Bearer Token authentication",
                                                "name": "authorization", "in": "header"}},
        },
        "security": [{"BearerToken": []}],
    }


def _hash(doc):
    return hashlib.sha512(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest().upper()


def _gv_path(group, version):
    return "api/%s" % version if not group else "apis/%s/%s" % (group, version)


@functools.lru_cache(maxsize=None)
def _builtin_gv_document(group, version, kube_version):
    resources = [r for r in BUILTIN_TYPES if r.group == group and r.version == version]
    paths = {}
    names = [META + "DeleteOptions", META + "Status", META + "Patch", META + "WatchEvent"]
    for r in resources:
        paths.update(_resource_paths(r))
        names.append(r.schema_name)
        if "list" in r.verbs:
            names.append(r.schema_name + "List")
        if "scale" in r.subresources:
            names.append(PACKAGES["autoscaling"] + ".Scale")
    doc = _document(kube_version, dict(sorted(paths.items())), _closure(names))
    return doc, _hash(doc)


def _discovery_doc(name, kube_version, response, op_id):
    doc = _document(kube_version, {"/" + name + "/": {"get": {
        "tags": [name.split("/")[-1]], "description": "get available resources", "operationId": op_id,
        "responses": {"200": {"description": "OK", "content": {
            "application/json": {"schema": {"type": "object", "description": response}}}},
            "401": {"description": "Unauthorized"}}}}}, {})
    return doc


# ---------------------------------------------------------------------------------------------------------------
# CustomResourceDefinitions

def _reverse_group(group):
    return ".".join(reversed(group.split(".")))


def _crd_types(crd):
    """[(ResourceType, openAPIV3Schema or None)] of the served versions of a CRD."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group = spec.get("group", "")
    kind = names.get("kind", "")
    plural = names.get("plural", "")
    if not (group and kind and plural):
        return []
    out = []
    for ver in spec.get("versions") or []:
        if not ver.get("served", True):
            continue
        subs = (ver.get("subresources") or {})
        sub_names = tuple(s for s in ("scale", "status") if s in subs)
        scale = subs.get("scale") or {}
        scale_paths = (scale.get("specReplicasPath", ""), scale.get("statusReplicasPath", ""),
                       scale.get("labelSelectorPath", "")) if "scale" in subs else ()
        rt = ResourceType(group=group, version=ver.get("name", ""), kind=kind, plural=plural,
                          singular=names.get("singular") or kind.lower(),
                          namespaced=spec.get("scope", "Namespaced") == "Namespaced", verbs=FULL_VERBS,
                          short_names=tuple(names.get("shortNames") or ()),
                          categories=tuple(names.get("categories") or ()), subresources=sub_names,
                          schema_name="%s.%s.%s" % (_reverse_group(group), ver.get("name", ""), kind),
                          crd=(crd.get("metadata") or {}).get("name", "%s.%s" % (plural, group)),
                          scale_paths=scale_paths)
        schema = (ver.get("schema") or {}).get("openAPIV3Schema")
        out.append((rt, schema))
    return out


def _crd_component(rt, schema):
    gvk = {"group": rt.group, "kind": rt.kind, "version": rt.version}
    out = copy.deepcopy(schema) if schema else {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    out.setdefault("type", "object")
    props = out.setdefault("properties", {})
    props["apiVersion"] = {"type": "string",
                           "description": "APIVersion defines the versioned schema of this representation of an object."}
    props["kind"] = {"type": "string",
                     "description": "Kind is a string value representing the REST resource this object represents."}
    props["metadata"] = {"allOf": [{"$ref": _ref(OBJECT_META)}],
                         "description": "Standard object's metadata."}
    out["x-kubernetes-group-version-kind"] = [gvk]
    lst = {"type": "object", "description": "%s is a list of %s" % (rt.list_kind, rt.kind), "required": ["items"],
           "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                          "items": {"type": "array", "items": {"$ref": _ref(rt.schema_name)}},
                          "metadata": {"allOf": [{"$ref": _ref(META + "ListMeta")}]}},
           "x-kubernetes-group-version-kind": [dict(gvk, kind=rt.list_kind)]}
    return out, lst


def _crd_gv_document(entries, kube_version):
    """(document, hash) of one custom group version served by [(ResourceType, openAPIV3Schema)]."""
    paths = {}
    schemas = _closure([META + "DeleteOptions", META + "Status", META + "Patch", META + "WatchEvent", OBJECT_META,
                        META + "ListMeta"])
    for rt, schema in entries:
        paths.update(_resource_paths(rt, strategic=False))
        comp, lst = _crd_component(rt, schema)
        schemas[rt.schema_name] = comp
        schemas[rt.schema_name + "List"] = lst
        if "scale" in rt.subresources:
            schemas.update(_closure([PACKAGES["autoscaling"] + ".Scale"]))
    doc = _document(kube_version, dict(sorted(paths.items())), dict(sorted(schemas.items())))
    return doc, _hash(doc)


_CRD_DOCS = {}


# ---------------------------------------------------------------------------------------------------------------
# The registry

class Registry:
    """Served resource types of one virtual cluster: the shared built-ins plus this cluster's CRDs."""

    def __init__(self, kube_version="v1.33.4", server_address="127.0.0.1:6443"):
        self.kube_version = kube_version
        self.server_address = server_address
        self._crds = {}          # crd name -> [(ResourceType, schema)]
        self._cache = {}

    # -- lookups ----------------------------------------------------------------------------------------------
    def _custom(self):
        for entries in self._crds.values():
            for rt, _schema in entries:
                yield rt

    def lookup(self, group, version, plural):
        """The type served at /api(s)/<group>/<version>/<plural>, or None."""
        rt = _BUILTIN_BY_PATH.get((group, version, plural))
        if rt is not None:
            return rt
        for rt in self._custom():
            if rt.group == group and rt.version == version and rt.plural == plural:
                return rt
        return None

    def by_kind(self, api_version, kind):
        """The type of an apiVersion and kind, or None."""
        rt = _BUILTIN_BY_KIND.get((api_version, kind))
        if rt is not None:
            return rt
        for rt in self._custom():
            if rt.group_version == api_version and rt.kind == kind:
                return rt
        return None

    @staticmethod
    def builtin_by_kind(api_version, kind):
        """The built-in type of an apiVersion and kind, or None."""
        return _BUILTIN_BY_KIND.get((api_version, kind))

    def by_resource(self, group, plural):
        """The preferred-version type of a group and resource (or short name / singular), or None."""
        candidates = [r for r in self.all() if r.group == group and plural in (r.plural, r.singular) + r.short_names]
        if not candidates:
            return None
        return sorted(candidates, key=lambda r: _version_key(r.version))[0]

    def all(self):
        """Every served type, built-ins first."""
        return list(BUILTIN_TYPES) + list(self._custom())

    def schema_for(self, api_version, kind):
        """(schema of the kind, {component name: schema}) for schema navigation, or None for unknown kinds."""
        rt = self.by_kind(api_version, kind)
        if rt is None:
            return None
        if not rt.crd:
            comps = builtin_components()
            return comps[rt.schema_name], comps
        for crt, schema in self._crds.get(rt.crd, ()):
            if crt == rt:
                comp, _lst = _crd_component(rt, schema)
                return comp, builtin_components()
        return None

    def unknown_fields(self, obj):
        """Paths of the fields of obj its schema does not declare, as kube-apiserver names them for
        fieldValidation (e.g. 'spec.template.spec.containers[0].imagePullPolicyy'). [] for unknown kinds."""
        found = self.schema_for(obj.get("apiVersion", ""), obj.get("kind", "")) if isinstance(obj, dict) else None
        if found is None:
            return []
        out = []
        _unknown(obj, found[0], found[1], "", out)
        return out

    # -- CRDs -------------------------------------------------------------------------------------------------
    def add_crd(self, crd):
        """Serve (or re-serve after an update) the types of an apiextensions.k8s.io/v1 CRD."""
        name = (crd.get("metadata") or {}).get("name", "")
        entries = _crd_types(crd)
        entries = [(rt, schema) for rt, schema in entries if rt.group not in BUILTIN_GROUPS]
        if entries:
            self._crds[name] = entries
        else:
            self._crds.pop(name, None)
        self._cache.clear()

    def remove_crd(self, crd_name):
        """Stop serving the types of a CRD."""
        if self._crds.pop(crd_name, None) is not None:
            self._cache.clear()

    def crd_names(self):
        return sorted(self._crds)

    # -- discovery --------------------------------------------------------------------------------------------
    def _groups(self):
        """[(group, [versions sorted by priority])] in kube-apiserver's order, core ("") first."""
        versions = {}
        for r in self.all():
            versions.setdefault(r.group, set()).add(r.version)
        order = [g for g in _GROUP_ORDER if g in versions]
        order += sorted(g for g in versions if g not in _GROUP_ORDER)
        return [(g, sort_versions(versions[g])) for g in order]

    def _cached(self, key, build, shared=False):
        shared = shared or not self._crds
        cache = _SHARED_CACHE if shared else self._cache
        full_key = (key, self.kube_version, self.server_address) if shared else key
        if full_key not in cache:
            cache[full_key] = build()
        return cache[full_key]

    def api_versions(self):
        """GET /api: APIVersions."""
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": self.server_address}]}

    @staticmethod
    def _group_entry(group, versions):
        vers = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
        return {"name": group, "versions": vers, "preferredVersion": dict(vers[0])}

    def api_group_list(self):
        """GET /apis: APIGroupList."""
        def build():
            return {"kind": "APIGroupList", "apiVersion": "v1",
                    "groups": [self._group_entry(g, v) for g, v in self._groups() if g]}
        return self._cached("apis", build)

    def api_group(self, group):
        """GET /apis/<group>: APIGroup, or None."""
        for g, versions in self._groups():
            if g and g == group:
                return dict(self._group_entry(g, versions), kind="APIGroup", apiVersion="v1")
        return None

    def _resources(self, group, version):
        return sorted((r for r in self.all() if r.group == group and r.version == version), key=lambda r: r.plural)

    def api_resource_list(self, group, version):
        """GET /api/v1 or /apis/<group>/<version>: APIResourceList, or None."""
        resources = self._resources(group, version)
        if not resources:
            return None

        def build():
            items = []
            for r in resources:
                entry = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced, "kind": r.kind,
                         "verbs": list(r.verbs)}
                if r.short_names:
                    entry["shortNames"] = list(r.short_names)
                if r.categories:
                    entry["categories"] = list(r.categories)
                if r.verbs != CREATE_ONLY:
                    entry["storageVersionHash"] = r.storage_version_hash()
                items.append(entry)
                for sub in sorted(r.subresources):
                    grp, ver, kind, verbs = SUBRESOURCES[sub]
                    sub_entry = {"name": "%s/%s" % (r.plural, sub), "singularName": "", "namespaced": r.namespaced}
                    if kind:
                        kind = kind.format(r.kind)
                        if grp != r.group or ver != r.version:
                            sub_entry["group"] = grp
                            sub_entry["version"] = ver
                    sub_entry["kind"] = kind or r.kind
                    sub_entry["verbs"] = list(verbs)
                    items.append(sub_entry)
            gv = "%s/%s" % (group, version) if group else version
            return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": items}
        # built-in group versions cannot change with CRDs: one copy for every registry
        return self._cached(("resources", group, version), build, shared=group in BUILTIN_GROUPS)

    def aggregated_discovery(self, core):
        """apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (core=True) or /apis (core=False).

        Served when the client's Accept header asks for DISCOVERY_V2_MEDIA_TYPE; the response must then carry
        exactly that Content-Type, which is how client-go tells it apart from the legacy documents.
        """
        def build():
            items = []
            for g, versions in self._groups():
                if bool(g) == core:
                    continue
                vers = [self._v2_version(g, v) for v in versions]
                meta = {"name": g, "creationTimestamp": None} if g else {"creationTimestamp": None}
                items.append({"metadata": meta, "versions": vers})
            return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
                    "metadata": {}, "items": items}
        return self._cached(("aggregated", bool(core)), build)

    def _v2_version(self, group, version):
        def build():
            return {"version": version, "resources": [self._v2_resource(r) for r in self._resources(group, version)],
                    "freshness": "Current"}
        return self._cached(("v2-version", group, version), build, shared=group in BUILTIN_GROUPS)

    @staticmethod
    def _v2_resource(r):
        entry = {"resource": r.plural,
                 "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                 "scope": "Namespaced" if r.namespaced else "Cluster", "singularResource": r.singular,
                 "verbs": list(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        subs = []
        for sub in sorted(r.subresources):
            grp, ver, kind, verbs = SUBRESOURCES[sub]
            if kind:
                rk = {"group": grp, "version": ver, "kind": kind.format(r.kind)}
            else:
                rk = {"group": r.group, "version": r.version, "kind": r.kind}
            subs.append({"subresource": sub, "responseKind": rk, "verbs": list(verbs)})
        if subs:
            entry["subresources"] = subs
        return entry

    def version_info(self):
        """GET /version."""
        m = re.match(r"v(\d+)\.(\d+)", self.kube_version)
        major, minor = (m.group(1), m.group(2)) if m else ("1", "33")
        return {"major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
                "minCompatibilityMajor": major, "minCompatibilityMinor": str(max(int(minor) - 1, 0)),
                "gitVersion": self.kube_version, "gitCommit": hashlib.sha1(self.kube_version.encode()).hexdigest(),
                "gitTreeState": "clean", "buildDate": "2025-08-12T18:06:36Z", "goVersion": "go1.24.5",
                "compiler": "gc", "platform": "linux/amd64"}

    # -- OpenAPI v3 -------------------------------------------------------------------------------------------
    def _gv_document(self, group, version):
        """(document, hash) of one group version, or None."""
        if group in BUILTIN_GROUPS:
            if (group, version) not in {(r.group, r.version) for r in BUILTIN_TYPES}:
                return None
            return _builtin_gv_document(group, version, self.kube_version)

        def build():
            entries = [(rt, schema) for crd in self._crds.values() for rt, schema in crd
                       if rt.group == group and rt.version == version]
            if not entries:
                return None
            # clusters of a fleet tend to carry the same CRDs: identical definitions share one document
            digest = hashlib.sha256(json.dumps([(dataclasses.astuple(rt), schema) for rt, schema in entries],
                                               sort_keys=True, default=str).encode()).hexdigest()
            shared_key = ("crd-openapi", digest, self.kube_version)
            if shared_key not in _CRD_DOCS:
                if len(_CRD_DOCS) > 256:
                    _CRD_DOCS.clear()
                _CRD_DOCS[shared_key] = _crd_gv_document(entries, self.kube_version)
            return _CRD_DOCS[shared_key]
        return self._cached(("openapi", group, version), build)

    def _misc_documents(self):
        def build():
            docs = {
                "api": _discovery_doc("api", self.kube_version, "APIVersions", "getCoreAPIVersions"),
                "apis": _discovery_doc("apis", self.kube_version, "APIGroupList", "getAPIVersions"),
                "version": _discovery_doc("version", self.kube_version, "Info", "getCodeVersion"),
            }
            for g, _versions in self._groups():
                if g:
                    docs["apis/" + g] = _discovery_doc("apis/" + g, self.kube_version, "APIGroup",
                                                       "get%sAPIGroup" % _op_id_prefix(g, ""))
            return {k: (v, _hash(v)) for k, v in docs.items()}
        return self._cached("openapi-misc", build)

    def openapi_v3_index(self):
        """GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}, ...}}."""
        def build():
            paths = {}
            for path, (_doc, digest) in self._misc_documents().items():
                paths[path] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (path, digest)}
            for g, versions in self._groups():
                for v in versions:
                    _doc, digest = self._gv_document(g, v)
                    path = _gv_path(g, v)
                    paths[path] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s" % (path, digest)}
            return {"paths": dict(sorted(paths.items()))}
        return self._cached("openapi-index", build)

    def openapi_v3(self, path):
        """GET /openapi/v3/<path> (e.g. "api/v1", "apis/apps/v1"), or None. The ?hash= query is ignored."""
        path = path.split("?", 1)[0].strip("/")
        misc = self._misc_documents().get(path)
        if misc:
            return misc[0]
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == "api":
            found = self._gv_document("", parts[1]) if parts[1] == "v1" else None
        elif len(parts) == 3 and parts[0] == "apis" and parts[1]:
            found = self._gv_document(parts[1], parts[2])
        else:
            found = None
        return found[0] if found else None

    def openapi_v2(self):
        """GET /openapi/v2: (JSON bytes, gnostic protobuf bytes, ETag) of the Swagger 2.0 document."""
        def build():
            doc = openapi_v2.swagger(self)
            raw = openapi_v2.json_bytes(doc)
            return raw, openapi_v2.to_protobuf(doc), '"%s"' % hashlib.sha512(raw).hexdigest().upper()
        return self._cached("openapi-v2", build)

    def openapi_v3_hash(self, path):
        """The hash that the index gives for path (for ETag / immutable caching), or None."""
        entry = self.openapi_v3_index()["paths"].get(path.split("?", 1)[0].strip("/"))
        return entry["serverRelativeURL"].rsplit("=", 1)[1] if entry else None


_SHARED_CACHE = {}


def _deref(node, comps):
    for _hop in range(20):
        if not isinstance(node, dict):
            return {}
        if "$ref" in node:
            node = comps.get(node["$ref"].rsplit("/", 1)[-1], {})
        elif node.get("allOf") and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node
    return {}


def _unknown(value, node, comps, path, out):
    node = _deref(node, comps)
    if node.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        for key, child in value.items():
            where = "%s.%s" % (path, key) if path else key
            if isinstance(props, dict) and key in props:
                _unknown(child, props[key], comps, where, out)
            elif isinstance(extra, dict):
                _unknown(child, extra, comps, where, out)
            elif isinstance(props, dict) and extra is not True:
                out.append(where)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for idx, child in enumerate(value):
            _unknown(child, node["items"], comps, "%s[%d]" % (path, idx), out)


def wants_aggregated_discovery(accept):
    """True when an Accept header asks for aggregated discovery v2 before any legacy JSON."""
    for part in (accept or "").split(","):
        params = [p.strip() for p in part.split(";")]
        media = params[0].lower()
        opts = dict(p.split("=", 1) for p in params[1:] if "=" in p)
        if media in ("application/json", "*/*", "application/*") and not opts.get("g"):
            return False
        if media == "application/json" and opts.get("g") == "apidiscovery.k8s.io" and opts.get("v") == "v2" \
                and opts.get("as") == "APIGroupDiscoveryList":
            return True
    return False
