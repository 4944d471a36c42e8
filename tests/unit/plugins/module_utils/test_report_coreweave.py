# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CoreWeave and activity parts of the fleet report: audit-log forwarding from Telemetry Relay shapes, the
sections the audit role builds, their findings under the policy and how the renderers show them."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave_audit as cwa
from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)
CLUSTER = {"id": "c-1", "name": "gpu-train", "zone": "US-EAST-04A", "status": "STATUS_RUNNING", "version": "v1.33",
           "apiServerEndpoint": "https://admin:pw@c1.k8s.example:6443/?token=x", "auditPolicy": "YWJj",
           "authzWebhook": {"server": "https://authz.example/hook?key=secret"}, "authnWebhook": {},
           "oidc": {"issuerUrl": "https://issuer.example/"}, "public": True}
AUDIT = {"slug": "audit-logs", "display_name": "Audit Logs", "filter": {"include": ['{source=~"cks-audit|support-access"}']}}
APPS = {"slug": "application-logs", "display_name": "Application Logs", "filter": {"include": ['{source="pod"}']}}
SIEM = {"slug": "siem", "url": "https://u:p@siem.example/in?t=1"}


def telemetry(streams=(AUDIT, APPS), endpoints=(SIEM,), pipelines=()):
    return {"streams": list(streams), "endpoints": list(endpoints), "pipelines": list(pipelines),
            "audit_log_stream": {"slug": "audit-logs"}}


def pipe(slug, source, destination="siem", enabled=True):
    return {"slug": slug, "source": source, "destination": destination, "enabled": enabled}


@pytest.mark.parametrize("text, labels, expected", [
    ('{source="cks-audit"}', {"source": "cks-audit"}, True),
    ('{source="cks-audit"}', {"source": "pod"}, False),
    ('{source=~"cks-audit|api-audit"}', {"source": "api-audit"}, True),
    ('{source=~"cks"}', {"source": "cks-audit"}, False),  # regexes are anchored
    ('{source!="pod", cluster_id="c-1"}', {"source": "cks-audit", "cluster_id": "c-1"}, True),
    ('{source="cks-audit", cluster_id="c-2"}', {"source": "cks-audit", "cluster_id": "c-1"}, False),
    ('{namespace="x"}', {"source": "cks-audit"}, False),  # a label the log lacks is ""
    ('{namespace!~".+"}', {"source": "cks-audit"}, True),
    ('{cluster=~"gpu-.*"}', {"cluster": "gpu-train"}, True),
    ('{cluster=~"("}', {"cluster": "gpu-train"}, False),  # a broken regex matches nothing
])
def test_selector_matching(text, labels, expected):
    assert cwa.selector_matches(cwa.parse_selector(text), labels) is expected


@pytest.mark.parametrize("text", ["source=cks-audit", "{source=cks-audit}", '{source="a" junk}', "", None])
def test_not_a_selector(text):
    assert cwa.parse_selector(text) is None


@pytest.mark.parametrize("pipelines, streams, forwarded, names", [
    ([pipe("audit", "audit-logs")], (AUDIT, APPS), True, ["audit"]),
    ([pipe("audit", "audit-logs", enabled=False)], (AUDIT, APPS), False, []),
    ([pipe("apps", "application-logs")], (AUDIT, APPS), False, []),
    ([pipe("audit", "audit-logs", destination="gone")], (AUDIT, APPS), False, []),  # destination endpoint missing
    ([pipe("audit", "no-such-stream")], (AUDIT, APPS), False, []),
    # a stream without include selectors counts only when it is the audit stream by name
    ([pipe("audit", "audit-logs")], ({"slug": "audit-logs", "display_name": "audit logs", "filter": {}},), True, ["audit"]),
    ([pipe("other", "other")], ({"slug": "other", "display_name": "Other", "filter": {}},), False, []),
    # exclusions and per-cluster streams
    ([pipe("audit", "audit-logs")], (dict(AUDIT, filter=dict(AUDIT["filter"], exclude=['{cluster="gpu-train"}'])),), False, []),
    ([pipe("mine", "mine"), pipe("theirs", "theirs")],
     ({"slug": "mine", "display_name": "m", "filter": {"include": ['{source="cks-audit", cluster_id="c-1"}']}},
      {"slug": "theirs", "display_name": "t", "filter": {"include": ['{source="cks-audit", cluster_id="c-2"}']}}), True, ["mine"]),
])
def test_audit_forwarding(pipelines, streams, forwarded, names):
    result = cwa.audit_forwarding(telemetry(streams=streams, pipelines=pipelines), CLUSTER)
    assert result["audit_logs_forwarded"] is forwarded
    assert result["pipelines"] == names
    assert result["endpoints"] == (["siem (https://siem.example/in)"] if names else [])


