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
