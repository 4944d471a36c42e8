# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report through real ansible-playbook: per-host facts, one run_once report task, set_stats."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

FUTURE = "2099-01-01T08:00:00Z"
PAST = "2020-01-01T08:00:00Z"
CHART = {"installed": True, "version": "0.2.0", "release": "crusoe-support-roles", "namespace": "crusoe-system"}
CRUSOE_BINDING = {"kind": "ClusterRoleBinding", "namespace": "", "name": "crusoe-support-readonly-binding",
                  "role": "ClusterRole/crusoe-support-readonly", "subjects": ["Group/crusoe:support:readonly"],
                  "capabilities": ["read_all"], "chart_managed": True}
VIEWER_BINDING = {"kind": "ClusterRoleBinding", "namespace": "", "name": "teleport-viewers",
                  "role": "ClusterRole/teleport-cluster-viewers", "subjects": ["Group/teleport-viewers"],
                  "capabilities": ["read_all", "exec_pods"], "chart_managed": False}


def _base(name, provider="crusoe", **overrides):
    report = {
        "schema": 1, "cluster": name, "provider": provider, "project": "ml", "cluster_id": "id-" + name,
        "playbook": "audit", "checked_at": "2026-11-22T10:00:00Z", "reachable": True,
        "api": {"access_enabled": False, "roles": [], "active_requests": []} if provider == "crusoe" else None,
        "chart": {"installed": False, "version": "", "release": "", "namespace": ""} if provider == "crusoe" else None,
        "rbac": {"bindings": [], "labelled_objects": 0, "capabilities": [], "probes_allowed": 0, "probes_total": 12},
        "pods": {"confirmed": [], "suspicious": []},
        "firewall": {"rule": "cmk-cp-api-access-cp-1", "restricted": False, "support_source_present": False} if provider == "crusoe" else None,
        "lease": {"status": "none"}, "actions": [], "findings": [], "verdict": "", "error": "",
    }
    report.update(overrides)
    return report


def fleet():
    """Host name -> the report its play builds (None: the host fails before setting the fact)."""
    return {
        "training-prod": _base("training-prod", api={"access_enabled": True, "roles": ["readonly", "operator"], "active_requests": [
            {"role": "operator", "requestor_id": "00x", "ticket": "ZD-1", "reason": "node not ready", "requested_at": "2026-11-22T09:00:00Z",
             "expires_at": FUTURE, "status": "active"}]}, chart=CHART,
            rbac={"bindings": [CRUSOE_BINDING], "labelled_objects": 7, "capabilities": ["read_all"], "probes_allowed": 3, "probes_total": 12},
            lease={"status": "active", "ticket": "ZD-1", "reason": "node not ready", "requested_by": "alice", "roles": ["operator", "readonly"],
                   "enabled_at": "2099-01-01T00:00:00Z", "expires_at": FUTURE}),
        "idle-crusoe": _base("idle-crusoe"),
        "lease-expired": _base("lease-expired", api={"access_enabled": True, "roles": ["readonly"], "active_requests": []}, chart=CHART,
                               lease={"status": "active", "ticket": "ZD-2", "enabled_at": "2020-01-01T04:00:00Z", "expires_at": PAST}),
        "cw-viewer": _base("cw-viewer", provider="coreweave",
                           rbac={"bindings": [VIEWER_BINDING], "labelled_objects": 0, "capabilities": ["exec_pods"], "probes_allowed": 0, "probes_total": 4}),
        "revoked-one": _base("revoked-one", playbook="revoke", actions=["disabled support access in the Crusoe API", "uninstalled chart crusoe-support-roles"]),
        "api-down": _base("api-down", reachable=False, error="connection refused by https://127.0.0.1:1", api=None, rbac=None, pods=None),
        "broken": None,
    }


PLAYBOOK = """
- name: Gather each cluster's state
  hosts: all
  gather_facts: false
  tasks:
    - name: A cluster whose run fails before it reports
      ansible.builtin.fail:
        msg: cannot read the kubeconfig
      when: report_base is none

    - name: Set the cluster's report, evaluated under its policy
      ansible.builtin.set_fact:
        support_access_cluster_report: >-
          {{ report_base | combine(report_base | neocloud.support_access.support_access_findings(support_access_policy | default({}))) }}

    - name: Write the fleet report
      neocloud.support_access.support_access_report:
        reports: "{{ hostvars | neocloud.support_access.support_access_reports(ansible_play_hosts_all, 'audit') }}"
        dest: "{{ report_dir }}"
        fail_on_findings: "{{ fail_on_findings | default(false) }}"
        policy: "{{ report_policy | default(omit) }}"
      run_once: true
      check_mode: "{{ report_check_mode | default(false) }}"
      register: report

    - name: Publish the summary
      ansible.builtin.set_stats:
        data:
          support_access: "{{ report.summary }}"
      run_once: true
"""


@pytest.fixture
def inventory(tmp_path):
    hosts = {}
    for name, report in fleet().items():
        hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable, "report_base": report,
                       "support_access_provider": report["provider"] if report else "crusoe",
                       "support_access_project_name": "ml", "support_access_cluster": "id-" + name}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return str(path)


