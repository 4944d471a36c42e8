# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_firewall_rule
short_description: Create, update or delete a Crusoe VPC firewall rule
version_added: 0.1.0
description:
  - Manages one VPC firewall rule through C(/projects/{project_id}/networking/vpc-firewall-rules) and waits for
    the asynchronous operation the API starts for every change.
  - The network, action and direction of a rule cannot change; asking for a different value fails and names
    the field, so the rule must be deleted and created again on purpose.
  - Sources can be replaced as a whole, or added and removed one by one without touching the others
    (O(sources_mode)).
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - neocloud.support_access.crusoe
  - neocloud.support_access.crusoe.module
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
  - neocloud.support_access.crusoe.wait
attributes:
  check_mode:
    details: Reads the rule and reports what would change; sends no POST, PATCH or DELETE.
  diff_mode:
    details: Shows the rule before and after.
options:
  name:
    description:
      - Name of the rule. Used to find it when O(id) is not given; must then match at most one rule
        (in O(vpc_network) when that is given).
      - Required to create a rule. With O(id), a different name renames the rule.
    type: str
  id:
    description:
      - UUID of an existing rule.
    type: str
  vpc_network:
    description:
      - VPC network of the rule, as a UUID or a name. Required to create a rule; cannot change.
    type: str
  action:
    description:
      - V(allow) or V(deny). Defaults to V(allow) when creating; cannot change.
    type: str
    choices: [allow, deny]
  direction:
    description:
      - V(ingress) or V(egress). Defaults to V(ingress) when creating; cannot change.
    type: str
    choices: [ingress, egress]
  protocols:
    description:
      - Protocols the rule matches, for example V(tcp), V(udp), V(icmp). Defaults to V(tcp) when creating.
    type: list
    elements: str
  sources:
    description:
      - Source CIDRs (or resource ids). A bare IP address becomes a /32 (IPv6 /128).
      - How they combine with the rule's current sources is set by O(sources_mode).
      - Required to create a rule.
    type: list
    elements: str
  sources_mode:
    description:
      - V(replace) makes O(sources) the complete source list; sources not listed are removed.
      - V(append) adds the O(sources) that are missing and keeps every other source.
      - V(remove) removes the O(sources) that are present and keeps every other source; the rule must exist.
      - Removing the last source fails rather than leave a rule without sources.
    type: str
    choices: [replace, append, remove]
    default: replace
  destinations:
    description:
      - Destination CIDRs (or resource ids), always the complete list. Defaults to V(0.0.0.0/0) when creating.
    type: list
    elements: str
  source_ports:
    description:
      - Source ports or ranges (V(8000-9000)); V(*) means every port (stored as V(1-65535)); empty means every port.
    type: list
    elements: str
  destination_ports:
    description:
      - Destination ports or ranges; V(*) means every port (stored as V(1-65535)); empty means every port.
    type: list
    elements: str
  state:
    description:
      - V(present) creates or updates the rule, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Allow the office to reach the Kubernetes API
  neocloud.support_access.crusoe_firewall_rule:
    name: office-k8s-api
    vpc_network: ml-vpc
    protocols: [tcp]
    sources: [203.0.113.0/24]
    destination_ports: ["443"]

- name: Add one address to an existing rule, keeping every other source
  neocloud.support_access.crusoe_firewall_rule:
    name: office-k8s-api
    sources: [198.51.100.7]
    sources_mode: append

- name: Remove that address again, keeping every other source
  neocloud.support_access.crusoe_firewall_rule:
    name: office-k8s-api
    sources: [198.51.100.7]
    sources_mode: remove

- name: Delete the rule
  neocloud.support_access.crusoe_firewall_rule:
    name: office-k8s-api
    state: absent
