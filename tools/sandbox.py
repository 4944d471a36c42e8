# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make sandbox: a simulated Crusoe and CoreWeave fleet that stays up until Ctrl-C, to try the playbooks by hand.

    PYTHONPATH=tests:.cache/collections .venv/bin/python tools/sandbox.py [--dir sandbox] [--clusters 12] [--coreweave 3]

Starts the simulators of ``make demo`` (tests/sim: the Crusoe API, the Kubernetes emulator, the chart repository and
the CoreWeave API) with the same seeded fleet - two Crusoe projects with every scenario, one cluster whose Kubernetes
API cannot be reached, CoreWeave CKS clusters (compliant, a too-broad viewer role, audit logs not forwarded) - except
that ``training-prod``, the cluster the README enables, starts clean. It writes into ``--dir`` (default ./sandbox):

    env.sh               to source: the simulators' Crusoe credentials and endpoint, the CoreWeave API, KUBECONFIG,
                         PATH with the venv's ansible-playbook, kubectl and helm first, HELM_* homes, ANSIBLE_CONFIG
    ansible.cfg          inventory = both inventories, the collection's stdout callback, no retry files
    fleet.crusoe.yml     the Crusoe inventory (plugin neocloud.support_access.crusoe); kubeconfig.yaml
    fleet.coreweave.yml  the CoreWeave inventory (plugin neocloud.support_access.coreweave); kubeconfig.coreweave.yaml
    group_vars/all.yml   the chart repository: the simulator's, so that enable installs the chart from it
    writes.log           every write the simulators take (Crusoe API, Kubernetes, CoreWeave API), as it happens
    reports/             where the playbooks run from that directory write their reports

so that after ``cd sandbox && source env.sh`` every playbook command of README.md works as written. It prints what
it started and those commands, then serves until Ctrl-C (SIGINT) or SIGTERM, stops every simulator, says so and
exits 0. The files stay; every start writes them anew (the ports change).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import signal
import sys
import threading

from sim.demo_fleet import COLLECTIONS, PlanError, coreweave_plan, fleet_env, fleet_plan, project_members, quiet_servers, shown_path, start_fleets
from sim.fleet import VENV_BIN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
# make demo's mix, turned so that training-prod (the README's `-l training-prod`) starts clean: enable has work to do.
SCENARIOS = ("clean", "engaged", "expired", "unleased", "dormant", "diagnostic")
CALLBACK = "neocloud.support_access.fleet"
CALLBACK_FILE = os.path.join(COLLECTIONS, "ansible_collections", "neocloud", "support_access", "plugins", "callback", "fleet.py")
# What a start writes (and removes first, so nothing of an earlier, differently sized sandbox stays behind).
GENERATED = ("env.sh", "ansible.cfg", "fleet.crusoe.yml", "fleet.coreweave.yml", "kubeconfig.yaml",
             "kubeconfig.coreweave.yaml", os.path.join("group_vars", "all.yml"), "writes.log", "simulators.log")
# The README lines shown as the commands to try (from its fenced code blocks).
COMMAND_PREFIXES = ("ansible-playbook -i fleet.crusoe.yml", "ansible-inventory -i fleet.crusoe.yml")
POLL_SECONDS = 0.5


def readme_commands(path=README):
    """The README's commands for the fleet inventory, as written (a command continued with ``\\`` keeps its lines)."""
    commands, fenced, current = [], False, None
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    for line in lines:
        if line.startswith("```"):
            fenced, current = not fenced, None
            continue
        if not fenced:
            continue
        if current is not None:
            current.append(line)
        elif line.startswith(COMMAND_PREFIXES):
            current = [line]
            commands.append(current)
        if current is not None and not line.rstrip().endswith("\\"):
            current = None
    return ["\n".join(c) for c in commands]


