# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Release hygiene: the changelog fragments lint clean, and `antsibull-changelog release` in a copy of the collection
writes a CHANGELOG.rst that lists every module and inventory plugin as new and every fragment's entries."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess

import yaml

from conftest import BIN, COLLECTIONS, ROOT

VERSION = "0.1.0"


def run(cmd, cwd, env):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, "%s\n%s\n%s" % (" ".join(cmd), proc.stdout, proc.stderr)
    return proc


def words(text):
    return " ".join(text.split())


def test_changelog_lints_and_releases(tmp_path):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_HOME=str(tmp_path / "home"),
               ANSIBLE_NOCOLOR="1")
    run([os.path.join(BIN, "antsibull-changelog"), "lint"], cwd=ROOT, env=env)

    # a copy of the collection where ansible-doc finds it (release lists new plugins with ansible-doc)
    copy = tmp_path / "ansible_collections" / "neocloud" / "support_access"
    copy.mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "galaxy.yml"), str(copy))
    for name in ("changelogs", "meta", "plugins"):
        shutil.copytree(os.path.join(ROOT, name), str(copy / name), ignore=shutil.ignore_patterns("__pycache__"))
    fragments = sorted(glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.yml")))
    assert fragments
    env["ANSIBLE_COLLECTIONS_PATH"] = "%s:%s" % (tmp_path, COLLECTIONS)
    run([os.path.join(BIN, "antsibull-changelog"), "release", "--version", VERSION, "--date", "2026-11-22"],
        cwd=str(copy), env=env)

    changelog = (copy / "CHANGELOG.rst").read_text(encoding="utf-8")
    assert "v%s" % VERSION in changelog
    flat = words(changelog.replace("\\-", "-"))
    modules = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
                     if not os.path.basename(p).startswith("_"))
    inventories = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "inventory", "*.py"))
                         if not os.path.basename(p).startswith("_"))
    assert modules and inventories
    new_modules = changelog.split("New Modules", 1)[1]
    for module in modules:
        assert "neocloud.support_access.%s - " % module in new_modules, module
    inventory_section = changelog.split("Inventory\n~~~~~~~~~", 1)[1]
    for plugin in inventories:
        assert "neocloud.support_access.%s - " % plugin in inventory_section, plugin
    with open(os.path.join(ROOT, "changelogs", "config.yaml"), encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    rendered = {name for name, _title in config["sections"]} | {config["prelude_section_name"]}
    entries = 0
    for fragment in fragments:
        with open(fragment, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for section, items in data.items():
            if section not in rendered:  # e.g. trivial: in changelog.yaml only
                continue
            for item in ([items] if isinstance(items, str) else items):
                entries += 1
                assert words(item) in flat, (os.path.basename(fragment), section, item[:80])
    assert entries >= len(fragments) - 1
    # the release consumed the fragments into changelog.yaml
    with open(str(copy / "changelogs" / "changelog.yaml"), encoding="utf-8") as handle:
        release = yaml.safe_load(handle)["releases"][VERSION]
    assert release["release_date"] == "2026-11-22"
    assert sorted(m["name"] for m in release["modules"]) == modules
    assert not glob.glob(str(copy / "changelogs" / "fragments" / "*.yml"))
