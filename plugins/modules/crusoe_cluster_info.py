# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_cluster_info
short_description: List Crusoe Managed Kubernetes clusters
version_added: 0.1.0
description:
  - Lists CMK clusters of a project (or of every visible project) through
    C(GET /projects/{project_id}/kubernetes/clusters), following C(next_token) pagination.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - neocloud.support_access.crusoe
  - neocloud.support_access.crusoe.module
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
options:
  name:
    description:
      - Only the clusters with exactly this name (API filter C(cluster_name)).
    type: str
  id:
    description:
      - Only the cluster with this UUID (API filter C(cluster_id)).
    type: str
  states:
    description:
      - Only clusters in one of these states, for example V(STATE_RUNNING).
    type: list
    elements: str
  locations:
    description:
      - Only clusters in one of these locations, for example V(us-east1-a).
    type: list
    elements: str
  all_projects:
    description:
      - List the clusters of every project visible to the key instead of one project.
      - O(project) is ignored when this is V(true).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Every running cluster in project ml
  neocloud.support_access.crusoe_cluster_info:
    project: ml
    states: [STATE_RUNNING]
  register: clusters

- name: Every cluster the key can see
  neocloud.support_access.crusoe_cluster_info:
    all_projects: true
  register: fleet

- name: One cluster by name
  neocloud.support_access.crusoe_cluster_info:
    name: training-prod
"""

RETURN = r"""
clusters:
  description: The clusters, as the API returns them, with C(project_id) and C(project_name) set.
  returned: success
  type: list
  elements: dict
  sample:
    - id: cd5b0b6e-0000-4000-8000-000000000001
      name: training-prod
      location: us-east1-a
      state: STATE_RUNNING
      version: 1.33.4-cmk.1
      subnet_id: 5b000000-0000-4000-8000-000000000001
      project_id: ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab
      project_name: ml
projects:
  description: The projects that were listed (C(id) and C(name)).
  returned: success
  type: list
  elements: dict
"""

from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module


class CrusoeClusterInfo(AnsibleCrusoe):
    """List clusters."""

    def run(self):
        params = self.module.params
        if params["all_projects"]:
            projects = [dict(id=p["id"], name=p.get("name")) for p in self.list_projects()]
        else:
            projects = [self.project]
        query = {}
        if params["name"]:
            query["cluster_name"] = params["name"]
        if params["id"]:
            query["cluster_id"] = params["id"]
        if params["states"]:
            query["states"] = ",".join(params["states"])
        if params["locations"]:
            query["locations"] = ",".join(params["locations"])
        clusters = []
        for project in projects:
            for cluster in self.client.list_all(self.cluster_path(project_id=project["id"]), query):
                cluster = dict(cluster, project_id=cluster.get("project_id") or project["id"], project_name=project.get("name"))
                clusters.append(cluster)
        self.result["clusters"] = clusters
        self.result["projects"] = projects


def main():
    options = dict(
        name=dict(type="str"),
        id=dict(type="str"),
        states=dict(type="list", elements="str"),
        locations=dict(type="list", elements="str"),
        all_projects=dict(type="bool", default=False),
    )
    run_module(CrusoeClusterInfo, options)


if __name__ == "__main__":
    main()
