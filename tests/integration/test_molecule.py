# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs each role's molecule scenario (extensions/molecule/<role>) against the simulators started here."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from sim.chartrepo import ChartRepo
from support_k8s_helpers import MANAGED, namespace
from support_roles_helpers import start_crusoe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b]*\x1b\\\\")
SCENARIOS = ("crusoe_support_roles", "support_sweep", "support_enable", "support_revoke")


def _plain(text):
    """Molecule's output without colour codes (its step lines are coloured even without a terminal)."""
    return ANSI.sub("", text).replace(" \u279c ", ": ").replace(" -> ", ": ")


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, kube_cluster, tmp_path):
    k = kube_cluster
    k.cluster.seed([namespace(ns) for ns in MANAGED if ns not in ("crusoe-system",)])
    crusoe = start_crusoe(k.name, enabled=False)
    try:
        with ChartRepo() as repo:
            env = dict(k.env)
            env.update(crusoe.env(project="ml"))
            env.update({
                "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
                "HOME": str(tmp_path),
                "CRUSOE_PROFILE": "",
                "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".cache", "collections"),
                "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
                "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
                "ANSIBLE_NOCOLOR": "1",
                "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / "molecule"),
                "MOLECULE_SUPPORT_CLUSTER": k.name,
                "MOLECULE_SUPPORT_KUBECONFIG": k.kubeconfig,
                "MOLECULE_SUPPORT_CONTEXT": k.name,
                "MOLECULE_SUPPORT_CHART_REPO_URL": repo.url,
            })
            env.pop("ANSIBLE_CONFIG", None)
            proc = subprocess.run([os.path.join(BIN, "molecule"), "test", "-s", scenario], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=1500, check=False)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, output
        for step in ("converge", "idempotence", "verify"):
            assert "%s: Executed: Successful" % step in _plain(output), output
        if scenario in ("support_enable", "support_revoke"):
            assert crusoe.writes(), "the scenario did not reach the Crusoe simulator"
        assert k.cluster.writes(), "the scenario did not reach the emulated cluster"
    finally:
        crusoe.stop()
