# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The default probes ask as an authenticated support identity, so a grant to every authenticated user shows."""

from __future__ import annotations

from support_k8s_helpers import kube_vars, playbook

RBAC = "rbac.authorization.k8s.io/v1"


def test_grant_to_all_authenticated_users_is_probed_allowed(ansible_playbook, kube_cluster):
    k = kube_cluster
    k.cluster.seed([{"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": "everyone-edits"},
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                     "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io",
                                   "name": "system:authenticated"}]}])
    res = ansible_playbook(playbook("support_rbac_info", {}, name="rbac"), extra_vars=kube_vars(k))
    assert res.rc == 0, res.stdout
    out = res.result("rbac")["result"]
    allowed = {p["name"] for p in out["probes"] if p["allowed"]}
    # edit lets anyone exec into pods and read secrets (not cluster-wide: it is bound here cluster-wide, so yes),
    # and the support groups are authenticated users too; edit grants no node patching.
    for group in ("crusoe:support:readonly", "crusoe:support:operator"):
        assert "%s:exec_pods_kube_system" % group in allowed
        assert "%s:get_secrets_cluster" % group in allowed
        assert "%s:patch_nodes" % group not in allowed
    assert out["summary"]["clean"] is False
