# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_access_report in-process: the JSON it prints, its exit code and the files it leaves."""

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.neocloud.support_access.plugins.modules import support_access_report

OK = {"cluster": "ok", "provider": "crusoe", "checked_at": "2026-11-22T09:00:00Z", "reachable": True,
      "api": {"access_enabled": False, "roles": [], "active_requests": []}, "rbac": {"bindings": []}, "lease": {"status": "none"},
      "chart": {"installed": False}, "pods": {"confirmed": [], "suspicious": []}}
BAD = dict(OK, cluster="bad", api={"access_enabled": True, "roles": ["readonly"], "active_requests": []})
FILES = ("support-access-report.json", "support-access-report.md", "support-access-report.html", "support-access-report.junit.xml")


def run_module(args, capsys, check_mode=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_remote_tmp="/tmp", _ansible_keep_remote_files=False)
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
    basic._ANSIBLE_PROFILE = "legacy"  # pylint: disable=protected-access
    with pytest.raises(SystemExit) as exit_info:
        support_access_report.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_check_mode_writes_nothing(tmp_path, capsys):
    dest = tmp_path / "out"
    code, out = run_module({"reports": [OK], "dest": str(dest)}, capsys, check_mode=True)
    assert code == 0 and out["changed"] is True and out["msg"].startswith("would write")
    assert not dest.exists()
    assert out["files"]["html"] == str(dest / "support-access-report.html")


def test_writes_all_formats_then_is_idempotent(tmp_path, capsys):
    code, out = run_module({"reports": [OK, BAD], "dest": str(tmp_path)}, capsys)
    assert code == 0 and out["changed"] is True
    assert sorted(os.listdir(tmp_path)) == sorted(FILES)
    assert out["summary"]["noncompliant"] == ["bad"] and out["summary"]["verdicts"]["compliant"] == 1
    before = {name: (tmp_path / name).read_bytes() for name in FILES}
    code, again = run_module({"reports": [OK, BAD], "dest": str(tmp_path)}, capsys)
    assert code == 0 and again["changed"] is False and again["generated_at"] == out["generated_at"]
    assert {name: (tmp_path / name).read_bytes() for name in FILES} == before
    code, changed = run_module({"reports": [OK], "dest": str(tmp_path)}, capsys, check_mode=True)
    assert changed["changed"] is True and {name: (tmp_path / name).read_bytes() for name in FILES} == before


def test_formats_and_basename(tmp_path, capsys):
    code, out = run_module({"reports": [OK], "dest": str(tmp_path), "formats": ["junit"], "basename": "slice-1"}, capsys)
    assert code == 0 and os.listdir(tmp_path) == ["slice-1.junit.xml"] and list(out["files"]) == ["junit"]
    code, out = run_module({"reports": [OK], "dest": str(tmp_path), "basename": "../x"}, capsys)
    assert code == 1 and "basename" in out["msg"]


def test_fail_on_findings_fails_after_writing(tmp_path, capsys):
    code, out = run_module({"reports": [OK], "dest": str(tmp_path), "fail_on_findings": True}, capsys)
    assert code == 0
    code, out = run_module({"reports": [OK, BAD], "dest": str(tmp_path), "fail_on_findings": True}, capsys)
    assert code == 1 and out["failed"] is True
    assert out["msg"] == "support access policy failed on 1 cluster(s) (noncompliant: bad); report in %s" % tmp_path
    doc = json.loads((tmp_path / FILES[0]).read_text())
    assert [c["cluster"] for c in doc["clusters"]] == ["bad", "ok"]


def test_policy_reevaluates_and_bad_policy_fails(tmp_path, capsys):
    fact = dict(BAD, findings=[], verdict="compliant")
    code, out = run_module({"reports": [fact], "dest": str(tmp_path)}, capsys)
    assert out["summary"]["verdicts"]["compliant"] == 1  # the fact's verdict is kept without a policy
    code, out = run_module({"reports": [fact], "dest": str(tmp_path), "policy": {"require_lease": True}}, capsys)
    assert out["summary"]["noncompliant"] == ["bad"]
    code, out = run_module({"reports": [fact], "dest": str(tmp_path), "policy": {"max_lease": "soon"}}, capsys)
    assert code == 1 and "max_lease" in out["msg"]


