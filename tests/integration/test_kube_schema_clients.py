# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real kubectl and the Python kubernetes client against the emulator's discovery and OpenAPI documents alone."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

from sim.kube.schema import DISCOVERY_V2_MEDIA_TYPE, Registry, wants_aggregated_discovery

KUBECTL = os.path.join(os.path.dirname(sys.executable), "kubectl")

WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "description": "A widget.", "properties": {
                "spec": {"type": "object", "description": "What the widget should be.", "properties": {
                    "size": {"type": "integer", "description": "How big the widget is."},
                    "color": {"type": "string"}}}}}},
        }],
    },
}


class _DocumentServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, registry, aggregated):
        self.registry = registry
        self.aggregated = aggregated
        self.log = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass

    def _send(self, code, body, content_type="application/json"):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # pylint: disable=invalid-name
        reg = self.server.registry
        path = self.path.split("?", 1)[0].rstrip("/")
        accept = self.headers.get("Accept", "")
        self.server.log.append((path, accept))
        parts = path.strip("/").split("/")
        doc = None
        content_type = "application/json"
        if path in ("/api", "/apis") and self.server.aggregated and wants_aggregated_discovery(accept):
            doc = reg.aggregated_discovery(core=path == "/api")
            content_type = DISCOVERY_V2_MEDIA_TYPE
        elif path == "/version":
            doc = reg.version_info()
        elif path == "/api":
            doc = reg.api_versions()
        elif path == "/apis":
            doc = reg.api_group_list()
        elif len(parts) == 2 and parts[0] == "api":
            doc = reg.api_resource_list("", parts[1])
        elif len(parts) == 2 and parts[0] == "apis":
            doc = reg.api_group(parts[1])
        elif len(parts) == 3 and parts[0] == "apis":
            doc = reg.api_resource_list(parts[1], parts[2])
        elif path == "/openapi/v3":
            doc = reg.openapi_v3_index()
        elif path.startswith("/openapi/v3/"):
            doc = reg.openapi_v3(path[len("/openapi/v3/"):])
        if doc is None:
            self._send(404, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "the server could not find the requested resource", "reason": "NotFound",
                             "details": {}, "code": 404})
        else:
            self._send(200, doc, content_type)


@pytest.fixture(name="docserver", params=["aggregated", "legacy"])
def docserver_fixture(request, tmp_path):
    registry = Registry(kube_version="v1.33.4")
    registry.add_crd(WIDGET_CRD)
    server = _DocumentServer(registry, aggregated=request.param == "aggregated")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = "http://127.0.0.1:%d" % server.server_address[1]
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "docs",
        "clusters": [{"name": "docs", "cluster": {"server": url}}],
        "users": [{"name": "docs", "user": {"token": "t"}}],
        "contexts": [{"name": "docs", "context": {"cluster": "docs", "user": "docs"}}],
    }))
    server.url = url
    server.kubeconfig = str(kubeconfig)
    server.home = tmp_path
    yield server
    server.shutdown()
    server.server_close()


