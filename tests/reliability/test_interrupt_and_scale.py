# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reliability: a revocation killed half-way and run again, and fifty clusters installing the chart at once.

- The revoke playbook runs as a real ansible-playbook process over the six-cluster fleet; as soon as the simulators
  log its first Kubernetes write (the chart uninstall, after the Crusoe API was already written) the whole process
  group gets SIGKILL. The fleet is then half-revoked; a second run must revoke and verify every cluster, and both
  simulators must hold nothing support could use.
- The chart role the enable playbook uses (neocloud.support_access.crusoe_support_roles) runs at forks 50 over fifty
  clusters that have no chart: fifty helm installs at the same time against one chart repository, with one helm home.
  Every install must succeed, and no helm repository state may be shared (no repositories.yaml, no `helm repo add`:
  every helm call names the repository URL itself). The rest of enable (Crusoe API, lease) is covered by the fleet
  tests; here only the concurrent installs are under test, which keeps the scenario within the suite's time budget.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from reliability.conftest import load_report, run_playbook
from fleet_state import RBAC, helm_release_secrets, lease_state, node_shell_pods, rule_sources, support_bindings, support_settings
from sim.fleet import NODE_SHELL, SUPPORT_VPN, build_fleet

from ansible_collections.neocloud.support_access.plugins.module_utils import _support

BIN = os.path.dirname(sys.executable)
RACE_CLUSTERS = 50
CHART_VERSION = "0.2.0"


# -------------------------------------------------------------------------------- what the simulators hold
def open_doors(fleet, name):
    """Every way in support still has on one cluster, by name ([] when the cluster is fully closed)."""
    doors = []
    if support_settings(fleet, name)["access_enabled"]:
        doors.append("api")
    if SUPPORT_VPN in rule_sources(fleet, name):
        doors.append("firewall")
    if helm_release_secrets(fleet, name):
        doors.append("chart")
    if support_bindings(fleet, name):
        doors.append("bindings")
    if node_shell_pods(fleet, name):
        doors.append("node-shell")
    if lease_state(fleet, name) not in (None, "closed"):
        doors.append("lease")
    return doors


def fleet_doors(fleet):
    return {name: open_doors(fleet, name) for name in fleet.names}


# -------------------------------------------------------------------------------- a run that can be killed
def _runner_globals(ansible_playbook):
    """tests/conftest.py's helpers (ansible_env, PlaybookResult, _RECAP): that module is not importable by name from
    here, as pytest loads this directory's conftest.py under the same name."""
    return type(ansible_playbook).__call__.__globals__


def start_playbook(ansible_playbook, fleet, playbook, tmp_path, extra, name, forks=6, env=None, nice=0):
    """ansible-playbook neocloud.support_access.<playbook> over the fleet as a process group of its own, in the
    environment the ``ansible_playbook`` fixture gives its runs; output in tmp_path/<name>.log, task results in
    tmp_path/<name>.jsonl. ``nice`` lowers the run's CPU priority (the simulators stand for remote servers with
    CPUs of their own)."""
    extra_vars = {"support_access_report_dir": str(tmp_path / "reports")}
    extra_vars.update(extra)
    target = playbook if os.path.isabs(playbook) else "neocloud.support_access.%s" % playbook
    cmd = [os.path.join(BIN, "ansible-playbook"), target, "-i", fleet.inventory,
           "-e", json.dumps(extra_vars), "--forks", str(forks)]
    if nice:  # relative to this thread's niceness, which the child would inherit
        cmd = ["nice", "-n", str(nice - os.getpriority(os.PRIO_PROCESS, 0))] + cmd
    log = open(str(tmp_path / (name + ".log")), "w", encoding="utf-8")  # pylint: disable=consider-using-with
    run_env = _runner_globals(ansible_playbook)["ansible_env"](tmp_path, env or fleet.env())
    run_env["NEOCLOUD_TEST_RECORD"] = str(tmp_path / (name + ".jsonl"))
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=run_env, cwd=str(tmp_path),  # pylint: disable=consider-using-with
                            start_new_session=True)
    return proc, log


