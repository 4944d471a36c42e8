# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated crusoe-support-roles chart repository, driven by real helm 3 and helm 4."""

from __future__ import annotations

import hashlib
import io
import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading

import pytest
import yaml

from ansible_collections.neocloud.support_access.plugins.module_utils._support import (
    CRUSOE_CHART_NAME, CRUSOE_CHART_NAMESPACE, CRUSOE_CHART_RELEASE, CRUSOE_MANAGED_NAMESPACES, CRUSOE_SUPPORT_GROUPS)
from sim import charts
from sim.chartrepo import ChartRepo

BIN = os.path.dirname(sys.executable)
HELMS = {"helm3": os.path.join(BIN, "helm"), "helm4": os.path.join(BIN, "helm4")}
TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RBAC = "rbac.authorization.k8s.io"
READONLY, OPERATOR = CRUSOE_SUPPORT_GROUPS


@pytest.fixture(scope="module")
def repo():
    with ChartRepo() as served:
        yield served


@pytest.fixture(params=sorted(HELMS))
def helm(request, tmp_path):
    """Run one helm binary with its own config, cache and data homes and no kubeconfig."""
    binary = HELMS[request.param]
    home = tmp_path / request.param
    env = dict(os.environ)
    env.update({"HELM_CACHE_HOME": str(home / "cache"), "HELM_CONFIG_HOME": str(home / "config"),
                "HELM_DATA_HOME": str(home / "data"), "KUBECONFIG": str(home / "no-kubeconfig")})

    def run(*args, check=True):
        proc = subprocess.run([binary] + [str(a) for a in args], env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        if check and proc.returncode != 0:
            command = " ".join(str(a) for a in args)
            raise AssertionError("%s %s failed (%d): %s" % (request.param, command, proc.returncode, proc.stderr))
        return proc
    run.name = request.param
    run.home = home
    return run


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d]


def by_key(objects):
    return {(o["kind"], o["metadata"]["name"], o["metadata"].get("namespace", "")): o for o in objects}


def expected_labels(version, release):
    return {
        "helm.sh/chart": "crusoe-support-roles-" + version,
        "app.kubernetes.io/name": "crusoe-support-roles",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/version": "v" + version,
        "app.kubernetes.io/managed-by": "Helm",
        "crusoe.ai/managed": "true",
    }


def group_subjects(*names):
    return [{"kind": "Group", "name": n, "apiGroup": RBAC} for n in names]


def expected_namespace_bindings(existing):
    """{(RoleBinding, name, namespace): (role, [groups])} the chart creates when `existing` namespaces exist."""
    out = {}
    for role, namespaces, groups in charts.NAMESPACE_BINDINGS:
        for ns in namespaces:
            if ns in existing:
                out[("RoleBinding", role + "-binding", ns)] = (role, list(groups))
    return out


