# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared retrying JSON-over-HTTP helper (_http).

The client tests run against a small scripted HTTP server on 127.0.0.1 (ephemeral port) with a recorded sleep.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _http


# ---------------------------------------------------------------------------------------------- policy

@pytest.mark.parametrize("method,status,failure,refused_ok,expected", [
    ("POST", 429, None, False, True),
    ("get", 503, None, False, True),
    ("POST", 503, None, False, False),
    ("PATCH", 502, None, False, True),
    ("GET", 500, None, False, True),
    ("POST", 500, None, False, False),
    ("GET", 404, None, False, False),
    ("DELETE", None, "timeout", False, True),
    ("POST", None, "timeout", False, False),
    ("POST", None, "dropped", True, False),
    ("POST", None, "refused", False, False),
    ("GET", None, "refused", False, True),
    ("POST", None, "refused", True, True),
    ("GET", None, "unresolved", True, False),
])
def test_should_retry(method, status, failure, refused_ok, expected):
    assert _http.should_retry(method, status=status, failure=failure, retry_refused=refused_ok) is expected


def test_backoff_is_exponential_with_equal_jitter_and_capped():
    assert _http.backoff_delay(0, rand=lambda: 0.0) == 0.25
    assert _http.backoff_delay(0, rand=lambda: 1.0) == 0.5
    assert _http.backoff_delay(3, rand=lambda: 0.0) == 2.0
    assert _http.backoff_delay(20, base=0.5, cap=30.0, rand=lambda: 1.0) == 30.0
    assert _http.backoff_delay(20, base=0.5, cap=30.0, rand=lambda: 0.0) == 15.0


def test_retry_after_wins_and_is_capped():
    assert _http.backoff_delay(5, retry_after=2.0, rand=lambda: 1.0) == 2.0
    assert _http.backoff_delay(0, retry_after=120, cap=30.0) == 30.0


def test_retry_after_seconds_parses_both_forms():
    assert _http.retry_after_seconds(None) is None
    assert _http.retry_after_seconds(" 7 ") == 7.0
    assert _http.retry_after_seconds("soon") is None
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=60)
    value = _http.retry_after_seconds(email.utils.format_datetime(future, usegmt=True))
    assert 50 <= value <= 60
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=60)
    assert _http.retry_after_seconds(email.utils.format_datetime(past, usegmt=True)) == 0.0


def test_failure_kind():
    assert _http.failure_kind(socket.gaierror("no such host")) == "unresolved"
    assert _http.failure_kind(ConnectionRefusedError()) == "refused"
    assert _http.failure_kind(socket.timeout("timed out")) == "timeout"
    assert _http.failure_kind(ConnectionResetError("reset")) == "dropped"


def test_header_and_error_body():
    assert _http.header({"retry-after": "3"}, "Retry-After") == "3"
    assert _http.header(None, "X") is None
    assert _http.error_body(b'{"message": "no"}') == {"message": "no"}
    assert _http.error_body(b"[1, 2]") == {}
    assert _http.error_body(b"<html>") == {}
    assert _http.error_body(b"") == {}


def test_api_error_as_dict_lists_known_fields_in_order():
    err = _http.ApiError("boom", status=404, reason="NOT_FOUND", method="GET", path="/x", details=dict(attempts=1))
    out = err.as_dict()
    assert list(out) == ["status", "reason", "method", "path", "details"]
    assert out["details"] == {"attempts": 1} and str(err) == "boom" and err.message == "boom"


# ---------------------------------------------------------------------------------------------- client

class ScriptedServer:
    """Answers each request with the next scripted (status, headers, body) and records what it received."""

    def __init__(self, script):
        self.script = list(script)
        self.received = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                owner.received.append(dict(method=self.command, path=self.path, headers=dict(self.headers.items()),
                                           body=self.rfile.read(length) if length else b""))
                status, headers, body = owner.script.pop(0) if owner.script else (200, {}, b"{}")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/api" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class DemoClient(_http.JsonApiClient):
    API_NAME = "Demo"
    REQUEST_ID_HEADERS = ("X-Request-Id", "X-Demo-Request-Id")


def make_client(url, sleeps, **kwargs):
    return DemoClient(url, timeout=5, sleep=sleeps.append, **kwargs)


def test_endpoint_must_be_http_url():
    with pytest.raises(_http.ApiError, match="is not an http"):
        DemoClient("ftp://example.invalid/")


