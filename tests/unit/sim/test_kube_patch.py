# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Patch algorithms of the Kubernetes API emulator: RFC 7386, RFC 6902, strategic merge patch, server-side apply."""

from __future__ import annotations

import copy

import pytest

from sim.kube.patch import (
    PatchError, conflict_status, fields_v1_paths, json_merge_patch, json_patch, server_side_apply,
    strategic_merge_patch, update_managed_fields,
)
from sim.kube.schema import Registry

T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"


# ------------------------------------------------------------------------------------------------ RFC 7386
@pytest.mark.parametrize("target, patch, expected", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_json_merge_patch_rfc7386_examples(target, patch, expected):
    before = copy.deepcopy(target)
    assert json_merge_patch(target, patch) == expected
    assert target == before


# ------------------------------------------------------------------------------------------------ RFC 6902
@pytest.mark.parametrize("doc, ops, expected", [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}], {"foo": "bar", "baz": "qux"}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
     {"foo": ["bar", ["abc", "def"]]}),
    ({"a/b": {"m~n": 1}}, [{"op": "replace", "path": "/a~1b/m~0n", "value": 2}], {"a/b": {"m~n": 2}}),
    ({"a": 1}, [{"op": "copy", "from": "/a", "path": "/b"}], {"a": 1, "b": 1}),
    ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
    ({"metadata": {"labels": {"x": "1"}}},
     [{"op": "add", "path": "/metadata/annotations", "value": {}},
      {"op": "add", "path": "/metadata/annotations/example.com~1owner", "value": "me"}],
     {"metadata": {"labels": {"x": "1"}, "annotations": {"example.com/owner": "me"}}}),
])
def test_json_patch_rfc6902_examples(doc, ops, expected):
    before = copy.deepcopy(doc)
    assert json_patch(doc, ops) == expected
    assert doc == before


@pytest.mark.parametrize("doc, ops", [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}]),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}]),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}]),
    ({"a": True}, [{"op": "test", "path": "/a", "value": 1}]),
    ({"a": 1}, [{"op": "remove", "path": "/b"}]),
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}]),
    ({"a": [1]}, [{"op": "add", "path": "/a/01", "value": 2}]),
    ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 2}]),
    ({"a": [1]}, [{"op": "remove", "path": "/a/-"}]),
    ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}]),
    ({"a": 1}, [{"op": "frobnicate", "path": "/a"}]),
    ({"a": 1}, [{"op": "add", "value": 1}]),
    ({"a": 1}, [{"op": "add", "path": "a", "value": 1}]),
    ({"a": 1}, {"op": "add", "path": "/a", "value": 1}),
])
def test_json_patch_errors(doc, ops):
    with pytest.raises(PatchError):
        json_patch(doc, ops)


def test_json_patch_is_atomic_on_failure():
    doc = {"a": 1}
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "replace", "path": "/a", "value": 2}, {"op": "test", "path": "/a", "value": 3}])
    assert doc == {"a": 1}


# ------------------------------------------------------------------------------------------------ strategic merge
def _deployment(containers, **spec):
    pod_spec = {"containers": containers}
    pod_spec.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}}


def _pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def _tmpl(pod_spec_patch):
    return {"spec": {"template": {"spec": pod_spec_patch}}}


A = {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}],
     "ports": [{"containerPort": 80, "protocol": "TCP"}]}
B = {"name": "b", "image": "b:1"}
C = {"name": "c", "image": "c:1"}

