# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crusoe service-account login: which credentials are used (precedence, half pairs, the https rule), the access
token (one per process, refreshed near expiry and once after a 401), the token endpoint's errors without the secret
or a token, and the simulator's token endpoint being as strict as RFC 6749 asks."""

import base64
import http.client
import json
import ssl
from urllib.parse import urlencode, urlsplit

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _crusoe_api as api
from ansible_collections.neocloud.support_access.plugins.module_utils import _http

from sim.crusoe_api import CrusoeSim

SECRET = "unit-sa-secret-5e0b9a1c7d3f-do-not-print"
PROJECTS = "organizations/projects"


@pytest.fixture(autouse=True)
def fresh_tokens(monkeypatch):
    """Every test starts with no token in the process cache."""
    monkeypatch.setattr(api, "_TOKENS", {})


@pytest.fixture
def trusted(crusoe_sim, monkeypatch):
    """The simulator's CA trusted through SSL_CERT_FILE, as the integration tests do."""
    monkeypatch.setenv("SSL_CERT_FILE", crusoe_sim.ca_file)
    return crusoe_sim


def login_for(sim, index=0, clock=None, **kwargs):
    account = sim.service_accounts[index]
    kwargs.setdefault("sleep", lambda seconds: None)
    if clock is not None:
        kwargs["clock"] = clock
    return api.ServiceAccountLogin(sim.token_url, account["client_id"], account["client_secret"], **kwargs)


def client_for(sim, login, **kwargs):
    kwargs.setdefault("sleep", lambda seconds: None)
    return api.CrusoeClient(sim.url, login=login, **kwargs)


def resolve(tmp_path, params=None, environ=None, config=None):
    path = tmp_path / ("config" if config else "absent")
    if config:
        path.write_text(config)
    return api.resolve_config(dict(params or {}, config_file=str(path)), environ=environ or {})


KEY_ENV = {"CRUSOE_ACCESS_KEY_ID": "ENVKEY", "CRUSOE_SECRET_KEY": "ZW52"}
SA_ENV = {"CRUSOE_CLIENT_ID": "env-sa", "CRUSOE_CLIENT_SECRET": SECRET}
KEY_FILE = '[default]\naccess_key_id = "FILEKEY"\nsecret_key = "ZmlsZQ"\n'
SA_FILE = '[default]\nclient_id = "file-sa"\nclient_secret = "%s"\ntoken_url = "https://auth.example.test/token"\n' % SECRET


# ------------------------------------------------------------------------------------------ which credentials

@pytest.mark.parametrize("params, environ, config, auth", [
    ({}, SA_ENV, None, api.AUTH_SERVICE_ACCOUNT),
    ({}, KEY_ENV, None, api.AUTH_ACCESS_KEY),
    ({}, dict(KEY_ENV, **SA_ENV), None, api.AUTH_SERVICE_ACCOUNT),   # same place: the service account wins
    ({}, {}, KEY_FILE + SA_FILE.split("\n", 1)[1], api.AUTH_SERVICE_ACCOUNT),  # same profile: likewise
    ({"access_key_id": "OPTKEY", "secret_key": "b3B0"}, SA_ENV, None, api.AUTH_ACCESS_KEY),  # option beats env
    ({"client_id": "opt-sa", "client_secret": SECRET}, KEY_ENV, None, api.AUTH_SERVICE_ACCOUNT),
    ({}, KEY_ENV, SA_FILE, api.AUTH_ACCESS_KEY),                       # env beats the config file
    ({}, SA_ENV, KEY_FILE, api.AUTH_SERVICE_ACCOUNT),
    ({"access_key_id": "OPTKEY"}, dict(SA_ENV, CRUSOE_SECRET_KEY="ZW52"), None, api.AUTH_ACCESS_KEY),  # a pair's place:
    ({}, {}, None, None),                                                                              # its best half
])
def test_precedence_of_service_account_and_access_key(tmp_path, params, environ, config, auth):
    assert resolve(tmp_path, params, environ, config)["auth"] == auth