def check_objects(objects, version, release, flowcontrol, existing_namespaces=()):
    """Exactly the chart's objects, with their labels, roles, subjects and namespaces."""
    found = by_key(objects)
    expected = {("ClusterRole", name, "") for name in charts.CLUSTER_ROLES}
    expected |= {("ClusterRoleBinding", "crusoe-support-readonly-binding", ""),
                 ("ClusterRoleBinding", "crusoe-support-operator-binding", "")}
    namespace_bindings = expected_namespace_bindings(existing_namespaces)
    expected |= set(namespace_bindings)
    if flowcontrol:
        expected |= {("FlowSchema", "crusoe-support", ""), ("PriorityLevelConfiguration", "crusoe-support", "")}
    assert set(found) == expected
    assert len(objects) == len(expected)
    labels = expected_labels(version, release)
    for (kind, name, _ns), obj in found.items():
        want = dict(labels)
        if kind == "ClusterRole":
            want["crusoe.ai/support-role"] = name[len("crusoe-support-"):]
        assert obj["metadata"]["labels"] == want, (kind, name)
        expected_api = {"FlowSchema": "flowcontrol.apiserver.k8s.io/v1",
                        "PriorityLevelConfiguration": "flowcontrol.apiserver.k8s.io/v1"}.get(kind, RBAC + "/v1")
        assert obj["apiVersion"] == expected_api
    for role, group in (("crusoe-support-readonly", READONLY), ("crusoe-support-operator", OPERATOR)):
        crb = found[("ClusterRoleBinding", role + "-binding", "")]
        assert crb["roleRef"] == {"apiGroup": RBAC, "kind": "ClusterRole", "name": role}
        assert crb["subjects"] == group_subjects(group)
    for key, (role, groups) in namespace_bindings.items():
        assert found[key]["roleRef"] == {"apiGroup": RBAC, "kind": "ClusterRole", "name": role}
        assert found[key]["subjects"] == group_subjects(*groups)
    roles = {name: found[("ClusterRole", name, "")]["rules"] for name in charts.CLUSTER_ROLES}
    assert {"apiGroups": [""], "resources": ["pods/exec", "pods/portforward"], "verbs": ["create"]} in roles["crusoe-support-debug"]
    assert not any("pods/exec" in r["resources"] for r in roles["crusoe-support-readonly"] + roles["crusoe-support-operator"])
    assert not any("secrets" in r["resources"] for rules in roles.values() for r in rules)
    assert {"apiGroups": [""], "resources": ["pods/eviction"], "verbs": ["create"]} in roles["crusoe-support-operator"]
    assert {"apiGroups": [""], "resources": ["nodes"], "verbs": ["patch"]} in roles["crusoe-support-operator"]
    assert roles["crusoe-support-logs"] == [{"apiGroups": [""], "resources": ["pods", "pods/log"],
                                             "verbs": ["get", "list", "watch"]}]
    if flowcontrol:
        fs = found[("FlowSchema", "crusoe-support", "")]["spec"]
        plc = found[("PriorityLevelConfiguration", "crusoe-support", "")]["spec"]
        assert fs["priorityLevelConfiguration"] == {"name": "crusoe-support"}
        assert fs["distinguisherMethod"] == {"type": "ByUser"}
        assert fs["rules"][0]["subjects"] == [{"kind": "Group", "group": {"name": g}} for g in CRUSOE_SUPPORT_GROUPS]
        assert plc["type"] == "Limited"
        assert plc["limited"]["nominalConcurrencyShares"] == 10
        assert plc["limited"]["limitResponse"]["type"] == "Queue"
    return found


def test_chart_facts_match_the_collection():
    assert charts.CHART_NAME == CRUSOE_CHART_NAME
    namespaces = {ns for _role, nss, _groups in charts.NAMESPACE_BINDINGS for ns in nss}
    assert namespaces == set(CRUSOE_MANAGED_NAMESPACES)
    assert {g for _r, _n, groups in charts.NAMESPACE_BINDINGS for g in groups} == set(CRUSOE_SUPPORT_GROUPS)


def test_repo_add_search_pull(repo, helm, tmp_path):
    repo.clear_log()
    helm("repo", "add", "crusoe-support", repo.url)
    helm("repo", "update")
    listing = json.loads(helm("search", "repo", "crusoe-support/", "--versions", "-o", "json").stdout)
    assert sorted((e["name"], e["version"], e["app_version"]) for e in listing) == [
        ("crusoe-support/crusoe-support-roles", "0.1.1", "v0.1.1"),
        ("crusoe-support/crusoe-support-roles", "0.2.0", "v0.2.0")]
    latest = json.loads(helm("search", "repo", "crusoe-support/crusoe-support-roles", "-o", "json").stdout)
    assert [e["version"] for e in latest] == ["0.2.0"]
    for version in repo.versions:
        dest = tmp_path / ("pull-" + version)
        dest.mkdir()
        helm("pull", "crusoe-support/crusoe-support-roles", "--version", version, "-d", dest)
        pulled = (dest / charts.package_filename(version)).read_bytes()
        assert pulled == repo.package(version)
        helm("lint", dest / charts.package_filename(version))
    paths = [(e["method"], e["path"], e["status"]) for e in repo.request_log()]
    assert ("GET", "/charts/index.yaml", 200) in paths
    for version in repo.versions:
        assert ("GET", "/charts/crusoe-support-roles-%s.tgz" % version, 200) in paths
    assert all(e["status"] == 200 for e in repo.request_log())


def test_missing_version_is_an_error(repo, helm, tmp_path):
    proc = helm("pull", "crusoe-support-roles", "--repo", repo.url, "--version", "9.9.9", "-d", tmp_path, check=False)
    assert proc.returncode != 0
    assert "9.9.9" in proc.stderr


