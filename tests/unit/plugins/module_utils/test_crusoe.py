"""Unit tests for the Crusoe API client: signing, configuration, retries, helpers."""

import datetime
import http.client
import json

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _crusoe_api, _crusoe_firewall
from ansible_collections.neocloud.support_access.plugins.module_utils import _http

VECTOR_SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"
VECTOR_PATH = ("/v1/projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/kubernetes/clusters/"
               "cd5b0b6e-0000-4000-8000-000000000001/support/settings")


# ------------------------------------------------------------------------------------------ signing

def test_signing_reproduces_reference_vector():
    headers = _crusoe_api.sign_headers("TESTKEYID", VECTOR_SECRET, VECTOR_PATH, "", "GET", "2026-01-15T10:30:00Z")
    assert headers["Authorization"] == "Bearer 1.0:TESTKEYID:IH0yHpjTo-TJ-7Yv2D4LN4F3gy7YkW4W0Qxs089jKkA"
    assert headers["X-Crusoe-Timestamp"] == "2026-01-15T10:30:00Z"


def test_string_to_sign_has_four_terminated_lines_and_no_body():
    text = _crusoe_api.string_to_sign("/v1/x", "b=2&a=1", "get", "2026-01-15T10:30:00Z")
    assert text == "/v1/x\na=1&b=2\nGET\n2026-01-15T10:30:00Z\n"


def test_signature_is_unpadded_urlsafe():
    sig = _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "", "POST", "2026-01-15T10:30:00Z")
    assert "=" not in sig and "+" not in sig and "/" not in sig
    assert len(sig) == 43


def test_signature_depends_on_method_query_and_timestamp():
    base = _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "", "GET", "2026-01-15T10:30:00Z")
    assert _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "", "PATCH", "2026-01-15T10:30:00Z") != base
    assert _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "x=1", "GET", "2026-01-15T10:30:00Z") != base
    assert _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "", "GET", "2026-01-15T10:30:01Z") != base


def test_padded_and_unpadded_secret_sign_alike():
    one = _crusoe_api.compute_signature(VECTOR_SECRET, "/v1/a", "", "GET", "t")
    assert _crusoe_api.compute_signature(VECTOR_SECRET + "=", "/v1/a", "", "GET", "t") == one


def test_invalid_secret_is_a_config_error():
    with pytest.raises(_crusoe_api.CrusoeConfigError, match="secret_key is not valid"):
        _crusoe_api.compute_signature("a", "/v1/a", "", "GET", "t")


@pytest.mark.parametrize("raw, expected", [
    ("", ""),
    ("b=2&a=1", "a=1&b=2"),
    ("a=2&b=1&a=1", "a=2&a=1&b=1"),  # values keep their order within a key
    ("name=a+b", "name=a+b"),
    ("name=a%20b", "name=a+b"),  # %20 and + are both a space, re-encoded as +
    ("k=a%2Fb%3Dc", "k=a%2Fb%3Dc"),
    ("k=a/b", "k=a%2Fb"),
    ("flag", "flag="),
    ("a=1&&b=2", "a=1&b=2"),
    ("x=%7E-_.", "x=~-_."),
    ("states=STATE_RUNNING%2CSTATE_PROVISIONING", "states=STATE_RUNNING%2CSTATE_PROVISIONING"),
    ("B=1&a=1", "B=1&a=1"),  # byte order: upper case first
    ("u=%C3%A9", "u=%C3%A9"),
])
def test_canonical_query(raw, expected):
    assert _crusoe_api.canonical_query(raw) == expected


def test_canonical_query_rejects_semicolon():
    with pytest.raises(ValueError, match="semicolon"):
        _crusoe_api.canonical_query("a=1;b=2")