def _run(ansible_playbook, inventory, tmp_path, limit=None, **extra):
    extra = dict(extra, report_dir=str(tmp_path / "reports"))
    return ansible_playbook(PLAYBOOK, inventory=inventory, extra_vars=extra, limit=limit,
                            env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})


def _doc(tmp_path):
    return json.loads((tmp_path / "reports" / "support-access-report.json").read_text())


def test_whole_fleet_report_files_verdicts_and_stats(ansible_playbook, inventory, tmp_path):
    res = _run(ansible_playbook, inventory, tmp_path)
    assert res.rc == 2, res.stdout  # the broken host failed
    assert res.recap["broken"]["failed"] == 1
    out = res.result("Write the fleet report")
    assert out["status"] == "changed"
    names = {p.name for p in (tmp_path / "reports").iterdir()}
    assert names == {"support-access-report.json", "support-access-report.md", "support-access-report.html",
                     "support-access-report.junit.xml"}

    verdicts = {c["cluster"]: c["verdict"] for c in _doc(tmp_path)["clusters"]}
    assert verdicts == {"training-prod": "compliant", "idle-crusoe": "compliant", "lease-expired": "noncompliant",
                        "cw-viewer": "noncompliant", "revoked-one": "revoked", "api-down": "unreachable", "broken": "error"}
    clusters = {c["cluster"]: c for c in _doc(tmp_path)["clusters"]}
    assert clusters["broken"]["provider"] == "crusoe" and clusters["broken"]["cluster_id"] == "id-broken"
    assert "before it reported" in clusters["broken"]["error"]
    assert [f["code"] for f in clusters["lease-expired"]["findings"]] == ["lease-expired-access-open"]
    assert [f["code"] for f in clusters["cw-viewer"]["findings"]] == ["viewer-can-exec"]

    summary = out["result"]["summary"]
    assert summary["failed"] == ["api-down", "broken", "cw-viewer", "lease-expired"]
    assert summary["access_enabled"] == 2 and summary["active_requests"] == 1
    stats = res.result("Publish the summary")["result"]["ansible_stats"]
    assert stats["data"]["support_access"]["verdicts"]["error"] == 1
    assert "CUSTOM STATS" in res.stdout and "support_access" in res.stdout

    suite = ET.parse(tmp_path / "reports" / "support-access-report.junit.xml").getroot().find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert sorted(cases) == sorted(verdicts)
    assert cases["broken"].find("error") is not None and cases["api-down"].find("error") is not None
    assert cases["cw-viewer"].find("failure") is not None and cases["training-prod"].find("failure") is None
    html = (tmp_path / "reports" / "support-access-report.html").read_text()
    assert html.count('<tr class="cluster"') == 7


def test_second_run_with_the_same_facts_changes_nothing(ansible_playbook, inventory, tmp_path):
    limit = "training-prod,idle-crusoe"
    assert _run(ansible_playbook, inventory, tmp_path, limit=limit).rc == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir()}
    res = _run(ansible_playbook, inventory, tmp_path, limit=limit)
    assert res.rc == 0 and res.result("Write the fleet report")["changed"] is False
    assert {p.name: p.read_bytes() for p in (tmp_path / "reports").iterdir()} == before


def test_check_mode_writes_nothing(ansible_playbook, inventory, tmp_path):
    res = _run(ansible_playbook, inventory, tmp_path, limit="idle-crusoe", report_check_mode=True)
    assert res.rc == 0
    out = res.result("Write the fleet report")["result"]
    assert out["changed"] is True and out["msg"].startswith("would write")
    assert not (tmp_path / "reports").exists()


def test_fail_on_findings_passes_when_the_policy_holds(ansible_playbook, inventory, tmp_path):
    res = _run(ansible_playbook, inventory, tmp_path, limit="training-prod,idle-crusoe,revoked-one", fail_on_findings=True)
    assert res.rc == 0, res.stdout
    assert res.result("Write the fleet report")["result"]["summary"]["ok"] is True


def test_fail_on_findings_fails_when_the_policy_is_broken(ansible_playbook, inventory, tmp_path):
    res = _run(ansible_playbook, inventory, tmp_path, limit="training-prod,lease-expired", fail_on_findings=True)
    assert res.rc == 2
    out = res.result("Write the fleet report")
    assert out["status"] == "failed"
    assert out["result"]["msg"].startswith("support access policy failed on 1 cluster(s) (noncompliant: lease-expired)")
    assert (tmp_path / "reports" / "support-access-report.html").exists()  # written before failing


def test_stricter_policy_on_the_report_task_fails_a_cluster_the_facts_call_compliant(ansible_playbook, inventory, tmp_path):
    res = _run(ansible_playbook, inventory, tmp_path, limit="training-prod", fail_on_findings=True,
               report_policy={"allowed_roles": ["readonly"]})
    assert res.rc == 2
    out = res.result("Write the fleet report")["result"]
    assert out["summary"]["noncompliant"] == ["training-prod"]
    assert [f["code"] for f in out["clusters"][0]["findings"]] == ["role-not-allowed"]
