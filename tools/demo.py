# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make demo: a simulated Crusoe and CoreWeave fleet on this machine, audited, revoked and audited again with the real playbooks.

    PYTHONPATH=tests:.cache/collections .venv/bin/python tools/demo.py [--clusters 12] [--coreweave 3] [--reports-dir reports]

Starts the Crusoe API simulator, the Kubernetes emulator and the chart repository (tests/sim) with a seeded fleet in
two projects: support access on with live requests, the pre-installed chart, node-shell leftovers, restricted and
open control-plane firewall rules, and one cluster whose Kubernetes API cannot be reached. The inventory and the
kubeconfig go to a temporary directory. Next to them, on the same Kubernetes emulator, ``--coreweave`` CKS clusters
(default 3, 0 for none) listed by the CoreWeave API simulator (tests/sim/coreweave_fleet.py): one compliant, one whose
Teleport viewer role can exec into pods and read Secrets, one whose audit logs Telemetry Relay does not forward. Then it
runs, with real ansible-playbook and the collection's playbooks:

    01-audit-before   neocloud.support_access.audit                                    (Crusoe and CoreWeave inventories)
    02-revoke         neocloud.support_access.revoke -e support_access_confirm=true    (Crusoe only)
    03-audit-after    neocloud.support_access.audit                                    (Crusoe and CoreWeave inventories)

and prints the verdicts before and after. CoreWeave support access is approved per request in the CoreWeave Console
(there is no API to revoke it), so the CoreWeave clusters keep their audit verdicts: the demo shows what needs fixing
there (the viewer role, the Telemetry Relay pipeline). Every run writes its reports (JSON, Markdown, HTML, JUnit XML) and its
ansible-playbook output (.log) to the reports directory. Everything it started is stopped at the end, also on
failure or Ctrl-C.

Exit code 0 when the flow ran as designed: every reachable Crusoe cluster revoked and compliant afterwards, the
unreachable one reported as unreachable, every CoreWeave cluster with the verdict and findings of its scenario and
nothing written to the CoreWeave API or the CoreWeave clusters. 1 when anything else happened (the reason is printed), 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from sim.demo_fleet import PlanError, ansible_env, coreweave_plan, fleet_plan, project_members, quiet_servers, shown_path, start_fleets
from sim.fleet import NODE_SHELL, SCENARIOS, SUPPORT_VPN

from ansible_collections.neocloud.support_access.plugins.callback.fleet import cluster_line

BIN = os.path.dirname(os.path.abspath(sys.executable))
# What the audit must say about a CoreWeave cluster of each scenario (before and after the Crusoe revoke).
EXPECTED_COREWEAVE = {"compliant": ("compliant", []),
                      "broad-viewer": ("noncompliant", ["viewer-can-exec", "viewer-can-read-secrets"]),
                      "unforwarded": ("noncompliant", ["audit-log-not-forwarded"])}
VERDICTS = ("compliant", "noncompliant", "revoked", "not_revoked", "error", "unreachable")
RUNS = (("01-audit-before", "audit", {}),
        ("02-revoke", "revoke", {"support_access_confirm": True}),
        ("03-audit-after", "audit", {}))
