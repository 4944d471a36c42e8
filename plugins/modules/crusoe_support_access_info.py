# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_support_access_info
short_description: Read the Crusoe support access settings of a CMK cluster
version_added: 0.1.0
description:
  - Reads C(GET /projects/{project_id}/kubernetes/clusters/{cluster_id}/support/settings) and returns whether
    support access is enabled, with which roles, and every support request with its expiry status.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - neocloud.support_access.crusoe
  - neocloud.support_access.crusoe.module
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
  - neocloud.support_access.crusoe.cluster
"""

EXAMPLES = r"""
- name: Who from Crusoe Support can get into training-prod?
  neocloud.support_access.crusoe_support_access_info:
    cluster: training-prod
    project: ml
  register: access

- name: Show unexpired requests
  ansible.builtin.debug:
    msg: "{{ access.support_access.active_requests | selectattr('expired', 'equalto', false) | list }}"
"""

RETURN = r"""
cluster:
  description: The cluster (id, name, project_id, project_name).
  returned: success
  type: dict
support_access:
  description: The support access settings.
  returned: success
  type: dict
  contains:
    access_enabled:
      description: Whether support access is enabled.
      type: bool
      returned: success
    enabled_roles:
      description: Enabled roles, normalised to V(readonly) and V(operator).
      type: list
      elements: str
      returned: success
    active_request_count:
      description: Number of requests that have not expired.
      type: int
      returned: success
    active_requests:
      description: Requests as the API lists them, each with C(expired) (bool) and C(status) (V(active) or V(expired)).
      type: list
      elements: dict
      returned: success
"""

from ..module_utils._crusoe_api import settings_view
from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module


class CrusoeSupportAccessInfo(AnsibleCrusoe):
    """Read support access settings of one cluster."""

    def run(self):
        cluster = self.find_cluster(self.module.params["cluster"])
        self.result["cluster"] = dict(id=cluster["id"], name=cluster.get("name"), project_id=self.project["id"],
                                      project_name=self.project.get("name"))
        self.result["support_access"] = settings_view(self.client.get(self.cluster_path(cluster["id"]) + "/support/settings"))


def main():
    run_module(CrusoeSupportAccessInfo, dict(cluster=dict(type="str", required=True)))


if __name__ == "__main__":
    main()
