# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crusoe VPC firewall rules as plain data: CIDR and port checks, the rule view modules return and compare,
source/destination lists, and what a cluster's control-plane API rule means for the support VPN.

No API calls here: CrusoeApi (_crusoe_api) reads and changes the rules.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.neocloud.support_access.plugins.module_utils._support import (
    CRUSOE_CP_FIREWALL_RULE_PREFIX,
    CRUSOE_SUPPORT_API_PORT,
    CRUSOE_SUPPORT_VPN_CIDR,
)


def normalize_cidr(value, option="sources"):
    """'10.0.0.1' -> '10.0.0.1/32', '10.0.0.0/8' unchanged; ValueError naming the option otherwise."""
    text = to_text(value).strip()
    try:
        if "/" not in text:
            addr = ipaddress.ip_address(text)
            return "%s/%d" % (addr, addr.max_prefixlen)
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        raise ValueError("invalid CIDR or IP address %r in %s: %s" % (text, option, to_native(exc)))


def normalize_port(value, option="destination_ports"):
    """'*' -> '1-65535', '443' -> '443', '8000-9000' checked; ValueError naming the option otherwise."""
    text = to_text(value).strip()
    if text == "*":
        return "1-65535"
    match = re.match(r"^(\d{1,5})(?:-(\d{1,5}))?$", text)
    if not match:
        raise ValueError("invalid port %r in %s: expected a number, a range like 8000-9000, or *" % (text, option))
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if not 1 <= low <= high <= 65535:
        raise ValueError("invalid port %r in %s: ports are 1-65535 and a range must not be reversed" % (text, option))
    return "%d" % low if low == high else "%d-%d" % (low, high)


def port_covers(ports, port):
    """Whether a port list (empty = all ports) includes the port number."""
    if not ports:
        return True
    for item in ports:
        try:
            text = normalize_port(item)
        except ValueError:
            continue
        low, dummy, high = text.partition("-")
        if int(low) <= int(port) <= int(high or low):
            return True
    return False


def allows_api(view):
    """Whether a rule (rule_view) admits ingress tcp to the Kubernetes API port."""
    protocols = [p.lower() for p in view["protocols"]]
    return (view["direction"] == "ingress" and view["action"] == "allow"
            and (not protocols or "tcp" in protocols or "all" in protocols)
            and port_covers(view["destination_ports"], int(CRUSOE_SUPPORT_API_PORT)))


def covering(sources, cidr):
    """The first source network that contains ``cidr`` but is not ``cidr`` itself, else None."""
    found = admitting_sources(sources, cidr)
    return found[0] if found else None


def admitting_sources(sources, source=CRUSOE_SUPPORT_VPN_CIDR):
    """The sources other than ``source`` itself that admit its address (a covering range, 0.0.0.0/0), in order."""
    target = ipaddress.ip_network(source)
    found = []
    for item in sources:
        try:
            net = ipaddress.ip_network(item, strict=False)
        except ValueError:
            continue
        if net.version == target.version and net != target and target.subnet_of(net):
            found.append(item)
    return found


def open_to_all(sources):
    """Whether a source admits every address (``0.0.0.0/0`` or ``::/0``)."""
    for item in sources:
        try:
            if ipaddress.ip_network(item, strict=False).prefixlen == 0:
                return True
        except ValueError:
            continue
    return False


def support_firewall_view(rule, source=CRUSOE_SUPPORT_VPN_CIDR):
    """What a control-plane rule means for support (the report's firewall section):
    {rule, rule_id, sources, restricted, support_source_present, covered_by}. ``restricted`` is false when a source
    other than the support one already admits the support address (0.0.0.0/0, a covering range)."""
    view = rule_view(rule)
    covered = covering(view["sources"], source)
    return {"rule": view["name"] or "", "rule_id": view["id"] or "", "sources": view["sources"],
            "restricted": covered is None, "support_source_present": source in view["sources"], "covered_by": covered}


def control_plane_rules(rules, cluster_id):
    """The rules among ``rules`` that may be the cluster's control-plane API rule (``cmk-cp-api-access-cp-<id>``).

    Every rule with that prefix; when several, the one whose suffix is part of the cluster id, if exactly one is.
    The caller decides what none or several mean; the VPC network is the caller's to check too.
    """
    candidates = [r for r in rules if (r.get("name") or "").startswith(CRUSOE_CP_FIREWALL_RULE_PREFIX)]
    if len(candidates) > 1 and cluster_id:
        compact = cluster_id.replace("-", "").lower()
        narrowed = [r for r in candidates if r["name"][len(CRUSOE_CP_FIREWALL_RULE_PREFIX):].lower() in compact]
        if len(narrowed) == 1:
            candidates = narrowed
    return candidates


def endpoint_text(item):
    """A source/destination entry ({cidr} or {resource_id}) as one string."""
    if isinstance(item, dict):
        if item.get("cidr"):
            try:
                return str(ipaddress.ip_network(item["cidr"], strict=False))
            except ValueError:
                return item["cidr"]
        return item.get("resource_id") or ""
    return to_text(item)


def endpoint_body(text):
    """The API form of a source/destination string: CIDR -> {cidr}, anything else -> {resource_id}."""
    try:
        ipaddress.ip_network(text, strict=False)
        return {"cidr": text}
    except ValueError:
        return {"resource_id": text}


def rule_view(rule):
    """A firewall rule as modules return and compare it: endpoints as strings, ports normalised."""
    def ports(values):
        out = []
        for value in values or []:
            try:
                out.append(normalize_port(value))
            except ValueError:
                out.append(to_text(value))
        return out
    return dict(
        id=rule.get("id"), name=rule.get("name"), vpc_network_id=rule.get("vpc_network_id"),
        action=rule.get("action"), direction=rule.get("direction"), state=rule.get("state"),
        protocols=[to_text(p).lower() for p in rule.get("protocols") or []],
        sources=[endpoint_text(s) for s in rule.get("sources") or []],
        destinations=[endpoint_text(s) for s in rule.get("destinations") or []],
        source_ports=ports(rule.get("source_ports")), destination_ports=ports(rule.get("destination_ports")),
    )


def merge_endpoints(current, given, mode):
    """New source/destination list (strings) for mode replace, append or remove; order kept, no duplicates.

    replace: exactly given. append: current plus what is missing from given. remove: current minus given.
    """
    if mode == "replace":
        out = []
        for item in given:
            if item not in out:
                out.append(item)
        return out
    if mode == "append":
        return list(current) + [g for i, g in enumerate(given) if g not in current and g not in given[:i]]
    if mode == "remove":
        return [c for c in current if c not in given]
    raise ValueError("unknown mode %r" % mode)


def same_set(left, right):
    """Order-insensitive list comparison."""
    return sorted(left) == sorted(right)
