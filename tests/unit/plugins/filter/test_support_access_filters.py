# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report filters as Jinja2 sees them."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.neocloud.support_access.plugins.filter.support_access import FilterModule

FILTERS = FilterModule().filters()

ON = {"access_enabled": True, "roles": ["readonly", "operator"], "active_requests": []}


def test_filter_names():
    assert sorted(FILTERS) == ["support_access_activity_section", "support_access_coreweave_section", "support_access_duration_seconds",
                               "support_access_findings", "support_access_reports", "support_access_summary",
                               "support_access_unreachable"]


@pytest.mark.parametrize("message, unreachable", [
    ("Error: Kubernetes cluster unreachable: Get \"https://10.0.0.1:6443/version\": dial tcp: i/o timeout", True),
    ("listing pods failed: cannot reach the API server https://x: Connection refused", True),
    ("dial tcp: lookup api.example: no such host", True),
    ("net/http: TLS handshake timeout", True),
    ("listing pods failed: 403 Forbidden: pods is forbidden", False),
    ("invalid option timeout: 'soon'", False),
    ("", False),
    (None, False),
])
def test_unreachable(message, unreachable):
    assert FILTERS["support_access_unreachable"](message) is unreachable


def test_coreweave_and_activity_section_filters():
    cluster = {"id": "c-1", "name": "gpu", "status": "STATUS_RUNNING", "version": "v1.33"}
    section = FILTERS["support_access_coreweave_section"](cluster, None)
    assert section["cluster_id"] == "c-1" and section["telemetry"] is None
    relay = {"streams": [{"slug": "audit-logs", "display_name": "Audit Logs", "filter": {}}],
             "endpoints": [{"slug": "siem", "url": "https://siem.example/x"}],
             "pipelines": [{"slug": "p", "source": "audit-logs", "destination": "siem", "enabled": True}]}
    assert FILTERS["support_access_coreweave_section"](cluster, relay)["telemetry"]["pipelines"] == ["p"]
    with pytest.raises(AnsibleFilterError, match="CKS cluster record"):
        FILTERS["support_access_coreweave_section"]("gpu")
    with pytest.raises(AnsibleFilterError, match="telemetry"):
        FILTERS["support_access_coreweave_section"](cluster, "relay")
    activity = FILTERS["support_access_activity_section"]({"clusters": {"gpu": {"support_actions": 3}}}, "gpu")
    assert activity["support_actions"] == 3 and activity["findings"] == []
    with pytest.raises(AnsibleFilterError, match="support_activity result"):
        FILTERS["support_access_activity_section"]([], "gpu")


READ = {"chart": {"installed": False}, "rbac": {"bindings": []}, "pods": {"confirmed": [], "suspicious": []}}


def test_findings_default_policy_and_given_policy():
    fact = dict(READ, cluster="a", provider="crusoe", reachable=True, api=ON, lease={"status": "none"})
    result = FILTERS["support_access_findings"](fact)
    assert result["verdict"] == "noncompliant"
    assert [f["code"] for f in result["findings"]] == ["support-access-without-lease"]
    relaxed = FILTERS["support_access_findings"](fact, {"require_lease": False})
    assert relaxed == {"findings": [], "verdict": "compliant"}
    strict = FILTERS["support_access_findings"](fact, {"require_lease": False, "allowed_roles": ["readonly"]})
    assert [f["code"] for f in strict["findings"]] == ["role-not-allowed"]


def test_findings_of_a_partial_fact_name_what_was_not_read():
    fact = {"cluster": "a", "provider": "crusoe", "reachable": True, "api": ON}
    result = FILTERS["support_access_findings"](fact)
    assert result["verdict"] == "error"
    assert [(f["code"], f["sections"]) for f in result["findings"]] == [("unknown", ["rbac", "chart", "pods", "lease"])]


def test_findings_uses_now_for_lease_expiry():
    fact = dict(READ, cluster="a", reachable=True, api=ON,
                lease={"status": "active", "enabled_at": "2026-11-22T08:00:00Z", "expires_at": "2026-11-22T12:00:00Z"})
    assert FILTERS["support_access_findings"](fact, None, "2026-11-22T11:00:00Z")["verdict"] == "compliant"
    late = FILTERS["support_access_findings"](fact, None, "2026-11-22T13:00:00Z")
    assert [f["code"] for f in late["findings"]] == ["lease-expired-access-open"]


@pytest.mark.parametrize("value, policy, text", [
    ("not a dict", None, "expects a support_access_cluster_report dictionary"),
    ({}, {"max_lease": "forever"}, "max_lease"),
])
def test_findings_errors(value, policy, text):
    with pytest.raises(AnsibleFilterError, match=text):
        FILTERS["support_access_findings"](value, policy)


def test_summary():
    reports = [{"cluster": "a", "provider": "crusoe", "verdict": "compliant", "api": ON},
               {"cluster": "b", "provider": "coreweave", "verdict": "unreachable", "findings": [{"severity": "high", "code": "unreachable"}]}]
    summary = FILTERS["support_access_summary"](reports)
    assert summary["clusters"] == 2 and summary["access_enabled"] == 1 and summary["unreachable"] == ["b"]
    assert summary["providers"] == {"crusoe": 1, "coreweave": 1} and summary["findings"]["high"] == 1
    with pytest.raises(AnsibleFilterError, match="list"):
        FILTERS["support_access_summary"]({"cluster": "a"})


@pytest.mark.parametrize("value, seconds", [("8h", 28800), ("90m", 5400), ("1h30m", 5400), ("2d", 172800), (600, 600), ("45", 45)])
def test_duration_seconds(value, seconds):
    assert FILTERS["support_access_duration_seconds"](value) == seconds


@pytest.mark.parametrize("value", ["", "8x", "0", "8d", True])
def test_duration_seconds_refuses(value):
    with pytest.raises(AnsibleFilterError, match="support_access_duration_seconds"):
        FILTERS["support_access_duration_seconds"](value)


def test_reports_from_hostvars():
    hostvars = {"a": {"support_access_cluster_report": {"cluster": "a", "provider": "crusoe", "verdict": "compliant"}},
                "b": {"support_access_provider": "crusoe", "support_access_cluster": "id-b"}}
    reports = FILTERS["support_access_reports"](hostvars, ["a", "b"], "revoke")
    assert [(r["cluster"], r["verdict"]) for r in reports] == [("a", "compliant"), ("b", "error")]
    assert reports[1]["cluster_id"] == "id-b" and reports[1]["playbook"] == "revoke"
    assert FILTERS["support_access_reports"](hostvars, "a")[0]["cluster"] == "a"
