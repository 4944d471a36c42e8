# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_rbac's plan (what is deleted, updated, kept) and support_lease in-process against a fake ConfigMap API."""

from __future__ import annotations

import copy
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.neocloud.support_access.plugins.module_utils import _k8s, _lease, _rbac
from ansible_collections.neocloud.support_access.plugins.modules import support_lease, support_rbac

GROUP = "rbac.authorization.k8s.io"


def binding(kind, name, subjects, namespace=None, labels=None, role="edit"):
    meta = {"name": name, "uid": "uid-" + name, "labels": labels or {}}
    if namespace:
        meta["namespace"] = namespace
    return {"kind": kind, "metadata": meta, "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "name": s} for s in subjects]}


def plan_for(objects, remove_shared=False):
    subjects = _rbac.normalize_subjects(None)
    full = {kind: [] for kind in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "FlowSchema",
                                  "PriorityLevelConfiguration")}
    full.update(objects)
    bindings = _rbac.analyze_bindings(full["ClusterRole"], full["ClusterRoleBinding"], full["Role"],
                                      full["RoleBinding"], subjects=subjects)
    labelled = _rbac.labelled_objects(full, _rbac.chart_labels())
    return support_rbac.plan(full, bindings, labelled, subjects, remove_shared)


def names(refs):
    return sorted(r["name"] for r in refs)


CHART = {"app.kubernetes.io/instance": "crusoe-support-roles", "app.kubernetes.io/name": "crusoe-support-roles",
         "crusoe.ai/managed": "true"}