def test_format_timestamp_is_utc_z():
    when = datetime.datetime(2026, 1, 15, 11, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert _crusoe_api.format_timestamp(when) == "2026-01-15T10:30:00Z"


# ------------------------------------------------------------------------------------------ roles and helpers

@pytest.mark.parametrize("raw, expected", [
    (["readonly"], ["readonly"]),
    (["operator"], ["readonly", "operator"]),
    (["SUPPORT_ACCESS_ROLE_OPERATOR", "support_access_role_readonly"], ["readonly", "operator"]),
    (["ReadOnly", "readonly"], ["readonly"]),
    ([" operator "], ["readonly", "operator"]),
    ([], []),
])
def test_normalize_roles(raw, expected):
    assert _crusoe_api.normalize_roles(raw) == expected


def test_normalize_roles_without_implication_keeps_what_api_says():
    assert _crusoe_api.normalize_roles(["SUPPORT_ACCESS_ROLE_OPERATOR"], implied=False) == ["operator"]


@pytest.mark.parametrize("bad", ["admin", "SUPPORT_ACCESS_ROLE_ADMIN", "", "read-only"])
def test_unknown_role_is_rejected(bad):
    with pytest.raises(ValueError, match="unknown support access role"):
        _crusoe_api.normalize_roles([bad])


def test_annotate_requests_expiry():
    now = datetime.datetime(2026, 6, 3, 15, 0, tzinfo=datetime.timezone.utc)
    requests = [
        {"access_role": "SUPPORT_ACCESS_ROLE_READONLY", "expires_at": "2026-06-03T17:46:29Z"},
        {"access_role": "operator", "expires_at": "2026-06-03T13:46:29Z"},
        {"access_role": "readonly", "expires_at": "2026-06-03T13:46:29Z", "cert_expires_at": "2026-06-03T16:00:00.123456789Z"},
        {"access_role": "readonly"},
    ]
    out = _crusoe_api.annotate_requests(requests, now=now)
    assert [(r["expired"], r["status"]) for r in out] == [
        (False, "active"), (True, "expired"), (False, "active"), (False, "active")]
    assert out[0]["access_role"] == "readonly"
    assert "expired" not in requests[0]  # input untouched


@pytest.mark.parametrize("raw, expected", [
    ("4.7.95.218", "4.7.95.218/32"), ("10.0.0.0/8", "10.0.0.0/8"), ("2001:db8::1", "2001:db8::1/128"),
    (" 0.0.0.0/0 ", "0.0.0.0/0"),
])
def test_normalize_cidr(raw, expected):
    assert _crusoe_firewall.normalize_cidr(raw) == expected


@pytest.mark.parametrize("bad", ["10.0.0.256", "10.0.0.1/24", "10.0.0.0/33", "example.com"])
def test_normalize_cidr_rejects(bad):
    with pytest.raises(ValueError, match="in sources"):
        _crusoe_firewall.normalize_cidr(bad)


@pytest.mark.parametrize("raw, expected", [("*", "1-65535"), ("443", "443"), ("8000-9000", "8000-9000"), ("22-22", "22")])
def test_normalize_port(raw, expected):
    assert _crusoe_firewall.normalize_port(raw) == expected


@pytest.mark.parametrize("bad", ["0", "65536", "9-1", "http", "1-", "-1"])
def test_normalize_port_rejects(bad):
    with pytest.raises(ValueError, match="invalid port"):
        _crusoe_firewall.normalize_port(bad, "destination_ports")


def test_port_covers():
    assert _crusoe_firewall.port_covers([], 443)
    assert _crusoe_firewall.port_covers(["1-65535"], 443)
    assert _crusoe_firewall.port_covers(["22", "400-500"], 443)
    assert not _crusoe_firewall.port_covers(["6443"], 443)


def test_merge_endpoints():
    current = ["a", "b"]
    assert _crusoe_firewall.merge_endpoints(current, ["c", "a", "c"], "append") == ["a", "b", "c"]
    assert _crusoe_firewall.merge_endpoints(current, ["a", "z"], "remove") == ["b"]
    assert _crusoe_firewall.merge_endpoints(current, ["c", "c"], "replace") == ["c"]
    with pytest.raises(ValueError):
        _crusoe_firewall.merge_endpoints(current, [], "purge")


# ------------------------------------------------------------------------------------------ configuration

def _write_config(tmp_path, text):
    path = tmp_path / "config"
    path.write_text(text)
    return str(path)


CONFIG = """
profile = "team"
[default]
access_key_id = "DEFAULTKEY"
secret_key = "ZGVmYXVsdA"
default_project = "default-project"
[team]
access_key_id = "TEAMKEY"
secret_key = "dGVhbQ"
api_endpoint = "https://api.crusoecloud.com/v1alpha5"
default_project_id = "team-project"
[other]
access_key_id = "OTHERKEY"
secret_key = "b3RoZXI"
"""


def test_config_top_level_profile_key_is_honoured(tmp_path):
    conf = _crusoe_api.resolve_config({"config_file": _write_config(tmp_path, CONFIG)}, environ={})
    assert conf["profile"] == "team"
    assert conf["access_key_id"] == "TEAMKEY"
    assert conf["project"] == "team-project"
    assert conf["api_endpoint"] == "https://api.cloud.crusoe.ai/v1"  # legacy endpoint migrated


def test_config_env_profile_beats_top_level_key(tmp_path):
    conf = _crusoe_api.resolve_config({"config_file": _write_config(tmp_path, CONFIG)}, environ={"CRUSOE_PROFILE": "other"})
    assert conf["access_key_id"] == "OTHERKEY"
    assert conf["api_endpoint"] == _crusoe_api.DEFAULT_API_ENDPOINT
    assert conf["project"] is None


def test_config_profile_option_beats_env(tmp_path):
    conf = _crusoe_api.resolve_config({"config_file": _write_config(tmp_path, CONFIG), "profile": "default"},
                                      environ={"CRUSOE_PROFILE": "other"})
    assert conf["access_key_id"] == "DEFAULTKEY" and conf["project"] == "default-project"


def test_config_precedence_options_env_file(tmp_path):
    path = _write_config(tmp_path, CONFIG)
    env = {"CRUSOE_ACCESS_KEY_ID": "ENVKEY", "CRUSOE_SECRET_KEY": "ZW52", "CRUSOE_API_ENDPOINT": "http://127.0.0.1:1/v1/",
           "CRUSOE_DEFAULT_PROJECT": "env-project"}
    conf = _crusoe_api.resolve_config({"config_file": path}, environ=env)
    assert (conf["access_key_id"], conf["secret_key"], conf["project"]) == ("ENVKEY", "ZW52", "env-project")
    assert conf["api_endpoint"] == "http://127.0.0.1:1/v1"
    assert conf["sources"]["access_key_id"] == "env CRUSOE_ACCESS_KEY_ID"
    conf = _crusoe_api.resolve_config({"config_file": path, "access_key_id": "OPTKEY", "project": "opt-project",
                                       "api_endpoint": "https://api.crusoecloud.com/v1"}, environ=env)
    assert conf["access_key_id"] == "OPTKEY" and conf["project"] == "opt-project"
    assert conf["secret_key"] == "ZW52"
    assert conf["api_endpoint"] == "https://api.cloud.crusoe.ai/v1"
    assert conf["sources"]["access_key_id"] == "option"


def test_empty_env_values_count_as_unset(tmp_path):
    conf = _crusoe_api.resolve_config({"config_file": _write_config(tmp_path, CONFIG)},
                                      environ={"CRUSOE_ACCESS_KEY_ID": "", "CRUSOE_PROFILE": ""})
    assert conf["access_key_id"] == "TEAMKEY"


def test_missing_file_and_missing_credentials_message(tmp_path):
    conf = _crusoe_api.resolve_config({"config_file": str(tmp_path / "absent")}, environ={})
    assert conf["access_key_id"] is None and conf["api_endpoint"] == _crusoe_api.DEFAULT_API_ENDPOINT
    with pytest.raises(_crusoe_api.CrusoeConfigError) as err:
        _crusoe_api.require_credentials(conf)
    for needle in ("access_key_id, secret_key", "CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", str(tmp_path / "absent"),
                   "profile 'default'"):
        assert needle in str(err.value)


def test_broken_config_file_is_reported(tmp_path):
    with pytest.raises(_crusoe_api.CrusoeConfigError, match="cannot read the Crusoe config file"):
        _crusoe_api.resolve_config({"config_file": _write_config(tmp_path, "[default\nx=")}, environ={})


@pytest.mark.parametrize("endpoint, expected", [
    (None, "https://api.cloud.crusoe.ai/v1"),
    ("https://api.crusoecloud.com/v1alpha5", "https://api.cloud.crusoe.ai/v1"),
    ("https://api.crusoecloud.com/v1alpha5/", "https://api.cloud.crusoe.ai/v1"),
    ("https://api.crusoecloud.com/v1", "https://api.cloud.crusoe.ai/v1"),
    ("https://api.example.test/v1alpha5", "https://api.example.test/v1alpha5"),
])
def test_migrate_endpoint(endpoint, expected):
    assert _crusoe_api.migrate_endpoint(endpoint) == expected


# ------------------------------------------------------------------------------------------ retry policy

@pytest.mark.parametrize("method, status, failure, expected", [
    ("GET", 429, None, True), ("POST", 429, None, True), ("PATCH", 429, None, True),
    ("GET", 503, None, True), ("GET", 502, None, True), ("DELETE", 504, None, True), ("PATCH", 503, None, True),
    ("POST", 503, None, False), ("POST", 502, None, False), ("POST", 504, None, False),
    ("GET", 500, None, True), ("PATCH", 500, None, True), ("POST", 500, None, False),
    ("GET", 400, None, False), ("GET", 401, None, False), ("GET", 404, None, False),
    ("POST", None, "refused", True), ("GET", None, "refused", True),
    ("GET", None, "timeout", True), ("POST", None, "timeout", False),
    ("GET", None, "dropped", True), ("POST", None, "dropped", False),
    ("GET", None, "unresolved", False),
])
def test_should_retry(method, status, failure, expected):
    client = _crusoe_api.CrusoeClient("https://api.example/v1", "KEY", "c2VjcmV0")
    assert client.should_retry(method, status=status, failure=failure) is expected


def test_backoff_grows_exponentially_with_jitter_and_cap():
    assert _http.backoff_delay(0, base=1, cap=30, rand=lambda: 0.0) == 0.5
    assert _http.backoff_delay(0, base=1, cap=30, rand=lambda: 1.0) == 1.0
    assert _http.backoff_delay(3, base=1, cap=30, rand=lambda: 1.0) == 8.0
    assert _http.backoff_delay(3, base=1, cap=30, rand=lambda: 0.0) == 4.0
    assert _http.backoff_delay(10, base=1, cap=30, rand=lambda: 1.0) == 30.0
    assert _http.backoff_delay(10, base=1, cap=30, rand=lambda: 0.0) == 15.0


def test_retry_after_wins_and_is_capped():
    assert _http.backoff_delay(0, retry_after=7, base=1, cap=30, rand=lambda: 1.0) == 7
    assert _http.backoff_delay(0, retry_after=300, base=1, cap=30) == 30


def test_retry_after_parsing():
    assert _http.retry_after_seconds("3") == 3.0
    assert _http.retry_after_seconds(None) is None
    assert _http.retry_after_seconds("soon") is None
    assert _http.retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


# ------------------------------------------------------------------------------------------ client against the simulator

@pytest.fixture
def client_and_sim(crusoe_sim):
    sleeps = []
    key = crusoe_sim.keys[0]
    client = _crusoe_api.CrusoeClient(crusoe_sim.url, key["access_key_id"], key["secret_key"], timeout=5, retries=3,
                                      sleep=sleeps.append)
    return client, crusoe_sim, sleeps


def test_client_honours_retry_after(client_and_sim):
    client, sim, sleeps = client_and_sim
    sim.inject(r"/organizations/projects$", status=429, retry_after=4, count=2)
    assert len(client.list_all("organizations/projects")) == 2
    assert sleeps == [4.0, 4.0]
    assert [e["status"] for e in sim.request_log()] == [429, 429, 200]


def test_client_retries_503_for_get_but_not_post(client_and_sim):
    client, sim, sleeps = client_and_sim
    sim.inject(r"/organizations/projects$", status=503, count=1)
    client.get("organizations/projects")
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5
    path = "projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules"
    sim.inject(r"/vpc-firewall-rules$", method="POST", status=503, count=1)
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.request("POST", path, body={"name": "x"})
    assert err.value.status == 503
    assert [e["method"] for e in sim.request_log() if e["method"] == "POST"] == ["POST"]


def test_client_gives_up_after_retries(client_and_sim):
    client, sim, sleeps = client_and_sim
    sim.inject(r"/organizations/projects$", status=502, count=10)
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.get("organizations/projects")
    assert err.value.status == 502 and err.value.details["attempts"] == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0.25 * 2 ** attempt <= delay <= 0.5 * 2 ** attempt


def test_client_retries_dropped_connection_for_get_only(client_and_sim):
    client, sim, sleeps = client_and_sim
    sim.inject(r"/organizations/projects$", drop=True, count=1)
    assert client.get("organizations/projects")["items"]
    assert len(sleeps) == 1
    sim.inject(r"/vpc-firewall-rules$", method="POST", drop=True, count=1)
    with pytest.raises(_crusoe_api.CrusoeError, match="dropped"):
        client.request("POST", "projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules", body={})


def test_client_timeout_is_retried_for_get(client_and_sim):
    client, sim, sleeps = client_and_sim
    client.timeout = 0.3
    sim.inject(r"/organizations/projects$", delay=1.0, count=1)
    assert client.get("organizations/projects")["items"]
    assert len(sleeps) == 1


def test_client_error_fields_from_api(client_and_sim):
    client, dummy, dummy2 = client_and_sim
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.get("projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/kubernetes/clusters/cd5b0b6e-0000-4000-8000-00000000ffff")
    fields = err.value.as_dict()
    assert fields["status"] == 404 and fields["code"] == "not_found"
    assert fields["error_id"] and fields["request_id"] and fields["reason"] == "not_found"


def test_wrong_secret_and_clock_skew_are_401(crusoe_sim, monkeypatch):
    key = crusoe_sim.keys[0]
    bad = _crusoe_api.CrusoeClient(crusoe_sim.url, key["access_key_id"], "d3Jvbmc", retries=0)
    with pytest.raises(_crusoe_api.CrusoeError, match="signature does not match") as err:
        bad.get("organizations/projects")
    assert err.value.status == 401
    good = _crusoe_api.CrusoeClient(crusoe_sim.url, key["access_key_id"], key["secret_key"], retries=0)
    skewed = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=6)
    monkeypatch.setattr(_crusoe_api, "format_timestamp", lambda when=None: skewed.strftime("%Y-%m-%dT%H:%M:%SZ"))
    with pytest.raises(_crusoe_api.CrusoeError, match="more than 5 minutes") as err:
        good.get("organizations/projects")
    assert err.value.status == 401


