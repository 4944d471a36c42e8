# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the CoreWeave API client: configuration, retry policy, error mapping, credential actions.

HTTP tests run the real client against the CoreWeave API simulator on 127.0.0.1 with a recorded sleep.
"""

from __future__ import annotations

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave as cw
from ansible_collections.neocloud.support_access.plugins.module_utils import _http
from sim.coreweave_fixtures import coreweave_sim  # noqa: F401  pylint: disable=unused-import


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(coreweave_sim, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    return cw.CoreWeaveClient(coreweave_sim.url, coreweave_sim.token("admin"), timeout=5, retries=3, sleep=sleeps.append)


# ------------------------------------------------------------------------------------------ configuration

def test_config_option_wins_over_env():
    config = cw.resolve_config({"api_token": "CW-SECRET-opt", "api_endpoint": None, "api_timeout": None},
                               {"COREWEAVE_API_TOKEN": "CW-SECRET-env", "COREWEAVE_HTTP_TIMEOUT": "7"})
    assert config["api_token"] == "CW-SECRET-opt"
    assert config["sources"]["api_token"] == "option"
    assert config["api_timeout"] == 7 and config["sources"]["api_timeout"] == "env COREWEAVE_HTTP_TIMEOUT"
    assert config["api_endpoint"] == "https://api.coreweave.com/" and config["sources"]["api_endpoint"] == "default"


def test_config_env_used_when_option_missing():
    config = cw.resolve_config({}, {"COREWEAVE_API_TOKEN": "CW-SECRET-env", "COREWEAVE_API_ENDPOINT": "http://127.0.0.1:1/"})
    assert config["api_token"] == "CW-SECRET-env" and config["api_endpoint"] == "http://127.0.0.1:1/"
    assert config["api_timeout"] == 30


def test_config_bad_timeout_names_its_source():
    with pytest.raises(cw.CoreWeaveConfigError, match="COREWEAVE_HTTP_TIMEOUT"):
        cw.resolve_config({}, {"COREWEAVE_HTTP_TIMEOUT": "soon"})


def test_missing_token_says_where_to_set_it():
    with pytest.raises(cw.CoreWeaveConfigError) as info:
        cw.require_token(cw.resolve_config({}, {}))
    assert "api_token" in info.value.message and "COREWEAVE_API_TOKEN" in info.value.message


def test_endpoint_must_be_http_url():
    with pytest.raises(cw.CoreWeaveConfigError):
        cw.CoreWeaveClient("api.coreweave.com", "t")


# ------------------------------------------------------------------------------------------ retry policy

@pytest.mark.parametrize("method,status,failure,expected", [
    ("GET", 429, None, True), ("POST", 429, None, True), ("PATCH", 429, None, True),
    ("GET", 503, None, True), ("DELETE", 502, None, True), ("PATCH", 504, None, True),
    ("POST", 502, None, False), ("POST", 503, None, False), ("POST", 504, None, False),
    ("GET", 500, None, True), ("POST", 500, None, False), ("GET", 400, None, False), ("POST", None, "timeout", False),
    ("POST", None, "refused", False), ("GET", None, "refused", True), ("GET", None, "dropped", True),
    ("GET", None, "unresolved", False),
])
def test_should_retry(method, status, failure, expected):
    assert cw.CoreWeaveClient("https://api.example/", "CW-SECRET-x").should_retry(method, status=status, failure=failure) is expected


def test_backoff_honours_retry_after_and_cap():
    assert _http.backoff_delay(0, retry_after=3) == 3
    assert _http.backoff_delay(0, retry_after=300, cap=30) == 30


def test_backoff_grows_with_jitter_within_bounds():
    assert _http.backoff_delay(2, base=0.5, rand=lambda: 0.0) == 1.0
    assert _http.backoff_delay(2, base=0.5, rand=lambda: 1.0) == 2.0
    assert _http.backoff_delay(20, base=0.5, cap=30, rand=lambda: 1.0) == 30


def test_retry_after_parses_seconds_and_rejects_garbage():
    assert _http.retry_after_seconds("4") == 4.0
    assert _http.retry_after_seconds(None) is None
    assert _http.retry_after_seconds("soon") is None


# ------------------------------------------------------------------------------------------ client over HTTP

def test_bearer_token_authenticates(client):
    answer = client.get(cw.CKS_CLUSTERS)
    assert sorted(c["name"] for c in answer["items"]) == ["gpu-infer", "gpu-train", "staging"]


def test_unknown_token_is_401(coreweave_sim):  # noqa: F811  pylint: disable=redefined-outer-name
    bad = cw.CoreWeaveClient(coreweave_sim.url, "CW-SECRET-unknown", retries=0)
    with pytest.raises(cw.CoreWeaveError) as info:
        bad.get(cw.CKS_CLUSTERS)
    assert info.value.status == 401 and info.value.code == "unauthenticated"
    assert "CW-SECRET-unknown" not in info.value.message


def test_429_retried_with_retry_after_for_post(coreweave_sim, client, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/endpoints$", method="POST", status=429, count=2, retry_after=2)
    answer = client.request("POST", cw.TELEMETRY_ENDPOINTS, {"ref": {"slug": "siem"}, "spec": cw.endpoint_spec(
        "SIEM", "https://logs.example.com/", None)})
    assert answer["endpoint"]["ref"]["slug"] == "siem"
    assert sleeps == [2.0, 2.0]
    posts = [e for e in coreweave_sim.writes() if e["method"] == "POST"]
    assert [e["status"] for e in posts] == [429, 429, 200]


def test_503_retried_for_get(coreweave_sim, client, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/cks/clusters$", status=503, count=2)
    assert len(client.get(cw.CKS_CLUSTERS)["items"]) == 3
    assert len(sleeps) == 2 and all(0 < s <= 30 for s in sleeps)


def test_503_never_retried_for_post(coreweave_sim, client, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/endpoints$", method="POST", status=503, count=1)
    with pytest.raises(cw.CoreWeaveError) as info:
        client.request("POST", cw.TELEMETRY_ENDPOINTS, {"ref": {"slug": "siem"}, "spec": cw.endpoint_spec(
            "SIEM", "https://logs.example.com/", None)})
    assert info.value.status == 503 and sleeps == []
    assert len(coreweave_sim.writes()) == 1 and coreweave_sim.state["endpoints"] == {}


def test_retries_exhausted_reports_status_and_attempts(coreweave_sim, client):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/cks/clusters$", status=502, count=10)
    with pytest.raises(cw.CoreWeaveError) as info:
        client.get(cw.CKS_CLUSTERS)
    assert info.value.status == 502 and info.value.details["attempts"] == 4


def test_dropped_connection_retried_for_get(coreweave_sim, client, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.inject(r"/cks/clusters$", drop=True, count=1)
    assert len(client.get(cw.CKS_CLUSTERS)["items"]) == 3
    assert len(sleeps) == 1


def test_slow_answer_times_out_then_retry_succeeds(coreweave_sim, sleeps):  # noqa: F811  pylint: disable=redefined-outer-name
    quick = cw.CoreWeaveClient(coreweave_sim.url, coreweave_sim.token("admin"), timeout=0.3, retries=2, sleep=sleeps.append)
    coreweave_sim.inject(r"/cks/clusters$", delay=1.0, count=1)
    assert len(quick.get(cw.CKS_CLUSTERS)["items"]) == 3
    assert len(sleeps) == 1


def test_unreachable_endpoint_is_a_clear_error(sleeps):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    dead = cw.CoreWeaveClient("http://127.0.0.1:%d/" % port, "t", retries=1, sleep=sleeps.append)
    with pytest.raises(cw.CoreWeaveError) as info:
        dead.get(cw.CKS_CLUSTERS)
    assert "cannot reach the CoreWeave API" in info.value.message and info.value.details["failure"] == "refused"


# ------------------------------------------------------------------------------------------ error mapping

def test_validation_error_carries_code_and_message(client):
    with pytest.raises(cw.CoreWeaveError) as info:
        client.request("POST", cw.TELEMETRY_ENDPOINTS, {"ref": {"slug": "siem"}, "spec": cw.endpoint_spec(
            "SIEM", "http://plain.example.com/", None)})
    assert info.value.status == 400 and info.value.code == "invalid_argument"
    assert "not a valid https:// URL" in info.value.message and info.value.request_id


def test_org_not_enabled_reason_is_read_from_the_answer(coreweave_sim, client):  # noqa: F811  pylint: disable=redefined-outer-name
    coreweave_sim.state["telemetry_relay_enabled"] = False
    with pytest.raises(cw.CoreWeaveError) as info:
        client.request("POST", cw.TELEMETRY_ENDPOINTS, {"ref": {"slug": "siem"}, "spec": cw.endpoint_spec(
            "SIEM", "https://logs.example.com/", None)})
    assert info.value.status == 404 and info.value.reason == cw.ORG_NOT_ENABLED_REASON
    explained = cw.explain_telemetry_error(info.value, write=True)
    assert "Telemetry Relay self-service is not enabled" in explained.message
    assert "contact CoreWeave support" in explained.message and explained.status == 404


@pytest.mark.parametrize("body,reason", [
    ({"reason": "A"}, "A"),
    ({"details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "B"}]}, "B"),
    ({"details": [{"type": "google.rpc.ErrorInfo", "debug": {"reason": "C"}}]}, "C"),
    ({"message": "x"}, None),
    ("not a dict", None),
])
def test_error_reason_forms(body, reason):
    assert cw.error_reason(body) == reason


def test_403_explained_with_the_missing_role():
    exc = cw.CoreWeaveError("x", status=403, method="POST", path="/v1beta1/telemetryrelay/endpoints",
                            details={"api_message": "permission denied"})
    assert "Telemetry Relay Admin role" in cw.explain_telemetry_error(exc, write=True).message
    exc.method = "GET"
    read = cw.explain_telemetry_error(exc, write=False).message
    assert "Telemetry Relay Reader role" in read and "Admin role" not in read.replace("(or Admin)", "")


def test_other_errors_pass_through_unchanged():
    exc = cw.CoreWeaveError("boom", status=400)
    assert cw.explain_telemetry_error(exc, write=True) is exc
    plain = cw.CoreWeaveError("gone", status=404, reason="NOT_FOUND")
    assert cw.explain_telemetry_error(plain, write=True) is plain


# ------------------------------------------------------------------------------------------ credential actions

@pytest.mark.parametrize("configured,given,clear,update,expected", [
    (False, True, False, "on_create", cw.CREDENTIAL_ACTION_REPLACE),    # credentials newly added
    (True, True, False, "on_create", cw.CREDENTIAL_ACTION_PRESERVE),    # rerun: never rotate
    (True, True, False, "always", cw.CREDENTIAL_ACTION_REPLACE),        # explicit rotation
    (True, False, False, "on_create", cw.CREDENTIAL_ACTION_PRESERVE),   # not given: keep what is stored
    (True, False, False, "always", cw.CREDENTIAL_ACTION_PRESERVE),      # always without values: nothing to send
    (False, False, False, "on_create", cw.CREDENTIAL_ACTION_PRESERVE),
    (True, False, True, "on_create", cw.CREDENTIAL_ACTION_CLEAR),       # explicit removal
    (False, False, True, "on_create", cw.CREDENTIAL_ACTION_PRESERVE),   # nothing stored to clear
])
def test_credential_action(configured, given, clear, update, expected):
    assert cw.credential_action(configured, given, clear, update) == expected


def test_credential_action_refuses_give_and_clear():
    with pytest.raises(ValueError):
        cw.credential_action(True, True, clear=True)


def test_credentials_label_never_shows_values():
    assert cw.credentials_label(True) == "basic auth (stored, hidden)"
    assert cw.credentials_label(False) == "none"
    assert cw.credentials_label(True, cw.CREDENTIAL_ACTION_CLEAR) == "none"
    assert "hidden" in cw.credentials_label(False, cw.CREDENTIAL_ACTION_REPLACE)


# ------------------------------------------------------------------------------------------ views

def test_endpoint_view_flattens_spec_and_status():
    view = cw.endpoint_view({"ref": {"slug": "siem"}, "spec": {"displayName": "SIEM", "https": {
        "endpoint": "https://x/", "tls": {"certificateAuthorityData": "PEM"}}},
        "status": {"credentialsConfigured": True, "state": "FORWARDING_ENDPOINT_STATE_CONNECTED"}})
    assert view["slug"] == "siem" and view["kind"] == "https" and view["url"] == "https://x/"
    assert view["certificate_authority_data"] == "PEM" and view["credentials_configured"] is True


def test_find_stream_by_display_name_case_insensitive():
    streams = [{"ref": {"slug": "app"}, "spec": {"displayName": "Application Logs"}},
               {"ref": {"slug": "audit-logs"}, "spec": {"displayName": "Audit Logs"}}]
    assert cw.find_stream(streams)["slug"] == "audit-logs"
    assert cw.find_stream(streams, "audit logs")["slug"] == "audit-logs"
    assert cw.find_stream(streams, "Nope") is None


def test_list_items_and_unwrap_accept_both_shapes():
    assert cw.list_items({"endpoints": [1]}, "endpoints") == [1]
    assert cw.list_items({"items": [2]}, "endpoints") == [2]
    assert cw.list_items(None, "x") == []
    assert cw.unwrap({"cluster": {"id": "a"}}, "cluster") == {"id": "a"}
    assert cw.unwrap({"id": "b"}, "cluster") == {"id": "b"}
