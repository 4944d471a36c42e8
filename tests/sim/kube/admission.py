# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What kube-apiserver refuses on writes beyond schema: immutable fields and RBAC privilege escalation.

- RBAC escalation prevention: a Role/ClusterRole may only grant what its author holds (or the author has the
  `escalate` verb on it); a RoleBinding/ClusterRoleBinding may only bind a role whose permissions its author holds
  (or the author has the `bind` verb on that role).
- Certificates: approving a CertificateSigningRequest needs `approve`, issuing its certificate `sign` on the signer.
- Immutable fields: roleRef of bindings, spec.selector of workloads, spec.selector/spec.template of Jobs,
  data/binaryData of immutable ConfigMaps and Secrets, the type of a Secret.
"""

import json

from sim.kube import errors, rbac

RBAC = "rbac.authorization.k8s.io"
ROLE_KINDS = {(RBAC, "roles"), (RBAC, "clusterroles")}
BINDING_KINDS = {(RBAC, "rolebindings"), (RBAC, "clusterrolebindings")}
CSR = ("certificates.k8s.io", "certificatesigningrequests")
SELECTOR_IMMUTABLE = {("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"), ("apps", "daemonsets")}


def _go_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def _describe_rule(rule):
    parts = []
    if rule.get("apiGroups") is not None or rule.get("resources"):
        parts.append("APIGroups:" + _go_list(rule.get("apiGroups") or []))
    if rule.get("resources"):
        parts.append("Resources:" + _go_list(rule["resources"]))
    if rule.get("resourceNames"):
        parts.append("ResourceNames:" + _go_list(rule["resourceNames"]))
    if rule.get("nonResourceURLs"):
        parts.append("NonResourceURLs:" + _go_list(rule["nonResourceURLs"]))
    parts.append("Verbs:" + _go_list(rule.get("verbs") or []))
    return "{" + ", ".join(parts) + "}"


def _covered(authorizer, user, groups, rule, namespace):
    verbs = rule.get("verbs") or []
    if rule.get("nonResourceURLs"):
        return all(authorizer.authorize(user, groups, {"verb": v, "path": url, "nonResource": True})[0]
                   for v in verbs for url in rule["nonResourceURLs"])
    for verb in verbs:
        for group in rule.get("apiGroups") or [""]:
            for resource in rule.get("resources") or []:
                res, _sep, sub = resource.partition("/")
                for name in rule.get("resourceNames") or [""]:
                    attrs = {"verb": verb, "apiGroup": group, "resource": res, "subresource": sub, "name": name,
                             "namespace": namespace}
                    if not authorizer.authorize(user, groups, attrs)[0]:
                        return False
    return True


def _escalation(ctx, rt, name, rules, namespace):
    missing = [r for r in rules if not _covered(ctx.cluster.authorizer, ctx.user, list(ctx.groups), r, namespace)]
    if missing:
        groups = "[" + " ".join(json.dumps(g) for g in ctx.groups) + "]"
        held = "\n".join(_describe_rule(r) for r in missing)
        message = ('%s "%s" is forbidden: user "%s" (groups=%s) is attempting to grant RBAC permissions not currently '
                   "held:\n%s" % (errors.qualified(rt), name, ctx.user, groups, held))
        raise errors.ApiError(403, "Forbidden", message,
                              {"name": name, "group": rt.group, "kind": rt.plural})


def _allowed(ctx, verb, resource, name, namespace):
    attrs = {"verb": verb, "apiGroup": RBAC, "resource": resource, "subresource": "", "name": name, "namespace": namespace}
    return ctx.cluster.authorizer.authorize(ctx.user, list(ctx.groups), attrs)[0]


def _check_rbac(ctx, rt, obj, old):
    key = (rt.group, rt.plural)
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name", ""), meta.get("namespace", "") if rt.namespaced else ""
    if key in ROLE_KINDS:
        if old is not None and (old.get("rules") or []) == (obj.get("rules") or []):
            return
        if _allowed(ctx, "escalate", rt.plural, name, namespace):
            return
        _escalation(ctx, rt, name, obj.get("rules") or [], namespace)
    elif key in BINDING_KINDS:
        ref = obj.get("roleRef") or {}
        if old is not None and (old.get("roleRef") or {}) == ref and (old.get("subjects") or []) == (obj.get("subjects") or []):
            return
        ref_resource = "clusterroles" if ref.get("kind") == "ClusterRole" else "roles"
        if _allowed(ctx, "bind", ref_resource, ref.get("name", ""), namespace):
            return
        store = ctx.cluster.store
        if ref_resource == "clusterroles":
            rules = rbac.aggregated_rules(store.items((RBAC, "clusterroles")), ref.get("name", ""))
        else:
            role = store.get((RBAC, "roles"), namespace, ref.get("name", ""))
            rules = (role or {}).get("rules") or []
        _escalation(ctx, rt, name, rules or [], namespace)


def immutable_causes(rt, obj, old):
    """[(field, message)] for immutable fields an update changes (422 together with the validation causes)."""
    key = (rt.group, rt.plural)
    causes = []
    if key in BINDING_KINDS and (old.get("roleRef") or {}) != (obj.get("roleRef") or {}):
        causes.append(("roleRef", "Invalid value: %s: cannot change roleRef" % json.dumps(obj.get("roleRef"))))
    if key in SELECTOR_IMMUTABLE or key == ("batch", "jobs"):
        for field in ("selector",) + (("template",) if key == ("batch", "jobs") else ()):
            before, after = (old.get("spec") or {}).get(field), (obj.get("spec") or {}).get(field)
            if before is not None and before != after:
                causes.append(("spec." + field, "Invalid value: %s: field is immutable" % json.dumps(after)))
    if key in (("", "configmaps"), ("", "secrets")) and old.get("immutable"):
        for field in ("data", "binaryData"):
            if (old.get(field) or {}) != (obj.get(field) or {}):
                causes.append((field, "Forbidden: field is immutable when `immutable` is set"))
        if not obj.get("immutable"):
            causes.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
    if key == ("", "secrets") and old.get("type", "Opaque") != obj.get("type", "Opaque"):
        causes.append(("type", 'Invalid value: "%s": field is immutable' % obj.get("type")))
    return causes


def _check_signer(ctx, rt, obj, old, subresource):
    """The CertificateApproval and CertificateSigning plugins: approving (the approval subresource) needs
    `approve`, issuing (a new status.certificate) `sign` on signers.certificates.k8s.io named after the signer
    (or "<domain>/*")."""
    if subresource == "approval":
        verb = "approve"
    elif subresource == "status" and (obj.get("status") or {}).get("certificate") != (old.get("status") or {}).get(
            "certificate"):
        verb = "sign"
    else:
        return
    signer = (obj.get("spec") or {}).get("signerName", "")
    for name in (signer, signer.split("/", 1)[0] + "/*"):
        attrs = {"verb": verb, "apiGroup": "certificates.k8s.io", "resource": "signers", "subresource": "",
                 "name": name, "namespace": ""}
        if ctx.cluster.authorizer.authorize(ctx.user, list(ctx.groups), attrs)[0]:
            return
    name = obj["metadata"]["name"]
    raise errors.ApiError(403, "Forbidden", '%s "%s" is forbidden: user not permitted to %s requests with signerName '
                          '"%s"' % (errors.qualified(rt), name, verb, signer),
                          {"name": name, "group": rt.group, "kind": rt.plural})


def admit(ctx, rt, obj, old=None, subresource=""):
    """Raise errors.ApiError when kube-apiserver would refuse this create (old None) or update."""
    if old is not None:
        if (rt.group, rt.plural) == CSR:
            _check_signer(ctx, rt, obj, old, subresource)
    _check_rbac(ctx, rt, obj, old)