@pytest.mark.parametrize("version", charts.VERSIONS)
@pytest.mark.parametrize("kube, flowcontrol_kube", [("1.28.15", False), ("1.29.0", True), ("v1.33.4", True)])
def test_template_from_repo(repo, helm, version, kube, flowcontrol_kube):
    proc = helm("template", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", version,
                "--namespace", CRUSOE_CHART_NAMESPACE, "--kube-version", kube)
    flowcontrol = flowcontrol_kube and charts.has_flowcontrol(version)
    # helm template has no cluster: lookup finds no namespace, so no per-namespace RoleBindings
    check_objects(docs(proc.stdout), version, CRUSOE_CHART_RELEASE, flowcontrol)


@pytest.mark.parametrize("version", charts.VERSIONS)
def test_template_release_name_and_api_versions(repo, helm, version):
    proc = helm("template", "support", "crusoe-support-roles", "--repo", repo.url, "--version", version,
                "--kube-version", "1.28.0", "--api-versions", "flowcontrol.apiserver.k8s.io/v1")
    # the flowcontrol objects follow the Kubernetes version, not the advertised API versions
    check_objects(docs(proc.stdout), version, "support", flowcontrol=False)
    proc = helm("template", "support", "crusoe-support-roles", "--repo", repo.url, "--version", version,
                "--kube-version", "1.30.2", "--api-versions", "rbac.authorization.k8s.io/v1")
    check_objects(docs(proc.stdout), version, "support", flowcontrol=charts.has_flowcontrol(version))


def test_template_default_kube_version_is_current(repo, helm):
    proc = helm("template", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", "0.2.0")
    check_objects(docs(proc.stdout), "0.2.0", CRUSOE_CHART_RELEASE, flowcontrol=True)


def test_repo_fault_fails_repo_add(repo, helm):
    repo.set_fault(status=503)
    try:
        proc = helm("repo", "add", "broken", repo.url, check=False)
    finally:
        repo.clear_fault()
    assert proc.returncode != 0
    assert "503" in proc.stderr
    helm("repo", "add", "fixed", repo.url)


def test_python_package_matches_helm_package(helm, tmp_path):
    """The archives served are what `helm package` makes of the same sources (same files, same Chart.yaml)."""
    served_dir = tmp_path / "served"
    served_dir.mkdir()
    for version in charts.VERSIONS:
        src = charts.write_chart(version, tmp_path / ("src-" + version))
        helm("lint", src)
        helm("package", src, "-d", served_dir)
        with tarfile.open(served_dir / charts.package_filename(version)) as tar:
            helm_files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        with tarfile.open(fileobj=io.BytesIO(charts.package_chart(version))) as tar:
            our_files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
        assert set(our_files) == set(helm_files)
        for name, data in helm_files.items():
            if name.endswith("/Chart.yaml"):
                assert yaml.safe_load(data) == yaml.safe_load(our_files[name])
            else:
                assert data == our_files[name], name
    # a repository over helm-packaged files: the index carries their digests
    with ChartRepo(charts_dir=str(served_dir)) as other:
        assert other.versions == list(charts.VERSIONS)
        index = yaml.safe_load(other.index())
        for entry in index["entries"]["crusoe-support-roles"]:
            data = (served_dir / charts.package_filename(entry["version"])).read_bytes()
            assert entry["digest"] == hashlib.sha256(data).hexdigest()
            assert entry["urls"] == [other.url + "/" + charts.package_filename(entry["version"])]
        (tmp_path / "pulled").mkdir()
        helm("pull", "crusoe-support-roles", "--repo", other.url, "--version", "0.1.1", "-d", tmp_path / "pulled")
        assert (tmp_path / "pulled" / charts.package_filename("0.1.1")).exists()


def test_not_found_paths(repo):
    host, port = repo.url.split("//")[1].split("/")[0].split(":")
    for path, status in (("/charts/index.yaml", 200), ("/charts/crusoe-support-roles-0.0.1.tgz", 404), ("/index.yaml", 404),
                         ("/charts/", 404)):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)
        assert conn.getresponse().status == status, path
        conn.close()


def test_standalone_prints_url_and_stops_on_sigterm():
    env = dict(os.environ, PYTHONPATH=TESTS)
    proc = subprocess.Popen([sys.executable, "-m", "sim.chartrepo", "--port", "0"], env=env, stdout=subprocess.PIPE,
                            text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert info["versions"] == ["0.1.1", "0.2.0"]
        assert info["url"].startswith("http://127.0.0.1:") and info["url"].endswith("/charts")
        host, port = info["url"].split("//")[1].split("/")[0].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", "/charts/index.yaml")
        resp = conn.getresponse()
        index = yaml.safe_load(resp.read())
        conn.close()
        assert resp.status == 200
        assert sorted(e["version"] for e in index["entries"]["crusoe-support-roles"]) == ["0.1.1", "0.2.0"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


# -- lookup: a minimal API server answering what helm needs for `helm template --dry-run=server` -------------------

def _resource_list(group_version, resources):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": [{"name": plural, "singularName": plural[:-1], "namespaced": namespaced, "kind": kind,
                           "verbs": ["get", "list"]} for plural, kind, namespaced in resources]}


