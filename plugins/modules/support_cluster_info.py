# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_cluster_info
short_description: Read one cluster's whole support access state and judge it (the fleet report's cluster report)
version_added: 0.1.0
description:
  - Reads, in one run, everything through which the provider's support can get into one Kubernetes cluster and
    returns the fleet report's cluster report (schema 1, see the collection's C(docs/report.md)) with its findings,
    verdict and the list of what is still open.
  - "Crusoe: the support access settings and active requests (Crusoe API), the control-plane firewall rule (read
    only), support RBAC with what each binding grants and SubjectAccessReview probes, the C(crusoe-support-roles)
    Helm release read from Helm's own storage (its release Secrets; no helm binary needed), diagnostic pods and the
    lease."
  - "CoreWeave: the CKS cluster and, with O(read_telemetry), where Telemetry Relay forwards its audit logs; the
    support RBAC of C(teleport-cluster-viewers) and C(teleport-cluster-super-admins); diagnostic pods; the lease."
  - With O(request_as_groups) it also makes a real request as each support group (listing pods in
    O(request_namespace)); each must be refused with 403. The C(revoke) playbook uses it as its independent proof.
  - With O(activity_logs) it adds the support activity found in Kubernetes and Teleport audit logs
    (see M(neocloud.support_access.support_activity)).
  - A step that fails leaves its section V(null) (rendered C(unknown)) and names itself in the report's C(error);
    a cluster that cannot be reached at all is reported C(unreachable). The task itself fails only for bad options.
  - Runs inside the controller's worker process when the host's connection is C(local) and its Python is the
    controller's (the documented inventory), so a fleet pays no Python start-up and no library import per cluster;
    otherwise it runs as an ordinary module on the host.
  - Never changes anything; the SubjectAccessReviews it creates are not stored by Kubernetes.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - kubernetes.core.k8s_auth_options
  - neocloud.support_access.support_subjects
  - neocloud.support_access.support_subjects.probes
  - neocloud.support_access.crusoe_connection
attributes:
  action:
    support: full
    description: An action plugin runs the read in the controller's worker process for local connections.