SMP_CASES = [
    ("merge container by name", [A, B], {"containers": [{"name": "b", "image": "b:2"}]},
     {"containers": [A, {"name": "b", "image": "b:2"}]}),
    ("append new container", [A], {"containers": [C]}, {"containers": [A, C]}),
    ("delete container", [A, B], {"containers": [{"name": "a", "$patch": "delete"}]}, {"containers": [B]}),
    ("replace whole list", [A, B], {"containers": [{"$patch": "replace"}, C]}, {"containers": [C]}),
    ("merge env inside container", [A],
     {"containers": [{"name": "a", "env": [{"name": "Y", "value": "3"}, {"name": "Z", "value": "4"}]}]},
     {"containers": [dict(A, env=[{"name": "X", "value": "1"}, {"name": "Y", "value": "3"},
                                  {"name": "Z", "value": "4"}])]}),
    ("null removes field of item", [A], {"containers": [{"name": "a", "ports": None}]},
     {"containers": [{k: v for k, v in A.items() if k != "ports"}]}),
    ("set element order", [A, B, C],
     {"$setElementOrder/containers": [{"name": "c"}, {"name": "b"}, {"name": "a"}],
      "containers": [{"name": "b", "image": "b:2"}]},
     {"containers": [C, {"name": "b", "image": "b:2"}, A]}),
    ("kubectl apply drops a container", [A, B],
     {"$setElementOrder/containers": [{"name": "a"}], "containers": [{"$patch": "delete", "name": "b"}]},
     {"containers": [A]}),
    ("atomic tolerations are replaced", [B],
     {"tolerations": [{"key": "k2", "operator": "Exists"}]},
     {"containers": [B], "tolerations": [{"key": "k2", "operator": "Exists"}]}),
    ("volumes retainKeys switch source", [B],
     {"volumes": [{"name": "v", "hostPath": {"path": "/data"}, "$retainKeys": ["hostPath", "name"]}]},
     {"containers": [B], "volumes": [{"name": "v", "hostPath": {"path": "/data"}}]}),
    ("nodeSelector map merge and delete", [B], {"nodeSelector": {"zone": None, "disk": "ssd"}},
     {"containers": [B], "nodeSelector": {"disk": "ssd"}}),
]


@pytest.mark.parametrize("name, containers, patch, expected", SMP_CASES, ids=[c[0] for c in SMP_CASES])
def test_strategic_merge_patch_pod_template(name, containers, patch, expected):
    del name
    extra = {"tolerations": [{"key": "k1", "operator": "Exists"}], "nodeSelector": {"zone": "a"},
             "volumes": [{"name": "v", "emptyDir": {}}]}
    original = _deployment(copy.deepcopy(containers), **extra)
    before = copy.deepcopy(original)
    result = strategic_merge_patch(original, _tmpl(patch), "apps/v1", "Deployment")
    assert original == before
    got = _pod_spec(result)
    for key, value in expected.items():
        assert got[key] == value, key
    for key in extra:
        if key not in expected:
            assert got[key] == extra[key]
    assert result["spec"]["replicas"] == 1 and result["metadata"]["name"] == "web"


def test_strategic_merge_patch_retain_keys_on_strategy():
    original = _deployment([B])
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    result = strategic_merge_patch(original, patch, "apps/v1", "Deployment")
    assert result["spec"]["strategy"] == {"type": "Recreate"}
    with pytest.raises(PatchError):
        strategic_merge_patch(original, {"spec": {"strategy": {"$retainKeys": ["x"], "type": "Recreate"}}},
                              "apps/v1", "Deployment")


def test_strategic_merge_patch_map_directives():
    original = _deployment([B])
    replaced = strategic_merge_patch(original, {"metadata": {"labels": {"$patch": "replace", "tier": "x"}}},
                                     "apps/v1", "Deployment")
    assert replaced["metadata"]["labels"] == {"tier": "x"}
    deleted = strategic_merge_patch(original, {"metadata": {"labels": {"$patch": "delete"}}}, "apps/v1", "Deployment")
    assert deleted["metadata"]["labels"] == {}
    with pytest.raises(PatchError):
        strategic_merge_patch(original, {"metadata": {"labels": {"$patch": "explode"}}}, "apps/v1", "Deployment")


def test_strategic_merge_patch_primitive_lists():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "finalizers": ["a", "b"]},
          "data": {"k": "v", "old": "x"}}
    result = strategic_merge_patch(cm, {"metadata": {"finalizers": ["c", "a"]}, "data": {"old": None, "n": "1"}},
                                   "v1", "ConfigMap")
    assert result["metadata"]["finalizers"] == ["a", "b", "c"]
    assert result["data"] == {"k": "v", "n": "1"}
    result = strategic_merge_patch(cm, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}}, "v1",
                                   "ConfigMap")
    assert result["metadata"]["finalizers"] == ["b"]
    ordered = strategic_merge_patch(cm, {"metadata": {"$setElementOrder/finalizers": ["b", "a"]}}, "v1", "ConfigMap")
    assert ordered["metadata"]["finalizers"] == ["b", "a"]


def test_strategic_merge_patch_owner_references_by_uid():
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1"}]}, "spec": {"containers": [B]}}
    patch = {"metadata": {"ownerReferences": [{"uid": "u1", "controller": True},
                                              {"apiVersion": "v1", "kind": "X", "name": "y", "uid": "u2"}]}}
    refs = strategic_merge_patch(obj, patch, "v1", "Pod")["metadata"]["ownerReferences"]
    assert refs == [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": True},
                    {"apiVersion": "v1", "kind": "X", "name": "y", "uid": "u2"}]