def test_service_account_settings_and_sources(tmp_path):
    conf = resolve(tmp_path, {}, SA_ENV)
    assert (conf["client_id"], conf["client_secret"], conf["token_url"]) == ("env-sa", SECRET, api.DEFAULT_TOKEN_URL)
    assert conf["sources"]["client_id"] == "env CRUSOE_CLIENT_ID" and conf["sources"]["token_url"] is None
    conf = resolve(tmp_path, {}, {}, SA_FILE)
    assert conf["token_url"] == "https://auth.example.test/token" and conf["client_id"] == "file-sa"
    assert conf["sources"]["client_secret"] == "profile default in %s" % (tmp_path / "config")
    conf = resolve(tmp_path, {"token_url": "https://opt.example.test/t"}, {"CRUSOE_TOKEN_URL": "https://env.example.test/t"},
                   SA_FILE)
    assert conf["token_url"] == "https://opt.example.test/t"
    conf = resolve(tmp_path, {}, {"CRUSOE_TOKEN_URL": "https://env.example.test/t"}, SA_FILE)
    assert conf["token_url"] == "https://env.example.test/t"
    assert set(SA_ENV) | {"CRUSOE_TOKEN_URL"} <= set(api.ENV_VARS)


@pytest.mark.parametrize("params, environ, config, needles", [
    ({}, {"CRUSOE_CLIENT_ID": "env-sa"}, None,
     ("Crusoe service account incomplete: client_id is set (from env CRUSOE_CLIENT_ID) but client_secret is missing: "
      "set the client_secret option, the CRUSOE_CLIENT_SECRET environment variable or client_secret in profile "
      "'default'",)),
    ({"client_secret": SECRET}, {}, None,
     ("client_secret is set (from option) but client_id is missing: set the client_id option, the CRUSOE_CLIENT_ID",)),
    # a half service account never falls back to a complete access key at the same (or a lower) place
    ({}, dict(KEY_ENV, CRUSOE_CLIENT_ID="env-sa"), None,
     ("client_secret is missing", "the access key also configured (access_key_id, secret_key) is not used")),
    ({}, {"CRUSOE_CLIENT_ID": "env-sa"}, KEY_FILE, ("client_secret is missing", "access key also configured")),
    ({}, {"CRUSOE_ACCESS_KEY_ID": "ENVKEY"}, None,
     ("Crusoe access key incomplete: access_key_id is set (from env CRUSOE_ACCESS_KEY_ID) but secret_key is missing",)),
])
def test_half_configured_pair_is_a_clear_error(tmp_path, params, environ, config, needles):
    with pytest.raises(api.CrusoeConfigError) as err:
        api.require_credentials(resolve(tmp_path, params, environ, config))
    for needle in needles:
        assert needle in err.value.message
    assert SECRET not in err.value.message


def test_no_credentials_message_names_both_methods(tmp_path):
    with pytest.raises(api.CrusoeConfigError) as err:
        api.require_credentials(resolve(tmp_path))
    assert err.value.message.startswith("Crusoe credentials missing (access_key_id, secret_key): set the access_key_id")
    assert "client_id and client_secret (CRUSOE_CLIENT_ID and CRUSOE_CLIENT_SECRET" in err.value.message


@pytest.mark.parametrize("url", ["http://auth.crusoe.ai/oauth2/token", "auth.crusoe.ai/oauth2/token", "ftp://x/y",
                                 "https://"])
def test_token_url_must_be_https(tmp_path, url):
    with pytest.raises(api.CrusoeConfigError) as err:
        api.client_from_params({"client_id": "sa", "client_secret": SECRET, "token_url": url,
                                "config_file": str(tmp_path / "absent")}, environ={})
    assert err.value.message.startswith("token_url %r (from option) is not an https URL" % url)
    assert SECRET not in err.value.message


def test_token_url_is_not_checked_for_an_access_key(tmp_path):
    config, client = api.client_from_params({"access_key_id": "K", "secret_key": "c2VjcmV0", "config_file":
                                             str(tmp_path / "absent")}, environ={"CRUSOE_TOKEN_URL": "http://x/t"})
    assert config["auth"] == api.AUTH_ACCESS_KEY and client.login is None


def test_client_from_params_builds_a_login_without_the_access_key(tmp_path):
    config, client = api.client_from_params({"config_file": str(tmp_path / "absent")}, environ=dict(KEY_ENV, **SA_ENV))
    assert config["auth"] == api.AUTH_SERVICE_ACCOUNT
    assert client.access_key_id is None and client.secret_key is None
    assert client.login.client_id == "env-sa" and client.login.endpoint == api.DEFAULT_TOKEN_URL
    assert api.credential_label(config) == "service account env-sa"


# ------------------------------------------------------------------------------------------ the token

