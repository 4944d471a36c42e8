# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's resource registry, discovery documents and OpenAPI v3 documents."""

from __future__ import annotations

import json

import pytest

from sim.kube.schema import (
    BUILTIN_TYPES, DISCOVERY_V2_MEDIA_TYPE, Registry, ResourceType, sort_versions, wants_aggregated_discovery,
)

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Cluster",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"],
                  "categories": ["all"]},
        "versions": [
            {"name": "v1beta1", "served": True, "storage": False,
             "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}},
            {"name": "v1", "served": True, "storage": True,
             "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                      "statusReplicasPath": ".status.replicas"}},
             "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                 "spec": {"type": "object", "properties": {
                     "replicas": {"type": "integer"},
                     "ports": {"type": "array", "x-kubernetes-list-type": "map",
                               "x-kubernetes-list-map-keys": ["port"],
                               "items": {"type": "object", "properties": {"port": {"type": "integer"}}}}}}}}}},
            {"name": "v1alpha1", "served": False, "storage": False},
        ],
    },
}


@pytest.fixture(name="reg")
def reg_fixture():
    return Registry(kube_version="v1.33.4", server_address="127.0.0.1:1234")


def test_lookup_builtins(reg):
    pods = reg.lookup("", "v1", "pods")
    assert isinstance(pods, ResourceType)
    assert (pods.kind, pods.namespaced, pods.group_version, pods.list_kind) == ("Pod", True, "v1", "PodList")
    assert "exec" in pods.subresources and "status" in pods.subresources
    deploy = reg.lookup("apps", "v1", "deployments")
    assert deploy.group_version == "apps/v1" and deploy.short_names == ("deploy",)
    assert reg.lookup("apps", "v1", "pods") is None
    assert reg.lookup("", "v2", "pods") is None
    assert reg.by_kind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding").plural == "clusterrolebindings"
    assert reg.by_kind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding").namespaced is False
    assert reg.by_kind("v1", "Deployment") is None
    assert reg.by_kind("authorization.k8s.io/v1", "SubjectAccessReview").verbs == ("create",)


def test_every_required_builtin_is_served(reg):
    served = {(r.group_version, r.plural) for r in reg.all()}
    for gv, plural in [("v1", "namespaces"), ("v1", "pods"), ("v1", "secrets"), ("v1", "configmaps"),
                       ("v1", "serviceaccounts"), ("v1", "nodes"), ("v1", "events"), ("v1", "services"),
                       ("v1", "endpoints"), ("v1", "persistentvolumeclaims"), ("apps/v1", "deployments"),
                       ("apps/v1", "daemonsets"), ("apps/v1", "replicasets"), ("apps/v1", "statefulsets"),
                       ("batch/v1", "jobs"), ("batch/v1", "cronjobs"),
                       ("rbac.authorization.k8s.io/v1", "roles"), ("rbac.authorization.k8s.io/v1", "rolebindings"),
                       ("rbac.authorization.k8s.io/v1", "clusterroles"),
                       ("rbac.authorization.k8s.io/v1", "clusterrolebindings"),
                       ("authorization.k8s.io/v1", "subjectaccessreviews"),
                       ("authorization.k8s.io/v1", "selfsubjectaccessreviews"),
                       ("authorization.k8s.io/v1", "selfsubjectrulesreviews"),
                       ("authorization.k8s.io/v1", "localsubjectaccessreviews"),
                       ("authentication.k8s.io/v1", "selfsubjectreviews"),
                       ("flowcontrol.apiserver.k8s.io/v1", "flowschemas"),
                       ("flowcontrol.apiserver.k8s.io/v1", "prioritylevelconfigurations"),
                       ("apiextensions.k8s.io/v1", "customresourcedefinitions"), ("coordination.k8s.io/v1", "leases"),
                       ("events.k8s.io/v1", "events"), ("policy/v1", "poddisruptionbudgets")]:
        assert (gv, plural) in served