def test_strategic_merge_patch_rbac_rules_are_atomic():
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
    patch = {"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]}]}
    assert strategic_merge_patch(role, patch, "rbac.authorization.k8s.io/v1", "ClusterRole")["rules"] == \
        patch["rules"]


def test_strategic_merge_patch_flowschema():
    fs = {"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema", "metadata": {"name": "f"},
          "spec": {"matchingPrecedence": 1000, "priorityLevelConfiguration": {"name": "workload-low"},
                   "rules": [{"subjects": [{"kind": "Group", "group": {"name": "a"}}]}]}}
    patch = {"spec": {"matchingPrecedence": 500, "rules": [{"subjects": [{"kind": "Group", "group": {"name": "b"}}]}]}}
    result = strategic_merge_patch(fs, patch, "flowcontrol.apiserver.k8s.io/v1", "FlowSchema")
    assert result["spec"]["matchingPrecedence"] == 500
    assert result["spec"]["rules"] == patch["spec"]["rules"]
    assert result["spec"]["priorityLevelConfiguration"] == {"name": "workload-low"}


def test_strategic_merge_patch_merge_key_required():
    with pytest.raises(PatchError):
        strategic_merge_patch(_deployment([A]), _tmpl({"containers": [{"image": "x"}]}), "apps/v1", "Deployment")
    with pytest.raises(PatchError):
        strategic_merge_patch(_deployment([A]), _tmpl({"containers": [{"$patch": "delete"}]}), "apps/v1",
                              "Deployment")
    with pytest.raises(PatchError):
        strategic_merge_patch(_deployment([A]), ["not", "a", "map"], "apps/v1", "Deployment")


def test_strategic_merge_patch_unknown_kind_is_merge_patch():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
              "spec": {"items": [{"name": "a", "v": 1}, {"name": "b"}], "keep": True, "drop": 1}}
    patch = {"spec": {"items": [{"name": "a", "v": 2}], "drop": None}}
    assert strategic_merge_patch(widget, patch, "example.com/v1", "Widget") == json_merge_patch(widget, patch)
    assert strategic_merge_patch(widget, patch, "example.com/v1", "Widget")["spec"] == {
        "items": [{"name": "a", "v": 2}], "keep": True}


def test_strategic_merge_patch_new_list_items_lose_directives():
    result = strategic_merge_patch(_deployment([B]), _tmpl({
        "initContainers": [{"name": "i", "image": "i:1"}, {"name": "gone", "$patch": "delete"}],
        "$setElementOrder/initContainers": [{"name": "i"}]}), "apps/v1", "Deployment")
    assert _pod_spec(result)["initContainers"] == [{"name": "i", "image": "i:1"}]
    assert not any(k.startswith("$") for k in _pod_spec(result))


# ------------------------------------------------------------------------------------------------ server-side apply
def _cm(data=None, labels=None, **extra):
    meta = {"name": "cfg", "namespace": "ns"}
    if labels is not None:
        meta["labels"] = labels
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    if data is not None:
        obj["data"] = data
    obj.update(extra)
    return obj


def _entry(obj, manager, operation="Apply"):
    for entry in obj["metadata"].get("managedFields", []):
        if entry["manager"] == manager and entry["operation"] == operation:
            return entry
    return None


def _owned(obj, manager, operation="Apply"):
    entry = _entry(obj, manager, operation)
    return fields_v1_paths(entry["fieldsV1"]) if entry else []


