# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's RBAC authorizer against the rules of kube-apiserver's RBAC."""

from __future__ import annotations

import pytest

from sim.kube.rbac import Authorizer, aggregated_rules, bootstrap_policy, selector_matches

RBAC = "rbac.authorization.k8s.io"
READONLY = "crusoe:support:readonly"
OPERATOR = "crusoe:support:operator"
AUTHED = "system:authenticated"


def cluster_role(name, rules=None, labels=None, aggregation=None):
    obj = {"apiVersion": RBAC + "/v1", "kind": "ClusterRole", "metadata": {"name": name, "labels": labels or {}},
           "rules": rules or []}
    if aggregation is not None:
        obj["aggregationRule"] = {"clusterRoleSelectors": aggregation}
    return obj


def role(name, namespace, rules):
    return {"apiVersion": RBAC + "/v1", "kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": rules}


def group(name):
    return {"apiGroup": RBAC, "kind": "Group", "name": name}


def user(name):
    return {"apiGroup": RBAC, "kind": "User", "name": name}


def sa(name, namespace=None):
    subject = {"kind": "ServiceAccount", "name": name}
    if namespace:
        subject["namespace"] = namespace
    return subject


def crb(name, role_name, subjects):
    return {"apiVersion": RBAC + "/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role_name}, "subjects": subjects}


def rb(name, namespace, role_name, subjects, kind="ClusterRole"):
    return {"apiVersion": RBAC + "/v1", "kind": "RoleBinding", "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": RBAC, "kind": kind, "name": role_name}, "subjects": subjects}


def rule(verbs, groups, resources, names=None):
    out = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if names:
        out["resourceNames"] = names
    return out


READ = ["get", "list", "watch"]

# A cluster shaped like one with the crusoe-support-roles chart installed while only kube-system and
# crusoe-system existed, plus objects exercising the remaining rule forms.
OBJECTS = bootstrap_policy() + [
    cluster_role("crusoe-support-readonly", [rule(READ, [""], ["pods", "nodes", "namespaces", "events"]),
                                             rule(READ, ["apps"], ["deployments", "daemonsets"])]),
    cluster_role("crusoe-support-operator", [rule(READ, [""], ["pods", "nodes"]),
                                             rule(["delete"], [""], ["pods"]),
                                             rule(["create"], [""], ["pods/eviction"]),
                                             rule(["patch"], [""], ["nodes"]),
                                             rule(["patch", "update"], ["apps"], ["deployments/scale"])]),
    cluster_role("crusoe-support-debug", [rule(READ, [""], ["pods"]),
                                          rule(["create"], [""], ["pods/exec", "pods/portforward"])]),
    cluster_role("crusoe-support-logs", [rule(READ, [""], ["pods", "pods/log"])]),
    crb("crusoe-support-readonly-binding", "crusoe-support-readonly", [group(READONLY)]),
    crb("crusoe-support-operator-binding", "crusoe-support-operator", [group(OPERATOR)]),
    rb("crusoe-support-debug-binding", "kube-system", "crusoe-support-debug", [group(OPERATOR)]),
    rb("crusoe-support-logs-binding", "kube-system", "crusoe-support-logs", [group(READONLY), group(OPERATOR)]),
    # wildcards and subresource forms
    cluster_role("scaler", [rule(["update", "patch"], ["*"], ["*/scale"])]),
    cluster_role("pods-star", [rule(["*"], [""], ["pods/*"])]),
    cluster_role("everything-in-apps", [rule(["*"], ["apps"], ["*"])]),
    crb("scaler", "scaler", [user("scaler")]),
    crb("pods-star", "pods-star", [user("pods-star")]),
    crb("apps-admin", "everything-in-apps", [user("apps-admin")]),
    # resourceNames
    cluster_role("one-configmap", [rule(["get", "update", "list", "watch", "create", "delete"], [""], ["configmaps"],
                                        names=["settings"])]),
    rb("one-configmap", "team-a", "one-configmap", [user("alice")]),
    # a namespaced Role, used in its namespace only
    role("secret-reader", "team-a", [rule(["get"], [""], ["secrets"])]),
    rb("secret-reader", "team-a", "secret-reader", [user("bob"), sa("builder"), sa("deployer", "ci")], kind="Role"),
    rb("secret-reader", "team-b", "secret-reader", [user("bob")], kind="Role"),
    # ServiceAccounts: by subject, by group
    crb("ci-view", "view", [sa("robot", "ci")]),
    rb("all-sa-team-b", "team-b", "edit", [group("system:serviceaccounts:team-b")]),
    crb("all-sa-discovery", "system:discovery", [group("system:serviceaccounts")]),
    # non-resource URLs
    cluster_role("metrics", [{"verbs": ["get"], "nonResourceURLs": ["/metrics", "/debug/*", "/logs**"]}]),
    crb("metrics", "metrics", [user("prometheus")]),
    # aggregation with matchExpressions, transitively through another aggregated role
    cluster_role("monitoring", aggregation=[{"matchExpressions": [
        {"key": "example.com/aggregate-to-monitoring", "operator": "In", "values": ["true", "yes"]},
        {"key": "example.com/disabled", "operator": "DoesNotExist"}]}]),
    cluster_role("monitoring-pods", [rule(READ, [""], ["pods"])], labels={"example.com/aggregate-to-monitoring": "yes"}),
    cluster_role("monitoring-nodes", [rule(READ, [""], ["nodes"])],
                 labels={"example.com/aggregate-to-monitoring": "true", "example.com/disabled": "x"}),
    cluster_role("monitoring-other", [rule(READ, [""], ["services"])], labels={"example.com/aggregate-to-monitoring": "no"}),
    cluster_role("super-monitoring", aggregation=[{"matchLabels": {"example.com/super": "true"}}]),
    cluster_role("monitoring-leases", [rule(READ, ["coordination.k8s.io"], ["leases"])],
                 labels={"example.com/aggregate-to-monitoring": "true", "example.com/super": "true"}),
    crb("monitoring", "monitoring", [group("monitoring")]),
    crb("super-monitoring", "super-monitoring", [user("super")]),
    # dangling references
    crb("dangling", "does-not-exist", [user("ghost")]),
    rb("dangling-role", "team-a", "no-such-role", [user("ghost")], kind="Role"),
    # viewer and editor through the aggregated defaults
    crb("viewers", "view", [group("viewers")]),
    rb("team-a-editors", "team-a", "edit", [group("editors")]),
    rb("team-a-admins", "team-a", "admin", [user("team-a-admin")]),
]


