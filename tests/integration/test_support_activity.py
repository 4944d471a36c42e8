# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_activity through real ansible-playbook on a generated log set with planted events.

The log set (tests/sim/activity_logs.py): an approved request with actions inside and outside its window (and exactly
at its edges), a denied request followed by activity, an approval that is too long and by someone not allowed, a
request that expired unanswered, an exec by a Crusoe support identity after revocation, Secrets read, and malformed
lines; the Kubernetes audit log is gzip-compressed under a name without .gz. The module must report exactly the
planted findings.
"""

from __future__ import annotations

import json
import os

import pytest

from sim import activity_logs as gen


def playbook(params, name="activity"):
    lines = ["- hosts: localhost", "  gather_facts: false", "  tasks:", "    - name: %s" % name,
             "      neocloud.support_access.support_activity:"]
    for key, value in params.items():
        lines.append("        %s: %s" % (key, json.dumps(value)))
    return "\n".join(lines) + "\n"


@pytest.fixture
def logs(tmp_path):
    """The planted log set, with the audit log gzip-compressed but named .jsonl."""
    directory = tmp_path / "logs"
    manifest = gen.generate(str(directory), lines=5000, compress=True, seed=5)
    disguised = os.path.join(str(directory), "kube-audit.jsonl")
    os.rename(manifest["files"]["kube"], disguised)
    manifest["files"]["kube"] = disguised
    return manifest


def findings(result):
    return sorted([f["code"], f["user"], f["count"]] for f in result["findings"])


def test_reports_exactly_the_planted_findings(ansible_playbook, logs, tmp_path):
    dest = str(tmp_path / "activity.json")
    params = dict(logs["options"], paths=[logs["dir"]], dest=dest)
    res = ansible_playbook(playbook(params))
    assert res.rc == 0, res.stdout + res.stderr
    out = res.result("activity")["result"]
    assert findings(out) == logs["expected_findings"]
    assert out["changed"] is True and out["dest"] == dest

    severity = {f["code"]: f["severity"] for f in out["findings"]}
    assert severity["activity-after-revocation"] == severity["activity-outside-window"] == "high"
    assert severity["request-expired"] == "info"
    revoked = [f for f in out["findings"] if f["code"] == "activity-after-revocation"][0]
    assert revoked["user"] == gen.EVE and revoked["examples"][0]["subresource"] == "exec"
    assert revoked["examples"][0]["name"] == "node-shell-4f2a" and revoked["cluster"] == gen.CLUSTER

    files = {os.path.basename(f["path"]): f for f in out["files"]}
    kube = files["kube-audit.jsonl"]
    assert kube["compression"] == "gzip" and kube["error"] is None
    assert {k: v for k, v in kube["skipped_reasons"].items() if v} == logs["malformed"]["kube"]
    assert kube["lines"] == logs["kube_lines"] == kube["parsed"] + kube["blank"] + kube["skipped"]
    assert files["teleport-audit.jsonl"]["skipped"] == sum(logs["malformed"]["teleport"].values())

    cluster = out["clusters"][gen.CLUSTER]
    assert cluster["support_actions"] == logs["background_support_actions"] + logs["planted_support_actions"]
    assert cluster["exec"] == 2 and cluster["secrets_read"] == 1 and cluster["failed_requests"] == 1
    assert cluster["revoked_at"] == "2026-03-02T04:00:00Z"
    requests = {r["id"]: r for r in out["access_requests"]}
    assert requests["r1-alice"]["approved_by"] == gen.APPROVER and requests["r2-bob"]["state"] == "DENIED"
    assert requests["r3-carol"]["approved_by"] == gen.ROGUE_APPROVER and requests["r4-dave"]["state"] == "EXPIRED"

    with open(dest, encoding="utf-8") as handle:
        report = json.load(handle)
    assert findings(report) == logs["expected_findings"] and report["summary"] == out["summary"]

    again = ansible_playbook(playbook(params))
    assert again.rc == 0 and again.result("activity")["result"]["changed"] is False


def test_report_inside_the_log_directory_is_not_read_back(ansible_playbook, logs):
    dest = os.path.join(logs["dir"], "activity-report.json")
    params = dict(logs["options"], paths=[logs["dir"]], dest=dest)
    first = ansible_playbook(playbook(params))
    second = ansible_playbook(playbook(params))
    assert first.rc == 0 and second.rc == 0, second.stdout
    out = second.result("activity")["result"]
    assert out["changed"] is False and findings(out) == logs["expected_findings"]
    assert sorted(os.path.basename(f["path"]) for f in out["files"]) == ["kube-audit.jsonl", "teleport-audit.jsonl"]


def test_check_mode_writes_nothing(ansible_playbook, logs, tmp_path):
    dest = tmp_path / "check.json"
    res = ansible_playbook(playbook(dict(logs["options"], paths=[logs["dir"]], dest=str(dest))), check=True)
    assert res.rc == 0, res.stdout
    out = res.result("activity")["result"]
    assert out["changed"] is True and not dest.exists()
    assert findings(out) == logs["expected_findings"]


def test_revocation_from_lease_records(ansible_playbook, logs):
    """A closed lease gives the revocation time; its window [enabled_at, closed_at) covers nothing planted."""
    lease = {"cluster": gen.CLUSTER, "ticket": "ZD-1", "enabled_at": "2026-03-01T08:00:00Z",
             "expires_at": "2026-03-01T16:00:00Z", "state": "closed", "closed_at": "2026-03-01T09:00:00Z"}
    options = dict(logs["options"])
    options.pop("revoked_at")
    res = ansible_playbook(playbook(dict(options, paths=[logs["dir"]], leases=[lease])))
    assert res.rc == 0, res.stdout
    out = res.result("activity")["result"]
    assert out["clusters"][gen.CLUSTER]["revoked_at"] == "2026-03-01T09:00:00Z"
    got = findings(out)
    # after 09:00 every uncovered action is after the revocation, the denial included
    assert ["activity-after-revocation", gen.BOB, 1] in got and ["activity-after-revocation", gen.ALICE, 2] in got
    assert not [f for f in got if f[0] in ("activity-outside-window", "activity-after-denial")]


@pytest.mark.parametrize("params,message", [
    ({"paths": ["/nonexistent/*.log"]}, "names no readable log file"),
    ({"max_approval": "forever"}, "max_approval"),
    ({"revoked_at": {"cks-prod": "soon"}}, "revoked_at[cks-prod]"),
    ({"max_examples": -1}, "max_examples"),
])
def test_invalid_options_fail_clearly(ansible_playbook, logs, params, message):
    res = ansible_playbook(playbook(dict({"paths": [logs["dir"]]}, **params)))
    assert res.rc != 0
    event = res.result("activity")
    assert event["status"] == "failed" and message in event["result"]["msg"]
    assert event["result"]["msg"].startswith("invalid option: ")
