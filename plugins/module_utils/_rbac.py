# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RBAC analysis: support subjects, what bindings grant, the chart's labelled objects, SubjectAccessReview probes.

Pure functions over Kubernetes objects as plain dicts (as the API returns them), so they are unit tested without a
cluster and shared by the modules and roles.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import fnmatch

from ansible_collections.neocloud.support_access.plugins.module_utils._objects import has_labels, object_ref
from ansible_collections.neocloud.support_access.plugins.module_utils._support import (
    COREWEAVE_SUPPORT_CLUSTER_ROLES,
    CRUSOE_CHART_INSTANCE_LABEL,
    CRUSOE_CHART_NAME,
    CRUSOE_CHART_NAME_LABEL,
    CRUSOE_CHART_RELEASE,
    CRUSOE_SUPPORT_GROUPS,
)

RBAC_GROUP = "rbac.authorization.k8s.io"

# What a binding grants, in plain terms: the classes RBAC analysers check (the collection's docs/doors.md). Each
# capability is a list of alternatives, any one of which suffices. An alternative is a requirement (verbs, apiGroup,
# resource, subresource) - one rule allowing all the verbs - or AllOf(requirements), each met by some rule.
# Order is the order reports list them in.


class AllOf(tuple):
    """Requirements that must all be granted (by any rules) for the alternative to count."""

    __slots__ = ()


def _verbs_on(verbs, targets):
    """One requirement per verb and (apiGroup, resource, subresource) target."""
    return tuple(((verb,), group, resource, sub) for verb in verbs for group, resource, sub in targets)


_WORKLOADS = (("apps", "deployments"), ("apps", "daemonsets"), ("apps", "statefulsets"), ("apps", "replicasets"),
              ("batch", "jobs"), ("batch", "cronjobs"), ("", "replicationcontrollers"))
_ADMISSION = tuple(("admissionregistration.k8s.io", resource, None) for resource in (
    "mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies",
    "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"))
_WRITE = ("create", "update", "patch")

CAPABILITY_CHECKS = (
    ("full_access", ((("*",), "*", "*", None),)),
    ("read_all", ((("get", "list"), "*", "*", None),)),
    ("exec_pods", ((("create",), "", "pods", "exec"), (("get",), "", "pods", "exec"))),
    ("attach_pods", ((("create",), "", "pods", "attach"), (("get",), "", "pods", "attach"))),
    ("portforward_pods", ((("create",), "", "pods", "portforward"), (("get",), "", "pods", "portforward"))),
    # the kubelet API (exec, run, attach on :10250): GET is enough
    ("node_proxy", _verbs_on(("get", "create"), (("", "nodes", "proxy"),))),
    ("ephemeral_containers", _verbs_on(("update", "patch"), (("", "pods", "ephemeralcontainers"),))),
    ("read_pod_logs", ((("get",), "", "pods", "log"),)),
    ("read_secrets", _verbs_on(("get", "list", "watch"), (("", "secrets", None),))),
    ("write_secrets", _verbs_on(_WRITE, (("", "secrets", None),))),
    ("mint_tokens", ((("create",), "", "serviceaccounts", "token"),)),
    ("create_pods", ((("create",), "", "pods", None),)),
    ("modify_pods", _verbs_on(("update", "patch"), (("", "pods", None),))),
    ("delete_pods", _verbs_on(("delete", "deletecollection"), (("", "pods", None),))),
    ("evict_pods", ((("create",), "", "pods", "eviction"),)),
    ("patch_nodes", _verbs_on(("patch", "update"), (("", "nodes", None),))),
    ("modify_workloads", tuple(
        ((verb,), group, resource, sub)
        for verb in ("create", "update", "patch", "delete")
        for group, resource in _WORKLOADS
        for sub in (None, "scale") if not (sub == "scale" and resource in ("daemonsets", "jobs", "cronjobs"))
    )),
    ("modify_rbac", tuple(
        ((verb,), RBAC_GROUP, resource, None)
        for verb in ("create", "update", "patch", "delete", "bind", "escalate")
        for resource in ("clusterroles", "clusterrolebindings", "roles", "rolebindings")
    )),
    ("impersonate", tuple(
        (("impersonate",), group, resource, None)
        for group, resource in (("", "users"), ("", "groups"), ("", "serviceaccounts"),
                                ("authentication.k8s.io", "userextras"), ("authentication.k8s.io", "uids"))
    )),
    # a client certificate for any user or group: approve a CSR and be allowed to approve for its signer
    ("approve_csr", tuple(
        AllOf((((verb,), "certificates.k8s.io", "certificatesigningrequests", "approval"),
               (("approve",), "certificates.k8s.io", "signers", None)))
        for verb in ("update", "patch"))),
    ("admission_control", _verbs_on(_WRITE + ("delete",), _ADMISSION)),
    ("network_interception", _verbs_on(("update", "patch"), (("", "services", "status"),))
     + _verbs_on(_WRITE, (("", "endpoints", None), ("discovery.k8s.io", "endpointslices", None)))),
    ("write_configmaps", _verbs_on(_WRITE, (("", "configmaps", None),))),
    ("create_persistent_volumes", _verbs_on(("create",), (("", "persistentvolumes", None),))
     + _verbs_on(_WRITE, (("storage.k8s.io", "storageclasses", None),))),
    ("delete_events", _verbs_on(("delete", "deletecollection"), (("", "events", None), ("events.k8s.io", "events", None)))),
)
CAPABILITIES = tuple(name for name, _checks in CAPABILITY_CHECKS)

