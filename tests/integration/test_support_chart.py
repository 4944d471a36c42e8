# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_chart through real ansible-playbook, real helm 3/4 and an emulated cluster: the release read from Helm's
storage (no helm process to read), one `helm uninstall --wait` only where a release is live, an interrupted uninstall
finished, check mode and diff, and clear errors."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from sim.chartrepo import ChartRepo
from support_k8s_helpers import install_chart, kube_vars, playbook
from support_roles_helpers import VENV_BIN

RBAC = "rbac.authorization.k8s.io/v1"


def run(ansible_playbook, kube, params, check=False, diff=False):
    return ansible_playbook(playbook("support_chart", params, name="chart"), extra_vars=kube_vars(kube), check=check,
                            diff=diff, env={"PATH": VENV_BIN + ":/usr/bin:/bin"})


def release_secrets(kube):
    return [s for s in kube.cluster.list("v1", "Secret", "crusoe-system") if s.get("type") == "helm.sh/release.v1"]


def mark_uninstalling(kube):
    """Leave the release as a `helm uninstall` killed half-way does: its record and label say uninstalling."""
    secret = release_secrets(kube)[0]
    record = json.loads(gzip.decompress(base64.b64decode(base64.b64decode(secret["data"]["release"]))))
    record["info"]["status"] = "uninstalling"
    secret["data"]["release"] = base64.b64encode(base64.b64encode(gzip.compress(json.dumps(record).encode()))).decode()
    secret["metadata"]["labels"]["status"] = "uninstalling"
    kube.cluster.seed([secret])


@pytest.mark.parametrize("helm_binary", ["helm", "helm4"])
def test_uninstall_only_a_live_release(ansible_playbook, kube_cluster, helm_binary):
    k = kube_cluster
    install_chart(k)
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-support-operator") is not None
    binary = "%s/%s" % (VENV_BIN, helm_binary)
    k.cluster.clear_log()

    res = run(ansible_playbook, k, {"state": "query"})
    out = res.result("chart")["result"]
    assert res.rc == 0 and out["changed"] is False and out["command"] == []
    assert out["release"]["installed"] is True and out["release"]["status"] == "deployed"
    assert out["release"]["chart"] == "crusoe-support-roles-0.2.0" and out["release"]["revision"] == 1
    assert out["invocation"]["in_process"] is True

    res = run(ansible_playbook, k, {"binary_path": binary}, check=True, diff=True)
    out = res.result("chart")["result"]
    assert res.rc == 0 and out["changed"] is True and out["uninstalled"] is True, res.stdout
    assert out["command"][:3] == [binary, "uninstall", "crusoe-support-roles"] and "--wait" in out["command"]
    assert out["diff"] == {"before": {"status": "deployed", "revision": 1, "chart": "crusoe-support-roles-0.2.0"},
                           "after": {}}
    assert k.cluster.writes() == []  # check mode: read only, no helm run
    assert {e["method"] for e in k.cluster.request_log()} == {"GET"}

    res = run(ansible_playbook, k, {"binary_path": binary})
    out = res.result("chart")["result"]
    assert res.rc == 0 and out["changed"] is True, res.stdout
    assert release_secrets(k) == []
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-support-operator") is None

    k.cluster.clear_log()
    res = run(ansible_playbook, k, {"binary_path": binary})
    out = res.result("chart")["result"]
    assert res.rc == 0 and out["changed"] is False and out["command"] == []
    assert out["msg"] == "release crusoe-system/crusoe-support-roles is not installed"
    assert k.cluster.writes() == []


