# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make demo (tools/demo.py): a seeded fleet audited, revoked and audited again with the real playbooks."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "tools", "demo.py")
RUNS = ("01-audit-before", "02-revoke", "03-audit-after")
FORMATS = (".json", ".md", ".html", ".junit.xml", ".log")
# The demo's CoreWeave clusters (--coreweave 3): verdict and findings, the same before and after the Crusoe revoke.
COREWEAVE = {"cks-train": ("compliant", []), "cks-infer": ("noncompliant", ["viewer-can-exec", "viewer-can-read-secrets"]),
             "cks-research": ("noncompliant", ["audit-log-not-forwarded"])}


def load_demo():
    spec = importlib.util.spec_from_file_location("neocloud_demo", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_demo(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "tests"), os.path.join(ROOT, ".cache", "collections")]))
    env.pop("ANSIBLE_CONFIG", None)
    return subprocess.run([sys.executable, DEMO, "--reports-dir", str(tmp_path / "reports")] + list(args),
                          capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=1800, check=False)


def clusters(tmp_path, basename):
    with open(str(tmp_path / "reports" / (basename + ".json")), encoding="utf-8") as handle:
        return {c["cluster"]: c for c in json.load(handle)["clusters"]}


def test_demo_revokes_every_reachable_cluster_and_names_the_unreachable_one(tmp_path):
    proc = run_demo(tmp_path, "--clusters", "6", "--forks", "6")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for basename in RUNS:
        for ext in FORMATS:
            assert (tmp_path / "reports" / (basename + ext)).stat().st_size > 0, basename + ext

    before, revoke, after = (clusters(tmp_path, b) for b in RUNS)
    # the audits cover the CoreWeave clusters too, the revoke only the Crusoe fleet
    for name, expected in COREWEAVE.items():
        for doc in (before, after):
            cluster = doc.pop(name)
            assert cluster["provider"] == "coreweave" and cluster["api"] is None and cluster["chart"] is None
            assert (cluster["verdict"], sorted(f["code"] for f in cluster["findings"])) == expected, cluster
            assert cluster["coreweave"]["telemetry"]["audit_logs_forwarded"] is (name != "cks-research")
    assert not set(COREWEAVE) & set(revoke)
    assert sorted(before) == sorted(revoke) == sorted(after) and len(after) == 6
    down = [name for name, c in after.items() if not c["reachable"]]
    assert len(down) == 1, after
    down = down[0]
    assert before[down]["verdict"] == revoke[down]["verdict"] == after[down]["verdict"] == "unreachable"
    # the fleet had something to revoke, every reachable cluster was revoked and audits compliant afterwards
    assert {c["verdict"] for n, c in before.items() if n != down} == {"compliant", "noncompliant"}
    assert any(c["api"]["access_enabled"] for n, c in before.items() if n != down)
    for name in after:
        if name != down:
            assert revoke[name]["verdict"] == "revoked", revoke[name]
            assert after[name]["verdict"] == "compliant" and after[name]["findings"] == [], after[name]
            assert after[name]["api"]["access_enabled"] is False and after[name]["chart"]["installed"] is False
            assert after[name]["rbac"]["bindings"] == [] and after[name]["pods"]["confirmed"] == []

    out = proc.stdout
    assert "Still open after the revoke: %s" % down in out
    assert "Unreachable (expected, its Kubernetes API was made unreachable): %s" % down in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()[:1] and
             line.split()[0] in ("compliant", "noncompliant", "revoked", "unreachable")}
    # compliant afterwards: the five reachable Crusoe clusters and cks-train; cks-infer and cks-research stay noncompliant
    assert table["compliant"][2] == "6" and table["revoked"][1] == "5" and table["unreachable"] == ["1", "1", "1"]
    assert table["noncompliant"][2] == "2"
    assert "audit logs NOT forwarded" in out and "viewer-can-exec" in out
    markdown = (tmp_path / "reports" / "03-audit-after.md").read_text()
    assert "## CoreWeave" in markdown and "cks-research" in markdown.split("## CoreWeave")[1]
    assert "Simulators stopped" in out


def test_demo_refuses_a_fleet_too_small_for_its_scenarios(tmp_path):
    proc = run_demo(tmp_path, "--clusters", "3")
    assert proc.returncode == 1
    assert "--clusters must be at least 6" in proc.stderr


def test_demo_fails_when_a_reachable_cluster_is_not_revoked():
    demo = load_demo()
    doc = {"clusters": [{"cluster": "a", "verdict": "revoked"}, {"cluster": "b", "verdict": "not_revoked", "error": "chart left"},
                        {"cluster": "down", "verdict": "unreachable"}]}
    problems = demo.check_run("02-revoke", 2, ["down"], doc, ["a", "b", "down"], "down")
    assert problems == ["02-revoke: b is not_revoked (chart left), expected revoked"]
    # another host failing, or the unreachable one reported otherwise, is unexpected too
    doc["clusters"][1]["verdict"] = "revoked"
    assert demo.check_run("02-revoke", 2, ["down"], doc, ["a", "b", "down"], "down") == []
    assert len(demo.check_run("02-revoke", 2, ["a", "down"], doc, ["a", "b", "down"], "down")) == 1
    doc["clusters"][2]["verdict"] = "error"
    assert demo.check_run("02-revoke", 2, ["down"], doc, ["a", "b", "down"], "down") == [
        "02-revoke: down is error, expected unreachable"]