"""

RETURN = r"""
firewall_rule:
  description: The rule after the change (in check mode, as it would be); empty after deletion.
  returned: success
  type: dict
  contains:
    id:
      description: Rule UUID (null for a rule that check mode would create).
      type: str
      returned: success
    name:
      description: Rule name.
      type: str
      returned: success
    vpc_network_id:
      description: VPC network UUID.
      type: str
      returned: success
    action:
      description: allow or deny.
      type: str
      returned: success
    direction:
      description: ingress or egress.
      type: str
      returned: success
    state:
      description: Rule state as the API reports it.
      type: str
      returned: success
    protocols:
      description: Protocols.
      type: list
      elements: str
      returned: success
    sources:
      description: Source CIDRs or resource ids.
      type: list
      elements: str
      returned: success
    destinations:
      description: Destination CIDRs or resource ids.
      type: list
      elements: str
      returned: success
    source_ports:
      description: Source ports, normalised.
      type: list
      elements: str
      returned: success
    destination_ports:
      description: Destination ports, normalised.
      type: list
      elements: str
      returned: success
operation:
  description: The finished API operation (C(operation_id), C(state)), when a change was sent.
  returned: changed and not check mode
  type: dict
"""

from ..module_utils._crusoe_api import CrusoeError
from ..module_utils._crusoe_firewall import (
    endpoint_body,
    merge_endpoints,
    normalize_cidr,
    normalize_port,
    rule_view,
    same_set,
)
from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module

IMMUTABLE = ("vpc_network_id", "action", "direction")


def _endpoints(values, option):
    out = []
    for value in values or []:
        text = str(value).strip()
        out.append(normalize_cidr(text, option) if any(c in text for c in ".:/") else text)
    return out


class CrusoeFirewallRule(AnsibleCrusoe):
    """One VPC firewall rule."""

    def _find(self):
        params = self.module.params
        if params["id"]:
            try:
                return self.client.get(self.firewall_path(params["id"]))
            except CrusoeError as exc:
                if exc.status == 404:
                    return None
                raise
        found = [r for r in self.list_rules() if r.get("name") == params["name"]]
        if params["vpc_network"] and found:
            net_id = self.find_vpc_network(params["vpc_network"])["id"]
            found = [r for r in found if r.get("vpc_network_id") == net_id]
        if len(found) > 1:
            raise CrusoeError("firewall rule name '%s' (option name) matches %d rules in project '%s' (%s); give option "
                              "id or vpc_network" % (params["name"], len(found), self.project_label,
                                                     ", ".join(r["id"] for r in found)))
        return found[0] if found else None

    def _desired(self, params):
        out = {}
        if params["protocols"] is not None:
            out["protocols"] = [p.strip().lower() for p in params["protocols"]]
        if params["destinations"] is not None:
            out["destinations"] = _endpoints(params["destinations"], "destinations")
        for key in ("source_ports", "destination_ports"):
            if params[key] is not None:
                out[key] = [normalize_port(p, key) for p in params[key]]
        return out

    def run(self):
        params = self.module.params
        if not params["name"] and not params["id"]:
            raise ValueError("one of the options name or id is required")
        sources = _endpoints(params["sources"], "sources") if params["sources"] is not None else None
        desired = self._desired(params)
        rule = self._find()
        timeout = params["wait_timeout"]

        if params["state"] == "absent":
            self.result["firewall_rule"] = {}
            if rule is None:
                self.result["msg"] = "firewall rule not found; nothing to delete"
                self._set_diff({}, {})
                return
            self._mark_as_changed()
            self._set_diff(rule_view(rule), {})
            if not self.module.check_mode:
                op = self.change_rule("DELETE", rule["id"], None, timeout)
                self.result["operation"] = dict(operation_id=op.get("operation_id"), state=op.get("state"))
            self.result["msg"] = "firewall rule %s deleted" % rule.get("name")
            return

        if rule is None:
            self._create(params, sources, desired, timeout)
            return

        before = rule_view(rule)
        requested = dict(vpc_network_id=None, action=params["action"], direction=params["direction"])
        if params["vpc_network"]:
            requested["vpc_network_id"] = self.find_vpc_network(params["vpc_network"])["id"]
        for key in IMMUTABLE:
            if requested[key] is not None and requested[key] != before[key]:
                option = "vpc_network" if key == "vpc_network_id" else key
                raise CrusoeError("option %s: firewall rule '%s' has %s %s and it cannot be changed to %s; delete and "
                                  "create the rule to change it" % (option, before["name"], key, before[key], requested[key]))
        patch = {}
        after = dict(before)
        if params["name"] and params["id"] and params["name"] != before["name"]:
            patch["name"] = after["name"] = params["name"]
        if sources is not None:
            new_sources = merge_endpoints(before["sources"], sources, params["sources_mode"])
            if not new_sources:
                raise CrusoeError("option sources: this change would leave firewall rule '%s' without any source; "
                                  "delete the rule instead" % before["name"])
            if not same_set(new_sources, before["sources"]):
                patch["sources"] = [endpoint_body(s) for s in new_sources]
                after["sources"] = new_sources
        for key, value in desired.items():
            if not same_set(value, before[key]):
                patch[key] = [endpoint_body(v) for v in value] if key == "destinations" else value
                after[key] = value
        self._set_diff(before, after)
        self.result["firewall_rule"] = after
        if not patch:
            self.result["msg"] = "firewall rule %s is up to date" % before["name"]
            return
        self._mark_as_changed()
        self.result["msg"] = "firewall rule %s updated (%s)" % (before["name"], ", ".join(sorted(patch)))
        if not self.module.check_mode:
            op = self.change_rule("PATCH", rule["id"], patch, timeout)
            self.result["operation"] = dict(operation_id=op.get("operation_id"), state=op.get("state"))
            self.result["firewall_rule"] = rule_view(self.client.get(self.firewall_path(rule["id"])))

    def _create(self, params, sources, desired, timeout):
        if params["sources_mode"] == "remove":
            raise CrusoeError("firewall rule '%s' not found in project '%s'; sources_mode=remove needs an existing rule" % (
                params["name"] or params["id"], self.project_label))
        if params["id"]:
            raise CrusoeError("firewall rule %s (option id) not found in project '%s'" % (params["id"], self.project_label))
        missing = [o for o in ("vpc_network", "sources") if not params[o]]
        if missing:
            raise CrusoeError("firewall rule '%s' does not exist; creating it needs option(s) %s" % (
                params["name"], ", ".join(missing)))
        network = self.find_vpc_network(params["vpc_network"])
        body = dict(
            name=params["name"], vpc_network_id=network["id"], action=params["action"] or "allow",
            direction=params["direction"] or "ingress", protocols=desired.get("protocols", ["tcp"]),
            sources=[endpoint_body(s) for s in merge_endpoints([], sources, "replace")],
            destinations=[endpoint_body(d) for d in desired.get("destinations", ["0.0.0.0/0"])],
            source_ports=desired.get("source_ports", []), destination_ports=desired.get("destination_ports", []))
        after = rule_view(dict(body, id=None, state=None))
        self._mark_as_changed()
        self._set_diff({}, after)
        self.result["firewall_rule"] = after
        self.result["msg"] = "firewall rule %s created" % params["name"]
        if not self.module.check_mode:
            op = self.change_rule("POST", None, body, timeout)
            self.result["operation"] = dict(operation_id=op.get("operation_id"), state=op.get("state"))
            created = op.get("result") or {}
            if created.get("id"):
                created = self.client.get(self.firewall_path(created["id"]))
            self.result["firewall_rule"] = rule_view(created) if created else after


def main():
    options = dict(
        name=dict(type="str"),
        id=dict(type="str"),
        vpc_network=dict(type="str"),
        action=dict(type="str", choices=["allow", "deny"]),
        direction=dict(type="str", choices=["ingress", "egress"]),
        protocols=dict(type="list", elements="str"),
        sources=dict(type="list", elements="str"),
        sources_mode=dict(type="str", choices=["replace", "append", "remove"], default="replace"),
        destinations=dict(type="list", elements="str"),
        source_ports=dict(type="list", elements="str"),
        destination_ports=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait_timeout=dict(type="int", default=300),
    )
    run_module(CrusoeFirewallRule, options, required_one_of=[("name", "id")])


if __name__ == "__main__":
    main()
