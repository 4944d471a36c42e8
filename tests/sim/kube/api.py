# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource operations of the emulator: create, get, list, update, patch, delete, watch, subresources, reviews.

Everything here works on one Cluster (tests/sim/kube/cluster.py) and raises errors.ApiError for failures.
"""

import base64
import binascii
import copy
import datetime
import json
import re

import yaml

from sim.kube import admission, defaults, errors, validation
from sim.kube import patch as patchlib
from sim.kube.store import (SelectorError, decode_continue, encode_continue, fields_match, labels_match, name_suffix,
                            new_uid, now_rfc3339, parse_field_selector, parse_label_selector)

SUBDOMAIN = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
LABEL1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
                 "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '%s')" % SUBDOMAIN)
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
             "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '%s')" % LABEL)
LABEL1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
                 "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
                 "validation is '%s')" % LABEL1035)
LABEL_VALUE = r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
                   "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
                   "for validation is '%s')" % LABEL_VALUE)
QNAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
QNAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'%s')" % QNAME)

PATH_SEGMENT_RESOURCES = {("rbac.authorization.k8s.io", p) for p in ("roles", "rolebindings", "clusterroles",
                                                                     "clusterrolebindings")} | {
    ("flowcontrol.apiserver.k8s.io", "flowschemas"), ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations")}
LABEL_RESOURCES = {("", "namespaces")}
LABEL1035_RESOURCES = {("", "services")}
REVIEWS = {("authorization.k8s.io", "subjectaccessreviews"), ("authorization.k8s.io", "selfsubjectaccessreviews"),
           ("authorization.k8s.io", "localsubjectaccessreviews"), ("authorization.k8s.io", "selfsubjectrulesreviews"),
           ("authentication.k8s.io", "selfsubjectreviews"), ("authentication.k8s.io", "tokenreviews")}
MANAGED_NAMESPACES_SKIP = ("namespaces",)
CSR = ("certificates.k8s.io", "certificatesigningrequests")
# subresource -> the part of the object an update through it may change (the rest is the stored object's)
SUBRESOURCE_PARTS = {"status": ("status",), "ephemeralcontainers": ("spec", "ephemeralContainers"),
                     "approval": ("status", "conditions")}
TOKEN_AUDIENCES = ("https://kubernetes.default.svc.cluster.local",)


def rkey(rt):
    return (rt.group, rt.plural)


def is_custom(cluster, rt):
    return (rt.group, rt.plural) in cluster.custom_resources


def _validate_name(rt, name, field="metadata.name"):
    key = rkey(rt)
    if key in PATH_SEGMENT_RESOURCES:
        for bad, msg in (("/", "may not contain '/'"), ("%", "may not contain '%'")):
            if bad in name:
                return [(field, 'Invalid value: "%s": %s' % (name, msg))]
        if name in (".", ".."):
            return [(field, 'Invalid value: "%s": may not be \'%s\'' % (name, name))]
        return []
    if key in LABEL_RESOURCES:
        pattern, msg, limit = LABEL, LABEL_MSG, 63
    elif key in LABEL1035_RESOURCES:
        pattern, msg, limit = LABEL1035, LABEL1035_MSG, 63
    else:
        pattern, msg, limit = SUBDOMAIN, SUBDOMAIN_MSG, 253
    out = []
    if len(name) > limit:
        out.append((field, 'Invalid value: "%s": must be no more than %d characters' % (name, limit)))
    if not re.fullmatch(pattern, name):
        out.append((field, 'Invalid value: "%s": %s' % (name, msg)))
    return out


def _validate_meta(rt, obj):
    meta = obj.get("metadata") or {}
    causes = []
    name = meta.get("name") or ""
    if not name:
        causes.append(("metadata.name", "Required value: name or generateName is required"))
    else:
        causes += _validate_name(rt, name)
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or not re.fullmatch(LABEL_VALUE, value):
            causes.append(("metadata.labels", 'Invalid value: "%s": %s' % (value, LABEL_VALUE_MSG)))
        causes += _validate_qualified_key("metadata.labels", key)
    for key in (meta.get("annotations") or {}):
        causes += _validate_qualified_key("metadata.annotations", key)
    return causes


def _validate_qualified_key(field, key):
    prefix, _sep, part = key.rpartition("/")
    if not part or len(part) > 63 or not re.fullmatch(QNAME, part):
        return [(field, 'Invalid value: "%s": %s' % (key, QNAME_MSG))]
    if prefix and (len(prefix) > 253 or not re.fullmatch(SUBDOMAIN, prefix)):
        return [(field, 'Invalid value: "%s": prefix part %s' % (key, SUBDOMAIN_MSG))]
    return []


def _manager(ctx, default=None):
    manager = ctx.query.get("fieldManager") or default
    if not manager:
        agent = ctx.user_agent or "unknown"
        manager = agent.split("/", 1)[0] or "unknown"
    return manager


def _strip_for_compare(obj):
    # managedFields stay in the comparison: a write that only changes field ownership (a first server-side
    # apply of unchanged values, kubectl's client-side to server-side migration) is a real write. The patch
    # functions return managedFields unchanged on true no-ops, so those still keep their resourceVersion.
    out = copy.deepcopy(obj)
    out.get("metadata", {}).pop("resourceVersion", None)
    return out


def _schema_args(cluster, rt):
    """Schema facts the patch functions need for custom resources (built-ins come from their own tables)."""
    if not getattr(rt, "crd", None):
        return {}
    return {"schema": cluster.registry.schema_for(rt.group_version, rt.kind), "has_status": rt.has_status}


class Ctx:
    """What one request carries into an operation."""

    def __init__(self, cluster, user, groups, query, user_agent=""):
        self.warnings = []
        self.cluster = cluster
        self.user = user
        self.groups = groups
        self.query = query
        self.user_agent = user_agent

    @property
    def dry_run(self):
        return "All" in (self.query.get("dryRun") or "").split(",")


# ---------------------------------------------------------------------------------------------------------------
# admission-like defaulting and validation per kind

def _secret_fixup(obj):
    data = dict(obj.get("data") or {})
    for key, value in data.items():
        if not isinstance(value, str):
            raise errors.bad_request("json: cannot unmarshal into Go struct field Secret.data of type []uint8")
        try:
            base64.b64decode(value.encode(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise errors.bad_request("illegal base64 data in Secret.data[%s]: %s" % (key, exc)) from exc
    for key, value in (obj.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data or "data" in obj:
        obj["data"] = data
    obj.setdefault("type", "Opaque")


def _defaults(cluster, rt, obj, old):
    """Defaulting (sim.kube.defaults) plus what the kinds' strategies fill in on create."""
    key = rkey(rt)
    if not is_custom(cluster, rt):
        defaults.apply(key, obj)
    if key == ("", "secrets"):
        _secret_fixup(obj)
    elif key == ("", "namespaces"):
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        if old is None:
            obj["status"] = {"phase": "Active"}
    elif key == ("", "pods") and old is None:
        obj["status"] = {"phase": "Pending", "qosClass": defaults.qos_class(obj)}
    elif key == ("", "services"):
        spec = obj["spec"]
        if old is None and spec.get("clusterIP") not in ("None",) and spec["type"] != "ExternalName":
            spec.setdefault("clusterIP", cluster.next_service_ip())
            spec.setdefault("clusterIPs", [spec["clusterIP"]])
    elif key == ("batch", "jobs") and old is None:
        defaults.job_selector(obj)
    elif key == ("apiextensions.k8s.io", "customresourcedefinitions"):
        spec = obj.get("spec") or {}
        names = spec.get("names") or {}
        expected = "%s.%s" % (names.get("plural", ""), spec.get("group", ""))
        if obj["metadata"]["name"] != expected:
            raise errors.invalid(rt, obj["metadata"]["name"], [(
                "metadata.name", 'Invalid value: "%s": must be spec.names.plural+"."+spec.group' % obj["metadata"]["name"])])
        accepted = dict(names)
        accepted.setdefault("singular", names.get("plural", "").rstrip("s"))
        accepted.setdefault("listKind", names.get("kind", "") + "List")
        obj["status"] = {
            "acceptedNames": accepted, "storedVersions": [v["name"] for v in spec.get("versions", []) if v.get("storage")],
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": now_rfc3339()},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": now_rfc3339()}]}


