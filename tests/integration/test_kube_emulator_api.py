# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's HTTP API directly: watch, deletion propagation, subresources, faults, log and the standalone runner."""

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time

import pytest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Api:
    """A tiny keep-alive HTTPS client for one virtual cluster."""

    def __init__(self, kube, token="admin-token"):
        self.kube = kube
        emu = kube.emulator
        ctx = ssl.create_default_context(cadata=emu.ca_pem)
        self.conn = http.client.HTTPSConnection(emu.host, emu.port, context=ctx, timeout=30)
        self.prefix = "/clusters/" + kube.name
        self.token = token

    def call(self, method, path, body=None, ctype="application/json", headers=None):
        hdrs = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs["Content-Type"] = ctype
        self.conn.request(method, self.prefix + path, body=data, headers=hdrs)
        resp = self.conn.getresponse()
        raw = resp.read()
        if resp.getheader("Content-Type", "").startswith("application/vnd.kubernetes.protobuf"):
            return resp.status, raw, resp
        try:
            return resp.status, json.loads(raw), resp
        except ValueError:
            return resp.status, raw.decode(), resp

    def watch(self, path):
        self.conn.request("GET", self.prefix + path, headers={"Authorization": "Bearer " + self.token})
        resp = self.conn.getresponse()
        events = [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]
        return resp.status, events


def _cm(name, labels=None):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}}, "data": {"a": "b"}}


def _deployment(name, replicas=2):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}


def test_watch_initial_events_bookmark_and_resume(kube_cluster):
    api = Api(kube_cluster)
    base = "/api/v1/namespaces/default/configmaps"
    api.call("POST", base, _cm("one", {"w": "yes"}))
    status, events = api.watch(base + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
                                      "&allowWatchBookmarks=true&timeoutSeconds=1&labelSelector=w%3Dyes")
    assert status == 200
    assert [e["type"] for e in events[:2]] == ["ADDED", "BOOKMARK"]
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    start = events[1]["object"]["metadata"]["resourceVersion"]
    api.call("POST", base, _cm("two", {"w": "yes"}))
    api.call("POST", base, _cm("other"))
    api.call("PATCH", base + "/one", {"data": {"a": "c"}}, ctype="application/merge-patch+json")
    api.call("DELETE", base + "/two")
    status, events = api.watch(base + "?watch=true&resourceVersion=%s&timeoutSeconds=1&labelSelector=w%%3Dyes" % start)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "two"), ("MODIFIED", "one"), ("DELETED", "two")]
    # sendInitialEvents needs resourceVersionMatch=NotOlderThan, like kube-apiserver
    status, _body, _resp = api.call("GET", base + "?watch=true&sendInitialEvents=true")
    assert status == 422


