# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the provider-neutral RBAC logic in _rbac.py."""

from __future__ import annotations

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _rbac, _support


def rule(verbs, resources, groups=("",), names=None, non_resource=None):
    r = {"verbs": list(verbs), "apiGroups": list(groups), "resources": list(resources)}
    if names:
        r["resourceNames"] = list(names)
    if non_resource:
        r = {"verbs": list(verbs), "nonResourceURLs": list(non_resource)}
    return r


# ---------------------------------------------------------------------------------------------------------------
# capability mapping
# ---------------------------------------------------------------------------------------------------------------

CAPABILITY_TABLE = [
    ("create pods/exec", [rule(["create"], ["pods/exec"])], {"exec_pods"}, []),
    ("get pods/exec is websocket exec", [rule(["get"], ["pods/exec"])], {"exec_pods"}, ["exec_pods_via_get"]),
    ("get pods/* is a literal name upstream: grants nothing, flagged as exec as written", [rule(["get"], ["pods/*"])], set(),
     ["literal_subresource_wildcard", "exec_pods_via_subresource_wildcard"]),
    ("list pods/* is not exec as written", [rule(["list"], ["pods/*"])], set(), ["literal_subresource_wildcard"]),
    ("get pods/* on named pods only is not flagged as exec", [rule(["get"], ["pods/*"], names=["p"])], set(),
     ["literal_subresource_wildcard"]),
    ("get pods/* in another group is not exec", [rule(["get"], ["pods/*"], groups=["example.com"])], set(),
     ["literal_subresource_wildcard"]),
    ("get * in core", [rule(["get"], ["*"])],
     {"exec_pods", "attach_pods", "portforward_pods", "node_proxy", "read_pod_logs", "read_secrets"},
     ["exec_pods_via_get", "attach_pods_via_get", "portforward_pods_via_get"]),
    ("get+create pods/exec is not flagged", [rule(["get", "create"], ["pods/exec"])], {"exec_pods"}, []),
    ("portforward", [rule(["create"], ["pods/portforward"])], {"portforward_pods"}, []),
    ("attach", [rule(["create"], ["pods/attach"])], {"attach_pods"}, []),
    ("pod logs", [rule(["get", "list"], ["pods", "pods/log"])], {"read_pod_logs"}, []),
    ("list secrets", [rule(["list"], ["secrets"])], {"read_secrets"}, []),
    ("secrets in another group are not secrets", [rule(["get"], ["secrets"], groups=["example.com"])], set(), []),
    ("delete pods", [rule(["delete"], ["pods"])], {"delete_pods"}, []),
    ("evict", [rule(["create"], ["pods/eviction"])], {"evict_pods"}, []),
    ("patch nodes", [rule(["patch"], ["nodes"])], {"patch_nodes"}, []),
    ("update nodes/status is not patch nodes", [rule(["update", "patch"], ["nodes/status"])], set(), []),
    ("create pods", [rule(["create"], ["pods"])], {"create_pods"}, []),
    ("patch deployments", [rule(["patch"], ["deployments"], groups=["apps"])], {"modify_workloads"}, []),
    ("scale via */scale", [rule(["update"], ["*/scale"], groups=["apps"])], {"modify_workloads"}, []),
    ("jobs", [rule(["create"], ["jobs"], groups=["batch"])], {"modify_workloads"}, []),
    ("rbac bind", [rule(["bind"], ["clusterroles"], groups=[_rbac.RBAC_GROUP])], {"modify_rbac"}, []),
    ("impersonate groups", [rule(["impersonate"], ["groups"])], {"impersonate"}, []),
    ("view-like read all", [rule(["get", "list", "watch"], ["*"], groups=["*"])],
     {"read_all", "exec_pods", "attach_pods", "portforward_pods", "node_proxy", "read_pod_logs", "read_secrets"},
     ["exec_pods_via_get", "attach_pods_via_get", "portforward_pods_via_get"]),
    ("cluster-admin", [rule(["*"], ["*"], groups=["*"]), rule(["*"], [], non_resource=["*"])],
     set(_rbac.CAPABILITIES), ["all_non_resource_urls"]),
    ("non-resource only grants nothing", [rule(["get"], [], non_resource=["/healthz"])], set(), []),
    ("list pods only", [rule(["get", "list", "watch"], ["pods", "nodes"])], set(), []),
    ("wildcard verbs on pods", [rule(["*"], ["pods"])], {"create_pods", "modify_pods", "delete_pods"}, []),
    # the classes of docs/doors.md that grant no "obvious" access
    ("kubelet API by get nodes/proxy", [rule(["get"], ["nodes/proxy"])], {"node_proxy"}, []),
    ("ephemeral containers", [rule(["patch"], ["pods/ephemeralcontainers"])], {"ephemeral_containers"}, []),
    ("patch pods", [rule(["patch"], ["pods"])], {"modify_pods"}, []),
    ("write secrets", [rule(["create"], ["secrets"])], {"write_secrets"}, []),
    ("mint tokens", [rule(["create"], ["serviceaccounts/token"])], {"mint_tokens"}, []),
    ("approve CSRs needs the signer too", [rule(["update"], ["certificatesigningrequests/approval"],
                                                groups=["certificates.k8s.io"])], set(), []),
    ("approve CSRs", [rule(["update"], ["certificatesigningrequests/approval"], groups=["certificates.k8s.io"]),
                      rule(["approve"], ["signers"], groups=["certificates.k8s.io"])], {"approve_csr"}, []),
    ("admission webhooks", [rule(["patch"], ["mutatingwebhookconfigurations"], groups=["admissionregistration.k8s.io"])],
     {"admission_control"}, []),
    ("services/status", [rule(["update"], ["services/status"])], {"network_interception"}, []),
    ("write configmaps", [rule(["update"], ["configmaps"])], {"write_configmaps"}, []),
    ("hostPath PVs", [rule(["create"], ["persistentvolumes"])], {"create_persistent_volumes"}, []),
    ("delete events", [rule(["deletecollection"], ["events"], groups=["events.k8s.io"])], {"delete_events"}, []),
    ("replication controllers are pod templates", [rule(["create"], ["replicationcontrollers"])], {"modify_workloads"}, []),
]


