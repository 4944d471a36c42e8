# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's controllers on one virtual cluster, without HTTP: DaemonSets, Jobs, CronJobs, CSRs, scheduling."""

import base64

import pytest

from sim.kube import api
from sim.kube.controllers import tolerates
from sim.kube.emulator import Emulator


@pytest.fixture(name="cluster")
def cluster_fixture():
    emu = Emulator(tls=False)
    cluster = emu.add_cluster("unit", nodes=3)
    yield cluster
    emu.remove_cluster("unit")


def _create(cluster, obj, namespace="default"):
    ctx = api.Ctx(cluster, "admin", ("system:masters", "system:authenticated"), {})
    rt = cluster.registry.by_kind(obj["apiVersion"], obj["kind"])
    return api.create(ctx, rt, namespace, obj)


def _delete(cluster, kind, name, namespace="default"):
    ctx = api.Ctx(cluster, "admin", ("system:masters", "system:authenticated"), {})
    return api.delete(ctx, cluster.registry.by_kind("v1", kind), namespace, name, {})


def _template(labels, **spec):
    return {"metadata": {"labels": labels}, "spec": dict({"containers": [{"name": "c", "image": "busybox:1.36"}]}, **spec)}


def _owned_pods(cluster, kind, namespace="default"):
    return [p for p in cluster.list("v1", "Pod", namespace)
            if any(r["kind"] == kind for r in p["metadata"].get("ownerReferences") or [])]


def _node(cluster, name, **spec):
    node = cluster.get("v1", "Node", name)
    node["spec"].update(spec)
    cluster.seed([node])


def test_tolerates():
    taint = {"key": "gpu", "value": "a100", "effect": "NoSchedule"}
    assert tolerates({"operator": "Exists"}, taint)
    assert tolerates({"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}, taint)
    assert tolerates({"key": "gpu", "value": "a100"}, taint)
    assert not tolerates({"key": "gpu", "value": "h100"}, taint)
    assert not tolerates({"key": "gpu", "operator": "Exists", "effect": "NoExecute"}, taint)


def test_daemonset_pods_follow_taints_selectors_and_come_back(cluster):
    _node(cluster, "node-2", taints=[{"key": "gpu", "effect": "NoSchedule"}])
    _node(cluster, "node-3", unschedulable=True)
    _create(cluster, {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                      "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": _template({"app": "agent"})}})
    pods = _owned_pods(cluster, "DaemonSet")
    # the tainted node is left out; the cordoned one is not (DaemonSet pods tolerate unschedulable)
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["node-1", "node-3"]
    for pod in pods:
        terms = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms["nodeSelectorTerms"][0]["matchFields"][0]["values"] == [pod["spec"]["nodeName"]]
        assert pod["metadata"]["labels"]["pod-template-generation"] == "1"
    gone = pods[0]
    _delete(cluster, "Pod", gone["metadata"]["name"])
    again = _owned_pods(cluster, "DaemonSet")
    assert len(again) == 2 and gone["metadata"]["name"] not in {p["metadata"]["name"] for p in again}
    assert {p["spec"]["nodeName"] for p in again} == {"node-1", "node-3"}
    status = cluster.get("apps/v1", "DaemonSet", "agent", "default")["status"]
    assert status["currentNumberScheduled"] == 2


def test_plain_pods_wait_for_a_node_they_fit(cluster):
    for name in ("node-1", "node-2", "node-3"):
        _node(cluster, name, taints=[{"key": "dedicated", "effect": "NoSchedule"}])
    _create(cluster, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": _template({})["spec"]})
    pod = cluster.get("v1", "Pod", "p", "default")
    assert pod["status"]["phase"] == "Pending" and "nodeName" not in pod["spec"]
    assert pod["status"]["conditions"][0]["reason"] == "Unschedulable"
    _create(cluster, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}, "spec": dict(
        _template({})["spec"], tolerations=[{"key": "dedicated", "operator": "Exists"}])})
    assert cluster.get("v1", "Pod", "q", "default")["status"]["phase"] == "Running"


