# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The named fleets of ``make demo`` (tools/demo.py) and ``make sandbox`` (tools/sandbox.py).

    names, mix, down = fleet_plan(12)            # cluster names, a scenario each, the one made unreachable
    coreweave = coreweave_plan(3)                # {name: CoreWeave scenario}
    fleet, cw_fleet = start_fleets(names, mix, down, coreweave, workdir)
    project_members(fleet, down)                 # {project: ["training-prod (engaged)", ...]}
    fleet_env(fleet, cw_fleet)                   # CRUSOE_*, COREWEAVE_*, KUBECONFIG, PATH, HELM_*, HOME
    ansible_env(fleet, workdir, cw_fleet)        # the whole environment of an ansible-playbook run over both

A Crusoe fleet (sim.fleet) in two projects with every scenario, the last ``unleased`` cluster's Kubernetes API made
unreachable, and CoreWeave CKS clusters (sim.coreweave_fleet) on the same Kubernetes emulator.
"""

from __future__ import annotations

import os
import socketserver
import sys
import time

from sim.coreweave_fleet import SCENARIOS as CW_SCENARIOS, build_coreweave_fleet
from sim.fleet import PROJECTS, SCENARIOS, build_fleet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
# Two projects of six, each with every scenario once (sim.fleet puts the first half in "ml", the rest in "research").
NAMES = ("training-prod", "inference", "finetune", "notebooks", "training-eu", "inference-canary",
         "research-a", "eval", "batch-eu", "staging", "research-b", "sandbox")
CW_NAMES = ("cks-train", "cks-infer", "cks-research")
UNREACHABLE_SCENARIO = "unleased"


class PlanError(ValueError):
    """A fleet size the plan cannot serve."""


def fleet_plan(count, scenarios=SCENARIOS):
    """Names and scenarios for ``count`` clusters (``scenarios`` in order, repeated), and the one whose Kubernetes API
    is made unreachable."""
    if sorted(scenarios) != sorted(SCENARIOS):
        raise PlanError("scenarios must be %s in some order" % ", ".join(SCENARIOS))
    if count < len(SCENARIOS):
        raise PlanError("--clusters must be at least %d (one cluster per scenario)" % len(SCENARIOS))
    names = [NAMES[i] if i < len(NAMES) else "cluster-%02d" % (i + 1) for i in range(count)]
    mix = [scenarios[i % len(scenarios)] for i in range(count)]
    # the last cluster with access on and no lease: the one nobody can reach to close
    down = [n for n, s in zip(names, mix) if s == UNREACHABLE_SCENARIO][-1]
    return names, mix, down


def coreweave_plan(count):
    """Names and scenarios of ``count`` CoreWeave clusters (the scenarios in order, repeated)."""
    if count < 0:
        raise PlanError("--coreweave must be 0 or more")
    names = [CW_NAMES[i] if i < len(CW_NAMES) else "cks-%02d" % (i + 1) for i in range(count)]
    return dict(zip(names, (CW_SCENARIOS[i % len(CW_SCENARIOS)] for i in range(count))))


def start_fleets(names, mix, down, coreweave, workdir):
    """The started Crusoe fleet (``down`` unreachable) and, with ``coreweave`` ({name: scenario}), the CoreWeave fleet on
    the same Kubernetes emulator (else None); files in ``workdir``. Says what it starts; stops it all on failure."""
    print("Starting the simulators: Crusoe API, Kubernetes emulator, chart repository (%d clusters)..." % len(names),
          flush=True)
    fleet = build_fleet(len(names), seed_mix=mix, workdir=workdir, names=names)
    try:
        fleet.kube(down).set_fault("unreachable")
        cw_fleet = None
        if coreweave:
            print("Starting the CoreWeave API simulator with %d CKS clusters on the same Kubernetes emulator..." % len(coreweave),
                  flush=True)
            cw_fleet = build_coreweave_fleet(fleet.emulator, workdir, names=list(coreweave), scenarios=list(coreweave.values()))
    except BaseException:
        fleet.stop()
        raise
    return fleet, cw_fleet


def project_members(fleet, down):
    """{project name: ["<cluster> (<scenario>[, unreachable])", ...]} in the fleet's order."""
    members = {}
    for index, name in enumerate(fleet.names, start=1):
        project = PROJECTS[(index - 1) * len(PROJECTS) // len(fleet.names)]["name"]
        members.setdefault(project, []).append("%s (%s%s)" % (name, fleet.scenario(name), ", unreachable" if name == down else ""))
    return members


def quiet_servers(log_path):
    """Connection errors of the simulators' HTTP servers (clients hanging up) go to a log, not the terminal."""
    def handle_error(_server, _request, client_address):
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write("%s %s: %r\n" % (time.strftime("%H:%M:%S"), client_address, sys.exc_info()[1]))
    socketserver.BaseServer.handle_error = handle_error


def shown_path(path):
    """A path relative to the working directory when it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def fleet_env(fleet, cw_fleet=None):
    """The fleets' own variables: Crusoe credentials and endpoint, COREWEAVE_* (with cw_fleet), KUBECONFIG (the Crusoe
    fleet's), PATH with the venv's bin first, HELM_* and HOME in the fleet's directory."""
    env = fleet.env()
    if cw_fleet is not None:
        env.update(cw_fleet.env())
    return env


def ansible_env(fleet, workdir, cw_fleet=None):
    """The environment of an ansible-playbook run over the fleets: ours, fleet_env(), this checkout's collection, no
    ansible.cfg, ansible's home and temporary files in ``workdir``, no colours or retry files."""
    env = dict(os.environ)
    env.update(fleet_env(fleet, cw_fleet))
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
    })
    env.pop("ANSIBLE_CONFIG", None)
    return env