def lister_for(objects):
    by_resource = {"ClusterRole": "clusterroles", "ClusterRoleBinding": "clusterrolebindings", "Role": "roles",
                   "RoleBinding": "rolebindings"}
    calls = []

    def lister(resource):
        calls.append(resource)
        return [o for o in objects if by_resource[o["kind"]] == resource]
    lister.calls = calls
    return lister


AUTHZ = Authorizer(lister_for(OBJECTS))


def res(verb, resource, namespace="", name="", group_="", subresource=""):
    return {"verb": verb, "apiGroup": group_, "resource": resource, "subresource": subresource, "name": name,
            "namespace": namespace}


def url(verb, path):
    return {"verb": verb, "path": path, "nonResource": True}


SUPPORT_RO = ("crusoe-support-readonly", [READONLY, AUTHED])
SUPPORT_OP = ("crusoe-support-operator", [OPERATOR, AUTHED])
ADMIN = ("admin", ["system:masters", AUTHED])
NOBODY = ("nobody", [AUTHED])

CASES = [
    # (id, identity, attrs, allowed)
    ("admin anything", ADMIN, res("delete", "secrets", "kube-system", "x"), True),
    ("admin nonresource", ADMIN, url("get", "/metrics"), True),
    ("admin custom group", ADMIN, res("patch", "clusterpolicies", "", "p", "nvidia.com"), True),
    ("authenticated has no resources", NOBODY, res("list", "pods", "default"), False),
    ("authenticated discovery", NOBODY, url("get", "/apis/apps/v1"), True),
    ("authenticated discovery /api", NOBODY, url("get", "/api"), True),
    ("authenticated version", NOBODY, url("get", "/version"), True),
    ("authenticated discovery only get", NOBODY, url("post", "/apis"), False),
    ("authenticated not metrics", NOBODY, url("get", "/metrics"), False),
    ("authenticated ssar", NOBODY, res("create", "selfsubjectaccessreviews", group_="authorization.k8s.io"), True),
    ("authenticated ssrr", NOBODY, res("create", "selfsubjectrulesreviews", group_="authorization.k8s.io"), True),
    ("authenticated ssr", NOBODY, res("create", "selfsubjectreviews", group_="authentication.k8s.io"), True),
    ("authenticated not sar", NOBODY, res("create", "subjectaccessreviews", group_="authorization.k8s.io"), False),
    ("unauthenticated healthz", ("system:anonymous", ["system:unauthenticated"]), url("get", "/healthz"), True),
    ("unauthenticated no discovery", ("system:anonymous", ["system:unauthenticated"]), url("get", "/apis"), False),
    ("groups are used as given", ("admin", []), res("get", "pods", "default", "x"), False),
    # support readonly / operator through the chart's bindings
    ("readonly lists pods anywhere", SUPPORT_RO, res("list", "pods", "default"), True),
    ("readonly lists pods cluster-wide", SUPPORT_RO, res("list", "pods"), True),
    ("readonly gets node", SUPPORT_RO, res("get", "nodes", "", "node-1"), True),
    ("readonly cannot delete pods", SUPPORT_RO, res("delete", "pods", "default", "p"), False),
    ("readonly group cannot exec", SUPPORT_RO, res("create", "pods", "kube-system", "p", subresource="exec"), False),
    ("readonly reads logs in kube-system", SUPPORT_RO, res("get", "pods", "kube-system", "p", subresource="log"), True),
    ("readonly no logs elsewhere", SUPPORT_RO, res("get", "pods", "default", "p", subresource="log"), False),
    ("readonly no secrets", SUPPORT_RO, res("get", "secrets", "kube-system", "s"), False),
    ("readonly wrong group", SUPPORT_RO, res("list", "deployments", "default", group_="extensions"), False),
    ("readonly apps group", SUPPORT_RO, res("list", "deployments", "default", group_="apps"), True),
    ("operator deletes pods", SUPPORT_OP, res("delete", "pods", "default", "p"), True),
    ("operator evicts", SUPPORT_OP, res("create", "pods", "default", "p", subresource="eviction"), True),
    ("operator cordons", SUPPORT_OP, res("patch", "nodes", "", "n"), True),
    ("operator cannot delete nodes", SUPPORT_OP, res("delete", "nodes", "", "n"), False),
    ("operator scales", SUPPORT_OP, res("update", "deployments", "default", "d", "apps", "scale"), True),
    ("operator scale is not the deployment", SUPPORT_OP, res("update", "deployments", "default", "d", "apps"), False),
    ("operator exec in kube-system via debug RoleBinding", SUPPORT_OP,
     res("create", "pods", "kube-system", "p", subresource="exec"), True),
    ("operator portforward in kube-system", SUPPORT_OP,
     res("create", "pods", "kube-system", "p", subresource="portforward"), True),
    ("operator cannot exec where the RoleBinding does not exist", SUPPORT_OP,
     res("create", "pods", "slurm", "p", subresource="exec"), False),
    ("operator cannot exec cluster-wide", SUPPORT_OP, res("create", "pods", "", "p", subresource="exec"), False),
    ("operator cannot attach", SUPPORT_OP, res("create", "pods", "kube-system", "p", subresource="attach"), False),
    # wildcards
    ("*/scale matches deployments/scale", ("scaler", []), res("patch", "deployments", "a", "d", "apps", "scale"), True),
    ("*/scale matches any group", ("scaler", []), res("update", "statefulsets", "a", "s", "apps", "scale"), True),
    ("*/scale not the resource", ("scaler", []), res("patch", "deployments", "a", "d", "apps"), False),
    ("*/scale not another subresource", ("scaler", []), res("patch", "deployments", "a", "d", "apps", "status"), False),
    ("pods/* is literal upstream", ("pods-star", []), res("create", "pods", "a", "p", subresource="exec"), False),
    ("pods/* does not match pods", ("pods-star", []), res("get", "pods", "a", "p"), False),
    ("* resource includes subresources", ("apps-admin", []), res("patch", "deployments", "a", "d", "apps", "scale"), True),
    ("* verb", ("apps-admin", []), res("deletecollection", "replicasets", "a", group_="apps"), True),
    ("* resource limited to its group", ("apps-admin", []), res("get", "pods", "a", "p"), False),
    # resourceNames
    ("resourceNames get named", ("alice", []), res("get", "configmaps", "team-a", "settings"), True),
    ("resourceNames update named", ("alice", []), res("update", "configmaps", "team-a", "settings"), True),
    ("resourceNames other name", ("alice", []), res("get", "configmaps", "team-a", "other"), False),
    ("resourceNames never list", ("alice", []), res("list", "configmaps", "team-a"), False),
    ("resourceNames never watch all", ("alice", []), res("watch", "configmaps", "team-a"), False),
    ("resourceNames never create without name", ("alice", []), res("create", "configmaps", "team-a"), False),
    ("resourceNames watch single object", ("alice", []), res("watch", "configmaps", "team-a", "settings"), True),
    ("resourceNames binding namespace only", ("alice", []), res("get", "configmaps", "team-b", "settings"), False),
    # Roles and RoleBinding scoping
    ("Role in its namespace", ("bob", []), res("get", "secrets", "team-a", "s"), True),
    ("Role binding in other namespace referencing missing Role", ("bob", []), res("get", "secrets", "team-b", "s"), False),
    ("Role not cluster-wide", ("bob", []), res("get", "secrets", "", "s"), False),
    ("Role not in third namespace", ("bob", []), res("get", "secrets", "default", "s"), False),
    ("RoleBinding of ClusterRole scoped", (("editor"), ["editors"]), res("create", "secrets", "team-a"), True),
    ("RoleBinding of ClusterRole elsewhere", ("editor", ["editors"]), res("create", "secrets", "team-b"), False),
    # ServiceAccounts
    ("SA subject defaults to binding namespace", ("system:serviceaccount:team-a:builder", []),
     res("get", "secrets", "team-a", "s"), True),
    ("SA subject in other namespace", ("system:serviceaccount:team-b:builder", []),
     res("get", "secrets", "team-a", "s"), False),
    ("SA subject explicit namespace", ("system:serviceaccount:ci:deployer", []), res("get", "secrets", "team-a", "s"), True),
    ("SA in CRB with namespace", ("system:serviceaccount:ci:robot", []), res("list", "deployments", "x", group_="apps"), True),
    ("SA name is not a user subject", ("robot", []), res("list", "deployments", "x", group_="apps"), False),
    ("SA namespace group",
     ("system:serviceaccount:team-b:default", ["system:serviceaccounts", "system:serviceaccounts:team-b", AUTHED]),
     res("create", "pods", "team-b", subresource="exec", name="p"), True),
    ("SA namespace group wrong namespace",
     ("system:serviceaccount:team-c:default", ["system:serviceaccounts", "system:serviceaccounts:team-c"]),
     res("create", "pods", "team-b", subresource="exec", name="p"), False),
    ("SA all group", ("system:serviceaccount:x:y", ["system:serviceaccounts"]), url("get", "/apis"), True),
    # non-resource URLs
    ("url exact", ("prometheus", []), url("get", "/metrics"), True),
    ("url exact only", ("prometheus", []), url("get", "/metrics/cadvisor"), False),
    ("url prefix", ("prometheus", []), url("get", "/debug/pprof/heap"), True),
    ("url prefix requires slash part", ("prometheus", []), url("get", "/debug"), False),
    ("url double star", ("prometheus", []), url("get", "/logsfoo"), True),
    ("url verb", ("prometheus", []), url("put", "/metrics"), False),
    ("url rules never match resources", ("prometheus", []), res("get", "metrics", "default", "x"), False),
    # aggregation
    ("aggregated In", ("m", ["monitoring"]), res("list", "pods", "default"), True),
    ("aggregated DoesNotExist excludes", ("m", ["monitoring"]), res("list", "nodes"), False),
    ("aggregated In excludes other value", ("m", ["monitoring"]), res("list", "services", "default"), False),
    ("aggregated leases", ("m", ["monitoring"]), res("get", "leases", "x", "l", "coordination.k8s.io"), True),
    ("aggregation over matchLabels", ("super", []), res("get", "leases", "x", "l", "coordination.k8s.io"), True),
    ("aggregation only matched", ("super", []), res("list", "pods", "default"), False),
    ("view aggregated", ("v", ["viewers"]), res("list", "deployments", "x", group_="apps"), True),
    ("view no secrets", ("v", ["viewers"]), res("get", "secrets", "x", "s"), False),
    ("view no exec", ("v", ["viewers"]), res("create", "pods", "x", "p", subresource="exec"), False),
    ("view pods/log", ("v", ["viewers"]), res("get", "pods", "x", "p", subresource="log"), True),
    ("edit includes view", ("e", ["editors"]), res("list", "pods", "team-a"), True),
    ("edit exec", ("e", ["editors"]), res("create", "pods", "team-a", "p", subresource="exec"), True),
    ("edit portforward", ("e", ["editors"]), res("create", "pods", "team-a", "p", subresource="portforward"), True),
    ("edit no roles", ("e", ["editors"]), res("create", "roles", "team-a", group_=RBAC), False),
    ("admin role roles", ("team-a-admin", []), res("create", "rolebindings", "team-a", group_=RBAC), True),
    ("admin role includes edit", ("team-a-admin", []), res("delete", "secrets", "team-a", "s"), True),
    ("admin role includes view", ("team-a-admin", []), res("list", "deployments", "team-a", group_="apps"), True),
    ("dangling role denies", ("ghost", []), res("get", "pods", "team-a", "p"), False),
]


