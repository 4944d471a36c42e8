# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The crusoe_support_roles role through real ansible-playbook, real helm 3/4 and the chart repository simulator."""

from __future__ import annotations

import pytest

from sim.chartrepo import ChartRepo
from support_k8s_helpers import MANAGED, namespace
from support_roles_helpers import VENV_BIN, fact, helm_releases, role_play, run_env, write_inventory

RBAC = "rbac.authorization.k8s.io/v1"


@pytest.fixture
def chart_repo():
    with ChartRepo() as repo:
        yield repo


def run(ansible_playbook, kube, tmp_path, repo_url, check=False, **role_vars):
    inventory = write_inventory(tmp_path / "inventory.json", kube)
    params = {"crusoe_support_roles_chart_repo_url": repo_url}
    params.update(role_vars)
    return ansible_playbook(role_play("crusoe_support_roles", params), inventory=inventory, check=check,
                            env=run_env(kube))


@pytest.mark.parametrize("helm_binary", ["helm", "helm4"])
def test_first_install_has_crusoe_system_binding_and_is_idempotent(ansible_playbook, kube_cluster, tmp_path, chart_repo,
                                                                   helm_binary):
    k = kube_cluster
    k.cluster.seed([namespace(ns) for ns in MANAGED if ns != "crusoe-system"])
    binary = "%s/%s" % (VENV_BIN, helm_binary)
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, check=True, crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0, res.stdout
    assert k.cluster.writes() == []

    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0, res.stdout
    assert res.changed >= 1
    release = helm_releases(k, version=3 if helm_binary == "helm" else 4)["crusoe-support-roles"]
    assert release["chart"] == "crusoe-support-roles-0.2.0"
    for ns in MANAGED:
        assert k.cluster.get(RBAC, "RoleBinding", "crusoe-support-logs-binding", ns) is not None, ns
    assert k.cluster.get(RBAC, "RoleBinding", "crusoe-support-debug-binding", "crusoe-system") is not None
    facts = fact(res, "crusoe_support_roles_result")
    assert facts["preinstalled"] is False and facts["changed"] is True and facts["chart"] == "crusoe-support-roles-0.2.0"

    k.cluster.clear_log()
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0 and res.changed == 0, res.stdout
    assert k.cluster.writes() == []

    res = run(ansible_playbook, k, tmp_path, chart_repo.url, check=True, crusoe_support_roles_state="absent",
              crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0 and res.changed == 1 and k.cluster.writes() == []
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_state="absent",
              crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0 and res.changed == 1, res.stdout
    assert helm_releases(k) == {}
    assert k.cluster.get(RBAC, "ClusterRole", "crusoe-support-operator") is None
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_state="absent",
              crusoe_support_roles_helm_binary=binary)
    assert res.rc == 0 and res.changed == 0


def test_preinstalled_release_is_left_alone(ansible_playbook, kube_cluster, tmp_path, chart_repo):
    k = kube_cluster
    k.helm("install", "crusoe-support-roles", "crusoe-support-roles", "--repo", chart_repo.url, "--version", "0.1.1",
           "--namespace", "crusoe-system", "--create-namespace")
    k.cluster.clear_log()
    res = run(ansible_playbook, k, tmp_path, chart_repo.url)
    assert res.rc == 0 and res.changed == 0, res.stdout
    assert k.cluster.writes() == []
    release = helm_releases(k)["crusoe-support-roles"]
    assert release["revision"] == "1" and release["chart"] == "crusoe-support-roles-0.1.1"
    facts = fact(res, "crusoe_support_roles_result")
    assert facts["preinstalled"] is True and facts["chart"] == "crusoe-support-roles-0.1.1"

    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_upgrade=True)
    assert res.rc == 0 and res.changed >= 1, res.stdout
    release = helm_releases(k)["crusoe-support-roles"]
    assert release["revision"] == "2" and release["chart"] == "crusoe-support-roles-0.2.0"
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_upgrade=True)
    assert res.rc == 0 and res.changed == 0, res.stdout
    assert helm_releases(k)["crusoe-support-roles"]["revision"] == "2"


def test_unknown_chart_version(ansible_playbook, kube_cluster, tmp_path, chart_repo):
    k = kube_cluster
    res = run(ansible_playbook, k, tmp_path, chart_repo.url, crusoe_support_roles_chart_version="9.9.9")
    assert res.rc != 0
    assert "crusoe_support_roles_chart_version 9.9.9 is not published" in res.stdout
    assert "0.1.1, 0.2.0" in res.stdout and k.name in res.stdout
    assert k.cluster.writes() == []


def test_missing_kubeconfig_and_context(ansible_playbook, kube_cluster, tmp_path, chart_repo):
    k = kube_cluster
    inventory = write_inventory(tmp_path / "inv.json", k, support_access_kubeconfig=str(tmp_path / "nope.yaml"))
    res = ansible_playbook(role_play("crusoe_support_roles", {"crusoe_support_roles_chart_repo_url": chart_repo.url}),
                           inventory=inventory, env=run_env(k))
    assert res.rc != 0
    assert "cluster %s: the kubeconfig file %s" % (k.name, tmp_path / "nope.yaml") in res.stdout
    assert "support_access_kubeconfig" in res.stdout

    inventory = write_inventory(tmp_path / "inv2.json", k, support_access_context="")
    res = ansible_playbook(role_play("crusoe_support_roles"), inventory=inventory, env=run_env(k))
    assert res.rc != 0 and "cluster %s: set support_access_kubeconfig and support_access_context" % k.name in res.stdout


def test_unreachable_cluster(ansible_playbook, kube_cluster, tmp_path, chart_repo):
    k = kube_cluster
    k.cluster.set_fault("unreachable")
    res = run(ansible_playbook, k, tmp_path, chart_repo.url)
    assert res.rc != 0
    assert "cluster %s: cannot reach the Kubernetes API through context %s" % (k.name, k.name) in res.stdout
