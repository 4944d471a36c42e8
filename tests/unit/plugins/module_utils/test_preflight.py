"""The check before enable: options, the policy, the live lease and the provider's active requests."""

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _preflight

LEASE = {"ticket": "ZD-1", "requested_by": "alice", "roles": ["operator", "readonly"], "expires_at": "2026-06-03T20:00:00Z",
         "status": "active"}
OPERATOR_REQUEST = {"role": "operator", "requestor_id": "00ab", "requestor_team": "cmk", "ticket": "ZD#1", "status": "active",
                    "expires_at": "2026-06-03T18:00:00Z"}


def params(**kwargs):
    base = {"provider": "crusoe", "cluster": "c", "name": "c", "project": None, "ticket": "ZD-1", "require_ticket": True,
            "roles": ["readonly"], "duration": "8h", "max_duration": None, "firewall": True, "extend": False,
            "policy": None, "policy_source": "support_access_policy (group_vars of crusoe_ml)"}
    base.update(kwargs)
    return base


def check(p, api=None, lease=None):
    roles, seconds, policy, errors = _preflight.option_errors(p)
    assert errors == []
    return _preflight.check(p, api or {}, lease, roles, seconds, policy)


@pytest.mark.parametrize("kwargs,expected", [
    ({"provider": "coreweave"}, "provider (support_access_provider, support_enable_provider): enable supports crusoe only"),
    ({"roles": []}, "roles (support_access_roles, support_enable_roles): name readonly and/or operator"),
    ({"roles": ["admin"]}, "roles (support_access_roles, support_enable_roles): unknown support access role 'admin'"),
    ({"ticket": ""}, "ticket (support_access_ticket, support_enable_ticket): a lease needs a ticket"),
    ({"duration": "forever"}, "duration (support_access_duration, support_enable_duration): expected a duration"),
    ({"duration": "9h", "max_duration": "8h"}, "max_duration (support_enable_max_duration): duration 9h is longer"),
    ({"policy": {"max_leese": "4h"}}, "support_access_policy (group_vars of crusoe_ml): policy has unknown keys max_leese"),
])
def test_bad_options_are_named_before_any_read(kwargs, expected):
    errors = _preflight.option_errors(params(**kwargs))[3]
    assert any(e.startswith(expected) for e in errors), errors


def test_each_policy_rule_refuses_naming_its_key_and_source():
    policy = {"allowed_roles": ["readonly"], "max_lease": "4h", "allow_firewall_opening": False}
    plan, refusals = check(params(roles=["operator"], policy=policy))
    assert refusals == [
        "role(s) operator: not in allowed_roles [readonly] of support_access_policy (group_vars of crusoe_ml)",
        "duration 8h: longer than max_lease 4h of support_access_policy (group_vars of crusoe_ml)",
        "opening the control-plane firewall to the support VPN: allow_firewall_opening is false in support_access_policy "
        "(group_vars of crusoe_ml) (enable without it: set firewall (support_access_firewall, support_enable_firewall) "
        "to false)"]
    assert plan["roles"] == ["readonly", "operator"]
    assert check(params(roles=["readonly"], duration="4h", firewall=False, policy=policy))[1] == []


def test_a_live_lease_is_kept_refused_or_extended():
    assert check(params(roles=["operator"]), lease=LEASE) == (
        dict(check(params(roles=["operator"]))[0], lease="keep"), [])
    plan, refusals = check(params(ticket="ZD-2", roles=["operator"]), lease=LEASE)
    assert plan["lease"] == "keep" and len(refusals) == 1
    assert refusals[0].startswith("an active lease exists (ticket ZD-1, requested by alice, roles operator, readonly, "
                                  "until 2026-06-03T20:00:00Z)")
    assert check(params(ticket="ZD-2", roles=["operator"], extend=True), lease=LEASE)[0]["lease"] == "replace"
    assert check(params(roles=["operator"], extend=True), lease=LEASE)[0]["lease"] == "extend"
    for status in ("expired", "closed", "none"):
        assert check(params(ticket="ZD-2"), lease=dict(LEASE, status=status))[0]["lease"] == "record"
    assert check(params(), lease=None)[0]["lease"] == "record"


def test_a_role_an_active_request_uses_is_never_dropped():
    api = {"active_requests": [OPERATOR_REQUEST, dict(OPERATOR_REQUEST, requestor_id="00cd", status="expired")]}
    refusals = check(params(roles=["readonly"]), api=api)[1]
    assert refusals == ["an active support request by 00ab (team cmk, ticket ZD#1, until 2026-06-03T18:00:00Z) uses role "
                        "operator, which roles readonly would drop: add operator, or revoke first"]
    assert check(params(roles=["operator"]), api=api)[1] == []
    readonly = {"active_requests": [dict(OPERATOR_REQUEST, role="SUPPORT_ACCESS_ROLE_READONLY")]}
    assert check(params(roles=["operator"]), api=readonly)[1] == []