def test_job_counts_lost_pods_as_failed_and_completes(cluster):
    cluster.job_pods_complete = False
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"completions": 2, "parallelism": 2, "backoffLimit": 1,
                    "template": _template({}, restartPolicy="Never")}}
    _create(cluster, job)
    pods = _owned_pods(cluster, "Job")
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)
    _delete(cluster, "Pod", pods[0]["metadata"]["name"])
    status = cluster.get("batch/v1", "Job", "j", "default")["status"]
    assert (status["failed"], status["active"]) == (1, 2)
    for pod in _owned_pods(cluster, "Job"):
        cluster.finish_pod(pod["metadata"]["name"])
    status = cluster.get("batch/v1", "Job", "j", "default")["status"]
    assert status["succeeded"] == 2 and "active" not in status
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]


def test_job_fails_past_its_backoff_limit(cluster):
    cluster.job_pods_complete = False
    _create(cluster, {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
                      "spec": {"backoffLimit": 0, "template": _template({}, restartPolicy="Never")}})
    (pod,) = _owned_pods(cluster, "Job")
    cluster.finish_pod(pod["metadata"]["name"], exit_code=3)
    status = cluster.get("batch/v1", "Job", "j", "default")["status"]
    assert status["failed"] == 1 and [c["type"] for c in status["conditions"]] == ["FailureTarget", "Failed"]
    assert len(_owned_pods(cluster, "Job")) == 1    # the failed pod stays, no new one


def test_finish_pod_restarts_containers_of_restarting_pods(cluster):
    _create(cluster, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": _template({})["spec"]})
    pod = cluster.finish_pod("p", exit_code=1)
    assert pod["status"]["phase"] == "Running" and pod["status"]["containerStatuses"][0]["restartCount"] == 1


def test_cronjob_concurrency_policies(cluster):
    cluster.job_pods_complete = False
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
            "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid", "jobTemplate": {
                "metadata": {"labels": {"team": "ops"}},
                "spec": {"template": _template({}, restartPolicy="OnFailure")}}}}
    _create(cluster, cron)
    first = cluster.trigger_cronjob("cj")
    assert first["metadata"]["labels"] == {"team": "ops"} and first["spec"]["backoffLimit"] == 6
    assert cluster.trigger_cronjob("cj") is None            # Forbid: the first one still runs
    status = cluster.get("batch/v1", "CronJob", "cj", "default")["status"]
    assert [a["name"] for a in status["active"]] == [first["metadata"]["name"]]
    cron = cluster.get("batch/v1", "CronJob", "cj", "default")
    cron["spec"]["concurrencyPolicy"] = "Replace"
    cluster.seed([cron])
    second = cluster.trigger_cronjob("cj")
    assert cluster.get("batch/v1", "Job", first["metadata"]["name"], "default") is None
    assert [j["metadata"]["name"] for j in cluster.list("batch/v1", "Job", "default")] == [second["metadata"]["name"]]
    (pod,) = _owned_pods(cluster, "Job")
    cluster.finish_pod(pod["metadata"]["name"])
    status = cluster.get("batch/v1", "CronJob", "cj", "default")["status"]
    assert "active" not in status and status["lastSuccessfulTime"]


def test_cronjob_history_limits(cluster):
    _create(cluster, {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                      "spec": {"schedule": "@hourly", "successfulJobsHistoryLimit": 2, "jobTemplate": {
                          "spec": {"template": _template({}, restartPolicy="Never")}}}})
    names = [cluster.trigger_cronjob("cj")["metadata"]["name"] for _run in range(4)]
    assert sorted(j["metadata"]["name"] for j in cluster.list("batch/v1", "Job", "default")) == sorted(names[-2:])


def test_csr_signer_issues_only_for_builtin_signers(cluster):
    request = base64.b64encode(b"-----BEGIN CERTIFICATE REQUEST-----\nx\n-----END CERTIFICATE REQUEST-----\n").decode()
    for name, signer in (("builtin", "kubernetes.io/kube-apiserver-client"), ("custom", "example.com/signer")):
        csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
               "spec": {"request": request, "signerName": signer, "usages": ["client auth"]},
               "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Test"}]}}
        cluster.seed([csr])
    assert cluster.get("certificates.k8s.io/v1", "CertificateSigningRequest", "builtin")["status"]["certificate"]
    assert "certificate" not in cluster.get("certificates.k8s.io/v1", "CertificateSigningRequest", "custom")["status"]