# Cluster-scoped resources among those the classes name, and the virtual ones RBAC checks (signers, impersonation of
# users and groups): a RoleBinding cannot grant them.
CLUSTER_SCOPED = frozenset([
    ("", "nodes"), ("", "persistentvolumes"), ("", "namespaces"), ("", "users"), ("", "groups"),
    ("authentication.k8s.io", "userextras"), ("authentication.k8s.io", "uids"),
    ("certificates.k8s.io", "certificatesigningrequests"), ("certificates.k8s.io", "signers"),
    ("storage.k8s.io", "storageclasses"), (RBAC_GROUP, "clusterroles"), (RBAC_GROUP, "clusterrolebindings"),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"), ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
] + [(group, resource) for group, resource, _sub in _ADMISSION])


def is_cluster_scoped(group, resource):
    """Whether ``group``/``resource`` is cluster-scoped (``*`` is not: it stands for namespaced resources too)."""
    return (group, resource) in CLUSTER_SCOPED


# Subjects that stand for everyone (of a kind): a binding to one of them that grants a door class lets support in
# with any credential that authenticates (or none). Never the support subject itself, never deleted.
BROAD_GROUPS = ("system:authenticated", "system:unauthenticated", "system:serviceaccounts")
BROAD_USERS = ("system:anonymous",)

# Opening a shell, attaching or port-forwarding over WebSocket is an HTTP GET: before Kubernetes 1.35
# (AuthorizePodWebsocketUpgradeCreatePermission) `get` on the subresource was enough (kubernetes/kubernetes#133515).
WEBSOCKET_CAPABILITIES = {"exec_pods": "exec", "attach_pods": "attach", "portforward_pods": "portforward"}

SUBJECT_KINDS = ("Group", "User", "ServiceAccount")


def default_support_subjects():
    """The support subjects checked when none are configured: the Crusoe support groups."""
    return [{"kind": "Group", "name": group, "namespace": None} for group in CRUSOE_SUPPORT_GROUPS]


def normalize_subjects(subjects):
    """Validate and normalise a list of support subject specs ({kind, name, namespace}).

    Returns the normalised list; raises ValueError naming the bad entry. ``name`` may be a glob pattern.
    """
    if subjects is None:
        return default_support_subjects()
    result = []
    for index, subject in enumerate(subjects):
        if not isinstance(subject, dict):
            raise ValueError("subjects[%d] must be a dictionary with kind and name, got %r" % (index, subject))
        kind = subject.get("kind") or "Group"
        if kind not in SUBJECT_KINDS:
            raise ValueError("subjects[%d].kind must be one of %s, got %r" % (index, ", ".join(SUBJECT_KINDS), kind))
        name = subject.get("name")
        if not name:
            raise ValueError("subjects[%d].name is required" % index)
        result.append({"kind": kind, "name": name, "namespace": subject.get("namespace") or None})
    return result


