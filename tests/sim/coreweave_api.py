# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A simulator of the CoreWeave REST API: CKS clusters and Telemetry Relay (reference/coreweave.md).

Real HTTP/1.1 on 127.0.0.1 (no TLS). Every request needs ``Authorization: Bearer <token>`` with a known token
(401 otherwise). Each token carries roles: ``telemetryrelay.admin`` (Telemetry Relay Admin: reads and writes),
``telemetryrelay.reader`` (Telemetry Relay Reader: reads only, 403 on writes), ``cks.viewer`` (cluster reads).
While the organization is not enabled for Telemetry Relay self-service, writes answer 404 with reason
TELEMETRYRELAY_ORGANIZATION_NOT_FOUND. Credentials of endpoints are stored and never returned.

Endpoints::

    GET  /v1beta1/cks/clusters                 {"items": [...]}
    GET  /v1beta1/cks/clusters/{id}            {"cluster": {...}}
    GET  /v1beta1/telemetryrelay/streams       {"streams": [...]}      GET .../streams/{slug}    {"stream": {...}}
    GET  /v1beta1/telemetryrelay/endpoints     {"endpoints": [...]}    POST (create)             {"endpoint": {...}}
    GET|PATCH|DELETE .../endpoints/{slug}      PATCH carries the full spec and credentialAction
    GET  /v1beta1/telemetryrelay/pipelines     {"pipelines": [...]}    POST (create)             {"pipeline": {...}}
    GET|PATCH|DELETE .../pipelines/{slug}

Errors: {"code": "<grpc code name>", "message": "...", "reason": "..."}.

Python API::

    sim = CoreWeaveSim(fleet_dict_or_path).start()
    sim.url, sim.tokens, sim.env(token="admin")  # endpoint, [{token, name, roles}], COREWEAVE_* env vars
    sim.inject(r"/endpoints$", method="POST", status=429, count=1, retry_after=0, delay=None, drop=False)
    sim.request_log(), sim.writes(), sim.take_writes(), sim.clear_log(), sim.state, sim.credentials(slug), sim.stop()

