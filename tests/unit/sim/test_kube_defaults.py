# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's server-side defaulting (sim.kube.defaults) and pod/workload validation (sim.kube.validation)."""

import copy

import pytest

from sim.kube import defaults, validation

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
       "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}


def _pod(**spec):
    pod = copy.deepcopy(POD)
    pod["spec"].update(spec)
    defaults.apply(("", "pods"), pod)
    return pod


@pytest.mark.parametrize("image, tag", [
    ("nginx", "latest"), ("nginx:1.27", "1.27"), ("registry.local:5000/tools", "latest"),
    ("registry.local:5000/tools:v2", "v2"), ("busybox@sha256:" + "a" * 64, ""), ("ghcr.io/x/y:latest", "latest")])
def test_image_tag(image, tag):
    assert defaults.image_tag(image) == tag


def test_pod_defaults_follow_defaults_go_and_admission():
    pod = _pod(hostNetwork=True)
    spec = pod["spec"]
    assert {k: spec[k] for k in ("restartPolicy", "dnsPolicy", "schedulerName", "terminationGracePeriodSeconds",
                                 "securityContext", "enableServiceLinks", "serviceAccountName", "serviceAccount",
                                 "priority", "preemptionPolicy")} == {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30, "securityContext": {}, "enableServiceLinks": True,
        "serviceAccountName": "default", "serviceAccount": "default", "priority": 0,
        "preemptionPolicy": "PreemptLowerPriority"}
    assert spec["containers"][0] == {"name": "c", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
                                     "terminationMessagePath": "/dev/termination-log",
                                     "terminationMessagePolicy": "File", "resources": {}}
    assert [t["key"] for t in spec["tolerations"]] == ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]


def test_defaulting_is_idempotent_and_keeps_explicit_zero_values():
    pod = _pod(terminationGracePeriodSeconds=0, enableServiceLinks=False, serviceAccount="legacy",
               tolerations=[{"operator": "Exists"}])
    again = copy.deepcopy(pod)
    defaults.apply(("", "pods"), again)
    assert again == pod
    spec = pod["spec"]
    assert (spec["terminationGracePeriodSeconds"], spec["enableServiceLinks"]) == (0, False)
    assert spec["serviceAccountName"] == "legacy" and spec["tolerations"] == [{"operator": "Exists"}]
    assert _pod(priorityClassName="system-node-critical")["spec"]["priority"] == 2000001000
    assert "priority" not in _pod(priorityClassName="batch-low")["spec"]


def test_container_details():
    pod = _pod(hostNetwork=True, containers=[{
        "name": "c", "image": "img", "ports": [{"containerPort": 9100}],
        "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m"}},
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
        "livenessProbe": {"httpGet": {"port": 8080}}}],
        volumes=[{"name": "s", "secret": {"secretName": "x", "defaultMode": 0}}, {"name": "h", "hostPath": {"path": "/"}}])
    c = pod["spec"]["containers"][0]
    assert c["ports"] == [{"containerPort": 9100, "protocol": "TCP", "hostPort": 9100}]
    assert c["resources"]["requests"] == {"cpu": "100m", "memory": "1Gi"}
    assert c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert c["livenessProbe"] == {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                  "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert pod["spec"]["volumes"] == [{"name": "s", "secret": {"secretName": "x", "defaultMode": 0}},
                                      {"name": "h", "hostPath": {"path": "/", "type": ""}}]
    assert defaults.qos_class(pod) == "Burstable"
    assert defaults.qos_class(_pod()) == "BestEffort"
    guaranteed = _pod(containers=[{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}])
    assert defaults.qos_class(guaranteed) == "Guaranteed"