def _validate(rt, obj, old, subresource=""):
    causes = validation.validate(rkey(rt), obj, old, subresource)
    if old is not None:
        causes += admission.immutable_causes(rt, obj, old)
    if causes:
        raise errors.invalid(rt, obj["metadata"].get("name", ""), causes)


def _has_status(rt):
    return "status" in (rt.subresources or ())


def _spec_changed(old, new):
    a = {k: v for k, v in old.items() if k not in ("metadata", "status", "apiVersion", "kind")}
    b = {k: v for k, v in new.items() if k not in ("metadata", "status", "apiVersion", "kind")}
    return a != b


# Built-in resources with a spec whose registry strategy never sets metadata.generation (a real API server leaves it
# out of these objects).
_NO_GENERATION = {("", "namespaces"), ("", "nodes"), ("", "services"), ("", "persistentvolumes"),
                  ("", "persistentvolumeclaims")}


def _uses_generation(cluster, rt, obj):
    if (rt.group, rt.plural) in _NO_GENERATION:
        return False
    return "spec" in obj or is_custom(cluster, rt)


# ---------------------------------------------------------------------------------------------------------------
# create / update / delete

def check_namespace(cluster, rt, namespace, name, creating=True):
    if not rt.namespaced:
        return
    ns = cluster.store.get(("", "namespaces"), "", namespace)
    if ns is None:
        raise errors.ApiError(404, "NotFound", 'namespaces "%s" not found' % namespace,
                              {"name": namespace, "kind": "namespaces"})
    if creating and ns["metadata"].get("deletionTimestamp"):
        raise errors.ApiError(403, "Forbidden", '%s "%s" is forbidden: unable to create new content in namespace %s '
                              'because it is being terminated' % (errors.qualified(rt), name, namespace),
                              {"name": name, "kind": rt.plural, "causes": [{
                                  "reason": "NamespaceTerminating",
                                  "message": "namespace %s is being terminated" % namespace,
                                  "field": "metadata.namespace"}]})


