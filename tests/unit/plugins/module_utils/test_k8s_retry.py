# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SupportK8sModule.request: throttled and failed answers are retried within a bound, the rest fail at once."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from ansible_collections.neocloud.support_access.plugins.module_utils import _k8s


class FlakyClient:
    """Answers the first len(errors) requests with those (status, headers) errors, then 200 with {"ok": true}."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = []

    def request(self, method, path, body=None, query_params=None, serialize=None):  # pylint: disable=unused-argument
        self.calls.append((method, path))
        if self.errors:
            status, headers = self.errors.pop(0)
            exc = ApiException(status=status, reason={429: "Too Many Requests"}.get(status, "Service Unavailable"))
            exc.body = json.dumps({"kind": "Status", "message": "injected %d" % status})
            exc.headers = headers
            raise exc
        return type("Response", (), {"data": b'{"ok": true}', "status": 200})()


def module_with(client):
    module = object.__new__(_k8s.SupportK8sModule)
    module._client = client  # pylint: disable=protected-access
    module.server = "https://cluster.example"
    module.cluster = "c1"
    module.retries = _k8s.API_RETRIES
    module.slept = []
    module.sleep = module.slept.append
    return module


def test_a_burst_of_503_on_a_get_is_retried_then_answered():
    client = FlakyClient([(503, {}), (500, {}), (502, {})])
    module = module_with(client)
    assert module.request("GET", "/api/v1/pods", "listing pods") == {"ok": True}
    assert len(client.calls) == 4 and len(module.slept) == 3


def test_429_is_retried_for_a_post_as_retry_after_says():
    client = FlakyClient([(429, {"Retry-After": "2"})])
    module = module_with(client)
    assert module.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", "asking") == {"ok": True}
    assert module.slept == [2.0]


def test_503_on_a_post_is_not_retried():
    client = FlakyClient([(503, {})])
    module = module_with(client)
    with pytest.raises(_k8s.K8sClusterError) as info:
        module.request("POST", "/api/v1/namespaces/kube-system/configmaps", "creating the lease")
    assert len(client.calls) == 1 and module.slept == []
    assert info.value.text() == "creating the lease failed: 503 Service Unavailable: injected 503"


def test_a_persistent_503_stops_after_the_retry_budget_and_says_so():
    client = FlakyClient([(503, {})] * 50)
    module = module_with(client)
    with pytest.raises(_k8s.K8sClusterError) as info:
        module.request("GET", "/api/v1/pods", "listing pods")
    assert len(client.calls) == _k8s.API_RETRIES + 1
    assert info.value.status == 503 and info.value.attempts == _k8s.API_RETRIES + 1
    assert info.value.text() == "listing pods failed: 503 Service Unavailable: injected 503 (6 attempts)"


def test_other_errors_and_ok_statuses_are_not_retried():
    client = FlakyClient([(404, {})])
    module = module_with(client)
    assert module.request("GET", "/api/v1/namespaces/x/configmaps/y", "reading", ok_statuses=(404,)) == {
        "kind": "Status", "message": "injected 404"}
    client = FlakyClient([(403, {})])
    module = module_with(client)
    with pytest.raises(_k8s.K8sClusterError):
        module.request("GET", "/api/v1/pods", "listing pods")
    assert len(client.calls) == 1


# ------------------------------------------------------------------------ a real kubernetes client, a real server
class _Busy(BaseHTTPRequestHandler):
    """Answers every request 503 with Retry-After: 0, as an overloaded API server may."""

    def do_GET(self):  # pylint: disable=invalid-name
        self.server.hits.append(self.path)
        body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "overloaded",
                           "code": 503}).encode()
        self.send_response(503)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def busy_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _real_client(server):
    configuration = client.Configuration()
    configuration.host = "http://127.0.0.1:%d" % server.server_port
    return type("Dynamic", (), {"client": client.ApiClient(configuration)})()


def test_urllib3_alone_resends_a_503_with_retry_after(busy_server):
    """What the kubernetes client does by itself: one call, four requests (why the module takes the retries over)."""
    dynamic = _real_client(busy_server)
    with pytest.raises(ApiException):
        client.CoreV1Api(dynamic.client).list_pod_for_all_namespaces()
    assert len(busy_server.hits) == 4


def test_a_persistent_503_with_retry_after_is_sent_within_the_module_budget_only(busy_server):
    dynamic = _real_client(busy_server)
    _k8s._own_the_status_retries(dynamic)  # pylint: disable=protected-access
    module = module_with(_DynamicRequest(dynamic.client))
    with pytest.raises(_k8s.K8sClusterError) as info:
        module.request("GET", "/api/v1/pods", "listing pods")
    assert len(busy_server.hits) == _k8s.API_RETRIES + 1
    assert module.slept == [0.0] * _k8s.API_RETRIES
    assert info.value.text() == "listing pods failed: 503 Service Unavailable: overloaded (6 attempts)"


class _DynamicRequest:
    """DynamicClient.request's signature, sending GET /api/v1/pods through a real ApiClient (and its urllib3)."""

    def __init__(self, api_client):
        self.api_client = api_client

    def request(self, method, path, body=None, query_params=None, serialize=None):  # pylint: disable=unused-argument
        return client.CoreV1Api(self.api_client).list_pod_for_all_namespaces()
