# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_cluster_info: one cluster's whole support access state in one read, against the simulated fleet.

The same read through the action plugin in the controller's worker (local connection, the controller's Python) and
as an ordinary module process (delegated), real ansible-playbook both times; nothing written; the Helm release read
from Helm's storage agrees with real helm; bad options and an unreachable cluster are named."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from sim.fleet import build_fleet

READ = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Read the cluster
      neocloud.support_access.support_cluster_info:
        cluster: "{{ support_access_cluster }}"
        name: "{{ inventory_hostname }}"
        project: "{{ support_access_project }}"
        project_name: "{{ support_access_project_name }}"
        firewall_rule: "{{ support_access_firewall_rule | default(omit) }}"
        kubeconfig: "{{ support_access_kubeconfig }}"
        context: "{{ support_access_context }}"
      register: state
      %s
"""


@pytest.fixture(scope="module")
def fleet(kube_emulator, tmp_path_factory):
    built = build_fleet(4, seed_mix=["engaged", "dormant", "diagnostic", "clean"], emulator=kube_emulator,
                        workdir=str(tmp_path_factory.mktemp("cluster-info")))
    try:
        yield built
    finally:
        built.stop()


def reports(res):
    return {e["host"]: e["result"] for e in res.events if e["action"] == "neocloud.support_access.support_cluster_info"}


def comparable(report):
    return dict(report, checked_at="")


def test_one_read_in_process_and_as_a_module_agree(ansible_playbook, fleet):
    fleet.clear_logs()
    local = ansible_playbook(READ % "", inventory=fleet.inventory, env=fleet.env(), forks=4)
    assert local.rc == 0, local.stdout + local.stderr
    delegated = ansible_playbook(READ % "delegate_to: localhost", inventory=fleet.inventory, env=fleet.env(), forks=4)
    assert delegated.rc == 0, delegated.stdout + delegated.stderr
    assert fleet.crusoe_writes() == [] and fleet.kube_writes() == {}
    in_process, module = reports(local), reports(delegated)
    assert sorted(in_process) == sorted(fleet.names) == sorted(module)
    for name in fleet.names:
        # the local host's read ran in the controller's worker, the delegated one as an AnsiballZ module process
        assert in_process[name]["invocation"]["in_process"] is True
        assert "in_process" not in module[name]["invocation"]
        assert comparable(in_process[name]["report"]) == comparable(module[name]["report"]), name
        assert in_process[name]["open"] == module[name]["open"]
    engaged, dormant, diagnostic, clean = (in_process[n]["report"] for n in fleet.names)
    assert engaged["verdict"] == "compliant" and engaged["chart"]["installed"] and engaged["chart"]["version"] == "0.2.0"
    assert engaged["api"]["access_enabled"] and engaged["lease"]["status"] == "active"
    assert engaged["firewall"]["support_source_present"] and engaged["rbac"]["probes_allowed"] > 0
    assert dormant["verdict"] == "noncompliant"
    assert [f["code"] for f in dormant["findings"]] == ["support-bindings-without-access"]
    assert [p["name"] for p in diagnostic["pods"]["confirmed"]] == ["node-shell-5c1f0a2e"]
    assert clean["verdict"] == "compliant"
    assert in_process[fleet.names[3]]["open"] == []
    assert "helm/crusoe-support-roles: the support chart crusoe-support-roles is installed - revoke uninstalls it" in \
        in_process[fleet.names[1]]["open"]


def test_the_release_read_from_helms_storage_agrees_with_helm(ansible_playbook, fleet):
    fleet.clear_logs()
    res = ansible_playbook(READ % "", inventory=fleet.inventory, env=fleet.env(), forks=4)
    assert res.rc == 0, res.stdout
    for name, result in reports(res).items():
        listed = subprocess.run(["helm", "list", "-n", "crusoe-system", "--kube-context", name, "-o", "json", "-a"],
                                env=dict(os.environ, **fleet.env()), capture_output=True, text=True, check=True)
        releases = {r["name"]: r for r in json.loads(listed.stdout or "[]")}
        chart = result["report"]["chart"]
        assert chart["installed"] == ("crusoe-support-roles" in releases), name
        if chart["installed"]:
            assert releases["crusoe-support-roles"]["chart"] == "crusoe-support-roles-" + chart["version"]
    # the read asked the API for the release's Secrets by Helm's own labels, one list per cluster
    for name in fleet.names:
        lists = [e for e in fleet.kube(name).request_log() if e["method"] == "GET" and e["resource"] == "secrets"
                 and e["namespace"] == "crusoe-system" and "owner%3Dhelm" in e["query"] and "python" in e["user_agent"].lower()]
        assert len(lists) == 1, (name, lists)


def test_bad_options_and_an_unreachable_cluster_are_named(ansible_playbook, fleet, tmp_path):
    bad = ansible_playbook((READ % "").replace('context: "{{ support_access_context }}"', "context: nowhere"),
                           inventory=fleet.inventory, env=fleet.env(), limit=fleet.names[0])
    assert bad.rc == 0, bad.stdout
    report = reports(bad)[fleet.names[0]]["report"]
    assert report["verdict"] == "error" and report["rbac"] is None
    assert "context nowhere" in report["error"] or "nowhere" in report["error"]
    assert report["api"] is not None  # the provider API was read all the same
    # access is enabled and the lease could not be read: no claim that there is none, the record says what is unknown
    assert report["api"]["access_enabled"] is True
    assert [(f["code"], f["sections"]) for f in report["findings"]] == [("unknown", ["rbac", "chart", "pods", "lease"])]

    wrong = ansible_playbook(READ.replace("      register: state", "        pods_allow: ['a/b/c']\n      register: state") % "",
                             inventory=fleet.inventory, env=fleet.env(), limit=fleet.names[0])
    assert wrong.rc != 0
    assert "invalid option: pods_allow entry 'a/b/c' must look like 'namespace/name'" in wrong.stdout

    kubeconfig = tmp_path / "down.yaml"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "down",
        "clusters": [{"name": "down", "cluster": {"server": "https://127.0.0.1:9", "insecure-skip-tls-verify": True}}],
        "contexts": [{"name": "down", "context": {"cluster": "down", "user": "u"}}],
        "users": [{"name": "u", "user": {"token": "down-token-0123456789"}}]}))
    down = ansible_playbook(READ.replace('"{{ support_access_kubeconfig }}"', str(kubeconfig)).replace(
        '"{{ support_access_context }}"', "down") % "", inventory=fleet.inventory, env=fleet.env(), limit=fleet.names[0])
    assert down.rc == 0, down.stdout
    report = reports(down)[fleet.names[0]]["report"]
    assert report["verdict"] == "unreachable" and report["reachable"] is False
    assert "cannot reach the API server https://127.0.0.1:9" in report["error"]
    assert "down-token-0123456789" not in down.stdout + json.dumps(reports(down))