@pytest.mark.parametrize("identity, attrs, allowed", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_authorize(identity, attrs, allowed):
    ok, reason = AUTHZ.authorize(identity[0], identity[1], attrs)
    assert ok is allowed, reason
    if ok:
        assert reason.startswith("RBAC: allowed by ")


@pytest.mark.parametrize("identity, attrs, expected", [
    (SUPPORT_OP, res("create", "pods", "kube-system", "p", subresource="exec"),
     'RBAC: allowed by RoleBinding "crusoe-support-debug-binding/kube-system" of ClusterRole "crusoe-support-debug" '
     'to Group "crusoe:support:operator"'),
    (SUPPORT_RO, res("list", "pods", "default"),
     'RBAC: allowed by ClusterRoleBinding "crusoe-support-readonly-binding" of ClusterRole "crusoe-support-readonly" '
     'to Group "crusoe:support:readonly"'),
    (ADMIN, res("get", "pods", "default", "p"),
     'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"'),
    (("bob", []), res("get", "secrets", "team-a", "s"),
     'RBAC: allowed by RoleBinding "secret-reader/team-a" of Role "secret-reader" to User "bob"'),
    (("system:serviceaccount:team-a:builder", []), res("get", "secrets", "team-a", "s"),
     'RBAC: allowed by RoleBinding "secret-reader/team-a" of Role "secret-reader" to ServiceAccount "builder/team-a"'),
    (("system:serviceaccount:ci:robot", []), res("get", "pods", "x", "p"),
     'RBAC: allowed by ClusterRoleBinding "ci-view" of ClusterRole "view" to ServiceAccount "robot/ci"'),
    (SUPPORT_OP, res("delete", "nodes", "", "n"), ""),
    (SUPPORT_RO, res("delete", "pods", "default", "p"), ""),
    (("ghost", []), res("get", "pods", "", "p"),
     'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found'),
    (("ghost", []), res("get", "pods", "team-a", "p"),
     'RBAC: [clusterrole.rbac.authorization.k8s.io "does-not-exist" not found, '
     'role.rbac.authorization.k8s.io "no-such-role" not found]'),
    (("bob", []), res("get", "secrets", "team-b", "s"), 'RBAC: role.rbac.authorization.k8s.io "secret-reader" not found'),
])
def test_reasons(identity, attrs, expected):
    ok, reason = AUTHZ.authorize(identity[0], identity[1], attrs)
    assert ok is expected.startswith("RBAC: allowed")
    assert reason == expected


def test_deny_reason_for_support_user_is_empty_without_errors():
    assert AUTHZ.authorize(*SUPPORT_RO, res("create", "pods", "kube-system", "p", subresource="exec")) == (False, "")


@pytest.mark.parametrize("selector, labels, expected", [
    ({}, {}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"b": ""}, False),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "x"}, False),
    ({"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]}, {"a": "1"}, False),
])
def test_selector_matches(selector, labels, expected):
    assert selector_matches(selector, labels) is expected