def set_thread_priorities(nice):
    """Set the niceness of every thread of this process (on Linux it is per thread; threads started later inherit
    their starter's). Returns {thread id: niceness before} for restore_thread_priorities()."""
    before = {}
    for tid in (int(t) for t in os.listdir("/proc/self/task")):
        try:
            before[tid] = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, nice)
        except (PermissionError, ProcessLookupError):
            pass
    return before


def restore_thread_priorities(before):
    for tid, nice in before.items():
        try:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
        except (PermissionError, ProcessLookupError):
            pass


def finish_playbook(ansible_playbook, proc, log, tmp_path, name, timeout=1800):
    """Wait for a run of start_playbook() and parse it like the ``ansible_playbook`` fixture does."""
    helpers = _runner_globals(ansible_playbook)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc)
        raise
    finally:
        log.close()
    stdout = (tmp_path / (name + ".log")).read_text()
    recap = {}
    for match in helpers["_RECAP"].finditer(stdout):
        recap[match.group(1)] = dict(zip(("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"),
                                         [int(x) for x in match.groups()[1:]]))
    record = tmp_path / (name + ".jsonl")
    events = [json.loads(line) for line in record.read_text().splitlines() if line.strip()] if record.exists() else []
    return helpers["PlaybookResult"](proc.returncode, stdout, "", recap, events)