def check_fields(ctx, rt, obj, verb="creating"):
    """fieldValidation: Strict -> 400 for unknown fields, Warn (default) -> warnings, Ignore -> nothing."""
    mode = ctx.query.get("fieldValidation") or "Warn"
    if mode not in ("Strict", "Warn", "Ignore"):
        raise errors.bad_request('fieldValidation parameter unsupported: %s. Supported values: "Ignore", "Warn", "Strict"' % mode)
    if mode == "Ignore":
        return
    unknown = ctx.cluster.registry.unknown_fields(obj)
    if not unknown:
        return
    texts = ['unknown field "%s"' % path for path in unknown]
    if mode == "Strict":
        del verb
        raise errors.bad_request("%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s"
                                 % (rt.kind, rt.group_version, rt.kind, ", ".join(texts)))
    ctx.warnings.extend(texts)


def _check_type(rt, obj):
    if not isinstance(obj, dict):
        raise errors.bad_request("the body of the request was not a JSON object")
    api_version = obj.get("apiVersion")
    if api_version and api_version != rt.group_version:
        raise errors.bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                 % (api_version, rt.group_version))
    kind = obj.get("kind")
    if kind and kind != rt.kind:
        raise errors.bad_request("the kind in the data (%s) does not match the expected kind (%s)" % (kind, rt.kind))
    obj["apiVersion"] = rt.group_version
    obj["kind"] = rt.kind
    if not isinstance(obj.get("metadata", {}), dict):
        raise errors.bad_request("metadata must be an object")
    obj.setdefault("metadata", {})


def create(ctx, rt, namespace, obj, manager_default=None, operation="Update"):
    cluster = ctx.cluster
    _check_type(rt, obj)
    check_fields(ctx, rt, obj)
    meta = obj["metadata"]
    if rt.namespaced:
        if meta.get("namespace") and namespace and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = namespace or meta.get("namespace") or ""
    else:
        meta.pop("namespace", None)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = meta["generateName"] + name_suffix()
    name = meta.get("name") or ""
    causes = _validate_meta(rt, obj)
    if causes:
        raise errors.invalid(rt, name, causes)
    with cluster.store.lock:
        check_namespace(cluster, rt, meta.get("namespace"), name)
        if cluster.store.get(rkey(rt), meta.get("namespace"), name) is not None:
            raise errors.already_exists(rt, name)
        for drop in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(drop, None)
        meta["uid"] = new_uid()
        meta["creationTimestamp"] = now_rfc3339()
        _defaults(cluster, rt, obj, None)
        if rkey(rt) == CSR:   # the CSR strategy records who asks, and status starts empty
            obj["spec"].update(username=ctx.user, groups=list(ctx.groups))
            obj.pop("status", None)
        _validate(rt, obj, None)
        if _uses_generation(cluster, rt, obj):
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        admission.admit(ctx, rt, obj)
        if operation == "Update":
            obj = patchlib.update_managed_fields(None, obj, _manager(ctx, manager_default), "Update", now_rfc3339())
        if ctx.dry_run:
            return obj
        stored = cluster.store.put(rkey(rt), obj)
        cluster.on_write(rt, stored, None)
        return cluster.store.get(rkey(rt), meta.get("namespace"), name) or stored