def test_list_shape_paging_and_field_selectors(kube_cluster):
    api = Api(kube_cluster)
    for i in range(5):
        api.call("POST", "/api/v1/namespaces/default/configmaps", _cm("c%d" % i))
    status, body, _resp = api.call("GET", "/api/v1/namespaces/default/configmaps?limit=2")
    assert status == 200 and body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert len(body["items"]) == 2 and body["metadata"]["continue"] and body["metadata"]["remainingItemCount"] == 3
    status, body, _resp = api.call("DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=missing")
    assert status == 200 and body["items"] == []
    status, body, _resp = api.call("DELETE", "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dc4")
    assert status == 200 and [i["metadata"]["name"] for i in body["items"]] == ["c4"]
    assert kube_cluster.cluster.get("v1", "ConfigMap", "c4", "default") is None
    status, body, _resp = api.call("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning")
    assert status == 200 and body["items"] == []
    status, body, _resp = api.call("GET", "/api/v1/namespaces/default/configmaps?fieldSelector=data.a%3Db")
    assert status == 400 and body["message"] == "field label not supported: data.a"
    status, body, _resp = api.call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(")
    assert status == 400


def test_put_conflict_generation_and_noop(kube_cluster):
    api = Api(kube_cluster)
    path = "/apis/apps/v1/namespaces/default/deployments"
    status, dep, _resp = api.call("POST", path, _deployment("web"))
    assert status == 201 and dep["metadata"]["generation"] == 1
    live = kube_cluster.cluster.get("apps/v1", "Deployment", "web", "default")
    status, same, _resp = api.call("PUT", path + "/web", live)
    assert status == 200 and same["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]
    assert live["status"]["readyReplicas"] == 2 and live["status"]["observedGeneration"] == 1
    stale = dict(dep)
    stale["metadata"] = dict(dep["metadata"], resourceVersion="1")
    status, body, _resp = api.call("PUT", path + "/web", stale)
    assert status == 409 and body["reason"] == "Conflict"
    live["spec"]["replicas"] = 3
    status, body, _resp = api.call("PUT", path + "/web", live)
    assert status == 200 and body["metadata"]["generation"] == 2
    status, body, _resp = api.call("GET", path + "/web/scale")
    assert body["kind"] == "Scale" and body["spec"]["replicas"] == 3 and body["status"]["replicas"] == 3


def test_namespaces_and_services_carry_no_generation(kube_cluster):
    """A real API server sets metadata.generation only where a strategy counts spec changes: never on a Namespace or
    a Service, even after a patch of their spec."""
    api = Api(kube_cluster)
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "no-generation"}}
    status, ns, _resp = api.call("POST", "/api/v1/namespaces", namespace)
    assert status == 201 and "generation" not in ns["metadata"] and ns["spec"] == {"finalizers": ["kubernetes"]}
    status, ns, _resp = api.call("PATCH", "/api/v1/namespaces/no-generation", {"metadata": {"labels": {"a": "b"}}},
                                 ctype="application/merge-patch+json")
    assert status == 200 and "generation" not in ns["metadata"]
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}}
    status, svc, _resp = api.call("POST", "/api/v1/namespaces/no-generation/services", service)
    assert status == 201 and "generation" not in svc["metadata"], svc


def test_delete_propagation(kube_cluster):
    api = Api(kube_cluster)
    c = kube_cluster.cluster
    path = "/apis/apps/v1/namespaces/default/deployments"
    for name in ("orphan", "fg", "bg"):
        api.call("POST", path, _deployment(name, 1))
    options = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Orphan"}
    status = api.call("DELETE", path + "/orphan", options)[0]
    assert status in (200, 202)
    rs = [r for r in c.list("apps/v1", "ReplicaSet", "default") if r["metadata"]["name"].startswith("orphan-")]
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    assert c.get("apps/v1", "Deployment", "orphan", "default") is None
    api.call("DELETE", path + "/fg?propagationPolicy=Foreground")
    api.call("DELETE", path + "/bg")
    names = {p["metadata"]["name"].split("-")[0] for p in c.list("v1", "Pod", "default")}
    assert names == {"orphan"}
    status, body, _resp = api.call("DELETE", path + "/nothing")
    assert status == 404 and body["message"] == 'deployments.apps "nothing" not found'


def test_finalizers_status_eviction_log_exec(kube_cluster):
    api = Api(kube_cluster)
    base = "/api/v1/namespaces/default/pods"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["example.com/keep"]},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    assert api.call("POST", base, pod)[0] == 201
    status, body, _resp = api.call("DELETE", base + "/p")
    assert status == 202 and body["metadata"]["deletionTimestamp"]
    status, body, _resp = api.call("PATCH", base + "/p/status", {"status": {"phase": "Failed"}},
                                   ctype="application/merge-patch+json")
    assert status == 200 and body["status"]["phase"] == "Failed"
    status, body, _resp = api.call("PATCH", base + "/p", {"metadata": {"finalizers": None}},
                                   ctype="application/merge-patch+json")
    assert status == 200 and kube_cluster.cluster.get("v1", "Pod", "p", "default") is None
    pod["metadata"] = {"name": "q"}
    api.call("POST", base, pod)
    status, text, resp = api.call("GET", base + "/q/log")
    assert status == 200 and "emulated log" in text and resp.getheader("Content-Type") == "text/plain"
    status, body, _resp = api.call("POST", base + "/q/exec?command=true&stdout=true")
    assert status == 400 and "not supported" in body["message"]
    status, body, _resp = api.call("POST", base + "/q/eviction", {"apiVersion": "policy/v1", "kind": "Eviction",
                                                                  "metadata": {"name": "q"}})
    assert status == 201 and kube_cluster.cluster.get("v1", "Pod", "q", "default") is None