def _children():
    """{parent pid: [child pids]} of every process now."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    return children


def process_tree(root):
    """root and every process below it."""
    children, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def running(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_tree(proc):
    """SIGKILL the run and every process it started, as a crash or an OOM kill of the controller would.

    ansible-playbook's workers call setsid(), so killing the playbook's process group alone would leave them (and
    the modules and helm processes under them) running. Every process of the tree is stopped first, so none can
    start another one unseen, then all are killed. Returns the pids killed."""
    stopped = set()
    while True:
        fresh = set(process_tree(proc.pid)) - stopped
        if not fresh:
            break
        for pid in fresh:
            try:
                os.kill(pid, signal.SIGSTOP)
            except ProcessLookupError:
                pass
        stopped |= fresh
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=60)
    return sorted(stopped)


@pytest.mark.slow
def test_revocation_killed_half_way_completes_when_run_again(ansible_playbook, fleet, tmp_path, reliability):
    before = fleet_doors(fleet)
    assert sum(len(d) for d in before.values()) > 0, before
    confirm = {"support_access_confirm": True}

    proc, log = start_playbook(ansible_playbook, fleet, "revoke", tmp_path, confirm, "killed-run")
    try:
        deadline = time.monotonic() + 300
        while not fleet.kube_writes() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        crusoe_writes, kube_writes = len(fleet.crusoe_writes()), sum(len(w) for w in fleet.kube_writes().values())
        still_running = proc.poll() is None
        killed = kill_tree(proc)
    finally:
        log.close()
    output = (tmp_path / "killed-run.log").read_text()
    assert still_running, "the revocation ended before it could be killed:\n" + output
    assert crusoe_writes > 0 and kube_writes > 0, (crusoe_writes, kube_writes, output)
    assert len(killed) > 1  # the playbook and its workers
    deadline = time.monotonic() + 30
    while [p for p in killed if running(p)] and time.monotonic() < deadline:  # every worker, module and helm went down
        time.sleep(0.1)
    assert not [p for p in killed if running(p)]
    assert "PLAY RECAP" not in output

    # half-revoked: some doors of the seeded fleet are closed, others still open
    half = fleet_doors(fleet)
    left = {n: [(s["metadata"]["labels"]["status"], s["metadata"]["labels"]["version"]) for s in helm_release_secrets(fleet, n)]
            for n in fleet.names}
    sys.stdout.write("\nkilled %d processes after %d Crusoe and %d Kubernetes writes; open: %s; helm records: %s\n"
                     % (len(killed), crusoe_writes, kube_writes, half, left))
    assert not (tmp_path / "reports").exists()  # the killed run left no report behind
    opened = {(n, d) for n, doors in before.items() for d in doors}
    still = {(n, d) for n, doors in half.items() for d in doors}
    assert opened & still and opened - still, (before, half)
    assert {("training-prod", "firewall"), ("training-prod", "lease")} <= still  # steps after the chart: not reached
    assert not [w for w in fleet.crusoe_writes() if "firewall" in w["path"]]

    # an audit of the half-revoked fleet sees every release record the killed run left, "uninstalling" ones included
    audit = run_playbook(ansible_playbook, fleet, "audit", tmp_path, {"support_access_report_dir": str(tmp_path / "audit")})
    with open(str(tmp_path / "audit" / "latest-audit.json"), encoding="utf-8") as handle:
        audited = {c["cluster"]: c for c in json.load(handle)["clusters"]}
    assert sorted(audited) == sorted(fleet.names), audit.stdout[-5000:]
    live = ("deployed", "failed", "pending-install", "pending-upgrade", "pending-rollback", "uninstalling")
    for name, records in left.items():
        assert audited[name]["chart"]["installed"] is any(status in live for status, _v in records), (name, records, audited[name])

    # run again: no lease, report or helm record the killed run left behind gets in the way
    fleet.clear_logs()
    res = run_playbook(ansible_playbook, fleet, "revoke", tmp_path, confirm)
    doc, clusters = load_report(tmp_path)
    end = fleet_doors(fleet)
    verified = res.rc == 0 and all(c["verdict"] == "revoked" for c in clusters.values()) and not any(end.values())
    reliability.fault(injected=1, survived=1 if verified else 0)
    assert res.rc == 0, res.stdout
    assert res.failed == 0 and sorted(res.recap) == sorted(fleet.names), res.recap
    assert doc["summary"]["verdicts"]["revoked"] == len(fleet.names)
    assert {c["playbook"] for c in clusters.values()} == {"revoke"}
    assert {n: c["verdict"] for n, c in clusters.items()} == dict.fromkeys(fleet.names, "revoked")
    assert end == dict.fromkeys(fleet.names, [])
    # what the killed run left behind was finished, not skipped: helm records it left mid-uninstall are gone, the
    # leases it never reached are closed (kept as a record, not deleted)
    assert all(helm_release_secrets(fleet, n) == [] for n in fleet.names)
    assert lease_state(fleet, "training-prod") == "closed" and lease_state(fleet, "inference") == "closed"
    assert clusters["training-prod"]["lease"]["status"] == "closed"
    assert NODE_SHELL not in node_shell_pods(fleet, "staging")
    # the rerun finished the job: it wrote the firewall rules the killed run never reached
    assert [w for w in fleet.crusoe_writes() if "firewall" in w["path"]]


# -------------------------------------------------------------------------------- fifty installs at once
INSTALL_CHART = """
- name: Install the support chart on every cluster at once
  hosts: all
  gather_facts: false
  tasks:
    - name: Install the chart
      ansible.builtin.include_role:
        name: neocloud.support_access.crusoe_support_roles
      vars:
        crusoe_support_roles_state: present
        crusoe_support_roles_kubeconfig: "{{ support_access_kubeconfig }}"
        crusoe_support_roles_context: "{{ support_access_context }}"
        crusoe_support_roles_chart_repo_url: "{{ chart_repo_url }}"
        crusoe_support_roles_chart_version: "{{ chart_version }}"
"""

HELM_SHIM = """#!/bin/sh
# Records every helm call of the run (arguments and helm's state directories), then runs the real helm.
printf '%%s\\t%%s\\t%%s\\t%%s\\t%%s\\n' "$*" "${HELM_CONFIG_HOME:-}" "${HELM_CACHE_HOME:-}" "${HELM_REPOSITORY_CONFIG:-}" \
  "${HELM_KUBECONTEXT:-}" >> %(log)s