def subject_spec():
    """argument_spec of one entry of a ``subjects`` option (documented in the support_subjects doc fragment)."""
    return dict(
        kind=dict(type="str", choices=list(SUBJECT_KINDS), default="Group"),
        name=dict(type="str", required=True),
        namespace=dict(type="str"),
    )


def _subject_identity(subject, binding_namespace=None):
    """(kind, name, namespace) of a binding subject; a User named system:serviceaccount:ns:n is that ServiceAccount."""
    kind = subject.get("kind")
    name = subject.get("name") or ""
    namespace = subject.get("namespace") or None
    if kind == "ServiceAccount":
        return "ServiceAccount", name, namespace or binding_namespace
    if kind == "User" and name.startswith("system:serviceaccount:"):
        parts = name.split(":")
        if len(parts) == 4:
            return "ServiceAccount", parts[3], parts[2]
    return kind, name, None


def subject_matches(binding_subject, spec, binding_namespace=None):
    """Whether one subject of a binding is the support subject ``spec`` ({kind, name, namespace}).

    Groups and Users match by name (glob patterns allowed in the spec); a ServiceAccount spec also matches a binding
    to the User ``system:serviceaccount:<ns>:<name>``. The groups every ServiceAccount (or every authenticated
    identity) is in are broad subjects (broad_subject), not the support subject.
    """
    kind, name, namespace = _subject_identity(binding_subject, binding_namespace)
    if spec["kind"] == "ServiceAccount":
        if kind != "ServiceAccount" or not fnmatch.fnmatchcase(name, spec["name"]):
            return False
        return not spec.get("namespace") or namespace == spec["namespace"]
    return kind == spec["kind"] and fnmatch.fnmatchcase(name, spec["name"])


def matching_subjects(binding, specs):
    """The subjects of ``binding`` that are support subjects, as plain {kind, name, namespace} dicts."""
    return _subjects_where(binding, lambda subject, namespace: any(subject_matches(subject, spec, namespace)
                                                                   for spec in specs))


def broad_subject(subject):
    """Whether a binding subject stands for everyone of a kind (system:authenticated, system:serviceaccounts[:ns],
    system:unauthenticated, system:anonymous)."""
    kind, name = subject.get("kind"), subject.get("name") or ""
    if kind == "Group":
        return name in BROAD_GROUPS or name.startswith("system:serviceaccounts:")
    return kind == "User" and name in BROAD_USERS


def look_alike(subject, patterns, binding_namespace=None):
    """Whether a binding subject's name looks like the provider's support (a glob of ``patterns``, any case). Only the
    name counts: the provider's own agents run in its namespaces under other names."""
    name = _subject_identity(subject, binding_namespace)[1]
    return any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns or ())


def _subjects_where(binding, predicate):
    binding_namespace = (binding.get("metadata") or {}).get("namespace")
    return [{"kind": subject.get("kind"), "name": subject.get("name"), "namespace": subject.get("namespace") or None}
            for subject in binding.get("subjects") or [] if predicate(subject, binding_namespace)]


def selector_matches(selector, labels):
    """Whether a LabelSelector ({matchLabels, matchExpressions}) selects ``labels``. An empty selector selects all."""
    labels = labels or {}
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def cluster_role_rules(name, cluster_roles, _seen=None):
    """The effective rules of ClusterRole ``name``: its own rules plus, for an aggregated ClusterRole, the rules of
    every ClusterRole its aggregationRule selects (recursively). ``cluster_roles`` maps name -> object.
    Returns None when the ClusterRole does not exist."""
    role = cluster_roles.get(name)
    if role is None:
        return None
    seen = set() if _seen is None else _seen
    seen.add(name)
    rules = list(role.get("rules") or [])
    aggregation = role.get("aggregationRule") or {}
    for selector in aggregation.get("clusterRoleSelectors") or []:
        for other_name in sorted(cluster_roles):
            if other_name in seen:
                continue
            other = cluster_roles[other_name]
            if selector_matches(selector, (other.get("metadata") or {}).get("labels")):
                for rule in cluster_role_rules(other_name, cluster_roles, seen) or []:
                    if rule not in rules:
                        rules.append(rule)
    return rules


