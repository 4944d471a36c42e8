"""Every bad input or API failure gives a clear module failure naming the option and the cluster."""

import pytest

ENABLE = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: support access
      neocloud.support_access.crusoe_support_access: "{{ args }}"
"""


def _fail(ansible_playbook, env, args):
    res = ansible_playbook(ENABLE, env=env, extra_vars={"args": args})
    assert res.rc != 0, res.stdout
    return res.result("support access")["result"]


def test_unknown_cluster_name(ansible_playbook, crusoe_sim, crusoe_env):
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "training-prd"})
    assert result["msg"] == ("cluster 'training-prd' not found in project 'ml' (looked up by cluster_name, option cluster)")
    assert crusoe_sim.writes() == []


def test_unknown_cluster_id(ansible_playbook, crusoe_env):
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "cd5b0b6e-0000-4000-8000-00000000ffff"})
    assert "cluster 'cd5b0b6e-0000-4000-8000-00000000ffff' not found in project 'ml' (looked up by id" in result["msg"]
    assert result["error"]["status"] == 404 and result["error"]["code"] == "not_found"


def test_ambiguous_cluster_name(ansible_playbook, crusoe_env):
    result = _fail(ansible_playbook, dict(crusoe_env, CRUSOE_DEFAULT_PROJECT="research"), {"cluster": "dup"})
    assert "cluster name 'dup' is ambiguous in project 'research': 2 clusters match" in result["msg"]
    assert "option cluster" in result["msg"]


@pytest.mark.parametrize("roles, needle", [
    (["admin"], "option roles: unknown support access role 'admin'"),
    ([], "option roles: give at least one role"),
])
def test_bad_roles_fail_before_any_request(ansible_playbook, crusoe_sim, crusoe_env, roles, needle):
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "training-prod", "roles": roles})
    assert needle in result["msg"] and "cluster 'training-prod'" in result["msg"]
    assert crusoe_sim.request_log() == []


def test_unknown_project(ansible_playbook, crusoe_env):
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "training-prod", "project": "nope"})
    assert "project 'nope' (source: option) matched 0 projects by name" in result["msg"]
    assert "cluster 'training-prod'" in result["msg"]


def test_missing_credentials_names_env_vars_and_config_file(ansible_playbook, crusoe_sim, crusoe_env, crusoe_home):
    env = dict(crusoe_env, CRUSOE_ACCESS_KEY_ID="", CRUSOE_SECRET_KEY="")
    result = _fail(ansible_playbook, env, {"cluster": "training-prod"})
    msg = result["msg"]
    assert msg.startswith("cluster 'training-prod': Crusoe credentials missing (access_key_id, secret_key)")
    assert "CRUSOE_ACCESS_KEY_ID" in msg and "CRUSOE_SECRET_KEY" in msg
    assert str(crusoe_home / ".crusoe" / "config") in msg
    assert crusoe_sim.request_log() == []


def test_wrong_secret_shows_api_401_message(ansible_playbook, crusoe_sim, crusoe_env):
    result = _fail(ansible_playbook, dict(crusoe_env, CRUSOE_SECRET_KEY="d3Jvbmctc2VjcmV0"), {"cluster": "training-prod"})
    assert "Crusoe API error 401" in result["msg"]
    assert "signature does not match; check the secret key" in result["msg"]
    assert result["error"]["status"] == 401 and result["error"]["code"] == "unauthorized"
    assert result["error"]["request_id"] and result["error"]["error_id"]
    assert "cluster 'training-prod'" in result["msg"]
    assert [e["status"] for e in crusoe_sim.request_log()] == [401]


def test_unreachable_endpoint(ansible_playbook, crusoe_env):
    result = _fail(ansible_playbook, dict(crusoe_env, CRUSOE_API_ENDPOINT="http://127.0.0.1:1/v1"),
                   {"cluster": "training-prod", "api_retries": 1})
    assert "cannot reach the Crusoe API at http://127.0.0.1:1/v1" in result["msg"]
    assert "refused" in result["msg"] and "cluster 'training-prod'" in result["msg"]


def test_server_error_on_patch_is_retried_then_reported_with_fields(ansible_playbook, crusoe_sim, crusoe_env):
    crusoe_sim.inject(r"/support/settings$", method="PATCH", status=500, count=99, body="settings store unavailable")
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "training-prod", "roles": ["readonly"], "api_retries": 1})
    assert "Crusoe API error 500 on PATCH" in result["msg"] and "settings store unavailable" in result["msg"]
    assert result["error"]["message"] == "settings store unavailable"
    assert result["error"]["details"]["attempts"] == 2
    assert len(crusoe_sim.writes()) == 2  # a PATCH with complete values is repeated after a 500, within api_retries


def test_rate_limit_and_503_are_retried_transparently(ansible_playbook, crusoe_sim, crusoe_env):
    crusoe_sim.inject(r"/kubernetes/clusters$", status=429, retry_after=0, count=2)
    crusoe_sim.inject(r"/support/settings$", method="PATCH", status=503, count=1)
    res = ansible_playbook(ENABLE, env=crusoe_env, extra_vars={"args": {"cluster": "training-prod", "roles": ["readonly"]}})
    assert res.rc == 0, res.stdout
    statuses = [(e["method"], e["status"]) for e in crusoe_sim.request_log() if "/clusters" in e["path"]]
    assert statuses.count(("GET", 429)) == 2
    assert [e["status"] for e in crusoe_sim.writes()] == [503, 200]
    assert crusoe_sim.state["support"]["cd5b0b6e-0000-4000-8000-000000000001"]["access_enabled"] is True


def test_slow_answer_times_out_with_clear_message(ansible_playbook, crusoe_sim, crusoe_env):
    crusoe_sim.inject(r"/organizations/projects$", delay=3, count=5)
    result = _fail(ansible_playbook, crusoe_env, {"cluster": "training-prod", "api_timeout": 1, "api_retries": 1})
    assert "cannot reach the Crusoe API" in result["msg"] and "timeout" in result["msg"]
