# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider-neutral facts about support access: the one place they are defined.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import fnmatch
import re

# Crusoe Managed Kubernetes (seed documents 000 and 001, reference/crusoe-api.md).
CRUSOE_SUPPORT_VPN_ADDRESS = "4.7.95.218"
CRUSOE_SUPPORT_VPN_CIDR = "4.7.95.218/32"
CRUSOE_SUPPORT_API_PORT = "443"
CRUSOE_CP_FIREWALL_RULE_PREFIX = "cmk-cp-api-access-cp-"

CRUSOE_SUPPORT_ROLES = ("readonly", "operator")
CRUSOE_SUPPORT_GROUPS = ("crusoe:support:readonly", "crusoe:support:operator")

CRUSOE_MANAGED_NAMESPACES = (
    "crusoe-system",
    "kube-system",
    "nvidia-gpu-operator",
    "nvidia-network-operator",
    "kube-amd-gpu",
    "kube-amd-network",
    "slinky",
    "slurm",
)

CRUSOE_CHART_NAME = "crusoe-support-roles"
CRUSOE_CHART_RELEASE = "crusoe-support-roles"
CRUSOE_CHART_NAMESPACE = "crusoe-system"
CRUSOE_CHART_REPO_URL = "https://crusoecloud.github.io/crusoe-support-roles-helm-charts/charts"
CRUSOE_CHART_INSTANCE_LABEL = "app.kubernetes.io/instance"
CRUSOE_MANAGED_LABEL = "crusoe.ai/managed"
CRUSOE_CHART_NAME_LABEL = "app.kubernetes.io/name"

# CoreWeave CKS (seed document 002, reference/coreweave.md).
COREWEAVE_SUPPORT_CLUSTER_ROLES = ("teleport-cluster-viewers", "teleport-cluster-super-admins")
COREWEAVE_SUPPORT_SSH_USER = "acc"
COREWEAVE_APPROVED_ACCESS_HOURS = 8
COREWEAVE_PENDING_REQUEST_HOURS = 2

# Labels the support chart puts on every object it creates (reference/crusoe-api.md).
# What positively identifies the support chart's objects. crusoe.ai/managed=true alone does not: other
# Crusoe-managed charts (crusoe-watch-agent, ...) carry it too, and their RBAC must never be touched.
CRUSOE_CHART_LABELS = {CRUSOE_CHART_INSTANCE_LABEL: CRUSOE_CHART_RELEASE, CRUSOE_CHART_NAME_LABEL: CRUSOE_CHART_NAME}

# ---------------------------------------------------------------------------------------------------------------
# Everything below is logic, not facts: pure functions over Kubernetes objects as plain dicts (as the API returns
# them), so they are unit tested without a cluster and shared by the modules and roles.
# ---------------------------------------------------------------------------------------------------------------

RBAC_GROUP = "rbac.authorization.k8s.io"