def test_one_token_request_for_many_api_calls_and_clients(trusted):
    sim = trusted
    client = client_for(sim, login_for(sim))
    for dummy in range(3):
        assert len(client.list_all(PROJECTS)) == 2
    # a second client of the same process and account (another inventory source, the cluster-state engine)
    client_for(sim, login_for(sim)).get(PROJECTS)
    log = sim.request_log()
    assert len(sim.token_requests()) == 1
    assert [e["auth"] for e in log] == ["basic"] + ["bearer"] * (len(log) - 1)
    assert {e["client_id"] for e in log} == {sim.service_accounts[0]["client_id"]}
    assert SECRET not in json.dumps(log) and sim.service_accounts[0]["client_secret"] not in json.dumps(log)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("lifetime, early, late", [(3600, 3539, 3541), (100, 49, 51)])
def test_token_refreshed_within_sixty_seconds_of_expiry(trusted, lifetime, early, late):
    sim = trusted
    sim.token_lifetime = lifetime
    clock = Clock()
    login = login_for(sim, clock=clock)
    first = login.token()
    clock.now += early
    assert login.token() == first and len(sim.token_requests()) == 1
    clock.now += late - early
    assert login.token() != first and len(sim.token_requests()) == 2


def test_refused_token_is_replaced_once(trusted):
    sim = trusted
    client = client_for(sim, login_for(sim))
    client.get(PROJECTS)
    sim.expire_tokens()  # revoked or expired early: the API answers 401
    assert client.get(PROJECTS)["items"]
    assert [(e["path"], e["status"]) for e in sim.request_log()][-3:] == [
        ("/v1/organizations/projects", 401), ("/oauth2/token", 200), ("/v1/organizations/projects", 200)]
    # the API refuses the new token too: one refresh, then a clear error (no loop)
    sim.inject(r"/organizations/projects$", status=401, count=2)
    with pytest.raises(api.CrusoeError) as err:
        client.get(PROJECTS)
    assert err.value.status == 401 and len(sim.token_requests()) == 3
    assert "service account %s" % sim.service_accounts[0]["client_id"] in err.value.message
    assert "client_id and client_secret" in err.value.message


def test_post_refused_with_401_is_repeated_with_a_new_token(trusted):
    sim = trusted
    client = client_for(sim, login_for(sim))
    client.get(PROJECTS)
    sim.expire_tokens()
    path = "projects/ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab/networking/vpc-firewall-rules"
    answer = client.request("POST", path, body={"name": "r", "vpc_network_id": "7a000000-0000-4000-8000-000000000001",
                                                "action": "allow", "direction": "ingress"})
    assert answer["operation"]["state"] == "IN_PROGRESS"
    assert [e["status"] for e in sim.writes()] == [401, 200]


def test_token_without_expires_in_is_used_until_refused(monkeypatch):
    login = api.ServiceAccountLogin("https://auth.example.test/oauth2/token", "sa", SECRET)
    answers = iter([{"access_token": "tok-1", "token_type": "Bearer"}, {"access_token": "tok-2", "token_type": "bearer"}])
    monkeypatch.setattr(login, "send", lambda *args, **kwargs: next(answers))
    assert login.token() == "tok-1" and login.token() == "tok-1"
    login.refresh("tok-0")  # not the current token: nothing happens
    assert login.token() == "tok-1"
    login.refresh("tok-1")
    assert login.token() == "tok-2"


@pytest.mark.parametrize("answer", [{"token_type": "bearer"}, {"access_token": "t", "token_type": "mac"}, ["t"]])
def test_answer_without_a_bearer_token_is_an_error(monkeypatch, answer):
    login = api.ServiceAccountLogin("https://auth.example.test/oauth2/token", "sa", SECRET)
    monkeypatch.setattr(login, "send", lambda *args, **kwargs: answer)
    with pytest.raises(api.CrusoeLoginError, match="answered without a bearer access_token.*check token_url"):
        login.token()


def test_token_endpoint_5xx_is_retried_like_a_get(trusted):
    sim = trusted
    sleeps = []
    sim.inject(r"^/oauth2/token$", method="POST", status=503, count=1)
    assert login_for(sim, sleep=sleeps.append, retries=2).token()
    assert [e["status"] for e in sim.token_requests()] == [503, 200] and len(sleeps) == 1