def test_aggregation_follows_label_changes():
    objects = [
        cluster_role("agg", aggregation=[{"matchLabels": {"x/agg": "true"}}]),
        cluster_role("part", [rule(["get"], [""], ["pods"])], labels={"x/agg": "true"}),
        crb("agg", "agg", [user("u")]),
    ]
    authz = Authorizer(lister_for(objects))
    assert authz.authorize("u", [], res("get", "pods", "a", "p"))[0] is True
    objects[1]["metadata"]["labels"] = {}
    assert authz.authorize("u", [], res("get", "pods", "a", "p"))[0] is False


def test_aggregation_ignores_own_rules_and_survives_cycles():
    objects = [
        cluster_role("a", [rule(["get"], [""], ["secrets"])], labels={"to-b": "true"},
                     aggregation=[{"matchLabels": {"to-a": "true"}}]),
        cluster_role("b", [rule(["get"], [""], ["configmaps"])], labels={"to-a": "true"},
                     aggregation=[{"matchLabels": {"to-b": "true"}}]),
        cluster_role("c", [rule(["get"], [""], ["pods"])], labels={"to-a": "true"}),
        crb("a", "a", [user("u")]),
    ]
    authz = Authorizer(lister_for(objects))
    assert authz.authorize("u", [], res("get", "pods", "n", "p"))[0] is True
    assert authz.authorize("u", [], res("get", "secrets", "n", "s"))[0] is False
    assert authz.authorize("u", [], res("get", "configmaps", "n", "c"))[0] is False


