# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RBAC authorizer of the Kubernetes API emulator, with the semantics of kube-apiserver's RBAC.

Matching follows plugin/pkg/auth/authorizer/rbac and pkg/registry/rbac/validation:

- ClusterRoleBindings grant everywhere; RoleBindings only in their own namespace, referencing a Role of that
  namespace or a ClusterRole (whose rules then apply in the binding's namespace only).
- Subjects: User (exact name), Group (one of the request's groups), ServiceAccount (the user name
  ``system:serviceaccount:<ns>:<name>``; a subject without namespace takes the binding's namespace).
- Rules: verbs and apiGroups match exactly or by ``*``; resources match ``*``, the exact ``resource`` or
  ``resource/subresource`` string, or ``*/<subresource>`` (``pods/*`` is NOT a wildcard upstream); a rule with
  resourceNames matches only a request that carries one of those names; nonResourceURLs match ``*``, exactly, or by
  prefix when they end in ``*``.
- ClusterRoles with an aggregationRule get the union of the rules of every ClusterRole matched by one of its
  selectors (what the clusterrole-aggregation controller writes into them), resolved transitively.

Deny reasons are empty unless a binding references a role that does not exist, as kube-apiserver reports them.
"""

from __future__ import annotations

import copy

RBAC_GROUP = "rbac.authorization.k8s.io"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def _as_list(value):
    return list(value or [])


def _go_quote(text):
    """Render a string as Go's %q would for the plain names RBAC uses."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def selector_matches(selector, labels):
    """True if a metav1.LabelSelector (matchLabels + matchExpressions) matches a label map."""
    labels = labels or {}
    selector = selector or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key = expr.get("key")
        operator = expr.get("operator")
        values = _as_list(expr.get("values"))
        if operator == "In":
            if key not in labels or labels[key] not in values:
                return False
        elif operator == "NotIn":
            if key in labels and labels[key] in values:
                return False
        elif operator == "Exists":
            if key not in labels:
                return False
        elif operator == "DoesNotExist":
            if key in labels:
                return False
        else:
            return False
    return True


def verb_matches(rule, verb):
    return any(v in ("*", verb) for v in _as_list(rule.get("verbs")))


def api_group_matches(rule, group):
    return any(g in ("*", group) for g in _as_list(rule.get("apiGroups")))


def resource_matches(rule, combined, subresource):
    for res in _as_list(rule.get("resources")):
        if res in ("*", combined):
            return True
        if subresource and len(res) == len(subresource) + 2 and res.startswith("*/") and res.endswith(subresource):
            return True
    return False


def resource_name_matches(rule, name):
    names = _as_list(rule.get("resourceNames"))
    return not names or name in names


def non_resource_url_matches(rule, path):
    for url in _as_list(rule.get("nonResourceURLs")):
        if url in ("*", path):
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def rule_allows(attrs, rule):
    """RuleAllows: does one PolicyRule allow the request described by attrs."""
    verb = attrs.get("verb", "")
    if attrs.get("nonResource"):
        return verb_matches(rule, verb) and non_resource_url_matches(rule, attrs.get("path", ""))
    resource = attrs.get("resource", "")
    subresource = attrs.get("subresource", "") or ""
    combined = resource + "/" + subresource if subresource else resource
    return (verb_matches(rule, verb)
            and api_group_matches(rule, attrs.get("apiGroup", "") or "")
            and resource_matches(rule, combined, subresource)
            and resource_name_matches(rule, attrs.get("name", "") or ""))


def service_account_username(namespace, name):
    return SERVICE_ACCOUNT_PREFIX + namespace + ":" + name


def applies_to_user(user, groups, subject, namespace):
    kind = subject.get("kind")
    if kind == "User":
        return user == subject.get("name")
    if kind == "Group":
        return subject.get("name") in groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        if not sa_namespace:
            return False
        return user == service_account_username(sa_namespace, subject.get("name", ""))
    return False


def describe_subject(subject, binding_namespace):
    kind = subject.get("kind", "")
    name = subject.get("name", "")
    if kind == "ServiceAccount":
        return "%s %s" % (kind, _go_quote(name + "/" + (subject.get("namespace") or binding_namespace)))
    return "%s %s" % (kind, _go_quote(name))


def describe_binding(binding, subject, namespaced):
    meta = binding.get("metadata") or {}
    ref = binding.get("roleRef") or {}
    if namespaced:
        ns = meta.get("namespace", "")
        return "RoleBinding %s of %s %s to %s" % (
            _go_quote(meta.get("name", "") + "/" + ns), ref.get("kind", ""), _go_quote(ref.get("name", "")),
            describe_subject(subject, ns))
    return "ClusterRoleBinding %s of %s %s to %s" % (
        _go_quote(meta.get("name", "")), ref.get("kind", ""), _go_quote(ref.get("name", "")),
        describe_subject(subject, ""))


def _aggregate_errors(errors):
    """utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets."""
    seen = []
    for msg in errors:
        if msg not in seen:
            seen.append(msg)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


class _Resolver:
    """The state of one authorization: roles listed once, aggregated ClusterRoles resolved once."""

    def __init__(self, lister):
        self._lister = lister
        self._cluster_roles = None
        self._roles = None
        self._aggregated = {}

    def cluster_roles(self):
        if self._cluster_roles is None:
            self._cluster_roles = {}
            for obj in self._lister("clusterroles") or []:
                self._cluster_roles[(obj.get("metadata") or {}).get("name")] = obj
        return self._cluster_roles

    def roles(self):
        if self._roles is None:
            self._roles = {}
            for obj in self._lister("roles") or []:
                meta = obj.get("metadata") or {}
                self._roles[(meta.get("namespace"), meta.get("name"))] = obj
        return self._roles

    def cluster_role_rules(self, name, stack=()):
        if name in self._aggregated:
            return self._aggregated[name]
        role = self.cluster_roles().get(name)
        if role is None:
            return None
        agg = role.get("aggregationRule")
        if not agg:
            rules = _as_list(role.get("rules"))
        else:
            # What the aggregation controller writes: the deduplicated union of the matched roles' rules.
            rules = []
            for selector in _as_list(agg.get("clusterRoleSelectors")):
                for other_name, other in sorted(self.cluster_roles().items(), key=lambda kv: kv[0] or ""):
                    if other_name == name or other_name in stack:
                        continue
                    if not selector_matches(selector, (other.get("metadata") or {}).get("labels")):
                        continue
                    for rule in self.cluster_role_rules(other_name, stack + (name,)) or []:
                        if rule not in rules:
                            rules.append(rule)
        self._aggregated[name] = rules
        return rules

    def role_ref_rules(self, ref, binding_namespace):
        """GetRoleReferenceRules: (rules, error message or None)."""
        kind = ref.get("kind")
        name = ref.get("name", "")
        if kind == "Role":
            role = self.roles().get((binding_namespace, name))
            if role is None:
                return None, "role.rbac.authorization.k8s.io %s not found" % _go_quote(name)
            return _as_list(role.get("rules")), None
        if kind == "ClusterRole":
            rules = self.cluster_role_rules(name)
            if rules is None:
                return None, "clusterrole.rbac.authorization.k8s.io %s not found" % _go_quote(name)
            return rules, None
        return None, "unsupported role reference kind: %s" % _go_quote(kind or "")


class Authorizer:
    """RBAC over the objects a lister returns; lister(resource) gives every stored object of that resource."""

    def __init__(self, lister):
        self._lister = lister

    def _visit(self, user, groups, namespace, resolver):
        """Yield (describer, rule, error) like VisitRulesFor: ClusterRoleBindings, then the namespace's RoleBindings."""
        groups = list(groups or [])
        for binding in self._lister("clusterrolebindings") or []:
            subject = self._applies(user, groups, binding, "")
            if subject is None:
                continue
            rules, err = resolver.role_ref_rules(binding.get("roleRef") or {}, "")
            if err:
                yield None, None, err
                continue
            for rule in rules:
                yield (binding, subject, False), rule, None
        if not namespace:
            return
        for binding in self._lister("rolebindings") or []:
            if (binding.get("metadata") or {}).get("namespace") != namespace:
                continue
            subject = self._applies(user, groups, binding, namespace)
            if subject is None:
                continue
            rules, err = resolver.role_ref_rules(binding.get("roleRef") or {}, namespace)
            if err:
                yield None, None, err
                continue
            for rule in rules:
                yield (binding, subject, True), rule, None

    @staticmethod
    def _applies(user, groups, binding, namespace):
        for subject in _as_list(binding.get("subjects")):
            if applies_to_user(user, groups, subject, namespace):
                return subject
        return None

    def authorize(self, user, groups, attrs):
        """(allowed, reason) for one request.

        attrs: {"verb", "apiGroup", "resource", "subresource", "name", "namespace"} for a resource request,
        {"verb", "path", "nonResource": True} for a non-resource request.
        """
        resolver = _Resolver(self._lister)
        namespace = "" if attrs.get("nonResource") else (attrs.get("namespace") or "")
        errors = []
        for source, rule, err in self._visit(user, groups, namespace, resolver):
            if err:
                errors.append(err)
                continue
            if rule_allows(attrs, rule):
                return True, "RBAC: allowed by " + describe_binding(*source)
        if errors:
            return False, "RBAC: " + _aggregate_errors(errors)
        return False, ""

    def rules_for(self, user, groups, namespace):
        """(resourceRules, nonResourceRules) as SelfSubjectRulesReview reports them for the namespace."""
        resolver = _Resolver(self._lister)
        resource_rules = []
        non_resource_rules = []
        for _source, rule, err in self._visit(user, groups, namespace or "", resolver):
            if err:
                continue
            if rule.get("resources"):
                entry = {"verbs": _as_list(rule.get("verbs"))}
                for key in ("apiGroups", "resources", "resourceNames"):
                    if rule.get(key):
                        entry[key] = _as_list(rule.get(key))
                resource_rules.append(entry)
            if rule.get("nonResourceURLs"):
                non_resource_rules.append({"verbs": _as_list(rule.get("verbs")),
                                           "nonResourceURLs": _as_list(rule.get("nonResourceURLs"))})
        return resource_rules, non_resource_rules


def aggregated_rules(cluster_roles, name):
    """The rules the aggregation controller writes into ClusterRole `name` (its own rules if not aggregated)."""
    objects = list(cluster_roles)
    resolver = _Resolver(lambda resource: objects if resource == "clusterroles" else [])
    return copy.deepcopy(resolver.cluster_role_rules(name))


# ---------------------------------------------------------------------------------------------------------------
# Bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), the subset every emulated cluster carries.

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}


def _rule(verbs, groups=None, resources=None, urls=None):
    rule = {"verbs": sorted(verbs)}
    if urls is not None:
        rule["nonResourceURLs"] = list(urls)
        return rule
    rule["apiGroups"] = list(groups)
    rule["resources"] = sorted(resources)
    return rule


def _cluster_role(name, rules=None, labels=None, aggregate_from=None):
    obj = {
        "apiVersion": RBAC_GROUP + "/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name, "labels": dict(BOOTSTRAP_LABELS, **(labels or {})), "annotations": dict(AUTOUPDATE)},
        "rules": rules or [],
    }
    if aggregate_from:
        obj["aggregationRule"] = {"clusterRoleSelectors": [
            {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-" + aggregate_from: "true"}}]}
    return obj


def _cluster_role_binding(name, role, groups):
    return {
        "apiVersion": RBAC_GROUP + "/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": dict(BOOTSTRAP_LABELS), "annotations": dict(AUTOUPDATE)},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": g} for g in groups],
    }


def _aggregate_to_view_rules():
    return [
        _rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                           "services/status", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
                           "configmaps"]),
        _rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status",
                           "namespaces/status", "replicationcontrollers/status", "pods/log"]),
        _rule(READ, [""], ["namespaces"]),
        _rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        _rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/scale", "statefulsets/status",
                               "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                               "deployments/status", "replicasets", "replicasets/scale", "replicasets/status"]),
        _rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        _rule(READ, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        _rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                     "deployments/status", "ingresses", "ingresses/status", "replicasets",
                                     "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
                                     "networkpolicies"]),
        _rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        _rule(READ, ["networking.k8s.io"], ["networkpolicies", "ingresses", "ingresses/status"]),
    ]


