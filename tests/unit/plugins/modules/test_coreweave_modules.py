# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CoreWeave modules run in-process against the simulator: the JSON they print, their exit code, what they wrote."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.neocloud.support_access.plugins.modules import (
    coreweave_cluster_info,
    coreweave_telemetry_endpoint,
    coreweave_telemetry_info,
    coreweave_telemetry_pipeline,
)
from sim.coreweave_fixtures import coreweave_sim  # noqa: F401  pylint: disable=unused-import

PASSWORD = "s3cr3t-Pa55word-xyz"


def run_module(module, args, capsys, check_mode=False, diff=False):
    """Run a module's main() with args; returns (exit code, printed JSON)."""
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp="/tmp",
                _ansible_keep_remote_files=False)
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))  # pylint: disable=protected-access
    basic._ANSIBLE_PROFILE = "legacy"  # pylint: disable=protected-access
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture
def conn(coreweave_sim, monkeypatch):  # noqa: F811  pylint: disable=redefined-outer-name
    for name in ("COREWEAVE_API_TOKEN", "COREWEAVE_API_ENDPOINT", "COREWEAVE_HTTP_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return dict(api_endpoint=coreweave_sim.url, api_token=coreweave_sim.token("admin"), api_timeout=10)


ENDPOINT = dict(slug="siem", url="https://logs.example.com/coreweave", basic_auth=dict(username="cw", password=PASSWORD))


def _create_endpoint(conn, capsys, **extra):  # pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **dict(ENDPOINT, **extra)), capsys)
    assert code == 0, out
    return out


# ------------------------------------------------------------------------------------------ cluster info

def test_cluster_info_filters_by_status_and_zone(conn, capsys):
    code, out = run_module(coreweave_cluster_info, dict(conn, statuses=["STATUS_RUNNING"], zones=["US-EAST-04A"]), capsys)
    assert code == 0 and [c["name"] for c in out["clusters"]] == ["gpu-train"]


def test_cluster_info_by_id_and_unknown_id(conn, capsys):
    code, out = run_module(coreweave_cluster_info, dict(conn, id="3f5e0000-0000-4000-8000-000000000003"), capsys)
    assert code == 0 and [c["name"] for c in out["clusters"]] == ["staging"]
    code, out = run_module(coreweave_cluster_info, dict(conn, id="nope"), capsys)
    assert code == 0 and out["clusters"] == []


def test_cluster_info_by_name(conn, capsys):
    code, out = run_module(coreweave_cluster_info, dict(conn, name="gpu-infer"), capsys)
    assert code == 0 and [c["zone"] for c in out["clusters"]] == ["US-WEST-01A"]


def test_missing_token_fails_before_any_request(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_cluster_info, dict(conn, api_token=None), capsys)
    assert code == 1 and "COREWEAVE_API_TOKEN" in out["msg"]
    assert coreweave_sim.request_log() == []


# ------------------------------------------------------------------------------------------ endpoint

def test_endpoint_create_sends_credentials_once(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    out = _create_endpoint(conn, capsys)
    assert out["changed"] is True and out["credential_action"] == "CREDENTIAL_ACTION_REPLACE"
    assert out["endpoint"]["credentials_configured"] is True and out["endpoint"]["display_name"] == "siem"
    assert coreweave_sim.credentials("siem")["password"] == PASSWORD
    assert PASSWORD not in json.dumps(out)


def test_endpoint_rerun_changes_nothing_and_keeps_credentials(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    stored = coreweave_sim.credentials("siem")
    coreweave_sim.clear_log()
    out = _create_endpoint(conn, capsys, basic_auth=dict(username="cw", password="a-different-password"))
    assert out["changed"] is False and out["credential_action"] is None
    assert coreweave_sim.writes() == []
    assert coreweave_sim.credentials("siem") == stored


def test_endpoint_spec_change_preserves_credentials(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    stored = coreweave_sim.credentials("siem")
    coreweave_sim.clear_log()
    out = _create_endpoint(conn, capsys, url="https://logs2.example.com/coreweave", display_name="SIEM 2")
    assert out["changed"] is True and out["credential_action"] == "CREDENTIAL_ACTION_PRESERVE"
    (patch,) = coreweave_sim.writes()
    assert patch["method"] == "PATCH" and patch["body"]["credentialAction"] == "CREDENTIAL_ACTION_PRESERVE"
    assert "https" not in patch["body"]
    assert patch["body"]["spec"]["https"]["endpoint"] == "https://logs2.example.com/coreweave"
    assert coreweave_sim.credentials("siem") == stored


def test_endpoint_update_credentials_always_replaces(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    out = _create_endpoint(conn, capsys, basic_auth=dict(username="cw", password="rotated-pw-0002"),
                           update_credentials="always")
    assert out["changed"] is True and out["credential_action"] == "CREDENTIAL_ACTION_REPLACE"
    assert coreweave_sim.credentials("siem")["password"] == "rotated-pw-0002"
    assert "rotated-pw-0002" not in json.dumps(out)


def test_endpoint_credentials_added_later_are_sent(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys, basic_auth=None)
    assert coreweave_sim.credentials("siem") is None
    out = _create_endpoint(conn, capsys)
    assert out["credential_action"] == "CREDENTIAL_ACTION_REPLACE" and coreweave_sim.credentials("siem")["username"] == "cw"


def test_endpoint_omitting_credentials_never_clears_them(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    out = _create_endpoint(conn, capsys, basic_auth=None)
    assert out["changed"] is False and coreweave_sim.credentials("siem") is not None


def test_endpoint_clear_credentials_only_when_asked(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    out = _create_endpoint(conn, capsys, basic_auth=None, clear_credentials=True)
    assert out["changed"] is True and out["credential_action"] == "CREDENTIAL_ACTION_CLEAR"
    assert coreweave_sim.credentials("siem") is None and out["endpoint"]["credentials_configured"] is False
    out = _create_endpoint(conn, capsys, basic_auth=None, clear_credentials=True)
    assert out["changed"] is False


def test_endpoint_clear_and_give_credentials_conflict(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, clear_credentials=True, **ENDPOINT), capsys)
    assert code == 1 and "mutually exclusive" in out["msg"] and coreweave_sim.writes() == []


def test_endpoint_check_mode_writes_nothing(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **ENDPOINT), capsys, check_mode=True, diff=True)
    assert code == 0 and out["changed"] is True and out["endpoint"]["url"] == ENDPOINT["url"]
    assert coreweave_sim.writes() == [] and coreweave_sim.state["endpoints"] == {}
    assert out["diff"]["after"]["credentials"] == "basic auth (new value, hidden)"
    assert PASSWORD not in json.dumps(out)


def test_endpoint_diff_masks_credentials_on_update(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, update_credentials="always", **ENDPOINT), capsys,
                           diff=True)
    assert code == 0
    assert out["diff"]["before"]["credentials"] == "basic auth (stored, hidden)"
    assert out["diff"]["after"]["credentials"] == "basic auth (new value, hidden)"
    assert PASSWORD not in json.dumps(out)


def test_endpoint_ca_data_kept_unless_given(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys, certificate_authority_data="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    out = _create_endpoint(conn, capsys)
    assert out["changed"] is False and out["endpoint"]["certificate_authority_data"].startswith("-----BEGIN")
    out = _create_endpoint(conn, capsys, certificate_authority_data="")
    assert out["changed"] is True and out["endpoint"]["certificate_authority_data"] == ""


def test_endpoint_bad_url_fails_before_any_request(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **dict(ENDPOINT, url="ftp://logs.example.com/")), capsys)
    assert code == 1 and "invalid option url: 'ftp://logs.example.com/' is not an HTTPS URL" in out["msg"]
    assert coreweave_sim.request_log() == []
    assert PASSWORD not in json.dumps(out)


def test_endpoint_bad_slug_fails_before_any_request(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **dict(ENDPOINT, slug="SIEM logs!")), capsys)
    assert code == 1 and "invalid option slug: 'SIEM logs!'" in out["msg"]
    assert coreweave_sim.request_log() == []


def test_endpoint_of_another_kind_is_not_touched(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.state["endpoints"]["siem"] = {"ref": {"slug": "siem"}, "spec": {"displayName": "S3", "s3": {
        "uri": "s3://bucket/logs", "region": "us-east-1"}}, "status": {"credentialsConfigured": True}}
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **ENDPOINT), capsys)
    assert code == 1 and "is of kind s3" in out["msg"] and coreweave_sim.writes() == []


def test_endpoint_absent_deletes_then_is_idempotent(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, slug="siem", state="absent"), capsys)
    assert code == 0 and out["changed"] is True and "siem" not in coreweave_sim.state["endpoints"]
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, slug="siem", state="absent"), capsys)
    assert code == 0 and out["changed"] is False


