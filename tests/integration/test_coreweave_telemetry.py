# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Audit-log forwarding through real ansible-playbook against the CoreWeave API simulator: the customer's HTTPS
endpoint and the pipeline from the "Audit Logs" stream are created, a rerun changes nothing, check mode writes
nothing, credentials never show up in output (even with -vvv) and are never rotated by reruns, and the
org-not-enabled and reader-role failures say what to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sim.coreweave_fixtures import coreweave_env, coreweave_reader_env, coreweave_sim  # noqa: F401  pylint: disable=unused-import

PASSWORD = "Pw-7f3c9e1b-never-print-me"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: endpoint
      neocloud.support_access.coreweave_telemetry_endpoint:
        slug: customer-siem
        display_name: Customer SIEM
        url: https://siem.customer.example/coreweave
        basic_auth:
          username: coreweave-relay
          password: "{{ siem_password }}"
    - name: pipeline
      neocloud.support_access.coreweave_telemetry_pipeline:
        slug: audit-to-siem
        source_name: Audit Logs
        destination: customer-siem
    - name: info
      neocloud.support_access.coreweave_telemetry_info:
      register: relay
    - name: audit logs reach the customer
      ansible.builtin.assert:
        that: "'customer-siem' in relay.audit_logs_forwarded_to"
"""
SECRET = {"siem_password": PASSWORD}


def test_forwarding_created_then_idempotent(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    first = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET)
    assert first.rc == 0, first.stdout + first.stderr
    assert first.recap["localhost"]["changed"] == 2
    assert [(w["method"], w["path"]) for w in coreweave_sim.writes()] == [
        ("POST", "/v1beta1/telemetryrelay/endpoints"), ("POST", "/v1beta1/telemetryrelay/pipelines")]
    pipeline = coreweave_sim.state["pipelines"]["audit-to-siem"]["spec"]
    assert pipeline == {"source": {"slug": "audit-logs"}, "destination": {"slug": "customer-siem"}, "enabled": True}
    stored = coreweave_sim.credentials("customer-siem")
    assert stored["username"] == "coreweave-relay" and stored["password"] == PASSWORD

    coreweave_sim.clear_log()
    second = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET)
    assert second.rc == 0, second.stdout + second.stderr
    assert second.recap["localhost"]["changed"] == 0
    assert coreweave_sim.writes() == []
    assert coreweave_sim.credentials("customer-siem") == stored


def test_check_mode_writes_nothing(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    # the forwarding assertion cannot hold in check mode: nothing was created
    res = ansible_playbook(PLAYBOOK.split("    - name: info", maxsplit=1)[0], env=coreweave_env, extra_vars=SECRET, check=True, diff=True)
    assert res.rc == 0, res.stdout + res.stderr
    assert res.result("endpoint", "localhost")["changed"] is True
    assert res.result("pipeline", "localhost")["changed"] is True
    assert coreweave_sim.writes() == []
    assert coreweave_sim.state["endpoints"] == {} and coreweave_sim.state["pipelines"] == {}
    assert "basic auth (new value, hidden)" in res.stdout
    assert PASSWORD not in res.stdout + res.stderr


def test_credentials_never_printed_with_vvv_and_diff(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    first = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET, verbosity=3, diff=True)
    assert first.rc == 0, first.stdout + first.stderr
    rotate = PLAYBOOK.replace("          password: \"{{ siem_password }}\"",
                              "          password: \"{{ siem_password }}\"\n        update_credentials: always")
    second = ansible_playbook(rotate, env=coreweave_env, extra_vars=SECRET, verbosity=3, diff=True)
    assert second.rc == 0, second.stdout + second.stderr
    assert second.result("endpoint", "localhost")["result"]["credential_action"] == "CREDENTIAL_ACTION_REPLACE"
    for res in (first, second):
        text = res.stdout + res.stderr + json.dumps(res.events)
        assert PASSWORD not in text
        assert coreweave_env["COREWEAVE_API_TOKEN"] not in text
    assert "basic auth (stored, hidden)" in second.stdout


def test_rerun_with_new_password_does_not_rotate(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    assert ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET).rc == 0
    stored = coreweave_sim.credentials("customer-siem")
    res = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars={"siem_password": "another-password-123"})
    assert res.rc == 0 and res.recap["localhost"]["changed"] == 0
    assert coreweave_sim.credentials("customer-siem") == stored


def test_url_change_patches_with_preserve(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    assert ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET).rc == 0
    stored = coreweave_sim.credentials("customer-siem")
    coreweave_sim.clear_log()
    res = ansible_playbook(PLAYBOOK.replace("siem.customer.example", "siem2.customer.example"), env=coreweave_env, extra_vars=SECRET)
    assert res.rc == 0 and res.recap["localhost"]["changed"] == 1
    (patch,) = coreweave_sim.writes()
    assert patch["method"] == "PATCH" and patch["body"]["credentialAction"] == "CREDENTIAL_ACTION_PRESERVE"
    assert "https" not in patch["body"] and coreweave_sim.credentials("customer-siem") == stored


def test_org_not_enabled_says_contact_coreweave(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.state["telemetry_relay_enabled"] = False
    res = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET)
    assert res.rc != 0
    result = res.result("endpoint", "localhost")
    assert result["status"] == "failed"
    msg = result["result"]["msg"]
    assert "Telemetry Relay self-service is not enabled for this CoreWeave organization" in msg
    assert "contact CoreWeave support" in msg
    assert result["result"]["error"]["reason"] == "TELEMETRYRELAY_ORGANIZATION_NOT_FOUND"
    assert PASSWORD not in res.stdout + res.stderr


def test_reader_token_gets_the_admin_role_message(ansible_playbook, coreweave_sim, coreweave_reader_env):  # noqa: F811  pylint: disable=redefined-outer-name
    res = ansible_playbook(PLAYBOOK, env=coreweave_reader_env, extra_vars=SECRET)
    assert res.rc != 0
    result = res.result("endpoint", "localhost")
    assert result["result"]["error"]["status"] == 403
    assert "needs the Telemetry Relay Admin role" in result["result"]["msg"]
    assert coreweave_sim.state["endpoints"] == {}
    info = ansible_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: info
      neocloud.support_access.coreweave_telemetry_info:
""", env=coreweave_reader_env)
    assert info.rc == 0 and info.result("info", "localhost")["result"]["audit_log_stream"]["slug"] == "audit-logs"