def replace(ctx, rt, namespace, name, new, old, subresource="", operation="Update", check_rv=True,
            manager_default=None, managed=None):
    """The common tail of PUT and PATCH: merge immutable fields, bump generation, skip no-ops, store."""
    cluster = ctx.cluster
    _check_type(rt, new)
    if operation != "Apply":
        check_fields(ctx, rt, new)
    meta = new["metadata"]
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (meta["name"], name))
    if rt.namespaced and meta.get("namespace") and meta["namespace"] != namespace:
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
    rv = meta.get("resourceVersion")
    if check_rv and rv and rv != old["metadata"].get("resourceVersion"):
        raise errors.conflict(rt, name)
    if subresource in SUBRESOURCE_PARTS:
        # the subresource's strategy keeps everything of the stored object but its own part (status; the pod's
        # spec.ephemeralContainers; the CSR's status.conditions), metadata included (ResetObjectMetaForStatus)
        merged = copy.deepcopy(old)
        _replace_part(merged, new, SUBRESOURCE_PARTS[subresource])
        new = merged
        meta = new["metadata"]
        if rkey(rt) == CSR:
            for cond in (new.get("status") or {}).get("conditions") or []:
                cond.setdefault("lastUpdateTime", now_rfc3339())
                cond.setdefault("lastTransitionTime", cond["lastUpdateTime"])
    elif _has_status(rt) and subresource == "":
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        else:
            new.pop("status", None)
    meta["name"] = name
    if rt.namespaced:
        meta["namespace"] = namespace
    for keep in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        if keep in old["metadata"]:
            meta[keep] = old["metadata"][keep]
        else:
            meta.pop(keep, None)
    if old["metadata"].get("deletionTimestamp"):
        added = set(meta.get("finalizers") or []) - set(old["metadata"].get("finalizers") or [])
        if added and added != {"orphan", "foregroundDeletion"} & added:
            raise errors.ApiError(422, "Invalid", '%s "%s" is invalid: metadata.finalizers: Forbidden: no new finalizers '
                                  'can be added if the object is being deleted, found new finalizers %s'
                                  % (rt.kind, name, json.dumps(sorted(added))))
    causes = _validate_meta(rt, new)
    if causes:
        raise errors.invalid(rt, name, causes)
    _defaults(cluster, rt, new, old)
    _validate(rt, new, old, subresource)
    if rkey(rt) == ("", "namespaces") and subresource != "status" and "status" in old:
        new["status"] = copy.deepcopy(old["status"])
    gen = old["metadata"].get("generation")
    if gen is not None or _uses_generation(cluster, rt, new):
        meta["generation"] = (gen or 0) + (1 if _spec_changed(old, new) else 0) if gen else 1
    if managed is not None:
        meta["managedFields"] = managed
    elif operation == "Update":
        new = patchlib.update_managed_fields(old, new, _manager(ctx, manager_default), "Update", now_rfc3339(),
                                             subresource=subresource or "", **_schema_args(cluster, rt))
        meta = new["metadata"]
    meta["resourceVersion"] = old["metadata"].get("resourceVersion")
    if _strip_for_compare(new) == _strip_for_compare(old):
        return old
    admission.admit(ctx, rt, new, old, subresource)
    if ctx.dry_run:
        return new
    with cluster.store.lock:
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            gone = cluster.store.remove(rkey(rt), namespace, name)
            cluster.on_delete(rt, gone)
            return gone
        stored = cluster.store.put(rkey(rt), new, old)
        cluster.on_write(rt, stored, old)
        return cluster.store.get(rkey(rt), namespace, name) or stored


def _replace_part(target, source, path):
    """target[path] = source[path] (removed from target when source lacks it)."""
    src, dst = source, target
    for part in path[:-1]:
        src = src.get(part) if isinstance(src, dict) else None
        dst = dst.setdefault(part, {})
    if isinstance(src, dict) and path[-1] in src:
        dst[path[-1]] = copy.deepcopy(src[path[-1]])
    else:
        dst.pop(path[-1], None)


