# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the neocloud.support_access.crusoe inventory plugin: filters, host names, groups, templates, cache.

The plugin reads its options from a real inventory file through ansible-core's own option handling; the API is
replaced by canned project/cluster data (the plugin's cache format), so no network is used.
"""

from __future__ import annotations

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader

from ansible_collections.neocloud.support_access.plugins.inventory import crusoe as crusoe_inventory
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import CrusoeError

from conftest import plugin_doc

NAME = "neocloud.support_access.crusoe"
ML = {"id": "ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab", "name": "ml"}
RESEARCH = {"id": "0d1e2f30-1111-4222-8333-444455556666", "name": "research"}


def _cluster(cid, name, project, state="STATE_RUNNING", location="us-east1-a", version="1.33.4-cmk.1"):
    return {"id": "cd5b0b6e-0000-4000-8000-%012d" % cid, "name": name, "project_id": project["id"], "state": state,
            "location": location, "version": version, "dns_name": "%s.cmk.example" % name}


def fleet():
    """API data as the plugin caches it: two projects, a shared name across them and one inside research."""
    return {"schema": 1, "projects": [
        dict(ML, clusters=[
            _cluster(1, "training-prod", ML),
            _cluster(2, "inference", ML, location="us-southcentral1-a"),
            _cluster(3, "shared", ML),
            _cluster(4, "scratch-1", ML, state="STATE_PROVISIONING"),
        ]),
        dict(RESEARCH, clusters=[
            _cluster(5, "shared", RESEARCH, version="1.32.1-cmk.3"),
            _cluster(6, "dup", RESEARCH),
            _cluster(7, "dup", RESEARCH, state="STATE_PROVISIONING"),
        ]),
    ]}


@pytest.fixture(scope="module", autouse=True)
def option_definitions():
    """Register the plugin's documented options (fragments merged) as the plugin loader would."""
    doc = plugin_doc(crusoe_inventory.__file__)
    C.config.initialize_plugin_configuration_definitions("inventory", NAME, doc["options"])
    return doc


@pytest.fixture
def make_plugin(tmp_path, monkeypatch):
    """make_plugin(config_dict) -> plugin with options read from a real fleet.crusoe.yml."""
    for var in ("CRUSOE_API_ENDPOINT", "CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", "CRUSOE_DEFAULT_PROJECT",
                "CRUSOE_PROFILE", "CRUSOE_CLIENT_ID", "CRUSOE_CLIENT_SECRET", "CRUSOE_TOKEN_URL"):
        monkeypatch.delenv(var, raising=False)

    def make(config=None, name="fleet.crusoe.yml"):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(dict({"plugin": NAME}, **(config or {}))))
        plugin = crusoe_inventory.InventoryModule()
        plugin._load_name = NAME  # pylint: disable=protected-access
        plugin.loader = DataLoader()
        plugin.inventory = InventoryData()
        plugin._vars = {}  # pylint: disable=protected-access
        plugin._read_config_data(str(path))  # pylint: disable=protected-access
        plugin.path = str(path)
        return plugin
    return make


def build(make_plugin, config=None, data=None):
    """Populate an inventory from canned API data; returns (inventory, hostvars of every host)."""
    plugin = make_plugin(config)
    plugin.populate(data or fleet())
    inv = plugin.inventory
    return inv, dict((name, host.get_vars()) for name, host in inv.hosts.items())


def group_hosts(inv, group):
    return sorted(h.name for h in inv.groups[group].get_hosts()) if group in inv.groups else None


# ------------------------------------------------------------------------------------------------ helpers

@pytest.mark.parametrize("cluster, filters, expected", [
    ({"name": "a", "state": "STATE_RUNNING"}, {"states": ["STATE_RUNNING"]}, True),
    ({"name": "a", "state": "STATE_DELETING"}, {"states": ["STATE_RUNNING"]}, False),
    ({"name": "a", "state": "STATE_DELETING"}, {"states": []}, True),
    ({"name": "a", "location": "eu-iceland1-a"}, {"locations": ["us-east1-a"]}, False),
    ({"name": "a", "location": "us-east1-a"}, {"locations": ["us-east1-a", "eu-iceland1-a"]}, True),
    ({"name": "training-prod"}, {"name_patterns": ["*-prod"]}, True),
    ({"name": "training-dev"}, {"name_patterns": ["*-prod", "prod-*"]}, False),
    ({"name": "Training-prod"}, {"name_patterns": ["training-*"]}, False),
    ({"name": "training-prod"}, {"name_patterns": ["training-*"], "exclude_patterns": ["*-prod"]}, False),
    ({"name": "gpu7"}, {"name_patterns": ["gpu[0-9]"]}, True),
])
def test_cluster_matches(cluster, filters, expected):
    assert crusoe_inventory.cluster_matches(cluster, **filters) is expected