def test_crd_add_update_remove(reg):
    assert reg.lookup("example.com", "v1", "widgets") is None
    reg.add_crd(CRD)
    widget = reg.lookup("example.com", "v1", "widgets")
    assert widget.kind == "Widget" and not widget.namespaced and widget.crd == "widgets.example.com"
    assert widget.subresources == ("scale", "status")
    assert reg.lookup("example.com", "v1beta1", "widgets").subresources == ()
    assert reg.lookup("example.com", "v1alpha1", "widgets") is None  # not served
    assert reg.by_kind("example.com/v1", "Widget") == widget
    group = reg.api_group("example.com")
    assert group["preferredVersion"] == {"groupVersion": "example.com/v1", "version": "v1"}
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1"]

    updated = json.loads(json.dumps(CRD))
    updated["spec"]["scope"] = "Namespaced"
    updated["spec"]["versions"] = updated["spec"]["versions"][1:2]
    reg.add_crd(updated)
    assert reg.lookup("example.com", "v1", "widgets").namespaced
    assert reg.lookup("example.com", "v1beta1", "widgets") is None

    reg.remove_crd("widgets.example.com")
    assert reg.lookup("example.com", "v1", "widgets") is None
    assert reg.api_group("example.com") is None
    assert "example.com" not in [g["name"] for g in reg.api_group_list()["groups"]]


def test_crds_are_per_registry():
    one, two = Registry(), Registry()
    one.add_crd(CRD)
    assert one.lookup("example.com", "v1", "widgets") is not None
    assert two.lookup("example.com", "v1", "widgets") is None
    assert "example.com" not in [g["name"] for g in two.api_group_list()["groups"]]
    assert "apis/example.com/v1" not in two.openapi_v3_index()["paths"]


def test_crd_cannot_shadow_builtin_group(reg):
    bad = json.loads(json.dumps(CRD))
    bad["metadata"]["name"] = "widgets.apps"
    bad["spec"]["group"] = "apps"
    reg.add_crd(bad)
    assert reg.lookup("apps", "v1", "widgets") is None


def test_api_versions_document(reg):
    doc = reg.api_versions()
    assert doc["kind"] == "APIVersions" and doc["versions"] == ["v1"]
    assert doc["serverAddressByClientCIDRs"] == [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:1234"}]


def test_api_group_list_is_consistent_with_resource_lists(reg):
    reg.add_crd(CRD)
    doc = reg.api_group_list()
    assert doc["kind"] == "APIGroupList" and doc["apiVersion"] == "v1"
    names = [g["name"] for g in doc["groups"]]
    assert names[0] == "apps" and names[-1] == "example.com"
    assert "" not in names
    for group in doc["groups"]:
        assert group["preferredVersion"] in group["versions"]
        for ver in group["versions"]:
            assert ver["groupVersion"] == "%s/%s" % (group["name"], ver["version"])
            rl = reg.api_resource_list(group["name"], ver["version"])
            assert rl["groupVersion"] == ver["groupVersion"] and rl["kind"] == "APIResourceList"
    assert reg.api_resource_list("nope", "v1") is None
    assert reg.api_group("nope") is None
    assert reg.api_group("apps")["kind"] == "APIGroup"


def test_api_resource_list_entries(reg):
    doc = reg.api_resource_list("", "v1")
    entries = {e["name"]: e for e in doc["resources"]}
    pods = entries["pods"]
    assert pods["singularName"] == "pod" and pods["namespaced"] and pods["kind"] == "Pod"
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"]
    assert len(pods["storageVersionHash"]) == 12
    assert entries["pods/exec"] == {"name": "pods/exec", "singularName": "", "namespaced": True,
                                    "kind": "PodExecOptions", "verbs": ["create", "get"]}
    assert entries["pods/status"]["kind"] == "Pod" and entries["pods/status"]["verbs"] == ["get", "patch", "update"]
    assert entries["pods/eviction"]["group"] == "policy" and entries["pods/eviction"]["kind"] == "Eviction"
    assert entries["namespaces"]["namespaced"] is False and "deletecollection" not in entries["namespaces"]["verbs"]
    apps = {e["name"]: e for e in reg.api_resource_list("apps", "v1")["resources"]}
    scale = apps["deployments/scale"]
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    authz = {e["name"]: e for e in reg.api_resource_list("authorization.k8s.io", "v1")["resources"]}
    assert authz["selfsubjectaccessreviews"]["verbs"] == ["create"]
    assert "storageVersionHash" not in authz["selfsubjectaccessreviews"]


def test_storage_version_hashes_are_distinct():
    hashes = [r.storage_version_hash() for r in BUILTIN_TYPES]
    assert len(set(hashes)) == len(hashes)


def test_aggregated_discovery_matches_legacy(reg):
    reg.add_crd(CRD)
    core = reg.aggregated_discovery(core=True)
    assert core["kind"] == "APIGroupDiscoveryList" and core["apiVersion"] == "apidiscovery.k8s.io/v2"
    assert len(core["items"]) == 1 and "name" not in core["items"][0]["metadata"]
    resources = {r["resource"]: r for r in core["items"][0]["versions"][0]["resources"]}
    pods = resources["pods"]
    assert pods["scope"] == "Namespaced" and pods["singularResource"] == "pod"
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    subs = {s["subresource"]: s for s in pods["subresources"]}
    assert subs["exec"]["responseKind"]["kind"] == "PodExecOptions"
    assert resources["nodes"]["scope"] == "Cluster"

    groups = reg.aggregated_discovery(core=False)
    names = [item["metadata"]["name"] for item in groups["items"]]
    assert names == [g["name"] for g in reg.api_group_list()["groups"]]
    for item in groups["items"]:
        for ver in item["versions"]:
            assert ver["freshness"] == "Current"
            legacy = reg.api_resource_list(item["metadata"]["name"], ver["version"])
            assert sorted(r["resource"] for r in ver["resources"]) == \
                sorted(e["name"] for e in legacy["resources"] if "/" not in e["name"])


@pytest.mark.parametrize("accept, expected", [
    (DISCOVERY_V2_MEDIA_TYPE + ",application/json", True),
    ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", False),
    ("application/json, */*", False),
    ("application/json," + DISCOVERY_V2_MEDIA_TYPE, False),
    ("", False),
])
def test_wants_aggregated_discovery(accept, expected):
    assert wants_aggregated_discovery(accept) is expected


def test_version_info(reg):
    info = Registry(kube_version="v1.33.4").version_info()
    assert info["gitVersion"] == "v1.33.4" and info["major"] == "1" and info["minor"] == "33"
    assert info["platform"] == "linux/amd64"
    assert Registry(kube_version="v1.31.2").version_info()["minor"] == "31"
    assert reg.version_info()["gitTreeState"] == "clean"


def test_sort_versions():
    assert sort_versions(["v1alpha1", "v1beta1", "v1", "v2", "v1beta2", "foo"]) == \
        ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]


