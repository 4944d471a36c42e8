# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coreweave_cluster_info
short_description: List CoreWeave Kubernetes Service (CKS) clusters
version_added: 0.1.0
description:
  - Lists the CKS clusters of the organization the API token belongs to through C(GET /v1beta1/cks/clusters),
    or reads one cluster by id through C(GET /v1beta1/cks/clusters/{id}).
  - A name or id that matches nothing gives an empty list, not a failure.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - neocloud.support_access.coreweave
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
options:
  name:
    description:
      - Only the cluster with exactly this name.
    type: str
  id:
    description:
      - Only the cluster with this id.
    type: str
  statuses:
    description:
      - Only clusters in one of these states, for example V(STATUS_RUNNING) or V(STATUS_FAILED).
      - An empty list keeps every state.
    type: list
    elements: str
    default: []
  zones:
    description:
      - Only clusters in one of these zones, for example V(US-EAST-04A). An empty list keeps every zone.
    type: list
    elements: str
    default: []
seealso:
  - plugin: neocloud.support_access.coreweave
    plugin_type: inventory
"""

EXAMPLES = r"""
- name: Every running CKS cluster
  neocloud.support_access.coreweave_cluster_info:
    statuses: [STATUS_RUNNING]
  register: cks

- name: One cluster by name
  neocloud.support_access.coreweave_cluster_info:
    name: gpu-train
  register: gpu_train

- name: Its API server
  ansible.builtin.debug:
    msg: "{{ gpu_train.clusters[0].apiServerEndpoint }}"
"""

RETURN = r"""
clusters:
  description: The clusters as the API returns them, sorted by name.
  returned: success
  type: list
  elements: dict
  sample:
    - id: 3f5e0000-0000-4000-8000-000000000001
      name: gpu-train
      zone: US-EAST-04A
      status: STATUS_RUNNING
      version: v1.33
      apiServerEndpoint: https://3f5e0000.k8s.us-east-04a.coreweave.com
      vpcId: vpc-3f5e0000
      public: true
"""

from ..module_utils._coreweave import AnsibleCoreWeave, cluster_matches
from ..module_utils._provider_module import run_module


class CoreWeaveClusterInfo(AnsibleCoreWeave):
    """List CKS clusters."""

    def run(self):
        params = self.module.params
        if params["id"]:
            found = self.get_cluster(params["id"])
            clusters = [found] if found else []
        else:
            clusters = self.list_clusters()
        if params["name"]:
            clusters = [c for c in clusters if c.get("name") == params["name"]]
        clusters = [c for c in clusters if cluster_matches(c, params["statuses"], params["zones"])]
        self.result["clusters"] = sorted(clusters, key=lambda c: (str(c.get("name")), str(c.get("id"))))


def main():
    options = dict(
        name=dict(type="str"),
        id=dict(type="str"),
        statuses=dict(type="list", elements="str", default=[]),
        zones=dict(type="list", elements="str", default=[]),
    )
    run_module(CoreWeaveClusterInfo, options)


if __name__ == "__main__":
    main()
