# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check before enable changes anything: the request against the policy, the cluster's live lease and the
provider's active requests. One read of the provider API and of the lease; every refusal is collected, so one run
says everything that stands in the way. This is a private module_utils file of neocloud.support_access; its interface
may change at any time.
"""

from __future__ import annotations

import copy
import datetime

from ansible_collections.neocloud.support_access.plugins.module_utils import _cluster_state
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _report
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import normalize_roles
from ansible_collections.neocloud.support_access.plugins.module_utils._kube import KubeClient

NOTHING_CHANGED = "nothing was changed"


def argument_spec():
    """The check's options; the connection and Crusoe credential options are the engine's (support_cluster_info)."""
    engine = _cluster_state.argument_spec()
    spec = dict((key, copy.deepcopy(engine[key])) for key in ("provider", "cluster", "name", "project", "crusoe"))
    spec.update(
        ticket=dict(type="str"),
        require_ticket=dict(type="bool", default=True),
        roles=dict(type="list", elements="str", required=True),
        duration=dict(type="str", default=_lease.DEFAULT_DURATION),
        max_duration=dict(type="str"),
        firewall=dict(type="bool", default=True),
        extend=dict(type="bool", default=False),
        policy=dict(type="dict"),
        policy_source=dict(type="str", default=""),
    )
    return spec


def _source(params):
    """The policy and where it comes from, for messages."""
    return params["policy_source"] or "the policy option"


# The variables of the enable playbook and the support_enable role that feed each option, named in the messages.
VARIABLES = {
    "provider": ("support_access_provider", "support_enable_provider"),
    "roles": ("support_access_roles", "support_enable_roles"),
    "ticket": ("support_access_ticket", "support_enable_ticket"),
    "duration": ("support_access_duration", "support_enable_duration"),
    "max_duration": ("support_enable_max_duration",),
    "extend": ("support_access_extend", "support_enable_extend"),
    "firewall": ("support_access_firewall", "support_enable_firewall"),
}


def _named(name):
    """An option with the playbook and role variables that set it: ``extend (support_access_extend, ...)``."""
    return "%s (%s)" % (name, ", ".join(VARIABLES.get(name, ())))


def _option(name, text):
    """``text`` about option ``name``."""
    return "%s: %s" % (_named(name), text)


def option_errors(params):
    """(roles, seconds, policy, errors): the request's own options checked without any read."""
    errors = []
    roles, seconds, policy = [], 0, None
    if params["provider"] != "crusoe":
        errors.append(_option("provider", "enable supports crusoe only, got %r" % params["provider"]))
    try:
        roles = normalize_roles(params["roles"])
        if not roles:
            errors.append(_option("roles", "name readonly and/or operator"))
    except ValueError as exc:
        errors.append(_option("roles", str(exc)))
    try:
        seconds = _lease.validate_active(params["ticket"], params["require_ticket"], params["duration"],
                                         params["max_duration"])
    except _lease.LeaseError as exc:
        name, text = str(exc).split(": ", 1)
        errors.append(_option(name, text))
    try:
        policy = _report.merge_policy(params["policy"])
    except _report.ReportError as exc:
        errors.append("%s: %s" % (_source(params), exc))
    return roles, seconds, policy, errors


def policy_refusals(params, roles, seconds, policy):
    """What the policy does not allow in this request, each naming the policy key and where the policy comes from."""
    source = _source(params)
    refusals = []
    allowed = [_report.normalize_role(r) for r in policy["allowed_roles"]]
    denied = [r for r in roles if r not in allowed]
    if denied:
        refusals.append("role(s) %s: not in allowed_roles [%s] of %s" % (", ".join(denied), ", ".join(allowed), source))
    if seconds > policy["max_lease_seconds"]:
        refusals.append("duration %s: longer than max_lease %s of %s" % (params["duration"], policy["max_lease"], source))
    if params["firewall"] and not policy["allow_firewall_opening"]:
        refusals.append("opening the control-plane firewall to the support VPN: allow_firewall_opening is false in %s "
                        "(enable without it: set %s to false)" % (source, _named("firewall")))
    return refusals


def lease_plan(params, roles, lease):
    """(what happens to the lease, refusal or None): keep the same live lease, extend or replace it when asked."""
    status = (lease or {}).get("status") or "none"
    if status != "active":
        return "record", None
    same = lease.get("ticket") == (params["ticket"] or "") and sorted(lease.get("roles") or []) == sorted(roles)
    if same and not params["extend"]:
        return "keep", None
    if not params["extend"]:
        return "keep", ("an active lease exists (%s): a second enable does not replace it; set %s to true to "
                        "extend or change it - the current lease is kept in the lease history - or close it first (the "
                        "disable playbook)" % (_lease.describe(lease), _named("extend")))
    return ("extend" if lease.get("ticket") == (params["ticket"] or "") else "replace"), None


def request_refusals(roles, api):
    """Active provider requests whose role the request would drop."""
    refusals = []
    for request in (api or {}).get("active_requests") or []:
        role = _report.normalize_role(request.get("role"))
        if request.get("status", "active") != "active" or role in roles or role not in ("readonly", "operator"):
            continue
        refusals.append("an active support request by %s (team %s, ticket %s, until %s) uses role %s, which roles %s "
                        "would drop: add %s, or revoke first" % (
                            request.get("requestor_id") or "?", request.get("requestor_team") or "?",
                            request.get("ticket") or "none", request.get("expires_at") or "?", role, ", ".join(roles), role))
    return refusals


def check(params, api, lease, roles, seconds, policy):
    """(plan, refusals) for the request, the provider settings ``api`` and the report's ``lease`` section."""
    refusals = policy_refusals(params, roles, seconds, policy)
    action, refusal = lease_plan(params, roles, lease)
    refusals.extend([refusal] if refusal else [])
    refusals.extend(request_refusals(roles, api))
    plan = {"roles": roles, "duration": params["duration"], "duration_seconds": seconds, "firewall": params["firewall"],
            "lease": action, "policy_source": params["policy_source"] or ""}
    return plan, refusals


def run(params, kube_client=KubeClient, now=None):
    """The module result ({changed, plan, lease, api} or {failed, msg, refusals}) and the secrets to mask."""
    name = params.get("name") or params["cluster"]
    secrets = set()
    roles, seconds, policy, errors = option_errors(params)
    if errors:
        return _refused(name, "invalid option", errors), secrets
    now = now or datetime.datetime.now(datetime.timezone.utc)
    options = {"provider": params["provider"], "cluster": params["cluster"], "name": name, "project": params["project"]}
    reader = _cluster_state.reader_for(params, options, secrets, kube_client=kube_client, now=now)
    report = reader.read_sections(("api", "lease"))
    secrets |= reader.secrets
    if reader.errors:
        return _refused(name, "could not check before enabling", [str(e) for e in reader.errors]), secrets
    plan, refusals = check(params, report["api"], report["lease"], roles, seconds, policy)
    if refusals:
        result = _refused(name, "enable refused", refusals)
        result.update(plan=plan, lease=report["lease"])
        return result, secrets
    return {"changed": False, "plan": plan, "lease": report["lease"], "api": report["api"],
            "msg": "cluster '%s': enable may go ahead (lease: %s)" % (name, plan["lease"])}, secrets


def _refused(name, what, reasons):
    return {"failed": True, "changed": False, "refusals": reasons,
            "msg": "cluster '%s': %s: %s; %s" % (name, what, "; ".join(reasons), NOTHING_CHANGED)}
