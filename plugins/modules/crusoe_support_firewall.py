# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_support_firewall
short_description: Open or close a CMK cluster's API server to the Crusoe Support VPN
version_added: 0.1.0
description:
  - Every CMK cluster has a control-plane firewall rule named C(cmk-cp-api-access-cp-<id>) that allows tcp/443
    to the Kubernetes API server, from any source unless it was restricted.
  - When the rule was restricted, Crusoe Support can enable access but cannot reach the API server until its VPN
    exit address is allowed too. This module adds (or removes) exactly that address on the rule, touching no
    other source.
  - The rule is identified positively - a rule named C(cmk-cp-api-access-cp-*) in the cluster's VPC network
    (found through the cluster's subnet) that allows ingress tcp/443. If none or several qualify, the module
    fails and names what it found; give O(rule) to choose.
  - If the rule already admits every source (C(0.0.0.0/0)) or a range containing the address, nothing changes
    and RV(support_source_needed) is V(false).
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - neocloud.support_access.crusoe
  - neocloud.support_access.crusoe.module
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
  - neocloud.support_access.crusoe.cluster
  - neocloud.support_access.crusoe.wait
attributes:
  check_mode:
    details: Finds the rule and reports what would change; sends no PATCH.
  diff_mode:
    details: Shows the rule's sources before and after.
options:
  state:
    description:
      - V(present) makes sure the support address may reach tcp/443.
      - V(absent) removes the support address from the rule (only that entry; broader ranges stay).
    type: str
    choices: [present, absent]
    default: present
  source:
    description:
      - The Crusoe Support VPN exit address or CIDR. A bare IP becomes a /32.
      - Defaults to the address Crusoe documents, C(4.7.95.218/32).
    type: str
  rule:
    description:
      - Name or UUID of the control-plane firewall rule, when the automatic lookup finds several.
      - The rule must still be in the cluster's VPC network.
      - A UUID is read with one request instead of listing every rule of the project, which matters on large
        projects; the inventory plugin P(neocloud.support_access.crusoe#inventory) sets it per cluster as the host variable
        C(support_access_firewall_rule), and the roles pass that on.
    type: str
"""

EXAMPLES = r"""
- name: Let Crusoe Support reach the API server of training-prod
  neocloud.support_access.crusoe_support_firewall:
    cluster: training-prod
    project: ml
  register: fw

- name: Report whether the rule needed the address at all
  ansible.builtin.debug:
    msg: "{{ fw.msg }} (needed: {{ fw.support_source_needed }})"

- name: Close it again after the incident
  neocloud.support_access.crusoe_support_firewall:
    cluster: training-prod
    state: absent
"""

RETURN = r"""
firewall_rule:
  description: The control-plane rule after the change (in check mode, as it would be). Same shape as crusoe_firewall_rule returns.
  returned: success
  type: dict
support_source:
  description: The support address as a CIDR.
  returned: success
  type: str
  sample: 4.7.95.218/32
support_source_needed:
  description: V(false) when the rule already admits the address through a broader source such as C(0.0.0.0/0).
  returned: success
  type: bool
support_source_present:
  description: Whether the rule lists the support address itself after the run.
  returned: success
  type: bool
covered_by:
  description: The broader source that already admits the address, when there is one.
  returned: success
  type: str
msg:
  description: What was done.
  returned: always
  type: str
operation:
  description: The finished API operation when a change was sent.
  returned: changed and not check mode
  type: dict
"""

from ..module_utils._crusoe_api import CrusoeError
from ..module_utils._crusoe_firewall import covering, endpoint_body, merge_endpoints, normalize_cidr, rule_view
from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module
from ..module_utils._support import CRUSOE_SUPPORT_VPN_CIDR


class CrusoeSupportFirewall(AnsibleCrusoe):
    """The support VPN source on a cluster's control-plane API rule."""

    def run(self):
        params = self.module.params
        source = normalize_cidr(params["source"] or CRUSOE_SUPPORT_VPN_CIDR, "source")
        self.result["support_source"] = source
        cluster = self.find_cluster(params["cluster"])
        rule = self.support_rule(cluster, params["rule"])
        before = rule_view(rule)
        covered = covering(before["sources"], source)
        present = source in before["sources"]
        self.result["covered_by"] = covered
        self.result["support_source_needed"] = covered is None
        if params["state"] == "present":
            new_sources = before["sources"] if (present or covered) else merge_endpoints(before["sources"], [source], "append")
        else:
            new_sources = merge_endpoints(before["sources"], [source], "remove")
            if not new_sources:
                raise CrusoeError("firewall rule '%s' of cluster '%s' has no source but %s; removing it would leave the rule "
                                  "without sources" % (before["name"], cluster["name"], source))
        after = dict(before, sources=new_sources)
        self._set_diff(before, after)
        self.result["firewall_rule"] = after
        self.result["support_source_present"] = source in new_sources
        if new_sources == before["sources"]:
            if params["state"] == "present" and covered and not present:
                self.result["msg"] = ("firewall rule %s already admits %s through %s; no support source needed"
                                      % (before["name"], source, covered))
            else:
                self.result["msg"] = "firewall rule %s already %s %s" % (
                    before["name"], "lists" if params["state"] == "present" else "does not list", source)
            return
        self._mark_as_changed()
        self.result["msg"] = "%s %s %s firewall rule %s" % (
            "added" if params["state"] == "present" else "removed", source,
            "to" if params["state"] == "present" else "from", before["name"])
        if not self.module.check_mode:
            op = self.change_rule("PATCH", rule["id"], dict(sources=[endpoint_body(s) for s in new_sources]),
                                  params["wait_timeout"])
            self.result["operation"] = dict(operation_id=op.get("operation_id"), state=op.get("state"))
            self.result["firewall_rule"] = rule_view(self.client.get(self.firewall_path(rule["id"])))


def main():
    options = dict(
        cluster=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        source=dict(type="str"),
        rule=dict(type="str"),
        wait_timeout=dict(type="int", default=300),
    )
    run_module(CrusoeSupportFirewall, options)


if __name__ == "__main__":
    main()