def _aggregate_to_edit_rules():
    return [
        _rule(READ, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"]),
        _rule(["impersonate"], [""], ["serviceaccounts"]),
        _rule(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        _rule(["create"], [""], ["pods/eviction"]),
        _rule(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                            "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
        _rule(["create"], [""], ["serviceaccounts/token"]),
        _rule(WRITE, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                                "deployments/rollback", "replicasets", "replicasets/scale"]),
        _rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        _rule(WRITE, ["batch"], ["jobs", "cronjobs"]),
        _rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses",
                                      "replicasets", "replicasets/scale", "replicationcontrollers/scale",
                                      "networkpolicies"]),
        _rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        _rule(WRITE, ["networking.k8s.io"], ["networkpolicies", "ingresses"]),
        _rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
    ]


def _aggregate_to_admin_rules():
    return [
        _rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        _rule(READ_WRITE, [RBAC_GROUP], ["roles", "rolebindings"]),
    ]


def bootstrap_policy():
    """The default ClusterRoles and ClusterRoleBindings of a new cluster (fresh copies on every call).

    Aggregated roles (admin, edit, view) carry their aggregationRule and, as on a running cluster, the rules the
    aggregation controller has already written into them.
    """
    discovery_urls = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
                      "/version", "/version/"]
    public_urls = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
    roles = [
        _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _rule(["*"], urls=["*"])]),
        _cluster_role("admin", aggregate_from="admin"),
        _cluster_role("edit", labels={"rbac.authorization.k8s.io/aggregate-to-admin": "true"}, aggregate_from="edit"),
        _cluster_role("view", labels={"rbac.authorization.k8s.io/aggregate-to-edit": "true"}, aggregate_from="view"),
        _cluster_role("system:aggregate-to-admin", _aggregate_to_admin_rules(),
                      labels={"rbac.authorization.k8s.io/aggregate-to-admin": "true"}),
        _cluster_role("system:aggregate-to-edit", _aggregate_to_edit_rules(),
                      labels={"rbac.authorization.k8s.io/aggregate-to-edit": "true"}),
        _cluster_role("system:aggregate-to-view", _aggregate_to_view_rules(),
                      labels={"rbac.authorization.k8s.io/aggregate-to-view": "true"}),
        _cluster_role("system:discovery", [_rule(["get"], urls=discovery_urls)]),
        _cluster_role("system:basic-user", [
            _rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            _rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
        ]),
        _cluster_role("system:public-info-viewer", [_rule(["get"], urls=public_urls)]),
    ]
    for role in roles:
        if role.get("aggregationRule"):
            role["rules"] = aggregated_rules(roles, role["metadata"]["name"])
    bindings = [
        _cluster_role_binding("cluster-admin", "cluster-admin", ["system:masters"]),
        _cluster_role_binding("system:discovery", "system:discovery", ["system:authenticated"]),
        _cluster_role_binding("system:basic-user", "system:basic-user", ["system:authenticated"]),
        _cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                              ["system:authenticated", "system:unauthenticated"]),
    ]
    return roles + bindings
