# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_pods and support_rbac_info run in-process against a fake API (the request layer is replaced)."""

from __future__ import annotations

import copy
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.neocloud.support_access.plugins.module_utils import _k8s
from ansible_collections.neocloud.support_access.plugins.modules import support_pods, support_rbac_info


CONTROLLER_PLURALS = ("daemonsets", "deployments", "statefulsets", "replicasets", "cronjobs", "jobs")


class FakeAPI:
    """Serves lists in pages, answers SubjectAccessReviews and deletes with uid preconditions; logs every call."""

    def __init__(self, pods=(), objects=None, allowed=(), page=2):
        self.pods = [copy.deepcopy(p) for p in pods]
        self.objects = objects or {}
        self.allowed = set(allowed)
        self.page = page
        self.calls = []
        self.fail = {}

    def request(self, module, method, path, what, query=None, body=None, ok_statuses=()):  # pylint: disable=unused-argument
        query = dict(query or [])
        self.calls.append((method, path, query, body))
        for needle, (status, reason, message) in self.fail.items():
            if needle in path:
                raise _k8s.K8sClusterError(what, status, reason, message)
        if method == "POST" and path.endswith("subjectaccessreviews"):
            attrs = body["spec"]["resourceAttributes"]
            key = (tuple(body["spec"].get("groups", [])), attrs["verb"], attrs["resource"], attrs.get("subresource", ""),
                   attrs.get("namespace", ""))
            return {"status": {"allowed": key in self.allowed, "reason": "fake"}}
        if method == "DELETE" and path.startswith("/apis/"):
            parts = path.split("/")
            namespace, plural, name = parts[5], parts[6], parts[7]
            for obj in self.objects.get(plural, []):
                if obj["metadata"]["namespace"] == namespace and obj["metadata"]["name"] == name:
                    self.objects[plural].remove(obj)
                    # the garbage collector: the controller's pods go with it
                    self.pods = [p for p in self.pods if not any(r.get("uid") == obj["metadata"]["uid"]
                                                                 for r in p["metadata"].get("ownerReferences") or [])]
                    return obj
            return {"kind": "Status", "status": "Failure", "code": 404}
        if method == "DELETE":
            parts = path.split("/")
            namespace, name = parts[4], parts[6]
            for pod in self.pods:
                if pod["metadata"]["namespace"] == namespace and pod["metadata"]["name"] == name:
                    if pod["metadata"]["uid"] != body["preconditions"]["uid"]:
                        return {"kind": "Status", "status": "Failure", "code": 409}
                    self.pods.remove(pod)
                    return pod
            return {"kind": "Status", "status": "Failure", "code": 404}
        if path == "/api/v1/pods":
            items = self.pods
        elif path.startswith("/api/v1/namespaces/"):
            items = [p for p in self.pods if p["metadata"]["namespace"] == path.split("/")[4]]
        else:
            plural = path.rsplit("/", 1)[1]
            if plural in CONTROLLER_PLURALS:
                self.objects.setdefault(plural, [])
            if plural not in self.objects:
                raise _k8s.K8sClusterError(what, 404, "Not Found", "the server could not find the requested resource")
            items = self.objects[plural]
        start = int(query.get("continue") or 0)
        limit = int(query["limit"])
        page = items[start:start + min(limit, self.page)]
        more = start + len(page) < len(items)
        return {"kind": "List", "apiVersion": "v1", "metadata": {"continue": str(start + len(page)) if more else ""},
                "items": copy.deepcopy(page)}


@pytest.fixture
def fake(monkeypatch):
    api = FakeAPI()

    def request(self, method, path, what, query=None, body=None, ok_statuses=()):
        return api.request(self, method, path, what, query=query, body=body, ok_statuses=ok_statuses)

    monkeypatch.setattr(_k8s.SupportK8sModule, "request", request)
    return api


def run(module, args, capsys, check=False, diff=False):
    args = dict(args)
    args.setdefault("context", "training-prod")
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exc:
            module.main()
    out = json.loads(capsys.readouterr().out)
    out["rc"] = exc.value.code
    return out


def pod(name, namespace, uid=None, owner=None, **spec):
    meta = {"name": name, "namespace": namespace, "uid": uid or "uid-" + name}
    if owner:
        meta["ownerReferences"] = [{"kind": owner, "name": "x", "uid": "o", "controller": True}]
    return {"metadata": meta, "spec": dict({"containers": [{"name": "c", "image": "i"}]}, **spec)}