def test_rate_limited_create_is_retried(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/endpoints$", method="POST", status=429, count=1, retry_after=0)
    coreweave_sim.inject(r"/pipelines$", method="POST", status=503, count=1)
    res = ansible_playbook(PLAYBOOK, env=coreweave_env, extra_vars=SECRET)
    assert res.rc != 0
    assert res.result("endpoint", "localhost")["changed"] is True
    assert "CoreWeave API error 503 on POST /v1beta1/telemetryrelay/pipelines" in res.result("pipeline", "localhost")["result"]["msg"]
    posts = [(w["path"], w["status"]) for w in coreweave_sim.writes()]
    assert posts == [("/v1beta1/telemetryrelay/endpoints", 429), ("/v1beta1/telemetryrelay/endpoints", 200),
                     ("/v1beta1/telemetryrelay/pipelines", 503)]


def test_cluster_info_in_a_play(ansible_playbook, coreweave_sim, coreweave_env):  # noqa: F811  pylint: disable=redefined-outer-name
    res = ansible_playbook("""
- hosts: localhost
  gather_facts: false
  tasks:
    - name: clusters
      neocloud.support_access.coreweave_cluster_info:
        statuses: [STATUS_RUNNING]
""", env=coreweave_env, extra_vars=SECRET)
    assert res.rc == 0
    assert [c["name"] for c in res.result("clusters", "localhost")["result"]["clusters"]] == ["gpu-infer", "gpu-train"]


def test_simulator_runs_standalone(tmp_path):
    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps({"telemetry_relay_enabled": False, "clusters": [{"id": "c1", "name": "solo"}],
                                 "tokens": [{"name": "admin", "token": "CW-SECRET-solo", "roles": ["cks.viewer"]}]}))
    env = dict(os.environ, PYTHONPATH=os.path.join(os.path.dirname(os.path.dirname(__file__))))
    proc = subprocess.Popen([sys.executable, "-m", "sim.coreweave_api", "--fleet", str(fleet), "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        info = json.loads(proc.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:") and info["tokens"][0]["token"] == "CW-SECRET-solo"
        from ansible_collections.neocloud.support_access.plugins.module_utils._coreweave import CoreWeaveClient  # pylint: disable=import-outside-toplevel
        answer = CoreWeaveClient(info["url"], "CW-SECRET-solo", retries=0).get("v1beta1/cks/clusters")
        assert [c["name"] for c in answer["items"]] == ["solo"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_fleet_file_seeds_the_simulator():
    from sim.coreweave_api import CoreWeaveSim  # pylint: disable=import-outside-toplevel
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "sim", "data", "coreweave_fleet.yml")
    sim = CoreWeaveSim(path)
    assert sorted(c["name"] for c in sim.state["clusters"].values()) == ["inference-west", "sandbox", "training-east"]
    assert sim.state["endpoints"]["legacy-collector"]["status"]["credentialsConfigured"] is True
    assert "password" not in json.dumps(sim.state["endpoints"])
    assert sim.credentials("legacy-collector")["username"] == "relay"