def test_openapi_index_paths_and_hashes(reg):
    index = reg.openapi_v3_index()["paths"]
    for path in ("api/v1", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1", "apis/flowcontrol.apiserver.k8s.io/v1",
                 "apis/apiextensions.k8s.io/v1", "version", "api", "apis"):
        url = index[path]["serverRelativeURL"]
        assert url.startswith("/openapi/v3/%s?hash=" % path)
        assert len(url.rsplit("=", 1)[1]) == 128
        assert reg.openapi_v3(path) is not None
        assert reg.openapi_v3_hash(path) == url.rsplit("=", 1)[1]
    assert reg.openapi_v3("apis/nope/v1") is None
    assert reg.openapi_v3("apis/apps/v2") is None
    before = index["apis/apps/v1"]["serverRelativeURL"]
    reg.add_crd(CRD)
    after = reg.openapi_v3_index()["paths"]
    assert after["apis/apps/v1"]["serverRelativeURL"] == before
    assert "apis/example.com/v1" in after and "apis/example.com/v1beta1" in after
    first = after["apis/example.com/v1"]["serverRelativeURL"]
    changed = json.loads(json.dumps(CRD))
    changed["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["size"] = {
        "type": "string"}
    reg.add_crd(changed)
    assert reg.openapi_v3_index()["paths"]["apis/example.com/v1"]["serverRelativeURL"] != first


def _operations(doc):
    for path, item in doc["paths"].items():
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item:
                yield path, method, item[method]


def _gv_paths(reg):
    return [p for p in reg.openapi_v3_index()["paths"] if p == "api/v1" or p.count("/") == 2]


def test_openapi_patch_operations_declare_field_validation(reg):
    reg.add_crd(CRD)
    assert "apis/example.com/v1" in _gv_paths(reg) and "version" not in _gv_paths(reg)
    for path in _gv_paths(reg):
        doc = reg.openapi_v3(path)
        for route, method, op in _operations(doc):
            names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
            if method == "patch" and op["x-kubernetes-action"] == "patch":
                assert {"fieldValidation", "dryRun", "fieldManager", "force"} <= names, route
                gvk = op["x-kubernetes-group-version-kind"]
                assert set(gvk) == {"group", "version", "kind"}
                types = set(op["requestBody"]["content"])
                assert "application/apply-patch+yaml" in types and "application/merge-patch+json" in types
                assert ("application/strategic-merge-patch+json" in types) == (not route.startswith("/apis/example"))
            if method in ("post", "put") and op["x-kubernetes-action"] != "connect":
                assert "fieldValidation" in names, route
            assert op["x-kubernetes-action"] in ("get", "list", "post", "put", "patch", "delete", "deletecollection",
                                                 "connect")


