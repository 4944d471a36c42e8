# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the neocloud.support_access.coreweave inventory plugin: filters, host names, groups, templates.

The plugin reads its options from a real inventory file through ansible-core's own option handling; the API is
replaced by canned cluster data (the plugin's cache format), so no network is used.
"""

from __future__ import annotations

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader

from ansible_collections.neocloud.support_access.plugins.inventory import coreweave as cw_inventory

from conftest import plugin_doc

NAME = "neocloud.support_access.coreweave"


def _cluster(num, name, status="STATUS_RUNNING", zone="US-EAST-04A", version="v1.33"):
    cid = "3f5e0000-0000-4000-8000-%012d" % num
    return {"id": cid, "name": name, "status": status, "zone": zone, "version": version,
            "apiServerEndpoint": "https://%s.k8s.example" % name}


def fleet():
    return {"schema": 1, "clusters": [
        _cluster(1, "gpu-train"),
        _cluster(2, "gpu-infer", zone="US-WEST-01A", version="v1.32"),
        _cluster(3, "staging", status="STATUS_CREATING"),
        _cluster(4, "dup"),
        _cluster(5, "dup", zone="US-WEST-01A"),
        _cluster(6, "gpu-scratch", status="STATUS_FAILED"),
    ]}


@pytest.fixture(scope="module", autouse=True)
def option_definitions():
    """Register the plugin's documented options (fragments merged) as the plugin loader would."""
    doc = plugin_doc(cw_inventory.__file__)
    C.config.initialize_plugin_configuration_definitions("inventory", NAME, doc["options"])
    return doc


@pytest.fixture
def make_plugin(tmp_path, monkeypatch):
    """make_plugin(config_dict) -> plugin with options read from a real fleet.coreweave.yml."""
    for var in ("COREWEAVE_API_ENDPOINT", "COREWEAVE_API_TOKEN", "COREWEAVE_HTTP_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)

    def make(config=None, name="fleet.coreweave.yml"):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(dict({"plugin": NAME}, **(config or {}))))
        plugin = cw_inventory.InventoryModule()
        plugin._load_name = NAME  # pylint: disable=protected-access
        plugin.loader = DataLoader()
        plugin.inventory = InventoryData()
        plugin._vars = {}  # pylint: disable=protected-access
        plugin._read_config_data(str(path))  # pylint: disable=protected-access
        return plugin
    return make


def build(make_plugin, config=None, data=None):  # pylint: disable=redefined-outer-name
    plugin = make_plugin(config)
    plugin.populate(data or fleet())
    inv = plugin.inventory
    return inv, dict((name, host.get_vars()) for name, host in inv.hosts.items())


def group_hosts(inv, group):
    return sorted(h.name for h in inv.groups[group].get_hosts()) if group in inv.groups else None


def test_default_keeps_running_clusters_only(make_plugin):  # pylint: disable=redefined-outer-name
    inv, hostvars = build(make_plugin)
    assert sorted(hostvars) == ["dup-3f5e0000-0000-4000-8000-000000000004", "dup-3f5e0000-0000-4000-8000-000000000005",
                                "gpu-infer", "gpu-train"]
    assert group_hosts(inv, "coreweave_us_west_01a") == ["dup-3f5e0000-0000-4000-8000-000000000005", "gpu-infer"]


def test_host_vars_follow_the_contract(make_plugin):  # pylint: disable=redefined-outer-name
    dummy, hostvars = build(make_plugin, {"kubeconfig": "~/.kube/cks-{{ name }}.yaml"})
    hv = hostvars["gpu-infer"]
    assert hv["support_access_provider"] == "coreweave"
    assert hv["support_access_cluster"] == "3f5e0000-0000-4000-8000-000000000002"
    assert hv["support_access_cluster_name"] == "gpu-infer"
    assert hv["support_access_cluster_state"] == "STATUS_RUNNING"
    assert hv["support_access_location"] == "US-WEST-01A"
    assert hv["support_access_cluster_version"] == "v1.32"
    assert hv["support_access_api_server"] == "https://gpu-infer.k8s.example"
    assert hv["support_access_context"] == "gpu-infer"
    assert hv["support_access_kubeconfig"].endswith("/.kube/cks-gpu-infer.yaml") and not hv["support_access_kubeconfig"].startswith("~")
    assert hv["support_access_project"] == "" and hv["support_access_cluster_info"]["zone"] == "US-WEST-01A"
    assert hv["ansible_connection"] == "local" and hv["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"


def test_no_kubeconfig_option_sets_no_kubeconfig(make_plugin):  # pylint: disable=redefined-outer-name
    dummy, hostvars = build(make_plugin)
    assert "support_access_kubeconfig" not in hostvars["gpu-train"]


@pytest.mark.parametrize("config, expected", [
    ({"statuses": []}, ["dup", "dup", "gpu-infer", "gpu-scratch", "gpu-train", "staging"]),
    ({"statuses": ["STATUS_CREATING", "STATUS_FAILED"]}, ["gpu-scratch", "staging"]),
    ({"zones": ["US-WEST-01A"]}, ["dup", "gpu-infer"]),
    ({"name_patterns": ["gpu-*"], "statuses": []}, ["gpu-infer", "gpu-scratch", "gpu-train"]),
    ({"name_patterns": ["gpu-*"], "exclude_patterns": ["*-scratch", "*-infer"], "statuses": []}, ["gpu-train"]),
    ({"name_patterns": ["GPU-*"]}, []),
])
def test_filters(make_plugin, config, expected):  # pylint: disable=redefined-outer-name
    dummy, hostvars = build(make_plugin, config)
    assert sorted(hv["support_access_cluster_name"] for hv in hostvars.values()) == expected


def test_unique_names_when_filters_remove_the_collision(make_plugin):  # pylint: disable=redefined-outer-name
    dummy, hostvars = build(make_plugin, {"zones": ["US-EAST-04A"]})
    assert sorted(hostvars) == ["dup", "gpu-train"]


def test_context_template_uses_cluster_fields(make_plugin):  # pylint: disable=redefined-outer-name
    dummy, hostvars = build(make_plugin, {"context_template": "cks-{{ zone | lower }}-{{ name }}"})
    assert hostvars["gpu-train"]["support_access_context"] == "cks-us-east-04a-gpu-train"


def test_context_template_error_names_the_cluster(make_plugin):  # pylint: disable=redefined-outer-name
    with pytest.raises(AnsibleParserError, match="context_template failed for cluster 'gpu-infer'"):
        build(make_plugin, {"context_template": "{{ nope }}", "name_patterns": ["gpu-infer"]})


def test_constructed_groups_and_keyed_groups(make_plugin):  # pylint: disable=redefined-outer-name
    inv, dummy = build(make_plugin, {"groups": {"gpu": "support_access_cluster_name.startswith('gpu-')"},
                                     "keyed_groups": [{"key": "support_access_cluster_version", "prefix": "cks"}]})
    assert group_hosts(inv, "gpu") == ["gpu-infer", "gpu-train"]
    assert group_hosts(inv, "cks_v1_32") == ["gpu-infer"]


def test_api_data_is_not_templated(make_plugin):  # pylint: disable=redefined-outer-name
    data = {"schema": 1, "clusters": [_cluster(9, "evil")]}
    data["clusters"][0]["version"] = "{{ lookup('pipe', 'id') }}"
    dummy, hostvars = build(make_plugin, data=data)
    assert hostvars["evil"]["support_access_cluster_version"] == "{{ lookup('pipe', 'id') }}"


@pytest.mark.parametrize("value, expected", [("US-EAST-04A", "us_east_04a"), ("a.b c", "a_b_c")])
def test_safe_group_part(value, expected):
    assert cw_inventory.safe_group_part(value) == expected


@pytest.mark.parametrize("name, accepted", [
    ("fleet.coreweave.yml", True), ("coreweave.yaml", True), ("fleet.crusoe.yml", False), ("fleet.yml", False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text("plugin: %s\n" % NAME)
    assert cw_inventory.InventoryModule().verify_file(str(path)) is accepted


def test_missing_token_is_a_parser_error(make_plugin):  # pylint: disable=redefined-outer-name
    plugin = make_plugin()
    with pytest.raises(AnsibleParserError, match="COREWEAVE_API_TOKEN"):
        plugin._api()  # pylint: disable=protected-access