SHELL = pod("node-shell-1", "kube-system", hostPID=True, containers=[{"name": "c", "securityContext": {"privileged": True}}])
SHELL2 = pod("node-shell-2", "slurm", hostPID=True, hostNetwork=True)
DEBUGGER = pod("node-debugger-n1-x", "default", hostPID=True, volumes=[{"name": "h", "hostPath": {"path": "/"}}])
GPU = pod("node-shell-gpu", "nvidia-gpu-operator", owner="DaemonSet", hostPID=True,
          volumes=[{"name": "h", "hostPath": {"path": "/"}}])
WEB = pod("web-1", "shop", owner="ReplicaSet")
CUSTOMER = pod("backup", "ops", volumes=[{"name": "h", "hostPath": {"path": "/"}}])
ALL = [SHELL, SHELL2, DEBUGGER, GPU, WEB, CUSTOMER]


def deletes(api):
    return [c for c in api.calls if c[0] == "DELETE"]


def test_pods_report_pages_through_one_list(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {}, capsys)
    assert out["rc"] == 0 and out["changed"] is False
    assert {(p["namespace"], p["name"], p["verdict"]) for p in out["pods"]} == {
        ("kube-system", "node-shell-1", "confirmed"), ("slurm", "node-shell-2", "confirmed"),
        ("default", "node-debugger-n1-x", "confirmed"), ("nvidia-gpu-operator", "node-shell-gpu", "suspicious"),
        ("ops", "backup", "suspicious")}
    assert [c[1] for c in fake.calls] == ["/api/v1/pods"] * 3 + [  # 6 pods, pages of 2; then the controllers
        "/apis/apps/v1/daemonsets", "/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets", "/apis/apps/v1/replicasets",
        "/apis/batch/v1/cronjobs", "/apis/batch/v1/jobs"]
    assert out["summary"]["would_delete"] == 3 and out["cluster"] == "training-prod"
    assert not deletes(fake)


def test_pods_namespaces_list_once_each(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {"namespaces": ["kube-system", "slurm", "kube-system"], "report_all": True}, capsys)
    assert [c[1] for c in fake.calls][:2] == ["/api/v1/namespaces/kube-system/pods", "/api/v1/namespaces/slurm/pods"]
    assert [c[1] for c in fake.calls][2:4] == ["/apis/apps/v1/namespaces/kube-system/daemonsets",
                                               "/apis/apps/v1/namespaces/slurm/daemonsets"]
    assert [p["name"] for p in out["pods"]] == ["node-shell-1", "node-shell-2"]


