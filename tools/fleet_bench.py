# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark: the audit and revoke playbooks over 10, 50 and 200 emulated clusters, against a scripted procedure.

    PYTHONPATH=tests:.cache/collections .venv/bin/python tools/fleet_bench.py [--sizes 10,50,200] [--forks 25] [--no-script]

One Kubernetes emulator (in this process) holds every cluster; the Crusoe API simulator and the chart repository
are seeded alike (tests/sim/fleet.py, the scenarios in their default order). For each size, on the same seeded fleet,
it first runs the scripted procedure (below) and then real ansible-playbook neocloud.support_access.audit and
neocloud.support_access.revoke -e support_access_confirm=true. It prints per size and run: wall time, seconds per
cluster, module processes, helm executions, processes in all and HTTP requests per cluster, the peak memory, and
the playbook's seconds per cluster divided by the scripted procedure's; at the end the per-cluster figures of every
size side by side and the slope of wall time against fleet size (least squares).

The scripted procedure is what a user without this collection would script from the provider documents' audit reads,
11 processes per cluster, in this order: helm list -n crusoe-system --kube-context CLUSTER; the Crusoe support
settings GET /projects/{project}/kubernetes/clusters/{cluster id}/support/settings as one python -c process (signed
with the collection's CrusoeClient: there is no Crusoe CLI here); kubectl get clusterrolebindings -l
app.kubernetes.io/instance=crusoe-support-roles; kubectl get pods -n NS for each of the eight namespaces of the seed
document's loop. It runs once one cluster after another (script-seq) and once --forks clusters at a time
(script-N: a thread pool, each cluster's commands in order inside its thread). Every command must exit 0.

How processes are counted: for the playbooks, every task result is recorded by the test callback
tests/plugins/callback/record_results; a result (or loop item) that carries ``invocation`` comes from a module that
ran as its own AnsiballZ Python process (controller-side actions such as set_fact, assert, debug, include_role,
set_stats return none). Programs started (helm, kubectl) are counted by a wrapper placed first on PATH that records
each execution and execs the real binary; the scripted procedure runs them through the same wrappers. Processes in
all: module processes + helm + kubectl for a playbook (not the controller's forked workers, about one per task
result, task_results in bench.json, nor the shells that start the modules), the commands started for the scripted
procedure. HTTP requests: the emulator's per-cluster request
logs and the Crusoe simulator's and chart repository's logs, cleared before each run.

Memory: "peak MB" is the ansible-playbook controller's own peak resident set, VmHWM of /proc/self/status read in the
controller at the end of the play by a small callback (bench_maxrss) this script writes next to its wrappers
(ru_maxrss would not do: Linux keeps it across exec, so it would count this benchmark process, which holds every
emulated cluster and forked the controller). "max MB" is ru_maxrss from os.wait4 on the run's process, for the same
reason an upper bound that includes this process's own size at the fork: the largest resident set of a process of
its tree (the process or a descendant it waited for; not a sum). For a playbook that is mostly helm, started by the
helm modules, not the controller; for the scripted procedure it is the largest of its commands (helm too).

The figures go to reports/bench.json. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import signal
import socketserver
import stat
import subprocess
import sys
import tempfile
import time

from sim.fleet import DEFAULT_NAMES, build_fleet
from sim.kube.emulator import Emulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(os.path.abspath(sys.executable))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
CALLBACKS = os.path.join(ROOT, "tests", "plugins", "callback")
WRAPPED = ("helm", "kubectl")
PLAYBOOKS = (("audit", {}), ("revoke", {"support_access_confirm": True}))
# the scripted procedure: the seed document's namespace loop and the Crusoe settings GET as one python process
SCRIPT_NAMESPACES = ("crusoe-system", "kube-system", "nvidia-gpu-operator", "nvidia-network-operator", "kube-amd-gpu",
                     "kube-amd-network", "slinky", "slurm")
CRUSOE_GET = ("import json, os, sys\n"
              "from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import CrusoeClient\n"
              "client = CrusoeClient(os.environ['CRUSOE_API_ENDPOINT'], os.environ['CRUSOE_ACCESS_KEY_ID'],\n"
              "                      os.environ['CRUSOE_SECRET_KEY'])\n"
              "print(json.dumps(client.get(sys.argv[1])))\n")


def quiet_servers(log_path):
    """Connection errors of the simulators' HTTP servers (clients hanging up) go to a log, not the terminal."""
    def handle_error(_server, _request, client_address):
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write("%s %s: %r\n" % (time.strftime("%H:%M:%S"), client_address, sys.exc_info()[1]))
    socketserver.BaseServer.handle_error = handle_error


def write_wrappers(bindir, countdir):
    """helm / kubectl wrappers that record each execution (one line per run) and exec the real program."""
    os.makedirs(bindir, exist_ok=True)
    for name in WRAPPED:
        real = os.path.join(BIN, name)
        if not os.path.exists(real):
            continue
        path = os.path.join(bindir, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write('#!/bin/sh\necho "$1" >> "%s/%s.count"\nexec "%s" "$@"\n' % (countdir, name, real))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def wrapped_counts(countdir):
    """Executions of each wrapped program since the last call, {name: count}; the count files are removed."""
    counts = {}
    for name in WRAPPED:
        path = os.path.join(countdir, "%s.count" % name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                counts[name] = sum(1 for _line in handle)
            os.remove(path)
        else:
            counts[name] = 0
    return counts


def module_runs(record):
    """(AnsiballZ module runs per action, task results in all, in-process runs) from the record_results JSON lines.

    An in-process run is a result whose ``invocation`` says ``in_process``: the collection's action plugin ran the
    module in the controller's forked worker instead of starting a module process (plugin_utils/_in_process)."""
    per_action = collections.Counter()
    results = 0
    in_process = 0
    if not os.path.exists(record):
        return per_action, results, in_process
    with open(record, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            event = json.loads(line)
            results += 1
            result = event.get("result") or {}
            items = result.get("results") if isinstance(result.get("results"), list) else None
            for item in items if items is not None else [result]:
                invocation = item.get("invocation") if isinstance(item, dict) else None
                if isinstance(invocation, dict) and invocation.get("in_process"):
                    in_process += 1
                elif invocation is not None:
                    per_action[event["action"]] += 1
    return per_action, results, in_process


def run_process(cmd, env, cwd=None, out=None):
    """Run cmd to its end: (exit code, its output (None when it goes to the file out), peak RSS in KiB).

    The peak RSS is ru_maxrss from os.wait4: the largest resident set of the process or of a descendant it waited for.
    """
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out or subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        output = proc.stdout.read() if out is None else None
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        if proc.stdout:
            proc.stdout.close()
    # reaped here: Popen must not wait for this pid again (it could be reused by then)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output, usage.ru_maxrss


MAXRSS_CALLBACK = """# written by tools/fleet_bench.py: the controller's own peak RSS (KiB) at the end of the play
import os
import resource

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_maxrss"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_stats(self, stats):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
        with open(os.environ["NEOCLOUD_BENCH_MAXRSS"], "w", encoding="utf-8") as handle:
            handle.write("%d\\n" % peak)
"""


def write_callback(plugdir):
    """The bench_maxrss callback plugin (the controller's peak RSS, VmHWM, into a file)."""
    os.makedirs(plugdir, exist_ok=True)
    with open(os.path.join(plugdir, "bench_maxrss.py"), "w", encoding="utf-8") as handle:
        handle.write(MAXRSS_CALLBACK)


def http_requests(fleet):
    """Requests logged since the last fleet.clear_logs(): {kube_requests, crusoe_requests, chart_repo_requests}."""
    return {"kube_requests": sum(len(fleet.kube(n).request_log()) for n in fleet.names),
            "crusoe_requests": len(fleet.crusoe.request_log()),
            "chart_repo_requests": len(fleet.chart_repo.request_log())}


def run_playbook(fleet, workdir, playbook, extra, forks, wrapbin, countdir, plugdir, label):
    """One ansible-playbook run over the fleet: rc, wall time, verdicts, processes, requests and peak memory."""
    record = os.path.join(workdir, "record-%s.jsonl" % label)
    maxrss_file = os.path.join(workdir, "maxrss-%s" % label)
    log = os.path.join(workdir, "%s.log" % label)
    env = dict(os.environ)
    env.update(fleet.env())
    env.update({
        "PATH": wrapbin + os.pathsep + fleet.env()["PATH"],
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS + os.pathsep + plugdir,
        "ANSIBLE_CALLBACKS_ENABLED": "record_results,bench_maxrss",
        "NEOCLOUD_TEST_RECORD": record,
        "NEOCLOUD_BENCH_MAXRSS": maxrss_file,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
    })
    env.pop("ANSIBLE_CONFIG", None)
    extra_vars = {"support_access_report_dir": os.path.join(workdir, "reports"),
                  "support_access_report_basename": label}
    extra_vars.update(extra)
    cmd = [os.path.join(BIN, "ansible-playbook"), "neocloud.support_access.%s" % playbook, "-i", fleet.inventory,
           "--forks", str(forks), "-e", json.dumps(extra_vars)]
    fleet.clear_logs()
    wrapped_counts(countdir)
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        rc, _output, maxrss = run_process(cmd, env, cwd=workdir, out=out)
    wall = time.monotonic() - started
    with open(os.path.join(workdir, "reports", label + ".json"), encoding="utf-8") as handle:
        verdicts = json.load(handle)["summary"]["verdicts"]
    per_action, results, in_process = module_runs(record)
    controller_kib = None
    if os.path.exists(maxrss_file):
        with open(maxrss_file, encoding="utf-8") as handle:
            controller_kib = int(handle.read().strip())
    started_programs = wrapped_counts(countdir)
    run = {"rc": rc, "wall_s": round(wall, 2), "verdicts": verdicts, "task_results": results, "in_process_runs": in_process,
           "module_runs": dict(sorted(per_action.items())), "module_processes": sum(per_action.values()),
           "processes_started": started_programs, "processes": sum(per_action.values()) + sum(started_programs.values()),
           "peak_mb": round(controller_kib / 1024.0, 1) if controller_kib else None,
           "max_process_mb": round(maxrss / 1024.0, 1), "log": log}
    run.update(http_requests(fleet))
    return run


def script_commands(fleet, name, wrapbin):
    """The 11 commands of the scripted procedure for one cluster, in order (helm and kubectl through the wrappers)."""
    cluster_id = fleet.cluster_id(name)
    with fleet.crusoe.lock:
        project_id = fleet.crusoe.state["clusters"][cluster_id]["project_id"]
    helm, kubectl = os.path.join(wrapbin, "helm"), os.path.join(wrapbin, "kubectl")
    commands = [[helm, "list", "-n", "crusoe-system", "--kube-context", name],
                [sys.executable, "-c", CRUSOE_GET,
                 "/projects/%s/kubernetes/clusters/%s/support/settings" % (project_id, cluster_id)],
                [kubectl, "get", "clusterrolebindings", "-l", "app.kubernetes.io/instance=crusoe-support-roles",
                 "--context", name]]
    return commands + [[kubectl, "get", "pods", "-n", ns, "--context", name] for ns in SCRIPT_NAMESPACES]


def run_script(fleet, parallel, wrapbin, countdir):
    """The scripted procedure over the fleet, `parallel` clusters at a time (each cluster's commands in order).

    Every command runs to its end, failed or not; the failures are listed in the result's errors (rc 1 if any).
    """
    env = dict(os.environ)
    env.update(fleet.env())
    env.update({"PATH": wrapbin + os.pathsep + fleet.env()["PATH"], "PYTHONPATH": COLLECTIONS})
    jobs = {name: script_commands(fleet, name, wrapbin) for name in fleet.names}

    def one_command(cmd):
        """(command, rc, output, peak RSS KiB); a command that cannot start counts as rc 127."""
        try:
            return (cmd,) + run_process(cmd, env)
        except OSError as error:
            return cmd, 127, str(error), 0

    def one_cluster(name):
        """Run one cluster's commands in order."""
        return [one_command(cmd) for cmd in jobs[name]]

    fleet.clear_logs()
    wrapped_counts(countdir)
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=parallel)
    try:
        results = list(pool.map(one_cluster, fleet.names))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    wall = time.monotonic() - started
    done = [entry for cluster in results for entry in cluster]
    errors = [{"cluster": name, "command": " ".join([os.path.basename(cmd[0])]
                                                    + ["<Crusoe GET>" if c == CRUSOE_GET else c for c in cmd[1:]]),
               "rc": rc, "output": (output or "").strip()[-600:]}
              for name, cluster in zip(fleet.names, results) for cmd, rc, output, _rss in cluster if rc != 0]
    run = {"rc": 1 if errors else 0, "wall_s": round(wall, 2), "parallel": parallel, "verdicts": {},
           "module_processes": 0, "processes_started": wrapped_counts(countdir), "processes": len(done),
           "peak_mb": None, "max_process_mb": round(max((rss for _c, _rc, _o, rss in done), default=0) / 1024.0, 1),
           "errors": errors}
    run.update(http_requests(fleet))
    return run


def default_names(size):
    """The names sim.fleet gives a fleet of this size."""
    return [DEFAULT_NAMES[i] if i < len(DEFAULT_NAMES) else "cluster-%02d" % (i + 1) for i in range(size)]


def per_cluster(run, size):
    """The run's figures divided by the fleet size."""
    requests = run["kube_requests"] + run["crusoe_requests"] + run["chart_repo_requests"]
    return {"s_per_cluster": round(run["wall_s"] / size, 3),
            "module_processes": round(run["module_processes"] / float(size), 2),
            "helm_processes": round(run["processes_started"].get("helm", 0) / float(size), 2),
            "kubectl_processes": round(run["processes_started"].get("kubectl", 0) / float(size), 2),
            "processes": round(run["processes"] / float(size), 2),
            "kube_requests": round(run["kube_requests"] / float(size), 1),
            "crusoe_requests": round(run["crusoe_requests"] / float(size), 1),
            "http_requests": round(requests / float(size), 1),
            "task_results": round(run.get("task_results", 0) / float(size), 1),
            "in_process_runs": round(run.get("in_process_runs", 0) / float(size), 2)}


def ratios(doc, run, size, script_names):
    """The run's seconds per cluster divided by each scripted run's at this size: {"vs_script-seq": x, ...}."""
    mine = run["wall_s"] / float(size)
    out = {}
    for name in script_names:
        theirs = doc["runs"].get(name, {}).get(str(size), {}).get("per_cluster", {}).get("s_per_cluster")
        if theirs:
            out["vs_" + name] = round(mine / theirs, 2)
    return out


def slope(points):
    """Least squares fit of wall time on fleet size: (seconds per extra cluster, intercept)."""
    if len(points) < 2:
        return None, None
    xs, ys = [float(x) for x, _y in points], [float(y) for _x, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if not sxx:
        return None, None
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return round(b, 3), round(my - b * mx, 2)


def loadavg():
    """The 1, 5 and 15 minute load averages ([] where unknown)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


HEADER = "%-10s %5s %8s %8s %9s %7s %7s %8s %9s %7s %6s   %s" % (
    "run", "size", "wall s", "s/clust", "mod/clust", "helm/cl", "proc/cl", "kube/cl", "crusoe/cl", "peak MB", "max MB",
    "rc")


def print_row(playbook, size, run):
    """One line of the table (and the errors count of a scripted run)."""
    pc = run["per_cluster"]
    notes = " ".join("%s=%d" % kv for kv in sorted(run["verdicts"].items()) if kv[1])
    if "errors" in run:
        notes = "errors=%d" % len(run["errors"])
    print("%-10s %5d %8.1f %8.3f %9s %7.2f %7.2f %8.1f %9.1f %7s %6.1f   rc=%d %s" % (
        playbook, size, run["wall_s"], pc["s_per_cluster"],
        "-" if "errors" in run else "%.2f" % pc["module_processes"], pc["helm_processes"], pc["processes"],
        pc["kube_requests"], pc["crusoe_requests"], "-" if run["peak_mb"] is None else "%.1f" % run["peak_mb"],
        run["max_process_mb"], run["rc"], notes), flush=True)


def print_side_by_side(doc):
    """Per-cluster figures of every run at every size, sizes side by side, and the ratios."""
    sizes = [str(s) for s in doc["sizes"]]
    print("%-32s" % "per cluster, by fleet size" + "".join("%10s" % s for s in sizes))
    for name, runs in doc["runs"].items():
        rows = [("s", lambda r: r["per_cluster"]["s_per_cluster"]), ("processes", lambda r: r["per_cluster"]["processes"]),
                ("HTTP requests", lambda r: r["per_cluster"]["http_requests"]), ("peak MB (controller)", lambda r: r["peak_mb"]),
                ("max MB (1 process)", lambda r: r["max_process_mb"])]
        rows += [("/ %s s" % key[3:], lambda r, key=key: r.get("ratios", {}).get(key))
                 for key in sorted({k for r in runs.values() for k in r.get("ratios", {})})]
        for label, value in rows:
            cells = [value(runs[s]) if s in runs else None for s in sizes]
            print("%-10s %-21s" % (name, label) + "".join("%10s" % ("-" if c is None else c) for c in cells))


def bench(args):
    """Seed the fleets, run the scripted procedure and the playbooks at every size, print and write the figures."""
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out_dir = os.path.abspath(args.reports_dir)
    os.makedirs(out_dir, exist_ok=True)
    workroot = tempfile.mkdtemp(prefix="neocloud-bench-")
    quiet_servers(os.path.join(workroot, "servers.log"))
    wrapbin, countdir = os.path.join(workroot, "wrap-bin"), os.path.join(workroot, "counts")
    os.makedirs(countdir)
    write_wrappers(wrapbin, countdir)
    plugdir = os.path.join(workroot, "callbacks")
    write_callback(plugdir)
    scripts = [] if args.no_script else [("script-seq", 1), ("script-%d" % args.forks, args.forks)]
    doc = {"forks": args.forks, "sizes": sizes, "cpus": os.cpu_count(), "load_before": loadavg(),
           "method": {
               "module_processes": "task results (and loop items) carrying 'invocation', recorded by "
                                   "tests/plugins/callback/record_results: one AnsiballZ Python process each",
               "helm_processes": "executions of helm through a counting wrapper first on PATH",
               "processes": "playbooks: module processes + helm + kubectl executions (not the controller's forked "
                            "workers nor the shells starting modules); scripted: the commands started",
               "http_requests": "request logs of the Kubernetes emulator (per cluster), of the Crusoe API simulator "
                                "and of the chart repository",
               "peak_mb": "the ansible-playbook controller's own peak RSS (VmHWM of /proc/self/status), written by the "
                          "bench_maxrss callback at the end of the play; none for the scripted procedure",
               "max_process_mb": "ru_maxrss from os.wait4 on the run's process (an upper bound: it includes this "
                                 "benchmark's own size at the fork): the largest resident set of one "
                                 "process of its tree (mostly helm, for the playbooks too), not a sum",
               "scripted": "per cluster: helm list -n crusoe-system; the Crusoe support settings GET (one python -c "
                           "process, CrusoeClient); kubectl get clusterrolebindings -l app.kubernetes.io/instance="
                           "crusoe-support-roles; kubectl get pods -n NS for %s; script-seq one cluster after another, "
                           "script-N N clusters at a time (N = --forks)" % ", ".join(SCRIPT_NAMESPACES),
               "ratios": "playbook seconds per cluster / scripted seconds per cluster at the same size"},
           "runs": {p: {} for p in [n for n, _p in scripts] + [p for p, _e in PLAYBOOKS if p in args.playbooks]}}
    emulator = Emulator().start()
    print("Fleet benchmark: forks %d, %d CPUs, sizes %s, load average %s" % (
        args.forks, os.cpu_count() or 0, ", ".join(map(str, sizes)), " ".join(map(str, doc["load_before"]))))
    print("per cluster (/cl): module processes, helm executions, processes in all, HTTP requests to the Kubernetes "
          "emulator and to the Crusoe simulator; peak MB: the ansible-playbook controller's peak RSS; max MB: the "
          "largest RSS of one process of the run (wait4)")
    print()
    fleets = {}

    def record(name, size, run):
        """Keep, print and write one run's figures."""
        run["per_cluster"] = per_cluster(run, size)
        run["load_after"] = loadavg()
        run.pop("log", None)
        doc["runs"][name][str(size)] = run
        print_row(name, size, run)
        write_json(out_dir, doc)

    try:
        # every fleet is seeded first (its cluster names carry the size), so the audits of all sizes come before the
        # revokes and a partial run still has the whole audit series
        for size in sizes:
            seeded = time.monotonic()
            fleets[size] = build_fleet(size, emulator=emulator, workdir=os.path.join(workroot, "fleet-%d" % size),
                                       names=["f%d-%s" % (size, n) for n in default_names(size)])
            doc.setdefault("seed_s", {})[str(size)] = round(time.monotonic() - seeded, 1)
            print("seeded %d clusters in %.0fs" % (size, doc["seed_s"][str(size)]), flush=True)
        print(HEADER, flush=True)
        scripted = set()
        for playbook, extra in PLAYBOOKS:
            if playbook not in args.playbooks:
                continue
            for size in sizes:
                if doc.get("interrupted"):
                    break
                try:
                    # the scripted procedure right before the first playbook of this size, on the same seeded fleet
                    if size not in scripted:
                        for name, parallel in scripts:
                            record(name, size, run_script(fleets[size], parallel, wrapbin, countdir))
                        scripted.add(size)
                    run = run_playbook(fleets[size], fleets[size].workdir, playbook, extra, args.forks, wrapbin, countdir,
                                       plugdir, "%s-%d" % (playbook, size))
                except KeyboardInterrupt:
                    doc["interrupted"] = "%s over %d clusters" % (playbook, size)
                    print("interrupted during %s; the figures so far follow" % doc["interrupted"], file=sys.stderr)
                    break
                run["ratios"] = ratios(doc, run, size, [n for n, _p in scripts])
                if run["ratios"]:
                    doc.setdefault("ratios", {}).setdefault(playbook, {})[str(size)] = run["ratios"]
                record(playbook, size, run)
                if run["ratios"]:
                    print("%-10s %5d   s/cluster ratio: %s" % (playbook, size, ", ".join(
                        "%s / %s = %.2f" % (playbook, k[3:], v) for k, v in sorted(run["ratios"].items()))), flush=True)
        print()
        for name, runs in doc["runs"].items():
            b, a = slope([(int(s), r["wall_s"]) for s, r in runs.items()])
            doc.setdefault("slope_s_per_cluster", {})[name] = b
            doc.setdefault("intercept_s", {})[name] = a
            actions, in_process = {}, 0
            for size, run in runs.items():
                actions = {k: round(v / float(size), 2) for k, v in run.get("module_runs", {}).items() if v}
                in_process = run.get("per_cluster", {}).get("in_process_runs", 0)
            print("%-10s slope %s s per extra cluster (intercept %s s)%s%s" % (
                name, b, a, ("; module processes per cluster by module: " + ", ".join(
                    "%s %s" % kv for kv in sorted(actions.items()))) if actions else "",
                "; module runs in the controller's worker (no process) per cluster: %s" % in_process if in_process else ""))
        print()
        print_side_by_side(doc)
        doc["load_after"] = loadavg()
        print("load average at the end: %s" % " ".join(map(str, doc["load_after"])))
        path = write_json(out_dir, doc)
        print("figures written to %s" % path)
        for name, runs in doc["runs"].items():
            for size, run in runs.items():
                for error in run.get("errors", []):
                    print("%s over %s clusters: %s on %s exited %d: %s" % (
                        name, size, error["command"], error["cluster"], error["rc"], error["output"]), file=sys.stderr)
        failed = [(p, s) for p, runs in doc["runs"].items() for s, r in runs.items() if r["rc"] != 0]
        if doc.get("interrupted"):
            return 130
        if failed:
            print("runs that did not exit 0 (see the verdicts and the errors above): %s" % failed, file=sys.stderr)
            return 1
        return 0
    finally:
        for fleet in fleets.values():
            fleet.stop()
        emulator.stop()
        shutil.rmtree(workroot, ignore_errors=True)


def write_json(out_dir, doc):
    """Write doc to OUT_DIR/bench.json; returns its path."""
    path = os.path.join(out_dir, "bench.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, indent=2, sort_keys=True)
        handle.write("\n")
    return path


def _interrupt(signum, _frame):
    """SIGTERM ends the run like Ctrl-C: the figures so far are kept."""
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="10,50,200", help="fleet sizes, comma-separated (default 10,50,200)")
    parser.add_argument("--forks", type=int, default=25, help="ansible-playbook --forks (default 25)")
    parser.add_argument("--reports-dir", default="reports", help="where bench.json goes (default ./reports)")
    parser.add_argument("--playbooks", default=",".join(p for p, _e in PLAYBOOKS),
                        help="playbooks to measure, comma-separated (default %(default)s)")
    parser.add_argument("--no-script", action="store_true",
                        help="skip the scripted procedure (helm, Crusoe GET, kubectl per cluster)")
    args = parser.parse_args(argv)
    known = dict(PLAYBOOKS)
    args.playbooks = [p.strip() for p in args.playbooks.split(",") if p.strip()]
    unknown = [p for p in args.playbooks if p not in known]
    if unknown or not args.playbooks:
        parser.error("--playbooks: choose from %s (got %s)" % (", ".join(known), ", ".join(unknown) or "none"))
    signal.signal(signal.SIGTERM, _interrupt)
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