def test_json_round_trip_and_auth_headers_per_attempt():
    calls = []

    def auth():
        calls.append(1)
        return {"Authorization": "Bearer t%d" % len(calls)}

    script = [(503, {}, b""), (201, {"Content-Type": "application/json"}, b'{"ok": true}')]
    with ScriptedServer(script) as srv:
        sleeps = []
        client = make_client(srv.url, sleeps, retries=2)
        answer = client.send("patch", srv.url + "/things/1", "/api/things/1", body={"a": 1}, auth_headers=auth)
    assert answer == {"ok": True}
    assert [r["headers"]["Authorization"] for r in srv.received] == ["Bearer t1", "Bearer t2"]
    assert all(r["method"] == "PATCH" and json.loads(r["body"]) == {"a": 1} for r in srv.received)
    assert srv.received[0]["headers"]["Content-Type"] == "application/json"
    assert len(sleeps) == 1 and client.requests_sent == 2


def test_empty_answer_is_empty_dict():
    with ScriptedServer([(204, {}, b"")]) as srv:
        assert make_client(srv.url, []).send("DELETE", srv.url + "/x", "/api/x") == {}


def test_429_retry_after_honoured_even_for_post():
    script = [(429, {"Retry-After": "3"}, b""), (429, {"Retry-After": "3"}, b""), (200, {}, b'{"id": 1}')]
    with ScriptedServer(script) as srv:
        sleeps = []
        assert make_client(srv.url, sleeps, retries=3).send("POST", srv.url + "/x", "/api/x", body={}) == {"id": 1}
    assert sleeps == [3.0, 3.0]


def test_post_503_not_retried_and_error_is_structured():
    body = json.dumps({"message": "busy", "code": "unavailable", "reason": "MAINT"}).encode()
    with ScriptedServer([(503, {"X-Demo-Request-Id": "r-9"}, body)]) as srv:
        sleeps = []
        with pytest.raises(_http.ApiError) as info:
            make_client(srv.url, sleeps).send("POST", srv.url + "/x", "/api/x", body={})
    err = info.value
    assert sleeps == [] and len(srv.received) == 1
    assert (err.status, err.code, err.reason, err.request_id) == (503, "unavailable", "MAINT", "r-9")
    assert err.details == dict(attempts=1, api_message="busy")
    assert err.message == "Demo API error 503 on POST /api/x: busy"


def test_retries_exhausted_counts_attempts():
    with ScriptedServer([(502, {}, b"bad gateway")] * 3) as srv:
        sleeps = []
        with pytest.raises(_http.ApiError) as info:
            make_client(srv.url, sleeps, retries=2).send("GET", srv.url + "/x", "/api/x")
    assert info.value.details["attempts"] == 3 and len(sleeps) == 2
    assert info.value.details["api_message"] == "bad gateway"


def test_non_json_success_is_an_error():
    with ScriptedServer([(200, {"X-Request-Id": "abc"}, b"<html>")]) as srv:
        with pytest.raises(_http.ApiError, match="answered GET /api/x with non-JSON content") as info:
            make_client(srv.url, []).send("GET", srv.url + "/x", "/api/x")
    assert info.value.request_id == "abc" and info.value.status == 200


def _free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.parametrize("retry_refused,method,expected_sleeps", [
    (False, "POST", 0), (False, "GET", 1), (True, "POST", 1)])
def test_refused_connection(retry_refused, method, expected_sleeps):
    url = "http://127.0.0.1:%d" % _free_port()
    client = make_client(url, [], retries=1)
    client.RETRY_REFUSED = retry_refused
    with pytest.raises(_http.ApiError, match="cannot reach the Demo API") as info:
        client.send(method, url + "/x", "/x")
    assert info.value.details["failure"] == "refused"
    assert len(client.sleep.__self__) == expected_sleeps


def test_one_tls_context_per_setting_and_ca_environment(monkeypatch, tmp_path):
    """Requests share one TLS context per process (building one loads the whole CA store); another verification
    setting or another SSL_CERT_FILE gets its own."""
    monkeypatch.setattr(_http, "_SSL_CONTEXTS", {})
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    verified = _http.ssl_context(True)
    assert _http.ssl_context(True) is verified
    unverified = _http.ssl_context(False)
    assert unverified is not verified and unverified.verify_mode == ssl.CERT_NONE
    assert verified.verify_mode == ssl.CERT_REQUIRED and verified.check_hostname
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert _http.ssl_context(True) is not verified