def test_coreweave_section_has_no_credentials():
    section = cwa.coreweave_section(CLUSTER, telemetry(pipelines=[pipe("audit", "audit-logs")]))
    assert section["api_server"] == "https://c1.k8s.example:6443/"
    assert section["authz_webhook"] == "https://authz.example/hook" and section["authn_webhook"] == ""
    assert section["audit_policy_configured"] is True and section["oidc_issuer"] == "https://issuer.example/"
    assert section["telemetry"]["support_access_logs_forwarded"] is True
    text = repr(section)
    for secret in ("pw", "token=x", "key=secret", "u:p", "t=1"):
        assert secret not in text
    assert cwa.coreweave_section(CLUSTER, None)["telemetry"] is None


def test_activity_section_keeps_the_clusters_part():
    result = {
        "clusters": {"gpu-train": {"support_actions": 5, "exec": 1, "secrets_read": 2, "writes": 0}, "other": {"support_actions": 9}},
        "findings": [{"code": "activity-outside-window", "cluster": "gpu-train", "user": "alice", "count": 2, "severity": "high"},
                     {"code": "approver-not-allowed", "cluster": None, "user": "carol", "count": 1, "severity": "high"},
                     {"code": "activity-after-revocation", "cluster": "other", "user": "bob", "count": 1, "severity": "high"}],
        "access_requests": [{"id": "r1", "cluster": "gpu-train", "approved_at": "2026-01-01T00:00:00Z"}, {"id": "r2", "cluster": "other"}],
        "summary": {"files": 2, "lines": 100, "skipped": 3},
    }
    section = cwa.activity_section(result, "gpu-train")
    assert section["support_actions"] == 5 and section["exec"] == 1 and section["secrets_read"] == 2
    assert section["findings_by_code"] == {"activity-outside-window": 1, "approver-not-allowed": 1}
    assert (section["access_requests"], section["approved_requests"], section["skipped_lines"]) == (1, 1, 3)
    findings, verdict = _report.evaluate(report(activity=section, coreweave=None), None, NOW)
    assert [f["code"] for f in findings] == ["activity-outside-window", "approver-not-allowed"] and verdict == "noncompliant"
    assert "alice" in findings[0]["message"] and "2 time(s)" in findings[0]["message"]


