# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a simulated fleet (sim.fleet) holds for one cluster, read straight from the simulators' state: the end state
the fleet playbook tests and the reliability scenarios assert on."""

from __future__ import annotations

import glob
import os

from ansible_collections.neocloud.support_access.plugins.module_utils import _support

RBAC = "rbac.authorization.k8s.io/v1"
SUPPORT_GROUPS = tuple(_support.CRUSOE_SUPPORT_GROUPS)
LEASE_CONFIGMAP = ("neocloud-support-access-lease", "kube-system")


def latest_report(directory, playbook=None, ext=".json"):
    """The report file a playbook run wrote in ``directory``: ``latest-<playbook><ext>``, or without ``playbook`` the
    newest ``latest-*<ext>`` there."""
    if playbook:
        return os.path.join(str(directory), "latest-%s%s" % (playbook, ext))
    found = glob.glob(os.path.join(str(directory), "latest-*%s" % ext))
    listing = sorted(os.listdir(str(directory))) if os.path.isdir(str(directory)) else "no such directory"
    assert found, "no latest-*%s report in %s: %s" % (ext, directory, listing)
    return max(found, key=os.path.getmtime)


def support_settings(fleet, name):
    return fleet.crusoe.state["support"][fleet.cluster_id(name)]


def rule_sources(fleet, name):
    return [s.get("cidr") for s in fleet.crusoe.state["firewall_rules"][fleet.rule_id(name)]["sources"]]


def helm_release_secrets(fleet, name):
    """Helm's release records in the cluster (any status): what `helm uninstall` must leave none of."""
    return [s for s in fleet.kube(name).list("v1", "Secret", _support.CRUSOE_CHART_NAMESPACE)
            if s.get("type") == "helm.sh/release.v1"]


def helm_releases(fleet, name):
    return [s["metadata"]["name"] for s in helm_release_secrets(fleet, name)]


def support_bindings(fleet, name):
    found = []
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for binding in fleet.kube(name).list(RBAC, kind):
            if any(s.get("name") in SUPPORT_GROUPS for s in binding.get("subjects") or []):
                found.append("%s/%s" % (kind, binding["metadata"]["name"]))
    return found


def lease_state(fleet, name):
    cm = fleet.kube(name).get("v1", "ConfigMap", *LEASE_CONFIGMAP)
    return None if cm is None else cm["data"]["state"]


def pod_names(fleet, name):
    return sorted(p["metadata"]["name"] for p in fleet.kube(name).list("v1", "Pod"))


def node_shell_pods(fleet, name):
    return [p for p in pod_names(fleet, name) if p.startswith("node-shell-")]