class WriteLog:
    """Appends every write the simulators take to a file, polled: the Crusoe API (failed writes too), each cluster's
    Kubernetes API (writes that took effect, no dry runs or access reviews) and the CoreWeave API. The simulators'
    request logs are emptied as it goes (take_writes), so they do not grow while the sandbox runs."""

    def __init__(self, path, fleet, cw_fleet=None):
        self.path = path
        self.sources = [("crusoe", "", fleet.crusoe.take_writes)]
        self.sources += [("kubernetes", name, fleet.kube(name).take_writes) for name in fleet.names]
        if cw_fleet is not None:
            self.sources.append(("coreweave", "", cw_fleet.api.take_writes))
            self.sources += [("kubernetes", name, cw_fleet.kube(name).take_writes) for name in cw_fleet.names]
        # the Crusoe API names clusters and firewall rules by id: the log adds the cluster's name
        self.ids = {fleet.cluster_id(n): n for n in fleet.names}
        self.ids.update({fleet.rule_id(n): n for n in fleet.names})
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write("# Every write the sandbox's simulators take: time, simulator, cluster, method, path, status.\n")

    def line(self, simulator, cluster, entry):
        path = entry["path"] + ("?" + entry["query"] if entry.get("query") else "")
        if not cluster:
            cluster = next((name for ident, name in self.ids.items() if ident in path), "-")
        return "%s %-10s %-16s %-6s %s %s\n" % (datetime.datetime.now().strftime("%H:%M:%S"), simulator, cluster,
                                                entry["method"], path, entry["status"])

    def poll(self):
        lines = [self.line(simulator, cluster, entry) for simulator, cluster, take in self.sources for entry in take()]
        if lines:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.writelines(lines)


def shell_exports(env):
    return "".join("export %s=%s\n" % (k, shlex.quote(v)) for k, v in sorted(env.items()))


