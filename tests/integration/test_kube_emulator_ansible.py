# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubernetes.core k8s, k8s_info, helm and helm_info in a real playbook against the Kubernetes API emulator."""

import pytest

from sim.chartrepo import ChartRepo

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/kubernetes.core.k8s:
      kubeconfig: "{{ kubeconfig }}"
      context: "{{ context }}"
    group/kubernetes.core.helm:
      kubeconfig: "{{ kubeconfig }}"
      context: "{{ context }}"
      binary_path: "{{ helm_binary }}"
  tasks:
    - name: namespace
      kubernetes.core.k8s:
        api_version: v1
        kind: Namespace
        name: shop
    - name: configmap
      kubernetes.core.k8s:
        definition:
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: cfg, namespace: shop, labels: {app: shop}}
          data: {mode: fast}
    - name: configmap again
      kubernetes.core.k8s:
        definition:
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: cfg, namespace: shop, labels: {app: shop}}
          data: {mode: fast}
    - name: configmap applied
      kubernetes.core.k8s:
        apply: true
        definition:
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: cfg, namespace: shop, labels: {app: shop}}
          data: {mode: slow}
    - name: deployment waits
      kubernetes.core.k8s:
        wait: true
        wait_timeout: 60
        definition:
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            replicas: 2
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: nginx, image: "nginx:1.27"}]}
    - name: info
      kubernetes.core.k8s_info:
        kind: Pod
        namespace: shop
        label_selectors: ["app=web"]
    - name: check mode delete
      check_mode: true
      kubernetes.core.k8s:
        state: absent
        api_version: v1
        kind: ConfigMap
        name: cfg
        namespace: shop
    - name: install chart
      kubernetes.core.helm:
        name: crusoe-support-roles
        chart_ref: crusoe-support-roles
        chart_repo_url: "{{ repo_url }}"
        chart_version: 0.2.0
        release_namespace: crusoe-system
        create_namespace: true
        wait: true
    - name: install chart again
      kubernetes.core.helm:
        name: crusoe-support-roles
        chart_ref: crusoe-support-roles
        chart_repo_url: "{{ repo_url }}"
        chart_version: 0.2.0
        release_namespace: crusoe-system
        create_namespace: true
        wait: true
    - name: release info
      kubernetes.core.helm_info:
        name: crusoe-support-roles
        release_namespace: crusoe-system
    - name: uninstall chart
      kubernetes.core.helm:
        name: crusoe-support-roles
        release_namespace: crusoe-system
        state: absent
        wait: true
"""


@pytest.mark.slow
@pytest.mark.parametrize("helm_binary", ["helm", "helm4"])
def test_kubernetes_core_modules(kube_cluster, ansible_playbook, helm_binary):
    k = kube_cluster
    with ChartRepo() as repo:
        res = ansible_playbook(PLAYBOOK, extra_vars={
            "kubeconfig": k.kubeconfig, "context": k.name, "repo_url": repo.url,
            "helm_binary": "%s/%s" % (k.env["PATH"].split(":")[0], helm_binary)},
            env={k_: v for k_, v in k.env.items() if k_.startswith("HELM_")})
    assert res.rc == 0, res.stdout + res.stderr
    assert res.result("namespace")["changed"] is True
    assert res.result("configmap")["changed"] is True
    assert res.result("configmap again")["changed"] is False
    assert res.result("configmap applied")["changed"] is True
    assert res.result("deployment waits")["changed"] is True
    pods = res.result("info")["result"]["resources"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)
    assert res.result("check mode delete")["changed"] is True
    assert k.cluster.get("v1", "ConfigMap", "cfg", "shop")["data"] == {"mode": "slow"}
    assert res.result("install chart")["changed"] is True
    assert res.result("install chart again")["changed"] is False
    info = res.result("release info")["result"]
    assert info["status"]["status"] == "deployed" and info["status"]["chart"] == "crusoe-support-roles-0.2.0"
    assert res.result("uninstall chart")["changed"] is True
    assert k.cluster.get("rbac.authorization.k8s.io/v1", "ClusterRole", "crusoe-support-operator") is None
