"""The real tools the integration tests rely on are installed and are the versions we pin."""

import json
import os
import subprocess

import pytest

from conftest import BIN, COLLECTIONS


def _run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.parametrize("binary,major", [("helm", "v3."), ("helm4", "v4.")])
def test_helm_binaries_from_the_venv(binary, major):
    out = _run(os.path.join(BIN, binary), "version", "--short")
    assert out.startswith(major), out


def test_kubectl_from_the_venv():
    info = json.loads(_run(os.path.join(BIN, "kubectl"), "version", "--client", "-o", "json"))
    assert info["clientVersion"]["major"] == "1"
    assert int(info["clientVersion"]["minor"]) >= 33


def test_kubernetes_core_is_the_pinned_version():
    with open(os.path.join(COLLECTIONS, "ansible_collections", "kubernetes", "core", "MANIFEST.json"), encoding="utf-8") as f:
        assert json.load(f)["collection_info"]["version"] == "6.6.0"


def test_playbook_loads_kubernetes_core_and_reports_an_unreachable_api(ansible_playbook, tmp_path):
    """A real ansible-playbook run loads kubernetes.core, imports the kubernetes client and fails clearly."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        "clusters:\n- name: nowhere\n  cluster: {server: 'http://127.0.0.1:9'}\n"
        "contexts:\n- name: nowhere\n  context: {cluster: nowhere, user: nobody}\n"
        "users:\n- name: nobody\n  user: {token: not-a-secret}\n")
    res = ansible_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: List namespaces
      kubernetes.core.k8s_info:
        kubeconfig: "%s"
        kind: Namespace
      register: listing
      ignore_errors: true
    - name: Check the failure
      ansible.builtin.assert:
        that:
          - listing is failed
          - "'127.0.0.1' in listing.msg or 'Connection refused' in listing.msg or 'connect' in listing.msg | lower"
""" % kubeconfig)
    assert res.rc == 0, res.stdout + res.stderr
    event = res.result("List namespaces")
    assert event["action"] == "kubernetes.core.k8s_info"
    assert event["status"] == "ignored"
