# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real kubectl sends protobuf request bodies; the emulator's decoder reads them.

A tiny capture server on 127.0.0.1 answers just enough discovery for kubectl, records every POST body and answers
with the decoded object as JSON (as kube-apiserver would), so each command succeeds only if decode() understood it.
"""

import base64
import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse

import pytest

from sim.kube.protobuf import PROTOBUF, ProtobufError, decode

KUBECTL = os.path.join(os.path.dirname(sys.executable), "kubectl")

_RESOURCES = {
    "kind": "APIResourceList",
    "apiVersion": "v1",
    "groupVersion": "v1",
    "resources": [
        {"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
        for plural, kind, namespaced in (("secrets", "Secret", True), ("configmaps", "ConfigMap", True),
                                         ("namespaces", "Namespace", False), ("serviceaccounts", "ServiceAccount", True),
                                         ("pods", "Pod", True), ("nodes", "Node", False))
    ],
}


class _Capture(http.server.BaseHTTPRequestHandler):
    """Discovery for the core group only; POST and PUT bodies are recorded and echoed back decoded."""

    server_version = "capture"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # pylint: disable=invalid-name
        path = urllib.parse.urlsplit(self.path).path
        if path == "/api":
            return self._json(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self._json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if path == "/api/v1":
            return self._json(200, _RESOURCES)
        if path == "/version":
            return self._json(200, {"major": "1", "minor": "33", "gitVersion": "v1.33.4", "platform": "linux/amd64"})
        if path.endswith("/secrets"):   # Helm's release history lookup: no releases yet
            return self._json(200, {"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []})
        if path.startswith("/api/v1/nodes/"):
            name = path.rsplit("/", 1)[1]
            meta = {"name": name, "uid": "n-1", "resourceVersion": "1", "labels": {"kubernetes.io/hostname": name}}
            return self._json(200, {"kind": "Node", "apiVersion": "v1", "metadata": meta, "spec": {}, "status": {}})
        return self._json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})

    def do_POST(self):  # pylint: disable=invalid-name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = {"method": self.command, "path": self.path, "content_type": self.headers.get("Content-Type"), "body": body}
        self.server.posts.append(record)
        try:
            obj = decode(body)
        except ProtobufError as exc:
            return self._json(415, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": str(exc), "code": 415})
        obj.setdefault("metadata", {}).update(uid="4a5b6c7d", resourceVersion="1", creationTimestamp="2026-01-02T03:04:05Z")
        return self._json(201 if self.command == "POST" else 200, obj)

    do_PUT = do_POST


@pytest.fixture(name="capture")
def capture_fixture(tmp_path):
    if not os.access(KUBECTL, os.X_OK):
        pytest.skip("kubectl is not installed next to the test interpreter (run make setup)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "capture",
        "clusters": [{"name": "capture", "cluster": {"server": "http://127.0.0.1:%d" % server.server_address[1]}}],
        "users": [{"name": "capture", "user": {"token": "capture-token"}}],
        "contexts": [{"name": "capture", "context": {"cluster": "capture", "user": "capture"}}],
    }))

    def kubectl(*args):
        env = dict(os.environ, KUBECONFIG=str(kubeconfig), HOME=str(tmp_path))
        res = subprocess.run([KUBECTL, "--kubeconfig", str(kubeconfig), *args], env=env, capture_output=True, text=True,
                             timeout=120, check=False)
        assert res.returncode == 0, "kubectl %s failed: %s%s" % (" ".join(args), res.stdout, res.stderr)
        return res.stdout

    def helm(binary, *args):
        env = dict(os.environ, KUBECONFIG=str(kubeconfig), HOME=str(tmp_path), HELM_CACHE_HOME=str(tmp_path / "helm-cache"),
                   HELM_CONFIG_HOME=str(tmp_path / "helm-config"), HELM_DATA_HOME=str(tmp_path / "helm-data"))
        res = subprocess.run([binary, *args, "--kubeconfig", str(kubeconfig)], env=env, capture_output=True, text=True,
                             timeout=120, check=False)
        assert res.returncode == 0, "helm %s failed: %s%s" % (" ".join(args), res.stdout, res.stderr)
        return res.stdout

    kubectl.posts = server.posts
    kubectl.helm = helm
    yield kubectl
    server.shutdown()
    server.server_close()


def _only_post(kubectl, path):
    assert len(kubectl.posts) == 1, kubectl.posts
    post = kubectl.posts.pop()
    assert urllib.parse.urlsplit(post["path"]).path == path
    assert post["content_type"] == PROTOBUF
    assert post["body"].startswith(b"k8s\x00")
    return decode(post["body"])


def test_kubectl_create_secret_generic(capture):
    assert "secret/s created" in capture("create", "secret", "generic", "s", "--from-literal=k=v", "-n", "default")
    obj = _only_post(capture, "/api/v1/namespaces/default/secrets")
    assert obj == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                   "data": {"k": base64.b64encode(b"v").decode()}}


def test_kubectl_create_secret_with_type_and_several_keys(capture):
    capture("create", "secret", "generic", "release", "--type=helm.sh/release.v1", "--from-literal=release=H4sI",
            "--from-literal=empty=", "-n", "crusoe-support")
    obj = _only_post(capture, "/api/v1/namespaces/crusoe-support/secrets")
    assert obj["type"] == "helm.sh/release.v1"
    assert obj["metadata"] == {"name": "release", "namespace": "crusoe-support"}
    assert {k: base64.b64decode(v) for k, v in obj["data"].items()} == {"release": b"H4sI", "empty": b""}


def test_kubectl_create_configmap_with_binary_file(capture, tmp_path):
    blob = bytes(range(256))
    (tmp_path / "blob.bin").write_bytes(blob)
    capture("create", "configmap", "cm", "--from-literal=a=b", "--from-file=bin=%s" % (tmp_path / "blob.bin"), "-n", "default")
    obj = _only_post(capture, "/api/v1/namespaces/default/configmaps")
    assert obj["kind"] == "ConfigMap" and obj["apiVersion"] == "v1"
    assert obj["metadata"] == {"name": "cm", "namespace": "default"}
    assert obj["data"] == {"a": "b"}
    assert base64.b64decode(obj["binaryData"]["bin"]) == blob


def test_kubectl_create_namespace(capture):
    assert "namespace/crusoe-support created" in capture("create", "namespace", "crusoe-support")
    obj = _only_post(capture, "/api/v1/namespaces")
    assert obj == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "crusoe-support"}, "spec": {}, "status": {}}


def test_kubectl_create_serviceaccount(capture):
    capture("create", "serviceaccount", "support", "-n", "crusoe-support")
    obj = _only_post(capture, "/api/v1/namespaces/crusoe-support/serviceaccounts")
    assert obj == {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "support", "namespace": "crusoe-support"}}


def test_kubectl_debug_node_pod(capture):
    # kubectl debug node/... creates its Pod through the typed client: a protobuf Pod with host namespaces
    capture("debug", "node/gpu-node-1", "--image=busybox:1.36", "--profile=sysadmin", "-n", "default", "--attach=false",
            "--", "sleep", "3600")
    obj = _only_post(capture, "/api/v1/namespaces/default/pods")
    assert obj["kind"] == "Pod" and obj["apiVersion"] == "v1"
    assert obj["metadata"]["name"].startswith("node-debugger-gpu-node-1-")
    assert obj["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "kubectl-debug"}
    spec = obj["spec"]
    assert spec["nodeName"] == "gpu-node-1"
    assert (spec["hostNetwork"], spec["hostPID"], spec["hostIPC"]) == (True, True, True)
    assert spec["restartPolicy"] == "Never"
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert spec["volumes"] == [{"name": "host-root", "hostPath": {"path": "/"}}]
    (container,) = spec["containers"]
    assert container["name"] == "debugger"
    assert container["image"] == "busybox:1.36"
    assert container["command"] == ["sleep", "3600"]
    assert container["securityContext"] == {"privileged": True}
    assert container["volumeMounts"] == [{"name": "host-root", "mountPath": "/host"}]


@pytest.mark.parametrize("helm_name", ["helm", "helm4"])
def test_helm_release_storage_secrets(capture, tmp_path, helm_name):
    # Helm records each release as a Secret (type helm.sh/release.v1), created then updated, both in protobuf
    binary = os.path.join(os.path.dirname(sys.executable), helm_name)
    if not os.access(binary, os.X_OK):
        pytest.skip("%s is not installed next to the test interpreter (run make setup)" % helm_name)
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: capture-empty\nversion: 0.3.0\n")
    assert "STATUS: deployed" in capture.helm(binary, "install", "rel", str(chart), "-n", "crusoe-support")
    assert [(p["method"], urllib.parse.urlsplit(p["path"]).path) for p in capture.posts] == [
        ("POST", "/api/v1/namespaces/crusoe-support/secrets"),
        ("PUT", "/api/v1/namespaces/crusoe-support/secrets/sh.helm.release.v1.rel.v1"),
    ]
    assert {p["content_type"] for p in capture.posts} == {PROTOBUF}
    created, updated = (decode(p["body"]) for p in capture.posts)
    for obj, status in ((created, "pending-install"), (updated, "deployed")):
        assert obj["kind"] == "Secret" and obj["type"] == "helm.sh/release.v1"
        assert obj["metadata"]["name"] == "sh.helm.release.v1.rel.v1"
        labels = obj["metadata"]["labels"]
        assert {k: labels[k] for k in ("name", "owner", "status", "version")} == {"name": "rel", "owner": "helm", "status": status, "version": "1"}
        # data.release is base64 (JSON form of bytes) of Helm's own base64 of a gzipped JSON release
        release = json.loads(gzip.decompress(base64.b64decode(base64.b64decode(obj["data"]["release"]))))
        assert release["name"] == "rel" and release["namespace"] == "crusoe-support" and release["version"] == 1
        assert release["chart"]["metadata"]["name"] == "capture-empty"
        assert release["info"]["status"] == status
