# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RBAC through the emulator: what the crusoe-support-roles chart grants the support groups, and its revocation."""

import json

import pytest

from sim.chartrepo import ChartRepo

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns-1", "namespace": "kube-system"},
       "spec": {"containers": [{"name": "coredns", "image": "coredns:1.11"}]}}


@pytest.fixture(scope="module")
def chart_repo():
    repo = ChartRepo().start()
    yield repo
    repo.stop()


def _sar(k, group, verb, resource, subresource=""):
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": "someone", "groups": [group, "system:authenticated"],
                     "resourceAttributes": {"namespace": "kube-system", "verb": verb, "resource": resource,
                                            "subresource": subresource}}}
    # create-only kinds have no PATCH in OpenAPI v3, so kubectl validates client side with /openapi/v2 (protobuf)
    out = k.kubectl("create", "-f", "-", "-o", "json", input_text=json.dumps(body))
    return json.loads(out.stdout)["status"]


def _exec_status(k, user):
    k.cluster.clear_log()
    out = k.kubectl("exec", "coredns-1", "-n", "kube-system", "--", "true", user=user, check=False)
    assert out.returncode != 0
    # kubectl GETs the pod first, then asks for pods/exec (websocket, then SPDY)
    return [e["status"] for e in k.cluster.request_log() if e["resource"] == "pods"]


@pytest.mark.slow
@pytest.mark.parametrize("helm_version", [3, 4])
def test_support_groups_before_and_after_uninstall(kube_cluster, chart_repo, helm_version):
    k = kube_cluster
    k.helm("install", "crusoe-support-roles", "crusoe-support-roles", "--repo", chart_repo.url, "--version", "0.2.0",
           "-n", "crusoe-system", "--create-namespace", "--wait", "--timeout", "60s", version=helm_version)
    k.cluster.seed([POD])
    # the operator group may exec (authorization passes; the emulator then refuses the upgrade itself) and delete
    statuses = _exec_status(k, "crusoe-support-operator")
    assert statuses[0] == 200 and len(statuses) > 1 and set(statuses[1:]) == {400}
    statuses = _exec_status(k, "crusoe-support-readonly")
    assert statuses[0] == 200 and set(statuses[1:]) == {403}  # may read the pod, may not exec
    out = k.kubectl("delete", "pod", "coredns-1", "-n", "kube-system", "--wait=false", user="crusoe-support-readonly",
                    check=False)
    assert out.returncode != 0 and 'cannot delete resource "pods"' in out.stderr
    k.kubectl("get", "pods", "-n", "kube-system", user="crusoe-support-readonly")
    k.kubectl("delete", "pod", "coredns-1", "-n", "kube-system", "--wait=false", user="crusoe-support-operator")
    assert k.cluster.get("v1", "Pod", "coredns-1", "kube-system") is None
    # impersonation by the admin gives the same answers
    can = k.kubectl("auth", "can-i", "create", "pods", "--subresource=exec", "-n", "kube-system", "--as", "x",
                    "--as-group", "crusoe:support:operator", check=False).stdout.strip()
    assert can == "yes"
    can = k.kubectl("auth", "can-i", "create", "pods", "--subresource=exec", "-n", "kube-system", "--as", "x",
                    "--as-group", "crusoe:support:readonly", check=False).stdout.strip()
    assert can == "no"
    assert _sar(k, "crusoe:support:operator", "delete", "pods")["allowed"] is True

    k.helm("uninstall", "crusoe-support-roles", "-n", "crusoe-system", "--wait", "--timeout", "60s", version=helm_version)
    k.cluster.seed([POD])
    assert set(_exec_status(k, "crusoe-support-operator")) == {403}
    out = k.kubectl("delete", "pod", "coredns-1", "-n", "kube-system", "--wait=false", user="crusoe-support-operator",
                    check=False)
    assert ('pods "coredns-1" is forbidden: User "crusoe-support-operator" cannot delete resource "pods" in API group "" '
            'in the namespace "kube-system"') in out.stderr
    out = k.kubectl("get", "pods", "-n", "kube-system", user="crusoe-support-readonly", check=False)
    assert out.returncode != 0 and "forbidden" in out.stderr
    for group in ("crusoe:support:operator", "crusoe:support:readonly"):
        assert _sar(k, group, "delete", "pods")["allowed"] is False
        assert _sar(k, group, "create", "pods", "exec")["allowed"] is False
        assert _sar(k, group, "list", "pods")["allowed"] is False