# What a binding grants, in plain terms. Each capability is a list of (verbs, apiGroup, resource, subresource)
# any one of which suffices. Order is the order reports list them in.
CAPABILITY_CHECKS = (
    ("full_access", ((("*",), "*", "*", None),)),
    ("read_all", ((("get", "list"), "*", "*", None),)),
    ("exec_pods", ((("create",), "", "pods", "exec"), (("get",), "", "pods", "exec"))),
    ("attach_pods", ((("create",), "", "pods", "attach"), (("get",), "", "pods", "attach"))),
    ("portforward_pods", ((("create",), "", "pods", "portforward"), (("get",), "", "pods", "portforward"))),
    ("read_pod_logs", ((("get",), "", "pods", "log"),)),
    ("read_secrets", ((("get",), "", "secrets", None), (("list",), "", "secrets", None), (("watch",), "", "secrets", None))),
    ("create_pods", ((("create",), "", "pods", None),)),
    ("delete_pods", ((("delete",), "", "pods", None), (("deletecollection",), "", "pods", None))),
    ("evict_pods", ((("create",), "", "pods", "eviction"),)),
    ("patch_nodes", ((("patch",), "", "nodes", None), (("update",), "", "nodes", None))),
    ("modify_workloads", tuple(
        ((verb,), group, resource, sub)
        for verb in ("create", "update", "patch", "delete")
        for group, resource in (("apps", "deployments"), ("apps", "daemonsets"), ("apps", "statefulsets"),
                                ("apps", "replicasets"), ("batch", "jobs"), ("batch", "cronjobs"))
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
)
CAPABILITIES = tuple(name for name, _checks in CAPABILITY_CHECKS)

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
    """Whether one subject of a binding grants to the support subject ``spec`` ({kind, name, namespace}).

    Groups and Users match by name (glob patterns allowed in the spec); a ServiceAccount spec also matches a binding
    to the User ``system:serviceaccount:<ns>:<name>`` and to the groups ``system:serviceaccounts`` and
    ``system:serviceaccounts:<ns>`` that every ServiceAccount is in.
    """
    kind, name, namespace = _subject_identity(binding_subject, binding_namespace)
    if spec["kind"] == "ServiceAccount":
        if kind == "Group":
            if name == "system:serviceaccounts":
                return True
            if spec.get("namespace") and name == "system:serviceaccounts:%s" % spec["namespace"]:
                return True
            return False
        if kind != "ServiceAccount" or not fnmatch.fnmatchcase(name, spec["name"]):
            return False
        return not spec.get("namespace") or namespace == spec["namespace"]
    return kind == spec["kind"] and fnmatch.fnmatchcase(name, spec["name"])


def matching_subjects(binding, specs):
    """The subjects of ``binding`` that are support subjects, as plain {kind, name, namespace} dicts."""
    binding_namespace = (binding.get("metadata") or {}).get("namespace")
    found = []
    for subject in binding.get("subjects") or []:
        if any(subject_matches(subject, spec, binding_namespace) for spec in specs):
            found.append({"kind": subject.get("kind"), "name": subject.get("name"),
                          "namespace": subject.get("namespace") or None})
    return found


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


def analyze_rules(rules):
    """What a list of PolicyRules grants, in plain terms.

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
        for verbs, group, resource, sub in checks:
            for rule in rules or []:
                if not all(rule_allows(rule, verb, group, resource, sub) for verb in verbs):
                    continue
                if rule.get("resourceNames"):
                    names.update(rule["resourceNames"])
                    continue
                full = True
                if verbs != ("get",):
                    create_granted = True
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


def has_labels(obj, labels):
    """Whether ``obj`` carries any of ``labels`` (a dict key -> value) with that value."""
    present = (obj.get("metadata") or {}).get("labels") or {}
    return any(present.get(key) == value for key, value in labels.items())


def chart_labels(release=CRUSOE_CHART_RELEASE):
    """The labels that mark an object as the support chart's: its Helm release, or the chart's name (either one
    suffices). ``crusoe.ai/managed=true`` is not one of them: other Crusoe-managed charts carry it too."""
    return {CRUSOE_CHART_INSTANCE_LABEL: release, CRUSOE_CHART_NAME_LABEL: CRUSOE_CHART_NAME}


def object_ref(obj, kind=None):
    """A short reference to an object: {kind, name, namespace, uid}."""
    meta = obj.get("metadata") or {}
    return {"kind": kind or obj.get("kind"), "name": meta.get("name"), "namespace": meta.get("namespace"),
            "uid": meta.get("uid")}


def check_page_size(page_size):
    """Validate a module's page_size option (objects per list page); raises ValueError unless it is at least 1."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1, got %d" % page_size)


def delete_options(uid, grace_period_seconds=None):
    """The DeleteOptions body that deletes only the object with this uid (its dependents in the background)."""
    body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid}, "propagationPolicy": "Background"}
    if grace_period_seconds is not None:
        body["gracePeriodSeconds"] = grace_period_seconds
    return body