EXPECTED = {"01-audit-before": ("compliant", "noncompliant"), "02-revoke": ("revoked",), "03-audit-after": ("compliant",)}
# After the revoke a cluster whose control-plane firewall rule admits every address (the "unleased" scenario: the
# customer's own 0.0.0.0/0 source) stays noncompliant for that one finding: revoke removes only the support source.
CUSTOMER_FIREWALL = ("unleased", "firewall-admits-support-vpn")
_RECAP = re.compile(r"^(\S+)\s+:\s+ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


class DemoError(Exception):
    """The flow did not run as designed."""


def run_playbook(fleet, workdir, reports, basename, playbook, extra, forks, cw_fleet=None):
    """One real ansible-playbook run (with the CoreWeave inventory too when cw_fleet is given); returns (rc, failed hosts, report document)."""
    extra_vars = {"support_access_report_dir": reports, "support_access_report_basename": basename,
                  "support_access_report_title": "Support access report: demo fleet, %s" % basename}
    extra_vars.update(extra)
    cmd = [os.path.join(BIN, "ansible-playbook"), "neocloud.support_access.%s" % playbook, "-i", fleet.inventory,
           "--forks", str(forks), "-e", json.dumps(extra_vars)]
    if cw_fleet is not None:
        cmd[4:4] = ["-i", cw_fleet.inventory]
    shown = "ansible-playbook neocloud.support_access.%s%s" % (
        playbook, "".join(" -e %s=%s" % (k, json.dumps(v)) for k, v in extra.items()))
    print("==> %-16s %s" % (basename, shown), flush=True)
    log = os.path.join(reports, basename + ".log")
    for stale in [os.path.join(reports, f) for f in os.listdir(reports) if f.startswith(basename + ".")]:
        os.remove(stale)
    started = time.monotonic()
    env = ansible_env(fleet, workdir, cw_fleet)
    # the collection's stdout callback: a line per cluster as it finishes, then the fleet; shown as it comes
    env["ANSIBLE_STDOUT_CALLBACK"] = "neocloud.support_access.fleet"
    lines, in_recap = [], False
    with open(log, "w", encoding="utf-8") as out:
        out.write("$ %s\n" % " ".join(cmd))
        out.flush()
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=workdir, text=True,
                              bufsize=1) as proc:
            for line in proc.stdout:
                out.write(line)
                lines.append(line)
                in_recap = in_recap or line.startswith("PLAY RECAP")
                if not in_recap and line.strip() and not line.startswith("=="):
                    print("    %s" % line.rstrip()[:200], flush=True)
    output = "".join(lines)
    failed = sorted(m.group(1) for m in _RECAP.finditer(output) if int(m.group(2)) or int(m.group(3)))
    print("    exit %d after %.0fs, failed hosts: %s (output: %s)" % (
        proc.returncode, time.monotonic() - started, ", ".join(failed) or "none", shown_path(log)), flush=True)
    path = os.path.join(reports, basename + ".json")
    if not os.path.exists(path):
        raise DemoError("%s wrote no report %s; see %s" % (basename, path, log))
    with open(path, encoding="utf-8") as handle:
        doc = json.load(handle)
    return proc.returncode, failed, doc


def check_run(basename, rc, failed, doc, names, down, coreweave=None, scenarios=None):
    """What a run must show for the flow to be as designed; a list of problems.

    ``coreweave``: {name: scenario} of the CoreWeave clusters the run audited (their verdicts follow their scenario).
    ``scenarios``: {name: scenario} of the Crusoe clusters (a customer firewall open to all stays a finding).
    """
    problems = []
    coreweave = coreweave or {}
    clusters = {c["cluster"]: c for c in doc["clusters"]}
    for name, scenario in sorted(coreweave.items()):
        cluster = clusters.pop(name, None)
        verdict, codes = EXPECTED_COREWEAVE[scenario]
        got = None if cluster is None else (cluster["verdict"], sorted(f["code"] for f in cluster.get("findings") or []))
        if got != (verdict, codes):
            problems.append("%s: CoreWeave cluster %s (%s) is %s, expected %s" % (
                basename, name, scenario, "missing" if got is None else "%s %s" % got, "%s %s" % (verdict, codes)))
    if sorted(clusters) != sorted(names):
        problems.append("%s: the report lists %s, the fleet is %s" % (basename, sorted(clusters), sorted(names)))
    if failed != [down]:
        problems.append("%s: failed hosts %s, expected only the unreachable %s" % (basename, failed, down))
    if rc != 2:
        problems.append("%s: ansible-playbook exited %d, expected 2 (one cluster failed: %s)" % (basename, rc, down))
    for name, cluster in sorted(clusters.items()):
        if name == down:
            if cluster["verdict"] != "unreachable":
                problems.append("%s: %s is %s, expected unreachable" % (basename, name, cluster["verdict"]))
        elif (basename == "03-audit-after" and (scenarios or {}).get(name) == CUSTOMER_FIREWALL[0]
              and cluster["verdict"] == "noncompliant"
              and [f["code"] for f in cluster.get("findings") or []] == [CUSTOMER_FIREWALL[1]]):
            continue
        elif cluster["verdict"] not in EXPECTED[basename]:
            problems.append("%s: %s is %s (%s), expected %s" % (
                basename, name, cluster["verdict"], cluster.get("error") or
                ", ".join(f["code"] for f in cluster.get("findings") or []), " or ".join(EXPECTED[basename])))
    return problems


