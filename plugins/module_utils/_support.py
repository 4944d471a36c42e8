# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provider-neutral facts about support access: the one place they are defined.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

# Crusoe Managed Kubernetes (seed documents 000 and 001, reference/crusoe-api.md).
CRUSOE_SUPPORT_VPN_ADDRESS = "4.7.95.218"
CRUSOE_SUPPORT_VPN_CIDR = "4.7.95.218/32"
CRUSOE_SUPPORT_API_PORT = "443"
CRUSOE_CP_FIREWALL_RULE_PREFIX = "cmk-cp-api-access-cp-"

CRUSOE_SUPPORT_ROLES = ("readonly", "operator")
CRUSOE_SUPPORT_GROUPS = ("crusoe:support:readonly", "crusoe:support:operator")

CRUSOE_MANAGED_NAMESPACES = (
    "crusoe-system",
    "kube-system",
    "nvidia-gpu-operator",
    "nvidia-network-operator",
    "kube-amd-gpu",
    "kube-amd-network",
    "slinky",
    "slurm",
)

CRUSOE_CHART_NAME = "crusoe-support-roles"
CRUSOE_CHART_RELEASE = "crusoe-support-roles"
CRUSOE_CHART_NAMESPACE = "crusoe-system"
CRUSOE_CHART_REPO_URL = "https://crusoecloud.github.io/crusoe-support-roles-helm-charts/charts"
CRUSOE_CHART_INSTANCE_LABEL = "app.kubernetes.io/instance"
CRUSOE_MANAGED_LABEL = "crusoe.ai/managed"
CRUSOE_CHART_NAME_LABEL = "app.kubernetes.io/name"

# CoreWeave CKS (seed document 002, reference/coreweave.md).
COREWEAVE_SUPPORT_CLUSTER_ROLES = ("teleport-cluster-viewers", "teleport-cluster-super-admins")
COREWEAVE_SUPPORT_SSH_USER = "acc"
COREWEAVE_APPROVED_ACCESS_HOURS = 8
COREWEAVE_PENDING_REQUEST_HOURS = 2

# Labels the support chart puts on every object it creates (reference/crusoe-api.md).
# What positively identifies the support chart's objects. crusoe.ai/managed=true alone does not: other
# Crusoe-managed charts (crusoe-watch-agent, ...) carry it too, and their RBAC must never be touched.
CRUSOE_CHART_LABELS = {CRUSOE_CHART_INSTANCE_LABEL: CRUSOE_CHART_RELEASE, CRUSOE_CHART_NAME_LABEL: CRUSOE_CHART_NAME}