def _matches(values, wanted):
    values = values or []
    return "*" in values or wanted in values


def _resource_matches(resources, resource, subresource):
    resources = resources or []
    if "*" in resources:
        return True
    if subresource:
        # Upstream RBAC (ResourceMatches) knows only ``*``, the exact ``resource/subresource`` and ``*/subresource``:
        # ``pods/*`` is a literal resource name that matches no request.
        return "%s/%s" % (resource, subresource) in resources or "*/%s" % subresource in resources
    return resource in resources


def _literal_subresource_wildcards(rules):
    """Resources such as ``pods/*`` named in ``rules``: they look like wildcards but upstream RBAC grants nothing by them."""
    found = []
    for rule in rules or []:
        for resource in rule.get("resources") or []:
            if resource.endswith("/*") and resource != "*" and resource not in found:
                found.append(resource)
    return found


def rule_allows(rule, verb, api_group, resource, subresource=None):
    """Whether a PolicyRule allows ``verb`` on ``api_group``/``resource``[/``subresource``], as Kubernetes' RBAC
    decides it (``*``, ``*/scale``; ``pods/*`` is NOT a wildcard), ignoring resourceNames. Non-resource rules allow
    nothing here."""
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    return (_matches(rule.get("verbs"), verb) and _matches(rule.get("apiGroups"), api_group)
            and _resource_matches(rule.get("resources"), resource, subresource))


def analyze_rules(rules, namespaced=False):
    """What a list of PolicyRules grants, in plain terms (``namespaced``: through a RoleBinding, see _granted).

    Returns {capabilities: [...], restricted: {capability: [resourceNames]}, flags: [...]}: ``capabilities`` are
    granted on every object, ``restricted`` ones only on the named objects (rules with resourceNames), and
    ``flags`` explain risky grants, e.g. ``exec_pods_via_get`` when only `get` on pods/exec is granted (WebSocket
    exec before Kubernetes 1.35), and ``literal_subresource_wildcard`` when a rule names ``pods/*`` or the like,
    which upstream RBAC treats as a literal name: it grants nothing, though its author probably meant every
    subresource (exec included); ``exec_pods_via_subresource_wildcard`` when that rule grants ``get`` on ``pods/*``,
    i.e. WebSocket exec as written.
    """
    capabilities = []
    restricted = {}
    flags = []
    for name, checks in CAPABILITY_CHECKS:
        full = False
        names = set()
        create_granted = False
        for check in checks:
            if isinstance(check, AllOf):
                if all(_granted(rules, requirement, namespaced)[0] for requirement in check):
                    full = create_granted = True
                continue
            granted, named = _granted(rules, check, namespaced)
            names.update(named)
            if granted:
                full = True
                create_granted = create_granted or check[0] != ("get",)
        if full:
            capabilities.append(name)
            if name in WEBSOCKET_CAPABILITIES and not create_granted:
                flags.append("%s_via_get" % name)
        elif names:
            restricted[name] = sorted(names)
    if any(rule.get("nonResourceURLs") and "*" in rule["nonResourceURLs"] for rule in rules or []):
        flags.append("all_non_resource_urls")
    if _literal_subresource_wildcards(rules):
        flags.append("literal_subresource_wildcard")
    if "exec_pods" not in capabilities and _pod_subresource_wildcard_get(rules):
        flags.append("exec_pods_via_subresource_wildcard")
    return {"capabilities": capabilities, "restricted": restricted, "flags": flags}


