# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The neocloud.support_access.crusoe inventory plugin through real ansible-inventory / ansible-playbook runs
against the Crusoe API simulator (default fleet: projects ml and research; training-prod and inference in ml;
two clusters named dup in research, one running, one provisioning; pages of two items)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import yaml

from conftest import BIN, ansible_env

ML_ID = "ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab"
RESEARCH_ID = "0d1e2f30-1111-4222-8333-444455556666"


def _plain(value):
    """ansible-inventory --list marks API strings as unsafe ({"__ansible_unsafe": "x"}); unwrap them."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, _plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class Inventory:
    """One ansible-inventory --list run: rc, stderr, hostvars and group membership."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.data = _plain(json.loads(proc.stdout)) if proc.stdout.strip().startswith("{") else {}
        self.hostvars = self.data.get("_meta", {}).get("hostvars", {})

    @property
    def hosts(self):
        return sorted(self.hostvars)

    def group(self, name):
        """Hosts of a group (sorted), None when the group does not exist."""
        if name not in self.data:
            return None
        return sorted(self.data[name].get("hosts", []))


def write_inventory(tmp_path, config, name="fleet.crusoe.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({"plugin": "neocloud.support_access.crusoe"}, **config)))
    return path


def run_inventory(tmp_path, env, config, args=(), name="fleet.crusoe.yml"):
    """Real ansible-inventory --list over an inventory file written from config."""
    path = write_inventory(tmp_path, config, name)
    cmd = [os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(tmp_path, env), cwd=str(tmp_path),
                          timeout=300, check=False)
    return Inventory(proc)


def test_all_projects_one_host_per_running_cluster(tmp_path, crusoe_sim, crusoe_env):
    inv = run_inventory(tmp_path, crusoe_env, {"all_projects": True})
    assert inv.rc == 0, inv.stderr
    assert inv.hosts == ["dup", "inference", "training-prod"]
    assert inv.group("crusoe") == inv.hosts
    assert inv.group("crusoe_ml") == ["inference", "training-prod"]
    assert inv.group("crusoe_research") == ["dup"]
    assert inv.group("crusoe_us_east1_a") == ["dup", "training-prod"]
    assert inv.group("crusoe_us_southcentral1_a") == ["inference"]
    assert crusoe_sim.writes() == []


def test_contract_host_vars(tmp_path, crusoe_sim, crusoe_env):
    inv = run_inventory(tmp_path, crusoe_env, {"projects": ["ml"], "kubeconfig": "/etc/fleet/{{ name }}.kubeconfig",
                                               "context_template": "cmk-{{ project_name }}-{{ name }}"})
    assert inv.rc == 0, inv.stderr
    record = dict(crusoe_sim.cluster_by_name("training-prod")[0])
    hv = inv.hostvars["training-prod"]
    assert hv == {
        "support_access_provider": "crusoe",
        "support_access_project": ML_ID,
        "support_access_project_name": "ml",
        "support_access_cluster": record["id"],
        "support_access_cluster_name": "training-prod",
        "support_access_cluster_state": "STATE_RUNNING",
        "support_access_location": "us-east1-a",
        "support_access_kubeconfig": "/etc/fleet/training-prod.kubeconfig",
        "support_access_context": "cmk-ml-training-prod",
        "support_access_cluster_info": record,
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
    }


def test_one_project_by_name_and_by_id(tmp_path, crusoe_sim, crusoe_env):
    by_name = run_inventory(tmp_path, crusoe_env, {"projects": ["ml"]})
    assert by_name.rc == 0, by_name.stderr
    assert by_name.hosts == ["inference", "training-prod"]
    by_id = run_inventory(tmp_path, crusoe_env, {"projects": [RESEARCH_ID], "states": []})
    assert by_id.hosts == ["dup-cd5b0b6e-0000-4000-8000-000000000003", "dup-cd5b0b6e-0000-4000-8000-000000000004"]
    assert [by_id.hostvars[h]["support_access_cluster_state"] for h in by_id.hosts] == ["STATE_RUNNING",
                                                                                        "STATE_PROVISIONING"]
    cluster_lists = [e for e in crusoe_sim.request_log() if e["path"].endswith("/kubernetes/clusters")]
    assert set(e["path"] for e in cluster_lists) == {"/v1/projects/%s/kubernetes/clusters" % p for p in (ML_ID, RESEARCH_ID)}


def test_default_project_from_environment(tmp_path, crusoe_sim, crusoe_env):
    inv = run_inventory(tmp_path, dict(crusoe_env, CRUSOE_DEFAULT_PROJECT="research"), {})
    assert inv.rc == 0, inv.stderr
    assert inv.hosts == ["dup"]


def test_filters(tmp_path, crusoe_sim, crusoe_env):
    located = run_inventory(tmp_path, crusoe_env, {"all_projects": True, "locations": ["us-southcentral1-a"]})
    assert located.hosts == ["inference"]
    named = run_inventory(tmp_path, crusoe_env, {"all_projects": True, "states": [], "name_patterns": ["d*", "*-prod"],
                                                 "exclude_patterns": ["training-*"]})
    assert named.hosts == ["dup-cd5b0b6e-0000-4000-8000-000000000003", "dup-cd5b0b6e-0000-4000-8000-000000000004"]
    provisioning = run_inventory(tmp_path, crusoe_env, {"all_projects": True, "states": ["STATE_PROVISIONING"]})
    assert provisioning.hosts == ["dup"]
    assert provisioning.hostvars["dup"]["support_access_cluster"] == "cd5b0b6e-0000-4000-8000-000000000004"


def test_keyed_groups_groups_compose(tmp_path, crusoe_sim, crusoe_env):
    inv = run_inventory(tmp_path, crusoe_env, {
        "all_projects": True,
        "keyed_groups": [{"key": "support_access_cluster_info.version", "prefix": "cmk"},
                         {"key": "support_access_project_name", "prefix": "project"}],
        "groups": {"training": "'training' in support_access_cluster_name"},
        "compose": {"cmk_version": "support_access_cluster_info.version"},
    })
    assert inv.rc == 0, inv.stderr
    assert inv.group("cmk_1_33_4_cmk_1") == ["inference", "training-prod"]
    assert inv.group("cmk_1_32_1_cmk_3") == ["dup"]
    assert inv.group("project_research") == ["dup"]
    assert inv.group("training") == ["training-prod"]
    assert inv.hostvars["dup"]["cmk_version"] == "1.32.1-cmk.3"


def test_cache_second_run_sends_no_request(tmp_path, crusoe_sim, crusoe_env):
    config = {"all_projects": True, "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "inventory-cache"), "cache_timeout": 600}
    first = run_inventory(tmp_path, crusoe_env, config)
    assert first.rc == 0, first.stderr
    assert len(crusoe_sim.request_log()) >= 3
    crusoe_sim.clear_log()
    second = run_inventory(tmp_path, crusoe_env, config)
    assert second.rc == 0, second.stderr
    assert crusoe_sim.request_log() == []
    assert second.hostvars == first.hostvars
    cached = os.listdir(str(tmp_path / "inventory-cache"))
    assert len(cached) == 1
    text = (tmp_path / "inventory-cache" / cached[0]).read_text()
    assert crusoe_env["CRUSOE_SECRET_KEY"] not in text
    refreshed = run_inventory(tmp_path, crusoe_env, config, args=["--flush-cache"])
    assert refreshed.rc == 0, refreshed.stderr
    assert len(crusoe_sim.request_log()) >= 3


def test_bad_secret_key_fails_with_the_api_message(tmp_path, crusoe_sim, crusoe_env):
    wrong = "d3Jvbmctc2VjcmV0LWtleS1mb3ItdGhlLXNpbXVsYXRvcg"
    env = dict(crusoe_env, CRUSOE_SECRET_KEY=wrong)
    inv = run_inventory(tmp_path, env, {"all_projects": True})
    assert inv.hosts == []
    assert ("Crusoe inventory: Crusoe API error 401 on GET /v1/organizations/projects: signature does not match; "
            "check the secret key (code unauthorized)") in inv.stderr
    assert "secret key from env CRUSOE_SECRET_KEY" in inv.stderr
    assert wrong not in inv.stderr and wrong not in inv.stdout
    fatal = run_inventory(tmp_path, dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"), {"all_projects": True})
    assert fatal.rc != 0
    assert "signature does not match" in fatal.stderr


def test_unknown_project_fails_clearly(tmp_path, crusoe_sim, crusoe_env):
    inv = run_inventory(tmp_path, crusoe_env, {"projects": ["ml", "nope"]})
    assert inv.hosts == []
    assert ("Crusoe inventory: project 'nope' (option projects) matched 0 of the 2 projects visible to key %s "
            "(ml, research)" % crusoe_env["CRUSOE_ACCESS_KEY_ID"]) in inv.stderr


def test_unreachable_endpoint_fails_clearly(tmp_path, crusoe_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = "http://127.0.0.1:%d/v1" % port
    inv = run_inventory(tmp_path, dict(crusoe_env, CRUSOE_API_ENDPOINT=endpoint), {"all_projects": True, "api_retries": 0})
    assert inv.hosts == []
    assert "Crusoe inventory: cannot reach the Crusoe API at %s (GET /v1/organizations/projects): refused" % endpoint \
        in inv.stderr


def test_playbook_over_generated_inventory(tmp_path, ansible_playbook, crusoe_sim, crusoe_env):
    path = write_inventory(tmp_path, {"all_projects": True})
    res = ansible_playbook("""
- hosts: crusoe
  gather_facts: false
  tasks:
    - name: cluster id
      ansible.builtin.debug:
        msg: "{{ support_access_cluster }}"
    - name: python facts
      ansible.builtin.setup:
        gather_subset: ["!all", "!min", "python"]
""", inventory=str(path), env=crusoe_env)
    assert res.rc == 0, res.stdout + res.stderr
    assert sorted(res.recap) == ["dup", "inference", "training-prod"]
    for host in ("dup", "inference", "training-prod"):
        expected = crusoe_sim.cluster_by_name(host)[0]["id"] if host != "dup" else "cd5b0b6e-0000-4000-8000-000000000003"
        assert res.result("cluster id", host)["result"]["msg"] == expected
        executable = res.result("python facts", host)["result"]["ansible_facts"]["ansible_python"]["executable"]
        assert os.path.realpath(executable) == os.path.realpath(sys.executable)
    assert "\nok: [training-prod] => {\n    \"msg\": \"cd5b0b6e-0000-4000-8000-000000000001\"\n}" in res.stdout


def test_demo_fleet_single_project_needs_no_selection(tmp_path, crusoe_home):
    from sim.crusoe_api import CrusoeSim  # pylint: disable=import-outside-toplevel
    fleet = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sim", "data", "crusoe_fleet.yml")
    sim = CrusoeSim(fleet).start()
    try:
        env = dict(sim.env(), CRUSOE_DEFAULT_PROJECT="", CRUSOE_PROFILE="", HOME=str(crusoe_home))
        inv = run_inventory(tmp_path, env, {}, name="crusoe.yml")
    finally:
        sim.stop()
    assert inv.rc == 0, inv.stderr
    assert inv.hosts == ["inference", "training-prod"]
    assert inv.group("crusoe_ml") == ["inference", "training-prod"]
    assert inv.hostvars["training-prod"]["support_access_cluster"] == "2c000000-0000-4000-8000-000000000001"