def test_install_creates_a_missing_namespace_and_installs_once(ansible_playbook, kube_cluster):
    """state=present: the namespace created when it is missing (never written when it is there), one helm upgrade
    --install from the repository URL, a before/after diff, nothing done over a live release unless upgrade=true."""
    k = kube_cluster
    with ChartRepo() as repo:
        present = {"state": "present", "chart_repo_url": repo.url, "chart_version": "0.1.1"}
        assert k.cluster.get("v1", "Namespace", "crusoe-system") is None
        k.cluster.clear_log()
        res = run(ansible_playbook, k, present, check=True, diff=True)
        out = res.result("chart")["result"]
        assert res.rc == 0 and out["changed"] is True and out["installed"] is True, res.stdout
        assert out["namespace_created"] is True and k.cluster.writes() == []
        assert out["command"][1:5] == ["upgrade", "--install", "crusoe-support-roles", "crusoe-support-roles"]
        assert "--repo=%s" % repo.url in out["command"] and "--version=0.1.1" in out["command"]
        assert out["diff"] == {
            "before": {"namespace": {"name": "crusoe-system", "exists": False}, "release": {}},
            "after": {"namespace": {"name": "crusoe-system", "exists": True},
                      "release": {"status": "deployed", "revision": 1, "chart": "crusoe-support-roles-0.1.1"}}}
        assert "No meaningful diff" not in res.stdout + res.stderr

        res = run(ansible_playbook, k, present, diff=True)
        out = res.result("chart")["result"]
        assert res.rc == 0 and out["changed"] is True, res.stdout
        assert out["msg"] == ("release crusoe-system/crusoe-support-roles: crusoe-support-roles-0.1.1 installed "
                              "(namespace crusoe-system created)")
        assert out["diff"]["after"]["release"] == {"status": "deployed", "revision": 1, "chart": "crusoe-support-roles-0.1.1"}
        assert k.cluster.get("v1", "Namespace", "crusoe-system") is not None and len(release_secrets(k)) == 1

        # a live release: nothing is done, not even a read of the namespace, unless upgrade asks for another version
        k.cluster.clear_log()
        res = run(ansible_playbook, k, dict(present, chart_version="0.2.0"))
        out = res.result("chart")["result"]
        assert res.rc == 0 and out["changed"] is False and out["command"] == [], res.stdout
        assert k.cluster.writes() == []
        res = run(ansible_playbook, k, dict(present, chart_version="0.2.0", upgrade=True), diff=True)
        out = res.result("chart")["result"]
        assert res.rc == 0 and out["changed"] is True and out["namespace_created"] is False, res.stdout
        assert out["diff"]["before"]["release"]["chart"] == "crusoe-support-roles-0.1.1"
        assert out["diff"]["after"]["release"] == {"status": "deployed", "revision": 2, "chart": "crusoe-support-roles-0.2.0"}
        assert not [w for w in k.cluster.writes() if w["path"] in ("/api/v1/namespaces", "/api/v1/namespaces/crusoe-system")]
        res = run(ansible_playbook, k, dict(present, chart_version="0.2.0", upgrade=True))
        assert res.rc == 0 and res.result("chart")["result"]["changed"] is False, res.stdout

    res = run(ansible_playbook, k, {"state": "present", "chart_repo_url": "http://127.0.0.1:9"})
    assert res.rc != 0 and "state is present but chart_version is not set" in res.result("chart")["result"]["msg"]


def test_an_interrupted_uninstall_is_finished(ansible_playbook, kube_cluster):
    k = kube_cluster
    install_chart(k)
    mark_uninstalling(k)
    res = run(ansible_playbook, k, {})
    out = res.result("chart")["result"]
    assert res.rc == 0 and out["changed"] is True, res.stdout
    assert out["release"]["status"] == "uninstalling" and out["release"]["installed"] is True
    assert release_secrets(k) == []
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-support-operator") is None


def test_errors_name_the_option_and_the_cluster(ansible_playbook, kube_cluster):
    k = kube_cluster
    res = run(ansible_playbook, k, {"timeout": "five minutes"})
    assert res.rc != 0
    assert "cluster '%s': invalid option timeout: 'five minutes'" % k.name in res.result("chart")["result"]["msg"]
    res = run(ansible_playbook, k, {"release": "Crusoe_Roles"})
    assert "invalid option release: 'Crusoe_Roles'" in res.result("chart")["result"]["msg"]
    res = run(ansible_playbook, k, {"username": "admin"})
    assert "helm cannot use the option(s) username" in res.result("chart")["result"]["msg"]

    install_chart(k)
    res = run(ansible_playbook, k, {"binary_path": "/nonexistent/helm"})
    out = res.result("chart")["result"]
    assert res.rc != 0 and "invalid option binary_path: /nonexistent/helm is not an executable file" in out["msg"]
    assert release_secrets(k)  # nothing was removed

    # a failing helm is reported with its exit code and output, and nothing is taken for removed
    res = run(ansible_playbook, k, {"binary_path": "/bin/false"})
    out = res.result("chart")["result"]
    assert res.rc != 0 and "helm uninstall crusoe-support-roles in crusoe-system through context %s" % k.name in out["msg"]
    assert "(rc 1)" in out["msg"] and out["api_unreachable"] is False
    assert release_secrets(k)

    k.cluster.set_fault("unreachable")
    res = run(ansible_playbook, k, {})
    out = res.result("chart")["result"]
    assert res.rc != 0 and out["api_unreachable"] is True
    assert out["error"].startswith("cannot reach the Kubernetes API through context %s of %s" % (k.name, k.kubeconfig))
