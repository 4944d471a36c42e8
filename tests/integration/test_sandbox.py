# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make sandbox (tools/sandbox.py): the README's commands, run as written after ``source env.sh``, against a sandbox
that stays up until SIGINT."""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANDBOX = os.path.join(ROOT, "tools", "sandbox.py")
README = os.path.join(ROOT, "README.md")
BIN = os.path.dirname(os.path.abspath(sys.executable))
# 6 Crusoe clusters: sandbox's scenario order (training-prod clean, ...), the unleased one made unreachable
SCENARIOS = {"training-prod": "clean", "inference": "engaged", "finetune": "expired", "notebooks": "unleased",
             "training-eu": "dormant", "inference-canary": "diagnostic"}
DOWN = "notebooks"
WRITES_SETTLE = 1.0  # the sandbox appends to writes.log every 0.5 s


def readme_commands():
    """The commands for the fleet inventory in README.md's fenced blocks, ``\\`` continuations joined into one line."""
    commands, fenced, pending = [], False, None
    with open(README, encoding="utf-8") as handle:
        for line in handle.read().splitlines():
            if line.startswith("```"):
                fenced = not fenced
                continue
            if not fenced:
                continue
            if pending is not None:
                pending += " " + line.strip()
            elif line.startswith(("ansible-playbook -i fleet.crusoe.yml", "ansible-inventory -i fleet.crusoe.yml")):
                pending = line
            else:
                continue
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip()
            else:
                commands.append(pending)
                pending = None
    return commands


