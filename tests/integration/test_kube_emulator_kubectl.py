# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real kubectl against the Kubernetes API emulator."""

import base64
import json
import subprocess

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


PROTOBUF = "application/vnd.kubernetes.protobuf"


def _posts(k, resource, subresource=""):
    return [e for e in k.cluster.request_log()
            if e["method"] == "POST" and e["resource"] == resource and e["subresource"] == subresource]


def test_typed_create_commands_send_and_receive_protobuf(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    k.kubectl("create", "deployment", "web", "--image=nginx", "-n", "shop")
    k.kubectl("create", "job", "once", "--image=busybox:1.36", "-n", "shop", "--", "true")
    k.kubectl("create", "cronjob", "nightly", "--image=busybox:1.36", "--schedule=0 3 * * *", "-n", "shop")
    k.kubectl("run", "box", "--image=busybox:1.36", "-n", "shop", "--", "sleep", "3600")
    k.kubectl("create", "serviceaccount", "robot", "-n", "shop")
    token = k.kubectl("create", "token", "robot", "-n", "shop").stdout.strip()
    k.kubectl("create", "clusterrolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=shop:robot")
    out = k.kubectl("debug", "node/node-1", "--image=busybox:1.36", "-n", "shop")
    assert "Creating debugging pod node-debugger-node-1-" in out.stdout
    for resource, sub in (("deployments", ""), ("jobs", ""), ("cronjobs", ""), ("serviceaccounts", ""),
                          ("serviceaccounts", "token"), ("clusterrolebindings", "")):
        posts = _posts(k, resource, sub)
        assert posts and all(e["content_type"] == PROTOBUF and e["status"] == 201 for e in posts), (resource, posts)
    # kubectl run builds its Pod as JSON; kubectl debug node/... through the typed client, as protobuf
    assert [(e["query"], e["content_type"]) for e in _posts(k, "pods")] == [
        ("fieldManager=kubectl-run", "application/json"), ("", PROTOBUF)]
    assert "fieldValidation=Strict" in _posts(k, "deployments")[0]["query"]
    # what was decoded is what kubectl meant, defaulted like kube-apiserver does
    dep = k.cluster.get("apps/v1", "Deployment", "web", "shop")
    assert dep["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert dep["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"   # nginx: no tag = latest
    job = k.cluster.get("batch/v1", "Job", "once", "shop")
    assert (job["spec"]["backoffLimit"], job["spec"]["completions"], job["spec"]["parallelism"]) == (6, 1, 1)
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": job["metadata"]["uid"]}}
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    cron = k.cluster.get("batch/v1", "CronJob", "nightly", "shop")
    assert (cron["spec"]["concurrencyPolicy"], cron["spec"]["suspend"]) == ("Allow", False)
    assert k.cluster.list("batch/v1", "Job", "shop") == [job]    # a CronJob fires only when triggered
    pod = k.cluster.get("v1", "Pod", "box", "shop")
    assert pod["spec"]["containers"][0]["args"] == ["sleep", "3600"]
    crb = k.cluster.get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "robot-view")
    assert crb["subjects"] == [{"kind": "ServiceAccount", "name": "robot", "namespace": "shop"}]
    debugger = [p for p in k.cluster.list("v1", "Pod", "shop") if p["metadata"]["name"].startswith("node-debugger-")]
    assert len(debugger) == 1 and debugger[0]["spec"]["hostPID"] is True and debugger[0]["spec"]["nodeName"] == "node-1"
    # responses: a typed client prefers protobuf ("Accept: application/vnd.kubernetes.protobuf,application/json")
    # and gets it
    verbose = k.kubectl("create", "deployment", "web2", "--image=nginx", "-n", "shop", "-v=8").stderr
    headers = verbose[verbose.index('"Response" status="201 Created"'):].split(">", 1)[0]
    assert "Content-Type: " + PROTOBUF in headers
    # the minted token authenticates as the ServiceAccount, which the binding lets read pods
    who = json.loads(k.kubectl("--token", token, "auth", "whoami", "-o", "json").stdout)
    assert who["status"]["userInfo"]["username"] == "system:serviceaccount:shop:robot"
    assert "system:serviceaccounts:shop" in who["status"]["userInfo"]["groups"]
    assert k.kubectl("--token", token, "get", "pods", "-n", "shop", "-o", "name").stdout.count("pod/") == 5
    assert k.cluster.issued_tokens()[0]["sub"] == "system:serviceaccount:shop:robot"
    k.kubectl("delete", "serviceaccount", "robot", "-n", "shop")
    out = k.kubectl("--token", token, "get", "pods", "-n", "shop", check=False)
    assert out.returncode != 0 and "Unauthorized" in out.stderr


def test_debug_adds_ephemeral_containers_through_the_subresource(kube_cluster):
    k = kube_cluster
    k.kubectl("run", "app", "--image=busybox:1.36", "--", "sleep", "3600")
    k.kubectl("wait", "--for=condition=Ready", "pod/app", "--timeout=30s")
    k.cluster.clear_log()
    out = k.kubectl("debug", "app", "--image=busybox:1.36", "--target=app")
    assert "Targeting container \"app\"" in out.stderr or "Targeting container \"app\"" in out.stdout
    patches = [e for e in k.cluster.request_log() if e["method"] == "PATCH"]
    assert [(e["resource"], e["subresource"], e["verb"], e["content_type"], e["status"]) for e in patches] == [
        ("pods", "ephemeralcontainers", "patch", "application/strategic-merge-patch+json", 200)]
    k.kubectl("debug", "app", "--image=busybox:1.36", "--profile=sysadmin", "--container=root-shell")
    pod = k.cluster.get("v1", "Pod", "app", "default")
    first, second = pod["spec"]["ephemeralContainers"]
    assert first["targetContainerName"] == "app" and first["image"] == "busybox:1.36"
    assert first["terminationMessagePolicy"] == "File" and first["imagePullPolicy"] == "IfNotPresent"
    assert second["name"] == "root-shell" and second["securityContext"] == {"privileged": True}
    statuses = {s["name"]: s for s in pod["status"]["ephemeralContainerStatuses"]}
    assert set(statuses) == {first["name"], "root-shell"}
    assert all("running" in s["state"] and s["ready"] is False for s in statuses.values())
    # reading the subresource gives the pod
    got = json.loads(k.kubectl("get", "--raw", "/api/v1/namespaces/default/pods/app/ephemeralcontainers").stdout)
    assert got["kind"] == "Pod" and len(got["spec"]["ephemeralContainers"]) == 2
    # a name is unique across containers; a plain pod update may not touch ephemeral containers
    out = k.kubectl("debug", "app", "--image=busybox:1.36", "--container=app", check=False)
    assert out.returncode != 0 and 'spec.ephemeralContainers[2].name: Duplicate value: "app"' in out.stderr
    out = k.kubectl("patch", "pod", "app", "--type=json", "-p", '[{"op": "remove", "path": "/spec/ephemeralContainers/0"}]',
                    check=False)
    assert out.returncode != 0 and "pod updates may not change fields other than" in out.stderr
    # only deleting the pod removes them
    k.kubectl("delete", "pod", "app", "--timeout=30s")
    assert k.cluster.get("v1", "Pod", "app", "default") is None


def test_debug_needs_patch_on_pods_ephemeralcontainers(kube_cluster):
    k = kube_cluster
    k.kubectl("run", "app", "--image=busybox:1.36")
    k.kubectl("create", "role", "look", "--verb=get,list", "--resource=pods")
    k.kubectl("create", "rolebinding", "look", "--role=look", "--user=dev")
    k.cluster.clear_log()
    out = k.kubectl("debug", "app", "--image=busybox:1.36", "--as=dev", check=False)
    assert out.returncode != 0
    assert ('pods "app" is forbidden: User "dev" cannot patch resource "pods/ephemeralcontainers" in API group "" '
            'in the namespace "default"') in out.stderr
    k.kubectl("create", "role", "debug", "--verb=patch", "--resource=pods/ephemeralcontainers")
    k.kubectl("create", "rolebinding", "debug", "--role=debug", "--user=dev")
    k.kubectl("debug", "app", "--image=busybox:1.36", "--as=dev")
    denied, allowed = [e for e in k.cluster.request_log() if e["subresource"] == "ephemeralcontainers"]
    assert (denied["verb"], denied["status"], denied["impersonated_user"]) == ("patch", 403, "dev")
    assert (allowed["verb"], allowed["status"]) == ("patch", 200)
    assert len(k.cluster.get("v1", "Pod", "app", "default")["spec"]["ephemeralContainers"]) == 1


DAEMONSET = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostPID: true
      containers: [{name: agent, image: busybox:1.36, securityContext: {privileged: true}}]
"""

BINDING = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: support-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "crusoe:support:readonly"}]
"""


def test_apply_and_create_validate_on_the_server(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "namespace", "shop")
    k.cluster.clear_log()
    for manifest in (DEPLOYMENT, DAEMONSET, BINDING):
        k.kubectl("apply", "-f", "-", input_text=manifest)
    writes = [e for e in k.cluster.writes() if e["method"] == "POST"]
    assert [e["resource"] for e in writes] == ["deployments", "daemonsets", "clusterrolebindings"]
    assert all("fieldValidation=Strict" in e["query"] for e in writes)
    ds = k.cluster.get("apps/v1", "DaemonSet", "agent", "kube-system")
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["spec"]["revisionHistoryLimit"] == 10
    assert ds["spec"]["template"]["spec"]["securityContext"] == {}
    for manifest, field in ((DAEMONSET.replace("hostPID", "hostPIDs"), "spec.template.spec.hostPIDs"),
                            (BINDING.replace("roleRef", "roleRef: {}\nroleReff", 1), "roleReff")):
        for verb in ("apply", "create"):
            out = k.kubectl(verb, "-f", "-", input_text=manifest.replace("agent", "agent2").replace("support-view", "sv2"),
                            check=False)
            assert out.returncode != 0 and ('strict decoding error: unknown field "%s"' % field) in out.stderr, out.stderr
    # kinds whose OpenAPI v3 has no PATCH (access reviews) are validated by kubectl itself, with /openapi/v2
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
              "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}
    k.cluster.clear_log()
    assert json.loads(k.kubectl("create", "-f", "-", "-o", "json", input_text=json.dumps(review)).stdout)["status"]["allowed"]
    assert any(e["path"] == "/openapi/v2" and e["status"] == 200 for e in k.cluster.request_log())
    review["spec"]["resourceAttribute"] = review["spec"].pop("resourceAttributes")
    out = k.kubectl("create", "-f", "-", input_text=json.dumps(review), check=False)
    assert out.returncode != 0 and ('unknown field "resourceAttribute" in '
                                    'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec') in out.stderr


def test_explain_reads_openapi_v2_as_protobuf(kube_cluster):
    k = kube_cluster
    out = k.kubectl("explain", "daemonset.spec.updateStrategy", "--output=plaintext-openapiv2").stdout
    assert "KIND:     DaemonSet" in out and "rollingUpdate" in out
    out = k.kubectl("explain", "certificatesigningrequests", "--output=plaintext-openapiv2").stdout
    assert "VERSION:  certificates.k8s.io/v1" in out
    doc = json.loads(k.kubectl("get", "--raw", "/openapi/v2").stdout)
    assert doc["swagger"] == "2.0" and "io.k8s.api.discovery.v1.EndpointSlice" in doc["definitions"]


def test_controllers_replace_deleted_pods(kube_cluster):
    k = kube_cluster
    k.kubectl("apply", "-f", "-", input_text=DAEMONSET)
    k.kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
    k.cluster.job_pods_complete = False
    k.kubectl("create", "job", "long", "--image=busybox:1.36", "--", "sleep", "3600")
    k.kubectl("patch", "job", "long", "--type=merge", "-p", '{"spec":{"backoffLimit":1}}')

    def owned(kind, namespace="default"):
        return [p for p in k.cluster.list("v1", "Pod", namespace)
                if any(r["kind"] == kind for r in p["metadata"].get("ownerReferences") or [])]

    (ds_pod,) = owned("DaemonSet", "kube-system")
    job_pod = owned("Job")[0]
    assert job_pod["status"]["phase"] == "Running"
    k.cluster.clear_log()
    for pod, namespace in ((ds_pod, "kube-system"), (owned("ReplicaSet")[0], "default"), (job_pod, "default")):
        k.kubectl("delete", "pod", pod["metadata"]["name"], "-n", namespace, "--wait=false")
    # the log has the user's three deletes and nothing the controllers did
    assert [(e["method"], e["resource"]) for e in k.cluster.writes()] == [("DELETE", "pods")] * 3
    (new_ds_pod,) = owned("DaemonSet", "kube-system")
    assert new_ds_pod["metadata"]["name"] != ds_pod["metadata"]["name"]
    assert new_ds_pod["metadata"]["ownerReferences"] == ds_pod["metadata"]["ownerReferences"]
    assert new_ds_pod["spec"]["nodeName"] == "node-1"
    assert {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"} in \
        new_ds_pod["spec"]["tolerations"]
    assert len(owned("ReplicaSet")) == 2
    (new_job_pod,) = owned("Job")
    assert new_job_pod["metadata"]["name"] != job_pod["metadata"]["name"]
    job = k.cluster.get("batch/v1", "Job", "long", "default")
    assert (job["status"]["failed"], job["status"]["active"]) == (1, 1)
    # a second pod lost goes past backoffLimit 1: the Job fails and makes no more pods
    k.kubectl("delete", "pod", new_job_pod["metadata"]["name"], "--wait=false")
    job = k.cluster.get("batch/v1", "Job", "long", "default")
    assert job["status"]["failed"] == 2 and "active" not in job["status"]
    assert {c["type"]: c["reason"] for c in job["status"]["conditions"]}["Failed"] == "BackoffLimitExceeded"
    assert owned("Job") == []


def test_cronjob_creates_jobs_only_when_triggered(kube_cluster):
    k = kube_cluster
    k.kubectl("create", "cronjob", "sweep", "--image=busybox:1.36", "--schedule=*/1 * * * *", "--", "true")
    assert k.cluster.list("batch/v1", "Job") == []
    first = k.cluster.trigger_cronjob("sweep")
    second = k.cluster.trigger_cronjob("sweep")
    assert first["metadata"]["name"] != second["metadata"]["name"]
    assert first["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert "batch.kubernetes.io/cronjob-scheduled-timestamp" in first["metadata"]["annotations"]
    jobs = json.loads(k.kubectl("get", "jobs", "-o", "json").stdout)["items"]
    assert sorted(j["metadata"]["name"] for j in jobs) == sorted([first["metadata"]["name"], second["metadata"]["name"]])
    assert all(any(c["type"] == "Complete" for c in j["status"]["conditions"]) for j in jobs)
    cron = json.loads(k.kubectl("get", "cronjob", "sweep", "-o", "json").stdout)
    assert cron["status"]["lastScheduleTime"] and "active" not in cron["status"]
    assert [e for e in k.cluster.writes() if e["resource"] == "jobs"] == []
    k.kubectl("patch", "cronjob", "sweep", "--type=merge", "-p", '{"spec":{"suspend":true}}')
    assert k.cluster.trigger_cronjob("sweep") is None


def test_new_builtin_kinds_are_served(kube_cluster, tmp_path):
    k = kube_cluster
    names = {line.split()[0] for line in k.kubectl("api-resources", "--no-headers").stdout.splitlines()}
    assert {"replicationcontrollers", "endpointslices", "persistentvolumes", "storageclasses",
            "certificatesigningrequests", "mutatingwebhookconfigurations", "validatingwebhookconfigurations"} <= names
    manifests = [
        {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
         "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "legacy"}},
                                              "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}}},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web-1"},
         "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.9"]}], "ports": [{"port": 80}]},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "host-root"},
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/"}}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
         "provisioner": "kubernetes.io/no-provisioner"},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
         "metadata": {"name": "inject"},
         "webhooks": [{"name": "inject.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                       "clientConfig": {"url": "https://hook.example.com/mutate"},
                       "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                  "resources": ["pods"]}]}]},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": "deny"},
         "webhooks": [{"name": "deny.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                       "clientConfig": {"service": {"namespace": "default", "name": "hook"}}}]},
    ]
    for manifest in manifests:
        k.kubectl("apply", "-f", "-", input_text=json.dumps(manifest))
    rc = k.cluster.get("v1", "ReplicationController", "legacy", "default")
    assert rc["spec"]["selector"] == {"app": "legacy"} and rc["status"]["readyReplicas"] == 2
    assert len(json.loads(k.kubectl("get", "pods", "-l", "app=legacy", "-o", "json").stdout)["items"]) == 2
    k.kubectl("scale", "rc", "legacy", "--replicas=1")
    assert len(k.cluster.list("v1", "Pod")) == 1
    pv = k.cluster.get("v1", "PersistentVolume", "host-root")
    assert (pv["spec"]["persistentVolumeReclaimPolicy"], pv["spec"]["volumeMode"], pv["status"]["phase"]) == \
        ("Retain", "Filesystem", "Pending")
    assert k.cluster.get("storage.k8s.io/v1", "StorageClass", "local")["reclaimPolicy"] == "Delete"
    hook = k.cluster.get("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "inject")["webhooks"][0]
    assert (hook["failurePolicy"], hook["timeoutSeconds"], hook["reinvocationPolicy"]) == ("Fail", 10, "Never")
    service = k.cluster.get("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "deny")
    assert service["webhooks"][0]["clientConfig"]["service"]["port"] == 443
    assert k.cluster.get("discovery.k8s.io/v1", "EndpointSlice", "web-1", "default")["ports"][0]["protocol"] == "TCP"


def test_certificate_approval_needs_approve_on_the_signer(kube_cluster, tmp_path):
    k = kube_cluster
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k.pem"),
                    "-subj", "/CN=mallory/O=system:masters", "-out", str(tmp_path / "r.csr")], check=True,
                   capture_output=True)
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "mallory"},
           "spec": {"request": base64.b64encode((tmp_path / "r.csr").read_bytes()).decode(),
                    "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"]}}
    k.kubectl("create", "-f", "-", input_text=json.dumps(csr))
    stored = k.cluster.get("certificates.k8s.io/v1", "CertificateSigningRequest", "mallory")
    assert stored["spec"]["username"] == "admin" and "system:masters" in stored["spec"]["groups"]
    k.kubectl("create", "clusterrole", "csr-updater", "--verb=get,list,update",
              "--resource=certificatesigningrequests,certificatesigningrequests/approval")
    k.kubectl("create", "clusterrolebinding", "csr-updater", "--clusterrole=csr-updater", "--user=approver")
    out = k.kubectl("certificate", "approve", "mallory", "--as=approver", check=False)
    assert out.returncode != 0 and ('certificatesigningrequests.certificates.k8s.io "mallory" is forbidden: user not '
                                    'permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"'
                                    ) in out.stderr
    approve = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "signer-approver"},
               "rules": [{"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"],
                          "resourceNames": ["kubernetes.io/*"]}]}
    k.kubectl("apply", "-f", "-", input_text=json.dumps(approve))
    k.kubectl("create", "clusterrolebinding", "signer-approver", "--clusterrole=signer-approver", "--user=approver")
    k.cluster.clear_log()
    assert "approved" in k.kubectl("certificate", "approve", "mallory", "--as=approver").stdout
    (put,) = list(k.cluster.writes())
    assert (put["method"], put["subresource"], put["verb"], put["content_type"]) == \
        ("PUT", "approval", "update", PROTOBUF)
    issued = k.cluster.get("certificates.k8s.io/v1", "CertificateSigningRequest", "mallory")
    assert [c["type"] for c in issued["status"]["conditions"]] == ["Approved"]
    assert b"BEGIN CERTIFICATE" in base64.b64decode(issued["status"]["certificate"])