@pytest.mark.parametrize("rules,expected,flags", [c[1:] for c in CAPABILITY_TABLE], ids=[c[0] for c in CAPABILITY_TABLE])
def test_capability_mapping(rules, expected, flags):
    result = _rbac.analyze_rules(rules)
    assert set(result["capabilities"]) == expected
    assert result["flags"] == flags
    assert result["restricted"] == {}
    # capabilities come out in the documented order
    assert result["capabilities"] == [c for c in _rbac.CAPABILITIES if c in expected]


def test_resource_names_restrict_capability():
    result = _rbac.analyze_rules([rule(["get"], ["secrets"], names=["b", "a"]), rule(["delete"], ["pods"])])
    assert result["capabilities"] == ["delete_pods"]
    assert result["restricted"] == {"read_secrets": ["a", "b"]}


def test_resource_names_do_not_hide_a_full_grant():
    result = _rbac.analyze_rules([rule(["get"], ["secrets"], names=["a"]), rule(["list"], ["secrets"])])
    assert result["capabilities"] == ["read_secrets"]
    assert result["restricted"] == {}


@pytest.mark.parametrize("resources,verb,sub,allowed", [
    (["pods/exec"], "create", "exec", True),
    (["pods/*"], "create", "exec", False),
    (["*/exec"], "create", "exec", True),
    (["pods"], "create", "exec", False),
    (["pods/exec"], "create", None, False),
    (["*"], "create", "exec", True),
    (["pods/log"], "create", "exec", False),
])
def test_rule_allows_subresources(resources, verb, sub, allowed):
    assert _rbac.rule_allows(rule(["create"], resources), verb, "", "pods", sub) is allowed


# ---------------------------------------------------------------------------------------------------------------
# aggregation and label selectors
# ---------------------------------------------------------------------------------------------------------------

def cluster_role(name, rules=None, labels=None, aggregation=None):
    obj = {"kind": "ClusterRole", "metadata": {"name": name, "labels": labels or {}}, "rules": rules or []}
    if aggregation is not None:
        obj["aggregationRule"] = {"clusterRoleSelectors": aggregation}
    return obj