def check_simulators(fleet, down):
    """After the revoke, the simulators themselves: nothing open on any reachable cluster."""
    problems = []
    for name in fleet.names:
        if name == down:
            continue
        support = fleet.crusoe.state["support"][fleet.cluster_id(name)]
        sources = [s.get("cidr") for s in fleet.crusoe.state["firewall_rules"][fleet.rule_id(name)]["sources"]]
        pods = [p["metadata"]["name"] for p in fleet.kube(name).list("v1", "Pod", "kube-system")]
        releases = [s["metadata"]["name"] for s in fleet.kube(name).list("v1", "Secret", "crusoe-system")
                    if s.get("type") == "helm.sh/release.v1"]
        if support["access_enabled"]:
            problems.append("%s: the Crusoe API still has support access enabled" % name)
        if SUPPORT_VPN in sources:
            problems.append("%s: the support VPN is still on the control-plane firewall rule" % name)
        if NODE_SHELL in pods:
            problems.append("%s: the node-shell pod is still there" % name)
        if releases:
            problems.append("%s: helm releases left in crusoe-system: %s" % (name, releases))
    return problems


def check_coreweave(cw_fleet):
    """The audits read the CoreWeave API and the CKS clusters, and wrote nothing to either."""
    problems = []
    if cw_fleet is not None:
        if cw_fleet.writes():
            problems.append("CoreWeave API writes: %s" % ", ".join("%s %s" % (w["method"], w["path"]) for w in cw_fleet.writes()))
        for name, writes in sorted(cw_fleet.kube_writes().items()):
            problems.append("%s: %d Kubernetes write(s) to a CoreWeave cluster" % (name, len(writes)))
    return problems


def coreweave_lines(doc, coreweave):
    """One line per CoreWeave cluster of an audit report: verdict, findings, where the audit logs go."""
    lines = []
    clusters = {c["cluster"]: c for c in doc["clusters"]}
    for name in sorted(coreweave):
        cluster = clusters.get(name) or {}
        telemetry = (cluster.get("coreweave") or {}).get("telemetry") or {}
        forwarded = telemetry.get("audit_logs_forwarded")
        lines.append("  %-14s %-13s %-50s audit logs %s" % (
            name, cluster.get("verdict", "missing"), ", ".join(f["code"] for f in cluster.get("findings") or []) or "no findings",
            "forwarded to %s" % ", ".join(telemetry.get("endpoints") or []) if forwarded else "NOT forwarded" if forwarded is False else "unknown"))
    return lines


def summary_table(docs):
    """Verdict counts and a few fleet figures per run, as text."""
    heads = [b for b, _p, _e in RUNS]
    rows = [(v, [docs[b]["summary"]["verdicts"].get(v, 0) for b in heads]) for v in VERDICTS]
    rows.append(("access on (API)", [docs[b]["summary"].get("access_enabled", 0) for b in heads]))
    rows.append(("active requests", [docs[b]["summary"].get("active_requests", 0) for b in heads]))
    rows.append(("diagnostic pods", [docs[b]["summary"].get("confirmed_pods", 0) for b in heads]))
    lines = ["%-18s %16s %16s %16s" % tuple(["verdict"] + heads)]
    lines += ["%-18s %16s %16s %16s" % tuple([label] + counts) for label, counts in rows]
    return "\n".join(lines)


def report_files(reports, basename):
    return sorted(f for f in os.listdir(reports) if f.startswith(basename + ".") and not f.endswith(".log"))