Standalone: ``PYTHONPATH=tests python -m sim.coreweave_api --fleet FILE --port 0`` prints one JSON line
({"url", "tokens", "pid"}) and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ROLE_ADMIN = "telemetryrelay.admin"
ROLE_READER = "telemetryrelay.reader"
ROLE_CKS = "cks.viewer"
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$")
CREDENTIAL_ACTIONS = ("CREDENTIAL_ACTION_PRESERVE", "CREDENTIAL_ACTION_REPLACE", "CREDENTIAL_ACTION_CLEAR")
ORG_NOT_FOUND = "TELEMETRYRELAY_ORGANIZATION_NOT_FOUND"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ApiError(Exception):
    def __init__(self, status, code, message, reason=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason


def default_fleet():
    """Three CKS clusters (running, running, creating), the standard streams, Telemetry Relay enabled, no endpoints."""
    return {
        "organization": "cw-sim",
        "telemetry_relay_enabled": True,
        "tokens": [
            {"name": "admin", "token": "CW-SECRET-sim-admin-0001", "roles": [ROLE_ADMIN, ROLE_CKS]},
            {"name": "reader", "token": "CW-SECRET-sim-reader-0002", "roles": [ROLE_READER, ROLE_CKS]},
            {"name": "nobody", "token": "CW-SECRET-sim-nobody-0003", "roles": []},
        ],
        "clusters": [
            {"id": "3f5e0000-0000-4000-8000-000000000001", "name": "gpu-train", "zone": "US-EAST-04A",
             "status": "STATUS_RUNNING", "version": "v1.33"},
            {"id": "3f5e0000-0000-4000-8000-000000000002", "name": "gpu-infer", "zone": "US-WEST-01A",
             "status": "STATUS_RUNNING", "version": "v1.32"},
            {"id": "3f5e0000-0000-4000-8000-000000000003", "name": "staging", "zone": "US-EAST-04A",
             "status": "STATUS_CREATING", "version": "v1.33"},
        ],
        "streams": [
            {"slug": "audit-logs", "displayName": "Audit Logs", "kind": "STREAM_KIND_LOGS",
             "filter": {"include": ['{source=~"cks-audit|api-audit|console-audit|support-access"}']}},
            {"slug": "application-logs", "displayName": "Application Logs", "kind": "STREAM_KIND_LOGS",
             "filter": {"include": ['{source="pod"}']}},
            {"slug": "platform-logs", "displayName": "Platform Logs", "kind": "STREAM_KIND_LOGS",
             "filter": {"include": ['{source="control-plane"}']}},
        ],
        "endpoints": [],
        "pipelines": [],
    }


def load_fleet(source):
    """A fleet from a dict, a JSON file or a YAML file (None: the default fleet)."""
    if source is None:
        return default_fleet()
    if isinstance(source, dict):
        return copy.deepcopy(source)
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    if str(source).endswith((".yml", ".yaml")):
        import yaml  # pylint: disable=import-outside-toplevel
        return yaml.safe_load(text)
    return json.loads(text)


def _cluster_record(raw):
    cluster = dict(raw)
    cluster.setdefault("id", str(uuid.uuid4()))
    cluster.setdefault("zone", "US-EAST-04A")
    cluster.setdefault("status", "STATUS_RUNNING")
    cluster.setdefault("version", "v1.33")
    cluster.setdefault("vpcId", "vpc-%s" % cluster["id"][:8])
    cluster.setdefault("public", True)
    cluster.setdefault("apiServerEndpoint", "https://%s.k8s.%s.coreweave.com" % (cluster["id"][:8], cluster["zone"].lower()))
    cluster.setdefault("auditPolicy", "")
    cluster.setdefault("oidc", {})
    cluster.setdefault("authzWebhook", {})
    cluster.setdefault("authnWebhook", {})
    cluster.setdefault("createdAt", "2026-01-01T00:00:00Z")
    cluster.setdefault("updatedAt", cluster["createdAt"])
    return cluster


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CoreWeaveSim/1.0"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _serve(self):
        self.server.sim.handle(self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class CoreWeaveSim:
    """The simulator: state, HTTP server, fault injection and request log."""

    def __init__(self, fleet=None):
        fleet = load_fleet(fleet)
        self.lock = threading.RLock()
        self.tokens = fleet.get("tokens") or default_fleet()["tokens"]
        self.state = {
            "telemetry_relay_enabled": bool(fleet.get("telemetry_relay_enabled", True)),
            "clusters": dict((c["id"], c) for c in (_cluster_record(r) for r in fleet.get("clusters", []))),
            "streams": {},
            "endpoints": {},
            "pipelines": {},
            "credentials": {},
        }
        for raw in fleet.get("streams", []):
            self.state["streams"][raw["slug"]] = {
                "ref": {"slug": raw["slug"]},
                "spec": {"displayName": raw.get("displayName", raw["slug"]), "kind": raw.get("kind", "STREAM_KIND_LOGS"),
                         "filter": raw.get("filter") or {}}}
        for raw in fleet.get("endpoints", []):
            self._store_endpoint(raw["slug"], {"displayName": raw.get("displayName", raw["slug"]),
                                               "https": {"endpoint": raw["url"]}}, raw.get("basicAuth"))
        for raw in fleet.get("pipelines", []):
            self._store_pipeline(raw["slug"], {"source": {"slug": raw["source"]}, "destination": {"slug": raw["destination"]},
                                               "enabled": raw.get("enabled", True)})
        self._log = []
        self._faults = []
        self.httpd = None
        self.thread = None
        self.url = None

    # -------------------------------------------------------------------------------- lifecycle
    def start(self, port=0):
        """Serve on 127.0.0.1 (port 0: ephemeral) in a daemon thread. Returns self."""
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.sim = self
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="coreweave-sim", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        """Stop serving."""
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def token(self, name="admin"):
        """The token string of a named token."""
        return next(t["token"] for t in self.tokens if t["name"] == name)

    def env(self, token="admin"):
        """COREWEAVE_* environment variables pointing a client at this simulator."""
        return {"COREWEAVE_API_ENDPOINT": self.url, "COREWEAVE_API_TOKEN": self.token(token)}

    # -------------------------------------------------------------------------------- test API
    def request_log(self):
        """Every request: method, path, status, token (name), write, body."""
        with self.lock:
            return [dict(e) for e in self._log]

    def writes(self):
        """Logged requests that were POST/PUT/PATCH/DELETE (whatever their status)."""
        return [e for e in self.request_log() if e["write"]]

    def clear_log(self):
        with self.lock:
            self._log = []

    def take_writes(self):
        """The writes answered since the last take_writes() or clear_log(), taken out of the log with every other
        answered request (the log keeps those still being answered): for a process that follows the writes for hours."""
        with self.lock:
            answered = [e for e in self._log if e["status"] is not None]
            self._log = [e for e in self._log if e["status"] is None]
        return [dict(e) for e in answered if e["write"]]

    def inject(self, path_regex, method=None, status=None, count=1, retry_after=None, delay=None, drop=False):
        """Fault for the next count requests whose path matches (and method, if given).

        status: answer with this status (429 may carry retry_after seconds); delay: sleep before answering;
        drop: close the connection without an answer. Nothing changes in the state for a faulted request.
        """
        with self.lock:
            self._faults.append(dict(regex=re.compile(path_regex), method=method, status=status, count=count,
                                     retry_after=retry_after, delay=delay, drop=drop))

    def clear_faults(self):
        with self.lock:
            self._faults = []

    def credentials(self, slug):
        """The stored credentials of an endpoint ({username, password, updated_at}) or None."""
        with self.lock:
            found = self.state["credentials"].get(slug)
            return dict(found) if found else None

    # -------------------------------------------------------------------------------- HTTP
    def _take_fault(self, method, path):
        with self.lock:
            for fault in self._faults:
                if fault["count"] > 0 and fault["regex"].search(path) and fault["method"] in (None, method):
                    fault["count"] -= 1
                    return dict(fault)
        return None

    def handle(self, req):
        path, method = unquote(urlsplit(req.path).path), req.command
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        entry = {"method": method, "path": path, "status": None, "token": None, "write": method in WRITE_METHODS,
                 "body": None}
        with self.lock:
            self._log.append(entry)
        status, body, headers = 500, None, {}
        try:
            token = self._authenticate(req)
            entry["token"] = token["name"]
            fault = self._take_fault(method, path)
            if fault and fault["delay"]:
                time.sleep(fault["delay"])
            if fault and fault["drop"]:
                entry["status"] = "dropped"
                req.close_connection = True
                return
            if fault and fault["status"]:
                if fault["retry_after"] is not None:
                    headers["Retry-After"] = str(fault["retry_after"])
                raise ApiError(fault["status"], "resource_exhausted" if fault["status"] == 429 else "unavailable",
                               "injected fault %d" % fault["status"])
            data = None
            if raw:
                try:
                    data = json.loads(raw)
                except ValueError:
                    raise ApiError(400, "invalid_argument", "request body is not valid JSON")
                entry["body"] = data
            with self.lock:
                status, body = self._route(method, path, data, token)
        except ApiError as err:
            status = err.status
            body = {"code": err.code, "message": err.message}
            if err.reason:
                body["reason"] = err.reason
                body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": err.reason,
                                    "domain": "telemetryrelay.coreweave.com"}]
        entry["status"] = status
        payload = json.dumps(body).encode() if body is not None else b""
        req.send_response(status)
        req.send_header("Content-Type", "application/json")
        req.send_header("Content-Length", str(len(payload)))
        req.send_header("X-Request-Id", str(uuid.uuid4()))
        for key, value in headers.items():
            req.send_header(key, value)
        req.end_headers()
        req.wfile.write(payload)

    def _authenticate(self, req):
        auth = req.headers.get("Authorization") or ""
        match = re.match(r"^Bearer (\S+)$", auth)
        if not match:
            raise ApiError(401, "unauthenticated", "missing or malformed Authorization header")
        token = next((t for t in self.tokens if t["token"] == match.group(1)), None)
        if token is None:
            raise ApiError(401, "unauthenticated", "invalid API access token")
        return token

    # -------------------------------------------------------------------------------- routing
    def _route(self, method, path, data, token):
        seg = [s for s in path.split("/") if s]
        if seg[:3] == ["v1beta1", "cks", "clusters"]:
            if ROLE_CKS not in token["roles"]:
                raise ApiError(403, "permission_denied", "token %s may not read CKS clusters" % token["name"])
            if method != "GET":
                raise ApiError(405, "unimplemented", "%s is not simulated for CKS clusters" % method)
            if len(seg) == 3:
                items = sorted(self.state["clusters"].values(), key=lambda c: (c["name"], c["id"]))
                return 200, {"items": copy.deepcopy(items)}
            if len(seg) == 4:
                cluster = self.state["clusters"].get(seg[3])
                if cluster is None:
                    raise ApiError(404, "not_found", "cluster %s not found" % seg[3])
                return 200, {"cluster": copy.deepcopy(cluster)}
        if seg[:2] == ["v1beta1", "telemetryrelay"] and len(seg) in (3, 4):
            self._authorize_telemetry(method, token)
            kind = seg[2]
            slug = seg[3] if len(seg) == 4 else None
            if kind == "streams" and method == "GET":
                return self._get_or_list("streams", "stream", slug)
            if kind == "endpoints":
                return self._endpoints(method, slug, data)
            if kind == "pipelines":
                return self._pipelines(method, slug, data)
        raise ApiError(404, "not_found", "no route for %s %s" % (method, path))

    def _authorize_telemetry(self, method, token):
        roles = token["roles"]
        if method in WRITE_METHODS:
            if ROLE_ADMIN not in roles:
                raise ApiError(403, "permission_denied", "permission denied: %s on telemetryrelay requires the "
                               "Telemetry Relay Admin role" % method)
            if not self.state["telemetry_relay_enabled"]:
                raise ApiError(404, "not_found", "organization not found", ORG_NOT_FOUND)
        elif ROLE_ADMIN not in roles and ROLE_READER not in roles:
            raise ApiError(403, "permission_denied", "permission denied: reading telemetryrelay requires the "
                           "Telemetry Relay Reader role")

    def _get_or_list(self, table, single, slug):
        if slug is None:
            items = [self.state[table][k] for k in sorted(self.state[table])]
            return 200, {table: copy.deepcopy(items)}
        found = self.state[table].get(slug)
        if found is None:
            raise ApiError(404, "not_found", "%s %s not found" % (single, slug))
        return 200, {single: copy.deepcopy(found)}

    # -------------------------------------------------------------------------------- endpoints
    @staticmethod
    def _check_slug(data):
        slug = ((data or {}).get("ref") or {}).get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            raise ApiError(400, "invalid_argument", "ref.slug %r must be 3-32 characters, start with a letter or "
                           "digit and contain only letters, digits and hyphens" % (slug,))
        return slug

    @staticmethod
    def _check_endpoint_spec(spec):
        if not isinstance(spec, dict):
            raise ApiError(400, "invalid_argument", "spec is required")
        if not spec.get("displayName"):
            raise ApiError(400, "invalid_argument", "spec.displayName is required")
        https = spec.get("https")
        if not isinstance(https, dict):
            raise ApiError(400, "invalid_argument", "spec.https is required (self-service supports HTTPS endpoints only)")
        url = https.get("endpoint")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme != "https" or not parts.hostname:
            raise ApiError(400, "invalid_argument", "spec.https.endpoint %r is not a valid https:// URL" % (url,))
        tls = https.get("tls") or {}
        ca_data = tls.get("certificateAuthorityData")
        if ca_data is not None and not isinstance(ca_data, str):
            raise ApiError(400, "invalid_argument", "spec.https.tls.certificateAuthorityData must be a string")

    @staticmethod
    def _basic_auth(data):
        creds = (data or {}).get("https")
        if creds is None:
            return None
        basic = creds.get("basicAuth") if isinstance(creds, dict) else None
        if not isinstance(basic, dict) or not basic.get("username") or not basic.get("password"):
            raise ApiError(400, "invalid_argument", "https credentials need basicAuth.username and basicAuth.password")
        return basic

    def _store_endpoint(self, slug, spec, basic, existing=None):
        now = _now()
        endpoint = existing or {"ref": {"slug": slug}, "status": {"createdAt": now}}
        endpoint["spec"] = copy.deepcopy(spec)
        endpoint["status"].update(updatedAt=now, state="FORWARDING_ENDPOINT_STATE_CONNECTED", stateMessage="")
        if basic is not None:
            self.state["credentials"][slug] = {"username": basic["username"], "password": basic["password"], "updated_at": now}
        creds = self.state["credentials"].get(slug)
        endpoint["status"]["credentialsConfigured"] = creds is not None
        endpoint["status"]["credentialsUpdatedAt"] = creds["updated_at"] if creds else None
        self.state["endpoints"][slug] = endpoint
        return endpoint

    def _endpoints(self, method, slug, data):
        if method == "GET":
            return self._get_or_list("endpoints", "endpoint", slug)
        if slug is None and method == "POST":
            new_slug = self._check_slug(data)
            if new_slug in self.state["endpoints"]:
                raise ApiError(409, "already_exists", "endpoint %s already exists" % new_slug)
            self._check_endpoint_spec(data.get("spec"))
            basic = self._basic_auth(data)
            return 200, {"endpoint": copy.deepcopy(self._store_endpoint(new_slug, data["spec"], basic))}
        if slug is None:
            raise ApiError(405, "unimplemented", "%s not supported here" % method)
        existing = self.state["endpoints"].get(slug)
        if existing is None:
            raise ApiError(404, "not_found", "endpoint %s not found" % slug)
        if method == "PATCH":
            if ((data or {}).get("ref") or {}).get("slug") not in (None, slug):
                raise ApiError(400, "invalid_argument", "ref.slug does not match the path")
            self._check_endpoint_spec((data or {}).get("spec"))
            action = data.get("credentialAction")
            if action is not None and action not in CREDENTIAL_ACTIONS:
                raise ApiError(400, "invalid_argument", "unknown credentialAction %r" % action)
            basic = self._basic_auth(data)
            if basic is not None and action not in (None, "CREDENTIAL_ACTION_REPLACE"):
                raise ApiError(400, "invalid_argument", "credentials may only be sent with CREDENTIAL_ACTION_REPLACE")
            if action == "CREDENTIAL_ACTION_REPLACE" and basic is None:
                raise ApiError(400, "invalid_argument", "CREDENTIAL_ACTION_REPLACE needs credentials")
            if action == "CREDENTIAL_ACTION_CLEAR":
                self.state["credentials"].pop(slug, None)
            return 200, {"endpoint": copy.deepcopy(self._store_endpoint(slug, data["spec"], basic, existing))}
        if method == "DELETE":
            users = sorted(p["ref"]["slug"] for p in self.state["pipelines"].values()
                           if p["spec"]["destination"]["slug"] == slug)
            if users:
                raise ApiError(400, "failed_precondition", "endpoint %s is the destination of pipelines: %s" % (
                    slug, ", ".join(users)))
            self.state["endpoints"].pop(slug)
            self.state["credentials"].pop(slug, None)
            return 200, {}
        raise ApiError(405, "unimplemented", "%s not supported here" % method)

    # -------------------------------------------------------------------------------- pipelines
    def _check_pipeline_spec(self, spec):
        if not isinstance(spec, dict):
            raise ApiError(400, "invalid_argument", "spec is required")
        source = (spec.get("source") or {}).get("slug")
        destination = (spec.get("destination") or {}).get("slug")
        if source not in self.state["streams"]:
            raise ApiError(400, "invalid_argument", "spec.source.slug %r is not a known telemetry stream" % (source,))
        if destination not in self.state["endpoints"]:
            raise ApiError(400, "invalid_argument", "spec.destination.slug %r is not a known forwarding endpoint" % (
                destination,))
        if "enabled" in spec and not isinstance(spec["enabled"], bool):
            raise ApiError(400, "invalid_argument", "spec.enabled must be a boolean")

    def _store_pipeline(self, slug, spec, existing=None):
        now = _now()
        pipeline = existing or {"ref": {"slug": slug}, "status": {"createdAt": now}}
        pipeline["spec"] = {"source": {"slug": spec["source"]["slug"]}, "destination": {"slug": spec["destination"]["slug"]},
                            "enabled": bool(spec.get("enabled", False))}
        pipeline["status"].update(updatedAt=now, stateMessage="",
                                  state="FORWARDING_PIPELINE_STATE_%s" % ("RUNNING" if pipeline["spec"]["enabled"] else "DISABLED"))
        self.state["pipelines"][slug] = pipeline
        return pipeline

    def _pipelines(self, method, slug, data):
        if method == "GET":
            return self._get_or_list("pipelines", "pipeline", slug)
        if slug is None and method == "POST":
            new_slug = self._check_slug(data)
            if new_slug in self.state["pipelines"]:
                raise ApiError(409, "already_exists", "pipeline %s already exists" % new_slug)
            self._check_pipeline_spec(data.get("spec"))
            return 200, {"pipeline": copy.deepcopy(self._store_pipeline(new_slug, data["spec"]))}
        if slug is None:
            raise ApiError(405, "unimplemented", "%s not supported here" % method)
        existing = self.state["pipelines"].get(slug)
        if existing is None:
            raise ApiError(404, "not_found", "pipeline %s not found" % slug)
        if method == "PATCH":
            self._check_pipeline_spec((data or {}).get("spec"))
            return 200, {"pipeline": copy.deepcopy(self._store_pipeline(slug, data["spec"], existing))}
        if method == "DELETE":
            self.state["pipelines"].pop(slug)
            return 200, {}
        raise ApiError(405, "unimplemented", "%s not supported here" % method)


def main(argv=None):
    parser = argparse.ArgumentParser(description="CoreWeave API simulator (CKS clusters, Telemetry Relay)")
    parser.add_argument("--fleet", help="fleet JSON/YAML file (default: the built-in fleet)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: ephemeral, reported on stdout)")
    args = parser.parse_args(argv)
    sim = CoreWeaveSim(args.fleet)
    sim.start(args.port)
    print(json.dumps({"url": sim.url, "tokens": sim.tokens, "pid": os.getpid()}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