def test_sources_merge_slices(tmp_path, capsys):
    run_module({"reports": [OK], "dest": str(tmp_path), "basename": "slice-1", "formats": ["json"]}, capsys)
    later = dict(OK, checked_at="2026-11-22T10:00:00Z", api={"access_enabled": True, "roles": [], "active_requests": []})
    run_module({"reports": [later, BAD], "dest": str(tmp_path), "basename": "slice-2", "formats": ["json"]}, capsys)
    code, out = run_module({"sources": [str(tmp_path / "slice-*.json")], "dest": str(tmp_path / "fleet")}, capsys)
    assert code == 0
    clusters = {c["cluster"]: c for c in out["clusters"]}
    assert sorted(clusters) == ["bad", "ok"] and clusters["ok"]["checked_at"] == "2026-11-22T10:00:00Z"
    assert out["summary"]["clusters"] == 2


def test_sources_that_match_nothing_or_are_not_json_fail(tmp_path, capsys):
    code, out = run_module({"sources": [str(tmp_path / "none-*.json")], "dest": str(tmp_path)}, capsys)
    assert code == 1 and out["msg"] == "sources: %s matches no report file" % (tmp_path / "none-*.json")
    (tmp_path / "junk.json").write_text("{not json")
    code, out = run_module({"sources": [str(tmp_path / "junk.json")], "dest": str(tmp_path)}, capsys)
    assert code == 1 and "cannot read report" in out["msg"]


def test_one_set_of_files_per_run_and_the_latest_of_each_playbook(tmp_path, capsys):
    code, first = run_module({"reports": [OK, BAD], "dest": str(tmp_path), "playbook": "audit"}, capsys)
    assert code == 0 and first["playbook"] == "audit" and first["dry_run"] is False
    stamp = first["generated_at"].replace("-", "").replace(":", "")
    assert first["files"]["json"] == str(tmp_path / ("%s-audit.json" % stamp))
    assert first["latest"]["html"] == str(tmp_path / "latest-audit.html")
    assert sorted(os.listdir(tmp_path)) == sorted(["%s-audit%s" % (stamp, e) for e in (".json", ".md", ".html", ".junit.xml")]
                                                  + ["latest-audit%s" % e for e in (".json", ".md", ".html", ".junit.xml")])
    assert (tmp_path / "latest-audit.json").read_bytes() == (tmp_path / ("%s-audit.json" % stamp)).read_bytes()
    doc = json.loads((tmp_path / "latest-audit.json").read_text())
    assert doc["playbook"] == "audit" and doc["check_mode"] is False

    # a one-cluster enable afterwards keeps the fleet audit: its own files and latest-enable.*
    code, enable = run_module({"reports": [OK], "dest": str(tmp_path), "playbook": "enable"}, capsys)
    assert code == 0 and os.path.exists(enable["latest"]["json"])
    assert json.loads((tmp_path / "latest-audit.json").read_text())["summary"]["clusters"] == 2
    assert json.loads((tmp_path / "latest-enable.json").read_text())["summary"]["clusters"] == 1

    # an explicit basename (an AWX slice: part of the fleet) is kept and leaves the latest- files alone
    code, sliced = run_module({"reports": [OK], "dest": str(tmp_path), "playbook": "audit", "basename": "slice-1"}, capsys)
    assert sliced["files"]["json"] == str(tmp_path / "slice-1.json") and sliced["latest"] == {}
    assert json.loads((tmp_path / "latest-audit.json").read_text())["summary"]["clusters"] == 2
    code, bad = run_module({"reports": [OK], "dest": str(tmp_path), "playbook": "../audit"}, capsys)
    assert code == 1 and bad["msg"].startswith("playbook: ")


def test_dry_run_report_says_so_and_judges_what_a_revoke_would_do(tmp_path, capsys):
    revoke = dict(BAD, playbook="revoke", check_mode=True, verdict="")
    code, out = run_module({"reports": [revoke, dict(OK, playbook="revoke", check_mode=True)], "dest": str(tmp_path),
                            "playbook": "revoke", "dry_run": True}, capsys)
    assert code == 0 and out["dry_run"] is True
    verdicts = {c["cluster"]: c["verdict"] for c in out["clusters"]}
    assert verdicts == {"bad": "would_revoke", "ok": "revoked"}
    assert out["summary"]["verdicts"]["would_revoke"] == 1 and out["summary"]["not_revoked"] == []
    assert out["summary"]["open"] == ["bad"] and out["summary"]["would_revoke"] == ["bad"]
    doc = json.loads((tmp_path / "latest-revoke.json").read_text())
    assert doc["check_mode"] is True
    for ext in (".md", ".html"):
        text = (tmp_path / ("latest-revoke" + ext)).read_text()
        assert "DRY RUN" in text and "not revoked" not in text.lower().replace("not_revoked", ""), ext