class _MiniApi(http.server.BaseHTTPRequestHandler):
    """Discovery for the chart's kinds, /version, and GET of namespaces from server.namespaces (404 otherwise)."""

    DOCS = {
        "/version": {"major": "1", "minor": "33", "gitVersion": "v1.33.4", "platform": "linux/amd64"},
        "/api": {"kind": "APIVersions", "versions": ["v1"],
                 "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
        "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": g, "versions": [{"groupVersion": g + "/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": g + "/v1", "version": "v1"}}
            for g in (RBAC, "flowcontrol.apiserver.k8s.io")]},
        "/api/v1": _resource_list("v1", [("namespaces", "Namespace", False), ("secrets", "Secret", True)]),
        "/apis/rbac.authorization.k8s.io/v1": _resource_list(RBAC + "/v1", [
            ("clusterroles", "ClusterRole", False), ("clusterrolebindings", "ClusterRoleBinding", False),
            ("roles", "Role", True), ("rolebindings", "RoleBinding", True)]),
        "/apis/flowcontrol.apiserver.k8s.io/v1": _resource_list("flowcontrol.apiserver.k8s.io/v1", [
            ("flowschemas", "FlowSchema", False), ("prioritylevelconfigurations", "PriorityLevelConfiguration", False)]),
    }

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet."""

    def do_GET(self):  # pylint: disable=invalid-name
        path = self.path.split("?", 1)[0]
        self.server.paths.append(path)
        body = self.DOCS.get(path)
        parts = path.split("/")
        if body is None and len(parts) == 5 and parts[1:4] == ["api", "v1", "namespaces"] and parts[4] in self.server.namespaces:
            body = {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": parts[4]}}
        status = 200 if body is not None else 404
        if body is None:
            body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404,
                    "message": "the server could not find the requested resource"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def mini_api(tmp_path):
    def start(namespaces):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MiniApi)
        server.namespaces = set(namespaces)
        server.paths = []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append(server)
        kubeconfig = tmp_path / ("kubeconfig-%d" % len(servers))
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "mini",
            "clusters": [{"name": "mini", "cluster": {"server": "http://127.0.0.1:%d" % server.server_address[1]}}],
            "users": [{"name": "admin", "user": {"token": "admin-token"}}],
            "contexts": [{"name": "mini", "context": {"cluster": "mini", "user": "admin"}}]}))
        return server, kubeconfig
    servers = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("version", charts.VERSIONS)
@pytest.mark.parametrize("existing", [("kube-system", "slurm", "default"), tuple(CRUSOE_MANAGED_NAMESPACES), ()])
def test_rolebindings_only_in_existing_namespaces(repo, helm, mini_api, version, existing):
    server, kubeconfig = mini_api(existing)
    proc = helm("template", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", version,
                "--namespace", CRUSOE_CHART_NAMESPACE, "--dry-run=server", "--disable-openapi-validation",
                "--kubeconfig", kubeconfig)
    found = check_objects(docs(proc.stdout), version, CRUSOE_CHART_RELEASE, flowcontrol=charts.has_flowcontrol(version),
                          existing_namespaces=existing)
    for ns in CRUSOE_MANAGED_NAMESPACES:
        assert "/api/v1/namespaces/" + ns in server.paths
    if "slurm" in existing:
        # the slurm logs binding is for the operator group only
        assert found[("RoleBinding", "crusoe-support-logs-binding", "slurm")]["subjects"] == group_subjects(OPERATOR)
    if "kube-system" in existing:
        assert found[("RoleBinding", "crusoe-support-debug-binding", "kube-system")]["subjects"] == group_subjects(OPERATOR)
        logs = found[("RoleBinding", "crusoe-support-logs-binding", "kube-system")]
        assert logs["subjects"] == group_subjects(READONLY, OPERATOR)


def test_install_dry_run_from_repo(repo, helm, mini_api):
    """helm install --repo <url> crusoe-support-roles --version 0.2.0, as Crusoe's instructions run it (dry run)."""
    server, kubeconfig = mini_api(["kube-system"])
    proc = helm("install", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", "0.2.0",
                "--namespace", CRUSOE_CHART_NAMESPACE, "--create-namespace", "--dry-run=server",
                "--disable-openapi-validation", "--kubeconfig", kubeconfig)
    assert "NAME: crusoe-support-roles" in proc.stdout
    assert "Thank you for installing crusoe-support-roles" in proc.stdout
    manifest = proc.stdout.split("MANIFEST:", 1)[1].split("NOTES:", 1)[0]
    check_objects(docs(manifest), "0.2.0", CRUSOE_CHART_RELEASE, flowcontrol=True, existing_namespaces=["kube-system"])
    assert "/api/v1/namespaces/kube-system" in server.paths


