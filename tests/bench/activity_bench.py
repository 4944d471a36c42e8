# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_activity parser benchmark: a generated audit log (1 GiB by default) read by _activity.analyze().

Run: PYTHONPATH=tests:.cache/collections .venv/bin/python tests/bench/activity_bench.py [--size-mb 1024] [--gzip]
Generates the logs in a temporary directory (deleted afterwards), prints generation time, parser throughput
(lines/s, MB/s) and peak memory (maxrss of this process and tracemalloc's peak over the parse). Asserts nothing about
time; it only checks that the planted findings came out.
"""

import argparse
import json
import resource
import shutil
import tempfile
import time
import tracemalloc

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity
from sim import activity_logs


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1024.0)
    parser.add_argument("--gzip", action="store_true", help="gzip the audit log (slower to generate and read)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also measure Python allocations with tracemalloc (slows the parse down)")
    parser.add_argument("--dir", help="where to put the temporary directory (default: the system temp dir)")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="activity-bench-", dir=args.dir)
    try:
        started = time.perf_counter()
        manifest = activity_logs.generate(workdir, size_bytes=int(args.size_mb * 1024 * 1024), compress=args.gzip)
        generated = time.perf_counter() - started
        on_disk = manifest["bytes"]
        print("generated %.1f MB on disk (%s) in %.1f s" % (on_disk / 1e6, "gzip" if args.gzip else "plain", generated))
        rss_before = maxrss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = _activity.analyze([workdir], **manifest["options"])
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        traced_peak = tracemalloc.get_traced_memory()[1] / 1e6 if args.tracemalloc else None
        if args.tracemalloc:
            tracemalloc.stop()
        summary = result["summary"]
        got = sorted([f["code"], f["user"], f["count"]] for f in result["findings"])
        read_bytes = sum(f["bytes"] for f in result["files"])
        uncompressed = manifest["uncompressed_bytes"]
        print(json.dumps({
            "lines": summary["lines"],
            "parsed": summary["parsed"],
            "skipped": summary["skipped"],
            "support_actions": summary["support_actions"],
            "findings": summary["findings"],
            "seconds": round(elapsed, 2),
            "cpu_seconds": round(cpu, 2),
            "lines_per_cpu_second": int(summary["lines"] / cpu) if cpu else None,
            "lines_per_second": int(summary["lines"] / elapsed),
            "mb_per_second_on_disk": round(read_bytes / 1e6 / elapsed, 1),
            "mb_per_second_uncompressed": round(uncompressed / 1e6 / elapsed, 1),
            "maxrss_mb_before_parse": round(rss_before, 1),
            "maxrss_mb_after_parse": round(maxrss_mb(), 1),
            "tracemalloc_peak_mb": round(traced_peak, 1) if traced_peak is not None else None,
            "planted_findings_found": got == manifest["expected_findings"],
        }, indent=2))
        if got != manifest["expected_findings"]:
            raise SystemExit("planted findings differ: %s != %s" % (got, manifest["expected_findings"]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