def test_query_with_spaces_is_signed_canonically(client_and_sim):
    client, sim, dummy = client_and_sim
    items = client.list_all("projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/kubernetes/clusters",
                            {"cluster_name": "name with spaces/&=", "states": "STATE_RUNNING,STATE_PROVISIONING"})
    assert items == []
    assert sim.request_log()[-1]["status"] == 200


def test_unreachable_endpoint_is_not_retried_forever():
    sleeps = []
    client = _crusoe_api.CrusoeClient("http://127.0.0.1:1/v1", "k", "c2VjcmV0", retries=2, sleep=sleeps.append)
    with pytest.raises(_crusoe_api.CrusoeError, match="cannot reach the Crusoe API at http://127.0.0.1:1/v1"):
        client.get("organizations/projects")
    assert len(sleeps) == 2


def test_wait_operation_polls_until_done_and_times_out(client_and_sim):
    client, sim, sleeps = client_and_sim
    base = "projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules"
    sim.operation_polls = 3
    answer = client.request("PATCH", base + "/f1000000-0000-4000-8000-000000000001", body={"name": "renamed"})
    assert answer["operation"]["state"] == "IN_PROGRESS"
    op = client.wait_operation(base + "/operations", answer)
    assert op["state"] == "SUCCEEDED" and op["result"]["name"] == "renamed"
    assert len([e for e in sim.request_log() if "/operations/" in e["path"]]) == 3
    answer = client.request("PATCH", base + "/f1000000-0000-4000-8000-000000000001", body={"name": "again"})
    ticks = iter(range(100))
    with pytest.raises(_crusoe_api.CrusoeError, match="did not finish within 1 seconds"):
        client.wait_operation(base + "/operations", answer, timeout=1, clock=lambda: next(ticks))


