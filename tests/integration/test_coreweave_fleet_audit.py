# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet audit over CoreWeave: the CoreWeave API simulator lists CKS clusters that live on the Kubernetes emulator,
the real neocloud.support_access.coreweave inventory plugin makes the hosts and the real neocloud.support_access.audit
playbook audits them (Teleport roles, audit-log forwarding, support activity), alone and next to a Crusoe fleet."""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from sim import activity_logs
from sim.coreweave_fleet import SIEM_SAFE_URL, build_coreweave_fleet
from sim.fleet import build_fleet

COMPLIANT, BROAD, UNFORWARDED, ACTIVE = "gpu-train", "gpu-infer", "gpu-research", activity_logs.CLUSTER
SCENARIOS = {COMPLIANT: "compliant", BROAD: "broad-viewer", UNFORWARDED: "unforwarded", ACTIVE: "compliant"}
# support_activity's planted findings that are report findings (exec-into-pod, secrets-read, request-expired are not).
ACTIVITY_CODES = ["activity-after-denial", "activity-outside-window", "approval-too-long", "approver-not-allowed"]


@pytest.fixture(scope="module")
def cw_fleet(kube_emulator, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("coreweave-fleet")
    fleet = build_coreweave_fleet(kube_emulator, str(workdir), names=list(SCENARIOS), scenarios=list(SCENARIOS.values()))
    try:
        yield fleet
    finally:
        fleet.stop()


def report(reports_dir, basename="latest-audit"):
    with open(os.path.join(str(reports_dir), basename + ".json"), encoding="utf-8") as handle:
        doc = json.load(handle)
    return doc, {c["cluster"]: c for c in doc["clusters"]}


def codes(cluster):
    return sorted(f["code"] for f in cluster["findings"])


def test_coreweave_fleet_audit(ansible_playbook, cw_fleet, tmp_path):
    manifest = activity_logs.generate(str(tmp_path / "logs"), lines=300)
    host_vars = os.path.join(cw_fleet.workdir, "host_vars")
    os.makedirs(host_vars, exist_ok=True)
    with open(os.path.join(host_vars, ACTIVE + ".yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"support_access_activity_logs": [manifest["dir"]],
                        "support_access_activity_approvers": manifest["options"]["approvers"]}, handle)
    cw_fleet.clear_logs()
    reports = tmp_path / "reports"
    res = ansible_playbook("neocloud.support_access.audit", inventory=cw_fleet.inventory, forks=4, env=cw_fleet.env(),
                           extra_vars={"support_access_report_dir": str(reports)})
    assert res.rc == 0, res.stdout
    assert res.changed == 0, res.recap
    assert sorted(res.recap) == sorted(SCENARIOS)
    # read-only: not one write to either simulator
    assert cw_fleet.writes() == []
    assert cw_fleet.kube_writes() == {}

    doc, clusters = report(reports)
    assert {n: (c["verdict"], codes(c)) for n, c in clusters.items()} == {
        COMPLIANT: ("compliant", []),
        BROAD: ("noncompliant", ["viewer-can-exec", "viewer-can-read-secrets"]),
        UNFORWARDED: ("noncompliant", ["audit-log-not-forwarded"]),
        # alice planted outside her window; eve acted after the revocation, which the audit does not know (no lease)
        ACTIVE: ("noncompliant", sorted(ACTIVITY_CODES + ["activity-outside-window"])),
    }
    outside = [f["message"] for f in clusters[ACTIVE]["findings"] if f["code"] == "activity-outside-window"]
    assert any(activity_logs.ALICE in m for m in outside) and any(activity_logs.EVE in m for m in outside)
    for name, cluster in clusters.items():
        assert cluster["provider"] == "coreweave" and cluster["cluster_id"] == cw_fleet.cluster_id(name)
        assert cluster["reachable"] is True and cluster["error"] == ""
        assert cluster["api"] is None and cluster["chart"] is None and cluster["firewall"] is None
        assert cluster["not_applicable"] == ["api", "chart", "firewall"]
        cw = cluster["coreweave"]
        assert (cw["cluster_id"], cw["name"], cw["status"], cw["version"]) == (
            cw_fleet.cluster_id(name), name, "STATUS_RUNNING", "v1.33")
        assert cw["api_server"] == cw_fleet.kube(name).server_url
        telemetry = cw["telemetry"]
        if name == UNFORWARDED:
            # the org-wide Audit Logs pipeline is disabled and the application-logs one carries no audit log
            assert telemetry == {"audit_logs_forwarded": False, "support_access_logs_forwarded": False, "pipelines": [],
                                 "endpoints": [], "audit_stream": "audit-logs"}
        else:
            assert telemetry["audit_logs_forwarded"] is True
            assert telemetry["pipelines"] == [cw_fleet.stream_slug(name)]
            assert telemetry["endpoints"] == ["customer-siem (%s)" % SIEM_SAFE_URL]
    assert clusters[COMPLIANT]["coreweave"]["audit_policy_configured"] is False
    assert clusters[BROAD]["coreweave"]["audit_policy_configured"] is True
    assert clusters[BROAD]["coreweave"]["authz_webhook"] == "https://authz.customer.example/webhook"
    viewers = [b for b in clusters[BROAD]["rbac"]["bindings"]
               if (b.get("role_ref") or {}).get("name", b.get("role")) in ("teleport-cluster-viewers", "ClusterRole/teleport-cluster-viewers")]
    assert viewers and {"read_secrets"} <= set(viewers[0]["capabilities"])

    activity = clusters[ACTIVE]["activity"]
    assert activity["support_actions"] > 0 and activity["access_requests"] > 0
    assert sorted(set(ACTIVITY_CODES) & set(activity["findings_by_code"])) == ACTIVITY_CODES
    assert activity["findings_by_code"]["exec-into-pod"] >= 1
    assert all(c["activity"] is None for n, c in clusters.items() if n != ACTIVE)

    # renderers: the CoreWeave section, n/a for what CoreWeave does not have, no credential anywhere
    markdown = (reports / "latest-audit.md").read_text()
    html = (reports / "latest-audit.html").read_text()
    junit = (reports / "latest-audit.junit.xml").read_text()
    assert "## CoreWeave" in markdown and 'id="coreweave"' in html
    row = next(line for line in markdown.splitlines() if line.startswith("| %s | coreweave |" % COMPLIANT))
    assert row.count("| n/a ") == 5 and "unknown" not in row  # access, roles, requests, chart, firewall
    cw_row = next(line for line in markdown.split("## CoreWeave")[1].splitlines() if line.startswith("| %s |" % UNFORWARDED))
    assert "| no |" in cw_row
    assert re.search(r'data-cluster="%s">.*<td class="off">yes</td>' % COMPLIANT, html)
    assert "audit-log-not-forwarded" in junit and "viewer-can-exec" in junit
    for text in (markdown, html, junit, (reports / "latest-audit.json").read_text(), res.stdout):
        assert "not-a-real-password" not in text and "url-token-0001" not in text
        assert cw_fleet.env()["COREWEAVE_API_TOKEN"] not in text


def test_mixed_crusoe_and_coreweave_audit(ansible_playbook, cw_fleet, kube_emulator, tmp_path):
    crusoe = build_fleet(2, seed_mix=["engaged", "dormant"], emulator=kube_emulator, workdir=str(tmp_path / "crusoe"),
                         names=["crusoe-train", "crusoe-idle"])
    try:
        cw_fleet.clear_logs()
        env = dict(crusoe.env())
        env.update(cw_fleet.env())
        reports = tmp_path / "reports"
        res = ansible_playbook("neocloud.support_access.audit", inventory=crusoe.inventory, args=("-i", cw_fleet.inventory),
                               forks=6, env=env, limit="all:!%s" % ACTIVE,
                               extra_vars={"support_access_report_dir": str(reports), "support_access_fail_on_findings": True})
        assert res.rc != 0  # noncompliant clusters fail the run with fail_on_findings
        assert res.changed == 0, res.recap
        assert crusoe.crusoe_writes() == [] and crusoe.kube_writes() == {}
        assert cw_fleet.writes() == [] and cw_fleet.kube_writes() == {}
        doc, clusters = report(reports)
        assert {n: (c["provider"], c["verdict"], codes(c)) for n, c in clusters.items()} == {
            "crusoe-train": ("crusoe", "compliant", []),
            "crusoe-idle": ("crusoe", "noncompliant", ["support-bindings-without-access"]),
            COMPLIANT: ("coreweave", "compliant", []),
            BROAD: ("coreweave", "noncompliant", ["viewer-can-exec", "viewer-can-read-secrets"]),
            UNFORWARDED: ("coreweave", "noncompliant", ["audit-log-not-forwarded"]),
        }
        assert doc["summary"]["providers"] == {"crusoe": 2, "coreweave": 3}
        # a Crusoe cluster has no coreweave section and keeps its provider API, chart and firewall facts
        train = clusters["crusoe-train"]
        assert train["coreweave"] is None and train["not_applicable"] == []
        assert train["api"]["access_enabled"] is True and train["chart"]["installed"] is True and train["firewall"]
        markdown = (reports / "latest-audit.md").read_text()
        section = markdown.split("## CoreWeave")[1].split("\n## ")[0]
        assert COMPLIANT in section and "crusoe-train" not in section
    finally:
        crusoe.stop()