def test_faults_and_request_log(kube_cluster):
    c = kube_cluster.cluster
    api = Api(kube_cluster)
    c.set_fault("status", code=429, count=1, retry_after=3, path_contains="/configmaps")
    status, body, resp = api.call("GET", "/api/v1/namespaces/default/configmaps")
    assert status == 429 and resp.getheader("Retry-After") == "3" and body["reason"] == "TooManyRequests"
    assert api.call("GET", "/api/v1/namespaces/default/configmaps")[0] == 200
    c.set_fault("status", code=503, count=2)
    assert [api.call("GET", "/api/v1/namespaces")[0] for _i in range(3)] == [503, 503, 200]
    c.set_fault("slow", seconds=0.3, path_contains="/secrets")
    started = time.monotonic()
    api.call("GET", "/api/v1/namespaces/default/secrets")
    assert time.monotonic() - started >= 0.3
    c.clear_faults()
    c.set_fault("unreachable")
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        api.call("GET", "/api/v1/namespaces")
    c.clear_faults()
    c.clear_log()
    api = Api(kube_cluster)
    api.call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", _cm("dry"))
    api.call("POST", "/api/v1/namespaces/default/configmaps", _cm("wet"))
    api.call("GET", "/api/v1/namespaces/default/configmaps/wet")
    api.call("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
    log = c.request_log()
    assert [(e["verb"], e["dry_run"], e["status"]) for e in log] == [
        ("create", True, 201), ("create", False, 201), ("get", False, 200), ("create", False, 201)]
    assert all(e["user"] == "admin" and "system:masters" in e["groups"] for e in log)
    assert [e["name"] or e["path"] for e in c.writes()] == ["/api/v1/namespaces/default/configmaps"]


def test_unauthenticated_and_public_paths(kube_cluster):
    api = Api(kube_cluster, token="wrong")
    assert api.call("GET", "/api/v1/namespaces")[0] == 401
    anon = Api(kube_cluster, token="")
    assert anon.call("GET", "/api")[0] == 401
    status, body, _resp = Api(kube_cluster).call("GET", "/version")
    assert status == 200 and body["gitVersion"] == "v1.33.4"


def test_standalone_runner(tmp_path):
    kubeconfig = tmp_path / "kc.yaml"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "tests"))
    proc = subprocess.Popen([sys.executable, "-m", "sim.kube", "--clusters", "a,b", "--kubeconfig", str(kubeconfig)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info["clusters"]) == {"a", "b"} and info["url"].startswith("https://127.0.0.1:")
        cfg = yaml.safe_load(kubeconfig.read_text())
        assert [c["name"] for c in cfg["contexts"]] == ["a", "b"]
        out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "kubectl"), "--kubeconfig", str(kubeconfig),
                              "--context", "b", "get", "ns", "-o", "name"], capture_output=True, text=True, check=True)
        assert "namespace/kube-system" in out.stdout.split()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_session_kubeconfig_follows_clusters(kube_emulator, new_kube_cluster):
    extra = new_kube_cluster("extra")
    cfg = yaml.safe_load(open(kube_emulator.kubeconfig_path, encoding="utf-8").read())
    assert extra.name in [c["name"] for c in cfg["contexts"]]
    out = subprocess.run(["kubectl", "--context", extra.name, "auth", "whoami", "-o", "json"], capture_output=True,
                         text=True, env=kube_emulator.env, check=True)
    info = json.loads(out.stdout)["status"]["userInfo"]
    assert info["username"] == "admin" and "system:masters" in info["groups"]