def test_apply_creates_and_records_ownership():
    obj, conflicts = server_side_apply(None, _cm({"a": "1"}, {"app": "x"}), "helm", False, "v1", "ConfigMap", T0)
    assert conflicts == []
    assert obj["data"] == {"a": "1"} and obj["metadata"]["labels"] == {"app": "x"}
    assert obj["metadata"]["name"] == "cfg" and obj["metadata"]["namespace"] == "ns"
    entry = _entry(obj, "helm")
    assert entry["fieldsType"] == "FieldsV1" and entry["apiVersion"] == "v1" and entry["time"] == T0
    assert entry["fieldsV1"] == {"f:data": {"f:a": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}


def test_apply_same_config_twice_is_a_no_op():
    obj, _conflicts = server_side_apply(None, _cm({"a": "1"}), "helm", False, "v1", "ConfigMap", T0)
    again, conflicts = server_side_apply(obj, _cm({"a": "1"}), "helm", False, "v1", "ConfigMap", T1)
    assert conflicts == [] and again == obj


def test_apply_removes_fields_the_manager_no_longer_applies():
    config = _cm({"a": "1", "b": "2"}, {"x": "1", "y": "2"})
    obj, _conflicts = server_side_apply(None, config, "helm", False, "v1", "ConfigMap", T0)
    obj, conflicts = server_side_apply(obj, _cm({"a": "1"}, {"x": "1"}), "helm", False, "v1", "ConfigMap", T1)
    assert conflicts == []
    assert obj["data"] == {"a": "1"} and obj["metadata"]["labels"] == {"x": "1"}
    assert _owned(obj, "helm") == [".data.a", ".metadata.labels.x"]
    assert _entry(obj, "helm")["time"] == T1


def test_apply_keeps_omitted_fields_another_manager_owns():
    obj, _conflicts = server_side_apply(None, _cm({"a": "1", "b": "2"}), "one", False, "v1", "ConfigMap", T0)
    obj, _conflicts = server_side_apply(obj, _cm({"b": "2"}), "two", False, "v1", "ConfigMap", T1)
    assert _owned(obj, "two") == [".data.b"]
    obj, conflicts = server_side_apply(obj, _cm({"a": "1"}), "one", False, "v1", "ConfigMap", T2)
    assert conflicts == []
    assert obj["data"] == {"a": "1", "b": "2"}
    assert _owned(obj, "one") == [".data.a"] and _owned(obj, "two") == [".data.b"]


def test_apply_conflicts_with_an_update_manager_and_force_takes_over():
    created = update_managed_fields(None, _cm({"a": "1", "b": "x"}), "kubectl-client-side-apply", "Update", T0)
    assert ".data.a" in _owned(created, "kubectl-client-side-apply", "Update")
    obj, conflicts = server_side_apply(created, _cm({"a": "2", "b": "x"}), "helm", False, "v1", "ConfigMap", T1)
    assert conflicts == ['conflict with "kubectl-client-side-apply" using v1: .data.a']
    assert obj["data"] == {"a": "1", "b": "x"} and _entry(obj, "helm") is None
    status = conflict_status(conflicts)
    assert status["code"] == 409 and status["reason"] == "Conflict"
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.a'
    assert status["details"]["causes"] == [{"reason": "FieldManagerConflict", "field": ".data.a",
                                            "message": 'conflict with "kubectl-client-side-apply" using v1'}]

    obj, conflicts = server_side_apply(created, _cm({"a": "2", "b": "x"}), "helm", True, "v1", "ConfigMap", T1)
    assert conflicts == [] and obj["data"] == {"a": "2", "b": "x"}
    assert _owned(obj, "helm") == [".data.a", ".data.b"]
    csa = _owned(obj, "kubectl-client-side-apply", "Update")
    assert ".data.a" not in csa and ".data.b" in csa  # same value: shared ownership


def test_apply_conflict_message_for_several_fields():
    obj, _conflicts = server_side_apply(None, _cm({"a": "1", "b": "1"}), "one", False, "v1", "ConfigMap", T0)
    _obj, conflicts = server_side_apply(obj, _cm({"a": "2", "b": "2"}), "two", False, "v1", "ConfigMap", T1)
    assert conflicts == ['conflict with "one" using v1: .data.a', 'conflict with "one" using v1: .data.b']
    assert conflict_status(conflicts)["message"] == \
        'Apply failed with 2 conflicts: conflicts with "one" using v1:\n- .data.a\n- .data.b'


def test_apply_merges_containers_by_name_between_managers():
    first = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
             "spec": {"selector": {"matchLabels": {"app": "web"}},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}}
    obj, _conflicts = server_side_apply(None, first, "one", False, "apps/v1", "Deployment", T0)
    sidecar = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
               "spec": {"template": {"spec": {"containers": [{"name": "proxy", "image": "proxy:1"}]}}}}
    obj, conflicts = server_side_apply(obj, sidecar, "two", False, "apps/v1", "Deployment", T1)
    assert conflicts == []
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["app", "proxy"]
    assert '.spec.template.spec.containers[name="proxy"].image' in _owned(obj, "two")
    assert ".spec.selector" in _owned(obj, "one")  # LabelSelector is atomic

    # "one" stops applying its container: only that container goes
    first["spec"]["template"]["spec"]["containers"] = []
    obj, conflicts = server_side_apply(obj, first, "one", False, "apps/v1", "Deployment", T2)
    assert conflicts == []
    assert obj["spec"]["template"]["spec"]["containers"] == [{"name": "proxy", "image": "proxy:1"}]