def test_lists_each_resource_at_most_once_per_request():
    lister = lister_for(OBJECTS)
    authz = Authorizer(lister)
    assert authz.authorize("team-a-admin", [AUTHED], res("create", "rolebindings", "team-a", group_=RBAC))[0]
    assert sorted(lister.calls) == sorted(set(lister.calls))


def test_rules_for_namespace_with_debug_binding():
    resource_rules, non_resource_rules = AUTHZ.rules_for(*SUPPORT_OP, "kube-system")
    assert {"verbs": ["create"], "apiGroups": [""], "resources": ["pods/exec", "pods/portforward"]} in resource_rules
    assert {"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]} in resource_rules
    assert {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]} in resource_rules
    urls = [u for r in non_resource_rules for u in r["nonResourceURLs"]]
    assert "/apis/*" in urls and "/healthz" in urls
    assert all("nonResourceURLs" not in r for r in resource_rules)


def test_rules_for_namespace_without_debug_binding():
    resource_rules = AUTHZ.rules_for(*SUPPORT_OP, "slurm")[0]
    assert not [r for r in resource_rules if "pods/exec" in r.get("resources", [])]
    assert {"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]} in resource_rules


def test_rules_for_resource_names_and_unknown_user():
    resource_rules = AUTHZ.rules_for("alice", [], "team-a")[0]
    assert resource_rules[0]["resourceNames"] == ["settings"]
    assert AUTHZ.rules_for("nobody", [], "default") == ([], [])


def test_bootstrap_policy_shape():
    objects = bootstrap_policy()
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for name in ("cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user",
                 "system:public-info-viewer"):
        assert ("ClusterRole", name) in names
    for name in ("cluster-admin", "system:discovery", "system:basic-user", "system:public-info-viewer"):
        assert ("ClusterRoleBinding", name) in names
    assert all(o["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults" for o in objects)
    by_name = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ClusterRoleBinding"}
    assert by_name["system:public-info-viewer"]["subjects"] == [group("system:authenticated"),
                                                                group("system:unauthenticated")]
    assert by_name["cluster-admin"]["subjects"] == [group("system:masters")]
    # fresh copies: callers may mutate what they get
    objects[0]["metadata"]["name"] = "changed"
    assert bootstrap_policy()[0]["metadata"]["name"] == "cluster-admin"


def test_bootstrap_aggregated_rules_are_written_like_the_controller():
    objects = bootstrap_policy()
    roles = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ClusterRole"}
    view = roles["view"]["rules"]
    assert view == aggregated_rules(objects, "view") == roles["system:aggregate-to-view"]["rules"]
    edit = roles["edit"]["rules"]
    assert all(r in edit for r in view)
    assert all(r in roles["admin"]["rules"] for r in edit)
    assert not any("secrets" in r.get("resources", []) for r in view)
    assert not any("pods/exec" in r.get("resources", []) for r in view)
