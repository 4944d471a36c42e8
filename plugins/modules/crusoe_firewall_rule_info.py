# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_firewall_rule_info
short_description: List Crusoe VPC firewall rules
version_added: 0.1.0
description:
  - Lists the VPC firewall rules of a project (C(GET /projects/{project_id}/networking/vpc-firewall-rules)),
    optionally only one rule or the rules of one VPC network.
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
      - Only rules with exactly this name.
    type: str
  id:
    description:
      - Only the rule with this UUID.
    type: str
  vpc_network:
    description:
      - Only rules of this VPC network (UUID or name).
    type: str
"""

EXAMPLES = r"""
- name: Every firewall rule of the ml-vpc network
  neocloud.support_access.crusoe_firewall_rule_info:
    project: ml
    vpc_network: ml-vpc
  register: rules
"""

RETURN = r"""
firewall_rules:
  description:
    - The rules, with sources and destinations as strings (CIDR or resource id) and ports normalised
      (V(*) shown as V(1-65535)).
  returned: success
  type: list
  elements: dict
  sample:
    - id: f1000000-0000-4000-8000-000000000001
      name: cmk-cp-api-access-cp-cd5b0b6e
      vpc_network_id: 7a000000-0000-4000-8000-000000000001
      action: allow
      direction: ingress
      state: active
      protocols: [tcp]
      sources: [203.0.113.0/24]
      destinations: [172.27.0.0/20]
      source_ports: []
      destination_ports: ["443"]
"""

from ..module_utils._crusoe_api import CrusoeError
from ..module_utils._crusoe_firewall import rule_view
from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module


class CrusoeFirewallRuleInfo(AnsibleCrusoe):
    """List firewall rules."""

    def run(self):
        params = self.module.params
        if params["id"]:
            try:
                rules = [self.client.get(self.firewall_path(params["id"]))]
            except CrusoeError as exc:
                if exc.status != 404:
                    raise
                rules = []
        else:
            rules = self.list_rules()
        if params["name"]:
            rules = [r for r in rules if r.get("name") == params["name"]]
        if params["vpc_network"]:
            net_id = self.find_vpc_network(params["vpc_network"])["id"]
            rules = [r for r in rules if r.get("vpc_network_id") == net_id]
        self.result["firewall_rules"] = [rule_view(r) for r in rules]


def main():
    run_module(CrusoeFirewallRuleInfo, dict(name=dict(type="str"), id=dict(type="str"), vpc_network=dict(type="str")))


if __name__ == "__main__":
    main()