def get_existing(cluster, rt, namespace, name):
    obj = cluster.store.get(rkey(rt), namespace if rt.namespaced else "", name)
    if obj is None:
        raise errors.not_found(rt, name)
    return obj


def update(ctx, rt, namespace, name, body, subresource=""):
    with ctx.cluster.store.lock:
        old = get_existing(ctx.cluster, rt, namespace, name)
        return replace(ctx, rt, namespace, name, body, old, subresource)


MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"
APPLY_CBOR = "application/apply-patch+cbor"


def do_patch(ctx, rt, namespace, name, content_type, raw, subresource=""):
    cluster = ctx.cluster
    if content_type not in (MERGE, JSONPATCH, STRATEGIC, APPLY) or (content_type == STRATEGIC and is_custom(cluster, rt)):
        accepted = [JSONPATCH, MERGE, APPLY] + ([] if is_custom(cluster, rt) else [STRATEGIC])
        raise errors.ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                              "media types include: %s" % ", ".join(accepted))
    try:
        if content_type == APPLY:
            body = yaml.safe_load(raw.decode("utf-8"))
        else:
            body = json.loads(raw.decode("utf-8") or "null")
    except (ValueError, yaml.YAMLError) as exc:
        raise errors.bad_request("error decoding patch: %s" % exc) from exc
    with cluster.store.lock:
        old = cluster.store.get(rkey(rt), namespace if rt.namespaced else "", name)
        if content_type == APPLY:
            return _apply(ctx, rt, namespace, name, body, old, subresource)
        if old is None:
            raise errors.not_found(rt, name)
        target = copy.deepcopy(old)
        try:
            if content_type == MERGE:
                if not isinstance(body, dict):
                    raise patchlib.PatchError("merge patch must be a JSON object")
                new = patchlib.json_merge_patch(target, body)
            elif content_type == JSONPATCH:
                if not isinstance(body, list):
                    raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
                new = patchlib.json_patch(target, body)
            else:
                if not isinstance(body, dict):
                    raise patchlib.PatchError("strategic merge patch must be a JSON object")
                new = patchlib.strategic_merge_patch(target, body, rt.group_version, rt.kind)
        except patchlib.PatchError as exc:
            raise errors.ApiError(422, "Invalid", str(exc)) from exc
        if not isinstance(new, dict):
            raise errors.bad_request("patch did not produce an object")
        patched_rv = (new.get("metadata") or {}).get("resourceVersion")
        check = patched_rv is not None and patched_rv != old["metadata"].get("resourceVersion")
        if check:
            raise errors.conflict(rt, name)
        return replace(ctx, rt, namespace, name, new, old, subresource, check_rv=False)


def _apply(ctx, rt, namespace, name, body, old, subresource):
    manager = ctx.query.get("fieldManager")
    if not manager:
        raise errors.bad_request("PATCH request with apply patch type must provide a fieldManager")
    force = (ctx.query.get("force") or "").lower() == "true"
    if not isinstance(body, dict):
        raise errors.bad_request("error decoding YAML: the apply patch must be a YAML or JSON object")
    for field in ("apiVersion", "kind"):
        if not body.get(field):
            raise errors.bad_request("%s must be set in an apply patch" % field)
    _check_type(rt, body)
    check_fields(ctx, rt, body)
    meta = body["metadata"]
    if meta.get("name") and meta["name"] != name:
        raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)" % (meta["name"], name))
    meta["name"] = name
    if rt.namespaced:
        meta["namespace"] = namespace
    live = old
    if live is None:
        check_namespace(ctx.cluster, rt, namespace, name)
    try:
        new, conflicts = patchlib.server_side_apply(copy.deepcopy(live) if live else None, body, manager, force,
                                                    rt.group_version, rt.kind, now_rfc3339(),
                                                    subresource=subresource or "", **_schema_args(ctx.cluster, rt))
    except patchlib.PatchError as exc:
        raise errors.ApiError(422, "Invalid", str(exc)) from exc
    if conflicts:
        status = patchlib.conflict_status(conflicts)
        raise errors.ApiError(409, "Conflict", status["message"], status["details"])
    managed = new.get("metadata", {}).get("managedFields")
    if live is None:
        return create(ctx, rt, namespace, new, operation="Apply")
    return replace(ctx, rt, namespace, name, new, live, subresource, operation="Apply", check_rv=False, managed=managed)


