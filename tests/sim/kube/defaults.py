# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side defaulting of the built-in kinds, as kube-apiserver applies it to every object it decodes.

Follows the SetDefaults_* functions of pkg/apis/{core,apps,batch,storage,admissionregistration}/v1/defaults.go (and
the declarative ``+default`` markers of k8s.io/api), and for Pods also what the default admission plugins add
(ServiceAccount: ``serviceAccountName: default``; DefaultTolerationSeconds: the not-ready/unreachable NoExecute
tolerations; Priority: ``priority: 0`` and ``preemptionPolicy``). Like Go, a zero value counts as unset for
strings and structs, while an explicit 0 or false of a pointer field is kept.

``apply(rt_key, obj, old)`` defaults one object in place; ``pod(obj)`` is also what the controllers call for the
pods they create (kube-controller-manager creates them through the API, so they are defaulted the same way).
"""

import copy

TERMINATION_MESSAGE_PATH = "/dev/termination-log"
DEFAULT_TOLERATIONS = ({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                        "tolerationSeconds": 300},
                       {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                        "tolerationSeconds": 300})
# the Priority plugin's classes every cluster has ("" = no class: priority 0)
SYSTEM_PRIORITY_CLASSES = {"": 0, "system-cluster-critical": 2000000000, "system-node-critical": 2000001000}
_VOLUME_SOURCES_WITH_MODE = ("secret", "configMap", "downwardAPI", "projected")


def _zero(value):
    return value is None or value == "" or value == {} or value == []


def _set(obj, key, value):
    """obj[key] = value when the field is unset (missing, null, "" or an empty struct)."""
    if _zero(obj.get(key)):
        obj[key] = copy.deepcopy(value)
    return obj[key]


def _ptr(obj, key, value):
    """A pointer field: set only when missing or null (0, false and "" are values)."""
    if obj.get(key) is None:
        obj[key] = copy.deepcopy(value)
    return obj[key]


def _struct(obj, key):
    """A struct field, created empty when missing (Go shows non-pointer structs as {})."""
    if not isinstance(obj.get(key), dict):
        obj[key] = {}
    return obj[key]


def image_tag(image):
    """The tag of an image reference as parsers.ParseImageName sees it: "latest" without tag and digest."""
    name = image or ""
    if "@" in name:
        name, _digest = name.split("@", 1)
        last = name.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else ""
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


# ---- core/v1 ----------------------------------------------------------------------------------------------------

def _probe(probe):
    if not isinstance(probe, dict):
        return
    _set(probe, "timeoutSeconds", 1)
    _set(probe, "periodSeconds", 10)
    _set(probe, "successThreshold", 1)
    _set(probe, "failureThreshold", 3)
    _handler(probe)


def _handler(handler):
    http = handler.get("httpGet") if isinstance(handler, dict) else None
    if isinstance(http, dict):
        _set(http, "path", "/")
        _set(http, "scheme", "HTTP")


def container(c):
    """SetDefaults_Container (and EphemeralContainer)."""
    if not isinstance(c, dict):
        return
    if _zero(c.get("imagePullPolicy")):
        c["imagePullPolicy"] = "Always" if image_tag(c.get("image")) == "latest" else "IfNotPresent"
    _set(c, "terminationMessagePath", TERMINATION_MESSAGE_PATH)
    _set(c, "terminationMessagePolicy", "File")
    _struct(c, "resources")
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            _set(port, "protocol", "TCP")
    for env in c.get("env") or []:
        field_ref = ((env or {}).get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            _set(field_ref, "apiVersion", "v1")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(c.get(probe))
    for hook in ((c.get("lifecycle") or {}).get("postStart"), (c.get("lifecycle") or {}).get("preStop")):
        _handler(hook)


def _volume(volume):
    if not isinstance(volume, dict):
        return
    sources = [k for k in volume if k != "name"]
    if not sources:
        volume["emptyDir"] = {}
    for key in _VOLUME_SOURCES_WITH_MODE:
        if isinstance(volume.get(key), dict):
            _ptr(volume[key], "defaultMode", 420)
    if isinstance(volume.get("hostPath"), dict):
        _ptr(volume["hostPath"], "type", "")


def pod_spec(spec):
    """SetDefaults_PodSpec with the defaults of its containers and volumes: pods and pod templates alike."""
    _set(spec, "dnsPolicy", "ClusterFirst")
    _set(spec, "restartPolicy", "Always")
    _ptr(spec, "securityContext", {})
    _ptr(spec, "terminationGracePeriodSeconds", 30)
    _set(spec, "schedulerName", "default-scheduler")
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            container(c)
    for volume in spec.get("volumes") or []:
        _volume(volume)


def pod(obj):
    """SetDefaults_Pod plus the default admission plugins' additions; obj is a Pod."""
    spec = _struct(obj, "spec")
    pod_spec(spec)
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            resources = (c or {}).get("resources") or {}
            if resources.get("limits"):
                requests = resources.setdefault("requests", {})
                for name, value in resources["limits"].items():
                    requests.setdefault(name, value)
    _ptr(spec, "enableServiceLinks", True)
    if spec.get("hostNetwork"):
        for key in ("containers", "initContainers"):
            for c in spec.get(key) or []:
                for port in (c or {}).get("ports") or []:
                    if not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    # admission: ServiceAccount, DefaultTolerationSeconds, Priority
    account = _set(spec, "serviceAccountName", spec.get("serviceAccount") or "default")
    spec["serviceAccount"] = account
    tolerations = spec.setdefault("tolerations", [])
    for default in DEFAULT_TOLERATIONS:
        if not any(t.get("key") in (None, "", default["key"]) and t.get("effect") in (None, "", "NoExecute")
                   for t in tolerations if isinstance(t, dict)):
            tolerations.append(dict(default))
    priority = SYSTEM_PRIORITY_CLASSES.get(spec.get("priorityClassName") or "")
    if priority is not None:   # classes the emulator does not serve: left to the caller
        _ptr(spec, "priority", priority)
        _set(spec, "preemptionPolicy", "PreemptLowerPriority")