def test_host_names_unique_name_stays_cluster_name():
    entries = [(ML, {"id": "1", "name": "a"}), (RESEARCH, {"id": "2", "name": "b"})]
    assert crusoe_inventory.host_names(entries) == ["a", "b"]


def test_host_names_shared_across_projects_get_project_prefix():
    entries = [(ML, {"id": "1", "name": "a"}), (RESEARCH, {"id": "2", "name": "a"}), (ML, {"id": "3", "name": "b"})]
    assert crusoe_inventory.host_names(entries) == ["ml-a", "research-a", "b"]


def test_host_names_same_project_duplicates_get_cluster_id():
    entries = [(RESEARCH, {"id": "6", "name": "dup"}), (RESEARCH, {"id": "7", "name": "dup"}),
               (ML, {"id": "8", "name": "dup"})]
    assert crusoe_inventory.host_names(entries) == ["research-dup-6", "research-dup-7", "ml-dup"]


def test_host_names_prefixed_name_colliding_with_a_real_cluster_name():
    entries = [(ML, {"id": "1", "name": "a"}), (RESEARCH, {"id": "2", "name": "a"}), (ML, {"id": "3", "name": "ml-a"})]
    assert crusoe_inventory.host_names(entries) == ["ml-a-1", "research-a", "ml-a-3"]


@pytest.mark.parametrize("value, expected", [("ml", "ml"), ("us-east1-a", "us_east1_a"), ("a.b c/d", "a_b_c_d")])
def test_safe_group_part(value, expected):
    assert crusoe_inventory.safe_group_part(value) == expected


