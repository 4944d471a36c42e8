"""crusoe_support_access / _info / crusoe_cluster_info through real ansible-playbook against the Crusoe simulator."""

import json

ENABLE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: support access
      neocloud.support_access.crusoe_support_access:
        cluster: "{{ cluster }}"
        state: "{{ state | default('enabled') }}"
        roles: "{{ roles | default(omit) }}"
"""

INFO = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: info
      neocloud.support_access.crusoe_support_access_info:
        cluster: "{{ cluster }}"
"""

TRAINING = "cd5b0b6e-0000-4000-8000-000000000001"


def _settings(sim, cluster_id=TRAINING):
    return sim.state["support"][cluster_id]


def test_enable_check_apply_idempotent_update_disable(ansible_playbook, crusoe_sim, crusoe_env):
    # check mode: reports the change, writes nothing
    res = ansible_playbook(ENABLE, env=crusoe_env, check=True, diff=True,
                           extra_vars={"cluster": "training-prod", "roles": ["readonly", "operator"]})
    assert res.rc == 0, res.stdout
    task = res.result("support access")
    assert task["changed"] is True
    assert task["result"]["diff"]["before"] == {"access_enabled": False, "enabled_roles": []}
    assert task["result"]["diff"]["after"] == {"access_enabled": True, "enabled_roles": ["readonly", "operator"]}
    assert crusoe_sim.writes() == []
    assert _settings(crusoe_sim)["access_enabled"] is False

    # apply
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"cluster": "training-prod", "roles": ["readonly", "operator"]})
    assert res.rc == 0, res.stdout
    assert res.changed == 1
    assert "diff" not in res.result("support access")["result"]  # a diff only under --diff
    patches = [w for w in crusoe_sim.writes() if w["method"] == "PATCH"]
    assert len(patches) == 1
    assert patches[0]["body"] == {"access_enabled": True, "enabled_roles": ["readonly", "operator"]}
    assert _settings(crusoe_sim)["access_enabled"] is True
    assert _settings(crusoe_sim)["enabled_roles"] == ["SUPPORT_ACCESS_ROLE_READONLY", "SUPPORT_ACCESS_ROLE_OPERATOR"]

    # second run with the CLI spelling of the same roles: nothing to do, no write
    crusoe_sim.clear_log()
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={
        "cluster": "training-prod", "roles": ["SUPPORT_ACCESS_ROLE_OPERATOR", "support_access_role_readonly"]})
    assert res.rc == 0, res.stdout
    assert res.changed == 0
    assert crusoe_sim.writes() == []

    # update: readonly only
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"cluster": "training-prod", "roles": ["readonly"]})
    assert res.changed == 1
    assert _settings(crusoe_sim)["enabled_roles"] == ["SUPPORT_ACCESS_ROLE_READONLY"]

    # disable in check mode, then for real, then again (idempotent)
    crusoe_sim.clear_log()
    res = ansible_playbook(ENABLE, env=crusoe_env, check=True, extra_vars={"cluster": "training-prod", "state": "disabled"})
    assert res.changed == 1 and crusoe_sim.writes() == []
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"cluster": "training-prod", "state": "disabled"})
    assert res.changed == 1
    assert _settings(crusoe_sim)["access_enabled"] is False
    assert [w["body"] for w in crusoe_sim.writes()] == [{"access_enabled": False}]
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"cluster": "training-prod", "state": "disabled"})
    assert res.rc == 0 and res.changed == 0


def test_operator_implies_readonly_and_cluster_by_id(ansible_playbook, crusoe_sim, crusoe_env):
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"cluster": TRAINING, "roles": ["operator"]})
    assert res.rc == 0, res.stdout
    assert res.result("support access")["result"]["support_access"]["enabled_roles"] == ["readonly", "operator"]
    assert _settings(crusoe_sim)["enabled_roles"] == ["SUPPORT_ACCESS_ROLE_READONLY", "SUPPORT_ACCESS_ROLE_OPERATOR"]


def test_info_marks_requests_active_or_expired(ansible_playbook, crusoe_sim, crusoe_env):
    res = ansible_playbook(INFO, env=crusoe_env, extra_vars={"cluster": "inference"})
    assert res.rc == 0, res.stdout
    access = res.result("info")["result"]["support_access"]
    assert access["access_enabled"] is True
    assert access["enabled_roles"] == ["readonly"]
    by_ticket = {r["ticket_ref"]: r for r in access["active_requests"]}
    assert by_ticket["ZD#1001"]["expired"] is False and by_ticket["ZD#1001"]["status"] == "active"
    assert by_ticket["ZD#0999"]["expired"] is True and by_ticket["ZD#0999"]["status"] == "expired"
    assert by_ticket["ZD#0999"]["access_role"] == "operator"
    assert access["active_request_count"] == 1
    assert crusoe_sim.writes() == []