def test_aggregated_cluster_role_collects_selected_rules():
    roles = {r["metadata"]["name"]: r for r in [
        cluster_role("support-all", aggregation=[{"matchLabels": {"support/aggregate": "true"}}]),
        cluster_role("exec", [rule(["create"], ["pods/exec"])], labels={"support/aggregate": "true"}),
        cluster_role("secrets", [rule(["get"], ["secrets"])], labels={"support/aggregate": "true"}),
        cluster_role("other", [rule(["patch"], ["nodes"])], labels={"support/aggregate": "false"}),
    ]}
    rules = _rbac.cluster_role_rules("support-all", roles)
    assert _rbac.analyze_rules(rules)["capabilities"] == ["exec_pods", "read_secrets"]


def test_nested_aggregation_and_cycles_terminate():
    roles = {r["metadata"]["name"]: r for r in [
        cluster_role("top", aggregation=[{"matchLabels": {"level": "mid"}}], labels={"level": "mid"}),
        cluster_role("mid", aggregation=[{"matchExpressions": [{"key": "level", "operator": "In", "values": ["low"]}]}],
                     labels={"level": "mid"}),
        cluster_role("low", [rule(["patch"], ["nodes"])], labels={"level": "low"}),
    ]}
    assert _rbac.analyze_rules(_rbac.cluster_role_rules("top", roles))["capabilities"] == ["patch_nodes"]
    assert _rbac.cluster_role_rules("missing", roles) is None


