# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The neocloud.support_access.coreweave inventory plugin through real ansible-inventory / ansible-playbook runs
against the CoreWeave API simulator (default fleet: gpu-train and gpu-infer running, staging creating)."""

from __future__ import annotations

import json
import os
import subprocess

import yaml

from conftest import BIN, ansible_env
from sim.coreweave_fixtures import coreweave_env, coreweave_sim  # noqa: F401  pylint: disable=unused-import


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
        if name not in self.data:
            return None
        return sorted(self.data[name].get("hosts", []))


def write_inventory(tmp_path, config, name="fleet.coreweave.yml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({"plugin": "neocloud.support_access.coreweave"}, **config)))
    return path


def run_inventory(tmp_path, env, config, args=(), name="fleet.coreweave.yml"):
    """Real ansible-inventory --list over an inventory file written from config."""
    path = write_inventory(tmp_path, config, name)
    cmd = [os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list"] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(tmp_path, env), cwd=str(tmp_path),
                          timeout=300, check=False)
    return Inventory(proc)


def test_running_clusters_become_hosts_with_contract_vars(tmp_path, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    inv = run_inventory(tmp_path, coreweave_env, {"kubeconfig": "/etc/fleet/{{ name }}.kubeconfig",
                                                  "context_template": "cks-{{ name }}"})
    assert inv.rc == 0, inv.stderr
    assert inv.hosts == ["gpu-infer", "gpu-train"]
    hv = inv.hostvars["gpu-train"]
    record = coreweave_sim.state["clusters"]["3f5e0000-0000-4000-8000-000000000001"]
    assert hv["support_access_provider"] == "coreweave"
    assert hv["support_access_cluster"] == record["id"] and hv["support_access_cluster_name"] == "gpu-train"
    assert hv["support_access_cluster_state"] == "STATUS_RUNNING" and hv["support_access_location"] == "US-EAST-04A"
    assert hv["support_access_cluster_version"] == "v1.33"
    assert hv["support_access_api_server"] == record["apiServerEndpoint"]
    assert hv["support_access_kubeconfig"] == "/etc/fleet/gpu-train.kubeconfig"
    assert hv["support_access_context"] == "cks-gpu-train"
    assert hv["support_access_cluster_info"]["vpcId"] == record["vpcId"]
    assert hv["ansible_connection"] == "local"
    assert inv.group("coreweave_us_east_04a") == ["gpu-train"] and inv.group("coreweave_us_west_01a") == ["gpu-infer"]
    assert [e["method"] for e in coreweave_sim.request_log()] == ["GET"]


def test_filters_through_ansible_inventory(tmp_path, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    every = run_inventory(tmp_path, coreweave_env, {"statuses": []})
    assert every.hosts == ["gpu-infer", "gpu-train", "staging"]
    zoned = run_inventory(tmp_path, coreweave_env, {"statuses": [], "zones": ["US-EAST-04A"], "exclude_patterns": ["gpu-*"]})
    assert zoned.hosts == ["staging"]


def test_playbook_sees_host_vars_and_runs_locally(tmp_path, ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    inventory = write_inventory(tmp_path, {})
    res = ansible_playbook("""
- hosts: coreweave
  gather_facts: false
  tasks:
    - name: where
      ansible.builtin.command: echo "{{ support_access_provider }} {{ support_access_cluster_name }} {{ support_access_location }}"
      changed_when: false
""", inventory=inventory, env=coreweave_env)
    assert res.rc == 0, res.stdout + res.stderr
    assert res.result("where", "gpu-train")["result"]["stdout"] == "coreweave gpu-train US-EAST-04A"
    assert res.result("where", "gpu-infer")["result"]["stdout"] == "coreweave gpu-infer US-WEST-01A"


def test_cache_second_run_sends_no_request(tmp_path, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "inventory-cache"), "cache_timeout": 600}
    first = run_inventory(tmp_path, coreweave_env, config)
    assert first.rc == 0, first.stderr
    assert len(coreweave_sim.request_log()) == 1
    coreweave_sim.clear_log()
    second = run_inventory(tmp_path, coreweave_env, config)
    assert second.rc == 0 and coreweave_sim.request_log() == [] and second.hostvars == first.hostvars
    cached = os.listdir(str(tmp_path / "inventory-cache"))
    assert len(cached) == 1
    assert coreweave_env["COREWEAVE_API_TOKEN"] not in (tmp_path / "inventory-cache" / cached[0]).read_text()
    refreshed = run_inventory(tmp_path, coreweave_env, config, args=["--flush-cache"])
    assert refreshed.rc == 0 and len(coreweave_sim.request_log()) == 1


def test_unknown_token_fails_with_the_api_message(tmp_path, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    env = dict(coreweave_env, COREWEAVE_API_TOKEN="CW-SECRET-wrong-token")
    inv = run_inventory(tmp_path, env, {})
    assert inv.hosts == []
    assert ("CoreWeave inventory: CoreWeave API error 401 on GET /v1beta1/cks/clusters: invalid API access token; "
            "check the token: option api_token or the COREWEAVE_API_TOKEN environment variable "
            "(token from COREWEAVE_API_TOKEN)") in " ".join(inv.stderr.split())
    assert "CW-SECRET-wrong-token" not in inv.stderr + inv.stdout
    fatal = run_inventory(tmp_path, dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED="true"), {})
    assert fatal.rc != 0


def test_transient_503_is_retried(tmp_path, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/cks/clusters$", status=503, count=1)
    inv = run_inventory(tmp_path, coreweave_env, {})
    assert inv.rc == 0 and inv.hosts == ["gpu-infer", "gpu-train"]
    assert [e["status"] for e in coreweave_sim.request_log()] == [503, 200]