def test_endpoint_org_not_enabled_message(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.state["telemetry_relay_enabled"] = False
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, **ENDPOINT), capsys)
    assert code == 1
    assert "Telemetry Relay self-service is not enabled" in out["msg"] and "contact CoreWeave support" in out["msg"]
    assert out["error"]["reason"] == "TELEMETRYRELAY_ORGANIZATION_NOT_FOUND" and out["error"]["status"] == 404


def test_endpoint_reader_token_403_names_admin_role(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, api_token=coreweave_sim.token("reader"), **ENDPOINT),
                           capsys)
    assert code == 1 and out["error"]["status"] == 403 and "Telemetry Relay Admin role" in out["msg"]
    assert coreweave_sim.state["endpoints"] == {}


# ------------------------------------------------------------------------------------------ pipeline

PIPELINE = dict(slug="audit-to-siem", source_name="Audit Logs", destination="siem")


def test_pipeline_created_from_stream_display_name(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    assert code == 0 and out["changed"] is True
    assert out["pipeline"]["source"] == "audit-logs" and out["pipeline"]["enabled"] is True
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    assert code == 0 and out["changed"] is False


def test_pipeline_disable_is_a_patch(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    coreweave_sim.clear_log()
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, enabled=False, **PIPELINE), capsys, diff=True)
    assert code == 0 and out["changed"] is True and out["diff"]["before"]["enabled"] is True
    assert [w["method"] for w in coreweave_sim.writes()] == ["PATCH"]
    assert coreweave_sim.state["pipelines"]["audit-to-siem"]["spec"]["enabled"] is False


