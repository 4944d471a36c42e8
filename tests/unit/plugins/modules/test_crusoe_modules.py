"""Crusoe modules run in-process against the simulator: the JSON they print and their exit code."""

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.neocloud.support_access.plugins.module_utils import _crusoe_api
from ansible_collections.neocloud.support_access.plugins.modules import (
    crusoe_support_access,
    crusoe_support_access_info,
    crusoe_support_firewall,
)


def run_module(module, args, capsys, check_mode=False):
    """Run a module's main() with args; returns (exit code, printed JSON)."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_remote_tmp="/tmp", _ansible_keep_remote_files=False)
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
    basic._ANSIBLE_PROFILE = "legacy"  # pylint: disable=protected-access
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture
def conn(crusoe_sim, tmp_path):
    key = crusoe_sim.keys[0]
    return dict(api_endpoint=crusoe_sim.url, access_key_id=key["access_key_id"], secret_key=key["secret_key"],
                project="ml", config_file=str(tmp_path / "absent"))


def test_support_access_check_mode_sends_no_patch(crusoe_sim, conn, capsys):
    code, out = run_module(crusoe_support_access, dict(conn, cluster="training-prod", roles=["operator"]), capsys,
                           check_mode=True)
    assert code == 0 and out["changed"] is True
    assert out["support_access"]["enabled_roles"] == ["readonly", "operator"]
    assert crusoe_sim.writes() == []


def test_support_access_failure_json_has_error_fields(crusoe_sim, conn, capsys):
    code, out = run_module(crusoe_support_access, dict(conn, cluster="nope"), capsys)
    assert code == 1 and out["failed"] is True
    assert out["msg"] == "cluster 'nope' not found in project 'ml' (looked up by cluster_name, option cluster)"
    assert out["error"]["status"] == 404
    assert conn["secret_key"] not in json.dumps(out)


def test_support_firewall_refuses_to_empty_a_rule(crusoe_sim, conn, capsys):
    rule = crusoe_sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000001"]
    rule["sources"] = [{"cidr": "4.7.95.218/32"}]
    code, out = run_module(crusoe_support_firewall, dict(conn, cluster="training-prod", state="absent"), capsys)
    assert code == 1
    assert "removing it would leave the rule without sources" in out["msg"]
    assert crusoe_sim.writes() == []


def test_support_firewall_broader_range_covers_address(crusoe_sim, conn, capsys):
    rule = crusoe_sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000001"]
    rule["sources"] = [{"cidr": "4.7.0.0/16"}]
    code, out = run_module(crusoe_support_firewall, dict(conn, cluster="training-prod"), capsys)
    assert code == 0 and out["changed"] is False
    assert out["support_source_needed"] is False and out["covered_by"] == "4.7.0.0/16"


def test_support_firewall_rule_must_allow_443(crusoe_sim, conn, capsys):
    rule = crusoe_sim.state["firewall_rules"]["f1000000-0000-4000-8000-000000000001"]
    rule["destination_ports"] = ["6443"]
    code, out = run_module(crusoe_support_firewall, dict(conn, cluster="training-prod"), capsys)
    assert code == 1
    assert "does not allow ingress tcp/443" in out["msg"] and "cmk-cp-api-access-cp-cd5b0b6e" in out["msg"]


def test_module_logs_in_as_service_account_and_masks_its_secret(crusoe_sim, tmp_path, capsys, monkeypatch):
    """Options only (no access key anywhere): one token request, bearer API calls; a wrong secret fails naming
    client_secret and what the token endpoint said, with neither the secret nor a token in the printed JSON."""
    account = crusoe_sim.service_accounts[0]
    for name in _crusoe_api.ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", crusoe_sim.ca_file)
    monkeypatch.setattr(_crusoe_api, "_TOKENS", {})
    conn = dict(api_endpoint=crusoe_sim.url, client_id=account["client_id"], client_secret=account["client_secret"],
                token_url=crusoe_sim.token_url, project="ml", config_file=str(tmp_path / "absent"))
    code, out = run_module(crusoe_support_access_info, dict(conn, cluster="training-prod"), capsys)
    assert code == 0 and out["support_access"]["access_enabled"] is False
    assert len(crusoe_sim.token_requests()) == 1
    assert {e["auth"] for e in crusoe_sim.request_log()} == {"basic", "bearer"}
    tokens = crusoe_sim.issued_tokens()
    code, out = run_module(crusoe_support_access_info, dict(conn, cluster="training-prod",
                                                            client_secret="not-the-" + account["client_secret"]), capsys)
    assert code == 1 and "answered 401 invalid_client: client authentication failed" in out["msg"]
    assert "client_secret" in out["msg"] and out["msg"].startswith("cluster 'training-prod': ")
    printed = json.dumps(out)
    assert account["client_secret"] not in printed and not any(t in printed for t in tokens)