def test_simulator_rejects_bad_bodies(client_and_sim):
    client, sim, dummy = client_and_sim
    path = ("projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/kubernetes/clusters/cd5b0b6e-0000-4000-8000-000000000001"
            "/support/settings")
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.request("PATCH", path, body={"enabled_roles": ["readonly"]})
    assert err.value.status == 400 and "access_enabled" in err.value.details["api_message"]
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.request("PATCH", path, body={"access_enabled": True, "enabled_roles": ["root"]})
    assert err.value.status == 400
    with pytest.raises(_crusoe_api.CrusoeError) as err:
        client.request("PATCH", "projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules/"
                       "f1000000-0000-4000-8000-000000000001", body={"direction": "egress"})
    assert err.value.status == 400 and err.value.reason == "immutable_field"
    assert sim.state["support"]["cd5b0b6e-0000-4000-8000-000000000001"]["access_enabled"] is False


def test_simulator_standalone_prints_url_and_keys(tmp_path):
    import os
    import subprocess
    import sys
    import signal
    fleet = tmp_path / "fleet.json"
    from sim.crusoe_api import default_fleet
    fleet.write_text(json.dumps(default_fleet()))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    proc = subprocess.Popen([sys.executable, "-m", "sim.crusoe_api", "--fleet", str(fleet), "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=os.path.join(root, "tests")))
    try:
        info = json.loads(proc.stdout.readline())
        client = _crusoe_api.CrusoeClient(info["url"], info["keys"][0]["access_key_id"], info["keys"][0]["secret_key"])
        assert [p["name"] for p in client.list_all("organizations/projects")] == ["ml", "research"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_http_client_sees_http11_keepalive(crusoe_sim):
    host, port = crusoe_sim.url.split("//")[1].split("/")[0].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/v1/organizations/projects")
    resp = conn.getresponse()
    body = json.loads(resp.read())
    assert resp.status == 401 and resp.version == 11
    assert set(body) >= {"code", "message"}
    conn.close()


def test_simulator_loads_yaml_fleet_with_relative_times():
    import os
    from sim.crusoe_api import CrusoeSim
    path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "sim", "data", "crusoe_fleet.yml")
    with CrusoeSim(path) as sim:
        key = sim.keys[0]
        client = _crusoe_api.CrusoeClient(sim.url, key["access_key_id"], key["secret_key"])
        settings = client.get("projects/1a000000-0000-4000-8000-000000000001/kubernetes/clusters/"
                              "2c000000-0000-4000-8000-000000000001/support/settings")
        marked = _crusoe_api.annotate_requests(settings["active_requests"])
        assert [(r["ticket_ref"], r["status"]) for r in marked] == [("ZD#4242", "active"), ("ZD#4100", "expired")]
        assert [c["name"] for c in client.list_all("projects/1a000000-0000-4000-8000-000000000001/kubernetes/clusters")] \
            == ["inference", "training-prod"]


def test_settings_view_keeps_unknown_api_roles_visible():
    view = _crusoe_api.settings_view({"access_enabled": True,
                                      "enabled_roles": ["SUPPORT_ACCESS_ROLE_OPERATOR", "SUPPORT_ACCESS_ROLE_UNSPECIFIED"]})
    assert view["enabled_roles"] == ["operator", "SUPPORT_ACCESS_ROLE_UNSPECIFIED"]
    assert view["active_requests"] == [] and view["active_request_count"] == 0


def test_which_sources_admit_the_support_vpn_and_whether_a_rule_is_open_to_all():
    sources = ["203.0.113.0/24", "4.7.95.0/24", "4.7.95.218/32", "0.0.0.0/0", "not a cidr", "2001:db8::/32"]
    assert _crusoe_firewall.admitting_sources(sources) == ["4.7.95.0/24", "0.0.0.0/0"]
    assert _crusoe_firewall.covering(sources, "4.7.95.218/32") == "4.7.95.0/24"
    assert _crusoe_firewall.open_to_all(sources) and _crusoe_firewall.open_to_all(["::/0"])
    # a rule whose /24 admits the VPN is restricted all the same: it is not open to every address
    assert not _crusoe_firewall.open_to_all(["203.0.113.0/24", "4.7.95.0/24"])