class Sandbox:
    """tools/sandbox.py as a subprocess; its output collected by a thread."""

    def __init__(self, tmp_path, *args):
        self.dir = str(tmp_path / "sandbox")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "tests"), os.path.join(ROOT, ".cache", "collections")]))
        env.pop("ANSIBLE_CONFIG", None)
        self.proc = subprocess.Popen([sys.executable, SANDBOX, "--dir", self.dir] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env, cwd=str(tmp_path))
        self.lines, self.ready = [], threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("Sandbox ready"):
                self.ready.set()
        self.ready.set()

    @property
    def output(self):
        return "".join(self.lines)

    def run(self, command):
        """``source env.sh && command`` in the sandbox directory, from an environment without the venv or ansible's
        settings (as a new user's shell)."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ANSIBLE_", "CRUSOE_", "COREWEAVE_", "HELM_")) and k not in ("KUBECONFIG", "PYTHONPATH")}
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if os.path.abspath(p or ".") != BIN)
        env["PWD"] = self.dir
        started = time.time()
        proc = subprocess.run(["bash", "-c", "source env.sh && " + command], cwd=self.dir, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        return proc, started

    def writes(self):
        time.sleep(WRITES_SETTLE)
        with open(os.path.join(self.dir, "writes.log"), encoding="utf-8") as handle:
            return [line for line in handle.read().splitlines() if not line.startswith("#")]

    def report(self, playbook, since):
        """The JSON report the run wrote: reports/latest-<playbook>.json (or support-access-report.json, the name before
        per-run reports), written since ``since``."""
        paths = [p for p in glob.glob(os.path.join(self.dir, "reports", "*.json"))
                 if os.path.basename(p) in ("latest-%s.json" % playbook, "support-access-report.json")
                 and os.path.getmtime(p) >= since - 1]
        assert paths, "no JSON report of %s in %s: %s" % (playbook, self.dir, os.listdir(os.path.join(self.dir, "reports")))
        with open(max(paths, key=os.path.getmtime), encoding="utf-8") as handle:
            doc = json.load(handle)
        assert doc["playbook"] == playbook
        return doc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def verdicts(doc):
    return {c["cluster"]: c["verdict"] for c in doc["clusters"]}


def check(proc, rc):
    assert proc.returncode == rc, "exit %d, expected %d\n%s\n%s" % (proc.returncode, rc, proc.stdout[-6000:], proc.stderr[-3000:])


@pytest.mark.slow
def test_the_readme_commands_work_as_written_against_the_sandbox(tmp_path):
    commands = readme_commands()
    playbooks = [c for c in commands if c.startswith("ansible-playbook")]
    assert len(playbooks) == 8 and any(c.startswith("ansible-inventory") for c in commands), commands
    sandbox = Sandbox(tmp_path, "--clusters", "6", "--coreweave", "2")
    try:
        assert sandbox.ready.wait(300) and sandbox.proc.poll() is None, sandbox.output
        out = sandbox.output
        assert "training-prod (clean)" in out and "%s (unleased, unreachable)" % DOWN in out, out
        assert "cks-train (compliant), cks-infer (broad-viewer)" in out, out
        # it shows the README's commands, as written, after the cd and source
        assert "  cd sandbox && source env.sh\n" in out, out  # the directory as given, relative to where it started
        shown = " ".join(out.replace("\\\n", " ").split())
        for command in commands:
            assert " ".join(command.split(" #")[0].split()) in shown, command
        with open(os.path.join(sandbox.dir, "group_vars", "all.yml"), encoding="utf-8") as handle:
            assert "support_access_chart_repo_url: \"http://127.0.0.1:" in handle.read()
        with open(os.path.join(sandbox.dir, "ansible.cfg"), encoding="utf-8") as handle:
            cfg = handle.read()
        assert "fleet.crusoe.yml,%s" % os.path.join(sandbox.dir, "fleet.coreweave.yml") in cfg
        assert "stdout_callback = neocloud.support_access.fleet" in cfg

        seen, written = set(), sandbox.writes()
        for command in commands:
            words = command.split()
            playbook = words[3].rsplit(".", 1)[-1] if words[0] == "ansible-playbook" else None
            key = (playbook, "--check" in words, "support_access_fail_on_findings=true" in words)
            assert key not in seen, "two README commands of the same kind: %s" % command
            seen.add(key)
            proc, started = sandbox.run(command)
            new_writes = sandbox.writes()[len(written):]
            written += new_writes
            if playbook is None:
                check(proc, 0)  # ansible-inventory --graph
                assert new_writes == []
                for name in SCENARIOS:
                    assert "|--" + name in proc.stdout, proc.stdout
                assert "@crusoe_ml:" in proc.stdout and "@crusoe_research:" in proc.stdout, proc.stdout
                continue
            doc = sandbox.report(playbook, started)
            if playbook == "audit":
                # the unreachable cluster fails the run (and with the CI gate the noncompliant ones too); nothing written
                check(proc, 2)
                assert sorted(verdicts(doc)) == sorted(SCENARIOS) and verdicts(doc)[DOWN] == "unreachable", doc["summary"]
                assert "noncompliant" in verdicts(doc).values(), verdicts(doc)
                assert new_writes == []
            elif playbook == "enable":
                check(proc, 0)
                assert verdicts(doc) == {"training-prod": "compliant"}
                cluster = doc["clusters"][0]
                assert cluster["api"]["access_enabled"] and sorted(cluster["api"]["roles"]) == ["operator", "readonly"]
                assert cluster["lease"]["ticket"] == "ZD-1234" and cluster["lease"]["status"] == "active"
                assert cluster["chart"]["installed"], cluster["chart"]
                assert new_writes and all(" training-prod " in w for w in new_writes), new_writes
            elif playbook == "revoke" and "--check" in words:
                check(proc, 2)
                assert doc["check_mode"] is True
                assert new_writes == [], "revoke --check wrote to the simulators:\n" + "\n".join(new_writes)
            elif playbook == "revoke":
                check(proc, 2)  # the unreachable cluster cannot be revoked
                got = verdicts(doc)
                assert got.pop(DOWN) == "unreachable" and set(got.values()) == {"revoked"}, verdicts(doc)
                assert any(" training-prod " in w for w in new_writes), new_writes
            elif playbook in ("expire", "sweep"):
                # after the revoke nothing is left to expire or sweep; the unreachable cluster still fails the run
                check(proc, 2)
                got = verdicts(doc)
                assert got.pop(DOWN) == "unreachable" and sorted(got) == sorted(set(SCENARIOS) - {DOWN}), verdicts(doc)
                assert new_writes == [], new_writes
            elif playbook == "disable":
                check(proc, 0)
                assert list(verdicts(doc)) == ["training-prod"]
                assert doc["clusters"][0]["api"]["access_enabled"] is False
            else:
                raise AssertionError("a README command this test does not know: %s" % command)
        assert {k[0] for k in seen} == {None, "audit", "enable", "revoke", "expire", "sweep", "disable"}, seen

        sandbox.proc.send_signal(signal.SIGINT)
        assert sandbox.proc.wait(timeout=120) == 0, sandbox.output
        sandbox.reader.join(30)
        assert "Simulators stopped (Crusoe API, CoreWeave API, Kubernetes emulator, chart repository)" in sandbox.output
    finally:
        sandbox.kill()


def test_the_sandbox_refuses_a_fleet_too_small_for_its_scenarios(tmp_path):
    sandbox = Sandbox(tmp_path, "--clusters", "3")
    try:
        assert sandbox.proc.wait(timeout=120) == 1
        sandbox.reader.join(30)
        assert "--clusters must be at least 6" in sandbox.output
    finally:
        sandbox.kill()
