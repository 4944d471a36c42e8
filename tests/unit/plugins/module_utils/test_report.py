# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy evaluation, summary, merge and the four renderers of the fleet report."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report

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
            chart_managed=True, name="crusoe-support-readonly-binding", flags=()):
    return {"kind": "ClusterRoleBinding", "namespace": "", "name": name, "role": role, "subjects": list(subjects),
            "capabilities": list(capabilities), "chart_managed": chart_managed, "flags": list(flags)}


ON = {"access_enabled": True, "roles": ["readonly"], "active_requests": []}
POD = {"namespace": "kube-system", "name": "node-shell-abc", "node": "gpu-1", "signals": ["diagnostic_name"]}

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
    ("suspicious-pods-present-is-low", {"pods": {"confirmed": [], "suspicious": [POD]}}, None, ["suspicious-pods-present"], "compliant"),
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
    ("not-revoked-unverified", {"playbook": "revoke", "rbac": None}, None, ["not-revoked"], "not_revoked"),
    ("revoke-error-with-open-access", {"playbook": "revoke", "error": "uninstall failed", "chart": {"installed": True}}, None,
     ["not-revoked"], "not_revoked"),
    ("revoke-error-nothing-open", {"playbook": "revoke", "error": "verification crashed"}, None, [], "error"),
    ("revoke-unreachable", {"playbook": "revoke", "reachable": False}, None, ["unreachable"], "unreachable"),
    # CoreWeave audit-log forwarding and support activity (more in test_report_coreweave.py)
    ("audit-log-not-forwarded", {"provider": "coreweave", "api": None, "coreweave": {"telemetry": {"audit_logs_forwarded": False}}},
     None, ["audit-log-not-forwarded"], "noncompliant"),
    ("activity-findings", {"activity": {"findings": [{"code": c, "user": "alice", "count": 1} for c in _report.ACTIVITY_FINDING_CODES]}},
     None, list(_report.ACTIVITY_FINDING_CODES), "noncompliant"),
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
    report = clean(api=ON, pods={"confirmed": [POD], "suspicious": [POD]}, lease=lease(hours=12))
    findings, _verdict = _report.evaluate(report, {"require_lease": True}, "2026-11-22T10:00:00Z")
    assert [f["severity"] for f in findings] == ["high", "medium", "low"]


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


def test_html_escapes_every_untrusted_value():
    page = _render.to_html(hostile_doc())
    assert "<script>" not in page and "<img" not in page and "<i>title" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_is_self_contained_with_summary_and_one_row_per_cluster():
    page = _render.to_html(_report.build_document(fleet(), None, NOW))
    assert "<script" not in page and "http://" not in page and "https://" not in page and "<link" not in page
    assert page.count('<tr class="cluster"') == 6
    assert 'data-cluster="bad" data-verdict="noncompliant"' in page and "diagnostic-pods-present" in page
    assert 'id="summary"' in page and "2026-11-22T10:00:00Z" in page
    for column in _render.COLUMNS:
        assert "<th>%s</th>" % column in page


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