exec %(helm)s "$@"
"""


@pytest.fixture
def race_fleet(kube_emulator, tmp_path):
    """Fifty clean clusters (no chart yet) on the session emulator, with their own Crusoe simulator and chart repo."""
    names = ["race-%02d" % i for i in range(1, RACE_CLUSTERS + 1)]
    built = build_fleet(RACE_CLUSTERS, seed_mix=["clean"] * RACE_CLUSTERS, emulator=kube_emulator, names=names,
                        workdir=str(tmp_path / "race-fleet"))
    try:
        yield built
    finally:
        built.stop()


def helm_state_files(*roots):
    """Files under the given directories that hold helm repository state shared between runs."""
    found = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                if name.startswith("repositories.") or name.endswith("-index.yaml") or name.endswith("-charts.txt"):
                    found.append(os.path.join(dirpath, name))
    return sorted(found)


def helm_subcommand(argv):
    """The helm command of one recorded call (its first word that is not a flag)."""
    words = [w for w in argv.split() if not w.startswith("-")]
    return words[0] if words else ""


@pytest.mark.slow
@pytest.mark.solo
def test_fifty_clusters_install_the_chart_at_once(ansible_playbook, race_fleet, tmp_path, reliability):
    fleet = race_fleet
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    calls_log = tmp_path / "helm-calls.tsv"
    shim = shim_dir / "helm"
    shim.write_text(HELM_SHIM % {"log": calls_log, "helm": os.path.join(BIN, "helm")})
    shim.chmod(0o755)
    env = fleet.env()
    env["PATH"] = str(shim_dir) + os.pathsep + env["PATH"]
    helm_homes = [env["HELM_CONFIG_HOME"], env["HELM_CACHE_HOME"], env["HELM_DATA_HOME"], os.path.join(env["HOME"], ".config"),
                  os.path.join(env["HOME"], ".cache")]
    assert helm_state_files(*helm_homes) == []
    assert all(helm_release_secrets(fleet, n) == [] for n in fleet.names)

    extra = {"chart_repo_url": fleet.chart_repo.url, "chart_version": CHART_VERSION}
    playbook = tmp_path / "install-chart.yml"
    playbook.write_text(INSTALL_CHART)
    # The simulators stand for fifty remote API servers with CPUs of their own; here they are threads of this
    # process on a shared 2-core machine, next to fifty forks, fifty modules and fifty helm processes. They get the
    # CPU first (the run is niced) so that what is tested is the collection's concurrency, not whether a starved
    # emulator finishes TLS handshakes within helm's 10 s.
    priorities = set_thread_priorities(-5)
    try:
        started = time.monotonic()
        proc, log = start_playbook(ansible_playbook, fleet, str(playbook), tmp_path, extra, "race", forks=RACE_CLUSTERS,
                                   env=env, nice=10)
        res = finish_playbook(ansible_playbook, proc, log, tmp_path, "race")
    finally:
        restore_thread_priorities(priorities)
    elapsed = time.monotonic() - started
    installs = [e for e in res.events if e["task"].endswith("Install the crusoe-support-roles chart")]
    deployed = [n for n in fleet.names
                if [s["metadata"]["labels"]["status"] for s in helm_release_secrets(fleet, n)] == ["deployed"]]
    succeeded = [e["host"] for e in installs if e["status"] in ("ok", "changed") and e["host"] in deployed]
    reliability.fault(injected=len(installs), survived=len(succeeded))
    retried = {e["host"]: (e.get("result") or {}).get("attempts") for e in installs
               if ((e.get("result") or {}).get("attempts") or 1) > 1}
    sys.stdout.write("\n%d clusters, forks %d: chart install took %.1fs; installs tried again after an API server timeout: %s\n"
                     % (RACE_CLUSTERS, RACE_CLUSTERS, elapsed, retried or "none"))

    assert res.rc == 0, res.stdout[-20000:]
    assert sorted(res.recap) == sorted(fleet.names) and res.failed == 0, res.recap
    assert sorted(e["host"] for e in installs) == sorted(fleet.names)
    assert sorted(succeeded) == sorted(fleet.names)

    # every cluster: the release is deployed at the asked version, its RBAC binds the support groups, access is on
    for name in fleet.names:
        secrets = helm_release_secrets(fleet, name)
        assert [s["metadata"]["labels"]["status"] for s in secrets] == ["deployed"], (name, secrets)
        assert secrets[0]["metadata"]["labels"]["name"] == _support.CRUSOE_CHART_RELEASE
        assert sorted(support_bindings(fleet, name)), name
        labelled = [b for b in fleet.kube(name).list(RBAC, "ClusterRoleBinding")
                    if (b["metadata"].get("labels") or {}).get("app.kubernetes.io/instance") == _support.CRUSOE_CHART_RELEASE]
        assert labelled, name
        assert all(b["metadata"]["labels"].get("helm.sh/chart") == "%s-%s" % (_support.CRUSOE_CHART_NAME, CHART_VERSION)
                   for b in labelled), name
    results = [e for e in res.events if e["task"].endswith("Publish the result")]
    assert sorted(e["host"] for e in results) == sorted(fleet.names)

    # the chart repository served the index and the chart to the run
    served = fleet.chart_repo.request_log()
    assert [e for e in served if e["path"].endswith("/index.yaml") and e["status"] == 200]
    chart_gets = [e for e in served if e["path"].endswith("/%s-%s.tgz" % (_support.CRUSOE_CHART_NAME, CHART_VERSION))]
    assert chart_gets and all(e["status"] == 200 for e in chart_gets)
    assert all(e["status"] == 200 for e in served), [e for e in served if e["status"] != 200]

    # no shared helm repository state: no repository added, every chart call names the repository URL itself,
    # and nothing under the run's HOME / HELM_* directories holds a repository list or a named repository's index
    calls = [line.split("\t") for line in calls_log.read_text().splitlines()]
    assert all(c[1] == env["HELM_CONFIG_HOME"] and c[3] == "" for c in calls), calls[:3]
    by_command = {}
    for call in calls:
        by_command.setdefault(helm_subcommand(call[0]), []).append(call[0])
    assert "repo" not in by_command, by_command.get("repo")
    upgrades = [c for c in calls if helm_subcommand(c[0]) in ("upgrade", "install")]
    assert sorted({c[4] for c in upgrades}) == sorted(fleet.names)  # an install for every cluster (one more per retry)
    assert RACE_CLUSTERS <= len(upgrades) <= RACE_CLUSTERS + 2 * len(retried), len(upgrades)
    chart_calls = [c for cmd in ("install", "upgrade", "show", "pull", "template") for c in by_command.get(cmd, [])]
    assert all("--repo=%s" % fleet.chart_repo.url in c.split() for c in chart_calls), chart_calls
    assert not [c for c in chart_calls if [w for w in c.split() if w.endswith("/" + _support.CRUSOE_CHART_NAME)]]
    assert helm_state_files(*helm_homes) == []
    # what the fifty helm processes did share is the download cache: the chart archive, written whole (helm writes
    # it to a temporary file and renames it), byte for byte the one the repository serves
    archive = "%s-%s.tgz" % (_support.CRUSOE_CHART_NAME, CHART_VERSION)
    cached = os.path.join(env["HELM_CACHE_HOME"], "repository")
    assert sorted(os.listdir(cached)) == [archive]
    with open(os.path.join(cached, archive), "rb") as handle:
        assert handle.read() == fleet.chart_repo.package(CHART_VERSION)
