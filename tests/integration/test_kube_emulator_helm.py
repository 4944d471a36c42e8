# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real helm 3 and helm 4 against the Kubernetes API emulator, with the local crusoe-support-roles chart repo."""

import json

import pytest

from sim.chartrepo import ChartRepo

NAMESPACES = ("kube-system", "slurm", "nvidia-gpu-operator")


@pytest.fixture(scope="module")
def chart_repo():
    repo = ChartRepo().start()
    yield repo
    repo.stop()


def _seed_namespaces(cluster):
    cluster.seed([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in NAMESPACES
                  if cluster.get("v1", "Namespace", n) is None])


@pytest.mark.slow
@pytest.mark.parametrize("helm_version", [3, 4])
def test_helm_lifecycle(kube_cluster, chart_repo, helm_version):
    k = kube_cluster
    _seed_namespaces(k.cluster)

    def helm(*args, **kw):
        return k.helm(*args, version=helm_version, **kw)

    helm("repo", "add", "crusoe", chart_repo.url)
    helm("repo", "update")
    helm("install", "crusoe-support-roles", "crusoe/crusoe-support-roles", "--version", "0.1.1",
         "-n", "crusoe-system", "--create-namespace", "--wait", "--timeout", "60s")
    assert k.cluster.get("v1", "Namespace", "crusoe-system") is not None
    roles = {r["metadata"]["name"] for r in k.cluster.list("rbac.authorization.k8s.io/v1", "ClusterRole")}
    assert {"crusoe-support-readonly", "crusoe-support-operator"} <= roles
    releases = json.loads(helm("list", "-n", "crusoe-system", "-o", "json").stdout)
    assert [(r["name"], r["status"], r["chart"]) for r in releases] == [
        ("crusoe-support-roles", "deployed", "crusoe-support-roles-0.1.1")]
    writes = [e for e in k.cluster.writes() if e["resource"] == "clusterroles"]
    if helm_version == 4:  # Helm 4 applies server side
        assert writes and all(e["method"] == "PATCH" and e["content_type"] == "application/apply-patch+yaml" for e in writes)
    else:
        assert writes and all(e["method"] == "POST" for e in writes)
    release_writes = [e for e in k.cluster.writes() if e["resource"] == "secrets"]
    assert release_writes[0]["content_type"] == "application/vnd.kubernetes.protobuf"
    secrets = [s["metadata"]["name"] for s in k.cluster.list("v1", "Secret", "crusoe-system")]
    assert "sh.helm.release.v1.crusoe-support-roles.v1" in secrets
    assert k.cluster.list("flowcontrol.apiserver.k8s.io/v1", "FlowSchema") == [] or all(
        f["metadata"]["name"] != "crusoe-support" for f in k.cluster.list("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"))

    helm("upgrade", "crusoe-support-roles", "crusoe/crusoe-support-roles", "--version", "0.2.0", "-n", "crusoe-system",
         "--wait", "--timeout", "60s")
    names = {f["metadata"]["name"] for f in k.cluster.list("flowcontrol.apiserver.k8s.io/v1", "FlowSchema")}
    assert "crusoe-support" in names
    history = json.loads(helm("history", "crusoe-support-roles", "-n", "crusoe-system", "-o", "json").stdout)
    assert [h["revision"] for h in history] == [1, 2] and history[-1]["status"] == "deployed"

    helm("rollback", "crusoe-support-roles", "1", "-n", "crusoe-system", "--wait", "--timeout", "60s")
    names = {f["metadata"]["name"] for f in k.cluster.list("flowcontrol.apiserver.k8s.io/v1", "FlowSchema")}
    assert "crusoe-support" not in names
    history = json.loads(helm("history", "crusoe-support-roles", "-n", "crusoe-system", "-o", "json").stdout)
    assert [h["revision"] for h in history] == [1, 2, 3]

    helm("uninstall", "crusoe-support-roles", "-n", "crusoe-system", "--wait", "--timeout", "60s")
    roles = {r["metadata"]["name"] for r in k.cluster.list("rbac.authorization.k8s.io/v1", "ClusterRole")}
    assert "crusoe-support-readonly" not in roles
    assert json.loads(helm("list", "-n", "crusoe-system", "-o", "json").stdout) == []