def _granted(rules, requirement, namespaced=False):
    """(granted on every object, the resourceNames it is granted on otherwise) for one requirement: each of its verbs
    allowed by some rule, as the API server authorises each request on its own. Through a RoleBinding
    (``namespaced``) nothing on a cluster-scoped resource is granted: such requests carry no namespace."""
    verbs, group, resource, sub = requirement
    if namespaced and is_cluster_scoped(group, resource):
        return False, set()
    names = set()
    full = True
    for verb in verbs:
        allowing = [rule for rule in rules or [] if rule_allows(rule, verb, group, resource, sub)]
        if not any(not rule.get("resourceNames") for rule in allowing):
            full = False
        for rule in allowing:
            names.update(rule.get("resourceNames") or [])
    return full, set() if full else names


def _pod_subresource_wildcard_get(rules):
    """Whether a rule grants ``get`` (or ``*``) on ``pods/*`` in the core group on every pod.

    Such a rule is written to cover every pod subresource, ``pods/exec`` included, and ``get`` on ``pods/exec`` is all
    WebSocket exec needs before Kubernetes 1.35. Kubernetes RBAC reads ``pods/*`` literally today, so the API server
    denies exec; a role written this way is still not a read-only role and is reported as such.
    """
    for rule in rules or []:
        if rule.get("resourceNames") or "pods/*" not in (rule.get("resources") or []):
            continue
        if _matches(rule.get("verbs"), "get") and _matches(rule.get("apiGroups"), ""):
            return True
    return False


# What a role expected to be read-only (CoreWeave's teleport-cluster-viewers: "read-only access to most resources,
# but no access to Secret resources") must not grant. Reading pod logs and listing everything else is fine.
READ_ONLY_ALLOWED = ("read_all", "read_pod_logs")
READ_ONLY_DEFAULT_ROLES = (COREWEAVE_SUPPORT_CLUSTER_ROLES[0],)


def read_only_violations(grants):
    """The capabilities in ``grants`` (analyze_rules output) a read-only role must not have, including those granted
    only on named objects, in CAPABILITIES order."""
    granted = set(grants.get("capabilities") or []) | set(grants.get("restricted") or {})
    return [c for c in CAPABILITIES if c in granted and c not in READ_ONLY_ALLOWED]


def chart_labels(release=CRUSOE_CHART_RELEASE):
    """The labels that mark an object as the support chart's: its Helm release, or the chart's name (either one
    suffices). ``crusoe.ai/managed=true`` is not one of them: other Crusoe-managed charts carry it too."""
    return {CRUSOE_CHART_INSTANCE_LABEL: release, CRUSOE_CHART_NAME_LABEL: CRUSOE_CHART_NAME}


def labelled_objects(objects_by_kind, labels):
    """Every object carrying the support chart's labels. ``objects_by_kind`` maps kind -> list of objects.

    Returns a list of {kind, name, namespace, uid, labels} sorted by kind, namespace and name.
    """
    found = []
    for kind, objects in objects_by_kind.items():
        for obj in objects or []:
            if has_labels(obj, labels):
                ref = object_ref(obj, kind)
                ref["labels"] = dict((obj.get("metadata") or {}).get("labels") or {})
                found.append(ref)
    found.sort(key=lambda r: (r["kind"], r["namespace"] or "", r["name"] or ""))
    return found