def test_openapi_every_served_kind_has_a_schema_and_paths(reg):
    reg.add_crd(CRD)
    for r in reg.all():
        doc = reg.openapi_v3(("api/" if not r.group else "apis/%s/" % r.group) + r.version)
        schemas = doc["components"]["schemas"]
        matching = [name for name, s in schemas.items()
                    if {"group": r.group, "version": r.version, "kind": r.kind}
                    in s.get("x-kubernetes-group-version-kind", [])]
        assert matching == [r.schema_name], r
        ops = [op for _path, _method, op in _operations(doc) if op["x-kubernetes-group-version-kind"]["kind"] == r.kind]
        actions = {op["x-kubernetes-action"] for op in ops}
        if r.verbs == ("create",):
            assert actions == {"post"}
        else:
            assert {"get", "list", "post", "put", "patch", "delete"} <= actions


def test_openapi_refs_resolve(reg):
    reg.add_crd(CRD)
    for path in reg.openapi_v3_index()["paths"]:
        doc = reg.openapi_v3(path)
        text = json.dumps(doc)
        for ref in set(part.split('"', 1)[0] for part in text.split('"$ref": "#/components/schemas/')[1:]):
            assert ref in doc["components"]["schemas"], (path, ref)


def test_openapi_merge_keys_for_strategic_merge(reg):
    schemas = reg.openapi_v3("api/v1")["components"]["schemas"]
    spec = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]
    containers = spec["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map" and containers["x-kubernetes-list-map-keys"] == ["name"]
    assert containers["items"]["allOf"][0]["$ref"] == "#/components/schemas/io.k8s.api.core.v1.Container"
    assert spec["volumes"]["x-kubernetes-patch-strategy"] == "merge,retainKeys"
    assert spec["tolerations"]["x-kubernetes-list-type"] == "atomic"
    assert "x-kubernetes-patch-strategy" not in spec["tolerations"]
    container = schemas["io.k8s.api.core.v1.Container"]["properties"]
    assert container["ports"]["x-kubernetes-list-map-keys"] == ["containerPort", "protocol"]
    assert container["ports"]["x-kubernetes-patch-merge-key"] == "containerPort"
    assert container["env"]["x-kubernetes-patch-merge-key"] == "name"
    assert container["volumeMounts"]["x-kubernetes-patch-merge-key"] == "mountPath"
    assert "name" in schemas["io.k8s.api.core.v1.Container"]["required"]
    meta = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]
    assert meta["ownerReferences"]["x-kubernetes-patch-merge-key"] == "uid"
    assert meta["finalizers"]["x-kubernetes-list-type"] == "set"
    apps = reg.openapi_v3("apis/apps/v1")["components"]["schemas"]
    strategy = apps["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"]
    assert strategy["x-kubernetes-patch-strategy"] == "retainKeys"
    assert "io.k8s.api.core.v1.PodSpec" in apps
    assert apps["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"] == "atomic"
    rbac = reg.openapi_v3("apis/rbac.authorization.k8s.io/v1")["components"]["schemas"]
    assert rbac["io.k8s.api.rbac.v1.ClusterRole"]["properties"]["rules"]["x-kubernetes-list-type"] == "atomic"


def test_openapi_crd_schema_from_crd(reg):
    reg.add_crd(CRD)
    doc = reg.openapi_v3("apis/example.com/v1")
    widget = doc["components"]["schemas"]["com.example.v1.Widget"]
    ports = widget["properties"]["spec"]["properties"]["ports"]
    assert ports["x-kubernetes-list-type"] == "map"
    assert widget["properties"]["metadata"]["allOf"][0]["$ref"].endswith("meta.v1.ObjectMeta")
    assert "/apis/example.com/v1/widgets/{name}/status" in doc["paths"]
    assert "/apis/example.com/v1/widgets/{name}/scale" in doc["paths"]
    assert "/apis/example.com/v1/namespaces/{namespace}/widgets" not in doc["paths"]
    loose = reg.openapi_v3("apis/example.com/v1beta1")["components"]["schemas"]["com.example.v1beta1.Widget"]
    assert loose["x-kubernetes-preserve-unknown-fields"] is True
    assert CRD["spec"]["versions"][1]["schema"]["openAPIV3Schema"]["properties"].keys() == {"spec"}


def test_schema_for(reg):
    reg.add_crd(CRD)
    root, comps = reg.schema_for("apps/v1", "Deployment")
    assert "spec" in root["properties"] and "io.k8s.api.core.v1.PodSpec" in comps
    root, _comps = reg.schema_for("example.com/v1", "Widget")
    assert "ports" in root["properties"]["spec"]["properties"]
    assert reg.schema_for("example.com/v9", "Widget") is None