def demo(args):
    names, mix, down = fleet_plan(args.clusters)
    coreweave = coreweave_plan(args.coreweave)
    reports = os.path.abspath(args.reports_dir)
    os.makedirs(reports, exist_ok=True)
    with open(os.path.join(reports, "simulators.log"), "w", encoding="utf-8"):
        pass
    quiet_servers(os.path.join(reports, "simulators.log"))
    workdir = tempfile.mkdtemp(prefix="neocloud-demo-")
    fleet = cw_fleet = None
    try:
        fleet, cw_fleet = start_fleets(names, mix, down, coreweave, workdir)
        per_project = project_members(fleet, down)
        for project, members in per_project.items():
            print("  project %-9s %s" % (project + ":", ", ".join(members)))
        if cw_fleet is not None:
            print("  coreweave  %s" % ", ".join("%s (%s)" % item for item in coreweave.items()))
        print("  inventory  %s\n  kubeconfig %s" % (fleet.inventory, fleet.kubeconfig), flush=True)
        if cw_fleet is not None:
            print("  inventory  %s\n  kubeconfig %s" % (cw_fleet.inventory, cw_fleet.kubeconfig), flush=True)
        print("", flush=True)

        docs, problems = {}, []
        for basename, playbook, extra in RUNS:
            # the revoke is Crusoe's: CoreWeave access is approved per request in the Console, with no API to revoke it
            audited = cw_fleet if playbook == "audit" else None
            rc, failed, doc = run_playbook(fleet, workdir, reports, basename, playbook, extra, args.forks, audited)
            docs[basename] = doc
            problems += check_run(basename, rc, failed, doc, names, down, coreweave if audited else None,
                                  dict(zip(names, mix)))
        problems += check_simulators(fleet, down)
        problems += check_coreweave(cw_fleet)

        after = {c["cluster"]: c for c in docs["03-audit-after"]["clusters"] if c["cluster"] not in coreweave}
        still_open = sorted(n for n, c in after.items() if c["verdict"] not in ("compliant", "revoked"))
        print("\nSummary (%d Crusoe clusters in %d projects%s)\n" % (
            len(names), len(per_project), ", %d CoreWeave clusters" % len(coreweave) if coreweave else ""))
        print(summary_table(docs))
        print("\nStill open after the revoke: %s" % (", ".join(still_open) or "none"))
        for name in still_open:
            print("  %-18s %-13s %s" % cluster_line(after[name]))
            if fleet.scenario(name) == CUSTOMER_FIREWALL[0] and name != down:
                print("  %-18s %-13s (the customer's own firewall source 0.0.0.0/0 admits every address, the support VPN"
                      " too; revoke removes only the support source: narrow the rule or allow it)" % ("", ""))
        print("Unreachable (expected, its Kubernetes API was made unreachable): %s" % down)
        if coreweave:
            print("\nCoreWeave (access is approved per request in the CoreWeave Console; the audit checks the Teleport roles")
            print("and audit-log forwarding, read-only):")
            print("\n".join(coreweave_lines(docs["03-audit-after"], coreweave)))
        print("\nReports in %s:" % os.path.join(shown_path(reports), ""))
        for basename, _playbook, _extra in RUNS:
            print("  %s" % "  ".join(report_files(reports, basename) + [basename + ".log"]))
        if problems:
            print("\nThe demo did NOT run as designed:", file=sys.stderr)
            for problem in problems:
                print("  - %s" % problem, file=sys.stderr)
            return 1
        firewall = [n for n in still_open if n != down]
        print("\nDemo OK: every reachable Crusoe cluster revoked and compliant afterwards%s; %s reported unreachable%s." % (
            " (but for its own firewall rule open to all: %s)" % ", ".join(firewall) if firewall else "", down,
            "; every CoreWeave cluster audited as its scenario, nothing written" if coreweave else ""))
        return 0
    finally:
        if cw_fleet is not None:
            cw_fleet.stop()
        if fleet is not None:
            fleet.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        print("Simulators stopped, %s removed." % workdir, flush=True)


def _interrupt(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--clusters", type=int, default=12, help="fleet size (default 12, at least %d)" % len(SCENARIOS))
    parser.add_argument("--coreweave", type=int, default=3,
                        help="CoreWeave CKS clusters next to the Crusoe fleet (default 3: compliant, broad viewer role, "
                             "audit logs not forwarded; 0 for none)")
    parser.add_argument("--reports-dir", default="reports", help="where the reports go (default ./reports)")
    parser.add_argument("--forks", type=int, default=12, help="ansible-playbook --forks (default 12)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return demo(args)
    except (DemoError, PlanError) as exc:
        print("demo: %s" % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("demo: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
