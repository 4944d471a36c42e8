"""The collection's metadata agrees with its contents."""

import os

import yaml

from conftest import ROOT


def _load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return yaml.safe_load(f)


def _modules():
    folder = os.path.join(ROOT, "plugins", "modules")
    return sorted(n[:-3] for n in os.listdir(folder) if n.endswith(".py") and not n.startswith("_"))


def test_galaxy_identity_and_dependency():
    galaxy = _load("galaxy.yml")
    assert (galaxy["namespace"], galaxy["name"]) == ("neocloud", "support_access")
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert galaxy["dependencies"] == {"kubernetes.core": ">=6.0.0"}
    for ignored in (".venv", ".cache", "dist", "reports"):
        assert ignored in galaxy["build_ignore"]


def test_every_module_is_in_the_all_action_group_and_exactly_one_other():
    groups = _load("meta/runtime.yml").get("action_groups", {})
    modules = _modules()
    assert modules, "the collection has no modules"
    assert sorted(groups.get("all", [])) == modules
    for module in modules:
        owners = [name for name, members in groups.items() if name != "all" and module in members]
        assert len(owners) == 1, "%s belongs to %s" % (module, owners)


def test_action_groups_name_only_existing_modules():
    groups = _load("meta/runtime.yml").get("action_groups", {})
    modules = set(_modules())
    for name, members in groups.items():
        missing = [m for m in members if isinstance(m, str) and m not in modules]
        assert not missing, "action group %s names missing modules %s" % (name, missing)


def test_action_groups_list_each_module_once():
    groups = _load("meta/runtime.yml").get("action_groups", {})
    for name, members in groups.items():
        assert len(members) == len(set(members)), "action group %s lists a module twice" % name