options:
  provider:
    description: The cloud provider of the cluster.
    type: str
    choices: [crusoe, coreweave]
    default: crusoe
  cluster:
    description:
      - The provider's cluster, as its id (Crusoe also takes the cluster name in the project).
      - The inventory plugins set it per host as C(support_access_cluster).
    type: str
    required: true
  name:
    description: The cluster's name in the report (the inventory host). Defaults to O(cluster).
    type: str
  project:
    description: Crusoe project (UUID or name); see O(crusoe) for where it is looked up otherwise.
    type: str
  project_name:
    description: The project's name in the report.
    type: str
  firewall_rule:
    description:
      - The id (one request) or name of the Crusoe control-plane firewall rule; the inventory plugin sets it as
        C(support_access_firewall_rule). Found by name in the cluster's VPC network when not set.
    type: str
  read_api:
    description: Read the provider API (Crusoe support settings, CoreWeave cluster).
    type: bool
    default: true
  read_firewall:
    description: Read the Crusoe control-plane firewall rule.
    type: bool
    default: true
  read_telemetry:
    description: Read CoreWeave Telemetry Relay (needs the Telemetry Relay Reader role).
    type: bool
    default: true
  audit_stream_name:
    description: The display name of the Telemetry Relay stream that carries the audit logs.
    type: str
    default: Audit Logs
  chart_release:
    description: The support chart's Helm release.
    type: str
    default: crusoe-support-roles
  chart_namespace:
    description: The namespace of the support chart's Helm release.
    type: str
    default: crusoe-system
  probe_every_class:
    description:
      - When O(probes) is omitted, ask one SubjectAccessReview per door class of the collection's C(docs/doors.md)
        (exec, kubelet proxy, ephemeral containers, token minting, CSR approval, impersonation, admission webhooks,
        ...) for each support subject besides the six default probes. The revoke playbook's proof sets it.
    type: bool
    default: false
  read_only_roles:
    description: ClusterRoles expected to be read-only without Secrets (see M(neocloud.support_access.support_rbac_info)).
    type: list
    elements: str
    default: [teleport-cluster-viewers]
  pods_allow:
    description: C(namespace/name) glob patterns of pods and pod controllers that are never diagnostic.
    type: list
    elements: str
    default: []
  pods_deny:
    description: C(namespace/name) glob patterns of bare pods and pod controllers that are always support's (confirmed).
    type: list
    elements: str
    default: []
  request_as_groups:
    description: Support groups to make a real request as (listing pods in O(request_namespace)); each must get 403.
    type: list
    elements: str
    default: []
  request_as_user:
    description: The user name the requests of O(request_as_groups) impersonate.
    type: str
    default: neocloud-support-revoke-probe
  request_namespace:
    description: The namespace whose pods the requests of O(request_as_groups) list.
    type: str
    default: kube-system
  activity_logs:
    description: Kubernetes or Teleport audit log files (JSON lines, plain or gzip) to read support activity from.
    type: list
    elements: path
    default: []
  activity_cluster:
    description: The cluster's name in the audit logs; defaults to O(name).
    type: str
  activity_approvers:
    description: Who may approve access requests.
    type: list
    elements: str
    default: []
  activity_support_users:
    description: Glob patterns of the provider's support users, for example C(*@coreweave.com).
    type: list
    elements: str
    default: []
  activity_impersonators:
    description: Identities that act for support by impersonation (the Teleport agent).
    type: list
    elements: str
    default: []
  playbook:
    description: The playbook the report is for; V(revoke) judges the cluster C(revoked) or C(not_revoked).
    type: str
    choices: [audit, enable, disable, revoke, sweep, expire]
    default: audit
  actions:
    description: What the run changed, listed in the report.
    type: list
    elements: str
    default: []
  error:
    description: An error of the run to carry into the report (the cluster's verdict becomes C(error)).
    type: str
    default: ""
  policy:
    description: The support access policy (see the collection's C(docs/report.md)); missing keys take their defaults.
    type: dict
  coreweave:
    description:
      - CoreWeave API connection options; each falls back to the E(COREWEAVE_*) environment variables as for the
        CoreWeave modules (see M(neocloud.support_access.coreweave_cluster_info)).
    type: dict
    default: {}
    suboptions:
      api_token:
        description: CoreWeave API token. Never logged.
        type: str
      api_endpoint:
        description: Base URL of the CoreWeave API.
        type: str
      api_timeout:
        description: Seconds to wait for one HTTP answer.
        type: int
      api_retries:
        description: How often a throttled or failed request is repeated.
        type: int
        default: 5
      validate_certs:
        description: Verify the API's TLS certificate.
        type: bool
        default: true
"""

EXAMPLES = r"""
- name: Read training-prod's support access and judge it
  neocloud.support_access.support_cluster_info:
    cluster: "{{ support_access_cluster }}"
    name: "{{ inventory_hostname }}"
    project: "{{ support_access_project }}"
    kubeconfig: ~/.kube/crusoe.yaml
    context: training-prod
    policy:
      allowed_roles: [readonly]
  register: state

- name: Who from Crusoe can get in, and the verdict
  ansible.builtin.debug:
    msg: "{{ state.report.verdict }}: {{ state.open | join('; ') or 'nothing open' }}"
"""

RETURN = r"""
report:
  description:
    - The cluster report (schema 1) with the keys cluster, provider, project, cluster_id, playbook, checked_at,
      reachable, api, chart, rbac, pods, firewall, lease, coreweave, activity, not_applicable, unread, actions,
      findings, verdict and error.
    - C(unread) names each section that could not be read and why; no finding is made from it (the C(unknown)
      record lists it instead) and the verdict is C(error) or C(unreachable).
    - The collection's C(docs/report.md) describes every key.
  returned: success
  type: dict
open:
  description: What still gives support a way in, in plain words (empty when everything is closed).
  returned: success
  type: list
  elements: str
probes:
  description: The SubjectAccessReview probes with the API server's answers (allowed, denied, reason).
  returned: success
  type: list
  elements: dict
failed_steps:
  description: The steps that failed, with what the API said.
  returned: success
  type: list
  elements: str
"""

from ansible_collections.neocloud.support_access.plugins.module_utils import _cluster_state
from ansible_collections.neocloud.support_access.plugins.module_utils._k8s import run_reader_module


def main():
    run_reader_module(_cluster_state.argument_spec(), lambda module: _cluster_state.run(module.params, check_mode=module.check_mode))


if __name__ == "__main__":
    main()