def controller(kind, name, namespace, template_spec, uid):
    template = {"metadata": {}, "spec": template_spec}
    spec = {"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else {"template": template}
    return {"metadata": {"name": name, "namespace": namespace, "uid": uid}, "spec": spec}


ROOT_TEMPLATE = {"hostPID": True, "containers": [{"name": "c", "securityContext": {"privileged": True}}]}


def test_support_workloads_are_deleted_controller_first_and_nothing_of_the_customer(fake, capsys):
    shell_ds = controller("DaemonSet", "node-shell-ds", "research", ROOT_TEMPLATE, "ds-1")
    shell_ds["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "kubectl-debug"}
    unknown = controller("DaemonSet", "left-behind", "crusoe-system", ROOT_TEMPLATE, "ds-2")
    operator = controller("DaemonSet", "nvidia-driver", "nvidia-gpu-operator", ROOT_TEMPLATE, "ds-3")
    operator["metadata"]["annotations"] = {"meta.helm.sh/release-name": "gpu-operator"}
    job = controller("Job", "nsenter-job", "default", ROOT_TEMPLATE, "job-1")
    job["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "kubectl-debug"}
    fake.objects = {"daemonsets": [shell_ds, unknown, operator], "jobs": [job]}
    shell_pod = pod("node-shell-ds-abc", "research", hostPID=True)
    shell_pod["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "node-shell-ds", "uid": "ds-1", "controller": True}]
    debugged = pod("trainer-0", "ml", ephemeralContainers=[{"name": "debugger", "image": "busybox"}])
    fake.pods = [shell_pod, debugged, copy.deepcopy(WEB)]
    out = run(support_pods, {"state": "absent", "confirm": True}, capsys)
    assert out["rc"] == 0 and out["changed"] is True
    assert {(w["name"], w["verdict"]) for w in out["workloads"]} == {
        ("node-shell-ds", "confirmed"), ("left-behind", "suspicious"), ("nvidia-driver", "kept"), ("nsenter-job", "confirmed")}
    # the controllers first (they would make new pods), then their pods: the DaemonSet's pod went with it
    assert sorted(d[1] for d in deletes(fake)[:2]) == ["/apis/apps/v1/namespaces/research/daemonsets/node-shell-ds",
                                                       "/apis/batch/v1/namespaces/default/jobs/nsenter-job"]
    assert [d[1] for d in deletes(fake)[2:]] == ["/api/v1/namespaces/research/pods/node-shell-ds-abc"]
    assert sorted(w["name"] for w in out["deleted_workloads"]) == ["node-shell-ds", "nsenter-job"]
    assert [d["name"] for d in out["debugged"]] == ["trainer-0"]
    assert sorted(p["metadata"]["name"] for p in fake.pods) == ["trainer-0", "web-1"]  # the debugged pod is kept
    assert [o["metadata"]["name"] for o in fake.objects["daemonsets"]] == ["left-behind", "nvidia-driver"]
    out = run(support_pods, {"state": "absent", "confirm": True, "delete_debugged_pods": True}, capsys)
    assert [p["name"] for p in out["deleted"]] == ["trainer-0"]


def test_absent_without_confirm_fails_and_lists(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {"state": "absent"}, capsys)
    assert out["rc"] == 1 and out["failed"]
    assert out["msg"].startswith("cluster 'training-prod': state=absent deletes pods and needs confirm=true")
    assert "kube-system/node-shell-1" in out["msg"] and "ops/backup" not in out["msg"]
    assert not deletes(fake)


def test_check_mode_deletes_nothing_and_diffs(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {"state": "absent"}, capsys, check=True, diff=True)
    assert out["changed"] is True and not deletes(fake)
    assert out["deleted"] == [] and len(out["would_delete"]) == 3
    assert "kube-system/node-shell-1" in out["diff"]["before"]["pods"]
    assert out["diff"]["after"]["pods"] == ["nvidia-gpu-operator/node-shell-gpu", "ops/backup"]


def test_confirmed_delete_with_uid_precondition_then_idempotent(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {"state": "absent", "confirm": True, "grace_period_seconds": 0}, capsys)
    assert out["changed"] is True
    assert sorted(d["name"] for d in out["deleted"]) == ["node-debugger-n1-x", "node-shell-1", "node-shell-2"]
    for _method, path, _query, body in deletes(fake):
        name = path.rsplit("/", 1)[1]
        assert body["preconditions"] == {"uid": "uid-" + name} and body["gracePeriodSeconds"] == 0
    assert {p["metadata"]["name"] for p in fake.pods} == {"node-shell-gpu", "web-1", "backup"}
    fake.calls.clear()
    again = run(support_pods, {"state": "absent", "confirm": True}, capsys)
    assert again["changed"] is False and again["deleted"] == [] and not deletes(fake)


def test_replaced_pod_is_skipped(fake, capsys, monkeypatch):
    fake.pods = [copy.deepcopy(SHELL)]
    original = fake.request

    def swap_uid(module, method, path, what, **kwargs):
        if method == "DELETE":
            fake.pods[0]["metadata"]["uid"] = "new-uid"
        return original(module, method, path, what, **kwargs)

    monkeypatch.setattr(fake, "request", swap_uid)
    out = run(support_pods, {"state": "absent", "confirm": True}, capsys)
    assert out["changed"] is False and out["deleted"] == []
    assert out["skipped"][0]["reason"] == "replaced (uid changed)"
    assert fake.pods[0]["metadata"]["uid"] == "new-uid"


def test_terminating_pod_not_deleted_again(fake, capsys):
    shell = copy.deepcopy(SHELL)
    shell["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    fake.pods = [shell]
    out = run(support_pods, {"state": "absent", "confirm": True}, capsys)
    assert out["changed"] is False and not deletes(fake) and out["pods"][0]["terminating"] is True


def test_allow_list_keeps_pod(fake, capsys):
    fake.pods = copy.deepcopy(ALL)
    out = run(support_pods, {"state": "absent", "confirm": True, "allow": ["slurm/*"], "deny": ["ops/backup"]}, capsys)
    assert sorted(d["name"] for d in out["deleted"]) == ["backup", "node-debugger-n1-x", "node-shell-1"]


def test_forbidden_list_names_cluster_and_status(fake, capsys):
    fake.fail["/api/v1/pods"] = (403, "Forbidden", 'pods is forbidden: User "x" cannot list resource "pods"')
    out = run(support_pods, {}, capsys)
    assert out["rc"] == 1
    assert out["msg"] == ("cluster 'training-prod': listing pods in all namespaces failed: 403 Forbidden: "
                          'pods is forbidden: User "x" cannot list resource "pods"')
    assert out["status"] == 403


@pytest.mark.parametrize("args,message", [
    ({"allow": ["a/b/c"]}, "invalid option: allow entry"),
    ({"page_size": 0}, "page_size must be at least 1"),
    ({"namespaces": [""]}, "namespaces must not contain empty names"),
    ({"grace_period_seconds": -1}, "grace_period_seconds must not be negative"),
])
def test_pods_bad_options(fake, capsys, args, message):
    out = run(support_pods, args, capsys)
    assert out["rc"] == 1 and message in out["msg"] and not fake.calls


CHART = {"app.kubernetes.io/instance": "crusoe-support-roles", "app.kubernetes.io/name": "crusoe-support-roles",
         "crusoe.ai/managed": "true"}


def rbac_objects():
    return {
        "clusterroles": [
            {"metadata": {"name": "crusoe-support-operator", "labels": CHART},
             "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]},
            {"metadata": {"name": "crusoe-support-debug", "labels": CHART},
             "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]},
        ],
        "clusterrolebindings": [
            {"metadata": {"name": "crusoe-support-operator-binding", "labels": CHART},
             "roleRef": {"kind": "ClusterRole", "name": "crusoe-support-operator"},
             "subjects": [{"kind": "Group", "name": "crusoe:support:operator"}]},
        ],
        "roles": [],
        "rolebindings": [
            {"metadata": {"name": "crusoe-support-debug-binding", "namespace": "kube-system", "labels": CHART},
             "roleRef": {"kind": "ClusterRole", "name": "crusoe-support-debug"},
             "subjects": [{"kind": "Group", "name": "crusoe:support:operator"}]},
        ],
        "prioritylevelconfigurations": [],
    }


def test_rbac_info_reports_and_probes(fake, capsys):
    fake.objects = rbac_objects()
    fake.objects["flowschemas"] = [{"metadata": {"name": "crusoe-support", "labels": CHART}}]
    fake.allowed = {(("crusoe:support:operator", "system:authenticated"), "create", "pods", "exec", "kube-system")}
    out = run(support_rbac_info, {}, capsys, check=True)
    assert out["rc"] == 0 and out["changed"] is False
    assert [b["name"] for b in out["bindings"]] == ["crusoe-support-operator-binding", "crusoe-support-debug-binding"]
    assert out["summary"]["capabilities"] == ["exec_pods", "delete_pods"]
    assert out["summary"]["probes_allowed"] == 1 and out["summary"]["probes_total"] == 12
    assert out["flowcontrol_served"] is True
    assert ("FlowSchema", "crusoe-support") in [(o["kind"], o["name"]) for o in out["labelled_objects"]]
    assert not [c for c in fake.calls if c[0] not in ("GET", "POST")]
    assert all(c[1].endswith("subjectaccessreviews") for c in fake.calls if c[0] == "POST")


def test_rbac_info_tolerates_missing_flowcontrol(fake, capsys):
    fake.objects = rbac_objects()
    del fake.objects["prioritylevelconfigurations"]
    out = run(support_rbac_info, {"probes": []}, capsys)
    assert out["rc"] == 0 and out["flowcontrol_served"] is False and out["probes"] == []


def test_rbac_info_forbidden(fake, capsys):
    fake.objects = rbac_objects()
    fake.fail["clusterroles"] = (403, "Forbidden", "clusterroles.rbac.authorization.k8s.io is forbidden")
    out = run(support_rbac_info, {}, capsys)
    assert out["msg"] == ("cluster 'training-prod': listing clusterroles failed: 403 Forbidden: "
                          "clusterroles.rbac.authorization.k8s.io is forbidden")


def test_rbac_info_bad_probe(fake, capsys):
    out = run(support_rbac_info, {"probes": [{"verb": "get", "resource": "pods"}]}, capsys)
    assert out["rc"] == 1 and "probes[0] needs a user or groups" in out["msg"]
