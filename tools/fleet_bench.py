# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark: the audit and revoke playbooks over 10, 50 and 200 emulated clusters.

    PYTHONPATH=tests:.cache/collections .venv/bin/python tools/fleet_bench.py [--sizes 10,50,200] [--forks 25]

One Kubernetes emulator (in this process) holds every cluster; the Crusoe API simulator and the chart repository
are seeded alike (tests/sim/fleet.py, the scenarios in their default order). For each size it runs real
ansible-playbook neocloud.support_access.audit, then neocloud.support_access.revoke -e support_access_confirm=true,
and prints per size and playbook: wall time, seconds per cluster, module processes per cluster, other processes
(helm) per cluster, HTTP requests per cluster, and the slope of wall time against fleet size (least squares).

How processes are counted: every task result is recorded by the test callback tests/plugins/callback/record_results;
a result (or loop item) that carries ``invocation`` comes from a module that ran as its own AnsiballZ Python process
(controller-side actions such as set_fact, assert, debug, include_role, set_stats return none). Programs the modules
start (helm) are counted by a wrapper placed first on PATH that records each execution and execs the real binary.
HTTP requests: the emulator's per-cluster request logs and the Crusoe simulator's and chart repository's logs.

The figures go to reports/bench.json. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import collections
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
    """(AnsiballZ module runs per action, task results in all) from the record_results JSON lines."""
    per_action = collections.Counter()
    results = 0
    if not os.path.exists(record):
        return per_action, results
    with open(record, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            event = json.loads(line)
            results += 1
            result = event.get("result") or {}
            items = result.get("results") if isinstance(result.get("results"), list) else None
            if items is not None:
                per_action[event["action"]] += sum(1 for i in items if isinstance(i, dict) and "invocation" in i)
            elif "invocation" in result:
                per_action[event["action"]] += 1
    return per_action, results


def run_playbook(fleet, workdir, playbook, extra, forks, wrapbin, countdir, label):
    record = os.path.join(workdir, "record-%s.jsonl" % label)
    log = os.path.join(workdir, "%s.log" % label)
    env = dict(os.environ)
    env.update(fleet.env())
    env.update({
        "PATH": wrapbin + os.pathsep + fleet.env()["PATH"],
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "NEOCLOUD_TEST_RECORD": record,
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
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir, check=False)
    wall = time.monotonic() - started
    with open(os.path.join(workdir, "reports", label + ".json"), encoding="utf-8") as handle:
        verdicts = json.load(handle)["summary"]["verdicts"]
    per_action, results = module_runs(record)
    kube_requests = sum(len(fleet.kube(n).request_log()) for n in fleet.names)
    return {"rc": proc.returncode, "wall_s": round(wall, 2), "verdicts": verdicts, "task_results": results,
            "module_runs": dict(sorted(per_action.items())), "module_processes": sum(per_action.values()),
            "processes_started": wrapped_counts(countdir), "kube_requests": kube_requests,
            "crusoe_requests": len(fleet.crusoe.request_log()), "chart_repo_requests": len(fleet.chart_repo.request_log()),
            "log": log}


def default_names(size):
    """The names sim.fleet gives a fleet of this size."""
    return [DEFAULT_NAMES[i] if i < len(DEFAULT_NAMES) else "cluster-%02d" % (i + 1) for i in range(size)]


def per_cluster(run, size):
    return {"s_per_cluster": round(run["wall_s"] / size, 3),
            "module_processes": round(run["module_processes"] / float(size), 2),
            "helm_processes": round(run["processes_started"].get("helm", 0) / float(size), 2),
            "kube_requests": round(run["kube_requests"] / float(size), 1),
            "crusoe_requests": round(run["crusoe_requests"] / float(size), 1),
            "task_results": round(run["task_results"] / float(size), 1)}


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
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def print_row(playbook, size, run):
    pc = run["per_cluster"]
    print("%-7s %5d %9.1f %9.2f %9.2f %7.2f %10.1f %9.1f   rc=%d %s" % (
        playbook, size, run["wall_s"], pc["s_per_cluster"], pc["module_processes"], pc["helm_processes"],
        pc["kube_requests"], pc["crusoe_requests"], run["rc"],
        " ".join("%s=%d" % kv for kv in sorted(run["verdicts"].items()) if kv[1])), flush=True)


def bench(args):
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    out_dir = os.path.abspath(args.reports_dir)
    os.makedirs(out_dir, exist_ok=True)
    workroot = tempfile.mkdtemp(prefix="neocloud-bench-")
    quiet_servers(os.path.join(workroot, "servers.log"))
    wrapbin, countdir = os.path.join(workroot, "wrap-bin"), os.path.join(workroot, "counts")
    os.makedirs(countdir)
    write_wrappers(wrapbin, countdir)
    doc = {"forks": args.forks, "sizes": sizes, "cpus": os.cpu_count(), "load_before": loadavg(),
           "method": {
               "module_processes": "task results (and loop items) carrying 'invocation', recorded by "
                                   "tests/plugins/callback/record_results: one AnsiballZ Python process each",
               "helm_processes": "executions of helm through a counting wrapper first on PATH",
               "http_requests": "request logs of the Kubernetes emulator (per cluster) and of the Crusoe API simulator"},
           "runs": {p: {} for p, _e in PLAYBOOKS if p in args.playbooks}}
    emulator = Emulator().start()
    print("Fleet benchmark: forks %d, %d CPUs, sizes %s, load average %s" % (
        args.forks, os.cpu_count() or 0, ", ".join(map(str, sizes)), " ".join(map(str, doc["load_before"]))))
    print(__doc__.split("\n\n")[-2].replace("\n", " "))
    print()
    print("%-7s %5s %9s %9s %9s %7s %10s %9s" % ("play", "size", "wall s", "s/clust", "mod/clust", "helm/cl",
                                                 "kube/cl", "crusoe/cl"), flush=True)
    fleets = {}
    try:
        # every fleet is seeded first (its cluster names carry the size), so the audits of all sizes come before the
        # revokes and a partial run still has the whole audit series
        for size in sizes:
            seeded = time.monotonic()
            fleets[size] = build_fleet(size, emulator=emulator, workdir=os.path.join(workroot, "fleet-%d" % size),
                                       names=["f%d-%s" % (size, n) for n in default_names(size)])
            doc.setdefault("seed_s", {})[str(size)] = round(time.monotonic() - seeded, 1)
            print("seeded %d clusters in %.0fs" % (size, doc["seed_s"][str(size)]), flush=True)
        for playbook, extra in PLAYBOOKS:
            if playbook not in args.playbooks:
                continue
            for size in sizes:
                if doc.get("interrupted"):
                    break
                try:
                    run = run_playbook(fleets[size], fleets[size].workdir, playbook, extra, args.forks, wrapbin, countdir,
                                       "%s-%d" % (playbook, size))
                except KeyboardInterrupt:
                    doc["interrupted"] = "%s over %d clusters" % (playbook, size)
                    print("interrupted during %s; the figures so far follow" % doc["interrupted"], file=sys.stderr)
                    break
                run["per_cluster"] = per_cluster(run, size)
                run["load_after"] = loadavg()
                run.pop("log")
                doc["runs"][playbook][str(size)] = run
                print_row(playbook, size, run)
                write_json(out_dir, doc)
        print()
        for playbook in doc["runs"]:
            points = [(int(s), r["wall_s"]) for s, r in doc["runs"][playbook].items()]
            b, a = slope(points)
            doc.setdefault("slope_s_per_cluster", {})[playbook] = b
            doc.setdefault("intercept_s", {})[playbook] = a
            actions = {}
            for size, run in doc["runs"][playbook].items():
                actions = {k: round(v / float(size), 2) for k, v in run["module_runs"].items() if v}
            print("%-7s slope %s s per extra cluster (intercept %s s); module processes per cluster by module: %s" % (
                playbook, b, a, ", ".join("%s %s" % kv for kv in sorted(actions.items()))))
        doc["load_after"] = loadavg()
        print("load average at the end: %s" % " ".join(map(str, doc["load_after"])))
        path = write_json(out_dir, doc)
        print("figures written to %s" % path)
        failed = [(p, s) for p, runs in doc["runs"].items() for s, r in runs.items() if r["rc"] != 0]
        if doc.get("interrupted"):
            return 130
        if failed:
            print("runs that did not exit 0 (see the verdicts): %s" % failed, file=sys.stderr)
            return 1
        return 0
    finally:
        for fleet in fleets.values():
            fleet.stop()
        emulator.stop()
        shutil.rmtree(workroot, ignore_errors=True)


def write_json(out_dir, doc):
    path = os.path.join(out_dir, "bench.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, indent=2, sort_keys=True)
        handle.write("\n")
    return path


def _interrupt(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="10,50,200", help="fleet sizes, comma-separated (default 10,50,200)")
    parser.add_argument("--forks", type=int, default=25, help="ansible-playbook --forks (default 25)")
    parser.add_argument("--reports-dir", default="reports", help="where bench.json goes (default ./reports)")
    parser.add_argument("--playbooks", default=",".join(p for p, _e in PLAYBOOKS),
                        help="playbooks to measure, comma-separated (default %(default)s)")
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
