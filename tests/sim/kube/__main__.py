# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the emulator standalone: PYTHONPATH=tests python -m sim.kube --clusters a,b --kubeconfig out.yaml"""

import argparse
import json
import signal
import sys
import threading

from sim.kube.emulator import Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sim.kube", description=__doc__)
    parser.add_argument("--clusters", default="default", help="comma separated cluster names")
    parser.add_argument("--kubeconfig", help="write a kubeconfig (one context per cluster) here")
    parser.add_argument("--user", default="admin", help="identity the kubeconfig contexts use")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--version", default="v1.33.4", help="Kubernetes version the clusters report")
    args = parser.parse_args(argv)
    emu = Emulator(host=args.host, port=args.port).start()
    names = [n for n in args.clusters.split(",") if n]
    for name in names:
        emu.add_cluster(name, version=args.version)
    if args.kubeconfig:
        emu.write_kubeconfig(args.kubeconfig, user=args.user)
    print(json.dumps({"url": emu.url, "clusters": {n: emu.clusters[n].server_url for n in names},
                      "kubeconfig": args.kubeconfig}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