def template(spec):
    """The pod template of a workload spec (PodTemplateSpec: only SetDefaults_PodSpec, no Pod-only defaults)."""
    tmpl = _struct(spec, "template")
    _struct(tmpl, "metadata")
    pod_spec(_struct(tmpl, "spec"))
    return tmpl


def _replication_controller(obj):
    spec = _struct(obj, "spec")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels:
        _set(spec, "selector", labels)
        _set(obj["metadata"], "labels", labels)
    _ptr(spec, "replicas", 1)
    if spec.get("template") is not None:
        template(spec)


def _service(obj):
    spec = _struct(obj, "spec")
    _set(spec, "type", "ClusterIP")
    _set(spec, "sessionAffinity", "None")
    for port in spec.get("ports") or []:
        _set(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        _set(spec, "externalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer", "ClusterIP"):
        _ptr(spec, "internalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        _ptr(spec, "allocateLoadBalancerNodePorts", True)


def _persistent_volume(obj):
    spec = _struct(obj, "spec")
    _set(spec, "persistentVolumeReclaimPolicy", "Retain")
    _ptr(spec, "volumeMode", "Filesystem")
    _set(_struct(obj, "status"), "phase", "Pending")


def _persistent_volume_claim(obj):
    _ptr(_struct(obj, "spec"), "volumeMode", "Filesystem")
    _set(_struct(obj, "status"), "phase", "Pending")


def _endpoints(obj):
    for subset in obj.get("subsets") or []:
        for port in (subset or {}).get("ports") or []:
            _set(port, "protocol", "TCP")


# ---- apps/v1 ----------------------------------------------------------------------------------------------------

def _deployment(obj):
    spec = _struct(obj, "spec")
    _ptr(spec, "replicas", 1)
    strategy = _struct(spec, "strategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _struct(strategy, "rollingUpdate")
        _ptr(rolling, "maxUnavailable", "25%")
        _ptr(rolling, "maxSurge", "25%")
    _ptr(spec, "revisionHistoryLimit", 10)
    _ptr(spec, "progressDeadlineSeconds", 600)
    template(spec)


def _daemon_set(obj):
    spec = _struct(obj, "spec")
    strategy = _struct(spec, "updateStrategy")
    _set(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _struct(strategy, "rollingUpdate")
        _ptr(rolling, "maxUnavailable", 1)
        _ptr(rolling, "maxSurge", 0)
    _ptr(spec, "revisionHistoryLimit", 10)
    template(spec)


def _stateful_set(obj):
    spec = _struct(obj, "spec")
    _set(spec, "podManagementPolicy", "OrderedReady")
    strategy = _struct(spec, "updateStrategy")
    if _zero(strategy.get("type")):
        strategy["type"] = "RollingUpdate"
        _struct(strategy, "rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        _ptr(strategy["rollingUpdate"], "partition", 0)
    retention = _struct(spec, "persistentVolumeClaimRetentionPolicy")
    _set(retention, "whenDeleted", "Retain")
    _set(retention, "whenScaled", "Retain")
    _ptr(spec, "replicas", 1)
    _ptr(spec, "revisionHistoryLimit", 10)
    for claim in spec.get("volumeClaimTemplates") or []:
        _ptr(_struct(claim, "spec"), "volumeMode", "Filesystem")
    template(spec)


def _replica_set(obj):
    spec = _struct(obj, "spec")
    _ptr(spec, "replicas", 1)
    template(spec)


# ---- batch/v1 ---------------------------------------------------------------------------------------------------

def _job_spec(spec):
    template(spec)


def _job(obj):
    spec = _struct(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    _ptr(spec, "parallelism", 1)
    _ptr(spec, "backoffLimit", 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if labels and not obj["metadata"].get("labels"):
        obj["metadata"]["labels"] = dict(labels)
    _ptr(spec, "completionMode", "NonIndexed")
    _ptr(spec, "suspend", False)
    _ptr(spec, "podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed")
    _job_spec(spec)


def job_selector(obj):
    """The Job strategy's PrepareForCreate: without manualSelector the selector is generated from the uid, and the
    template carries the matching labels."""
    spec = _struct(obj, "spec")
    if spec.get("manualSelector"):
        return
    meta = obj["metadata"]
    labels = {"batch.kubernetes.io/controller-uid": meta["uid"], "batch.kubernetes.io/job-name": meta["name"],
              "controller-uid": meta["uid"], "job-name": meta["name"]}
    tmeta = _struct(template(spec), "metadata")
    tmeta["labels"] = dict(tmeta.get("labels") or {}, **labels)
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": meta["uid"]}}


def _cron_job(obj):
    spec = _struct(obj, "spec")
    _set(spec, "concurrencyPolicy", "Allow")
    _ptr(spec, "suspend", False)
    _ptr(spec, "successfulJobsHistoryLimit", 3)
    _ptr(spec, "failedJobsHistoryLimit", 1)
    job_template = _struct(spec, "jobTemplate")
    _struct(job_template, "metadata")
    _job_spec(_struct(job_template, "spec"))


# ---- other groups -----------------------------------------------------------------------------------------------

def _storage_class(obj):
    _ptr(obj, "reclaimPolicy", "Delete")
    _ptr(obj, "volumeBindingMode", "Immediate")


def _webhooks(obj, mutating):
    for hook in obj.get("webhooks") or []:
        if not isinstance(hook, dict):
            continue
        _ptr(hook, "failurePolicy", "Fail")
        _ptr(hook, "matchPolicy", "Equivalent")
        _ptr(hook, "namespaceSelector", {})
        _ptr(hook, "objectSelector", {})
        _ptr(hook, "timeoutSeconds", 10)
        if mutating:
            _ptr(hook, "reinvocationPolicy", "Never")
        service = (hook.get("clientConfig") or {}).get("service")
        if isinstance(service, dict):
            _ptr(service, "port", 443)
        for rule in hook.get("rules") or []:
            _ptr(rule, "scope", "*")


def _endpoint_slice(obj):
    for port in obj.get("ports") or []:
        if isinstance(port, dict):
            _ptr(port, "protocol", "TCP")
            _ptr(port, "name", "")


_BY_RESOURCE = {
    ("", "pods"): pod,
    ("", "replicationcontrollers"): _replication_controller,
    ("", "services"): _service,
    ("", "persistentvolumes"): _persistent_volume,
    ("", "persistentvolumeclaims"): _persistent_volume_claim,
    ("", "endpoints"): _endpoints,
    ("apps", "deployments"): _deployment,
    ("apps", "daemonsets"): _daemon_set,
    ("apps", "statefulsets"): _stateful_set,
    ("apps", "replicasets"): _replica_set,
    ("batch", "jobs"): _job,
    ("batch", "cronjobs"): _cron_job,
    ("storage.k8s.io", "storageclasses"): _storage_class,
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): lambda obj: _webhooks(obj, True),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): lambda obj: _webhooks(obj, False),
    ("discovery.k8s.io", "endpointslices"): _endpoint_slice,
}


def apply(rkey, obj):
    """Default obj (a built-in kind identified by (group, plural)) in place."""
    func = _BY_RESOURCE.get(rkey)
    if func is not None:
        func(obj)


def qos_class(obj):
    """The pod's QoS class (qos.GetPodQOS), computed once at create."""
    containers = [c for key in ("containers", "initContainers") for c in (obj.get("spec") or {}).get(key) or []]
    requests = [((c or {}).get("resources") or {}).get("requests") or {} for c in containers]
    limits = [((c or {}).get("resources") or {}).get("limits") or {} for c in containers]
    if not any(r.get(n) for r in requests + limits for n in ("cpu", "memory")):
        return "BestEffort"
    guaranteed = all(lim.get(n) and req.get(n, lim.get(n)) == lim.get(n) for req, lim in zip(requests, limits)
                     for n in ("cpu", "memory"))
    return "Guaranteed" if guaranteed else "Burstable"
