# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""KubeClient.request (under every Kubernetes-side module and the cluster-state engine): throttled and failed answers
are retried within a bound, the rest fail at once. The real kubernetes client against a local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kubernetes import client

from ansible_collections.neocloud.support_access.plugins.module_utils import _kube


class _Scripted(BaseHTTPRequestHandler):
    """Answers the queued (status, headers) errors first, then 200 with {"ok": true}; records every request."""

    def _answer(self):
        self.server.hits.append((self.command, self.path, self.headers.items()))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.server.errors:
            status, headers = self.server.errors.pop(0)
            body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": status,
                               "message": "injected %d" % status}).encode()
        else:
            status, headers, body = 200, {}, b'{"ok": true}'
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer  # noqa: N815

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    httpd.hits, httpd.errors = [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def kube(server, errors=()):
    server.errors[:] = list(errors)
    slept = []
    k = _kube.KubeClient({"host": "http://127.0.0.1:%d" % server.server_port, "api_key": "test-token-0123"},
                         sleep=slept.append)
    return k, slept


def test_a_burst_of_503_on_a_get_is_retried_then_answered(server):
    k, slept = kube(server, [(503, {}), (500, {}), (502, {})])
    assert k.request("GET", "/api/v1/pods", "listing pods") == {"ok": True}
    assert len(server.hits) == 4 and len(slept) == 3


def test_429_is_retried_for_a_post_as_retry_after_says(server):
    k, slept = kube(server, [(429, {"Retry-After": "2"})])
    assert k.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "asking", body={}) == {"ok": True}
    assert slept == [2.0]


def test_503_on_a_post_is_not_retried(server):
    k, slept = kube(server, [(503, {})])
    with pytest.raises(_kube.K8sClusterError) as info:
        k.request("POST", "/api/v1/namespaces/kube-system/configmaps", "creating the lease", body={})
    assert len(server.hits) == 1 and slept == []
    assert info.value.text() == "creating the lease failed: 503 Service Unavailable: injected 503"


def test_a_persistent_503_with_retry_after_is_sent_within_the_budget_only(server):
    """urllib3 would resend a 503 with Retry-After three more times on its own; the client owns those retries."""
    k, slept = kube(server, [(503, {"Retry-After": "0"})] * 50)
    with pytest.raises(_kube.K8sClusterError) as info:
        k.request("GET", "/api/v1/pods", "listing pods")
    assert len(server.hits) == _kube.API_RETRIES + 1
    assert slept == [0.0] * _kube.API_RETRIES
    assert info.value.status == 503 and info.value.attempts == _kube.API_RETRIES + 1
    assert info.value.text() == "listing pods failed: 503 Service Unavailable: injected 503 (6 attempts)"


def test_urllib3_alone_resends_a_503_with_retry_after(server):
    """What the kubernetes client does by itself: one call, four requests (why KubeClient takes the retries over)."""
    server.errors[:] = [(503, {"Retry-After": "0"})] * 50
    configuration = client.Configuration()
    configuration.host = "http://127.0.0.1:%d" % server.server_port
    with pytest.raises(client.exceptions.ApiException):
        client.CoreV1Api(client.ApiClient(configuration)).list_pod_for_all_namespaces()
    assert len(server.hits) == 4


def test_other_errors_and_ok_statuses_are_not_retried(server):
    k, _slept = kube(server, [(404, {})])
    answer = k.request("GET", "/api/v1/namespaces/x/configmaps/y", "reading", ok_statuses=(404,))
    assert answer["message"] == "injected 404"
    k, _slept = kube(server, [(403, {})])
    with pytest.raises(_kube.K8sClusterError) as info:
        k.request("GET", "/api/v1/pods", "listing pods")
    assert len(server.hits) == 2 and info.value.status == 403


def test_the_token_and_impersonation_headers_are_sent(server):
    k, _slept = kube(server)
    k.impersonating("probe-user", ["crusoe:support:readonly", "system:authenticated"]).request("GET", "/api/v1/pods", "listing")
    headers = [(key.lower(), value) for key, value in server.hits[-1][2]]
    assert ("authorization", "Bearer test-token-0123") in headers
    assert ("impersonate-user", "probe-user") in headers
    assert sorted(v for key, v in headers if key == "impersonate-group") == ["crusoe:support:readonly", "system:authenticated"]
    assert "test-token-0123" in k.secrets


def test_a_server_that_cannot_be_reached_is_named(server):
    port = server.server_port
    server.shutdown()
    server.server_close()
    k = _kube.KubeClient({"host": "http://127.0.0.1:%d" % port, "api_key": "x" * 8})
    with pytest.raises(_kube.K8sClusterError) as info:
        k.request("GET", "/api/v1/pods", "listing pods")
    assert info.value.status is None
    assert "listing pods failed: cannot reach the API server http://127.0.0.1:%d: " % port in info.value.text()


def test_a_context_whose_user_is_missing_is_refused(tmp_path):
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "current-context": "c1",
                                "clusters": [{"name": "c1", "cluster": {"server": "https://127.0.0.1:1"}}],
                                "contexts": [{"name": "c1", "context": {"cluster": "c1", "user": "nobody"}}],
                                "users": []}))
    with pytest.raises(_kube.K8sConfigError, match="names the user nobody, which that kubeconfig does not define"):
        _kube.KubeClient({"kubeconfig": str(path), "context": "c1"})
    with pytest.raises(_kube.K8sConfigError, match="does not exist"):
        _kube.KubeClient({"kubeconfig": str(tmp_path / "missing")})


def test_a_kubeconfig_is_parsed_once_per_run(monkeypatch, tmp_path):
    """With the run cache (a module run in the controller's worker) the parsed kubeconfig is kept as a private file
    and read back; a changed kubeconfig is parsed again; without the run cache nothing is written."""
    path = tmp_path / "kubeconfig.yaml"
    path.write_text("apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts: [{name: a, context: {cluster: a, user: a}}]\n"
                    "clusters: [{name: a, cluster: {server: 'https://a.example'}}]\nusers: [{name: a, user: {token: s3cret}}]\n")
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.delenv(_kube.RUN_CACHE_ENV, raising=False)
    assert _kube.load_kubeconfig(str(path))["current-context"] == "a"
    assert list(run.iterdir()) == []
    monkeypatch.setenv(_kube.RUN_CACHE_ENV, str(run))
    first = _kube.load_kubeconfig(str(path))
    cached = list(run.iterdir())
    assert len(cached) == 1 and oct(cached[0].stat().st_mode & 0o777) == "0o600"
    assert json.loads(cached[0].read_text()) == first
    parsed = []
    monkeypatch.setattr(_kube._yaml, "load", lambda *a, **k: parsed.append(1) or {})
    assert _kube.load_kubeconfig(str(path)) == first and parsed == []  # read back, not parsed
    path.write_text(path.read_text().replace("current-context: a", "current-context: b"))
    _kube.load_kubeconfig(str(path))
    assert parsed == [1]  # another version of the file is parsed again