def report(**overrides):
    base = {"schema": 1, "cluster": "gpu-train", "provider": "coreweave", "cluster_id": "c-1", "playbook": "audit",
            "checked_at": "2026-11-22T09:59:00Z", "reachable": True, "api": None, "chart": None, "firewall": None,
            "rbac": {"bindings": [], "probes_allowed": 0, "probes_total": 4}, "pods": {"confirmed": [], "suspicious": []},
            "lease": {"status": "none"}, "not_applicable": ["api", "chart", "firewall"],
            "coreweave": cwa.coreweave_section(CLUSTER, telemetry())}
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, policy, codes", [
    ({}, None, ["audit-log-not-forwarded"]),
    ({}, {"require_audit_forwarding": False}, []),
    ({}, {"require_audit_forwarding": "no"}, []),
    ({"coreweave": cwa.coreweave_section(CLUSTER, None)}, None, []),  # telemetry not read: no claim either way
    ({"coreweave": None}, None, []),
    # a Crusoe cluster never gets the CoreWeave finding
    ({"provider": "crusoe", "coreweave": cwa.coreweave_section(CLUSTER, telemetry())}, None, []),
    ({"coreweave": cwa.coreweave_section(CLUSTER, telemetry(pipelines=[pipe("a", "audit-logs")]))}, None, []),
    # exec-into-pod and secrets-read stay in the activity section; request-expired too
    ({"coreweave": None, "activity": {"findings": [{"code": c} for c in ("exec-into-pod", "secrets-read", "request-expired")]}},
     None, []),
])
def test_coreweave_policy(overrides, policy, codes):
    findings, verdict = _report.evaluate(report(**overrides), policy, NOW)
    assert [f["code"] for f in findings] == codes
    assert verdict == ("noncompliant" if codes else "compliant")
    if codes:
        assert findings[0]["severity"] == "medium"


def test_policy_validation():
    assert _report.merge_policy()["require_audit_forwarding"] is True
    with pytest.raises(_report.ReportError, match="require_audit_forwarding"):
        _report.merge_policy({"require_audit_forwarding": "maybe"})


def test_not_applicable_defaults_by_provider():
    assert _report.normalize({"provider": "coreweave"})["not_applicable"] == ["api", "chart", "firewall"]
    assert _report.normalize({"provider": "crusoe"})["not_applicable"] == []
    assert _report.normalize({"provider": "coreweave", "not_applicable": []})["not_applicable"] == []


def test_renderers_show_the_coreweave_section_and_na():
    forwarded = report(cluster="gpu-ok", coreweave=cwa.coreweave_section(dict(CLUSTER, name="gpu-ok"), telemetry(pipelines=[pipe("a", "audit-logs")])))
    crusoe_failed = {"schema": 1, "cluster": "crusoe-x", "provider": "crusoe", "playbook": "audit", "reachable": True,
                     "error": "step failed"}
    doc = _report.build_document(_report.prepare([report(), forwarded, crusoe_failed], None, NOW), generated_at=NOW)
    markdown = _render.to_markdown(doc)
    row = next(line for line in markdown.splitlines() if line.startswith("| gpu-train | coreweave |"))
    assert row.count("| n/a ") == 5 and "unknown" not in row
    crusoe_row = next(line for line in markdown.splitlines() if line.startswith("| crusoe-x | crusoe |"))
    assert "n/a" not in crusoe_row and crusoe_row.count("| unknown ") == 8
    section = markdown.split("## CoreWeave")[1].split("## Findings")[0]
    assert "crusoe-x" not in section
    cw_rows = {line.split(" | ")[0][2:]: line for line in section.splitlines() if line.startswith("| gpu-")}
    assert "| no | - | - |" in cw_rows["gpu-train"] and "| yes | a | siem (https://siem.example/in) |" in cw_rows["gpu-ok"]
    html = _render.to_html(doc)
    assert '<table id="coreweave">' in html and '<td class="on">no</td>' in html and '<td class="off">yes</td>' in html
    junit = ET.fromstring(_render.to_junit(doc).split("\n", 1)[1])
    outs = {c.get("name"): c.find("system-out").text for c in junit.iter("testcase")}
    assert "audit logs forwarded: no" in outs["gpu-train"] and "coreweave:" not in outs["crusoe-x"]
    for text in (markdown, html, _render.to_junit(doc), _render.to_json(doc)):
        assert "u:p@" not in text and "t=1" not in text


def test_markdown_without_coreweave_has_no_section():
    doc = _report.build_document(_report.prepare([{"cluster": "c", "provider": "crusoe", "reachable": True, "api": None}], None, NOW))
    assert "## CoreWeave" not in _render.to_markdown(doc) and 'id="coreweave"' not in _render.to_html(doc)