# -- end to end: install from the repository into the Kubernetes emulator, then ask its RBAC ------------------------

def _can_i(kube, user, *args):
    proc = kube.kubectl("auth", "can-i", *args, user=user, check=False)
    return proc.stdout.strip()


def _installed(kube):
    objects = []
    for api_version, kind in ((RBAC + "/v1", "ClusterRole"), (RBAC + "/v1", "ClusterRoleBinding"), (RBAC + "/v1", "RoleBinding"),
                              ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
                              ("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration")):
        objects += kube.cluster.list(api_version, kind)
    return [o for o in objects if (o["metadata"].get("labels") or {}).get("app.kubernetes.io/instance") == CRUSOE_CHART_RELEASE]


@pytest.mark.parametrize("helm_major", [3, 4])
def test_install_into_emulator_grants_and_uninstall_revokes(repo, kube_cluster, helm_major):
    kube = kube_cluster
    kube.kubectl("create", "namespace", "slurm")
    kube.helm("install", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", "0.1.1",
              "--namespace", CRUSOE_CHART_NAMESPACE, "--create-namespace", version=helm_major)
    # helm renders (and runs lookup) before --create-namespace creates crusoe-system: no bindings there on first install
    check_objects(_installed(kube), "0.1.1", CRUSOE_CHART_RELEASE, flowcontrol=False,
                  existing_namespaces=("kube-system", "slurm"))
    kube.helm("upgrade", CRUSOE_CHART_RELEASE, "crusoe-support-roles", "--repo", repo.url, "--version", "0.2.0",
              "--namespace", CRUSOE_CHART_NAMESPACE, version=helm_major)
    check_objects(_installed(kube), "0.2.0", CRUSOE_CHART_RELEASE, flowcontrol=True,
                  existing_namespaces=("crusoe-system", "kube-system", "slurm"))

    operator, readonly = "crusoe-support-operator", "crusoe-support-readonly"
    assert _can_i(kube, operator, "create", "pods", "--subresource=exec", "-n", "kube-system") == "yes"
    assert _can_i(kube, operator, "create", "pods", "--subresource=exec", "-n", "slurm") == "yes"
    assert _can_i(kube, operator, "create", "pods", "--subresource=exec", "-n", "nvidia-gpu-operator") == "no"
    assert _can_i(kube, operator, "create", "pods", "--subresource=exec", "-n", "default") == "no"
    assert _can_i(kube, readonly, "create", "pods", "--subresource=exec", "-n", "kube-system") == "no"
    assert _can_i(kube, readonly, "get", "pods", "--subresource=log", "-n", "kube-system") == "yes"
    assert _can_i(kube, readonly, "get", "pods", "--subresource=log", "-n", "slurm") == "no"
    assert _can_i(kube, operator, "delete", "pods", "-n", "default") == "yes"
    assert _can_i(kube, readonly, "delete", "pods", "-n", "default") == "no"
    assert _can_i(kube, readonly, "list", "nodes") == "yes"
    assert _can_i(kube, readonly, "get", "secrets", "-n", "kube-system") == "no"

    kube.helm("uninstall", CRUSOE_CHART_RELEASE, "--namespace", CRUSOE_CHART_NAMESPACE, version=helm_major)
    assert _can_i(kube, operator, "create", "pods", "--subresource=exec", "-n", "kube-system") == "no"
    assert _can_i(kube, readonly, "list", "nodes") == "no"
    left = kube.cluster.list(RBAC + "/v1", "ClusterRoleBinding") + kube.cluster.list(RBAC + "/v1", "RoleBinding")
    assert not [o for o in left if (o["metadata"].get("labels") or {}).get("app.kubernetes.io/instance") == CRUSOE_CHART_RELEASE]