def test_untrusted_certificate_is_not_retried_and_names_token_url(crusoe_sim, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only: the simulator's CA is not among them
    monkeypatch.setattr(_http, "_SSL_CONTEXTS", {})
    sleeps = []
    with pytest.raises(api.CrusoeLoginError) as err:
        login_for(crusoe_sim, sleep=sleeps.append, retries=3).token()
    assert err.value.details == {"attempts": 1, "failure": "tls"} and sleeps == []
    assert "check token_url (from default) and the CA that signed its certificate (SSL_CERT_FILE" in err.value.message


# ------------------------------------------------------------------------------------------ errors, never the secret

def test_wrong_secret_names_the_settings_and_what_the_endpoint_said(trusted):
    sim = trusted
    login = api.ServiceAccountLogin(sim.token_url, sim.service_accounts[0]["client_id"], SECRET,
                                    sources={"client_id": "option", "client_secret": "env CRUSOE_CLIENT_SECRET",
                                             "token_url": "env CRUSOE_TOKEN_URL"})
    with pytest.raises(api.CrusoeLoginError) as err:
        client_for(sim, login).get(PROJECTS)
    msg = err.value.message
    assert msg == ("Crusoe service account login failed: the token endpoint %s answered 401 invalid_client: client "
                   "authentication failed; check client_id and client_secret: the token endpoint does not know this "
                   "client or this secret (client_id %s from option, client_secret from env CRUSOE_CLIENT_SECRET, "
                   "token_url from env CRUSOE_TOKEN_URL)" % (sim.token_url, sim.service_accounts[0]["client_id"]))
    assert err.value.as_dict()["code"] == "invalid_client" and err.value.status == 401
    assert len(sim.token_requests()) == 1  # a refused login is not repeated, and no API request went out
    assert [e for e in sim.request_log() if not e.get("token_request")] == []
    assert SECRET not in json.dumps(err.value.as_dict()) + msg


def test_unauthorized_client_names_client_id(trusted):
    sim = trusted
    sim.service_accounts.append({"client_id": "no-grant", "client_secret": SECRET, "grant_types": []})
    with pytest.raises(api.CrusoeLoginError) as err:
        login_for(sim, index=1).token()
    assert "answered 400 unauthorized_client: client no-grant may not use the client_credentials grant; service " \
        "account client_id may not use" in err.value.message


@pytest.mark.parametrize("error", ["unsupported_grant_type", "invalid_grant", "invalid_request"])
def test_grant_errors_name_token_url(error):
    login = api.ServiceAccountLogin("https://auth.example.test/oauth2/token", "sa", SECRET)
    exc = login.api_error(400, json.dumps({"error": error, "error_description": "nope"}).encode(), {}, "POST", "/t", 1)
    assert "answered 400 %s: nope; check token_url: it must be Crusoe's OAuth2 token endpoint" % error in exc.message


def test_echoed_secret_and_tokens_are_masked():
    login = api.ServiceAccountLogin("https://auth.example.test/oauth2/token", "sa", SECRET)
    basic = login._basic_auth()["Authorization"]  # pylint: disable=protected-access
    raw = json.dumps({"error": "invalid_client", "error_description": "got %s and %s" % (SECRET, basic)}).encode()
    exc = login.api_error(401, raw, {}, "POST", "/t", 1)
    assert SECRET not in exc.message and basic[6:] not in exc.message and "got ******** and Basic ********" in exc.message
    login.seen.add("tok-echoed-1234")
    client = api.CrusoeClient("https://api.example.test/v1", login=login)
    exc = client.api_error(500, json.dumps({"message": "Authorization: Bearer tok-echoed-1234", "code": "tok-echoed-1234",
                                            "reason": "x tok-echoed-1234"}).encode(), {}, "GET", "/v1/x", 1)
    assert "tok-echoed-1234" not in json.dumps(exc.as_dict()) + exc.message
    assert sorted(client.secret_values()) == sorted({SECRET, basic[6:], "tok-echoed-1234"})


# ------------------------------------------------------------------------------------------ the simulator's endpoint

def _token_call(sim, method="POST", body=None, headers=None, url=None):
    parts = urlsplit(url or sim.token_url)
    context = ssl.create_default_context(cafile=sim.ca_file)
    conn = (http.client.HTTPSConnection(parts.hostname, parts.port, context=context, timeout=5) if parts.scheme == "https"
            else http.client.HTTPConnection(parts.hostname, parts.port, timeout=5))
    conn.request(method, parts.path, body=body, headers=headers or {})
    resp = conn.getresponse()
    payload = json.loads(resp.read() or b"{}")
    conn.close()
    return resp.status, payload, resp


def _basic(client_id, secret):
    return "Basic " + base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_simulator_token_endpoint_is_strict(crusoe_sim):
    sim = crusoe_sim
    account = sim.service_accounts[0]
    good = dict(FORM, Authorization=_basic(account["client_id"], account["client_secret"]))
    grant = urlencode({"grant_type": "client_credentials"})
    status, body, resp = _token_call(sim, body=grant, headers=good)
    assert status == 200 and body["token_type"] == "bearer" and body["expires_in"] == sim.token_lifetime
    assert resp.getheader("Cache-Control") == "no-store"
    cases = [
        (dict(method="GET", headers=good), 405, "invalid_request"),
        (dict(body=json.dumps({"grant_type": "client_credentials"}), headers=dict(good, **{"Content-Type": "application/json"})),
         400, "invalid_request"),
        (dict(body=urlencode({"grant_type": "password"}), headers=good), 400, "unsupported_grant_type"),
        (dict(body="", headers=good), 400, "invalid_request"),
        (dict(body=grant + "&grant_type=client_credentials", headers=good), 400, "invalid_request"),
        (dict(body=grant, headers=FORM), 401, "invalid_client"),
        (dict(body=urlencode({"grant_type": "client_credentials", "client_id": account["client_id"],
                              "client_secret": account["client_secret"]}), headers=FORM), 401, "invalid_client"),
        (dict(body=grant, headers=dict(FORM, Authorization=_basic(account["client_id"], "wrong"))), 401, "invalid_client"),
        (dict(body=grant, headers=dict(FORM, Authorization=_basic("nobody", "wrong"))), 401, "invalid_client"),
        (dict(body=grant, headers=dict(FORM, Authorization="Basic !!!")), 401, "invalid_client"),
        (dict(body=grant, headers=good, url=sim.url.replace("/v1", "/oauth2/token")), 404, "invalid_request"),
    ]
    for kwargs, want_status, want_error in cases:
        status, body, resp = _token_call(sim, **kwargs)
        assert (status, body.get("error")) == (want_status, want_error), (kwargs, body)
        assert body.get("error_description")
        if status == 401:
            assert resp.getheader("WWW-Authenticate") == 'Basic realm="crusoe"'
    assert "request body are not accepted" in _token_call(sim, **cases[6][0])[1]["error_description"]
    log = sim.token_requests()
    assert len(log) == len(cases) + 2 and all(not e["write"] for e in log)
    assert account["client_secret"] not in json.dumps(sim.request_log())


def test_simulator_api_rejects_unknown_and_expired_bearer_tokens(crusoe_sim):
    sim = crusoe_sim
    host, port = urlsplit(sim.url).hostname, urlsplit(sim.url).port

    def get(token):
        conn = http.client.HTTPConnection(host, port, timeout=5)
        conn.request("GET", "/v1/organizations/projects", headers={"Authorization": "Bearer %s" % token})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        conn.close()
        return resp.status, body, resp.getheader("WWW-Authenticate")

    assert get("sim-at-unknown")[:1] == (401,) and "unknown" in get("sim-at-unknown")[1]["message"]
    account = sim.service_accounts[0]
    token = _token_call(sim, body=urlencode({"grant_type": "client_credentials"}),
                        headers=dict(FORM, Authorization=_basic(account["client_id"], account["client_secret"])))[1]
    status, body, challenge = get(token["access_token"])
    assert status == 200 and [p["name"] for p in body["items"]] == ["ml", "research"]
    sim.expire_tokens()
    status, body, challenge = get(token["access_token"])
    assert status == 401 and body["message"] == "access token is expired" and 'error="invalid_token"' in challenge
    assert [e["auth"] for e in sim.request_log() if not e.get("token_request")] == ["bearer"] * 4


def test_simulator_standalone_prints_the_token_endpoint(tmp_path):
    with CrusoeSim() as sim:
        assert sim.token_url.startswith("https://127.0.0.1:") and sim.token_url.endswith("/oauth2/token")
        env = sim.service_account_env(project="ml")
        assert env["CRUSOE_ACCESS_KEY_ID"] == "" and env["SSL_CERT_FILE"] == sim.ca_file
        assert sim.env()["CRUSOE_CLIENT_ID"] == ""
