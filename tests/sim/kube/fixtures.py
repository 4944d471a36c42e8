# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest fixtures for the Kubernetes API emulator (registered as a plugin by tests/conftest.py).

- ``kube_emulator`` (session): a started Emulator; ``.kubeconfig_path`` is a kubeconfig kept up to date with every
  cluster (one context each, user admin) and ``.env`` the matching environment for kubectl/helm.
- ``kube_cluster`` (function): a fresh virtual cluster for one test plus its kubeconfig and the environment for
  real kubectl / helm / helm4 (KUBECONFIG, PATH with the venv's bin, HELM_*_HOME in a tmp dir).
"""

import itertools
import os
import subprocess
import sys

import pytest

from sim.kube.emulator import Emulator

VENV_BIN = os.path.dirname(sys.executable)
_COUNTER = itertools.count(1)


class KubeEnv:
    """A virtual cluster of the session emulator, with a kubeconfig and a client environment."""

    def __init__(self, emulator, cluster, tmp_path):
        self.emulator = emulator
        self.cluster = cluster
        self.name = cluster.name
        self.tmp_path = tmp_path
        self.kubeconfig = str(tmp_path / ("kubeconfig-%s.yaml" % cluster.name))
        emulator.write_kubeconfig(self.kubeconfig, clusters=[cluster.name])
        self.env = client_env(self.kubeconfig, tmp_path)

    def kubectl(self, *args, user=None, check=True, input_text=None, timeout=120):
        """Run the real kubectl against this cluster; returns CompletedProcess (text)."""
        cmd = [os.path.join(VENV_BIN, "kubectl"), "--context", self.name]
        if user:
            cmd += ["--user", user]
        return self._run(cmd + list(args), check, input_text, timeout)

    def helm(self, *args, version=3, check=True, timeout=300):
        """Run the real helm (version=3) or helm4 (version=4) against this cluster."""
        binary = "helm" if version == 3 else "helm4"
        cmd = [os.path.join(VENV_BIN, binary), "--kube-context", self.name] + list(args)
        env = dict(self.env)
        suffix = "helm%d" % version
        for key in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
            env[key] = env[key] + "-" + suffix
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def _run(self, cmd, check, input_text, timeout):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, input=input_text, timeout=timeout,
                              check=False)
        if check and proc.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc


def client_env(kubeconfig, home):
    """Environment for real kubectl / helm / helm4: KUBECONFIG, the venv's bin first on PATH, private HELM_* homes."""
    env = dict(os.environ)
    env.update({
        "KUBECONFIG": str(kubeconfig),
        "PATH": VENV_BIN + os.pathsep + env.get("PATH", ""),
        "HELM_CACHE_HOME": os.path.join(str(home), "helm", "cache"),
        "HELM_CONFIG_HOME": os.path.join(str(home), "helm", "config"),
        "HELM_DATA_HOME": os.path.join(str(home), "helm", "data"),
        "HOME": str(home),
    })
    return env


@pytest.fixture(scope="session")
def kube_emulator(tmp_path_factory):
    """One emulator process-wide; tests add their own clusters (see kube_cluster)."""
    home = tmp_path_factory.mktemp("kube-emulator")
    emu = Emulator().start()
    emu.kubeconfig_path = str(home / "kubeconfig.yaml")
    emu.env = client_env(emu.kubeconfig_path, home)
    yield emu
    emu.stop()


@pytest.fixture
def kube_cluster(kube_emulator, tmp_path, request):
    """A fresh virtual cluster for this test: ``.cluster`` (handle), ``.kubeconfig``, ``.env``, ``.kubectl()``, ``.helm()``."""
    base = "".join(ch if ch.isalnum() else "-" for ch in request.node.name.lower())[:40].strip("-")
    cluster = kube_emulator.add_cluster("%s-%d" % (base or "t", next(_COUNTER)))
    try:
        yield KubeEnv(kube_emulator, cluster, tmp_path)
    finally:
        kube_emulator.remove_cluster(cluster.name)


@pytest.fixture
def new_kube_cluster(kube_emulator, tmp_path):
    """Factory for extra clusters in one test: ``new_kube_cluster("name", version=...) -> KubeEnv``."""
    made = []

    def make(prefix="c", version="v1.33.4"):
        cluster = kube_emulator.add_cluster("%s-%d" % (prefix, next(_COUNTER)), version=version)
        made.append(cluster.name)
        path = tmp_path / cluster.name
        path.mkdir()
        return KubeEnv(kube_emulator, cluster, path)
    yield make
    for name in made:
        kube_emulator.remove_cluster(name)