def test_rbac_escalation_prevention_and_immutable_fields(kube_cluster):
    admin = Api(kube_cluster)
    nobody = Api(kube_cluster, token="nobody-token")
    rbac_ns = "/apis/rbac.authorization.k8s.io/v1/namespaces/default"
    admin.call("POST", rbac_ns + "/roles", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "rbac-editor"},
        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"],
                   "verbs": ["create", "update", "get"]}]})
    status, body, _resp = admin.call("POST", rbac_ns + "/rolebindings", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "nobody-edits"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "rbac-editor"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "nobody"}]})
    assert status == 201, body
    # granting what one holds is fine, more is not
    held = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "held"},
            "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["get"]}]}
    assert nobody.call("POST", rbac_ns + "/roles", held)[0] == 201
    more = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "more"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]}
    status, body, _resp = nobody.call("POST", rbac_ns + "/roles", more)
    assert status == 403
    assert body["message"] == ('roles.rbac.authorization.k8s.io "more" is forbidden: user "nobody" (groups=["system:authenticated"]) '
                               'is attempting to grant RBAC permissions not currently held:\n'
                               '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}')
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "grab"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "nobody"}]}
    status, body, _resp = nobody.call("POST", rbac_ns + "/rolebindings", binding)
    assert status == 403 and "attempting to grant RBAC permissions not currently held" in body["message"]
    # roleRef cannot change, even for the admin
    status, binding, _resp = admin.call("GET", rbac_ns + "/rolebindings/nobody-edits")
    binding["roleRef"]["name"] = "held"
    status, body, _resp = admin.call("PUT", rbac_ns + "/rolebindings/nobody-edits", binding)
    assert status == 422 and body["message"].startswith(
        'RoleBinding.rbac.authorization.k8s.io "nobody-edits" is invalid: roleRef: Invalid value: ')
    assert body["message"].endswith(": cannot change roleRef")
    admin.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deployment("sel"))
    status, body, _resp = admin.call("PATCH", "/apis/apps/v1/namespaces/default/deployments/sel",
                                     {"spec": {"selector": {"matchLabels": {"app": "other"}}}},
                                     ctype="application/merge-patch+json")
    assert status == 422 and "spec.selector: Invalid value" in body["message"] and "field is immutable" in body["message"]


# ---- through the Python kubernetes client's typed API (CoreV1Api, BatchV1Api) -----------------------------------

def _core(kube):
    from kubernetes import client, config  # pylint: disable=import-outside-toplevel
    configuration = client.Configuration()
    config.load_kube_config(config_file=kube.kubeconfig, context=kube.name, client_configuration=configuration)
    api_client = client.ApiClient(configuration)
    return client.CoreV1Api(api_client), client.AppsV1Api(api_client), client.BatchV1Api(api_client)


def _python_client_error(call):
    from kubernetes.client.rest import ApiException  # pylint: disable=import-outside-toplevel
    with pytest.raises(ApiException) as err:
        call()
    return err.value.status, json.loads(err.value.body)


