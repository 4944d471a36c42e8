"""`make build` output installs into an empty collections path and its module docs render there."""

import json
import os
import subprocess
import tarfile

import yaml

from conftest import BIN, COLLECTIONS, ROOT


def test_built_tarball_installs_and_docs_render(tmp_path):
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        version = yaml.safe_load(f)["version"]
    dist = tmp_path / "dist"
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist)],
                   cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    tarball = dist / ("neocloud-support_access-%s.tar.gz" % version)
    assert tarball.exists()
    with tarfile.open(tarball) as tf:
        names = tf.getnames()
    assert "MANIFEST.json" in names and "galaxy.yml" not in names
    for unwanted in (".venv", ".cache", "dist", "reports", "tools", ".ci", "tests/output"):
        assert not any(n == unwanted or n.startswith(unwanted + "/") for n in names), unwanted

    target = tmp_path / "collections"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(target),
                    str(tarball)], env=env, check=True, capture_output=True, text=True)
    installed = target / "ansible_collections" / "neocloud" / "support_access"
    assert (installed / "MANIFEST.json").exists()

    modules = sorted(n[:-3] for n in os.listdir(installed / "plugins" / "modules") if n.endswith(".py"))
    assert modules, "the built collection has no modules"
    # kubernetes.core comes from the project's collections path; ours only from the fresh install.
    doc_env = dict(env, ANSIBLE_COLLECTIONS_PATH="%s:%s" % (target, COLLECTIONS))
    out = subprocess.run([os.path.join(BIN, "ansible-doc"), "--json", "-t", "module"]
                         + ["neocloud.support_access.%s" % m for m in modules],
                         env=doc_env, check=True, capture_output=True, text=True).stdout
    docs = json.loads(out)
    for module in modules:
        doc = docs["neocloud.support_access.%s" % module]["doc"]
        assert doc["short_description"], module
        assert doc["collection"] == "neocloud.support_access"
        assert str(installed) in doc["filename"], doc["filename"]