def analyze_bindings(cluster_roles, cluster_role_bindings, roles, role_bindings, subjects=None,
                     support_cluster_roles=(), labels=None, read_only_roles=(), look_alikes=()):
    """Every ClusterRoleBinding and RoleBinding that grants something to a support subject, binds a support
    ClusterRole (to anyone) or carries the support chart's labels, with what it grants.

    ``cluster_roles``/``roles`` are lists of objects; ``subjects`` support subject specs (default: the Crusoe
    support groups); ``labels`` the chart labels (default: chart_labels()).
    Also the bindings whose subjects look like the provider's support (``look_alikes``, glob patterns) and those to
    a broad subject (system:authenticated and the like) that grant a class of CAPABILITIES.
    Returns a list of dicts: kind, name, namespace, uid, role_ref, role_found, subjects, support_subjects,
    look_alike_subjects, broad_subjects, support_role, chart_managed, capabilities, restricted, flags, expected
    (``read-only`` for a binding of one of ``read_only_roles``, else None) and read_only_violations
    (read_only_violations() for those, else []).
    """
    specs = normalize_subjects(subjects)
    labels = chart_labels() if labels is None else labels
    support_roles = set(support_cluster_roles or ())
    read_only = set(read_only_roles or ())
    cr_by_name = dict(((r.get("metadata") or {}).get("name"), r) for r in cluster_roles or [])
    role_by_key = dict((((r.get("metadata") or {}).get("namespace"), (r.get("metadata") or {}).get("name")), r)
                       for r in roles or [])
    report = []
    for kind, bindings in (("ClusterRoleBinding", cluster_role_bindings), ("RoleBinding", role_bindings)):
        for binding in bindings or []:
            meta = binding.get("metadata") or {}
            role_ref = binding.get("roleRef") or {}
            support = matching_subjects(binding, specs)
            similar = [x for x in _subjects_where(binding, lambda sub, ns: look_alike(sub, look_alikes, ns)) if x not in support]
            broad = _subjects_where(binding, lambda sub, ns: broad_subject(sub))
            via_role = role_ref.get("kind") == "ClusterRole" and role_ref.get("name") in support_roles
            managed = has_labels(binding, labels)
            if not (support or similar or broad or via_role or managed):
                continue
            if role_ref.get("kind") == "ClusterRole":
                rules = cluster_role_rules(role_ref.get("name"), cr_by_name)
            else:
                role = role_by_key.get((meta.get("namespace"), role_ref.get("name")))
                rules = None if role is None else list(role.get("rules") or [])
            grants = analyze_rules(rules or [], namespaced=kind == "RoleBinding")
            if not (support or similar or via_role or managed or grants["capabilities"] or grants["restricted"]):
                continue  # a broad binding that grants no class (system:basic-user and the like)
            entry = object_ref(binding, kind)
            entry.update({
                "role_ref": {"kind": role_ref.get("kind"), "name": role_ref.get("name")},
                "role_found": rules is not None,
                "subjects": [{"kind": s.get("kind"), "name": s.get("name"), "namespace": s.get("namespace") or None}
                             for s in binding.get("subjects") or []],
                "support_subjects": support,
                "look_alike_subjects": similar,
                "broad_subjects": broad,
                "support_role": via_role,
                "chart_managed": managed,
                "scope": "cluster" if kind == "ClusterRoleBinding" else meta.get("namespace"),
            })
            entry.update(grants)
            expected_read_only = role_ref.get("kind") == "ClusterRole" and role_ref.get("name") in read_only
            entry["expected"] = "read-only" if expected_read_only else None
            entry["read_only_violations"] = read_only_violations(grants) if expected_read_only else []
            report.append(entry)
    report.sort(key=lambda e: (e["kind"], e["namespace"] or "", e["name"] or ""))
    return report


DEFAULT_PROBES = (
    {"name": "exec_pods_kube_system", "verb": "create", "resource": "pods", "subresource": "exec",
     "namespace": "kube-system"},
    {"name": "exec_pods_kube_system_websocket", "verb": "get", "resource": "pods", "subresource": "exec",
     "namespace": "kube-system"},
    {"name": "get_secrets_cluster", "verb": "get", "resource": "secrets"},
    {"name": "delete_pods_kube_system", "verb": "delete", "resource": "pods", "namespace": "kube-system"},
    {"name": "list_pods_cluster", "verb": "list", "resource": "pods"},
    {"name": "patch_nodes", "verb": "patch", "resource": "nodes"},
)


