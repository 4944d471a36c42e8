# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Helm chart repository on 127.0.0.1 serving the crusoe-support-roles chart, shaped like Crusoe's.

Crusoe publishes the chart at https://crusoecloud.github.io/crusoe-support-roles-helm-charts/charts; this server
answers the same path shape at http://127.0.0.1:<port>/charts:

    GET /charts/index.yaml                         the repository index (helm repo add / update / search / install --repo)
    GET /charts/crusoe-support-roles-<v>.tgz       the packaged chart (helm pull / install)

    repo = ChartRepo(); repo.start()       # or: with ChartRepo() as repo: ...
    repo.url        -> "http://127.0.0.1:PORT/charts"
    repo.versions   -> ["0.1.1", "0.2.0"]
    repo.request_log() -> [{"method", "path", "status", "user_agent"}], repo.clear_log()
    repo.set_fault(status=503, count=None) / repo.clear_fault()   answer every (or the next `count`) request with `status`
    repo.stop()

Without charts_dir the charts come from sim.charts (versions 0.1.1 and 0.2.0); with charts_dir every *.tgz in that
directory is served and indexed. Standalone: ``PYTHONPATH=tests python -m sim.chartrepo --port 0`` prints one JSON
line ({"url", "versions", "pid"}) and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import signal
import sys
import threading

from sim import charts


def _version_key(version):
    core = str(version).split("-", 1)[0].split("+", 1)[0]
    return tuple(int(p) if p.isdigit() else 0 for p in core.split("."))


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "chartrepo-sim"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the repository keeps its own request log."""

    def _answer(self, head):
        repo = self.server.repo
        path = self.path.split("?", 1)[0]
        status, body, ctype = repo.respond(path)
        repo.record(self.command, self.path, status, self.headers.get("User-Agent", ""))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def do_GET(self):  # pylint: disable=invalid-name
        self._answer(head=False)

    def do_HEAD(self):  # pylint: disable=invalid-name
        self._answer(head=True)


class ChartRepo:
    """A Helm chart repository serving crusoe-support-roles over HTTP on 127.0.0.1 (ephemeral port by default)."""

    PREFIX = "/charts"

    def __init__(self, charts_dir=None, host="127.0.0.1", port=0):
        self._charts_dir = charts_dir
        self._host = host
        self._port = port
        self._server = None
        self._thread = None
        self._lock = threading.Lock()
        self._log = []
        self._fault = None
        self._packages = self._load()  # {filename: (metadata, bytes, created)}
        self._index = b""

    def _load(self):
        packages = {}
        if self._charts_dir is None:
            for version in charts.VERSIONS:
                data = charts.package_chart(version)
                packages[charts.package_filename(version)] = (charts.chart_metadata(version), data,
                                                              charts.CREATED[version])
            return packages
        for name in sorted(os.listdir(self._charts_dir)):
            if not name.endswith(".tgz"):
                continue
            with open(os.path.join(self._charts_dir, name), "rb") as handle:
                data = handle.read()
            metadata = charts.read_package_metadata(data)
            created = charts.CREATED.get(str(metadata.get("version")), "2026-04-16T09:00:00Z")
            packages["%s-%s.tgz" % (metadata["name"], metadata["version"])] = (metadata, data, created)
        return packages

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def start(self):
        if self._server is not None:
            return self
        self._server = http.server.ThreadingHTTPServer((self._host, self._port), _Handler)
        self._server.daemon_threads = True
        self._server.repo = self
        self._index = charts.index_yaml(list(self._packages.values()), self.url).encode("utf-8")
        self._thread = threading.Thread(target=self._server.serve_forever, name="chartrepo", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- facts ----------------------------------------------------------------------------------------------------
    @property
    def port(self):
        if self._server is None:
            raise RuntimeError("the chart repository is not started")
        return self._server.server_address[1]

    @property
    def url(self):
        return "http://%s:%d%s" % (self._host, self.port, self.PREFIX)

    @property
    def versions(self):
        return sorted((str(m["version"]) for m, _d, _c in self._packages.values()), key=_version_key)

    def package(self, version):
        """The bytes of the served archive of one version."""
        return self._packages["%s-%s.tgz" % (charts.CHART_NAME, version)][1]

    def index(self):
        return self._index.decode("utf-8")

    # -- log and faults -------------------------------------------------------------------------------------------
    def request_log(self):
        with self._lock:
            return [dict(e) for e in self._log]

    def clear_log(self):
        with self._lock:
            self._log.clear()

    def record(self, method, path, status, user_agent):
        with self._lock:
            self._log.append({"method": method, "path": path, "status": status, "user_agent": user_agent})

    def set_fault(self, status=503, count=None):
        """Answer requests with `status` (all of them, or the next `count`) until clear_fault()."""
        with self._lock:
            self._fault = {"status": int(status), "count": count}

    def clear_fault(self):
        with self._lock:
            self._fault = None

    def _take_fault(self):
        with self._lock:
            if not self._fault:
                return None
            status = self._fault["status"]
            if self._fault["count"] is not None:
                self._fault["count"] -= 1
                if self._fault["count"] <= 0:
                    self._fault = None
            return status

    # -- serving --------------------------------------------------------------------------------------------------
    def respond(self, path):
        """(status, body, content type) for a request path."""
        fault = self._take_fault()
        if fault is not None:
            return fault, (json.dumps({"error": "simulated fault", "status": fault}) + "\n").encode(), "application/json"
        if path in (self.PREFIX + "/index.yaml", self.PREFIX + "/index.yml"):
            return 200, self._index, "application/x-yaml"
        if path.startswith(self.PREFIX + "/"):
            name = path[len(self.PREFIX) + 1:]
            if name in self._packages:
                return 200, self._packages[name][1], "application/gzip"
        return 404, b"404 page not found\n", "text/plain; charset=utf-8"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sim.chartrepo", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--charts-dir", default=None, help="serve the *.tgz files of this directory instead")
    args = parser.parse_args(argv)
    repo = ChartRepo(charts_dir=args.charts_dir, host=args.host, port=args.port).start()
    stop = threading.Event()

    def _stop(_signum, _frame):
        stop.set()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    sys.stdout.write(json.dumps({"url": repo.url, "versions": repo.versions, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    stop.wait()
    repo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