@pytest.mark.parametrize("selector,labels,expected", [
    ({}, {"a": "1"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "1"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {"a": "1"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {}, True),
])
def test_selector_matches(selector, labels, expected):
    assert _rbac.selector_matches(selector, labels) is expected


# ---------------------------------------------------------------------------------------------------------------
# subjects
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("subject,spec,ns,expected", [
    ({"kind": "Group", "name": "crusoe:support:operator"}, {"kind": "Group", "name": "crusoe:support:operator"}, None, True),
    ({"kind": "Group", "name": "crusoe:support:operator"}, {"kind": "Group", "name": "crusoe:support:*"}, None, True),
    ({"kind": "User", "name": "crusoe:support:operator"}, {"kind": "Group", "name": "crusoe:support:operator"}, None, False),
    ({"kind": "User", "name": "alice"}, {"kind": "User", "name": "alice"}, None, True),
    ({"kind": "User", "name": "alice"}, {"kind": "User", "name": "bob"}, None, False),
    ({"kind": "ServiceAccount", "name": "helper", "namespace": "support"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, True),
    ({"kind": "ServiceAccount", "name": "helper", "namespace": "other"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, False),
    ({"kind": "ServiceAccount", "name": "helper"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, "support", True),
    ({"kind": "ServiceAccount", "name": "helper", "namespace": "x"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": None}, None, True),
    ({"kind": "User", "name": "system:serviceaccount:support:helper"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, True),
    # the groups of every ServiceAccount are broad subjects, never the support subject (revoke never deletes them)
    ({"kind": "Group", "name": "system:serviceaccounts:support"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, False),
    ({"kind": "Group", "name": "system:serviceaccounts"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, False),
    ({"kind": "Group", "name": "system:serviceaccounts:other"},
     {"kind": "ServiceAccount", "name": "helper", "namespace": "support"}, None, False),
])
def test_subject_matches(subject, spec, ns, expected):
    assert _rbac.subject_matches(subject, spec, ns) is expected


@pytest.mark.parametrize("subject,broad", [
    ({"kind": "Group", "name": "system:authenticated"}, True), ({"kind": "Group", "name": "system:unauthenticated"}, True),
    ({"kind": "Group", "name": "system:serviceaccounts"}, True), ({"kind": "Group", "name": "system:serviceaccounts:ml"}, True),
    ({"kind": "User", "name": "system:anonymous"}, True), ({"kind": "Group", "name": "system:masters"}, False),
    ({"kind": "User", "name": "system:authenticated"}, False),
])
def test_broad_subjects(subject, broad):
    assert _rbac.broad_subject(subject) is broad


def test_look_alike_subjects_match_the_name_in_any_case():
    patterns = ["*crusoe*support*"]
    assert _rbac.look_alike({"kind": "ServiceAccount", "name": "Crusoe-Support", "namespace": "kube-system"}, patterns)
    assert _rbac.look_alike({"kind": "User", "name": "system:serviceaccount:kube-system:crusoe-support-bot"}, patterns)
    # the provider's own agents run in its namespaces under other names
    assert not _rbac.look_alike({"kind": "ServiceAccount", "name": "crusoe-watch-agent"}, patterns, "crusoe-system")
    assert not _rbac.look_alike({"kind": "User", "name": "alice"}, patterns)


def test_bindings_to_look_alikes_and_broad_subjects_are_reported_with_what_they_grant():
    roles = [{"metadata": {"name": "admin"}, "rules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]},
             {"metadata": {"name": "basic"}, "rules": [
                 {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews"]}]},
             {"metadata": {"name": "nodes"}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["nodes/proxy"]}]}]
    crb = [{"metadata": {"name": "sa-admin"}, "roleRef": {"kind": "ClusterRole", "name": "admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"}]},
           {"metadata": {"name": "basic-user"}, "roleRef": {"kind": "ClusterRole", "name": "basic"},
            "subjects": [{"kind": "Group", "name": "system:authenticated"}]},
           {"metadata": {"name": "everyone-kubelet"}, "roleRef": {"kind": "ClusterRole", "name": "nodes"},
            "subjects": [{"kind": "Group", "name": "system:authenticated"}]}]
    rb = [{"metadata": {"name": "ns-nodes", "namespace": "ml"}, "roleRef": {"kind": "ClusterRole", "name": "nodes"},
           "subjects": [{"kind": "Group", "name": "crusoe:support:operator"}]}]
    found = {b["name"]: b for b in _rbac.analyze_bindings(roles, crb, [], rb, look_alikes=["*crusoe*support*"])}
    assert sorted(found) == ["everyone-kubelet", "ns-nodes", "sa-admin"]
    assert found["sa-admin"]["look_alike_subjects"][0]["name"] == "crusoe-support"
    assert found["sa-admin"]["support_subjects"] == [] and "full_access" in found["sa-admin"]["capabilities"]
    assert found["everyone-kubelet"]["broad_subjects"] == [{"kind": "Group", "name": "system:authenticated", "namespace": None}]
    assert found["everyone-kubelet"]["capabilities"] == ["node_proxy"]
    # nodes are cluster-scoped: a RoleBinding grants nothing on them
    assert found["ns-nodes"]["support_subjects"] and found["ns-nodes"]["capabilities"] == []


def test_default_subjects_are_the_crusoe_groups():
    assert [x["name"] for x in _rbac.normalize_subjects(None)] == list(_support.CRUSOE_SUPPORT_GROUPS)
    assert _rbac.normalize_subjects([]) == []


@pytest.mark.parametrize("bad,message", [
    ([{"kind": "Robot", "name": "x"}], "kind must be one of"),
    ([{"kind": "User"}], "name is required"),
    (["crusoe:support:readonly"], "must be a dictionary"),
])
def test_bad_subjects(bad, message):
    with pytest.raises(ValueError, match=message):
        _rbac.normalize_subjects(bad)


# ---------------------------------------------------------------------------------------------------------------
# bindings, labels, probes, summary
# ---------------------------------------------------------------------------------------------------------------

CHART = {"app.kubernetes.io/instance": "crusoe-support-roles", "app.kubernetes.io/name": "crusoe-support-roles",
         "crusoe.ai/managed": "true"}


def binding(kind, name, role_kind, role, subjects, namespace=None, labels=None):
    meta = {"name": name, "uid": "uid-" + name, "labels": labels or {}}
    if namespace:
        meta["namespace"] = namespace
    return {"kind": kind, "metadata": meta, "roleRef": {"apiGroup": _rbac.RBAC_GROUP, "kind": role_kind, "name": role},
            "subjects": subjects}


def group(name):
    return {"kind": "Group", "apiGroup": _rbac.RBAC_GROUP, "name": name}


def scan_fixture():
    cluster_roles = [
        cluster_role("crusoe-support-readonly", [rule(["get", "list", "watch"], ["pods", "nodes"])], labels=CHART),
        cluster_role("crusoe-support-debug", [rule(["create"], ["pods/exec", "pods/portforward"])], labels=CHART),
        cluster_role("teleport-cluster-viewers", [rule(["get"], ["pods/*"])]),
        cluster_role("unrelated", [rule(["*"], ["*"], groups=["*"])]),
    ]
    roles = [{"kind": "Role", "metadata": {"name": "local", "namespace": "apps"}, "rules": [rule(["get"], ["secrets"])]}]
    crbs = [
        binding("ClusterRoleBinding", "crusoe-support-readonly-binding", "ClusterRole", "crusoe-support-readonly",
                [group("crusoe:support:readonly")], labels=CHART),
        binding("ClusterRoleBinding", "teleport-viewers", "ClusterRole", "teleport-cluster-viewers", [group("cw-staff")]),
        binding("ClusterRoleBinding", "admins", "ClusterRole", "unrelated", [group("platform")]),
    ]
    rbs = [
        binding("RoleBinding", "crusoe-support-debug-binding", "ClusterRole", "crusoe-support-debug",
                [group("crusoe:support:operator")], namespace="kube-system", labels=CHART),
        binding("RoleBinding", "orphan", "Role", "local", [group("crusoe:support:operator")], namespace="apps"),
        binding("RoleBinding", "dangling", "ClusterRole", "gone", [group("crusoe:support:readonly")], namespace="apps"),
    ]
    return cluster_roles, crbs, roles, rbs


def test_analyze_bindings_reports_support_grants_only():
    crs, crbs, roles, rbs = scan_fixture()
    report = _rbac.analyze_bindings(crs, crbs, roles, rbs, support_cluster_roles=["teleport-cluster-viewers"])
    by_name = {b["name"]: b for b in report}
    assert set(by_name) == {"crusoe-support-readonly-binding", "teleport-viewers", "crusoe-support-debug-binding",
                            "orphan", "dangling"}
    debug = by_name["crusoe-support-debug-binding"]
    assert debug["scope"] == "kube-system" and debug["chart_managed"] and debug["capabilities"] == ["exec_pods", "portforward_pods"]
    assert debug["support_subjects"] == [{"kind": "Group", "name": "crusoe:support:operator", "namespace": None}]
    orphan = by_name["orphan"]
    assert not orphan["chart_managed"] and orphan["capabilities"] == ["read_secrets"] and orphan["role_found"]
    teleport = by_name["teleport-viewers"]
    assert teleport["support_role"] and teleport["support_subjects"] == []
    assert "literal_subresource_wildcard" in teleport["flags"] and teleport["capabilities"] == []
    assert by_name["dangling"]["role_found"] is False and by_name["dangling"]["capabilities"] == []
    assert by_name["crusoe-support-readonly-binding"]["capabilities"] == []


def test_analyze_bindings_without_teleport_role_ignores_it():
    crs, crbs, roles, rbs = scan_fixture()
    names = {b["name"] for b in _rbac.analyze_bindings(crs, crbs, roles, rbs)}
    assert "teleport-viewers" not in names and "admins" not in names


def test_labelled_objects_and_summary():
    crs, crbs, roles, rbs = scan_fixture()
    flow = [{"metadata": {"name": "crusoe-support", "labels": {"app.kubernetes.io/name": "crusoe-support-roles",
                                                               "crusoe.ai/managed": "true"}}}]
    labelled = _rbac.labelled_objects({"ClusterRole": crs, "ClusterRoleBinding": crbs, "RoleBinding": rbs, "FlowSchema": flow,
                                       "PriorityLevelConfiguration": []}, _rbac.chart_labels())
    assert [(o["kind"], o["name"]) for o in labelled] == [
        ("ClusterRole", "crusoe-support-debug"), ("ClusterRole", "crusoe-support-readonly"),
        ("ClusterRoleBinding", "crusoe-support-readonly-binding"), ("FlowSchema", "crusoe-support"),
        ("RoleBinding", "crusoe-support-debug-binding")]
    bindings = _rbac.analyze_bindings(crs, crbs, roles, rbs)
    probes = [{"allowed": True}, {"allowed": False}]
    summary = _rbac.rbac_summary(bindings, labelled, probes)
    assert summary["support_subjects_bound"] is True
    assert summary["capabilities"] == ["exec_pods", "portforward_pods", "read_secrets"]
    assert summary["probes_allowed"] == 1 and summary["clean"] is False
    empty = _rbac.rbac_summary([], [], [{"allowed": False}])
    assert empty["clean"] is True and empty["support_subjects_bound"] is False


def test_other_crusoe_managed_charts_are_not_the_support_chart():
    watch_agent = {"metadata": {"name": "crusoe-watch-agent", "labels": {
        "crusoe.ai/managed": "true", "app.kubernetes.io/instance": "crusoe-watch-agent",
        "app.kubernetes.io/name": "crusoe-watch-agent"}}}
    assert not _rbac.labelled_objects({"ClusterRole": [watch_agent], "ClusterRoleBinding": [watch_agent]}, _rbac.chart_labels())
    support = {"metadata": {"name": "crusoe-support-readonly", "labels": {"app.kubernetes.io/name": "crusoe-support-roles"}}}
    assert _rbac.labelled_objects({"ClusterRole": [support]}, _rbac.chart_labels())


def test_other_release_labels():
    obj = {"metadata": {"name": "x", "labels": {"app.kubernetes.io/instance": "support-2"}}}
    assert _rbac.labelled_objects({"ClusterRole": [obj]}, _rbac.chart_labels("support-2"))
    assert not _rbac.labelled_objects({"ClusterRole": [obj]}, {"app.kubernetes.io/instance": "crusoe-support-roles"})


def test_default_probes_cover_each_group():
    probes = _rbac.normalize_probes(None)
    assert len(probes) == len(_support.CRUSOE_SUPPORT_GROUPS) * len(_rbac.DEFAULT_PROBES)
    op_exec = [p for p in probes if p["name"] == "crusoe:support:operator:exec_pods_kube_system"][0]
    review = _rbac.subject_access_review(op_exec)
    assert review["spec"] == {"groups": ["crusoe:support:operator", "system:authenticated"], "resourceAttributes": {
        "verb": "create", "resource": "pods", "group": "", "subresource": "exec", "namespace": "kube-system"}}
    secrets = [p for p in probes if p["name"].endswith("get_secrets_cluster")][0]
    assert "namespace" not in _rbac.subject_access_review(secrets)["spec"]["resourceAttributes"]


def test_probe_for_service_account_and_patterns():
    probes = _rbac.default_probes([{"kind": "ServiceAccount", "name": "helper", "namespace": "support"},
                                   {"kind": "Group", "name": "crusoe:*"}])
    assert {p["user"] for p in probes} == {"system:serviceaccount:support:helper"}
    assert probes[0]["groups"] == ["system:serviceaccounts", "system:serviceaccounts:support", "system:authenticated"]


@pytest.mark.parametrize("bad,message", [
    ([{"verb": "get", "resource": "pods"}], "needs a user or groups"),
    ([{"user": "u", "verb": "get"}], "needs verb and resource"),
    ([{"user": "u", "verb": "get", "resource": "pods", "colour": "red"}], "unknown keys colour"),
])
def test_bad_probes(bad, message):
    with pytest.raises(ValueError, match=message):
        _rbac.normalize_probes(bad)


def test_probe_result_reads_status():
    probe = _rbac.normalize_probes([{"user": "u", "verb": "get", "resource": "pods", "namespace": "a"}])[0]
    assert probe["name"] == "get pods in a"
    res = _rbac.probe_result(probe, {"status": {"allowed": True, "reason": "RBAC: allowed by X"}})
    assert res["allowed"] is True and res["reason"] == "RBAC: allowed by X" and res["denied"] is False
    assert _rbac.probe_result(probe, {"status": {}})["allowed"] is False