# One SubjectAccessReview per door class (what the revoke's proof asks for each support subject): namespaced ones in
# kube-system, where a way in is a way onto the nodes. (name, verb, apiGroup, resource, subresource, namespaced)
CLASS_PROBES = (
    ("full_access", "*", "*", "*", None, True),
    ("read_all", "list", "*", "*", None, True),
    ("exec_pods", "create", "", "pods", "exec", True),
    ("exec_pods_websocket", "get", "", "pods", "exec", True),
    ("attach_pods", "create", "", "pods", "attach", True),
    ("portforward_pods", "create", "", "pods", "portforward", True),
    ("portforward_pods_websocket", "get", "", "pods", "portforward", True),
    ("node_proxy", "get", "", "nodes", "proxy", False),
    ("ephemeral_containers", "patch", "", "pods", "ephemeralcontainers", True),
    ("read_secrets", "get", "", "secrets", None, True),
    ("list_secrets", "list", "", "secrets", None, True),
    ("write_secrets", "create", "", "secrets", None, True),
    ("mint_tokens", "create", "", "serviceaccounts", "token", True),
    ("create_pods", "create", "", "pods", None, True),
    ("modify_pods", "patch", "", "pods", None, True),
    ("delete_pods", "delete", "", "pods", None, True),
    ("evict_pods", "create", "", "pods", "eviction", True),
    ("patch_nodes", "patch", "", "nodes", None, False),
    ("create_daemonsets", "create", "apps", "daemonsets", None, True),
    ("patch_deployments", "patch", "apps", "deployments", None, True),
    ("create_jobs", "create", "batch", "jobs", None, True),
    ("create_cronjobs", "create", "batch", "cronjobs", None, True),
    ("bind_clusterroles", "bind", RBAC_GROUP, "clusterroles", None, False),
    ("escalate_clusterroles", "escalate", RBAC_GROUP, "clusterroles", None, False),
    ("create_clusterrolebindings", "create", RBAC_GROUP, "clusterrolebindings", None, False),
    ("create_rolebindings", "create", RBAC_GROUP, "rolebindings", None, True),
    ("impersonate_users", "impersonate", "", "users", None, False),
    ("impersonate_groups", "impersonate", "", "groups", None, False),
    ("impersonate_serviceaccounts", "impersonate", "", "serviceaccounts", None, True),
    ("approve_csr", "update", "certificates.k8s.io", "certificatesigningrequests", "approval", False),
    ("approve_signers", "approve", "certificates.k8s.io", "signers", None, False),
    ("mutating_webhooks", "patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", None, False),
    ("validating_webhooks", "patch", "admissionregistration.k8s.io", "validatingwebhookconfigurations", None, False),
    ("services_status", "update", "", "services", "status", True),
    ("write_endpoints", "create", "", "endpoints", None, True),
    ("write_configmaps", "update", "", "configmaps", None, True),
    ("create_persistent_volumes", "create", "", "persistentvolumes", None, False),
    ("delete_events", "delete", "", "events", None, True),
)


def class_probes(subjects=None, namespace="kube-system"):
    """The default probes and CLASS_PROBES for every support subject that is not a pattern (named
    ``<subject>:<probe>``)."""
    probes = default_probes(subjects)
    for spec in normalize_subjects(subjects):
        if any(ch in spec["name"] for ch in "*?["):
            continue
        user, groups = _identity_for(spec)
        for name, verb, group, resource, sub, namespaced in CLASS_PROBES:
            probes.append({"name": "%s:%s" % (spec["name"], name), "user": user, "groups": groups, "verb": verb,
                           "api_group": group, "resource": resource, "subresource": sub,
                           "namespace": namespace if namespaced else None})
    return probes


def _identity_for(spec):
    """(user, groups) that stands for a support subject spec in a SubjectAccessReview.

    Every real support credential is authenticated, so the API server puts it in system:authenticated too; the
    probe asks for that group as well, or a grant to all authenticated users would go unnoticed.
    """
    if spec["kind"] == "Group":
        return None, [spec["name"], "system:authenticated"]
    if spec["kind"] == "User":
        return spec["name"], ["system:authenticated"]
    namespace = spec.get("namespace") or "default"
    return ("system:serviceaccount:%s:%s" % (namespace, spec["name"]),
            ["system:serviceaccounts", "system:serviceaccounts:%s" % namespace, "system:authenticated"])


def default_probes(subjects=None):
    """The default SubjectAccessReview probes: DEFAULT_PROBES for every support subject that is not a pattern."""
    probes = []
    for spec in normalize_subjects(subjects):
        if any(ch in spec["name"] for ch in "*?["):
            continue
        user, groups = _identity_for(spec)
        for probe in DEFAULT_PROBES:
            item = dict(probe)
            item["name"] = "%s:%s" % (spec["name"], probe["name"])
            item["user"] = user
            item["groups"] = groups
            probes.append(item)
    return probes


