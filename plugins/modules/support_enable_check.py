# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_enable_check
short_description: Check a request to enable support access before anything changes - policy, live lease, requests
version_added: 0.1.0
description:
  - The check the C(enable) playbook makes on each cluster before it changes anything. It fails, naming every reason
    and saying that nothing was changed, when
  - the request's own options are wrong (O(roles), O(ticket), O(duration), O(max_duration), O(policy));
  - the O(policy) does not allow it - a role outside C(allowed_roles), a O(duration) longer than C(max_lease), a
    firewall opening (O(firewall)) while C(allow_firewall_opening) is false - each refusal naming the policy key and
    where the policy comes from (O(policy_source));
  - the cluster has an active lease for another ticket or other roles and O(extend) is not set (a second enable never
    replaces a lease silently);
  - an active support request at the provider uses a role the request would drop.
  - Reads the provider's support settings and the lease ConfigMap (see M(neocloud.support_access.support_lease)) once;
    a cluster that cannot be read fails the check, so nothing is enabled on an unknown state.
  - Runs inside the controller's worker process for local connections (as M(neocloud.support_access.support_cluster_info));
    the action plugin fills in O(policy_source) from the inventory when it is not given.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - kubernetes.core.k8s_auth_options
  - neocloud.support_access.crusoe_connection
attributes:
  action:
    support: full
    description: >-
      An action plugin runs the check in the controller's worker process for local connections and names where the
      host's C(support_access_policy) is defined.
options:
  provider:
    description: The cloud provider of the cluster; enabling is supported for V(crusoe).
    type: str
    choices: [crusoe, coreweave]
    default: crusoe
  cluster:
    description: The provider's cluster id (or name in the project); the inventory plugins set C(support_access_cluster).
    type: str
    required: true
  name:
    description: The cluster's name in messages (the inventory host). Defaults to O(cluster).
    type: str
  project:
    description: Crusoe project (UUID or name); see O(crusoe) for where it is looked up otherwise.
    type: str
  ticket:
    description: The support ticket the access is for (the lease's ticket; see M(neocloud.support_access.support_lease)).
    type: str
  require_ticket:
    description: Whether a O(ticket) is required.
    type: bool
    default: true
  roles:
    description: The support roles asked for, V(readonly) and/or V(operator) (operator brings readonly with it).
    type: list
    elements: str
    required: true
  duration:
    description: How long the access lasts, for example C(8h), C(90m) or C(1h30m); at most 7 days.
    type: str
    default: 8h
  max_duration:
    description: The longest O(duration) the caller allows, besides the policy's C(max_lease).
    type: str
  firewall:
    description: Whether the control-plane firewall is to be opened to the support VPN.
    type: bool
    default: true
  extend:
    description:
      - Allow the request to extend or change an active lease (another ticket, other roles, a new expiry); the current
        lease is kept in the lease history. Without it such a request is refused.
    type: bool
    default: false
  policy:
    description:
      - The support access policy (the collection's C(docs/report.md)); missing keys take their defaults.
      - The C(enable) playbook passes the host's C(support_access_policy).
    type: dict
  policy_source:
    description:
      - The policy and where it comes from, as the messages name it, for example
        C(support_access_policy (group_vars of crusoe_ml)).
      - The action plugin fills it in when it is not set - where the host's C(support_access_policy) is defined (extra
        vars, host_vars, group_vars, in precedence order).
    type: str
    default: ""
notes:
  - Needs C(get) on the lease ConfigMap in C(kube-system) and read access to the cluster's support settings.
seealso:
  - module: neocloud.support_access.support_lease
  - module: neocloud.support_access.crusoe_support_access
"""

EXAMPLES = r"""
- name: Check the request against the policy, the lease and the active requests before enabling
  neocloud.support_access.support_enable_check:
    cluster: training-prod
    project: ml
    kubeconfig: ~/.kube/fleet
    context: training-prod
    ticket: ZD-1234
    roles: [readonly]
    duration: 4h
    policy: "{{ support_access_policy | default({}) }}"
  register: plan

- name: What enable will do with the lease
  ansible.builtin.debug:
    msg: "{{ plan.plan.lease }}"
"""

RETURN = r"""
plan:
  description: What enable will do when the check passes (also returned with a refusal).
  returned: success or refused
  type: dict
  contains:
    roles:
      description: The roles, normalised (operator brings readonly).
      type: list
      elements: str
    duration:
      description: The duration asked for.
      type: str
    duration_seconds:
      description: The duration in seconds.
      type: int
    firewall:
      description: Whether the firewall is to be opened.
      type: bool
    lease:
      description: >-
        V(record) (no live lease), V(keep) (the same live lease), V(extend) (same ticket, new terms) or V(replace)
        (another ticket, with O(extend)).
      type: str
    policy_source:
      description: Where the policy comes from.
      type: str
lease:
  description: The cluster's lease as read, with C(status) (see M(neocloud.support_access.support_lease)); null without one.
  returned: success or refused
  type: dict
api:
  description: The provider's support settings as read (access_enabled, roles, active_requests).
  returned: success
  type: dict
refusals:
  description: Every reason the request was refused, each naming the option or policy key.
  returned: failed
  type: list
  elements: str
"""

from ansible_collections.neocloud.support_access.plugins.module_utils import _preflight
from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import run_reader_module


def main():
    run_reader_module(_preflight.argument_spec(), lambda module: _preflight.run(module.params))


if __name__ == "__main__":
    main()
