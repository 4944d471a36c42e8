"""`make build` output installs into an empty collections path, its module docs render there, and its playbooks run
from there by their fully qualified names."""

import json
import os
import subprocess
import tarfile

import yaml

from conftest import BIN, COLLECTIONS, ROOT
from sim.fleet import build_fleet


def build_and_install(tmp_path):
    """Build the tarball as `make build` does and install it into an empty collections path; returns both."""
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        version = yaml.safe_load(f)["version"]
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    dist = tmp_path / "dist"
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist)],
                   cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    tarball = dist / ("neocloud-support_access-%s.tar.gz" % version)
    target = tmp_path / "collections"
    # Only the empty target may count as installed: with the project's collections path in the environment (as
    # under `make`), ansible-galaxy would find the checkout there and skip the install.
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(target),
                    str(tarball)], env=dict(env, ANSIBLE_COLLECTIONS_PATH=str(target)), check=True, capture_output=True,
                   text=True)
    return tarball, target


def test_installed_tarball_runs_the_audit_playbook_by_fqcn(ansible_playbook, kube_emulator, tmp_path):
    _tarball, target = build_and_install(tmp_path)
    # kubernetes.core on a path of its own, so that neocloud.support_access can only come from the fresh install
    deps = tmp_path / "deps" / "ansible_collections"
    deps.mkdir(parents=True)
    os.symlink(os.path.join(COLLECTIONS, "ansible_collections", "kubernetes"), str(deps / "kubernetes"))
    fleet = build_fleet(1, seed_mix=["engaged"], emulator=kube_emulator, workdir=str(tmp_path / "fleet"))
    try:
        env = dict(fleet.env(), ANSIBLE_COLLECTIONS_PATH="%s:%s" % (target, deps.parent))
        res = ansible_playbook("neocloud.support_access.audit", inventory=fleet.inventory, env=env,
                               extra_vars={"support_access_report_dir": str(tmp_path / "reports")})
        assert res.rc == 0, res.stdout + res.stderr
        assert fleet.crusoe_writes() == [] and fleet.kube_writes() == {}
    finally:
        fleet.stop()
    with open(str(tmp_path / "reports" / "latest-audit.json"), encoding="utf-8") as handle:
        clusters = json.load(handle)["clusters"]
    assert [(c["cluster"], c["verdict"]) for c in clusters] == [(fleet.names[0], "compliant")]
    audit = [e for e in res.events if e["action"] == "neocloud.support_access.support_cluster_info"]
    assert audit and audit[0]["status"] == "ok"
    # and nothing of it came from the checkout
    out = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "list", "neocloud.support_access", "--format", "json"],
                         env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH="%s:%s" % (target, deps.parent),
                                  ANSIBLE_HOME=str(tmp_path / "home")),
                         check=True, capture_output=True, text=True).stdout
    assert list(json.loads(out)) == [str(target / "ansible_collections")]


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
    for unwanted in (".venv", ".cache", "dist", "reports", "sandbox", "tools", ".ci", "tests/output"):
        assert not any(n == unwanted or n.startswith(unwanted + "/") for n in names), unwanted

    target = tmp_path / "collections"
    # Only the empty target may count as installed: with the project's collections path in the environment (as
    # under `make`), ansible-galaxy would find the checkout there and skip the install.
    subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(target),
                    str(tarball)], env=dict(env, ANSIBLE_COLLECTIONS_PATH=str(target)), check=True, capture_output=True,
                   text=True)
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
