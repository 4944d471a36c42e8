# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy evaluation, summary, merge and the four renderers of the fleet report."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report, _support

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)
HOSTILE = '<script>alert("x")</script>&'


def clean(**overrides):
    """A compliant Crusoe cluster: access off, chart absent, nothing bound, nothing running."""
    report = {
        "schema": 1, "cluster": "training-prod", "provider": "crusoe", "project": "ml", "cluster_id": "c-1", "playbook": "audit",
        "checked_at": "2026-11-22T09:59:00Z", "reachable": True,
        "api": {"access_enabled": False, "roles": [], "active_requests": []},
        "chart": {"installed": False}, "rbac": {"bindings": [], "probes_allowed": 0, "probes_total": 12},
        "pods": {"confirmed": [], "suspicious": []},
        "firewall": {"rule": "cmk-cp-api-access-cp-1", "restricted": True, "support_source_present": False},
        "lease": {"status": "none"}, "actions": [], "findings": [], "verdict": "", "error": "",
    }
    report.update(overrides)
    return report


def lease(status="active", hours=8, ticket="ZD-1", start="2026-11-22T08:00:00Z"):
    begin = datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))
    return {"status": status, "ticket": ticket, "enabled_at": start,
            "expires_at": (begin + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def binding(role="ClusterRole/crusoe-support-readonly", subjects=("Group/crusoe:support:readonly",), capabilities=("read_all",),
            chart_managed=True, name="crusoe-support-readonly-binding", flags=(), **extra):
    entry = {"kind": "ClusterRoleBinding", "namespace": "", "name": name, "role": role, "subjects": list(subjects),
             "capabilities": list(capabilities), "chart_managed": chart_managed, "flags": list(flags)}
    entry.update(extra)
    return entry


ON = {"access_enabled": True, "roles": ["readonly"], "active_requests": []}
POD = {"namespace": "kube-system", "name": "node-shell-abc", "node": "gpu-1", "signals": ["diagnostic_name"]}
SA = {"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"}
LOOK_ALIKE = binding("ClusterRole/cluster-admin", ["ServiceAccount/kube-system/crusoe-support"], ["full_access"], False,
                     "crusoe-support-admin", look_alike_subjects=[SA])
EVERYONE = binding("ClusterRole/node-proxier", ["Group/system:authenticated"], ["node_proxy"], False, "everyone-kubelet",
                   broad_subjects=[{"kind": "Group", "name": "system:authenticated"}])
OUT_OF_CHART = binding("ClusterRole/cluster-admin", ["Group/crusoe:support:operator"], ["full_access"], False, "support-admin",
                       support_subjects=[{"kind": "Group", "name": "crusoe:support:operator"}])
WORKLOAD = {"kind": "DaemonSet", "namespace": "crusoe-system", "name": "node-shell", "signals": ["diagnostic_name", "privileged"],
            "verdict": "confirmed"}
DEBUGGED = {"namespace": "ml", "name": "trainer-0", "containers": [{"name": "debugger", "image": "busybox", "privileged": True}],
            "close_command": "kubectl delete pod -n ml trainer-0"}
CERT = {"role": "operator", "status": "active", "requestor_id": "00ab", "ticket": "ZD#1",
        "cert_expires_at": "2026-11-22T12:00:00Z"}

# (id, report overrides, policy, expected codes, expected verdict)
CASES = [
    ("clean", {}, None, [], "compliant"),
    ("access-with-active-lease", {"api": ON, "lease": lease()}, None, [], "compliant"),
    ("support-access-without-lease", {"api": ON}, None, ["support-access-without-lease"], "noncompliant"),
    ("closed-lease-is-no-lease", {"api": ON, "lease": lease("closed")}, None, ["support-access-without-lease"], "noncompliant"),
    ("lease-not-required", {"api": ON}, {"require_lease": False}, [], "compliant"),
    ("lease-expired-access-open", {"api": ON, "lease": lease("expired", start="2026-11-21T08:00:00Z")}, None,
     ["lease-expired-access-open"], "noncompliant"),
    ("active-lease-past-expiry-is-expired", {"api": ON, "lease": lease("active", hours=1)}, None,
     ["lease-expired-access-open"], "noncompliant"),
    ("expired-lease-access-closed", {"lease": lease("expired", start="2026-11-21T08:00:00Z")}, None, [], "compliant"),
    ("role-not-allowed", {"api": dict(ON, roles=["readonly", "operator"]), "lease": lease()}, {"allowed_roles": ["readonly"]},
     ["role-not-allowed"], "noncompliant"),
    ("cli-role-names-normalised", {"api": dict(ON, roles=["SUPPORT_ACCESS_ROLE_READONLY"]), "lease": lease()}, {"allowed_roles": ["readonly"]},
     [], "compliant"),
    ("requested-role-not-allowed", {"api": {"access_enabled": False, "roles": [], "active_requests": [{"role": "operator", "status": "active"}]}},
     {"allowed_roles": ["readonly"]}, ["role-not-allowed"], "noncompliant"),
    ("expired-request-role-ignored", {"api": {"access_enabled": False, "roles": [], "active_requests": [{"role": "operator", "status": "expired"}]}},
     {"allowed_roles": ["readonly"]}, [], "compliant"),
    ("lease-too-long", {"api": ON, "lease": lease(hours=12)}, None, ["lease-too-long"], "noncompliant"),
    ("lease-within-longer-max", {"api": ON, "lease": lease(hours=12)}, {"max_lease": "12h"}, [], "compliant"),
    ("firewall-opening-allowed", {"firewall": {"rule": "r", "restricted": True, "support_source_present": True}}, None, [], "compliant"),
    ("firewall-opening-not-allowed", {"firewall": {"rule": "r", "restricted": True, "support_source_present": True}},
     {"allow_firewall_opening": False}, ["firewall-opening-not-allowed"], "noncompliant"),
    ("diagnostic-pods-present", {"pods": {"confirmed": [POD], "suspicious": []}}, None, ["diagnostic-pods-present"], "noncompliant"),
    ("diagnostic-pods-allowed", {"pods": {"confirmed": [POD], "suspicious": []}}, {"allow_diagnostic_pods": True}, [], "compliant"),
    # what cannot be identified as the customer's blocks compliance until deleted or allowed by name
    ("suspicious-pod-blocks", {"pods": {"confirmed": [], "suspicious": [POD]}}, None, ["suspicious-doors"], "noncompliant"),
    ("suspicious-pod-allowed", {"pods": {"confirmed": [], "suspicious": [POD]}}, {"allow": ["Pod/kube-system/node-shell-*"]},
     [], "compliant"),
    ("look-alike-binding", {"rbac": {"bindings": [LOOK_ALIKE]}}, None, ["suspicious-doors"], "noncompliant"),
    ("broad-binding-granting-a-class", {"rbac": {"bindings": [EVERYONE]}}, None, ["suspicious-doors"], "noncompliant"),
    ("debug-container-running", {"pods": {"confirmed": [], "suspicious": [], "debugged": [DEBUGGED]}}, None,
     ["suspicious-doors"], "noncompliant"),
    ("support-workloads-present", {"pods": {"confirmed": [], "suspicious": [], "workloads": [WORKLOAD]}}, None,
     ["support-workloads-present"], "noncompliant"),
    ("kept-workload-is-no-door", {"pods": {"confirmed": [], "suspicious": [], "workloads": [dict(WORKLOAD, verdict="kept")]}},
     None, [], "compliant"),
    ("out-of-chart-support-bindings", {"api": ON, "lease": lease(), "rbac": {"bindings": [OUT_OF_CHART]}}, None,
     ["out-of-chart-support-bindings"], "noncompliant"),
    ("firewall-admits-support-vpn", {"firewall": {"rule": "r", "restricted": True, "support_source_present": False,
                                                  "admitted_by": ["4.7.0.0/16"]}}, None,
     ["firewall-admits-support-vpn"], "noncompliant"),
    ("credentials-window", {"api": {"access_enabled": False, "roles": [], "active_requests": [CERT]}}, None,
     ["credentials-window"], "compliant"),
    ("support-bindings-without-access", {"rbac": {"bindings": [binding()]}}, None, ["support-bindings-without-access"], "noncompliant"),
    ("bindings-with-access-and-lease", {"api": ON, "lease": lease(), "rbac": {"bindings": [binding()]}}, None, [], "compliant"),
    ("binding-of-other-subject-ignored", {"rbac": {"bindings": [binding(subjects=["Group/dev"], chart_managed=False)]}}, None, [], "compliant"),
    ("binding-of-custom-support-subject", {"rbac": {"bindings": [binding(subjects=["User/vendor"], chart_managed=False)]}},
     {"support_subjects": [{"kind": "User", "name": "vendor"}]}, ["support-bindings-without-access"], "noncompliant"),
    ("viewer-can-exec", {"provider": "coreweave", "api": None,
                         "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-viewers", capabilities=["exec_pods"])]}},
     None, ["viewer-can-exec"], "noncompliant"),
    ("viewer-can-exec-via-get", {"provider": "coreweave", "api": None,
                                 "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-viewers", capabilities=[], flags=["exec_pods_via_get"])]}},
     None, ["viewer-can-exec"], "noncompliant"),
    ("viewer-can-exec-as-written-via-pods-star", {"provider": "coreweave", "api": None,
                                                  "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-viewers", capabilities=[],
                                                                                flags=["literal_subresource_wildcard",
                                                                                       "exec_pods_via_subresource_wildcard"])]}},
     None, ["viewer-can-exec"], "noncompliant"),
    ("pods-star-without-get-is-not-exec", {"provider": "coreweave", "api": None,
                                           "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-viewers", capabilities=[],
                                                                         flags=["literal_subresource_wildcard"])]}},
     None, [], "compliant"),
    ("viewer-can-read-secrets", {"provider": "coreweave", "api": None,
                                 "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-viewers", capabilities=["read_secrets"])]}},
     None, ["viewer-can-read-secrets"], "noncompliant"),
    ("super-admin-may-exec", {"provider": "coreweave", "api": None,
                              "rbac": {"bindings": [binding("ClusterRole/teleport-cluster-super-admins", capabilities=["exec_pods", "read_secrets"])]}},
     None, [], "compliant"),
    ("unreachable", {"reachable": False, "error": "dial tcp: connection refused"}, None, ["unreachable"], "unreachable"),
    ("error", {"error": "helm: release broken"}, None, [], "error"),
    ("revoked", {"playbook": "revoke"}, None, [], "revoked"),
    ("not-revoked-access-on", {"playbook": "revoke", "api": ON, "lease": lease()}, None, ["not-revoked"], "not_revoked"),
    ("not-revoked-chart", {"playbook": "revoke", "chart": {"installed": True}}, None, ["not-revoked"], "not_revoked"),
    ("not-revoked-probes", {"playbook": "revoke", "rbac": {"bindings": [], "probes_allowed": 2, "probes_total": 12}}, None,
     ["not-revoked"], "not_revoked"),
    ("not-revoked-pods", {"playbook": "revoke", "pods": {"confirmed": [POD]}}, None, ["diagnostic-pods-present", "not-revoked"], "not_revoked"),
    ("not-revoked-firewall", {"playbook": "revoke", "firewall": {"support_source_present": True}}, None, ["not-revoked"], "not_revoked"),
    ("not-revoked-unverified", {"playbook": "revoke", "rbac": None}, None, ["not-revoked", "unknown"], "not_revoked"),
    ("revoke-unread-lease-is-not-revoked", {"playbook": "revoke", "lease": None}, None, ["unknown"], "error"),
    ("revoke-error-with-open-access", {"playbook": "revoke", "error": "uninstall failed", "chart": {"installed": True}}, None,
     ["not-revoked"], "not_revoked"),
    ("revoke-error-nothing-open", {"playbook": "revoke", "error": "verification crashed"}, None, [], "error"),
    ("revoke-unreachable", {"playbook": "revoke", "reachable": False}, None, ["unreachable"], "unreachable"),
    # a revoke in check mode says what the revoke would do, never "not revoked"
    ("dry-run-would-revoke", {"playbook": "revoke", "check_mode": True, "api": ON, "chart": {"installed": True},
                              "rbac": {"bindings": [OUT_OF_CHART]}, "pods": {"confirmed": [POD], "suspicious": []}}, None,
     ["would-revoke", "support-access-without-lease", "diagnostic-pods-present", "out-of-chart-support-bindings"], "would_revoke"),
    ("dry-run-would-stay-open", {"playbook": "revoke", "check_mode": True, "api": ON, "rbac": {"bindings": [LOOK_ALIKE]}}, None,
     ["would-stay-open", "support-access-without-lease", "suspicious-doors"], "would_stay_open"),
    ("dry-run-nothing-open", {"playbook": "revoke", "check_mode": True}, None, [], "revoked"),
    ("dry-run-unreachable", {"playbook": "revoke", "check_mode": True, "reachable": False}, None, ["unreachable"], "unreachable"),
    # CoreWeave audit-log forwarding and support activity (more in test_report_coreweave.py)
    ("audit-log-not-forwarded", {"provider": "coreweave", "api": None, "coreweave": {"telemetry": {"audit_logs_forwarded": False}}},
     None, ["audit-log-not-forwarded"], "noncompliant"),
    ("activity-findings", {"activity": {"findings": [{"code": c, "user": "alice", "count": 1} for c in _report.ACTIVITY_FINDING_CODES]}},
     None, list(_report.ACTIVITY_FINDING_CODES), "noncompliant"),
    # findings only from sections that were read (more below)
    ("lease-unread-access-on", {"api": ON, "lease": None}, None, ["unknown"], "error"),
    ("api-unread", {"api": None, "rbac": {"bindings": [binding()]}}, {"allowed_roles": ["readonly"]}, ["unknown"], "error"),
    ("firewall-not-asked-for", {"firewall": None}, {"allow_firewall_opening": False}, [], "compliant"),
    ("firewall-unread", {"firewall": None, "unread": {"firewall": "step failed"}}, None, ["unknown"], "error"),
    ("activity-not-asked-for", {"activity": None}, None, [], "compliant"),
    ("coreweave-n/a-sections-are-not-unknown", {"provider": "coreweave", "api": None, "chart": None, "firewall": None}, None, [],
     "compliant"),
    # ticket reconciliation (more below)
    ("ticket-mismatch", {"api": dict(ON, active_requests=[{"role": "readonly", "ticket": "ZD#9", "status": "active"}]), "lease": lease()},
     None, ["ticket-mismatch"], "noncompliant"),
    ("ticket-same-after-normalising", {"api": dict(ON, active_requests=[{"role": "readonly", "ticket": " zd#1 ", "status": "active"}]),
                                       "lease": lease()}, None, [], "compliant"),
]