def _kubectl(server, *args):
    env = dict(os.environ, HOME=str(server.home), KUBECONFIG=server.kubeconfig)
    proc = subprocess.run([KUBECTL, "--cache-dir", str(server.home / "cache")] + list(args), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    return proc


def test_kubectl_api_resources_lists_builtins_and_crds(docserver):
    proc = _kubectl(docserver, "api-resources", "-o", "wide")
    assert proc.returncode == 0, proc.stderr
    lines = {line.split()[0]: line for line in proc.stdout.splitlines()[1:]}
    assert "deploy" in lines["deployments"] and "apps/v1" in lines["deployments"]
    assert "Deployment" in lines["deployments"]
    assert "po" in lines["pods"] and "true" in lines["pods"]
    assert "false" in lines["clusterroles"]
    assert "example.com/v1" in lines["widgets"] and "wd" in lines["widgets"]
    assert "flowschemas" in lines and "selfsubjectreviews" in lines
    assert "pods/exec" not in lines
    aggregated_asked = any("apidiscovery.k8s.io" in accept for _path, accept in docserver.log)
    assert aggregated_asked


def test_kubectl_api_versions(docserver):
    proc = _kubectl(docserver, "api-versions")
    assert proc.returncode == 0, proc.stderr
    versions = proc.stdout.split()
    for gv in ("v1", "apps/v1", "rbac.authorization.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
               "apiextensions.k8s.io/v1", "example.com/v1", "authorization.k8s.io/v1"):
        assert gv in versions


def test_kubectl_explain_builtin_field(docserver):
    proc = _kubectl(docserver, "explain", "pods.spec.containers")
    assert proc.returncode == 0, proc.stderr
    assert "KIND:" in proc.stdout and "Pod" in proc.stdout
    assert "FIELD: containers <[]Container>" in proc.stdout
    assert "image" in proc.stdout and "volumeMounts" in proc.stdout
    assert any(path.startswith("/openapi/v3/api/v1") for path, _accept in docserver.log)


def test_kubectl_explain_crd_field(docserver):
    proc = _kubectl(docserver, "explain", "widgets.spec.size")
    assert proc.returncode == 0, proc.stderr
    assert "How big the widget is." in proc.stdout


def test_kubectl_explain_unknown_field_fails(docserver):
    proc = _kubectl(docserver, "explain", "pods.spec.nosuchfield")
    assert proc.returncode != 0
    assert "nosuchfield" in proc.stderr


def test_python_dynamic_client_finds_resources(docserver):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes.dynamic import DynamicClient  # pylint: disable=import-outside-toplevel

    config = kubernetes.client.Configuration()
    config.host = docserver.url
    api_client = kubernetes.client.ApiClient(config)
    client = DynamicClient(api_client)
    deploy = client.resources.get(api_version="apps/v1", kind="Deployment")
    assert deploy.name == "deployments" and deploy.namespaced
    assert "patch" in deploy.verbs
    assert deploy.subresources["scale"].kind == "Scale"
    crole = client.resources.get(api_version="rbac.authorization.k8s.io/v1", kind="ClusterRole")
    assert not crole.namespaced
    widget = client.resources.get(api_version="example.com/v1", kind="Widget")
    assert widget.name == "widgets" and widget.short_names == ["wd"]
    pod = client.resources.get(api_version="v1", kind="Pod")
    assert "exec" in pod.subresources


# ---------------------------------------------------------------------------------------------------------------
# The patch algorithms behind the emulator, driven by the real clients' own patch computation

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: main
        image: main:1
        env: [{name: MODE, value: "one"}]
        ports: [{containerPort: 8080}]
        securityContext: {capabilities: {drop: [ALL]}}
      - {name: sidecar, image: sidecar:1}
      volumes: [{name: cfg, configMap: {name: cfg, items: [{key: a, path: a}]}}]
"""

CHART_TEMPLATE = """apiVersion: apps/v1
kind: Deployment
metadata: {name: demo}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec:
      containers:
      - {name: main, image: "{{ .Values.image }}", env: [{name: MODE, value: "{{ .Values.mode }}"}]}
      {{- if .Values.sidecar }}
      - {name: sidecar, image: sidecar:1}
      {{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: demo}
data:
{{ toYaml .Values.data | indent 2 }}
"""


def _containers(cluster, name):
    obj = cluster.get("apps/v1", "Deployment", name, "default")
    return obj["spec"]["template"]["spec"]["containers"]


def test_kubectl_client_side_apply_three_way_patch(kube_cluster):
    kube_cluster.kubectl("apply", "-f", "-", input_text=DEPLOYMENT)
    changed = DEPLOYMENT.replace("      - {name: sidecar, image: sidecar:1}\n", "").replace('"one"', '"two"')
    proc = kube_cluster.kubectl("apply", "-f", "-", input_text=changed)
    assert "warning" not in proc.stderr.lower()
    containers = _containers(kube_cluster.cluster, "web")
    assert [c["name"] for c in containers] == ["main"]
    assert containers[0]["env"] == [{"name": "MODE", "value": "two"}]
    assert containers[0]["securityContext"] == {"capabilities": {"drop": ["ALL"]}}
    paths = [e["path"] for e in kube_cluster.cluster.request_log()]
    assert any(p.endswith("/openapi/v3/apis/apps/v1") for p in paths)


def test_kubectl_server_side_apply_conflict_and_force(kube_cluster):
    kube_cluster.kubectl("apply", "--server-side", "-f", "-", input_text=DEPLOYMENT)
    kube_cluster.kubectl("scale", "deployment/web", "--replicas=3")
    proc = kube_cluster.kubectl("apply", "--server-side", "-f", "-", input_text=DEPLOYMENT, check=False)
    assert proc.returncode != 0
    # the scale subresource write is an Update by "kubectl": another manager than kubectl's Apply
    assert "Apply failed with 1 conflict: conflict with \"kubectl\"" in proc.stderr
    assert ".spec.replicas" in proc.stderr
    kube_cluster.kubectl("apply", "--server-side", "--force-conflicts", "-f", "-", input_text=DEPLOYMENT)
    obj = kube_cluster.cluster.get("apps/v1", "Deployment", "web", "default")
    assert obj["spec"]["replicas"] == 1
    owners = {(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in owners
    # the applier stops managing the sidecar: it goes
    kube_cluster.kubectl("apply", "--server-side", "-f", "-",
                         input_text=DEPLOYMENT.replace("      - {name: sidecar, image: sidecar:1}\n", ""))
    assert [c["name"] for c in _containers(kube_cluster.cluster, "web")] == ["main"]


@pytest.mark.parametrize("helm_version", [3, 4])
def test_helm_upgrade_patches_like_a_real_cluster(kube_cluster, tmp_path, helm_version):
    chart = tmp_path / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text('image: main:1\nmode: one\nsidecar: true\ndata: {a: "1", b: "2"}\n')
    (chart / "templates" / "all.yaml").write_text(CHART_TEMPLATE)
    kube_cluster.helm("install", "demo", str(chart), "-n", "default", version=helm_version)
    assert [c["name"] for c in _containers(kube_cluster.cluster, "demo")] == ["main", "sidecar"]
    kube_cluster.helm("upgrade", "demo", str(chart), "-n", "default", "--set", "sidecar=false,mode=two,data.b=null",
                      version=helm_version)
    containers = _containers(kube_cluster.cluster, "demo")
    assert [(c["name"], c["image"], c["env"]) for c in containers] == \
        [("main", "main:1", [{"name": "MODE", "value": "two"}])]
    assert kube_cluster.cluster.get("v1", "ConfigMap", "demo", "default")["data"] == {"a": "1"}
    managers = {(e["manager"], e["operation"])
                for e in kube_cluster.cluster.get("apps/v1", "Deployment", "demo", "default")["metadata"]["managedFields"]}
    assert managers == ({("helm", "Update")} if helm_version == 3 else {("helm", "Apply")})