def test_ephemeral_containers_can_only_be_added(kube_cluster):
    core, _apps, _batch = _core(kube_cluster)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "labels": {"app": "x"}},
           "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]}}
    core.create_namespaced_pod("default", pod)
    debugger = {"name": "dbg", "image": "busybox:1.36", "targetContainerName": "app", "stdin": True, "tty": True}
    patched = core.patch_namespaced_pod_ephemeralcontainers(
        "app", "default", {"spec": {"ephemeralContainers": [debugger]}})
    assert [c.name for c in patched.spec.ephemeral_containers] == ["dbg"]
    assert patched.spec.ephemeral_containers[0].termination_message_path == "/dev/termination-log"
    entry = kube_cluster.cluster.request_log()[-1]
    assert (entry["verb"], entry["subresource"], entry["content_type"]) == (
        "patch", "ephemeralcontainers", "application/strategic-merge-patch+json")
    read = core.read_namespaced_pod_ephemeralcontainers("app", "default")
    assert read.kind == "Pod" and read.status.ephemeral_container_statuses[0].state.running
    # removing or changing one: 422 as kube-apiserver words it
    status, body = _python_client_error(lambda: core.patch_namespaced_pod_ephemeralcontainers(
        "app", "default", [{"op": "remove", "path": "/spec/ephemeralContainers/0"}]))
    assert status == 422 and body["reason"] == "Invalid"
    assert body["message"] == ('Pod "app" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
                               'containers "dbg" may not be removed\n')
    assert body["details"]["causes"] == [{"reason": "FieldValueForbidden", "field": "spec.ephemeralContainers",
                                          "message": 'Forbidden: existing ephemeral containers "dbg" may not be removed\n'}]
    status, body = _python_client_error(lambda: core.patch_namespaced_pod_ephemeralcontainers(
        "app", "default", [{"op": "replace", "path": "/spec/ephemeralContainers/0/image", "value": "alpine"}]))
    assert status == 422 and 'existing ephemeral containers "dbg" may not be changed' in body["message"]
    # fields ephemeral containers may not have, a target that is not a container, a name already taken
    bad = [dict(debugger, name="ports", ports=[{"containerPort": 80}]), dict(debugger, name="t", targetContainerName="nope"),
           dict(debugger, name="app")]
    status, body = _python_client_error(lambda: core.patch_namespaced_pod_ephemeralcontainers(
        "app", "default", {"spec": {"ephemeralContainers": bad}}))
    assert status == 422
    assert {c["field"]: c["message"] for c in body["details"]["causes"]} == {
        "spec.ephemeralContainers[1].ports": "Forbidden: cannot be set for an Ephemeral Container",
        "spec.ephemeralContainers[2].targetContainerName": 'Not found: "nope"',
        "spec.ephemeralContainers[3].name": 'Duplicate value: "app"'}
    # everything but spec.ephemeralContainers is the stored pod's: other changes are dropped, not applied
    live = core.read_namespaced_pod("app", "default")
    body = kube_cluster.cluster.get("v1", "Pod", "app", "default")
    body["metadata"]["labels"] = {"app": "changed"}
    body["spec"]["containers"][0]["image"] = "alpine"
    body["spec"]["ephemeralContainers"].append({"name": "dbg2", "image": "busybox:1.36"})
    replaced = core.replace_namespaced_pod_ephemeralcontainers("app", "default", body)
    assert [c.name for c in replaced.spec.ephemeral_containers] == ["dbg", "dbg2"]
    entry = kube_cluster.cluster.request_log()[-1]
    assert (entry["method"], entry["verb"], entry["subresource"]) == ("PUT", "update", "ephemeralcontainers")
    assert replaced.metadata.labels == {"app": "x"} and replaced.spec.containers[0].image == "busybox:1.36"
    # a stale resourceVersion on PUT: 409
    stale = kube_cluster.cluster.get("v1", "Pod", "app", "default")
    stale["metadata"]["resourceVersion"] = live.metadata.resource_version
    status, body = _python_client_error(lambda: core.replace_namespaced_pod_ephemeralcontainers("app", "default", stale))
    assert status == 409 and body["reason"] == "Conflict"
    # and neither create nor a plain update may carry them
    status, body = _python_client_error(lambda: core.create_namespaced_pod("default", dict(
        pod, metadata={"name": "direct"}, spec=dict(pod["spec"], ephemeralContainers=[debugger]))))
    assert status == 422 and "spec.ephemeralContainers: Forbidden: cannot be set on create" in body["message"]
    status, body = _python_client_error(lambda: core.patch_namespaced_pod(
        "app", "default", {"spec": {"ephemeralContainers": [dict(debugger, name="dbg3")]}}))
    assert status == 422 and "spec: Forbidden: pod updates may not change fields other than" in body["message"]
    # an image change is allowed on a running pod
    assert core.patch_namespaced_pod("app", "default", {"spec": {"containers": [
        {"name": "app", "image": "busybox:1.37"}]}}).spec.containers[0].image == "busybox:1.37"


