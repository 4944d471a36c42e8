# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Python kubernetes DynamicClient (what kubernetes.core uses) against the Kubernetes API emulator."""

import json

import pytest
from kubernetes import config, dynamic
from kubernetes.client import api_client
from kubernetes.dynamic.exceptions import ConflictError, ForbiddenError, NotFoundError, UnprocessibleEntityError


def _client(kube, user=None):
    path = kube.kubeconfig
    if user:
        path = kube.emulator.write_kubeconfig(str(kube.tmp_path / ("kc-" + user)), clusters=[kube.name], user=user)
    configuration = config.kube_config.Configuration()
    config.load_kube_config(config_file=path, context=kube.name, client_configuration=configuration)
    return dynamic.DynamicClient(api_client.ApiClient(configuration=configuration))


def _cm(name, labels=None, ns="default"):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "data": {"k": name}}


def test_crud_selectors_paging(kube_cluster):
    client = _client(kube_cluster)
    cms = client.resources.get(api_version="v1", kind="ConfigMap")
    for i in range(7):
        cms.create(body=_cm("cm-%d" % i, {"idx": str(i), "parity": "even" if i % 2 == 0 else "odd"}))
    got = cms.get(name="cm-3", namespace="default")
    assert got.data.k == "cm-3" and got.metadata.uid and got.metadata.resourceVersion
    with pytest.raises(ConflictError):
        cms.create(body=_cm("cm-3"))
    with pytest.raises(NotFoundError) as err:
        cms.get(name="nope", namespace="default")
    assert json.loads(err.value.body)["message"] == 'configmaps "nope" not found'
    listed = cms.get(namespace="default", label_selector="parity=even")
    assert listed.kind == "ConfigMapList" and sorted(i.metadata.name for i in listed.items) == ["cm-0", "cm-2", "cm-4", "cm-6"]
    assert len(cms.get(namespace="default", label_selector="idx in (1,2),parity!=odd").items) == 1
    assert len(cms.get(namespace="default", label_selector="idx notin (1,2)").items) == 5
    assert [i.metadata.name for i in cms.get(namespace="default", field_selector="metadata.name=cm-5").items] == ["cm-5"]
    # paging
    names, token = [], None
    while True:
        page = cms.get(namespace="default", label_selector="idx", limit=3, _continue=token)
        names += [i.metadata.name for i in page.items]
        token = page.metadata["continue"]
        assert len(page.items) <= 3
        if not token:
            break
    assert names == ["cm-%d" % i for i in range(7)]
    # update with a stale resourceVersion conflicts
    stale = got.to_dict()
    cms.patch(body={"data": {"k": "new"}}, name="cm-3", namespace="default", content_type="application/merge-patch+json")
    stale["data"] = {"k": "stale"}
    with pytest.raises(ConflictError) as err:
        cms.replace(body=stale)
    assert "the object has been modified" in str(err.value.body)
    cms.delete(name="cm-3", namespace="default")
    with pytest.raises(NotFoundError):
        cms.get(name="cm-3", namespace="default")
    with pytest.raises(UnprocessibleEntityError):
        cms.create(body=_cm("UPPER"))


def test_server_side_apply_and_dry_run(kube_cluster):
    client = _client(kube_cluster)
    cms = client.resources.get(api_version="v1", kind="ConfigMap")
    cluster = kube_cluster.cluster
    rv = cluster.store.current_rv()
    cms.create(body=_cm("dry"), dry_run="All")
    assert cluster.get("v1", "ConfigMap", "dry", "default") is None and cluster.store.current_rv() == rv
    applied = cms.server_side_apply(body=_cm("ssa", {"a": "1"}), name="ssa", namespace="default", field_manager="tester")
    assert applied.metadata.managedFields[0]["manager"] == "tester"
    cms.server_side_apply(body=_cm("ssa", {"a": "2"}), name="ssa", namespace="default", field_manager="tester")
    assert cluster.get("v1", "ConfigMap", "ssa", "default")["metadata"]["labels"] == {"a": "2"}
    rv = cluster.store.current_rv()
    cms.patch(body={"data": {"k": "dry"}}, name="ssa", namespace="default", content_type="application/merge-patch+json",
              dry_run="All")
    assert cluster.get("v1", "ConfigMap", "ssa", "default")["data"] == {"k": "ssa"} and cluster.store.current_rv() == rv


def test_forbidden_and_watch(kube_cluster):
    reader = _client(kube_cluster, user="crusoe-support-readonly")
    with pytest.raises(ForbiddenError) as err:
        reader.resources.get(api_version="v1", kind="Secret").get(namespace="kube-system")
    assert json.loads(err.value.body)["message"] == (
        'secrets is forbidden: User "crusoe-support-readonly" cannot list resource "secrets" in API group "" '
        'in the namespace "kube-system"')
    client = _client(kube_cluster)
    pods = client.resources.get(api_version="v1", kind="Pod")
    pods.create(body={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "default"},
                      "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    seen = []
    for event in pods.watch(namespace="default", field_selector="metadata.name=w", timeout=2):
        seen.append((event["type"], event["object"].status.phase))
    assert seen and seen[0][0] == "ADDED" and seen[-1][1] == "Running"


def test_crd_and_custom_resources(kube_cluster):
    client = _client(kube_cluster)
    crds = client.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crds.create(body={
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    client = _client(kube_cluster)  # fresh discovery
    widgets = client.resources.get(api_version="example.com/v1", kind="Widget")
    widgets.create(body={"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1", "namespace": "default"},
                         "spec": {"size": 3}})
    got = widgets.get(name="w1", namespace="default")
    assert got.spec.size == 3 and got.metadata.generation == 1
    widgets.patch(body={"spec": {"size": 4}}, name="w1", namespace="default", content_type="application/merge-patch+json")
    assert widgets.get(name="w1", namespace="default").metadata.generation == 2
    crds.delete(name="widgets.example.com")
    assert kube_cluster.cluster.store.items(("example.com", "widgets")) == []