@pytest.mark.parametrize("overrides, policy, codes, verdict", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_finding_codes_and_verdicts(overrides, policy, codes, verdict):
    findings, got = _report.evaluate(clean(**overrides), policy, NOW)
    assert sorted(f["code"] for f in findings) == sorted(codes)
    assert got == verdict
    for finding in findings:
        assert finding["severity"] == _report.FINDING_CODES[finding["code"]][0] and finding["message"]


def test_every_finding_code_is_exercised():
    exercised = set()
    for _name, overrides, policy, _codes, _verdict in CASES:
        exercised.update(f["code"] for f in _report.evaluate(clean(**overrides), policy, NOW)[0])
    assert exercised == set(_report.FINDING_CODES)


def test_findings_sorted_high_first():
    report = clean(api={"access_enabled": False, "roles": [], "active_requests": [CERT]}, pods={"confirmed": [POD], "suspicious": []},
                   firewall={"rule": "r", "admitted_by": ["0.0.0.0/0"]})
    findings, _verdict = _report.evaluate(report, {"require_lease": True}, "2026-11-22T10:00:00Z")
    assert [f["severity"] for f in findings] == ["high", "medium", "low"]


def test_doors_name_what_revoke_closes_and_what_only_a_person_can():
    report = clean(playbook="revoke", api=ON, rbac={"bindings": [OUT_OF_CHART, LOOK_ALIKE], "labelled": ["ClusterRole/crusoe-support-debug"]},
                   pods={"confirmed": [POD], "suspicious": [], "workloads": [WORKLOAD, dict(WORKLOAD, name="gpu-op", verdict="kept")],
                         "debugged": [DEBUGGED]},
                   firewall={"rule": "r", "support_source_present": True, "admitted_by": ["0.0.0.0/0"]})
    found = {d["ref"]: d for d in _report.doors(report, {"allow": ["ClusterRoleBinding/crusoe-support-admin"]}, NOW)}
    assert found["api/support-access"]["status"] == "confirmed"
    assert found["ClusterRoleBinding/support-admin"]["closes"] == "revoke deletes it"
    assert found["ClusterRoleBinding/crusoe-support-admin"]["status"] == "allowed"
    assert found["ClusterRole/crusoe-support-debug"]["class"] == "chart-object"
    assert found["DaemonSet/crusoe-system/node-shell"]["closes"] == "revoke deletes it, then its pods"
    assert "DaemonSet/crusoe-system/gpu-op" not in found
    debug = found["Pod/ml/trainer-0"]
    assert debug["status"] == "suspicious" and "kubectl delete pod -n ml trainer-0" in debug["closes"]
    assert found["firewall/r/%s" % _support.CRUSOE_SUPPORT_VPN_CIDR]["closes"] == "revoke removes the support source"
    findings, verdict = _report.evaluate(report, {"allow": ["ClusterRoleBinding/crusoe-support-admin"]}, NOW)
    message = [f for f in findings if f["code"] == "not-revoked"][0]["message"]
    assert verdict == "not_revoked" and "Pod/ml/trainer-0 (suspicious): running debug container(s)" in message
    assert "crusoe-support-admin" not in message


def test_not_revoked_message_lists_what_is_open():
    findings, _verdict = _report.evaluate(clean(playbook="revoke", chart={"installed": True, "release": "crusoe-support-roles"},
                                                rbac={"bindings": [binding()]}), None, NOW)
    message = [f for f in findings if f["code"] == "not-revoked"][0]["message"]
    assert "crusoe-support-roles is installed" in message and "ClusterRoleBinding/crusoe-support-readonly-binding" in message


@pytest.mark.parametrize("policy, text", [
    ({"max_lease": "eight hours"}, "max_lease"),
    ({"max_lease": "30d"}, "7 days"),
    ({"require_lease": "maybe"}, "require_lease"),
    ({"allowed_role": ["readonly"]}, "unknown keys allowed_role"),
    ({"support_subjects": [{"kind": "Robot", "name": "x"}]}, "support_subjects"),
    ("strict", "must be a dictionary"),
])
def test_bad_policy_is_refused_with_the_key(policy, text):
    with pytest.raises(_report.ReportError, match=text):
        _report.merge_policy(policy)


def test_policy_defaults_and_durations():
    merged = _report.merge_policy({"max_lease": "1h30m", "allowed_roles": None})
    assert merged["max_lease_seconds"] == 5400 and merged["allowed_roles"] == ["operator", "readonly"]
    assert merged["require_lease"] is True and merged["allow_diagnostic_pods"] is False


def test_apply_policy_fills_error_for_not_revoked():
    report = _report.apply_policy(clean(playbook="revoke", api=ON), None, NOW)
    assert report["verdict"] == "not_revoked" and "support access still enabled in the Crusoe API" in report["error"]


# -- findings only from sections that were read

LEASE_403 = ("step 'read the lease' failed: cluster 'training-prod': reading lease ConfigMap "
             "kube-system/neocloud-support-access-lease: 403 Forbidden")
RBAC_FAILED = "step 'scan the support RBAC' failed: cluster 'gpu-train': context nowhere not in the kubeconfig"
AFTER_RBAC = "not tried after step 'scan the support RBAC' failed"


def codes_of(findings):
    return sorted(f["code"] for f in findings)


def unknown_record(findings):
    records = [f for f in findings if f["code"] == "unknown"]
    assert len(records) == 1, findings
    assert records[0]["severity"] == "unknown"
    return records[0]


def test_unreadable_lease_claims_no_missing_lease_while_access_is_enabled():
    report = clean(api=dict(ON, active_requests=[{"role": "readonly", "ticket": "ZD#7", "status": "active"}]), lease=None,
                   unread={"lease": LEASE_403}, error=LEASE_403)
    findings, verdict = _report.evaluate(report, None, NOW)
    assert verdict == "error"
    assert codes_of(findings) == ["unknown"]  # no support-access-without-lease, lease-expired-access-open, ticket-mismatch
    record = unknown_record(findings)
    assert record["sections"] == ["lease"] and "lease (%s)" % LEASE_403 in record["message"]


def test_unreadable_api_claims_nothing_about_roles_requests_or_bindings():
    report = clean(api=None, unread={"api": "step 'read the Crusoe API' failed: 500 internal"}, error="step 'read the Crusoe API' failed",
                   rbac={"bindings": [binding()]}, lease=lease(hours=12))
    findings, verdict = _report.evaluate(report, {"allowed_roles": []}, NOW)
    assert verdict == "error"
    # the lease was read: its own rule still judges it
    assert codes_of(findings) == ["lease-too-long", "unknown"]
    record = unknown_record(findings)
    assert record["sections"] == ["api"] and "api (step 'read the Crusoe API' failed: 500 internal)" in record["message"]


def test_unreadable_rbac_claims_nothing_about_the_viewer_role():
    report = clean(provider="coreweave", api=None, chart=None, firewall=None, rbac=None, pods=None, lease=None,
                   unread={"rbac": RBAC_FAILED, "pods": AFTER_RBAC, "lease": AFTER_RBAC}, error=RBAC_FAILED)
    findings, verdict = _report.evaluate(report, None, NOW)
    assert verdict == "error" and codes_of(findings) == ["unknown"]
    record = unknown_record(findings)
    assert record["sections"] == ["rbac", "pods", "lease"]  # the provider's n/a sections are not unknown
    assert record["message"] == "not read, so not judged: rbac (%s); pods, lease (%s)" % (RBAC_FAILED, AFTER_RBAC)


def test_a_report_with_an_unread_section_is_never_compliant_even_without_an_error():
    report = _report.apply_policy(clean(lease=None), None, NOW)
    assert report["verdict"] == "error"
    assert report["error"] == "not read, so not judged: lease (not in the report)"
    assert [f["code"] for f in report["findings"]] == ["unknown"]
    # a step's error stays the error; the record adds which sections it left unread
    failed = _report.apply_policy(clean(lease=None, unread={"lease": LEASE_403}, error=LEASE_403), None, NOW)
    assert failed["verdict"] == "error" and failed["error"] == LEASE_403


def test_unread_sections_are_named_on_an_unreachable_cluster_too():
    report = clean(reachable=False, error="cannot reach", rbac=None, chart=None, pods=None, lease=None)
    findings, verdict = _report.evaluate(report, None, NOW)
    assert verdict == "unreachable" and codes_of(findings) == ["unknown", "unreachable"]
    assert findings[-1]["code"] == "unknown"  # after every claim
    assert unknown_record(findings)["sections"] == ["rbac", "chart", "pods", "lease"]


def test_the_unknown_record_is_not_a_finding_in_the_summary():
    reports = _report.prepare([clean(cluster="half", lease=None)], None, NOW)
    summary = _report.summarize(reports)
    assert summary["error"] == ["half"] and summary["clusters_with_findings"] == 0
    assert summary["findings"] == {"high": 0, "medium": 0, "low": 0, "unknown": 1}


def test_views_show_the_unknown_record_once_and_apart_from_the_claims():
    doc = _report.build_document(_report.prepare([clean(api=ON, lease=None, unread={"lease": LEASE_403}, error=LEASE_403)], None, NOW),
                                 None, NOW)
    text = _render.to_markdown(doc)
    assert "- **unknown**: not read, so not judged: lease (%s)" % LEASE_403 in text
    assert "- error:" not in text  # the record already says it
    page = _render.to_html(doc)
    assert '<span class="sev-unknown">unknown</span>: not read, so not judged: lease' in page
    assert "<code>unknown</code>" not in page and "sev-high\">error" not in page
    case = ET.fromstring(_render.to_junit(doc)).find("testsuite/testcase")
    assert case.find("error").get("type") == "error" and LEASE_403 in case.find("error").get("message")


# -- ticket reconciliation

@pytest.mark.parametrize("one, other, same", [
    ("ZD-1234", "ZD#1234", True),
    ("ZD-1234", " zd 1234 ", True),
    ("ZD1234", "zd_1234", True),
    ("ZD-1234", "ZD-12345", False),
    ("ZD-1234", "JIRA-1234", False),
    ("", None, True),
])
def test_ticket_normalisation(one, other, same):
    assert (_report.normalize_ticket(one) == _report.normalize_ticket(other)) is same


def request(ticket, role="readonly", **extra):
    return dict({"role": role, "ticket": ticket, "requestor_id": "00ab12cd5d7", "requestor_team": "cmk-support",
                 "cert_serial": "1a2b", "status": "active"}, **extra)


def test_ticket_mismatch_names_each_request_its_requester_and_both_tickets():
    api = dict(ON, active_requests=[request("ZD#1"), request("ZD#9999", cert_serial="9f9f"), request(""),
                                    request("ZD#8888", status="expired")])
    findings, verdict = _report.evaluate(clean(api=api, lease=lease(ticket="ZD-1")), None, NOW)
    assert verdict == "noncompliant"
    messages = [f["message"] for f in findings if f["code"] == "ticket-mismatch"]
    assert sorted(messages) == [
        "request cert 1a2b by 00ab12cd5d7 (cmk-support) works under ticket (no ticket); the active lease names ZD-1",
        "request cert 9f9f by 00ab12cd5d7 (cmk-support) works under ticket ZD#9999; the active lease names ZD-1"]
    assert all(f["severity"] == "high" for f in findings)


@pytest.mark.parametrize("overrides, codes", [
    # no active lease with access enabled: that is already support-access-without-lease / lease-expired-access-open
    ({"api": dict(ON, active_requests=[request("ZD#9")])}, ["support-access-without-lease"]),
    ({"api": dict(ON, active_requests=[request("ZD#9")]), "lease": lease("expired", start="2026-11-21T08:00:00Z")},
     ["lease-expired-access-open"]),
    # access disabled, lease closed: the listed requests are credentials issued before the revocation
    ({"api": {"access_enabled": False, "roles": [], "active_requests": [request("ZD#9")]}, "lease": lease("closed")}, []),
    # a lease recorded without a ticket names none to reconcile
    ({"api": dict(ON, active_requests=[request("ZD#9")]), "lease": lease(ticket="")}, []),
])
def test_ticket_mismatch_only_against_an_active_lease_that_names_a_ticket(overrides, codes):
    findings, _verdict = _report.evaluate(clean(**overrides), None, NOW)
    assert codes_of(findings) == codes


def test_every_finding_code_is_documented_with_its_severity():
    path = os.path.join(ROOT, "docs", "report.md")
    with open(path, encoding="utf-8") as handle:
        table = handle.read().split("## Finding codes", 1)[1].split("\n## ", 1)[0]
    documented = dict(re.findall(r"^\| `([a-z-]+)` \| (\w+) \|", table, re.M))
    assert documented == {code: severity for code, (severity, _meaning) in _report.FINDING_CODES.items()}


def test_missing_host_is_an_error_with_what_the_inventory_knows():
    report = _report.normalize_missing_host("gpu-east", {"support_access_provider": "crusoe", "support_access_project_name": "ml",
                                                         "support_access_cluster": "c-9"}, "revoke", NOW)
    assert (report["cluster"], report["provider"], report["project"], report["cluster_id"]) == ("gpu-east", "crusoe", "ml", "c-9")
    assert report["verdict"] == "error" and report["playbook"] == "revoke" and "before it reported" in report["error"]
    assert report["checked_at"] == "2026-11-22T10:00:00Z"
    # a policy run over it keeps the error: nothing was gathered to evaluate
    assert _report.prepare([report], {})[0]["verdict"] == "error"


def test_collect_uses_facts_and_fills_missing_hosts():
    hostvars = {"a": {"support_access_cluster_report": clean(cluster="a", verdict="compliant")},
                "b": {"support_access_provider": "coreweave", "support_access_error": "kubeconfig missing"}}
    reports = _report.collect(hostvars, ["a", "b", "c"], "audit", NOW)
    assert [(r["cluster"], r["verdict"]) for r in reports] == [("a", "compliant"), ("b", "error"), ("c", "error")]
    assert reports[1]["provider"] == "coreweave" and reports[1]["error"] == "kubeconfig missing"


REQUESTS = [{"role": "readonly", "ticket": "ZD-9", "expires_at": "2026-11-22T12:00:00Z", "status": "active"},
            {"role": "operator", "status": "expired"}]


def fleet():
    reports = [
        clean(cluster="ok-1", api=ON, lease=lease()),
        clean(cluster="ok-2", provider="coreweave", api=None, firewall=None, chart=None),
        clean(cluster="bad", api=dict(ON, active_requests=REQUESTS),
              pods={"confirmed": [POD, dict(POD, name="debug-x")], "suspicious": []}),
        clean(cluster="gone", reachable=False),
        clean(cluster="revoked", playbook="revoke"),
        _report.normalize_missing_host("broken", {"support_access_provider": "crusoe"}, "audit", NOW),
    ]
    return _report.prepare(reports, None, NOW)


def test_summary_counts():
    summary = _report.summarize(fleet())
    assert summary["clusters"] == 6
    assert summary["verdicts"] == {"compliant": 2, "noncompliant": 1, "revoked": 1, "not_revoked": 0, "error": 1, "unreachable": 1}
    assert summary["providers"] == {"crusoe": 5, "coreweave": 1}
    assert summary["access_enabled"] == 2 and summary["active_requests"] == 1 and summary["confirmed_pods"] == 2
    assert summary["clusters_with_findings"] == 2
    assert summary["noncompliant"] == ["bad"] and summary["error"] == ["broken"] and summary["unreachable"] == ["gone"]
    assert summary["failed"] == ["bad", "broken", "gone"] and summary["ok"] is False
    assert _report.summarize([])["ok"] is True


def test_prepare_keeps_verdicts_unless_a_policy_is_given():
    report = clean(api=ON, lease=lease(), verdict="compliant")
    assert _report.prepare([report])[0]["verdict"] == "compliant"
    strict = _report.prepare([dict(report, api=dict(ON, roles=["operator"]))], {"allowed_roles": ["readonly"]}, NOW)[0]
    assert strict["verdict"] == "noncompliant"
    with pytest.raises(_report.ReportError):
        _report.prepare(["not a dict"])


def test_document_orders_failing_clusters_first():
    doc = _report.build_document(fleet(), "Fleet", NOW)
    assert [c["cluster"] for c in doc["clusters"]] == ["gone", "broken", "bad", "revoked", "ok-1", "ok-2"]
    assert doc["generated_at"] == "2026-11-22T10:00:00Z" and doc["title"] == "Fleet"


def test_merge_unions_clusters_and_later_check_wins():
    early = _report.build_document([clean(cluster="a", checked_at="2026-11-22T08:00:00Z", verdict="compliant"),
                                    clean(cluster="b", verdict="compliant")], "slice 1", NOW)
    late = _report.build_document([clean(cluster="a", checked_at="2026-11-22T09:00:00Z", api=ON, verdict="noncompliant"),
                                   clean(cluster="c", reachable=False, verdict="unreachable")], "slice 2", NOW)
    for docs in ([early, late], [late, early]):
        merged = _report.merge(json.loads(json.dumps(docs)), generated_at=NOW)
        clusters = {c["cluster"]: c for c in merged["clusters"]}
        assert sorted(clusters) == ["a", "b", "c"]
        assert clusters["a"]["verdict"] == "noncompliant" and clusters["a"]["checked_at"] == "2026-11-22T09:00:00Z"
        assert merged["summary"]["clusters"] == 3 and merged["summary"]["failed"] == ["a", "c"]


def test_merge_refuses_what_is_not_a_report():
    with pytest.raises(_report.ReportError, match="document 1"):
        _report.merge([{"clusters": []}, {"hello": 1}])
    with pytest.raises(_report.ReportError, match="schema"):
        _report.merge([{"schema": 2, "clusters": []}])


def hostile_doc():
    reports = fleet()
    reports[2]["cluster"] = HOSTILE
    reports[2]["findings"].append({"severity": "high", "code": "<b>x</b>", "message": "reason </td><img src=x onerror=alert(1)>"})
    reports[3]["error"] = "bad \x00\x1b byte | and ]]> end"
    return _report.build_document(reports, "<i>title</i>", NOW)


def page_script(page):
    """The page's one inline script (its text), after checking there is exactly one."""
    assert page.count("<script") == 1 and page.count("</script>") == 1
    return page.split("<script>", 1)[1].split("</script>", 1)[0]


def test_html_escapes_every_untrusted_value():
    page = _render.to_html(hostile_doc())
    assert "<img" not in page and "<i>title" not in page and "<b>x</b>" not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'data-search="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp; ' in page
    # the script is the same text whatever the report holds: no value ever gets into it
    assert page_script(page) == page_script(_render.to_html(_report.build_document([], None, NOW))) == _render._SCRIPT


def test_html_is_self_contained_and_allows_only_its_own_script_and_style_by_hash():
    page = _render.to_html(_report.build_document(fleet(), None, NOW))
    assert "http://" not in page and "https://" not in page and "<link" not in page and "style=" not in page
    assert page.count('<tr class="cluster"') == 6
    assert 'data-cluster="bad" data-verdict="noncompliant"' in page and "diagnostic-pods-present" in page
    assert 'id="summary"' in page and "2026-11-22T10:00:00Z" in page
    for column in _render.HTML_COLUMNS:
        assert "<th>%s</th>" % column in page
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1).replace("&#x27;", "'")
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for kind, text in (("script-src", page_script(page)), ("style-src", style)):
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
        assert "%s 'sha256-%s'" % (kind, digest) in policy
    assert "default-src 'none'" in policy and "unsafe" not in policy
    assert page.index("Content-Security-Policy") < page.index("<style>")