def test_pipeline_unknown_stream_lists_the_streams(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, slug="p1", source="audit", destination="siem"), capsys)
    assert code == 1 and "telemetry stream 'audit'" in out["msg"] and "audit-logs (Audit Logs)" in out["msg"]
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, slug="p1", source_name="Audits", destination="siem"),
                           capsys)
    assert code == 1 and "display name 'Audits'" in out["msg"]


def test_pipeline_missing_destination_fails_but_warns_in_check_mode(coreweave_sim, conn, capsys, monkeypatch):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    assert code == 1 and "forwarding endpoint 'siem'" in out["msg"]
    warned = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, text: warned.append(text))
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys, check_mode=True)
    assert code == 0 and out["changed"] is True, out
    assert len(warned) == 1 and "does not exist" in warned[0]
    assert coreweave_sim.writes() == []


def test_endpoint_in_use_cannot_be_deleted(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    _create_endpoint(conn, capsys)
    run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    code, out = run_module(coreweave_telemetry_endpoint, dict(conn, slug="siem", state="absent"), capsys)
    assert code == 1 and "audit-to-siem" in out["msg"] and "siem" in coreweave_sim.state["endpoints"]
    code, out = run_module(coreweave_telemetry_pipeline, dict(conn, slug="audit-to-siem", state="absent"), capsys)
    assert code == 0 and out["changed"] is True and coreweave_sim.state["pipelines"] == {}


# ------------------------------------------------------------------------------------------ info

def test_info_reports_where_audit_logs_go(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_info, conn, capsys)
    assert code == 0 and out["audit_log_stream"]["slug"] == "audit-logs" and out["audit_logs_forwarded_to"] == []
    _create_endpoint(conn, capsys)
    run_module(coreweave_telemetry_pipeline, dict(conn, **PIPELINE), capsys)
    code, out = run_module(coreweave_telemetry_info, conn, capsys)
    assert out["audit_logs_forwarded_to"] == ["siem"] and [e["slug"] for e in out["endpoints"]] == ["siem"]
    run_module(coreweave_telemetry_pipeline, dict(conn, enabled=False, **PIPELINE), capsys)
    code, out = run_module(coreweave_telemetry_info, conn, capsys)
    assert out["audit_logs_forwarded_to"] == []


def test_info_without_reader_role_names_reader_role(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_info, dict(conn, api_token=coreweave_sim.token("nobody")), capsys)
    assert code == 1 and out["error"]["status"] == 403 and "Telemetry Relay Reader role" in out["msg"]


def test_info_works_with_reader_token(coreweave_sim, conn, capsys):  # noqa: F811  pylint: disable=redefined-outer-name
    code, out = run_module(coreweave_telemetry_info, dict(conn, api_token=coreweave_sim.token("reader")), capsys)
    assert code == 0 and len(out["streams"]) == 3
