# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crusoe service-account login through real ansible-playbook and ansible-inventory against the simulator, with
only CRUSOE_CLIENT_ID / CRUSOE_CLIENT_SECRET (and the token URL, with the CA of its https listener) in the
environment and no access key anywhere: one token request per process, every API call with its bearer token; a wrong
client secret fails naming client_secret and what the token endpoint said, and no secret or token is printed."""

from __future__ import annotations

import json
import os
import subprocess

from conftest import BIN, ansible_env

INFO = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: support access of two clusters
      neocloud.support_access.crusoe_support_access_info:
        cluster: "{{ item }}"
      loop: [training-prod, inference]
"""

FLEET = """
- hosts: all
  gather_facts: false
  tasks:
    - name: support access
      neocloud.support_access.crusoe_support_access_info:
        cluster: "{{ support_access_cluster }}"
        project: "{{ support_access_project }}"
"""


def api_calls(sim):
    return [e for e in sim.request_log() if not e.get("token_request")]


def assert_logged_in_once(sim):
    """One token request (HTTP Basic, client-credentials grant), then bearer API calls only, as that account."""
    account = sim.service_accounts[0]
    tokens = sim.token_requests()
    assert [(t["status"], t["auth"], t["grant_type"], t["client_id"]) for t in tokens] == [
        (200, "basic", "client_credentials", account["client_id"])]
    calls = api_calls(sim)
    assert calls and {(e["auth"], e["client_id"], e["key_id"]) for e in calls} == {("bearer", account["client_id"], None)}
    assert all(e["status"] == 200 for e in calls), calls
    assert account["client_secret"] not in json.dumps(sim.request_log())


def secrets_of(sim):
    return [sim.service_accounts[0]["client_secret"]] + sim.issued_tokens()


def printed(res):
    return res.stdout + res.stderr + json.dumps(res.events)


def test_module_logs_in_once_with_only_client_id_and_secret(ansible_playbook, crusoe_sim, crusoe_sa_env):
    assert crusoe_sa_env["CRUSOE_ACCESS_KEY_ID"] == "" and crusoe_sa_env["CRUSOE_SECRET_KEY"] == ""
    res = ansible_playbook(INFO, env=crusoe_sa_env, verbosity=3)
    assert res.rc == 0, res.stdout[-3000:]
    results = res.results("support access of two clusters")
    assert len(results) == 1 and [r["support_access"]["access_enabled"] for r in results[0]["result"]["results"]] == [
        False, True]
    # both loop items ran in one process: one token served them
    assert_logged_in_once(crusoe_sim)
    assert not any(s in printed(res) for s in secrets_of(crusoe_sim))


def run_inventory(tmp_path, env, config):
    path = tmp_path / "fleet.crusoe.yml"
    path.write_text(json.dumps(dict({"plugin": "neocloud.support_access.crusoe"}, **config)))
    return subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", str(path), "--list", "-vvv"],
                          capture_output=True, text=True, env=ansible_env(tmp_path, env), cwd=str(tmp_path), timeout=300,
                          check=False)


def test_inventory_logs_in_once_with_only_client_id_and_secret(tmp_path, crusoe_sim, crusoe_sa_env):
    proc = run_inventory(tmp_path, crusoe_sa_env, {"all_projects": True})
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout[proc.stdout.index("\n{\n") + 1:])  # after -vvv's banner
    assert sorted(listing["_meta"]["hostvars"]) == ["dup", "inference", "training-prod"]
    assert_logged_in_once(crusoe_sim)
    assert not any(s in proc.stdout + proc.stderr for s in secrets_of(crusoe_sim))


def test_inventory_and_its_modules_share_one_token(ansible_playbook, tmp_path, crusoe_sim, crusoe_sa_env):
    """The inventory parse logs in; the module runs forked from ansible-playbook after it (in-process, local hosts)
    reuse its token: one token request for the whole run."""
    inventory = tmp_path / "fleet.crusoe.yml"
    inventory.write_text("plugin: neocloud.support_access.crusoe\nprojects: [ml]\n")
    res = ansible_playbook(FLEET, inventory=str(inventory), env=crusoe_sa_env, forks=2)
    assert res.rc == 0, res.stdout[-3000:]
    assert sorted(r["host"] for r in res.results("support access")) == ["inference", "training-prod"]
    assert_logged_in_once(crusoe_sim)


def test_wrong_client_secret_names_it_and_prints_no_secret(ansible_playbook, tmp_path, crusoe_sim, crusoe_sa_env):
    wrong = "wrong-" + crusoe_sim.service_accounts[0]["client_secret"]
    env = dict(crusoe_sa_env, CRUSOE_CLIENT_SECRET=wrong)
    res = ansible_playbook(INFO, env=env, verbosity=3)
    assert res.rc != 0
    item = res.results("support access of two clusters")[0]["result"]["results"][0]
    msg = item["msg"]
    assert msg.startswith("cluster 'training-prod': Crusoe service account login failed: the token endpoint %s answered "
                          "401 invalid_client: client authentication failed; check client_id and client_secret"
                          % crusoe_sim.token_url), msg
    assert "client_secret from env CRUSOE_CLIENT_SECRET" in msg
    assert item["error"]["code"] == "invalid_client" and item["error"]["status"] == 401
    assert api_calls(crusoe_sim) == [] and crusoe_sim.issued_tokens() == []
    proc = run_inventory(tmp_path, env, {"all_projects": True})
    assert proc.returncode != 0 or "Failed to parse" in proc.stderr
    assert "401 invalid_client: client authentication failed; check client_id and client_secret" in proc.stderr
    for text in (printed(res), proc.stdout + proc.stderr):
        assert wrong not in text and crusoe_sim.service_accounts[0]["client_secret"] not in text


def test_http_token_url_is_refused_before_the_secret_is_sent(ansible_playbook, crusoe_sim, crusoe_sa_env):
    plain = crusoe_sim.token_url.replace("https://", "http://")
    res = ansible_playbook(INFO, env=dict(crusoe_sa_env, CRUSOE_TOKEN_URL=plain))
    assert res.rc != 0
    msg = res.results("support access of two clusters")[0]["result"]["results"][0]["msg"]
    assert "token_url %r (from env CRUSOE_TOKEN_URL) is not an https URL" % plain in msg
    assert crusoe_sim.request_log() == []