def test_defaults_the_typed_clients_see(kube_cluster):
    core, apps, batch = _core(kube_cluster)
    core.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "registry.local:5000/tools", "ports": [{"containerPort": 8080}],
                        "resources": {"limits": {"cpu": "1"}}}],
        "volumes": [{"name": "cfg", "configMap": {"name": "cm"}}, {"name": "scratch"}]}})
    pod = core.read_namespaced_pod("p", "default")
    spec = pod.spec
    assert (spec.restart_policy, spec.dns_policy, spec.scheduler_name, spec.termination_grace_period_seconds) == (
        "Always", "ClusterFirst", "default-scheduler", 30)
    assert spec.security_context is not None and spec.enable_service_links is True
    assert (spec.service_account_name, spec.service_account, spec.priority) == ("default", "default", 0)
    assert {(t.key, t.effect, t.toleration_seconds) for t in spec.tolerations} == {
        ("node.kubernetes.io/not-ready", "NoExecute", 300), ("node.kubernetes.io/unreachable", "NoExecute", 300)}
    container = spec.containers[0]
    assert (container.image_pull_policy, container.termination_message_path, container.termination_message_policy) == (
        "Always", "/dev/termination-log", "File")    # a registry port is not a tag: latest
    assert container.ports[0].protocol == "TCP" and container.resources.requests == {"cpu": "1"}
    assert spec.volumes[0].config_map.default_mode == 420 and spec.volumes[1].empty_dir is not None
    assert pod.status.qos_class == "Burstable"
    apps.create_namespaced_stateful_set("default", {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
        "spec": {"selector": {"matchLabels": {"app": "db"}}, "serviceName": "db",
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "db", "image": "pg:16"}]}}}})
    sts = apps.read_namespaced_stateful_set("db", "default").spec
    assert (sts.pod_management_policy, sts.update_strategy.type, sts.update_strategy.rolling_update.partition,
            sts.revision_history_limit, sts.replicas) == ("OrderedReady", "RollingUpdate", 0, 10, 1)
    assert sts.template.spec.containers[0].image_pull_policy == "IfNotPresent"
    assert sts.template.spec.enable_service_links is None     # Pod-only defaults stay out of templates
    batch.create_namespaced_cron_job("default", {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                                                 "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {
                                                     "spec": {"restartPolicy": "OnFailure",
                                                              "containers": [{"name": "c", "image": "busybox"}]}}}}}})
    cron = batch.read_namespaced_cron_job("cj", "default").spec
    assert (cron.concurrency_policy, cron.suspend, cron.successful_jobs_history_limit, cron.failed_jobs_history_limit) == (
        "Allow", False, 3, 1)
    # and what kube-apiserver refuses in pod templates
    status, body = _python_client_error(lambda: batch.create_namespaced_job("default", {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}))
    assert status == 422 and body["message"] == ('Job.batch "j" is invalid: spec.template.spec.restartPolicy: '
                                                 'Unsupported value: "Always": supported values: "OnFailure", "Never"')
    status, body = _python_client_error(lambda: apps.create_namespaced_daemon_set("default", {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "other"}},
                                                                         "spec": {"containers": [{"name": "c"}]}}}}))
    assert status == 422 and '`selector` does not match template `labels`' in body["message"]


def test_token_request_and_protobuf_answers(kube_cluster):
    core, _apps, _batch = _core(kube_cluster)
    core.create_namespaced_service_account("default", {"metadata": {"name": "bot"}})
    status, body = _python_client_error(lambda: core.create_namespaced_service_account_token(
        "bot", "default", {"spec": {"expirationSeconds": 60}}))
    assert status == 422 and "may not specify a duration less than 10 minutes" in body["message"]
    minted = core.create_namespaced_service_account_token("bot", "default", {"spec": {"audiences": ["vault"]}})
    assert minted.status.token and minted.spec.audiences == ["vault"] and minted.spec.expiration_seconds == 3600
    review = Api(kube_cluster).call("POST", "/apis/authentication.k8s.io/v1/tokenreviews", {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": minted.status.token}})[1]
    assert review["status"]["authenticated"] and review["status"]["user"]["username"] == "system:serviceaccount:default:bot"
    status, _body = _python_client_error(lambda: core.create_namespaced_service_account_token(
        "ghost", "default", {"spec": {}}))
    assert status == 404
    # a protobuf-preferring client gets protobuf; JSON-only and protobuf-only clients are served too
    from sim.kube import protobuf  # pylint: disable=import-outside-toplevel
    api = Api(kube_cluster)
    for accept, want in (("application/vnd.kubernetes.protobuf,application/json", protobuf.PROTOBUF),
                         ("application/vnd.kubernetes.protobuf", protobuf.PROTOBUF),
                         ("application/json", "application/json")):
        status, body, resp = api.call("GET", "/api/v1/namespaces/default/serviceaccounts/bot", headers={"Accept": accept})
        assert status == 200 and resp.getheader("Content-Type") == want
        if want == protobuf.PROTOBUF:
            assert protobuf.decode(body)["metadata"]["name"] == "bot"