def test_cluster_info_filters_and_all_projects(ansible_playbook, crusoe_sim, crusoe_env):
    crusoe_sim.page_size = 1
    pb = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: ml
      neocloud.support_access.crusoe_cluster_info:
    - name: by name
      neocloud.support_access.crusoe_cluster_info:
        name: inference
    - name: provisioning everywhere
      neocloud.support_access.crusoe_cluster_info:
        all_projects: true
        states: [STATE_PROVISIONING]
    - name: everything
      neocloud.support_access.crusoe_cluster_info:
        all_projects: true
        project: no-such-project
    - name: by location
      neocloud.support_access.crusoe_cluster_info:
        locations: [us-east1-a]
"""
    res = ansible_playbook(pb, env=crusoe_env)
    assert res.rc == 0, res.stdout
    assert sorted(c["name"] for c in res.result("ml")["result"]["clusters"]) == ["inference", "training-prod"]
    assert [c["id"] for c in res.result("by name")["result"]["clusters"]] == ["cd5b0b6e-0000-4000-8000-000000000002"]
    prov = res.result("provisioning everywhere")["result"]["clusters"]
    assert [(c["name"], c["project_name"]) for c in prov] == [("dup", "research")]
    everything = res.result("everything")["result"]["clusters"]
    assert len(everything) == 4 and {c["project_name"] for c in everything} == {"ml", "research"}
    assert [c["name"] for c in res.result("by location")["result"]["clusters"]] == ["training-prod"]
    # pages of one: every listing of more than one cluster needed next_token
    assert any("next_token=" in e["query"] for e in crusoe_sim.request_log())


def test_project_resolution_single_visible_project(ansible_playbook, crusoe_env):
    fleet_env = dict(crusoe_env, CRUSOE_DEFAULT_PROJECT="")
    res = ansible_playbook(INFO, env=fleet_env, extra_vars={"cluster": "inference"})
    assert res.rc != 0
    msg = res.result("info")["result"]["msg"]
    assert "no project given and 2 projects are visible" in msg and "CRUSOE_DEFAULT_PROJECT" in msg


def test_config_file_profile_is_used(ansible_playbook, crusoe_sim, crusoe_env, crusoe_home):
    key = crusoe_sim.keys[0]
    (crusoe_home / ".crusoe").mkdir()
    (crusoe_home / ".crusoe" / "config").write_text(
        'profile = "sim"\n[default]\naccess_key_id = "nope"\nsecret_key = "bm9wZQ"\napi_endpoint = "%s"\n'
        '[sim]\naccess_key_id = "%s"\nsecret_key = "%s"\napi_endpoint = "%s"\ndefault_project = "ml"\n'
        % (crusoe_sim.url, key["access_key_id"], key["secret_key"], crusoe_sim.url))
    env = dict(crusoe_env, CRUSOE_API_ENDPOINT="", CRUSOE_ACCESS_KEY_ID="", CRUSOE_SECRET_KEY="", CRUSOE_DEFAULT_PROJECT="")
    res = ansible_playbook(INFO, env=env, extra_vars={"cluster": "inference"})
    assert res.rc == 0, res.stdout
    assert res.result("info")["result"]["cluster"]["project_name"] == "ml"
    # CRUSOE_PROFILE beats the file's top-level profile key
    res = ansible_playbook(INFO, env=dict(env, CRUSOE_PROFILE="default"), extra_vars={"cluster": "inference"})
    assert res.rc != 0
    failed = res.result("info")["result"]
    assert failed["error"]["status"] == 401
    assert "unknown access key id" in failed["msg"]
    assert {e["key_id"] for e in crusoe_sim.request_log()} == {None, key["access_key_id"]}


def test_secret_never_in_output(ansible_playbook, crusoe_sim, crusoe_env):
    secret = crusoe_sim.keys[0]["secret_key"]
    pb = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: enable with secret as option
      neocloud.support_access.crusoe_support_access:
        cluster: training-prod
        access_key_id: "%s"
        secret_key: "{{ lookup('ansible.builtin.env', 'TEST_SECRET') }}"
        roles: [readonly]
    - name: failing call with the secret as option
      neocloud.support_access.crusoe_support_access:
        cluster: no-such-cluster
        secret_key: "{{ lookup('ansible.builtin.env', 'TEST_SECRET') }}"
      ignore_errors: true
""" % crusoe_sim.keys[0]["access_key_id"]
    # the secret reaches the module only as an option value (a literal in the playbook would be shown by
    # ansible-core itself when it points at a failing task's source)
    env = dict(crusoe_env, CRUSOE_SECRET_KEY="", TEST_SECRET=secret)
    res = ansible_playbook(pb, env=env, verbosity=3, diff=True)
    assert res.rc == 0, res.stdout
    assert res.changed == 1
    assert res.failed == 0 and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in res.stdout
    assert secret not in res.stdout and secret not in res.stderr
    assert secret not in json.dumps(res.events)