def delete(ctx, rt, namespace, name, options):
    cluster = ctx.cluster
    with cluster.store.lock:
        obj = get_existing(cluster, rt, namespace, name)
        pre = options.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != obj["metadata"].get("uid"):
            raise errors.conflict(rt, name, "Precondition failed: UID in precondition: %s, UID in object meta: %s"
                                  % (pre["uid"], obj["metadata"].get("uid")))
        if pre.get("resourceVersion") and pre["resourceVersion"] != obj["metadata"].get("resourceVersion"):
            raise errors.conflict(rt, name, "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion "
                                  "in object meta: %s" % (pre["resourceVersion"], obj["metadata"].get("resourceVersion")))
        policy = options.get("propagationPolicy")
        if options.get("orphanDependents") is True:
            policy = "Orphan"
        if policy not in (None, "", "Foreground", "Background", "Orphan"):
            raise errors.ApiError(422, "Invalid", 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: '
                                  'Unsupported value: "%s": supported values: "Foreground", "Background", "Orphan"' % policy)
        if ctx.dry_run:
            return 200, obj
        finalizers = list(obj["metadata"].get("finalizers") or [])
        is_ns = rkey(rt) == ("", "namespaces")
        if policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        if policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        if finalizers or is_ns:
            if obj["metadata"].get("deletionTimestamp") and finalizers == obj["metadata"].get("finalizers"):
                return 202, obj
            new = copy.deepcopy(obj)
            new["metadata"]["deletionTimestamp"] = obj["metadata"].get("deletionTimestamp") or now_rfc3339()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            if finalizers:
                new["metadata"]["finalizers"] = finalizers
            if is_ns:
                new.setdefault("status", {})["phase"] = "Terminating"
            stored = cluster.store.put(rkey(rt), new, obj)
            cluster.on_write(rt, stored, obj)
            current = cluster.store.get(rkey(rt), namespace if rt.namespaced else "", name)
            if current is None:
                return 200, _success(rt, obj)
            return 202 if finalizers else 200, current
        gone = cluster.store.remove(rkey(rt), namespace if rt.namespaced else "", name)
        cluster.on_delete(rt, gone)
        if rkey(rt) == ("", "pods") or is_custom(cluster, rt):
            return 200, gone
        return 200, _success(rt, gone)


def _success(rt, obj):
    details = {"name": obj["metadata"]["name"], "kind": rt.plural, "uid": obj["metadata"].get("uid")}
    if rt.group:
        details["group"] = rt.group
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


# ---------------------------------------------------------------------------------------------------------------
# list / watch

def selectors(rt, query):
    try:
        labels = parse_label_selector(query.get("labelSelector") or "")
        fields = parse_field_selector(query.get("fieldSelector") or "", rkey(rt))
    except SelectorError as exc:
        raise errors.bad_request(str(exc)) from exc
    return labels, fields


def matches(obj, labels, fields):
    return labels_match(labels, obj["metadata"].get("labels")) and fields_match(fields, obj)


def do_list(ctx, rt, namespace):
    cluster = ctx.cluster
    labels, fields = selectors(rt, ctx.query)
    try:
        limit = int(ctx.query.get("limit") or 0)
    except ValueError as exc:
        raise errors.bad_request("invalid limit: %s" % exc) from exc
    start = None
    token = ctx.query.get("continue")
    with cluster.store.lock:
        rv = cluster.store.current_rv()
        if token:
            try:
                start = decode_continue(token)[1]
            except SelectorError as exc:
                raise errors.bad_request(str(exc)) from exc
        objs = cluster.store.items(rkey(rt), namespace if rt.namespaced and namespace else None)
        items, cont, remaining = [], None, 0
        for obj in objs:
            key = (obj["metadata"].get("namespace") or "", obj["metadata"]["name"])
            if start is not None and key <= start:
                continue
            if not matches(obj, labels, fields):
                continue
            if limit and len(items) >= limit:
                remaining += 1
                continue
            items.append(obj)
        meta = {"resourceVersion": str(rv)}
        if remaining:
            last = items[-1]["metadata"]
            meta["continue"] = encode_continue(rv, (last.get("namespace") or "", last["name"]))
            if not labels and not fields:
                meta["remainingItemCount"] = remaining
        return {"kind": rt.list_kind, "apiVersion": rt.group_version, "metadata": meta, "items": items}
    return cont


