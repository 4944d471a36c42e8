# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of what the crusoe and coreweave inventory plugins share (plugin_utils/_inventory)."""

from __future__ import annotations

import pytest

from ansible_collections.neocloud.support_access.plugins.plugin_utils import _inventory


def test_safe_group_part():
    assert _inventory.safe_group_part("us-east1-a") == "us_east1_a"
    assert _inventory.safe_group_part("ML Team") == "ML_Team"
    assert _inventory.safe_group_part("US-EAST-04A", lower=True) == "us_east_04a"


@pytest.mark.parametrize("value,allowed,expected", [
    ("A", None, True), ("A", [], True), ("A", ["A", "B"], True), ("C", ["A", "B"], False), (None, ["A"], False)])
def test_value_allowed(value, allowed, expected):
    assert _inventory.value_allowed(value, allowed) is expected


@pytest.mark.parametrize("name,include,exclude,expected", [
    ("gpu-prod", [], [], True),
    ("gpu-prod", ["*-prod"], [], True),
    ("gpu-dev", ["*-prod"], [], False),
    ("GPU-prod", ["gpu-*"], [], False),
    ("gpu-scratch", ["gpu-*"], ["*-scratch"], False),
    (None, ["*"], [], True),
    (None, ["?*"], [], False),
])
def test_name_matches(name, include, exclude, expected):
    assert _inventory.name_matches(name, include, exclude) is expected


def test_suffix_collisions_only_touch_colliding_names():
    assert _inventory.suffix_collisions(["a", "b", "a"], [1, 2, 3]) == ["a-1", "b", "a-3"]
    assert _inventory.suffix_collisions([], []) == []


def test_by_name_and_id():
    records = [dict(name="b", id="1"), dict(name="a", id="2"), dict(name="a", id="1")]
    assert [(r.get("name"), r["id"]) for r in _inventory.by_name_and_id(records)] == [("a", "1"), ("a", "2"), ("b", "1")]
    assert _inventory.by_name_and_id(None) == []


class Demo(_inventory.ClusterInventory):
    NAME = "demo"
    FILE_NAME = "demo"
    GROUP_PREFIX = "demo"

    def __init__(self, options):
        super().__init__()
        self.opts = options
        self.store = {}

    def get_option(self, option, hostvars=None):
        return self.opts.get(option)

    @property
    def _cache(self):
        return self.store


@pytest.mark.parametrize("name,expected", [
    ("demo.yml", True), ("demo.yaml", True), ("x.demo.yml", True), ("x.demo.yaml", True),
    ("xdemo.yml", False), ("demo.json", False), ("demo.yml.bak", False)])
def test_verify_file(tmp_path, name, expected):
    target = tmp_path / name
    target.write_text("plugin: demo\n")
    assert Demo({}).verify_file(str(target)) is expected


def test_cached_or_fetched():
    fetched = []

    def fetch():
        fetched.append(1)
        return dict(schema=_inventory.CACHE_SCHEMA, items=len(fetched))

    off = Demo(dict(cache=False))
    assert off.cached_or_fetched(True, "k", fetch) == dict(schema=1, items=1) and off.store == {}

    on = Demo(dict(cache=True))
    assert on.cached_or_fetched(True, "k", fetch)["items"] == 2 and on.store["k"]["items"] == 2
    assert on.cached_or_fetched(True, "k", fetch)["items"] == 2 and len(fetched) == 2
    # cache=False from the caller (refresh) reads the API and rewrites the cache
    assert on.cached_or_fetched(False, "k", fetch)["items"] == 3 and on.store["k"]["items"] == 3
    # data of another schema is never used
    on.store["k"] = dict(schema=0, items=99)
    assert on.cached_or_fetched(True, "k", fetch)["items"] == 4 and on.store["k"]["items"] == 4