def test_plan_deletes_support_and_chart_objects_keeps_builtin_and_shared():
    objects = {
        "ClusterRole": [{"kind": "ClusterRole", "metadata": {"name": "crusoe-support-debug", "uid": "u1", "labels": CHART}},
                        {"kind": "ClusterRole", "metadata": {"name": "edit", "uid": "u2",
                                                             "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}}],
        "ClusterRoleBinding": [binding("ClusterRoleBinding", "system:odd", ["crusoe:support:readonly"]),
                               binding("ClusterRoleBinding", "bootstrapped", ["crusoe:support:readonly"],
                                       labels={"kubernetes.io/bootstrapping": "rbac-defaults"}),
                               binding("ClusterRoleBinding", "customer", ["devs"])],
        "RoleBinding": [binding("RoleBinding", "orphan", ["crusoe:support:operator"], "kube-system"),
                        binding("RoleBinding", "shared", ["crusoe:support:operator", "devs"], "slurm"),
                        binding("RoleBinding", "chart-shared", ["crusoe:support:operator", "devs"], "slurm", labels=CHART)],
        "FlowSchema": [{"kind": "FlowSchema", "metadata": {"name": "crusoe-support", "uid": "u3", "labels": CHART}}],
    }
    delete, update, keep = plan_for(objects)
    assert names(delete) == ["crusoe-support", "crusoe-support-debug", "orphan"]
    assert update == []
    kept = {r["name"]: r["reason"] for r in keep}
    assert set(kept) == {"system:odd", "bootstrapped", "shared", "chart-shared"}
    assert "system:" in kept["system:odd"] and "rbac-defaults" in kept["bootstrapped"]
    assert kept["shared"] == "shared binding: also grants to Group devs"
    orphan = [r for r in delete if r["name"] == "orphan"][0]
    assert orphan["uid"] == "uid-orphan" and orphan["reasons"] == ["grants to Group crusoe:support:operator"]

    delete, update, keep = plan_for(objects, remove_shared=True)
    assert names(update) == ["chart-shared", "shared"]
    assert update[0]["remove_subjects"] == [{"kind": "Group", "name": "crusoe:support:operator", "namespace": None}]
    assert names(keep) == ["bootstrapped", "system:odd"]


def test_object_paths():
    assert support_rbac.object_path("RoleBinding", "a", "ns") == "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/a"
    assert support_rbac.object_path("ClusterRole", "a") == "/apis/rbac.authorization.k8s.io/v1/clusterroles/a"
    assert support_rbac.object_path("FlowSchema", "a") == "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/a"
    with pytest.raises(ValueError):
        support_rbac.object_path("Pod", "a")


class FakeConfigMaps:
    """One ConfigMap slot with resourceVersion checks; logs every call."""

    def __init__(self, configmap=None):
        self.configmap = copy.deepcopy(configmap)
        self.calls = []
        self.version = 1

    def request(self, method, path, what, body=None, ok_statuses=()):
        self.calls.append((method, path, body))
        if method == "GET":
            if self.configmap is None:
                if 404 in ok_statuses:
                    return {"kind": "Status", "status": "Failure", "code": 404}
                raise _k8s.K8sClusterError(what, 404, "Not Found", "not found")
            return copy.deepcopy(self.configmap)
        if method == "PUT" and body["metadata"].get("resourceVersion") != self.configmap["metadata"]["resourceVersion"]:
            raise _k8s.K8sClusterError(what, 409, "Conflict", "the object has been modified")
        if method == "POST" and self.configmap is not None:
            raise _k8s.K8sClusterError(what, 409, "Conflict", "already exists")
        self.version += 1
        self.configmap = copy.deepcopy(body)
        self.configmap["metadata"]["resourceVersion"] = str(self.version)
        return copy.deepcopy(self.configmap)


@pytest.fixture
def cms(monkeypatch):
    api = FakeConfigMaps()

    def request(self, method, path, what, query=None, body=None, ok_statuses=()):  # pylint: disable=unused-argument
        return api.request(method, path, what, body=body, ok_statuses=ok_statuses)

    monkeypatch.setattr(_k8s.SupportK8sModule, "request", request)
    return api


def run(args, capsys, check=False):
    args = dict(args)
    args.setdefault("context", "training-prod")
    if check:
        args["_ansible_check_mode"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            support_lease.main()
    out = json.loads(capsys.readouterr().out)
    out["rc"] = exc.value.code
    return out


def writes(api):
    return [c for c in api.calls if c[0] != "GET"]


def test_lease_lifecycle(cms, capsys):
    out = run({"ticket": "ZD-1", "roles": ["readonly"]}, capsys, check=True)
    assert out["changed"] is True and out["status"] == "active" and writes(cms) == []
    out = run({"ticket": "ZD-1", "roles": ["readonly"], "requested_by": "bob"}, capsys)
    assert out["changed"] is True and writes(cms)[0][0] == "POST"
    assert cms.configmap["metadata"]["labels"] == _lease.LEASE_LABELS
    out = run({"ticket": "ZD-1", "roles": ["readonly"]}, capsys)
    assert out["changed"] is False and len(writes(cms)) == 1
    out = run({"ticket": "ZD-2", "roles": ["readonly"]}, capsys)
    assert out["rc"] == 1 and "an active lease exists (ticket ZD-1" in out["msg"] and len(writes(cms)) == 1
    out = run({"ticket": "ZD-2", "roles": ["readonly"], "extend": True}, capsys)
    assert out["changed"] is True and writes(cms)[-1][0] == "PUT" and out["lease"]["ticket"] == "ZD-2"
    assert [h["ended"] for h in out["lease"]["history"]] == ["replaced"]
    assert writes(cms)[-1][2]["metadata"]["resourceVersion"] == "2"
    out = run({"state": "closed"}, capsys)
    assert out["changed"] is True and out["status"] == "closed" and out["expires_in_seconds"] == 0
    out = run({"state": "closed"}, capsys)
    assert out["changed"] is False


def test_lease_conflict_is_reported(cms, capsys, monkeypatch):
    run({"ticket": "ZD-1"}, capsys)
    original = cms.request

    def bump(method, path, what, body=None, ok_statuses=()):
        answer = original(method, path, what, body=body, ok_statuses=ok_statuses)
        if method == "GET":
            cms.configmap["metadata"]["resourceVersion"] = "99"
        return answer

    monkeypatch.setattr(cms, "request", bump)
    out = run({"ticket": "ZD-1", "renew": True}, capsys)
    assert out["rc"] == 1 and "409" in out["msg"] and "run again" in out["msg"] and "training-prod" in out["msg"]
