# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the cluster inventory plugins (crusoe, coreweave): plugin_utils/_inventory.ClusterInventory."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Cluster inventory options. Each plugin adds the choices of O(plugin) and its own filters."""

    DOCUMENTATION = r"""
options:
  plugin:
    description:
      - Marks the file as a source for this plugin.
    type: str
    required: true
  name_patterns:
    description:
      - Only clusters whose name matches at least one of these shell-style globs (C(*), C(?), C([seq])),
        case-sensitive. An empty list keeps every name.
    type: list
    elements: str
    default: []
  exclude_patterns:
    description:
      - Leave out clusters whose name matches any of these shell-style globs. Applied after O(name_patterns).
    type: list
    elements: str
    default: []
  kubeconfig:
    description:
      - Kubeconfig file for the clusters' Kubernetes APIs, set as C(support_access_kubeconfig) on every host.
      - May be a Jinja2 template over the same variables as O(context_template), for example
        V(~/.kube/{{ name }}.yaml); a leading C(~) is expanded on the controller.
      - If not set, hosts have no C(support_access_kubeconfig) and the Kubernetes tasks use their own defaults
        (E(K8S_AUTH_KUBECONFIG), C(~/.kube/config)).
    type: str
notes:
  - "An API or configuration failure (for example wrong credentials or an unreachable endpoint) fails this inventory
    source with the reason; C(ansible-inventory) and C(ansible-playbook) show it as a warning unless
    E(ANSIBLE_INVENTORY_UNPARSED_FAILED) or E(ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED) makes it fatal."
"""