def delete_outcome(answer):
    """What a DELETE with delete_options() did, from its answer (404 and 409 accepted): "deleted", "gone" (404) or
    "replaced (uid changed)" (409: the uid precondition failed)."""
    if isinstance(answer, dict) and answer.get("kind") == "Status" and answer.get("status") == "Failure":
        return "gone" if answer.get("code") == 404 else "replaced (uid changed)"
    return "deleted"


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
                     support_cluster_roles=(), labels=None, read_only_roles=()):
    """Every ClusterRoleBinding and RoleBinding that grants something to a support subject, binds a support
    ClusterRole (to anyone) or carries the support chart's labels, with what it grants.

    ``cluster_roles``/``roles`` are lists of objects; ``subjects`` support subject specs (default: the Crusoe
    support groups); ``labels`` the chart labels (default: chart_labels()).
    Returns a list of dicts: kind, name, namespace, uid, role_ref, role_found, subjects, support_subjects,
    support_role, chart_managed, capabilities, restricted, flags, expected (``read-only`` for a binding of one of
    ``read_only_roles``, else None) and read_only_violations (read_only_violations() for those, else []).
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
            via_role = role_ref.get("kind") == "ClusterRole" and role_ref.get("name") in support_roles
            managed = has_labels(binding, labels)
            if not (support or via_role or managed):
                continue
            if role_ref.get("kind") == "ClusterRole":
                rules = cluster_role_rules(role_ref.get("name"), cr_by_name)
            else:
                role = role_by_key.get((meta.get("namespace"), role_ref.get("name")))
                rules = None if role is None else list(role.get("rules") or [])
            grants = analyze_rules(rules or [])
            entry = object_ref(binding, kind)
            entry.update({
                "role_ref": {"kind": role_ref.get("kind"), "name": role_ref.get("name")},
                "role_found": rules is not None,
                "subjects": [{"kind": s.get("kind"), "name": s.get("name"), "namespace": s.get("namespace") or None}
                             for s in binding.get("subjects") or []],
                "support_subjects": support,
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


# ---------------------------------------------------------------------------------------------------------------
# Diagnostic pods: node-shell, `kubectl debug node`, nsenter helpers left behind by a support session.
# ---------------------------------------------------------------------------------------------------------------

DIAGNOSTIC_NAME_PREFIXES = ("node-shell-", "node-debugger-", "nsenter-")
DIAGNOSTIC_MANAGERS = ("kubectl-debug", "node-shell", "kubectl-node_shell", "kubectl-node-shell", "nsenter")
# `kubectl debug node/...` labels the pod it creates (its managedFields manager is just "kubectl").
DIAGNOSTIC_LABELS = {"app.kubernetes.io/managed-by": "kubectl-debug"}
VERDICT_CONFIRMED = "confirmed"
VERDICT_SUSPICIOUS = "suspicious"
_HOST_COMMAND = re.compile(r"(^|[\s/;&|'\"])(nsenter|chroot)(\s|$)")


def _containers(spec, ephemeral=True):
    kinds = ("initContainers", "containers", "ephemeralContainers") if ephemeral else ("initContainers", "containers")
    for kind in kinds:
        yield from spec.get(kind) or []


def controller_owner(pod):
    """The ownerReference with controller: true ({kind, name, uid}) or None for a bare pod."""
    for ref in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return {"kind": ref.get("kind"), "name": ref.get("name"), "uid": ref.get("uid")}
    return None


def normalize_patterns(patterns, option):
    """Validate namespace/name glob patterns; a bare pattern means any namespace. Raises ValueError."""
    result = []
    for pattern in patterns or []:
        if not isinstance(pattern, str) or not pattern.strip():
            raise ValueError("%s entries must be non-empty 'namespace/name' glob patterns, got %r" % (option, pattern))
        pattern = pattern.strip()
        if pattern.count("/") > 1:
            raise ValueError("%s entry %r must look like 'namespace/name' (globs allowed)" % (option, pattern))
        result.append(pattern if "/" in pattern else "*/" + pattern)
    return result


def pattern_match(namespace, name, patterns):
    """The first 'namespace/name' glob in ``patterns`` that matches, or None."""
    for pattern in patterns or []:
        ns_pattern, name_pattern = pattern.split("/", 1)
        if fnmatch.fnmatchcase(namespace or "", ns_pattern) and fnmatch.fnmatchcase(name or "", name_pattern):
            return pattern
    return None


def pod_signals(pod, managers=DIAGNOSTIC_MANAGERS, marker_labels=None, marker_annotations=None,
                name_prefixes=DIAGNOSTIC_NAME_PREFIXES):
    """Everything about a pod that hints at a diagnostic or host-level helper, as a sorted list of signal names.

    ``marker_labels`` add to DIAGNOSTIC_LABELS (label -> value, None/""/"*" for any value).

    diagnostic_name, diagnostic_manager, diagnostic_label, diagnostic_annotation (markers); host_pid, host_network,
    host_ipc, privileged, host_root_mount, host_path, host_command (host access); ephemeral_debug_container;
    bare_pod.
    """
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    signals = set()
    name = meta.get("name") or ""
    if any(name.startswith(prefix) for prefix in name_prefixes):
        signals.add("diagnostic_name")
    for entry in meta.get("managedFields") or []:
        # Only a manager that wrote the pod itself counts: `kubectl debug <pod>` writes the ephemeralcontainers
        # subresource of a customer's pod, which does not make that pod a diagnostic one.
        if not entry.get("subresource") and entry.get("manager") in managers:
            signals.add("diagnostic_manager")
    labels = meta.get("labels") or {}
    wanted = dict(DIAGNOSTIC_LABELS)
    wanted.update(marker_labels or {})
    for key, value in wanted.items():
        if key in labels and (value in (None, "", "*") or labels[key] == value):
            signals.add("diagnostic_label")
    annotations = meta.get("annotations") or {}
    for key, value in (marker_annotations or {}).items():
        if key in annotations and (value in (None, "", "*") or annotations[key] == value):
            signals.add("diagnostic_annotation")
    for flag, signal in (("hostPID", "host_pid"), ("hostNetwork", "host_network"), ("hostIPC", "host_ipc")):
        if spec.get(flag):
            signals.add(signal)
    for volume in spec.get("volumes") or []:
        host_path = volume.get("hostPath")
        if host_path is not None:
            signals.add("host_path")
            if (host_path.get("path") or "").rstrip("/") == "":
                signals.add("host_root_mount")
    for container in _containers(spec):
        if ((container.get("securityContext") or {}).get("privileged")):
            signals.add("privileged")
        words = [str(w) for w in (container.get("command") or []) + (container.get("args") or [])]
        if any(_HOST_COMMAND.search(w) or w.rsplit("/", 1)[-1] in ("nsenter", "chroot") for w in words):
            signals.add("host_command")
    if spec.get("ephemeralContainers"):
        signals.add("ephemeral_debug_container")
    if controller_owner(pod) is None:
        signals.add("bare_pod")
    return sorted(signals)


MARKER_SIGNALS = ("diagnostic_name", "diagnostic_manager", "diagnostic_label", "diagnostic_annotation")
HOST_SIGNALS = ("host_pid", "host_network", "host_ipc", "privileged", "host_root_mount", "host_command")
STRONG_HOST_SIGNALS = ("host_pid", "privileged", "host_root_mount", "host_command")


def pod_verdict(signals, allow_listed=False, deny_listed=False):
    """``confirmed`` (a diagnostic pod, safe to delete), ``suspicious`` (report only) or None.

    Confirmed needs a bare pod with a diagnostic marker (or on the deny list) AND host-level access, or a bare pod on
    the deny list. A pod with a controller owner is never confirmed, nor is one on the allow list, nor one with an
    ephemeral debug container (deleting it would kill the workload it debugs) unless it is on the deny list.
    """
    if allow_listed:
        return None
    signals = set(signals)
    marker = bool(signals.intersection(MARKER_SIGNALS))
    host = bool(signals.intersection(HOST_SIGNALS))
    strong = bool(signals.intersection(STRONG_HOST_SIGNALS))
    if "bare_pod" not in signals:
        # Controller-owned: GPU operators, CNI and monitoring DaemonSets legitimately run privileged with hostPath /,
        # so only a diagnostic marker, the deny list or a debug container makes them worth a look.
        if marker or deny_listed or "ephemeral_debug_container" in signals:
            return VERDICT_SUSPICIOUS
        return None
    if "ephemeral_debug_container" in signals and not deny_listed:
        return VERDICT_SUSPICIOUS
    if deny_listed or (marker and host):
        return VERDICT_CONFIRMED
    if marker or strong or "ephemeral_debug_container" in signals:
        return VERDICT_SUSPICIOUS
    return None


def classify_pod(pod, allow=(), deny=(), managed_namespaces=CRUSOE_MANAGED_NAMESPACES, managers=DIAGNOSTIC_MANAGERS,
                 marker_labels=None, marker_annotations=None):
    """One pod's report entry: namespace, name, uid, node, owner, phase, signals, verdict, in_managed_namespace,
    terminating, allow_listed/deny_listed (the matching pattern or None). ``allow``/``deny`` are normalised patterns
    (normalize_patterns)."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    signals = pod_signals(pod, managers=managers, marker_labels=marker_labels, marker_annotations=marker_annotations)
    allowed = pattern_match(namespace, name, allow)
    denied = None if allowed else pattern_match(namespace, name, deny)
    if denied:
        signals = sorted(set(signals) | {"deny_listed"})
    if allowed:
        signals = sorted(set(signals) | {"allow_listed"})
    return {
        "namespace": namespace,
        "name": name,
        "uid": meta.get("uid"),
        "node": spec.get("nodeName"),
        "owner": controller_owner(pod),
        "phase": (pod.get("status") or {}).get("phase"),
        "created": meta.get("creationTimestamp"),
        "signals": signals,
        "verdict": pod_verdict(signals, allow_listed=bool(allowed), deny_listed=bool(denied)),
        "in_managed_namespace": namespace in managed_namespaces,
        "terminating": bool(meta.get("deletionTimestamp")),
        "allow_listed": allowed,
        "deny_listed": denied,
    }


def pods_summary(entries, deleted=(), would_delete=()):
    """Counts over classified pods: scanned, confirmed, suspicious, in_managed_namespaces, deleted, would_delete."""
    return {
        "scanned": len(entries),
        "confirmed": sum(1 for e in entries if e["verdict"] == VERDICT_CONFIRMED),
        "suspicious": sum(1 for e in entries if e["verdict"] == VERDICT_SUSPICIOUS),
        "in_managed_namespaces": sum(1 for e in entries if e["verdict"] and e["in_managed_namespace"]),
        "deleted": len(deleted),
        "would_delete": len(would_delete),
    }