def test_builtin_documents_are_shared_between_registries():
    one, two = Registry(), Registry()
    assert one.openapi_v3("apis/apps/v1") is two.openapi_v3("apis/apps/v1")
    assert one.api_resource_list("", "v1") is two.api_resource_list("", "v1")


def test_unknown_fields_for_field_validation(reg):
    reg.add_crd(CRD)
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}, "bogus": 1},
           "spec": {"replicas": 1, "replicaz": 2, "selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b"}},
                                 "spec": {"containers": [{"name": "c", "image": "i"},
                                                         {"name": "d", "imagePullPolicyy": "Always",
                                                          "securityContext": {"seccompProfile": {"type": "x"}}}],
                                          "dnsConfig": {"anything": {"goes": True}}}}},
           "status": {"replicas": 1}}
    assert reg.unknown_fields(dep) == ["metadata.bogus", "spec.replicaz",
                                       "spec.template.spec.containers[1].imagePullPolicyy"]
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
              "spec": {"replicas": 1, "ports": [{"port": 1, "extra": 2}], "size": 3}}
    assert reg.unknown_fields(widget) == ["spec.ports[0].extra", "spec.size"]
    loose = {"apiVersion": "example.com/v1beta1", "kind": "Widget", "metadata": {"name": "w"}, "anything": 1}
    assert reg.unknown_fields(loose) == []
    assert reg.unknown_fields({"apiVersion": "nope/v1", "kind": "X", "a": 1}) == []
    assert reg.unknown_fields({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                               "data": {"any": "key"}}) == []


# ---- OpenAPI v2 ---------------------------------------------------------------------------------------------------

def _fields(buf):
    """(number, value) of the fields of a protobuf message: bytes for length-delimited, int for varints."""
    pos, out = 0, []
    while pos < len(buf):
        key, shift = 0, 0
        while True:
            byte = buf[pos]
            pos += 1
            key |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        num, wire = key >> 3, key & 7
        value, shift = 0, 0
        if wire == 0:
            while True:
                byte = buf[pos]
                pos += 1
                value |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            out.append((num, value))
        elif wire == 1:
            out.append((num, buf[pos:pos + 8]))
            pos += 8
        else:
            assert wire == 2, wire
            length = 0
            while True:
                byte = buf[pos]
                pos += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            out.append((num, buf[pos:pos + length]))
            pos += length
    return out


def test_openapi_v2_json_and_gnostic_protobuf():
    reg = Registry()
    reg.add_crd(CRD)
    raw_json, raw_pb, etag = reg.openapi_v2()
    doc = json.loads(raw_json)
    assert doc["swagger"] == "2.0" and doc["info"] == {"title": "Kubernetes", "version": "v1.33.4"}
    deployment = doc["definitions"]["io.k8s.api.apps.v1.Deployment"]
    assert deployment["properties"]["metadata"] == {"$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    assert deployment["x-kubernetes-group-version-kind"] == [{"group": "apps", "kind": "Deployment", "version": "v1"}]
    assert "com.example.v1.Widget" in doc["definitions"]
    post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert post["parameters"][0] == {"name": "body", "in": "body", "required": True,
                                     "schema": {"$ref": "#/definitions/io.k8s.api.apps.v1.Deployment"}}
    assert {"name": "fieldValidation", "in": "query", "type": "string", "uniqueItems": True}.items() <= \
        next(p for p in post["parameters"] if p["name"] == "fieldValidation").items()
    assert "application/vnd.kubernetes.protobuf" in post["produces"] and post["x-kubernetes-action"] == "post"
    assert etag.startswith('"') and reg.openapi_v2()[2] == etag
    top = _fields(raw_pb)
    assert top[0] == (1, b"2.0")
    (paths,) = [v for n, v in top if n == 8]
    assert len(_fields(paths)) == len(doc["paths"])
    (definitions,) = [v for n, v in top if n == 9]
    named = {dict(_fields(entry))[1].decode(): dict(_fields(entry))[2] for _n, entry in _fields(definitions)}
    assert set(named) == set(doc["definitions"])
    schema = _fields(named["io.k8s.api.apps.v1.Deployment"])
    extension = dict(_fields(dict(schema)[31]))
    assert extension[1] == b"x-kubernetes-group-version-kind"
    assert dict(_fields(extension[2]))[2].decode() == "- group: apps\n  kind: Deployment\n  version: v1\n"
    assert dict(_fields(dict(schema)[22]))[1] == b"object"