def test_workload_defaults():
    ds = {"metadata": {"name": "d"}, "spec": {"updateStrategy": {}, "template": {"spec": {"containers": [{"name": "c"}]}}}}
    defaults.apply(("apps", "daemonsets"), ds)
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    tspec = ds["spec"]["template"]["spec"]
    assert tspec["restartPolicy"] == "Always" and tspec["containers"][0]["imagePullPolicy"] == "Always"
    assert "enableServiceLinks" not in tspec and "serviceAccountName" not in tspec   # Pod-only
    dep = {"metadata": {"name": "w"}, "spec": {"replicas": 0, "strategy": {"type": "Recreate"}}}
    defaults.apply(("apps", "deployments"), dep)
    assert dep["spec"]["replicas"] == 0 and dep["spec"]["strategy"] == {"type": "Recreate"}
    job = {"metadata": {"name": "j", "uid": "u-1"}, "spec": {"completions": 3, "template": {
        "metadata": {"labels": {"team": "a"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c"}]}}}}
    defaults.apply(("batch", "jobs"), job)
    defaults.job_selector(job)
    assert {k: job["spec"][k] for k in ("completions", "parallelism", "backoffLimit", "completionMode", "suspend",
                                        "podReplacementPolicy")} == {
        "completions": 3, "parallelism": 1, "backoffLimit": 6, "completionMode": "NonIndexed", "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed"}
    assert job["metadata"]["labels"] == {"team": "a"}
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    assert job["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "j"
    rc = {"metadata": {"name": "r"}, "spec": {"template": {"metadata": {"labels": {"app": "r"}}, "spec": {}}}}
    defaults.apply(("", "replicationcontrollers"), rc)
    assert (rc["spec"]["selector"], rc["metadata"]["labels"], rc["spec"]["replicas"]) == ({"app": "r"}, {"app": "r"}, 1)


# ---- validation -------------------------------------------------------------------------------------------------

def test_pod_create_causes():
    pod = _pod(containers=[{"name": "Bad"}, {"name": "c", "image": "i", "volumeMounts": [{"name": "v", "mountPath": "/v"}]},
                           {"name": "c", "image": "i"}], restartPolicy="Sometimes")
    causes = dict(validation.pod_create(pod))
    assert causes["spec.containers[0].name"].startswith('Invalid value: "Bad": a lowercase RFC 1123 label')
    assert causes["spec.containers[0].image"] == "Required value"
    assert causes["spec.containers[1].volumeMounts[0].name"] == 'Not found: "v"'
    assert causes["spec.containers[2].name"] == 'Duplicate value: "c"'
    assert causes["spec.restartPolicy"] == 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'


def test_pod_update_rules():
    old = _pod(tolerations=[{"key": "gpu", "operator": "Exists"}], activeDeadlineSeconds=60)
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "busybox:1.37"
    new["spec"]["tolerations"].append({"key": "more", "operator": "Exists"})
    new["spec"]["activeDeadlineSeconds"] = 30
    assert validation.pod_update(new, old) == []
    new["spec"]["containers"][0]["command"] = ["sh"]
    (field, message), = validation.pod_update(new, old)
    assert field == "spec" and message.startswith("Forbidden: pod updates may not change fields other than "
                                                  "`spec.containers[*].image`,")
    new = copy.deepcopy(old)
    new["spec"]["activeDeadlineSeconds"] = 120
    new["spec"]["tolerations"] = []
    causes = dict(validation.pod_update(new, old))
    assert causes["spec.activeDeadlineSeconds"] == "Invalid value: 120: must be less than or equal to previous value"
    assert causes["spec.tolerations[0]"].startswith("Forbidden: existing toleration can not be modified")
    new = copy.deepcopy(old)
    new["spec"]["containers"].append({"name": "d", "image": "i"})
    assert validation.pod_update(new, old) == [("spec.containers", "Forbidden: pod updates may not add or remove "
                                                                   "containers")]


def test_ephemeral_containers_only_grow():
    old = _pod(ephemeralContainers=[{"name": "dbg", "image": "busybox"}])
    new = copy.deepcopy(old)
    new["spec"]["ephemeralContainers"].append({"name": "dbg2", "image": "busybox",
                                               "volumeMounts": [{"name": "x", "mountPath": "/x", "subPath": "a"}]})
    causes = dict(validation.ephemeral_update(new, old))
    assert causes == {"spec.ephemeralContainers[1].volumeMounts[0].name": 'Not found: "x"',
                      "spec.ephemeralContainers[1].volumeMounts[0].subPath": "Forbidden: cannot be set for an "
                                                                             "Ephemeral Container"}
    new["spec"]["ephemeralContainers"] = [{"name": "dbg", "image": "alpine"}]
    (field, message), = validation.ephemeral_update(new, old)
    assert field == "spec.ephemeralContainers"
    assert message.startswith('Forbidden: existing ephemeral containers "dbg" may not be changed\n')
    new["spec"]["ephemeralContainers"] = []
    assert validation.ephemeral_update(new, old) == [
        ("spec.ephemeralContainers", 'Forbidden: existing ephemeral containers "dbg" may not be removed\n')]


@pytest.mark.parametrize("rkey, restart, field", [
    (("apps", "deployments"), "Never", "spec.template.spec.restartPolicy"),
    (("batch", "jobs"), "Always", "spec.template.spec.restartPolicy"),
    (("", "replicationcontrollers"), "OnFailure", "spec.template.spec.restartPolicy")])
def test_workload_template_restart_policy(rkey, restart, field):
    spec = {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {
        "restartPolicy": restart, "dnsPolicy": "ClusterFirst", "containers": [{"name": "c"}]}}}
    spec["selector"] = {"app": "a"} if rkey[1] == "replicationcontrollers" else {"matchLabels": {"app": "a"}}
    causes = dict(validation.workload(rkey, {"kind": "X", "spec": spec}))
    assert list(causes) == [field] and causes[field].startswith('Unsupported value: "%s"' % restart)


def test_selectors_and_cron_schedule():
    spec = {"selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"labels": {"app": "b", "x": "1"}}, "spec": {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": [{"name": "c"}]}}}
    assert validation.workload(("apps", "deployments"), {"kind": "Deployment", "spec": spec}) == [(
        "spec.template.metadata.labels", 'Invalid value: map[string]string{"app":"b", "x":"1"}: `selector` does not '
                                         'match template `labels`')]
    spec["selector"] = {}
    spec["replicas"] = -1
    assert validation.workload(("apps", "deployments"), {"kind": "Deployment", "spec": spec}) == [
        ("spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.selector", 'Invalid value: "{}": empty selector is invalid for deployment')]
    cron = {"kind": "CronJob", "spec": {"schedule": "every day", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Never", "dnsPolicy": "ClusterFirst", "containers": [{"name": "c"}]}}}}}}
    assert validation.workload(("batch", "cronjobs"), cron) == [
        ("spec.schedule", 'Invalid value: "every day": expected exactly 5 fields, found 2')]
    cron["spec"]["schedule"] = "@hourly"
    assert validation.workload(("batch", "cronjobs"), cron) == []


def test_csr_validation():
    csr = {"spec": {"request": "bm90IGEgUEVN", "usages": ["client auth"]},
           "status": {"conditions": [{"type": "Approved", "status": "True"}, {"type": "Denied", "status": "Maybe"}]}}
    causes = dict(validation.csr(csr, None))
    assert causes["spec.request"] == 'Invalid value: "bm90IGEgUEVN": PEM block type must be CERTIFICATE REQUEST'
    assert causes["spec.signerName"] == "Required value"
    assert causes["status.conditions[1].type"] == ('Invalid value: "Denied": Approved and Denied conditions are '
                                                   'mutually exclusive')
    assert causes["status.conditions[1].status"].startswith('Unsupported value: "Maybe"')
