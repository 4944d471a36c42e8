# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet stdout callback's words: one line per cluster, the fleet summary, failures once and without source."""

from __future__ import annotations

from ansible_collections.neocloud.support_access.plugins.callback import fleet
from ansible_collections.neocloud.support_access.plugins.module_utils import _report

NOW = "2026-11-22T10:00:00Z"
READ = {"chart": {"installed": False}, "rbac": {"bindings": []}, "pods": {"confirmed": [], "suspicious": []},
        "lease": {"status": "none"}, "api": {"access_enabled": False, "roles": [], "active_requests": []}}


def prepared(**overrides):
    report = dict(READ, cluster="training-prod", provider="crusoe", reachable=True, checked_at=NOW)
    report.update(overrides)
    return _report.prepare([report], None, NOW)[0]


def test_a_compliant_cluster_with_nothing_open():
    assert fleet.cluster_line(prepared()) == ("training-prod", "COMPLIANT", "nothing open")


def test_an_open_cluster_names_its_doors_by_class_and_its_lease():
    report = prepared(api={"access_enabled": True, "roles": ["readonly"], "active_requests": []},
                      chart={"installed": True, "version": "0.2.0"},
                      lease={"status": "active", "ticket": "ZD-1", "expires_at": "2026-11-22T14:00:00Z",
                             "enabled_at": "2026-11-22T08:00:00Z", "roles": ["readonly"]},
                      rbac={"labelled": ["ClusterRole/a", "ClusterRole/b", "ClusterRole/c"], "bindings": []})
    name, verdict, what = fleet.cluster_line(report)
    assert (name, verdict) == ("training-prod", "COMPLIANT")
    assert what == "open: api/support-access, helm/crusoe-support-roles, 3 chart objects; lease ZD-1 active until 2026-11-22T14:00:00Z"


def test_a_noncompliant_cluster_names_its_findings_and_a_suspicious_door():
    pod = {"namespace": "kube-system", "name": "node-shell-abc", "node": "gpu-1", "signals": ["diagnostic_name"]}
    report = prepared(pods={"confirmed": [pod], "suspicious": []})
    name, verdict, what = fleet.cluster_line(report)
    assert verdict == "NONCOMPLIANT" and what == "open: Pod/kube-system/node-shell-abc; findings: diagnostic-pods-present"


def test_a_revoke_says_what_it_did_and_a_dry_run_what_it_would_close():
    done = prepared(playbook="revoke", actions=["disabled support access in the Crusoe API", "closed the lease ZD-1"])
    assert fleet.cluster_line(done) == ("training-prod", "REVOKED",
                                        "disabled support access in the Crusoe API, closed the lease ZD-1")
    dry = prepared(playbook="revoke", check_mode=True, chart={"installed": True},
                   actions=["would have uninstalled the Helm release crusoe-support-roles"])
    name, verdict, what = fleet.cluster_line(dry)
    assert verdict == "WOULD_REVOKE" and what == "would close: helm/crusoe-support-roles"
    assert "NOT" not in what


def test_an_unreachable_cluster_says_why_in_one_line_without_the_source():
    report = prepared(reachable=False, error="step 'scan' failed: connection refused\n\nOrigin: roles/x.yml:3\n  - name: x")
    name, verdict, what = fleet.cluster_line(report)
    assert verdict == "UNREACHABLE" and what.startswith("step 'scan' failed: connection refused")
    assert "Origin" not in what and "\n" not in what


def test_many_actions_are_counted_not_listed():
    report = prepared(playbook="revoke", actions=["disabled support access in the Crusoe API"]
                      + ["deleted ClusterRoleBinding b%d" % i for i in range(18)] + ["deleted ClusterRole crusoe-support-logs"]
                      + ["closed the lease ZD-1"])
    assert fleet.cluster_line(report)[2] == ("disabled support access in the Crusoe API, closed the lease ZD-1, "
                                             "deleted 18 ClusterRoleBindings, deleted ClusterRole crusoe-support-logs")
    report = prepared(playbook="sweep", actions=["deleted diagnostic pod ns/p%d" % i for i in range(8)])
    assert fleet.cluster_line(report)[2] == ", ".join("deleted diagnostic pod ns/p%d" % i for i in range(6)) + " and 2 more"


def test_a_long_error_is_cut_to_one_line():
    report = prepared(playbook="revoke", reachable=False, error="Uninstall the chart failed: refused; " + "x" * 400)
    what = fleet.cluster_line(report)[2]
    assert what.startswith("Uninstall the chart failed: refused; xxx") and what.split(";")[1].endswith("...")
    assert len(what.split("; findings", maxsplit=1)[0]) == 300


def test_the_fleet_summary_names_open_unknown_and_the_files():
    reports = [prepared(), prepared(cluster="inference", api={"access_enabled": True, "roles": ["readonly"], "active_requests": []}),
               prepared(cluster="batch-eu", reachable=False, error="connection refused", rbac=None)]
    doc = _report.build_document(reports, None, NOW, playbook="audit")
    lines = [text for text, _colour in fleet.summary_lines({
        "summary": doc["summary"], "playbook": "audit", "dry_run": False,
        "files": {"json": "/abs/r/x-audit.json", "html": "/abs/r/x-audit.html"},
        "latest": {"html": "/abs/r/latest-audit.html"}})]
    assert lines[0] == "audit: 3 cluster(s): 1 compliant, 1 noncompliant, 1 unreachable"
    assert lines[1] == "  open now (1): inference"
    assert lines[2] == "  unknown, could not be read (1): batch-eu"
    assert lines[3] == "  noncompliant (1): inference"
    assert lines[4] == "  report: /abs/r/x-audit.html (and x-audit.json)" and lines[5] == "  latest: /abs/r/latest-audit.html"


def test_a_dry_run_summary_says_so():
    doc = _report.build_document([prepared(playbook="revoke", check_mode=True, chart={"installed": True})], None, NOW)
    first = fleet.summary_lines({"summary": doc["summary"], "playbook": "revoke", "dry_run": True, "files": {}})[0][0]
    assert first == "revoke (dry run, --check): 1 cluster(s): 1 would_revoke"