def write_files(directory, fleet, cw_fleet):
    """env.sh, ansible.cfg and group_vars/all.yml next to the inventories and kubeconfigs the fleets wrote."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    header = "# Written by make sandbox (tools/sandbox.py) at %s; valid while it runs (the ports change on every start).\n" % stamp
    inventories = [fleet.inventory] + ([cw_fleet.inventory] if cw_fleet is not None else [])
    kubeconfigs = [fleet.kubeconfig] + ([cw_fleet.kubeconfig] if cw_fleet is not None else [])
    env = fleet_env(fleet, cw_fleet)
    for name in ("HOME", "PATH"):  # the user's own HOME stays; PATH is prepended below
        env.pop(name)
    env.update({"KUBECONFIG": os.pathsep.join(kubeconfigs), "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
                "ANSIBLE_CONFIG": os.path.join(directory, "ansible.cfg")})
    with open(os.path.join(directory, "env.sh"), "w", encoding="utf-8") as handle:
        handle.write(header + "# Use: cd %s && source env.sh\n" % shlex.quote(shown_path(directory)))
        handle.write(shell_exports(env))
        handle.write('case ":$PATH:" in *:%s:*) ;; *) export PATH=%s:"$PATH" ;; esac\n' % (
            shlex.quote(VENV_BIN), shlex.quote(VENV_BIN)))
    callback = "stdout_callback = %s\n" % CALLBACK
    if not os.path.exists(CALLBACK_FILE):
        callback = "# stdout_callback = %s   (not in this checkout yet: ansible's default output)\n" % CALLBACK
    ansible_home = os.path.join(directory, ".ansible")
    with open(os.path.join(directory, "ansible.cfg"), "w", encoding="utf-8") as handle:
        handle.write(header + "[defaults]\n"
                     "inventory = %s\n" % ",".join(inventories) + callback +
                     "home = %s\n" % ansible_home +
                     "local_tmp = %s\n" % os.path.join(ansible_home, "tmp") +
                     "host_key_checking = False\n"
                     "retry_files_enabled = False\n"
                     "localhost_warning = False\n"
                     "interpreter_python = auto_silent\n")
    os.makedirs(os.path.join(directory, "group_vars"), exist_ok=True)
    with open(os.path.join(directory, "group_vars", "all.yml"), "w", encoding="utf-8") as handle:
        url = json.dumps(fleet.chart_repo.url)
        handle.write("---\n" + header +
                     "# The support chart comes from the sandbox's chart repository (the simulator), not Crusoe's:\n"
                     "# support_access_chart_repo_url for the enable playbook, the roles' own variables for plays that\n"
                     "# use the roles directly.\n"
                     "support_access_chart_repo_url: %s\n"
                     "support_enable_chart_repo_url: %s\n"
                     "crusoe_support_roles_chart_repo_url: %s\n" % (url, url, url))
    os.makedirs(os.path.join(directory, "reports"), exist_ok=True)


def describe(directory, fleet, cw_fleet, coreweave, down):
    """What was started and written, and the commands to try."""
    for project, members in project_members(fleet, down).items():
        print("  project %-9s %s" % (project + ":", ", ".join(members)))
    if cw_fleet is not None:
        print("  coreweave         %s" % ", ".join("%s (%s)" % item for item in coreweave.items()))
    print("  Crusoe API        %s\n  chart repository  %s" % (fleet.crusoe.url, fleet.chart_repo.url))
    if cw_fleet is not None:
        print("  CoreWeave API     %s" % cw_fleet.api.url)
    print("\nFiles in %s:" % os.path.join(shown_path(directory), ""))
    files = [("env.sh", "source it: Crusoe and CoreWeave credentials and endpoints, KUBECONFIG, PATH, ANSIBLE_CONFIG"),
             ("ansible.cfg", "inventory = %s; stdout callback %s" % (
                 ", ".join(os.path.basename(i) for i in [fleet.inventory] + ([cw_fleet.inventory] if cw_fleet else [])),
                 CALLBACK if os.path.exists(CALLBACK_FILE) else "default (%s is not in this checkout yet)" % CALLBACK)),
             ("fleet.crusoe.yml", "Crusoe inventory (%d clusters), kubeconfig.yaml" % len(fleet.names))]
    if cw_fleet is not None:
        files.append(("fleet.coreweave.yml", "CoreWeave inventory (%d clusters), kubeconfig.coreweave.yaml" % len(cw_fleet.names)))
    files += [("group_vars/all.yml", "support_access_chart_repo_url: the chart repository above"),
              ("reports/", "the playbooks' reports (JSON, Markdown, HTML, JUnit XML)"),
              ("writes.log", "every write the simulators take (tail -f it while a playbook runs)")]
    for name, what in files:
        print("  %-20s %s" % (name, what))
    print("\nTry, in another terminal:\n")
    print("  cd %s && source env.sh" % shlex.quote(shown_path(directory)))
    for command in readme_commands():
        print("  " + command.replace("\n", "\n  "))
    if cw_fleet is not None:
        print("  ansible-playbook neocloud.support_access.audit      # both inventories (ansible.cfg): Crusoe and CoreWeave")
    print("\n%s is unreachable on purpose: whole-fleet runs name it and exit 2.\n"
          "Restart the sandbox for a fresh fleet (then source env.sh again: the ports change)." % down)


class Stop:
    """SIGINT / SIGTERM: before the sandbox is ready they interrupt the start (KeyboardInterrupt); afterwards they stop it."""

    def __init__(self):
        self.ready = False
        self.event = threading.Event()
        self.signal = None

    def __call__(self, signum, _frame):
        if not self.ready:
            raise KeyboardInterrupt("signal %d" % signum)
        self.signal = self.signal or signal.Signals(signum).name
        self.event.set()


def sandbox(args, stop):
    names, mix, down = fleet_plan(args.clusters, SCENARIOS)
    coreweave = coreweave_plan(args.coreweave)
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    for name in GENERATED:
        if os.path.exists(os.path.join(directory, name)):
            os.remove(os.path.join(directory, name))
    quiet_servers(os.path.join(directory, "simulators.log"))
    fleet = cw_fleet = None
    try:
        fleet, cw_fleet = start_fleets(names, mix, down, coreweave, directory)
        write_files(directory, fleet, cw_fleet)
        writes = WriteLog(os.path.join(directory, "writes.log"), fleet, cw_fleet)
        describe(directory, fleet, cw_fleet, coreweave, down)
        stop.ready = True
        print("\nSandbox ready: %d Crusoe and %d CoreWeave clusters. Ctrl-C stops it." % (len(names), len(coreweave)),
              flush=True)
        while not stop.event.wait(POLL_SECONDS):
            writes.poll()
        writes.poll()
        print("\n%s: stopping the simulators..." % stop.signal, flush=True)
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # make sends SIGTERM after Ctrl-C's SIGINT: nothing interrupts this
            signal.signal(sig, signal.SIG_IGN)
        if cw_fleet is not None:
            cw_fleet.stop()
        if fleet is not None:
            fleet.stop()
            print("Simulators stopped (Crusoe API, %sKubernetes emulator, chart repository). The files in %s stay; "
                  "env.sh points to stopped simulators until the next start." % (
                      "CoreWeave API, " if cw_fleet is not None else "", os.path.join(shown_path(directory), "")), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--dir", default="sandbox", help="where the files go (default ./sandbox)")
    parser.add_argument("--clusters", type=int, default=12, help="Crusoe clusters (default 12, at least %d)" % len(SCENARIOS))
    parser.add_argument("--coreweave", type=int, default=3,
                        help="CoreWeave CKS clusters (default 3: compliant, broad viewer role, audit logs not forwarded; 0 for none)")
    args = parser.parse_args(argv)
    stop = Stop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    try:
        return sandbox(args, stop)
    except PlanError as exc:
        print("sandbox: %s" % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sandbox: interrupted while starting", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
