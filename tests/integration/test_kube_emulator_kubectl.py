# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real kubectl against the Kubernetes API emulator."""

import json

import yaml

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
"""


def _json(proc):
    return json.loads(proc.stdout)


def test_create_typed_objects_travel_as_protobuf(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    k.kubectl("create", "secret", "generic", "db", "-n", "shop", "--from-literal=password=s3cret")
    k.kubectl("create", "configmap", "cfg", "-n", "shop", "--from-literal=mode=fast")
    k.kubectl("create", "serviceaccount", "robot", "-n", "shop")
    posts = [e for e in k.cluster.request_log() if e["method"] == "POST"]
    assert [e["resource"] for e in posts] == ["namespaces", "secrets", "configmaps", "serviceaccounts"]
    assert all(e["content_type"] == "application/vnd.kubernetes.protobuf" for e in posts), posts
    assert all(e["status"] == 201 for e in posts)
    secret = k.cluster.get("v1", "Secret", "db", "shop")
    assert secret["data"] == {"password": "czNjcmV0"}
    assert secret["type"] == "Opaque"
    assert k.cluster.get("v1", "ConfigMap", "cfg", "shop")["data"] == {"mode": "fast"}
    out = k.kubectl("create", "namespace", "shop", check=False)
    assert out.returncode != 0 and 'namespaces "shop" already exists' in out.stderr
    out = k.kubectl("create", "configmap", "x", "-n", "nowhere", check=False)
    assert 'namespaces "nowhere" not found' in out.stderr
    out = k.kubectl("create", "configmap", "Bad_Name", "-n", "shop", check=False)
    assert "RFC 1123 subdomain" in out.stderr


def test_apply_client_side_get_selectors_patch_delete(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    k.kubectl("apply", "-f", "-", input_text=DEPLOYMENT)
    dep = k.cluster.get("apps/v1", "Deployment", "web", "shop")
    assert "kubectl.kubernetes.io/last-applied-configuration" in dep["metadata"]["annotations"]
    pods = _json(k.kubectl("get", "pods", "-n", "shop", "-l", "app=web", "-o", "json"))["items"]
    assert len(pods) == 2 and all(p["status"]["phase"] == "Running" for p in pods)
    assert all(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet" for p in pods)
    assert _json(k.kubectl("get", "pods", "-n", "shop", "-l", "app in (db,cache)", "-o", "json"))["items"] == []
    assert len(_json(k.kubectl("get", "pods", "-n", "shop", "-l", "app,!missing", "-o", "json"))["items"]) == 2
    # apply again: nothing changes
    rv = dep["metadata"]["resourceVersion"]
    out = k.kubectl("apply", "-f", "-", input_text=DEPLOYMENT)
    assert "unchanged" in out.stdout
    assert k.cluster.get("apps/v1", "Deployment", "web", "shop")["metadata"]["resourceVersion"] == rv
    # change replicas through apply (strategic merge patch), then through kubectl patch
    k.kubectl("apply", "-f", "-", input_text=DEPLOYMENT.replace("replicas: 2", "replicas: 3"))
    assert k.cluster.get("apps/v1", "Deployment", "web", "shop")["spec"]["replicas"] == 3
    k.kubectl("rollout", "status", "deployment/web", "-n", "shop", "--timeout=30s")
    k.kubectl("patch", "deployment", "web", "-n", "shop", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"back"}}}')
    dep = k.cluster.get("apps/v1", "Deployment", "web", "shop")
    assert dep["metadata"]["labels"] == {"app": "web", "tier": "back"}
    assert dep["metadata"]["generation"] == 2
    k.kubectl("patch", "deployment", "web", "-n", "shop", "--type=json",
              "-p", '[{"op": "replace", "path": "/spec/replicas", "value": 1}]')
    assert k.cluster.get("apps/v1", "Deployment", "web", "shop")["metadata"]["generation"] == 3
    k.kubectl("wait", "--for=condition=Available", "deployment/web", "-n", "shop", "--timeout=30s")
    assert len(k.cluster.list("v1", "Pod", "shop")) == 1
    k.kubectl("delete", "deployment", "web", "-n", "shop", "--timeout=30s")
    assert k.cluster.list("apps/v1", "Deployment", "shop") == []
    assert k.cluster.list("apps/v1", "ReplicaSet", "shop") == []
    assert k.cluster.list("v1", "Pod", "shop") == []


def test_apply_server_side_and_conflicts(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    k.kubectl("apply", "--server-side", "-f", "-", input_text=DEPLOYMENT)
    dep = k.cluster.get("apps/v1", "Deployment", "web", "shop")
    managers = {(m["manager"], m["operation"]) for m in dep["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers
    patches = [e for e in k.cluster.request_log() if e["method"] == "PATCH"]
    assert patches and patches[0]["content_type"] == "application/apply-patch+yaml"
    assert patches[0]["status"] == 201
    # another manager applies a different replicas value: conflict unless forced
    other = DEPLOYMENT.replace("replicas: 2", "replicas: 5")
    out = k.kubectl("apply", "--server-side", "--field-manager=other", "-f", "-", input_text=other, check=False)
    assert out.returncode != 0 and "conflict" in out.stderr.lower()
    k.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-", input_text=other)
    assert k.cluster.get("apps/v1", "Deployment", "web", "shop")["spec"]["replicas"] == 5


def test_wait_for_pod_ready_and_delete_waits(kube_cluster):
    k = kube_cluster
    k.kubectl("run", "box", "--image=busybox", "--restart=Never", "--", "sleep", "3600")
    k.kubectl("wait", "--for=condition=Ready", "pod/box", "--timeout=30s")
    pod = _json(k.kubectl("get", "pod", "box", "-o", "json"))
    assert pod["status"]["podIP"] and pod["status"]["containerStatuses"][0]["ready"] is True
    assert "emulated log" in k.kubectl("logs", "box").stdout
    out = k.kubectl("exec", "box", "--", "true", check=False)
    assert out.returncode != 0 and "forbidden" not in out.stderr.lower()
    k.kubectl("delete", "pod", "box", "--timeout=30s")
    assert k.cluster.get("v1", "Pod", "box", "default") is None
    out = k.kubectl("get", "pod", "box", check=False)
    assert 'pods "box" not found' in out.stderr


def test_auth_can_i_with_impersonation(kube_cluster):
    k = kube_cluster
    assert k.kubectl("auth", "can-i", "delete", "pods", "-n", "kube-system").stdout.strip() == "yes"
    out = k.kubectl("auth", "can-i", "delete", "pods", "-n", "kube-system", "--as", "someone",
                    "--as-group", "crusoe:support:operator", check=False)
    assert out.stdout.strip() == "no"
    entry = [e for e in k.cluster.request_log() if e["resource"] == "selfsubjectaccessreviews"][-1]
    assert entry["impersonated_user"] == "someone"
    assert entry["impersonated_groups"] == ["crusoe:support:operator"]
    # users that may not impersonate are refused
    out = k.kubectl("auth", "can-i", "get", "pods", "--as", "admin", user="crusoe-support-readonly", check=False)
    assert out.returncode != 0
    assert 'users "admin" is forbidden: User "crusoe-support-readonly" cannot impersonate resource "users"' in out.stderr
    # and a plain forbidden list carries kube-apiserver's message
    out = k.kubectl("get", "pods", "-n", "kube-system", user="crusoe-support-readonly", check=False)
    assert ('pods is forbidden: User "crusoe-support-readonly" cannot list resource "pods" in API group "" '
            'in the namespace "kube-system"') in out.stderr


def test_namespace_cascade_and_terminating(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "gone")
    k.kubectl("create", "configmap", "held", "-n", "gone")
    k.kubectl("patch", "configmap", "held", "-n", "gone", "--type=merge", "-p", '{"metadata":{"finalizers":["example.com/hold"]}}')
    k.kubectl("create", "configmap", "free", "-n", "gone")
    k.kubectl("delete", "namespace", "gone", "--wait=false")
    ns = k.cluster.get("v1", "Namespace", "gone")
    assert ns["status"]["phase"] == "Terminating"
    assert k.cluster.get("v1", "ConfigMap", "free", "gone") is None
    assert k.cluster.get("v1", "ConfigMap", "held", "gone")["metadata"]["deletionTimestamp"]
    out = k.kubectl("create", "configmap", "late", "-n", "gone", check=False)
    assert "because it is being terminated" in out.stderr
    k.kubectl("patch", "configmap", "held", "-n", "gone", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    assert k.cluster.get("v1", "Namespace", "gone") is None


def test_dry_run_writes_nothing(kube_cluster):
    k = kube_cluster
    rv = k.cluster.store.current_rv()
    k.kubectl("create", "namespace", "dry", "--dry-run=server")
    out = k.kubectl("apply", "--dry-run=server", "-f", "-", input_text=DEPLOYMENT.replace("shop", "default"))
    assert "server dry run" in out.stdout
    assert k.cluster.get("v1", "Namespace", "dry") is None
    assert k.cluster.store.current_rv() == rv
    assert k.cluster.writes() == []
    assert any(e["dry_run"] for e in k.cluster.request_log())


def test_get_output_as_yaml_roundtrip(kube_cluster):
    k = kube_cluster
    obj = yaml.safe_load(k.kubectl("get", "namespace", "kube-system", "-o", "yaml").stdout)
    assert obj["kind"] == "Namespace" and obj["metadata"]["labels"]["kubernetes.io/metadata.name"] == "kube-system"


def test_unknown_fields_are_refused_like_kube_apiserver(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    bad = DEPLOYMENT.replace("replicas: 2", "replicaz: 2").replace("image: nginx:1.27", "imagee: nginx:1.27")
    out = k.kubectl("apply", "-f", "-", input_text=bad, check=False)
    assert out.returncode != 0
    assert ('strict decoding error: unknown field "spec.replicaz", '
            'unknown field "spec.template.spec.containers[0].imagee"') in out.stderr
    assert k.cluster.get("apps/v1", "Deployment", "web", "shop") is None
    out = k.kubectl("apply", "--server-side", "-f", "-", input_text=bad, check=False)
    assert out.returncode != 0 and 'unknown field "spec.replicaz"' in out.stderr