def test_junit_parses_with_one_testcase_per_cluster():
    doc = hostile_doc()
    root = ET.fromstring(_render.to_junit(doc).encode("utf-8"))
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert sorted(cases) == sorted(c["cluster"] for c in doc["clusters"])
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "2")
    assert cases[HOSTILE].find("failure").get("type") == "noncompliant"
    assert "diagnostic-pods-present" in cases[HOSTILE].find("failure").get("message")
    assert cases["gone"].find("error").get("type") == "unreachable"
    assert cases["broken"].find("error") is not None and cases["broken"].get("classname") == "crusoe"
    assert cases["ok-2"].get("classname") == "coreweave"
    for name in ("ok-1", "ok-2", "revoked"):
        assert cases[name].find("failure") is None and cases[name].find("error") is None


def test_junit_not_revoked_is_a_failure():
    doc = _report.build_document(_report.prepare([clean(cluster="r", playbook="revoke", chart={"installed": True})], None, NOW), None, NOW)
    case = ET.fromstring(_render.to_junit(doc)).find("testsuite/testcase")
    assert case.find("failure").get("type") == "not_revoked" and "not-revoked" in case.find("failure").get("message")


def test_markdown_neutralises_table_syntax_and_html():
    text = _render.to_markdown(hostile_doc())
    rows = [line for line in text.splitlines() if line.startswith("| ") and "Verdict" not in line]
    cluster_rows = [r for r in rows if r.count(" | ") >= 10]
    assert len(cluster_rows) == 6
    for row in cluster_rows:  # an escaped pipe never splits a cell
        assert len(row.replace("\\|", "").split(" | ")) == len(_render.COLUMNS)
    assert "<script>" not in text and "\\<script\\>" in text