def bookmark(rt, rv, initial_end=False):
    meta = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"type": "BOOKMARK", "object": {"kind": rt.kind, "apiVersion": rt.group_version, "metadata": meta}}


# ---------------------------------------------------------------------------------------------------------------
# table output for kubectl get

def _age(ts):
    """kube-apiserver's humanized age ("12s", "5m", "3h", "4d") of an RFC 3339 timestamp."""
    if not ts:
        return "<unknown>"
    try:
        then = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<invalid>"
    secs = max(0, int((datetime.datetime.now(datetime.timezone.utc) - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size * (2 if unit != "d" else 1):
            return "%d%s" % (secs // size, unit)
    return "%ds" % secs


def to_table(rt, data, include_object="PartialObjectMetadata"):
    is_list = "items" in data and data.get("kind", "").endswith("List")
    items = data["items"] if is_list else [data]
    cols = [{"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.",
             "priority": 0}]
    extra = []
    if rkey(rt) == ("", "pods"):
        cols += [{"name": n, "type": "string", "format": "", "description": n, "priority": 0}
                 for n in ("Ready", "Status", "Restarts")]
        extra = [lambda o: "%d/%d" % (sum(1 for c in o.get("status", {}).get("containerStatuses", []) if c.get("ready")),
                                      len(o.get("spec", {}).get("containers", []))),
                 lambda o: ("Terminating" if o["metadata"].get("deletionTimestamp") else o.get("status", {}).get("phase", "")),
                 lambda o: sum(c.get("restartCount", 0) for c in o.get("status", {}).get("containerStatuses", []))]
    elif rkey(rt) == ("", "namespaces"):
        cols.append({"name": "Status", "type": "string", "format": "", "description": "phase", "priority": 0})
        extra = [lambda o: o.get("status", {}).get("phase", "")]
    elif rkey(rt) == ("apps", "deployments"):
        cols += [{"name": n, "type": "string", "format": "", "description": n, "priority": 0}
                 for n in ("Ready", "Up-to-date", "Available")]
        extra = [lambda o: "%d/%d" % (o.get("status", {}).get("readyReplicas", 0), o.get("spec", {}).get("replicas", 0)),
                 lambda o: o.get("status", {}).get("updatedReplicas", 0),
                 lambda o: o.get("status", {}).get("availableReplicas", 0)]
    cols.append({"name": "Age", "type": "date", "format": "", "description": "CreationTimestamp", "priority": 0})
    rows = []
    for obj in items:
        if include_object == "Object":
            embedded = obj
        elif include_object == "None":
            embedded = None
        else:
            embedded = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
        row = {"cells": [obj["metadata"]["name"]] + [f(obj) for f in extra] + [_age(obj["metadata"].get("creationTimestamp"))]}
        if embedded is not None:
            row["object"] = embedded
        rows.append(row)
    meta = dict(data.get("metadata") or {}) if is_list else {"resourceVersion": data["metadata"].get("resourceVersion")}
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": cols, "rows": rows}


# ---------------------------------------------------------------------------------------------------------------
# access reviews

def _review_attrs(spec, namespace=None):
    ra = spec.get("resourceAttributes")
    if ra:
        return {"verb": ra.get("verb", ""), "apiGroup": ra.get("group", ""), "resource": ra.get("resource", ""),
                "subresource": ra.get("subresource", ""), "name": ra.get("name", ""),
                "namespace": namespace if namespace is not None else ra.get("namespace", "")}
    nra = spec.get("nonResourceAttributes") or {}
    return {"verb": nra.get("verb", ""), "path": nra.get("path", ""), "nonResource": True}


def review(ctx, rt, namespace, body):
    cluster = ctx.cluster
    _check_type(rt, body)
    spec = body.get("spec") or {}
    out = copy.deepcopy(body)
    out["metadata"].setdefault("creationTimestamp", None)
    plural = rt.plural
    if plural == "selfsubjectreviews":
        out["status"] = {"userInfo": {"username": ctx.user, "groups": list(ctx.groups)}}
        return out
    if plural == "tokenreviews":
        ident = cluster.identity(spec.get("token") or "")
        out["status"] = ({"authenticated": True, "user": {"username": ident[0], "groups": list(ident[1]) + ["system:authenticated"]}}
                         if ident else {"authenticated": False})
        return out
    if plural == "selfsubjectrulesreviews":
        ns = spec.get("namespace") or ""
        resource_rules, non_resource_rules = cluster.authorizer.rules_for(ctx.user, list(ctx.groups), ns)
        out["status"] = {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": False}
        return out
    if not spec.get("resourceAttributes") and not spec.get("nonResourceAttributes"):
        raise errors.invalid(rt, "", [("spec.resourceAttributes", 'Invalid value: "null": exactly one of '
                                       "nonResourceAttributes or resourceAttributes must be specified")])
    if plural == "selfsubjectaccessreviews":
        user, groups = ctx.user, list(ctx.groups)
        attrs = _review_attrs(spec)
    else:
        user, groups = spec.get("user") or "", list(spec.get("groups") or [])
        if not user and not groups:
            raise errors.invalid(rt, "", [("spec.user", "Invalid value: \"\": at least one of user or group must be specified")])
        if plural == "localsubjectaccessreviews":
            ra_ns = (spec.get("resourceAttributes") or {}).get("namespace", "")
            if ra_ns != namespace:
                raise errors.invalid(rt, "", [("spec.resourceAttributes.namespace", 'Invalid value: "%s": must match '
                                               'metadata.namespace' % ra_ns)])
        attrs = _review_attrs(spec)
    allowed, reason = cluster.authorizer.authorize(user, groups, attrs)
    out["status"] = {"allowed": bool(allowed)}
    if reason:
        out["status"]["reason"] = reason
    return out


# ---------------------------------------------------------------------------------------------------------------
# subresources

def token_request(ctx, namespace, name, body):
    """POST serviceaccounts/NAME/token: a TokenRequest answered with a bound token that then authenticates as
    system:serviceaccount:NAMESPACE:NAME (until it expires or the ServiceAccount is deleted)."""
    cluster = ctx.cluster
    if body.get("kind") not in (None, "TokenRequest") or body.get("apiVersion") not in (None, "authentication.k8s.io/v1"):
        raise errors.bad_request("the kind in the data (%s) does not match the expected kind (TokenRequest)"
                                 % body.get("kind"))
    spec = dict(body.get("spec") or {})
    spec["audiences"] = list(spec.get("audiences") or TOKEN_AUDIENCES)
    if spec.get("expirationSeconds") is None:
        spec["expirationSeconds"] = 3600
    token_rt = cluster.registry.builtin_by_kind("v1", "ServiceAccount")
    with cluster.store.lock:
        account = get_existing(cluster, token_rt, namespace, name)
        if spec["expirationSeconds"] < 600:
            raise errors.ApiError(422, "Invalid", 'TokenRequest.authentication.k8s.io "%s" is invalid: '
                                  "spec.expirationSeconds: Invalid value: %d: may not specify a duration less than "
                                  "10 minutes" % (name, spec["expirationSeconds"]),
                                  {"name": name, "group": "authentication.k8s.io", "kind": "TokenRequest"})
        bound = spec.get("boundObjectRef")
        if bound and bound.get("kind") not in ("Pod", "Secret", "Node"):
            raise errors.ApiError(400, "BadRequest", "cannot bind token for serviceaccount %s/%s to %s"
                                  % (namespace, name, bound.get("kind")))
        if ctx.dry_run:
            token, expiry = "", now_rfc3339()
        else:
            token, expiry = cluster.mint_token(namespace, account, spec["audiences"], spec["expirationSeconds"], bound)
    meta = dict(body.get("metadata") or {}, name=name, namespace=namespace)
    meta["creationTimestamp"] = None
    return {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "metadata": meta, "spec": spec,
            "status": {"token": token, "expirationTimestamp": expiry}}


def scale_of(rt, obj):
    spec = obj.get("spec") or {}
    sel = spec.get("selector") or {}
    if rkey(rt) != ("", "replicationcontrollers"):   # a ReplicationController's selector is a plain map
        sel = sel.get("matchLabels") or {}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: obj["metadata"][k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in obj["metadata"]},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": ",".join("%s=%s" % kv for kv in sorted(sel.items()))}}


def pod_log(pod, query):
    container = query.get("container") or ((pod.get("spec") or {}).get("containers") or [{}])[0].get("name", "")
    names = [c.get("name") for c in (pod.get("spec") or {}).get("containers") or []]
    if container not in names:
        raise errors.bad_request("container %s is not valid for pod %s" % (container, pod["metadata"]["name"]))
    return ("emulated log of container %s in pod %s/%s\nready\n" % (container, pod["metadata"].get("namespace"),
                                                                    pod["metadata"]["name"]))
