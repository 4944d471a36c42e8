# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_revoke (and support_enable, support_sweep) end to end: real ansible-playbook, real helm, the Kubernetes
emulator and the Crusoe API simulator describing the same cluster."""

from __future__ import annotations

import pytest

from sim.chartrepo import ChartRepo
from sim.fleet import gpu_daemonset
from support_k8s_helpers import namespace
from support_roles_helpers import (MANAGED, deployment, fact, firewall_sources, helm_releases, node_shell,
                                   orphan_binding, pod_keys, role_play, run_env, start_crusoe, support_settings,
                                   write_inventory)

RBAC = "rbac.authorization.k8s.io/v1"
SUPPORT_VPN = "4.7.95.218/32"


@pytest.fixture
def chart_repo():
    with ChartRepo() as repo:
        yield repo


@pytest.fixture
def engaged(kube_cluster, chart_repo):
    """A cluster in the middle of a support engagement, and the Crusoe API saying so."""
    k = kube_cluster
    node = k.cluster.list("v1", "Node")[0]["metadata"]["name"]
    k.cluster.seed([namespace(ns) for ns in MANAGED + ("web",)])
    k.helm("install", "crusoe-support-roles", "crusoe-support-roles", "--repo", chart_repo.url, "--version", "0.2.0",
           "--namespace", "crusoe-system")
    k.cluster.seed([
        node_shell("node-shell-5c1f0a2e", "kube-system", node),
        node_shell("node-shell-77d0b9c1", "slurm", node),
        orphan_binding(),
        gpu_daemonset("nvidia-driver-daemonset", "nvidia-gpu-operator"),
        deployment("node-shell-frontend", "web"),
    ])
    k.kubectl("debug", "node/%s" % node, "--image=busybox", "--profile=legacy", "--namespace", "default")
    crusoe = start_crusoe(k.name, enabled=True)
    sources = firewall_sources(crusoe)
    crusoe.state["firewall_rules"]["f1000000-0000-4000-8000-000000000001"]["sources"] = (
        [{"cidr": c} for c in sources] + [{"cidr": SUPPORT_VPN}])
    k.cluster.clear_log()
    crusoe.clear_log()
    try:
        yield k, crusoe
    finally:
        crusoe.stop()


def revoke(ansible_playbook, kube, crusoe, tmp_path, check=False, **extra):
    inventory = write_inventory(tmp_path / "inventory.json", kube)
    return ansible_playbook(role_play("support_revoke"), inventory=inventory, check=check, extra_vars=extra,
                            env=run_env(kube, crusoe))


def lookalikes(pods):
    return {key: uid for key, uid in pods.items()
            if key[0] in ("nvidia-gpu-operator", "web")}


def test_revoke_everything_and_prove_it(ansible_playbook, engaged, tmp_path):
    k, crusoe = engaged
    before = pod_keys(k)
    assert ("default", "node-debugger-") in {(ns, n[:14]) for ns, n in before}
    keep = lookalikes(before)
    assert len(keep) == 3, keep

    res = revoke(ansible_playbook, k, crusoe, tmp_path, check=True)
    assert res.rc == 0, res.stdout
    assert k.cluster.writes() == [] and crusoe.writes() == []
    result = fact(res, "support_revoke_result")
    assert result["check_mode"] is True and result["revoked"] is None
    assert result["rbac_deleted"] >= 1 and result["pods_deleted"] == 3

    res = revoke(ansible_playbook, k, crusoe, tmp_path)
    assert res.rc != 0
    assert "cluster %s: revoking support access" % k.name in res.stdout and "support_access_confirm=true" in res.stdout
    assert k.cluster.writes() == [] and crusoe.writes() == []

    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
    assert res.rc == 0, res.stdout
    assert support_settings(crusoe)["access_enabled"] is False
    assert SUPPORT_VPN not in firewall_sources(crusoe) and "203.0.113.0/24" in firewall_sources(crusoe)
    assert helm_releases(k) == {}
    assert k.cluster.get(RBAC, "RoleBinding", "crusoe-support-operator-extra", "kube-system") is None
    after = pod_keys(k)
    assert not [key for key in after if key[1].startswith(("node-shell-5", "node-shell-7", "node-debugger-"))]
    assert lookalikes(after) == keep
    result = fact(res, "support_revoke_result")
    assert result["revoked"] is True and result["open"] == []
    assert result["pods_deleted"] == 3 and result["lease_status"] == "none"
    # the six default probes and one per door class (docs/doors.md), for each of the two support groups
    assert result["probes_denied"] == 2 * (6 + 38) and result["requests_refused"] == 2
    impersonated = [e for e in k.cluster.request_log() if e["impersonated_groups"]]
    assert {g for e in impersonated for g in e["impersonated_groups"]} >= {"crusoe:support:readonly", "crusoe:support:operator"}
    assert any(e["status"] == 403 and e["resource"] == "pods" for e in impersonated)
    assert k.kubectl("auth", "can-i", "create", "pods/exec", "-n", "kube-system", "--as", "someone",
                     "--as-group", "crusoe:support:operator", check=False).stdout.strip() == "no"

    k.cluster.clear_log()
    crusoe.clear_log()
    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
    assert res.rc == 0 and res.changed == 0, res.stdout
    assert k.cluster.writes() == [] and crusoe.writes() == []


def test_revoke_fails_closed_when_a_shared_binding_still_grants(ansible_playbook, engaged, tmp_path):
    k, crusoe = engaged
    shared = orphan_binding("ops-shared", "slurm")
    shared["subjects"].append({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "slurm-admins"})
    k.cluster.seed([shared])
    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
    assert res.rc != 0
    assert "cluster %s: NOT REVOKED: " % k.name in res.stdout
    assert "RoleBinding/slurm/ops-shared: grants Group/crusoe:support:operator:" in res.stdout
    assert "shared with other subjects: kept unless support_revoke_remove_subjects_from_shared_bindings" in res.stdout
    result = fact(res, "support_revoke_result")
    assert result["revoked"] is False and any("ops-shared" in item for item in result["open"])
    assert support_settings(crusoe)["access_enabled"] is False

    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True,
                 support_revoke_remove_subjects_from_shared_bindings=True)
    assert res.rc == 0, res.stdout
    subjects = k.cluster.get(RBAC, "RoleBinding", "ops-shared", "slurm")["subjects"]
    assert [s["name"] for s in subjects] == ["slurm-admins"]

    # Access through a group every authenticated user is in: no binding names a support subject, but the API server
    # still lets a real support user in. The probes ask as a member of system:authenticated too, and the request made
    # as each support group (impersonation adds system:authenticated) proves it.
    k.cluster.seed([{"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": "everyone-views"},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
                     "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"}]}])
    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
    assert res.rc != 0
    result = fact(res, "support_revoke_result")
    assert result["revoked"] is False
    assert "request as group was not refused: crusoe:support:readonly" in result["open"]
    assert "request as group was not refused: crusoe:support:operator" in result["open"]
    assert "SubjectAccessReview allowed: crusoe:support:readonly:list_pods_cluster" in result["open"]
    assert "NOT REVOKED" in res.stdout and "request as group was not refused" in res.stdout


def test_revoke_unreachable_cluster_is_not_revoked(ansible_playbook, engaged, tmp_path):
    k, crusoe = engaged
    k.cluster.set_fault("unreachable")
    res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
    assert res.rc != 0
    assert "cluster %s: NOT REVOKED: Uninstall the support chart failed: cluster %s: cannot reach the Kubernetes API" % (
        k.name, k.name) in res.stdout
    assert "Delete leftover support RBAC failed" in res.stdout and "Delete confirmed diagnostic pods failed" in res.stdout
    result = fact(res, "support_revoke_result")
    assert result["revoked"] is False and len(result["failed_steps"]) == 3
    # What does not need the cluster is still done: the API disable and the firewall source removal.
    assert support_settings(crusoe)["access_enabled"] is False
    assert SUPPORT_VPN not in firewall_sources(crusoe)
    assert result["lease_status"] == "unknown"


def enable(ansible_playbook, kube, crusoe, tmp_path, repo_url, check=False, **extra):
    inventory = write_inventory(tmp_path / "inventory.json", kube)
    extra.setdefault("support_enable_chart_repo_url", repo_url)
    return ansible_playbook(role_play("support_enable"), inventory=inventory, check=check, extra_vars=extra,
                            env=run_env(kube, crusoe))


def test_enable_then_revoke_round_trip(ansible_playbook, kube_cluster, chart_repo, tmp_path):
    k = kube_cluster
    k.cluster.seed([namespace(ns) for ns in MANAGED if ns != "crusoe-system"])
    crusoe = start_crusoe(k.name, enabled=False)
    try:
        res = enable(ansible_playbook, k, crusoe, tmp_path, chart_repo.url)
        assert res.rc != 0
        assert ("cluster '%s': invalid option: ticket (support_access_ticket, support_enable_ticket): a lease needs a "
                "ticket" % k.name) in res.stdout
        assert k.cluster.writes() == [] and crusoe.writes() == []

        params = {"support_access_ticket": "ZD-1234", "support_access_reason": "CMK Node Not Ready",
                  "support_access_roles": ["readonly", "operator"]}
        res = enable(ansible_playbook, k, crusoe, tmp_path, chart_repo.url, check=True, **params)
        assert res.rc == 0, res.stdout
        assert k.cluster.writes() == [] and crusoe.writes() == []

        res = enable(ansible_playbook, k, crusoe, tmp_path, chart_repo.url, **params)
        assert res.rc == 0, res.stdout
        settings = support_settings(crusoe)
        assert settings["access_enabled"] is True
        assert sorted(settings["enabled_roles"]) == ["SUPPORT_ACCESS_ROLE_OPERATOR", "SUPPORT_ACCESS_ROLE_READONLY"]
        assert SUPPORT_VPN in firewall_sources(crusoe)
        assert helm_releases(k)["crusoe-support-roles"]["chart"] == "crusoe-support-roles-0.2.0"
        assert k.cluster.get(RBAC, "RoleBinding", "crusoe-support-debug-binding", "crusoe-system") is not None
        lease = k.cluster.get("v1", "ConfigMap", "neocloud-support-access-lease", "kube-system")["data"]
        assert lease["ticket"] == "ZD-1234" and lease["state"] == "active" and lease["cluster"] == k.name
        result = fact(res, "support_enable_result")
        assert result["lease_status"] == "active" and result["roles"] == ["readonly", "operator"]
        assert 8 * 3600 - 300 < result["expires_in_seconds"] <= 8 * 3600

        k.cluster.clear_log()
        crusoe.clear_log()
        res = enable(ansible_playbook, k, crusoe, tmp_path, chart_repo.url, **params)
        assert res.rc == 0 and res.changed == 0, res.stdout
        assert k.cluster.writes() == [] and crusoe.writes() == []

        res = revoke(ansible_playbook, k, crusoe, tmp_path, support_access_confirm=True)
        assert res.rc == 0, res.stdout
        assert support_settings(crusoe)["access_enabled"] is False
        assert SUPPORT_VPN not in firewall_sources(crusoe)
        assert helm_releases(k) == {}
        lease = k.cluster.get("v1", "ConfigMap", "neocloud-support-access-lease", "kube-system")["data"]
        assert lease["state"] == "closed" and lease["closed_reason"] == "support access revoked"
        assert fact(res, "support_revoke_result")["lease_status"] == "closed"
    finally:
        crusoe.stop()


def test_enable_keeps_a_preinstalled_chart(ansible_playbook, kube_cluster, chart_repo, tmp_path):
    k = kube_cluster
    k.helm("install", "crusoe-support-roles", "crusoe-support-roles", "--repo", chart_repo.url, "--version", "0.1.1",
           "--namespace", "crusoe-system", "--create-namespace")
    crusoe = start_crusoe(k.name, enabled=False)
    k.cluster.clear_log()
    try:
        res = enable(ansible_playbook, k, crusoe, tmp_path, chart_repo.url, support_access_ticket="ZD-7")
        assert res.rc == 0, res.stdout
        release = helm_releases(k)["crusoe-support-roles"]
        assert release["revision"] == "1" and release["chart"] == "crusoe-support-roles-0.1.1"
        secret_writes = [e for e in k.cluster.writes() if e["resource"] == "secrets"]
        assert secret_writes == []
        writes = {(e["resource"], e["name"]) for e in k.cluster.writes()}
        assert writes == {("configmaps", "")}, writes
        assert fact(res, "support_enable_result")["chart"]["preinstalled"] is True
    finally:
        crusoe.stop()


def test_sweep_reports_then_deletes(ansible_playbook, engaged, tmp_path):
    k, crusoe = engaged
    inventory = write_inventory(tmp_path / "inventory.json", k)
    res = ansible_playbook(role_play("support_sweep"), inventory=inventory, env=run_env(k))
    assert res.rc == 0 and res.changed == 0, res.stdout
    assert k.cluster.writes() == []
    assert fact(res, "support_sweep_result")["summary"]["would_delete"] == 3
    keep = lookalikes(pod_keys(k))
    res = ansible_playbook(role_play("support_sweep"), inventory=inventory, env=run_env(k),
                           extra_vars={"support_access_confirm": "true"})
    assert res.rc == 0 and res.changed == 1, res.stdout
    assert fact(res, "support_sweep_result")["summary"]["deleted"] == 3
    assert lookalikes(pod_keys(k)) == keep
    assert crusoe.writes() == []


@pytest.mark.parametrize("role", ["support_enable", "support_sweep", "support_revoke"])
@pytest.mark.parametrize("variable", ["support_access_kubeconfig", "support_access_context"])
def test_missing_connection_variables_name_cluster_and_variable(ansible_playbook, kube_cluster, tmp_path, role, variable):
    k = kube_cluster
    crusoe = start_crusoe(k.name, enabled=False)
    try:
        inventory = write_inventory(tmp_path / "inventory.json", k, **{variable: ""})
        res = ansible_playbook(role_play(role), inventory=inventory, env=run_env(k, crusoe),
                               extra_vars={"support_access_confirm": True, "support_access_ticket": "ZD-1"})
        assert res.rc != 0
        assert "cluster %s: set support_access_kubeconfig and support_access_context" % k.name in res.stdout
        assert k.cluster.request_log() == [] and crusoe.request_log() == []
    finally:
        crusoe.stop()


def test_enable_other_provider_is_refused(ansible_playbook, kube_cluster, tmp_path):
    k = kube_cluster
    inventory = write_inventory(tmp_path / "inventory.json", k, support_access_provider="coreweave")
    res = ansible_playbook(role_play("support_enable"), inventory=inventory, env=run_env(k),
                           extra_vars={"support_access_ticket": "ZD-1"})
    assert res.rc != 0
    assert ("cluster '%s': invalid option: provider (support_access_provider, support_enable_provider): enable "
            "supports crusoe only, got 'coreweave'; nothing was changed" % k.name) in res.stdout
    assert k.cluster.request_log() == []