PROBE_KEYS = ("name", "user", "groups", "verb", "resource", "subresource", "api_group", "namespace", "resource_name")


def probe_spec():
    """argument_spec of one entry of a ``probes`` option (documented in the support_subjects doc fragment)."""
    return dict(
        name=dict(type="str"),
        user=dict(type="str"),
        groups=dict(type="list", elements="str"),
        verb=dict(type="str", required=True),
        resource=dict(type="str", required=True),
        subresource=dict(type="str"),
        api_group=dict(type="str", default=""),
        namespace=dict(type="str"),
        resource_name=dict(type="str"),
    )


def normalize_probes(probes, subjects=None):
    """Validate probe specs; None -> default_probes(subjects). Raises ValueError naming the bad entry."""
    if probes is None:
        probes = default_probes(subjects)
    result = []
    for index, probe in enumerate(probes):
        if not isinstance(probe, dict):
            raise ValueError("probes[%d] must be a dictionary, got %r" % (index, probe))
        unknown = sorted(set(probe) - set(PROBE_KEYS))
        if unknown:
            raise ValueError("probes[%d] has unknown keys %s; allowed: %s" % (index, ", ".join(unknown), ", ".join(PROBE_KEYS)))
        item = dict((key, probe.get(key)) for key in PROBE_KEYS)
        item["groups"] = list(item["groups"] or [])
        if not item["user"] and not item["groups"]:
            raise ValueError("probes[%d] needs a user or groups" % index)
        if not item["verb"] or not item["resource"]:
            raise ValueError("probes[%d] needs verb and resource" % index)
        item["api_group"] = item["api_group"] or ""
        if not item["name"]:
            item["name"] = "%s %s%s%s" % (item["verb"], item["resource"],
                                          "/" + item["subresource"] if item["subresource"] else "",
                                          " in " + item["namespace"] if item["namespace"] else "")
        result.append(item)
    return result


def subject_access_review(probe):
    """The authorization.k8s.io/v1 SubjectAccessReview body for a normalised probe."""
    attrs = {"verb": probe["verb"], "resource": probe["resource"], "group": probe.get("api_group") or ""}
    for key, api_key in (("subresource", "subresource"), ("namespace", "namespace"), ("resource_name", "name")):
        if probe.get(key):
            attrs[api_key] = probe[key]
    spec = {"resourceAttributes": attrs}
    if probe.get("user"):
        spec["user"] = probe["user"]
    if probe.get("groups"):
        spec["groups"] = list(probe["groups"])
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}


def probe_result(probe, review):
    """A probe plus the SubjectAccessReview answer: allowed, denied, reason, evaluation_error."""
    status = (review or {}).get("status") or {}
    result = dict(probe)
    result.update({"allowed": bool(status.get("allowed")), "denied": bool(status.get("denied")),
                   "reason": status.get("reason") or "", "evaluation_error": status.get("evaluationError") or ""})
    return result


def rbac_summary(bindings, labelled, probes):
    """The summary of an RBAC scan: support_subjects_bound, capabilities (union), probes_allowed, clean."""
    capabilities = set()
    for binding in bindings:
        if binding["support_subjects"] or binding["support_role"]:
            capabilities.update(binding["capabilities"])
            capabilities.update(binding["restricted"])
    bound = any(b["support_subjects"] or (b["support_role"] and b["subjects"]) for b in bindings)
    allowed = sum(1 for p in probes if p["allowed"])
    return {
        "support_subjects_bound": bound,
        "capabilities": [c for c in CAPABILITIES if c in capabilities],
        "probes_allowed": allowed,
        "probes_total": len(probes),
        "bindings": len(bindings),
        "labelled_objects": len(labelled),
        "read_only_violations": sum(1 for b in bindings if b.get("read_only_violations")),
        "clean": not bound and not labelled and allowed == 0,
    }