def test_json_round_trips():
    doc = _report.build_document(fleet(), None, NOW)
    assert json.loads(_render.to_json(doc)) == doc


def test_render_refuses_unknown_formats():
    with pytest.raises(_report.ReportError, match="pdf"):
        _render.render(_report.build_document([], None, NOW), ["pdf"])


# -- the lease and its history in the views

HISTORY = [
    {"ticket": "ZD-3", "requested_by": "bob", "reason": "disk pressure", "roles": ["readonly"], "enabled_at": "2026-11-21T08:00:00Z",
     "expires_at": "2026-11-21T16:00:00Z", "state": "closed", "closed_at": "2026-11-21T12:00:00Z", "closed_by": "carol",
     "closed_reason": "fixed", "ended": "closed"},
    {"ticket": "ZD-2", "requested_by": "dan", "reason": "upgrade", "roles": ["operator", "readonly"], "enabled_at": "2026-11-20T08:00:00Z",
     "expires_at": "2026-11-20T10:00:00Z", "state": "active", "closed_at": "", "closed_by": "", "closed_reason": "", "ended": "expired"},
]


def leased(history=None, **overrides):
    """An active lease with ``history`` (None: a lease recorded before histories were kept)."""
    current = dict(lease(), requested_by="alice", reason="node not ready", roles=["operator", "readonly"])
    if history is not None:
        current["history"] = history
    return clean(api=ON, lease=dict(current, **overrides))


