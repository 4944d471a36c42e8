# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes API emulator benchmark: many virtual clusters in one process, GET/LIST latency over keep-alive.

Run: PYTHONPATH=tests .venv/bin/python tests/bench/emulator_bench.py [--clusters 200] [--objects 100]
Prints resident memory and median/p95 request latency; asserts nothing about time.
"""

import argparse
import http.client
import json
import random
import ssl
import statistics
import tempfile
import threading
import time

from sim.kube.emulator import Emulator


def rss_mb():
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def objects_for(index, count):
    ns = "team-%d" % (index % 5)
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}]
    for i in range(count - 1):
        kind = i % 3
        name = "obj-%03d" % i
        meta = {"name": name, "namespace": ns, "labels": {"app": "app-%d" % (i % 7), "tier": "t%d" % (i % 3)}}
        if kind == 0:
            objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"key": "v" * 64}})
        elif kind == 1:
            objs.append({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
                         "data": {"token": "dG9rZW4="}})
        else:
            objs.append({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                         "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
    return ns, objs


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100.0 * (len(ordered) - 1))))]


def worker(emu, names, requests, out, seed):
    rnd = random.Random(seed)
    ctx = ssl.create_default_context()
    with tempfile.NamedTemporaryFile("w", suffix=".crt", delete=False) as handle:
        handle.write(emu.ca_pem or "")
    ctx.load_verify_locations(handle.name) if emu.ca_pem else None  # pylint: disable=expression-not-assigned
    conn = (http.client.HTTPSConnection(emu.host, emu.port, context=ctx) if emu.tls
            else http.client.HTTPConnection(emu.host, emu.port))
    headers = {"Authorization": "Bearer admin-token", "Accept": "application/json"}
    for n in range(requests):
        name = rnd.choice(names)
        ns = "team-%d" % (int(name.rsplit("-", 1)[1]) % 5)
        if n % 2 == 0:
            kind, path = "GET", "/clusters/%s/api/v1/namespaces/%s/configmaps/obj-%03d" % (name, ns, 3 * rnd.randrange(30))
        else:
            kind, path = "LIST", "/clusters/%s/api/v1/namespaces/%s/pods?labelSelector=app%%3Dapp-1" % (name, ns)
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        elapsed = (time.perf_counter() - start) * 1000.0
        if resp.status != 200:
            raise RuntimeError("%s %s -> %d %s" % (kind, path, resp.status, body[:200]))
        out.setdefault(kind, []).append(elapsed)
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--objects", type=int, default=100)
    parser.add_argument("--requests", type=int, default=2000, help="requests per client connection")
    parser.add_argument("--connections", type=int, default=1, help="parallel keep-alive connections")
    parser.add_argument("--plain-http", action="store_true", help="serve HTTP instead of HTTPS")
    args = parser.parse_args()

    base = rss_mb()
    emu = Emulator(tls=not args.plain_http).start()
    started = time.perf_counter()
    names = []
    total_objects = 0
    for i in range(args.clusters):
        cluster = emu.add_cluster("bench-%d" % i)
        objs = objects_for(i, args.objects)[1]
        cluster.seed(objs)
        names.append(cluster.name)
        total_objects += sum(len(v) for v in cluster.store.objects.values())
    build = time.perf_counter() - started
    loaded = rss_mb()

    results = [{} for _conn in range(args.connections)]
    threads = [threading.Thread(target=worker, args=(emu, names, args.requests, results[i], i))
               for i in range(args.connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    merged = {}
    for res in results:
        for kind, values in res.items():
            merged.setdefault(kind, []).extend(values)
    report = {"clusters": args.clusters, "objects_per_cluster_seeded": args.objects,
              "objects_stored_total": total_objects, "build_seconds": round(build, 2),
              "rss_mb_before": round(base, 1), "rss_mb_loaded": round(loaded, 1), "rss_mb_after": round(rss_mb(), 1),
              "tls": not args.plain_http, "connections": args.connections,
              "throughput_rps": round(sum(len(v) for v in merged.values()) / wall, 1)}
    for kind, values in sorted(merged.items()):
        report[kind] = {"n": len(values), "median_ms": round(statistics.median(values), 3),
                        "p95_ms": round(percentile(values, 95), 3), "max_ms": round(max(values), 3)}
    emu.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