@pytest.mark.parametrize("name, accepted", [
    ("fleet.crusoe.yml", True), ("fleet.crusoe.yaml", True), ("crusoe.yml", True), ("crusoe.yaml", True),
    ("fleet.yml", False), ("notcrusoe.yml", False), ("fleet.crusoe.json", False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: %s\n" % NAME)
    assert crusoe_inventory.InventoryModule().verify_file(str(path)) is accepted


def test_verify_file_missing(tmp_path):
    assert crusoe_inventory.InventoryModule().verify_file(str(tmp_path / "fleet.crusoe.yml")) is False


# ------------------------------------------------------------------------------------------------ populate

def test_default_filter_keeps_running_clusters_and_names_collisions(make_plugin):
    dummy, hosts = build(make_plugin)
    assert sorted(hosts) == ["dup", "inference", "ml-shared", "research-shared", "training-prod"]


def test_all_states_names_same_project_duplicates_by_id(make_plugin):
    dummy, hosts = build(make_plugin, {"states": []})
    assert "dup-cd5b0b6e-0000-4000-8000-000000000006" in hosts
    assert "dup-cd5b0b6e-0000-4000-8000-000000000007" in hosts
    assert "scratch-1" in hosts and "dup" not in hosts


def test_contract_host_vars(make_plugin):
    dummy, hosts = build(make_plugin)
    hv = hosts["training-prod"]
    cluster = fleet()["projects"][0]["clusters"][0]
    assert hv["support_access_provider"] == "crusoe"
    assert hv["support_access_project"] == ML["id"]
    assert hv["support_access_project_name"] == "ml"
    assert hv["support_access_cluster"] == cluster["id"]
    assert hv["support_access_cluster_name"] == "training-prod"
    assert hv["support_access_cluster_state"] == "STATE_RUNNING"
    assert hv["support_access_location"] == "us-east1-a"
    assert hv["support_access_context"] == "training-prod"
    assert hv["support_access_cluster_info"] == cluster
    assert hv["ansible_connection"] == "local"
    assert hv["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
    assert "support_access_kubeconfig" not in hv


def test_interpreter_is_the_only_trusted_template(make_plugin):
    from ansible.template import is_trusted_as_template  # pylint: disable=import-outside-toplevel
    data = fleet()
    data["projects"][0]["clusters"][0]["name"] = "{{ lookup('pipe', 'id') }}"
    dummy, hosts = build(make_plugin, data=data)
    hv = hosts["{{ lookup('pipe', 'id') }}"]
    assert is_trusted_as_template(hv["ansible_python_interpreter"])
    assert not is_trusted_as_template(hv["support_access_cluster_name"])
    assert hv["support_access_context"] == "{{ lookup('pipe', 'id') }}"


def test_renamed_host_keeps_real_cluster_name_in_vars(make_plugin):
    dummy, hosts = build(make_plugin)
    assert hosts["research-shared"]["support_access_cluster_name"] == "shared"
    assert hosts["research-shared"]["support_access_project_name"] == "research"
    assert hosts["research-shared"]["support_access_context"] == "shared"


def test_filters_locations_names_excludes(make_plugin):
    dummy, hosts = build(make_plugin, {"locations": ["us-east1-a"], "name_patterns": ["*-prod", "shared", "dup"],
                                       "exclude_patterns": ["dup"]})
    assert sorted(hosts) == ["ml-shared", "research-shared", "training-prod"]


def test_filter_that_removes_a_collision_restores_plain_name(make_plugin):
    dummy, hosts = build(make_plugin, {"exclude_patterns": ["shared"], "name_patterns": []})
    assert "shared" not in hosts and "ml-shared" not in hosts
    dummy, hosts = build(make_plugin, {"locations": ["us-southcentral1-a", "us-east1-a"], "name_patterns": ["sh*"],
                                       "states": ["STATE_RUNNING"], "exclude_patterns": []},
                         data={"schema": 1, "projects": [fleet()["projects"][0]]})
    assert list(hosts) == ["shared"]


def test_default_groups(make_plugin):
    inv, dummy = build(make_plugin)
    assert group_hosts(inv, "crusoe") == ["dup", "inference", "ml-shared", "research-shared", "training-prod"]
    assert group_hosts(inv, "crusoe_ml") == ["inference", "ml-shared", "training-prod"]
    assert group_hosts(inv, "crusoe_research") == ["dup", "research-shared"]
    assert group_hosts(inv, "crusoe_us_east1_a") == ["dup", "ml-shared", "research-shared", "training-prod"]
    assert group_hosts(inv, "crusoe_us_southcentral1_a") == ["inference"]


def test_keyed_groups_groups_and_compose(make_plugin):
    inv, hosts = build(make_plugin, {
        "keyed_groups": [{"key": "support_access_cluster_info.version", "prefix": "cmk"},
                         {"key": "support_access_project_name", "prefix": "project", "separator": "__"}],
        "groups": {"prod": "support_access_cluster_name is match('.*-prod$')"},
        "compose": {"cmk_version": "support_access_cluster_info.version",
                    "kube_context": "'crusoe-' ~ support_access_cluster_name"},
    })
    assert group_hosts(inv, "cmk_1_33_4_cmk_1") == ["dup", "inference", "ml-shared", "training-prod"]
    assert group_hosts(inv, "cmk_1_32_1_cmk_3") == ["research-shared"]
    assert group_hosts(inv, "project__research") == ["dup", "research-shared"]
    assert group_hosts(inv, "prod") == ["training-prod"]
    assert hosts["research-shared"]["cmk_version"] == "1.32.1-cmk.3"
    assert hosts["inference"]["kube_context"] == "crusoe-inference"


def test_strict_compose_error_fails(make_plugin):
    with pytest.raises(Exception, match="Could not set broken for host"):
        build(make_plugin, {"strict": True, "compose": {"broken": "support_access_cluster_info.nothing.deeper"}})


def test_non_strict_compose_error_skips_var(make_plugin):
    dummy, hosts = build(make_plugin, {"strict": False, "compose": {"broken": "support_access_cluster_info.nothing.deeper"}})
    assert "broken" not in hosts["training-prod"]


def test_context_template_over_cluster_record(make_plugin):
    dummy, hosts = build(make_plugin, {"context_template": "crusoe-{{ project_name }}-{{ name }}-{{ location }}"})
    assert hosts["training-prod"]["support_access_context"] == "crusoe-ml-training-prod-us-east1-a"
    assert hosts["research-shared"]["support_access_context"] == "crusoe-research-shared-us-east1-a"


def test_context_template_whole_record_and_project(make_plugin):
    dummy, hosts = build(make_plugin, {"context_template": "{{ cluster.dns_name }}@{{ project.id[:8] }}"})
    assert hosts["inference"]["support_access_context"] == "inference.cmk.example@ab4a6b00"


def test_context_template_error_names_cluster(make_plugin):
    with pytest.raises(AnsibleParserError, match="option context_template failed for cluster 'inference'"):
        build(make_plugin, {"context_template": "{{ no_such_field }}"})


def test_kubeconfig_templated_and_expanded(make_plugin, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    dummy, hosts = build(make_plugin, {"kubeconfig": "~/.kube/{{ project_name }}/{{ name }}.yaml"})
    assert hosts["training-prod"]["support_access_kubeconfig"] == str(tmp_path / ".kube" / "ml" / "training-prod.yaml")


def test_plain_kubeconfig(make_plugin):
    dummy, hosts = build(make_plugin, {"kubeconfig": "/etc/fleet/kubeconfig"})
    assert set(h["support_access_kubeconfig"] for h in hosts.values()) == {"/etc/fleet/kubeconfig"}


# ------------------------------------------------------------------------------------------------ parse()

class FakeClient:
    """Answers the few GETs the plugin makes from canned data; records them."""

    def __init__(self, data, status=None):
        self.data = data
        self.calls = []
        self.status = status

    def _check(self, path):
        self.calls.append(path)
        if self.status:
            raise CrusoeError("Crusoe API error %d on GET /v1/%s: nope" % (self.status, path), status=self.status)

    def list_all(self, path, query=None):
        self._check(path)
        if path == "organizations/projects":
            items = [dict(id=p["id"], name=p["name"]) for p in self.data["projects"]]
            if query and query.get("project_name"):
                items = [p for p in items if p["name"] == query["project_name"]]
            return items
        project_id = path.split("/")[1]
        if path.endswith("/networking/vpc-firewall-rules"):
            return [dict(r) for p in self.data["projects"] if p["id"] == project_id for r in p.get("rules", [])]
        return [dict(c) for p in self.data["projects"] if p["id"] == project_id for c in p["clusters"]]

    def get(self, path, query=None):  # pylint: disable=unused-argument
        self._check(path)
        for project in self.data["projects"]:
            if path == "organizations/projects/%s" % project["id"]:
                return dict(id=project["id"], name=project["name"])
        raise CrusoeError("not found", status=404)


@pytest.fixture
def fake_api(monkeypatch):
    """Replace the signed client with FakeClient; returns it."""
    client = FakeClient(fleet())
    original = crusoe_inventory.AnsibleCrusoe.__init__

    def init(self, module, client_arg=None):  # pylint: disable=unused-argument
        original(self, module, client=client)
    monkeypatch.setattr(crusoe_inventory.AnsibleCrusoe, "__init__", init)
    return client


def parse(make_plugin, config, cache=True):
    plugin = make_plugin(dict({"access_key_id": "K", "secret_key": "c2VjcmV0"}, **config))
    plugin.parse(plugin.inventory, plugin.loader, plugin.path, cache=cache)
    if plugin.get_option("cache"):
        plugin.update_cache_if_changed()
    return plugin.inventory


def test_parse_one_project_by_name(make_plugin, fake_api):
    inv = parse(make_plugin, {"projects": ["research"]})
    assert sorted(inv.hosts) == ["dup", "shared"]
    assert fake_api.calls == ["organizations/projects", "projects/%s/kubernetes/clusters" % RESEARCH["id"],
                              "projects/%s/networking/vpc-firewall-rules" % RESEARCH["id"]]


def test_parse_project_by_id_and_name_deduplicated(make_plugin, fake_api):
    inv = parse(make_plugin, {"projects": [RESEARCH["id"], "research", "ml"]})
    assert sorted(inv.hosts) == ["dup", "inference", "ml-shared", "research-shared", "training-prod"]
    assert len([c for c in fake_api.calls if c.endswith("/clusters")]) == 2


def test_parse_all_projects(make_plugin, fake_api):
    inv = parse(make_plugin, {"all_projects": True})
    assert len(inv.hosts) == 5
    assert fake_api.calls[0] == "organizations/projects"


def test_parse_default_project_from_env(make_plugin, fake_api, monkeypatch):
    monkeypatch.setenv("CRUSOE_DEFAULT_PROJECT", "ml")
    inv = parse(make_plugin, {})
    assert sorted(inv.hosts) == ["inference", "shared", "training-prod"]
    assert fake_api.calls[-2:] == ["projects/%s/kubernetes/clusters" % ML["id"], "projects/%s/networking/vpc-firewall-rules" % ML["id"]]


def test_parse_no_project_and_several_visible(make_plugin, fake_api):
    with pytest.raises(AnsibleParserError, match=r"no project selected and 2 projects are visible \(ml, research\)"):
        parse(make_plugin, {})
    assert fake_api.calls == ["organizations/projects"]


def test_parse_unknown_project(make_plugin, fake_api):
    with pytest.raises(AnsibleParserError, match=r"project 'nope' \(option projects\) matched 0 of the 2 projects"):
        parse(make_plugin, {"projects": ["ml", "nope"]})
    assert not [c for c in fake_api.calls if c.endswith("/clusters")]


def test_parse_unknown_project_id(make_plugin, fake_api):
    with pytest.raises(AnsibleParserError, match="project 'ffffffff-1111-4222-8333-444455556666' .* not found"):
        parse(make_plugin, {"projects": ["ffffffff-1111-4222-8333-444455556666"]})


def test_parse_projects_and_all_projects_conflict(make_plugin, fake_api):
    with pytest.raises(AnsibleParserError, match="either projects or all_projects"):
        parse(make_plugin, {"projects": ["ml"], "all_projects": True})
    assert fake_api.calls == []


def test_parse_api_401_names_credential_sources(make_plugin, fake_api, monkeypatch):
    fake_api.status = 401
    monkeypatch.setenv("CRUSOE_ACCESS_KEY_ID", "ENVKEY")
    plugin = make_plugin({"secret_key": "c2VjcmV0", "all_projects": True})
    with pytest.raises(AnsibleParserError) as err:
        plugin.parse(plugin.inventory, plugin.loader, plugin.path)
    msg = str(err.value)
    assert "Crusoe API error 401" in msg
    assert "access key id ENVKEY from env CRUSOE_ACCESS_KEY_ID, secret key from option" in msg
    assert "c2VjcmV0" not in msg


def test_parse_missing_credentials(make_plugin, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    plugin = make_plugin({"all_projects": True})
    with pytest.raises(AnsibleParserError, match=r"Crusoe credentials missing \(access_key_id, secret_key\)"):
        plugin.parse(plugin.inventory, plugin.loader, plugin.path)


def test_parse_cache_second_run_reads_no_api(make_plugin, fake_api, tmp_path):
    config = {"all_projects": True, "cache": True, "cache_plugin": "jsonfile",
              "cache_connection": str(tmp_path / "cache")}
    first = parse(make_plugin, config)
    calls = len(fake_api.calls)
    assert calls > 0
    second = parse(make_plugin, dict(config, exclude_patterns=["dup"]))
    assert len(fake_api.calls) == calls
    assert sorted(second.hosts) == sorted(h for h in first.hosts if h != "dup")


def test_parse_cache_refresh_reads_api(make_plugin, fake_api, tmp_path):
    config = {"all_projects": True, "cache": True, "cache_plugin": "jsonfile",
              "cache_connection": str(tmp_path / "cache")}
    parse(make_plugin, config)
    calls = len(fake_api.calls)
    parse(make_plugin, config, cache=False)
    assert len(fake_api.calls) == 2 * calls


def test_parse_cache_keyed_by_project_selection(make_plugin, fake_api, tmp_path):
    config = {"cache": True, "cache_plugin": "jsonfile", "cache_connection": str(tmp_path / "cache")}
    parse(make_plugin, dict(config, projects=["ml"]))
    calls = len(fake_api.calls)
    inv = parse(make_plugin, dict(config, projects=["research"]))
    assert len(fake_api.calls) > calls
    assert sorted(inv.hosts) == ["dup", "shared"]


# ------------------------------------------------------------------------------------------------ firewall rule hints

def _rule(rid, suffix):
    return {"id": "f1000000-0000-4000-8000-%012d" % rid, "name": "cmk-cp-api-access-cp-" + suffix,
            "vpc_network_id": "7a000000-0000-4000-8000-000000000001"}


@pytest.mark.parametrize("shared_prefix_rule", [False, True])
def test_firewall_rule_hint_only_for_one_to_one_names(make_plugin, fake_api, shared_prefix_rule):
    """A rule named by the cluster id identifies it; two rules for one cluster, or one rule whose suffix is in several
    cluster ids (cd5b0b6e starts every ML id), identify nothing: those hosts get no hint, the module looks itself."""
    rules = [
        _rule(2, "000000000002"),                             # inference only
        _rule(3, "000000000003"), _rule(4, "000000000003"),   # two rules for "shared"
        {"id": "f9", "name": "allow-ssh"},                    # not a control-plane rule
    ]
    if shared_prefix_rule:
        rules.append(_rule(1, "cd5b0b6e"))
    fake_api.data["projects"][0]["rules"] = rules
    inv = parse(make_plugin, {"projects": ["ml"]})
    hv = dict((name, host.get_vars()) for name, host in inv.hosts.items())
    if shared_prefix_rule:
        assert "support_access_firewall_rule" not in hv["inference"]
    else:
        assert hv["inference"]["support_access_firewall_rule"] == _rule(2, "")["id"]
    assert "support_access_firewall_rule" not in hv["shared"]
    assert "support_access_firewall_rule" not in hv["training-prod"]
    assert fake_api.calls.count("projects/%s/networking/vpc-firewall-rules" % ML["id"]) == 1


def test_firewall_rule_hints_off_sends_no_rule_request(make_plugin, fake_api):
    fake_api.data["projects"][0]["rules"] = [_rule(2, "000000000002")]
    inv = parse(make_plugin, {"projects": ["ml"], "firewall_rules": False})
    assert not [c for c in fake_api.calls if "firewall" in c]
    assert all("support_access_firewall_rule" not in h.get_vars() for h in inv.hosts.values())


def test_firewall_rule_listing_forbidden_leaves_no_hint(make_plugin, fake_api, monkeypatch):
    original = fake_api.list_all

    def list_all(path, query=None):
        if "firewall" in path:
            fake_api.calls.append(path)
            raise CrusoeError("Crusoe API error 403 on GET /v1/%s: forbidden" % path, status=403)
        return original(path, query)
    monkeypatch.setattr(fake_api, "list_all", list_all)
    inv = parse(make_plugin, {"projects": ["ml"]})
    assert sorted(inv.hosts) == ["inference", "shared", "training-prod"]
    assert all("support_access_firewall_rule" not in h.get_vars() for h in inv.hosts.values())


# ------------------------------------------------------------------------------------------------ service accounts

def test_parse_api_401_names_service_account_sources(make_plugin, fake_api, monkeypatch):
    """The inventory file's service account wins over the environment's access key (option beats environment);
    a 401 names where the service account's settings came from, never the secret."""
    fake_api.status = 401
    monkeypatch.setenv("CRUSOE_ACCESS_KEY_ID", "ENVKEY")
    monkeypatch.setenv("CRUSOE_SECRET_KEY", "c2VjcmV0")
    monkeypatch.setenv("CRUSOE_CLIENT_SECRET", "inventory-sa-secret-0001")
    plugin = make_plugin({"client_id": "inventory-sa", "all_projects": True})
    with pytest.raises(AnsibleParserError) as err:
        plugin.parse(plugin.inventory, plugin.loader, plugin.path)
    msg = str(err.value)
    assert ("service account client id inventory-sa from option, client secret from env CRUSOE_CLIENT_SECRET, token "
            "URL https://auth.crusoe.ai/oauth2/token from default") in msg
    assert "inventory-sa-secret-0001" not in msg and "ENVKEY" not in msg


def test_parse_http_token_url_is_refused_before_any_request(make_plugin, monkeypatch):
    monkeypatch.setenv("CRUSOE_CLIENT_ID", "inventory-sa")
    monkeypatch.setenv("CRUSOE_CLIENT_SECRET", "inventory-sa-secret-0001")
    plugin = make_plugin({"token_url": "http://auth.example.test/oauth2/token", "all_projects": True})
    with pytest.raises(AnsibleParserError) as err:
        plugin.parse(plugin.inventory, plugin.loader, plugin.path)
    msg = str(err.value)
    assert "token_url 'http://auth.example.test/oauth2/token' (from option) is not an https URL" in msg
    assert "inventory-sa-secret-0001" not in msg


def test_parse_half_service_account_names_the_missing_half(make_plugin, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CRUSOE_CLIENT_ID", "inventory-sa")
    plugin = make_plugin({"all_projects": True})
    with pytest.raises(AnsibleParserError, match=r"Crusoe service account incomplete: client_id is set \(from env "
                       r"CRUSOE_CLIENT_ID\) but client_secret is missing: set the client_secret option, the "
                       r"CRUSOE_CLIENT_SECRET environment variable"):
        plugin.parse(plugin.inventory, plugin.loader, plugin.path)