def view(*reports):
    return _report.build_document(_report.prepare(list(reports), None, NOW), None, NOW)


def lease_lines(text):
    section = text.split("## Leases\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Cluster")]


def test_markdown_shows_the_current_lease_and_one_line_per_earlier_lease():
    text = _render.to_markdown(view(leased(HISTORY), clean(cluster="idle")))
    assert lease_lines(text) == [
        "| training-prod | current | ZD-1 | alice | operator, readonly | 2026-11-22T08:00:00Z \u2013 2026-11-22T16:00:00Z | active | node not ready |",
        "|  | earlier | ZD-3 | bob | readonly | 2026-11-21T08:00:00Z \u2013 2026-11-21T16:00:00Z "
        "| closed 2026-11-21T12:00:00Z by carol: fixed | disk pressure |",
        "|  | earlier | ZD-2 | dan | operator, readonly | 2026-11-20T08:00:00Z \u2013 2026-11-20T10:00:00Z | expired | upgrade |"]
    row = next(line for line in text.splitlines() if line.startswith("| training-prod | crusoe |"))
    assert "active ZD-1 until 2026-11-22T16:00:00Z (2 earlier)" in row


def test_html_shows_the_leases_table_with_earlier_leases_muted_and_escaped():
    hostile = dict(HISTORY[0], ticket=HOSTILE, closed_reason="</td><img src=x>")
    page = _render.to_html(view(leased(history=[hostile, HISTORY[1]])))
    table = page.split('<table id="leases">', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="lease-current"') == 1 and table.count('<tr class="lease-earlier"') == 2
    assert '<td rowspan="3"><b>training-prod</b></td>' in table
    assert "closed 2026-11-21T12:00:00Z by carol: &lt;/td&gt;&lt;img src=x&gt;" in table and "<img" not in table
    assert "&lt;script&gt;" in table and "<script>alert" not in page
    assert "2026-11-20T08:00:00Z \u2013 2026-11-20T10:00:00Z" in table and ">expired<" in table


def test_json_carries_the_history_as_it_is():
    doc = view(leased(HISTORY))
    assert json.loads(_render.to_json(doc))["clusters"][0]["lease"]["history"] == HISTORY


@pytest.mark.parametrize("report, rows", [
    (leased(), 1),                                    # a lease recorded before histories were kept
    (leased(history=[]), 1),
    (leased(history=[], status="closed", closed_at="2026-11-22T09:00:00Z", closed_by="bob", closed_reason=""), 1),
    (clean(), 0),                                     # no lease at all
    (clean(lease=None, error="step 'read the lease' failed"), 0),  # not read: the Lease column says unknown
])
def test_leases_without_history(report, rows):
    doc = view(report)
    text, page = _render.to_markdown(doc), _render.to_html(doc)
    assert ("## Leases" in text, 'id="leases"' in page) == (bool(rows), bool(rows))
    if rows:
        assert len(lease_lines(text)) == rows and "earlier" not in text.split("## Leases", 1)[1]
        assert "(0 earlier)" not in text


def test_lease_values_of_any_type_render():
    doc = view(leased([{"ticket": 1234, "roles": "readonly", "ended": "replaced"}, "not a record"]))
    assert "| 1234 | - | - | ? \u2013 ? | replaced | - |" in _render.to_markdown(doc)
    assert "<td>1234</td>" in _render.to_html(doc)


def test_a_closed_current_lease_says_when_and_by_whom():
    doc = view(leased(history=[], status="closed", closed_at="2026-11-22T09:00:00Z", closed_by="bob", closed_reason="done"))
    assert "| closed 2026-11-22T09:00:00Z by bob: done |" in lease_lines(_render.to_markdown(doc))[0]


def test_doors_are_rendered_what_blocks_first():
    report = _report.apply_policy(clean(playbook="revoke", rbac={"bindings": [LOOK_ALIKE, OUT_OF_CHART]},
                                        pods={"confirmed": [], "suspicious": [], "debugged": [DEBUGGED]}),
                                  {"allow": ["ClusterRoleBinding/crusoe-support-admin"]}, NOW)
    doc = _report.build_document([report], "t", NOW)
    markdown = _render.to_markdown(doc)
    rows = [line for line in markdown.split("## Doors")[1].split("\n## ")[0].splitlines() if line.startswith("| training-prod")]
    assert [row.split(" | ")[3] for row in rows] == ["suspicious", "confirmed", "allowed"]
    assert "kubectl delete pod -n ml trainer-0" in rows[0]
    page = _render.to_html(doc)
    assert '<table id="doors">' in page and page.index('class="door-suspicious"') < page.index('class="door-allowed"')