def test_apply_ignores_status_of_kinds_with_a_status_subresource():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
           "spec": {"replicas": 2}, "status": {"replicas": 9}}
    obj, _conflicts = server_side_apply(None, dep, "one", False, "apps/v1", "Deployment", T0)
    assert "status" not in obj and _owned(obj, "one") == [".spec.replicas"]
    live = dict(obj, status={"replicas": 2})
    obj, _conflicts = server_side_apply(live, dep, "one", False, "apps/v1", "Deployment", T1)
    assert obj["status"] == {"replicas": 2}


def test_apply_sets_and_atomic_lists():
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "r", "finalizers": ["example.com/keep"]},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
    obj, _conflicts = server_side_apply(None, role, "one", False, "rbac.authorization.k8s.io/v1", "ClusterRole", T0)
    assert _owned(obj, "one") == ['.metadata.finalizers[="example.com/keep"]', ".rules"]
    other = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
             "metadata": {"name": "r", "finalizers": ["example.com/other"]}}
    obj, conflicts = server_side_apply(obj, other, "two", False, "rbac.authorization.k8s.io/v1", "ClusterRole", T1)
    assert conflicts == [] and obj["metadata"]["finalizers"] == ["example.com/keep", "example.com/other"]
    changed = dict(role, rules=[{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}])
    _obj, conflicts = server_side_apply(obj, changed, "two", False, "rbac.authorization.k8s.io/v1", "ClusterRole", T2)
    assert conflicts == ['conflict with "one" using rbac.authorization.k8s.io/v1: .rules']


def test_apply_requires_a_field_manager():
    with pytest.raises(PatchError):
        server_side_apply(None, _cm({"a": "1"}), "", False, "v1", "ConfigMap", T0)


def test_apply_custom_resource_with_schema_from_registry():
    reg = Registry()
    reg.add_crd({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                 "metadata": {"name": "widgets.example.com"},
                 "spec": {"group": "example.com", "scope": "Namespaced",
                          "names": {"plural": "widgets", "kind": "Widget"},
                          "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                              "type": "object", "properties": {"spec": {"type": "object", "properties": {
                                  "ports": {"type": "array", "x-kubernetes-list-type": "map",
                                            "x-kubernetes-list-map-keys": ["port"],
                                            "items": {"type": "object"}}}}}}}}]}})
    schema = reg.schema_for("example.com/v1", "Widget")
    one = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"},
           "spec": {"ports": [{"port": 80, "name": "http"}]}}
    two = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"},
           "spec": {"ports": [{"port": 443, "name": "https"}]}}
    obj, _conflicts = server_side_apply(None, one, "one", False, "example.com/v1", "Widget", T0, schema=schema)
    obj, conflicts = server_side_apply(obj, two, "two", False, "example.com/v1", "Widget", T1, schema=schema)
    assert conflicts == [] and [p["port"] for p in obj["spec"]["ports"]] == [80, 443]
    # without a schema, lists are atomic
    obj, _conflicts = server_side_apply(None, one, "one", False, "example.com/v1", "Widget", T0)
    _obj, conflicts = server_side_apply(obj, two, "two", False, "example.com/v1", "Widget", T1)
    assert conflicts == ['conflict with "one" using example.com/v1: .spec.ports']


