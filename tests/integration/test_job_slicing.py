# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWX job slicing: the audit playbook run as three slices over a simulated fleet of six clusters, each slice limited
to its hosts as AWX does it (hosts in name order, dealt round-robin) and writing its own report under
``slice-{{ awx_job_id }}``, then report_merge joins the slices into one fleet report."""

from __future__ import annotations

import concurrent.futures
import json
import os

import pytest

from conftest import PlaybookRunner
from sim.fleet import build_fleet

SLICES = 3
# The default seed mix of build_fleet(6): cluster -> (verdict, finding codes) under the default policy.
EXPECTED = {
    "training-prod": ("compliant", []),
    "inference": ("noncompliant", ["lease-expired-access-open"]),
    "research-a": ("noncompliant", ["firewall-admits-support-vpn", "support-access-without-lease"]),
    "batch-eu": ("compliant", []),
    "notebooks": ("noncompliant", ["support-bindings-without-access"]),
    "staging": ("noncompliant", ["diagnostic-pods-present"]),
}


@pytest.fixture(scope="module")
def fleet(kube_emulator, tmp_path_factory):
    built = build_fleet(6, emulator=kube_emulator, workdir=str(tmp_path_factory.mktemp("slicing-fleet")))
    try:
        yield built
    finally:
        built.stop()


def awx_slices(hosts, count):
    """The hosts of each slice of a sliced AWX job: the inventory's hosts by name, dealt round-robin."""
    ordered = sorted(hosts)
    return [ordered[number::count] for number in range(count)]


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def test_sliced_audit_merges_into_one_fleet_report(ansible_playbook, fleet, tmp_path):
    assert sorted(fleet.names) == sorted(EXPECTED)
    shared = tmp_path / "shared-reports"
    slices = awx_slices(fleet.names, SLICES)
    assert sorted(sum(slices, [])) == sorted(fleet.names) and all(slices)

    def run_slice(number, hosts):
        job_id = 100 + number
        extra = {
            # what AWX injects into every job, and what the job template sets (see docs/awx/setup_job_templates.yml)
            "awx_job_id": job_id, "tower_job_id": job_id, "awx_workflow_job_id": 100,
            "support_access_report_dir": str(shared),
            "support_access_report_basename": "slice-{{ awx_job_id }}",
            "support_access_report_formats": ["json"],
        }
        workdir = tmp_path / ("slice-%d" % number)
        workdir.mkdir()
        return job_id, hosts, PlaybookRunner(workdir)(
            "neocloud.support_access.audit", inventory=fleet.inventory, extra_vars=extra, limit=",".join(hosts),
            env=fleet.env(), forks=2)

    # AWX runs the slices of a sliced job at the same time, each in its own process
    with concurrent.futures.ThreadPoolExecutor(max_workers=SLICES) as pool:
        runs = list(pool.map(run_slice, range(1, SLICES + 1), slices))
    for job_id, hosts, res in runs:
        assert res.rc == 0, res.stdout + res.stderr
        assert set(hosts) <= set(res.recap) <= set(hosts) | {"localhost"}, res.recap
        own = load(str(shared / ("slice-%d.json" % job_id)))
        assert sorted(c["cluster"] for c in own["clusters"]) == sorted(hosts)

    assert sorted(os.listdir(str(shared))) == ["slice-101.json", "slice-102.json", "slice-103.json"]
    assert fleet.crusoe_writes() == [] and fleet.kube_writes() == {}

    merged_dir = tmp_path / "fleet-report"
    res = ansible_playbook("neocloud.support_access.report_merge", extra_vars={
        "support_access_report_sources": [str(shared / "slice-*.json")],
        "support_access_report_dir": str(merged_dir), "support_access_report_basename": "fleet",
        "support_access_fail_on_findings": False})
    assert res.rc == 0, res.stdout + res.stderr
    doc = load(str(merged_dir / "fleet.json"))
    names = [c["cluster"] for c in doc["clusters"]]
    assert sorted(names) == sorted(EXPECTED) and len(names) == len(set(names)) == 6
    for cluster in doc["clusters"]:
        verdict, codes = EXPECTED[cluster["cluster"]]
        assert (cluster["verdict"], sorted(f["code"] for f in cluster["findings"])) == (verdict, codes), cluster
        assert cluster["playbook"] == "audit"
    summary = doc["summary"]
    assert summary["clusters"] == 6
    assert summary["verdicts"]["compliant"] == 2 and summary["verdicts"]["noncompliant"] == 4
    assert summary["ok"] is False
    assert sorted(summary["failed"]) == sorted(n for n, expected in EXPECTED.items() if expected[0] != "compliant")
    published = [e["result"]["ansible_stats"]["data"] for e in res.results() if "ansible_stats" in (e.get("result") or {})]
    assert len(published) == 1 and published[0]["support_access"]["clusters"] == 6

    # as a gate: the merged report fails the workflow when a cluster breaks the policy
    res = ansible_playbook("neocloud.support_access.report_merge", extra_vars={
        "support_access_report_sources": [str(shared / "slice-*.json")],
        "support_access_report_dir": str(merged_dir), "support_access_report_basename": "fleet",
        "support_access_fail_on_findings": True})
    assert res.rc != 0
    assert "staging" in res.result("Fail the run when a cluster breaks the policy (support_access_fail_on_findings)")["result"]["msg"]
