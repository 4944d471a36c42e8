# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared setup for the support_rbac_info / support_pods integration tests."""

from __future__ import annotations

import json

from sim.chartrepo import ChartRepo

MANAGED = ("crusoe-system", "kube-system", "nvidia-gpu-operator", "nvidia-network-operator", "kube-amd-gpu",
           "kube-amd-network", "slinky", "slurm")


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def install_chart(kube, version="0.2.0"):
    """Install crusoe-support-roles with real helm 3 from the chart repository simulator."""
    with ChartRepo() as repo:
        kube.helm("install", "crusoe-support-roles", "crusoe-support-roles", "--repo", repo.url, "--version", version,
                  "--namespace", "crusoe-system", "--create-namespace")


def playbook(module, params, name="run"):
    """A one-task playbook on localhost calling ``module`` with kubeconfig/context from extra vars plus ``params``."""
    lines = ["- hosts: localhost", "  gather_facts: false", "  tasks:", "    - name: %s" % name,
             "      neocloud.support_access.%s:" % module,
             '        kubeconfig: "{{ kubeconfig }}"', '        context: "{{ context }}"']
    for key, value in params.items():
        lines.append("        %s: %s" % (key, json.dumps(value)))
    return "\n".join(lines) + "\n"


def kube_vars(kube):
    return {"kubeconfig": kube.kubeconfig, "context": kube.name}