# ------------------------------------------------------------------------------------------------ update owners
def test_update_managed_fields_on_create_and_update():
    obj = update_managed_fields(None, _cm({"a": "1"}, {"app": "x"}), "kubectl-create", "Update", T0)
    entry = _entry(obj, "kubectl-create", "Update")
    assert entry["apiVersion"] == "v1" and entry["time"] == T0
    assert entry["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}

    edited = copy.deepcopy(obj)
    edited["data"]["a"] = "2"
    edited["data"]["b"] = "3"
    edited = update_managed_fields(obj, edited, "kubectl-edit", "Update", T1)
    assert _owned(edited, "kubectl-edit", "Update") == [".data.a", ".data.b"]
    assert ".data.a" not in _owned(edited, "kubectl-create", "Update")
    assert ".metadata.labels.app" in _owned(edited, "kubectl-create", "Update")

    removed = copy.deepcopy(edited)
    del removed["data"]["b"]
    removed = update_managed_fields(edited, removed, "kubectl-create", "Update", T2)
    assert ".data.b" not in _owned(removed, "kubectl-edit", "Update")


def test_update_managed_fields_no_op_keeps_entries():
    obj = update_managed_fields(None, _cm({"a": "1"}), "helm", "Update", T0)
    same = update_managed_fields(obj, copy.deepcopy(obj), "helm", "Update", T1)
    assert same["metadata"]["managedFields"] == obj["metadata"]["managedFields"]


def test_update_managed_fields_client_can_replace_or_clear():
    obj = update_managed_fields(None, _cm({"a": "1"}), "helm", "Update", T0)
    cleared = copy.deepcopy(obj)
    cleared["metadata"]["managedFields"] = [{}]
    assert "managedFields" not in update_managed_fields(obj, cleared, "x", "Update", T1)["metadata"]
    empty = copy.deepcopy(obj)
    empty["metadata"]["managedFields"] = []
    assert _entry(update_managed_fields(obj, empty, "x", "Update", T1), "helm", "Update") is not None
    custom = copy.deepcopy(obj)
    custom["metadata"]["managedFields"] = [{"manager": "mine", "operation": "Apply", "apiVersion": "v1", "time": T0,
                                            "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {"f:a": {}}}}]
    result = update_managed_fields(obj, custom, "x", "Update", T1)
    assert [e["manager"] for e in result["metadata"]["managedFields"]] == ["mine"]


def test_update_then_apply_of_old_value_conflicts():
    obj, _conflicts = server_side_apply(None, _cm({"a": "1"}), "helm", False, "v1", "ConfigMap", T0)
    edited = copy.deepcopy(obj)
    edited["data"]["a"] = "manual"
    edited = update_managed_fields(obj, edited, "kubectl-edit", "Update", T1)
    assert _owned(edited, "helm") == []
    assert _entry(edited, "helm") is None
    _obj, conflicts = server_side_apply(edited, _cm({"a": "1"}), "helm", False, "v1", "ConfigMap", T2)
    assert conflicts == ['conflict with "kubectl-edit" using v1: .data.a']


def test_managed_fields_sorted_apply_first():
    obj = update_managed_fields(None, _cm({"a": "1"}), "zz-update", "Update", T0)
    obj, _conflicts = server_side_apply(obj, _cm({"b": "1"}), "aa-apply", False, "v1", "ConfigMap", T1)
    assert [e["operation"] for e in obj["metadata"]["managedFields"]] == ["Apply", "Update"]


def test_apply_port_without_protocol_is_the_tcp_port():
    live = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": "a", "image": "a:1", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}
    applied = copy.deepcopy(live)
    applied["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "name": "http"}]
    obj, conflicts = server_side_apply(live, applied, "one", False, "v1", "Pod", T0)
    assert conflicts == []
    assert obj["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP", "name": "http"}]
    assert '.spec.containers[name="a"].ports[containerPort=80,protocol="TCP"].name' in _owned(obj, "one")


def test_apply_to_the_status_subresource_touches_only_status():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}}, "spec": {"replicas": 2}}
    obj, _conflicts = server_side_apply(None, dep, "one", False, "apps/v1", "Deployment", T0)
    status = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
              "spec": {"replicas": 7}, "status": {"readyReplicas": 2}}
    obj, conflicts = server_side_apply(obj, status, "controller", False, "apps/v1", "Deployment", T1,
                                       subresource="status")
    assert conflicts == []
    assert obj["spec"] == {"replicas": 2} and obj["status"] == {"readyReplicas": 2}
    assert obj["metadata"]["labels"] == {"app": "web"}
    entry = _entry(obj, "controller")
    assert entry["subresource"] == "status" and fields_v1_paths(entry["fieldsV1"]) == [".status.readyReplicas"]
    assert _owned(obj, "one") == [".metadata.labels.app", ".spec.replicas"]


def test_update_of_the_status_subresource_is_recorded_apart():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
           "spec": {"replicas": 2}}
    obj = update_managed_fields(None, dep, "kubectl-create", "Update", T0)
    with_status = dict(copy.deepcopy(obj), status={"replicas": 2})
    obj = update_managed_fields(obj, with_status, "kube-controller-manager", "Update", T1, subresource="status")
    entry = _entry(obj, "kube-controller-manager", "Update")
    assert entry["subresource"] == "status"
    assert fields_v1_paths(entry["fieldsV1"]) == [".status.replicas"]
    assert _owned(obj, "kubectl-create", "Update") == [".spec.replicas"]
