# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strict simulator of the Crusoe Cloud REST API (the parts support-access work needs).

Real HTTP/1.1 on 127.0.0.1; every request's HMAC signature and timestamp are verified exactly as
reference/crusoe-api.md describes, or its service-account access token (``Authorization: Bearer <token>``).
Endpoints: projects, CMK clusters (filters, next_token paging), support settings GET/PATCH, VPC networks and subnets,
VPC firewall rules CRUD with asynchronous operations, and the OAuth2 token endpoint of service accounts
(``POST /oauth2/token``, client-credentials grant, RFC 6749), which is served over https only: a second listener
speaks TLS with the certificate of sim.tls, whose CA is ``sim.ca_file`` (SSL_CERT_FILE for the clients).

Python API::

    sim = CrusoeSim(fleet_dict_or_path, operation_polls=2, page_size=2, token_lifetime=3600).start()
    sim.url, sim.keys, sim.env()          # endpoint, [{access_key_id, secret_key}], CRUSOE_* env vars
    sim.token_url, sim.service_accounts, sim.ca_file, sim.service_account_env()   # the same for service accounts
    sim.token_requests(), sim.issued_tokens(), sim.expire_tokens()
    sim.inject(r"/support/settings$", method="PATCH", status=503, count=1, retry_after=None, delay=None,
               drop=False, fail_operation=None)
    sim.request_log(), sim.writes(), sim.take_writes(), sim.clear_log(), sim.state, sim.stop()

Standalone: ``PYTHONPATH=tests python -m sim.crusoe_api --fleet FILE --port 0`` prints one JSON line
({"url", "keys", "token_url", "service_accounts", "ca_file", "pid"}) and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import hashlib
import hmac
import ipaddress
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote_plus, unquote, unquote_plus, urlsplit

from sim import tls

API_PREFIX = "/v1"
MAX_SKEW = datetime.timedelta(minutes=5)
ROLE_ENUM = {"readonly": "SUPPORT_ACCESS_ROLE_READONLY", "operator": "SUPPORT_ACCESS_ROLE_OPERATOR"}
FIREWALL_MUTABLE = ("name", "protocols", "sources", "destinations", "source_ports", "destination_ports")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
TOKEN_PATH = "/oauth2/token"
TOKEN_LIFETIME = 3600
# RFC 6750 b64token: never holds the ':' of the HMAC scheme's "Bearer 1.0:<key id>:<signature>".
BEARER_TOKEN = re.compile(r"^Bearer ([A-Za-z0-9._~+/-]+=*)$")
FORM = "application/x-www-form-urlencoded"


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _iso(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_query(query):
    """Go url.ParseQuery + Values.Encode, independent of the collection's implementation."""
    if not query:
        return ""
    if ";" in query:
        raise ValueError("invalid semicolon separator in query")
    values = {}
    for part in query.split("&"):
        if part:
            key, dummy, value = part.partition("=")
            values.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return "&".join("%s=%s" % (quote_plus(k, safe=""), quote_plus(v, safe="")) for k in sorted(values) for v in values[k])


def expected_signature(secret, path, query, method, timestamp):
    key = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    message = "%s\n%s\n%s\n%s\n" % (path, canonical_query(query), method, timestamp)
    return base64.urlsafe_b64encode(hmac.new(key, message.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def new_secret():
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class ApiError(Exception):
    """An error answer: {code, message, reason, error_id} from the API, {error, error_description} (RFC 6749 5.2)
    from the token endpoint, with extra response headers (WWW-Authenticate, Allow)."""

    def __init__(self, status, code, message, reason=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason or code
        self.headers = headers or {}


def default_fleet():
    """A small fleet: two projects, clusters (one name duplicated), support settings, CMK firewall rules."""
    ml, research = "ab4a6b00-aa5f-408e-a9fb-ac6de5eb45ab", "0d1e2f30-1111-4222-8333-444455556666"
    now = _now()
    return {
        "organization_id": "9f000000-0000-4000-8000-000000000000",
        "keys": [{"access_key_id": "SIMKEY0000000001", "secret_key": "c2ltdWxhdG9yLXNlY3JldC1rZXktZm9yLXRlc3RzLTAwMQ"}],
        "service_accounts": [{"client_id": "sim-sa-0000000001", "client_secret": "sim-sa-secret-6a1f0c2e9b7d4-do-not-print"}],
        "projects": [{"id": ml, "name": "ml"}, {"id": research, "name": "research"}],
        "vpc_networks": [
            {"id": "7a000000-0000-4000-8000-000000000001", "name": "ml-vpc", "project_id": ml, "cidr": "172.27.0.0/16"},
            {"id": "7a000000-0000-4000-8000-000000000002", "name": "ml-vpc-2", "project_id": ml, "cidr": "172.28.0.0/16"},
            {"id": "7a000000-0000-4000-8000-000000000003", "name": "research-vpc", "project_id": research,
             "cidr": "172.29.0.0/16"},
        ],
        "subnets": [
            {"id": "5b000000-0000-4000-8000-000000000001", "name": "ml-a", "project_id": ml, "location": "us-east1-a",
             "vpc_network_id": "7a000000-0000-4000-8000-000000000001", "cidr": "172.27.0.0/20"},
            {"id": "5b000000-0000-4000-8000-000000000002", "name": "ml-b", "project_id": ml, "location": "us-southcentral1-a",
             "vpc_network_id": "7a000000-0000-4000-8000-000000000002", "cidr": "172.28.0.0/20"},
            {"id": "5b000000-0000-4000-8000-000000000003", "name": "research-a", "project_id": research,
             "location": "us-east1-a", "vpc_network_id": "7a000000-0000-4000-8000-000000000003", "cidr": "172.29.0.0/20"},
        ],
        "clusters": [
            {"id": "cd5b0b6e-0000-4000-8000-000000000001", "name": "training-prod", "project_id": ml,
             "location": "us-east1-a", "subnet_id": "5b000000-0000-4000-8000-000000000001", "state": "STATE_RUNNING",
             "version": "1.33.4-cmk.1",
             "support": {"access_enabled": False, "enabled_roles": [], "active_requests": []}},
            {"id": "cd5b0b6e-0000-4000-8000-000000000002", "name": "inference", "project_id": ml,
             "location": "us-southcentral1-a", "subnet_id": "5b000000-0000-4000-8000-000000000002",
             "state": "STATE_RUNNING", "version": "1.33.4-cmk.1",
             "support": {"access_enabled": True, "enabled_roles": ["SUPPORT_ACCESS_ROLE_READONLY"], "active_requests": [
                 {"access_role": "SUPPORT_ACCESS_ROLE_READONLY", "requestor_id": "00ab12cd5d7",
                  "requestor_team": "cmk-support", "support_reason": "Investigating node not ready", "ticket_ref": "ZD#1001",
                  "requested_at": _iso(now - datetime.timedelta(hours=1)),
                  "expires_at": _iso(now + datetime.timedelta(hours=3)),
                  "cert_issued_at": _iso(now - datetime.timedelta(hours=1)),
                  "cert_expires_at": _iso(now + datetime.timedelta(hours=3)), "cert_serial": "1a2b",
                  "cert_fingerprint": "SHA256:abc"},
                 {"access_role": "SUPPORT_ACCESS_ROLE_OPERATOR", "requestor_id": "00ef34ab9c1",
                  "requestor_team": "cmk-support", "support_reason": "Earlier session", "ticket_ref": "ZD#0999",
                  "requested_at": _iso(now - datetime.timedelta(hours=30)),
                  "expires_at": _iso(now - datetime.timedelta(hours=26))},
             ]}},
            {"id": "cd5b0b6e-0000-4000-8000-000000000003", "name": "dup", "project_id": research, "location": "us-east1-a",
             "subnet_id": "5b000000-0000-4000-8000-000000000003", "state": "STATE_RUNNING", "version": "1.32.1-cmk.3",
             "support": {"access_enabled": False, "enabled_roles": []}},
            {"id": "cd5b0b6e-0000-4000-8000-000000000004", "name": "dup", "project_id": research, "location": "us-east1-a",
             "subnet_id": "5b000000-0000-4000-8000-000000000003", "state": "STATE_PROVISIONING", "version": "1.32.1-cmk.3",
             "support": {"access_enabled": False, "enabled_roles": []}},
        ],
        "firewall_rules": [
            {"id": "f1000000-0000-4000-8000-000000000001", "name": "cmk-cp-api-access-cp-cd5b0b6e", "project_id": ml,
             "vpc_network_id": "7a000000-0000-4000-8000-000000000001", "action": "allow", "direction": "ingress",
             "protocols": ["tcp"], "sources": [{"cidr": "203.0.113.0/24"}, {"cidr": "198.51.100.7/32"}],
             "destinations": [{"cidr": "172.27.0.0/20"}], "source_ports": [], "destination_ports": ["443"]},
            {"id": "f1000000-0000-4000-8000-000000000002", "name": "cmk-cp-api-access-cp-9e8d7c6b", "project_id": ml,
             "vpc_network_id": "7a000000-0000-4000-8000-000000000002", "action": "allow", "direction": "ingress",
             "protocols": ["tcp"], "sources": [{"cidr": "0.0.0.0/0"}], "destinations": [{"cidr": "172.28.0.0/20"}],
             "source_ports": [], "destination_ports": ["443"]},
            {"id": "f1000000-0000-4000-8000-000000000003", "name": "cmk-cp-api-access-cp-aaaa0003", "project_id": research,
             "vpc_network_id": "7a000000-0000-4000-8000-000000000003", "action": "allow", "direction": "ingress",
             "protocols": ["tcp"], "sources": [{"cidr": "10.0.0.0/8"}], "destinations": [{"cidr": "172.29.0.0/20"}],
             "source_ports": [], "destination_ports": ["443"]},
            {"id": "f1000000-0000-4000-8000-000000000004", "name": "cmk-cp-api-access-cp-bbbb0004", "project_id": research,
             "vpc_network_id": "7a000000-0000-4000-8000-000000000003", "action": "allow", "direction": "ingress",
             "protocols": ["tcp"], "sources": [{"cidr": "10.0.0.0/8"}], "destinations": [{"cidr": "172.29.0.0/20"}],
             "source_ports": [], "destination_ports": ["443"]},
        ],
    }


_RELATIVE = re.compile(r"^(?:now)?([+-]\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def resolve_time(value, now=None):
    """'+3h', '-26h', 'now-30m' -> RFC3339 relative to now (so fleet files never age); anything else unchanged."""
    match = _RELATIVE.match(str(value)) if isinstance(value, str) else None
    if not match:
        return value
    delta = datetime.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return _iso((now or _now()) + delta)


def load_fleet(source):
    """A fleet from a dict, a JSON file or a YAML file."""
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that refuses the certificate or drops the connection is routine; anything else is printed.
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CrusoeSim/1.0"

    def setup(self):
        if hasattr(self.request, "do_handshake"):
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _serve(self):
        self.server.sim.handle(self)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class CrusoeSim:
    """The simulator: state, HTTP server, fault injection and request log."""

    def __init__(self, fleet=None, operation_polls=2, page_size=2, max_skew=MAX_SKEW, token_lifetime=TOKEN_LIFETIME):
        fleet = load_fleet(fleet)
        self.lock = threading.RLock()
        self.operation_polls = operation_polls
        self.page_size = page_size
        self.max_skew = max_skew
        self.token_lifetime = token_lifetime
        self.keys = fleet.get("keys") or [{"access_key_id": "SIMKEY%010d" % 1, "secret_key": new_secret()}]
        # OAuth2 clients: {client_id, client_secret, grant_types (default [client_credentials])}
        self.service_accounts = (fleet.get("service_accounts")
                                 or [{"client_id": "sim-sa-%010d" % 1, "client_secret": new_secret()}])
        self._tokens = {}  # access token -> {client_id, expires_at (time.monotonic)}; never part of state
        self.state = {
            "organization_id": fleet.get("organization_id", str(uuid.uuid4())),
            "projects": {p["id"]: dict(p, organization_id=fleet.get("organization_id")) for p in fleet.get("projects", [])},
            "vpc_networks": {n["id"]: dict(n) for n in fleet.get("vpc_networks", [])},
            "subnets": {s["id"]: dict(s) for s in fleet.get("subnets", [])},
            "clusters": {},
            "support": {},
            "firewall_rules": {r["id"]: self._fill_rule(r) for r in fleet.get("firewall_rules", [])},
            "operations": {},
        }
        for cluster in fleet.get("clusters", []):
            cluster = dict(cluster)
            support = cluster.pop("support", None) or {}
            cluster.setdefault("state", "STATE_RUNNING")
            cluster.setdefault("created_at", "2026-01-01T00:00:00Z")
            cluster.setdefault("updated_at", cluster["created_at"])
            cluster.setdefault("dns_name", "%s.cmk.example.crusoe.ai" % cluster["id"][:8])
            cluster.setdefault("node_pools", [])
            cluster.setdefault("add_ons", [])
            self.state["clusters"][cluster["id"]] = cluster
            self.state["support"][cluster["id"]] = {
                "access_enabled": bool(support.get("access_enabled")),
                "enabled_roles": [ROLE_ENUM.get(r.lower(), r) for r in support.get("enabled_roles", [])],
                "active_requests": [dict((k, resolve_time(v) if k.endswith("_at") else v) for k, v in r.items())
                                    for r in support.get("active_requests", [])],
            }
        self._log = []
        self._faults = []
        self.httpd = None
        self.tls_httpd = None
        self.url = None
        self.https_url = None
        self.token_url = None
        self.ca_file = None

    @staticmethod
    def _fill_rule(rule):
        rule = dict(rule)
        rule.setdefault("state", "active")
        for key in ("protocols", "sources", "destinations", "source_ports", "destination_ports"):
            rule.setdefault(key, [])
        return rule

    # -------------------------------------------------------------------------------- lifecycle
    def start(self, port=0):
        """Serve plain HTTP on 127.0.0.1 (port 0: ephemeral) and https on an ephemeral port, each in a daemon
        thread. Returns self."""
        self.httpd = self._serve(port, tls_host=None)
        self.url = "http://127.0.0.1:%d%s" % (self.httpd.server_address[1], API_PREFIX)
        self.tls_httpd = self._serve(0, tls_host="127.0.0.1")
        self.https_url = "https://127.0.0.1:%d%s" % (self.tls_httpd.server_address[1], API_PREFIX)
        self.token_url = "https://127.0.0.1:%d%s" % (self.tls_httpd.server_address[1], TOKEN_PATH)
        self.ca_file = tls.ca_path("127.0.0.1")
        return self

    def _serve(self, port, tls_host):
        server = _Server(("127.0.0.1", port), _Handler)
        server.sim = self
        server.tls = bool(tls_host)
        if tls_host:
            tls.wrap_server(server, tls_host)
        threading.Thread(target=server.serve_forever, name="crusoe-sim", daemon=True).start()
        return server

    def stop(self):
        """Stop serving."""
        for server in (self.httpd, self.tls_httpd):
            if server:
                server.shutdown()
                server.server_close()
        self.httpd = self.tls_httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def env(self, key_index=0, project=None):
        """CRUSOE_* environment variables pointing a client at this simulator with an access key (and no service
        account)."""
        key = self.keys[key_index]
        out = {"CRUSOE_API_ENDPOINT": self.url, "CRUSOE_ACCESS_KEY_ID": key["access_key_id"],
               "CRUSOE_SECRET_KEY": key["secret_key"], "CRUSOE_CLIENT_ID": "", "CRUSOE_CLIENT_SECRET": ""}
        if project:
            out["CRUSOE_DEFAULT_PROJECT"] = project
        return out

    def service_account_env(self, index=0, project=None):
        """CRUSOE_* environment variables that log a client in as a service account (and no access key), with
        SSL_CERT_FILE trusting the token endpoint's certificate."""
        account = self.service_accounts[index]
        out = {"CRUSOE_API_ENDPOINT": self.url, "CRUSOE_ACCESS_KEY_ID": "", "CRUSOE_SECRET_KEY": "",
               "CRUSOE_CLIENT_ID": account["client_id"], "CRUSOE_CLIENT_SECRET": account["client_secret"],
               "CRUSOE_TOKEN_URL": self.token_url, "SSL_CERT_FILE": self.ca_file}
        if project:
            out["CRUSOE_DEFAULT_PROJECT"] = project
        return out

    # -------------------------------------------------------------------------------- test API
    def request_log(self):
        """Every request: method, path, query, status, auth ("hmac", "bearer", "basic" or None), key_id (HMAC),
        client_id (bearer token, token request), write, body; "fault" names the injected fault that answered it
        ("status 503", "delay 2", "drop", "fail_operation"), when one did. Token requests (token_request: true)
        log grant_type and client_id, never the client secret, and are not writes."""
        with self.lock:
            return [dict(e) for e in self._log]

    def token_requests(self):
        """Logged requests to the token endpoint (whatever their status)."""
        return [e for e in self.request_log() if e.get("token_request")]

    def issued_tokens(self):
        """Every access token issued so far (for tests that look for them where they must not be)."""
        with self.lock:
            return sorted(self._tokens)

    def expire_tokens(self):
        """Make every issued access token expired: the API answers 401 to it from now on."""
        with self.lock:
            for record in self._tokens.values():
                record["expires_at"] = 0.0

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

    def inject(self, path_regex, method=None, status=None, count=1, retry_after=None, delay=None, drop=False,
               fail_operation=None, body=None):
        """Fault for the next count requests whose path matches (and method, if given).

        status: answer with this status and a {code, message} body (429 may carry retry_after);
        delay: sleep seconds before answering; drop: close the connection without an answer;
        fail_operation: {code, message}: the write is accepted but its operation ends FAILED, nothing changes.
        """
        with self.lock:
            self._faults.append(dict(regex=re.compile(path_regex), method=method, status=status, count=count,
                                     retry_after=retry_after, delay=delay, drop=drop,
                                     fail_operation=fail_operation, body=body))

    def clear_faults(self):
        with self.lock:
            self._faults = []

    def cluster_by_name(self, name):
        return [c for c in self.state["clusters"].values() if c["name"] == name]

    # -------------------------------------------------------------------------------- HTTP
    def _take_fault(self, method, path):
        with self.lock:
            for fault in self._faults:
                if fault["count"] > 0 and fault["regex"].search(path) and fault["method"] in (None, method):
                    fault["count"] -= 1
                    return dict(fault)
        return None

    def handle(self, req):
        parts = urlsplit(req.path)
        path, query, method = unquote(parts.path), parts.query, req.command
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length) if length else b""
        token_request = path == TOKEN_PATH
        entry = {"method": method, "path": path, "query": query, "status": None, "auth": None, "key_id": None,
                 "client_id": None, "write": method in WRITE_METHODS and not token_request, "body": None}
        if token_request:
            entry.update(token_request=True, grant_type=None)
        with self.lock:
            self._log.append(entry)
        status, body, headers = 500, None, {}
        try:
            if token_request and not req.server.tls:
                raise ApiError(404, "invalid_request", "the token endpoint is served over https only")
            if not token_request:
                self._identify(req, path, query, method, entry)
            fault = self._take_fault(method, path)
            if fault:
                entry["fault"] = ("status %d" % fault["status"] if fault["status"] else "drop" if fault["drop"]
                                  else "fail_operation" if fault["fail_operation"] else "delay %s" % fault["delay"])
            if fault and fault["delay"]:
                time.sleep(fault["delay"])
            if fault and fault["drop"]:
                entry["status"] = "dropped"
                req.close_connection = True
                return
            if fault and fault["status"]:
                if fault["retry_after"] is not None:
                    headers["Retry-After"] = str(fault["retry_after"])
                code = "too_many_requests" if fault["status"] == 429 else "server_error" if token_request else "injected_fault"
                raise ApiError(fault["status"], code, fault.get("body") or "injected fault %d" % fault["status"])
            if token_request:
                with self.lock:
                    status, body = self._token(req, method, raw, entry)
            else:
                data = None
                if raw:
                    try:
                        data = json.loads(raw)
                    except ValueError:
                        raise ApiError(400, "bad_request", "request body is not valid JSON")
                    entry["body"] = data
                if not path.startswith(API_PREFIX + "/"):
                    raise ApiError(404, "not_found", "unknown API path %s" % path)
                with self.lock:
                    status, body = self._route(method, path[len(API_PREFIX):], query, data, fault)
        except ApiError as err:
            status = err.status
            headers.update(err.headers)
            if token_request:
                body = {"error": err.code, "error_description": err.message}
            else:
                body = {"code": err.code, "message": err.message, "reason": err.reason, "error_id": str(uuid.uuid4())}
        if token_request:
            # RFC 6749 5.1: token answers are never cached
            headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
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

    def _identify(self, req, path, query, method, entry):
        """Who sends an API request: a service account's access token, else an HMAC-signed access key."""
        match = BEARER_TOKEN.match(req.headers.get("Authorization") or "")
        if match:
            entry["auth"] = "bearer"
            entry["client_id"] = self._authenticate_token(match.group(1))
        else:
            entry["auth"] = "hmac"
            entry["key_id"] = self._authenticate(req, path, query, method)

    def _authenticate_token(self, token):
        """The client id of a known, unexpired access token; 401 as RFC 6750 says otherwise."""
        with self.lock:
            record = self._tokens.get(token)
        if record is None or record["expires_at"] <= time.monotonic():
            raise ApiError(401, "unauthorized", "access token is %s" % ("expired" if record else "invalid or unknown"),
                           headers={"WWW-Authenticate": 'Bearer realm="crusoe", error="invalid_token"'})
        return record["client_id"]

    # -------------------------------------------------------------------------------- token endpoint
    def _token(self, req, method, raw, entry):
        """POST /oauth2/token, client-credentials grant (RFC 6749 4.4), client authenticated with HTTP Basic only
        (2.3.1); errors as 5.2 says: 400 invalid_request / unsupported_grant_type / unauthorized_client, 401
        invalid_client with WWW-Authenticate."""
        if method != "POST":
            raise ApiError(405, "invalid_request", "the token endpoint accepts POST only", headers={"Allow": "POST"})
        content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != FORM:
            raise ApiError(400, "invalid_request", "the token request must be %s, got %s" % (FORM, content_type or "none"))
        try:
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "invalid_request", "the request body is not form-urlencoded")
        repeated = sorted(k for k, v in form.items() if len(v) > 1)
        if repeated:
            raise ApiError(400, "invalid_request", "parameter %s is repeated" % ", ".join(repeated))
        params = dict((k, v[0]) for k, v in form.items())
        entry["grant_type"] = params.get("grant_type")
        entry["body"] = dict((k, v) for k, v in params.items() if k != "client_secret")
        account = self._client(req, params, entry)
        if not params.get("grant_type"):
            raise ApiError(400, "invalid_request", "grant_type is required")
        if params["grant_type"] != "client_credentials":
            raise ApiError(400, "unsupported_grant_type", "grant type %r is not supported; service accounts use "
                           "client_credentials" % params["grant_type"])
        if "client_credentials" not in account.get("grant_types", ["client_credentials"]):
            raise ApiError(400, "unauthorized_client", "client %s may not use the client_credentials grant"
                           % account["client_id"])
        token = "sim-at-" + base64.urlsafe_b64encode(os.urandom(24)).decode()
        self._tokens[token] = {"client_id": account["client_id"], "expires_at": time.monotonic() + self.token_lifetime}
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime}

    def _client(self, req, params, entry):
        """The service account authenticated by the request's HTTP Basic credentials (client id and secret each
        form-urlencoded, RFC 6749 2.3.1); 401 invalid_client for anything else."""
        challenge = {"WWW-Authenticate": 'Basic realm="crusoe"'}
        auth = req.headers.get("Authorization") or ""
        if not auth.startswith("Basic "):
            if "client_secret" in params:
                raise ApiError(401, "invalid_client", "client credentials in the request body are not accepted; "
                               "authenticate with HTTP Basic (RFC 6749 section 2.3.1)", headers=challenge)
            raise ApiError(401, "invalid_client", "client authentication required (HTTP Basic)", headers=challenge)
        entry["auth"] = "basic"
        try:
            client_id, colon, secret = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(401, "invalid_client", "malformed HTTP Basic credentials", headers=challenge)
        client_id, secret = unquote_plus(client_id), unquote_plus(secret)
        entry["client_id"] = client_id
        if not colon:
            raise ApiError(401, "invalid_client", "malformed HTTP Basic credentials", headers=challenge)
        if "client_secret" in params or params.get("client_id", client_id) != client_id:
            raise ApiError(400, "invalid_request", "more than one client authentication method (HTTP Basic and the "
                           "request body)")
        account = next((a for a in self.service_accounts if a["client_id"] == client_id), None)
        if account is None or not hmac.compare_digest(account["client_secret"].encode(), secret.encode()):
            raise ApiError(401, "invalid_client", "client authentication failed", headers=challenge)
        return account

    def _authenticate(self, req, path, query, method):
        auth = req.headers.get("Authorization") or ""
        stamp = req.headers.get("X-Crusoe-Timestamp") or ""
        match = re.match(r"^Bearer 1\.0:([^:]+):([A-Za-z0-9_-]+)$", auth)
        if not match:
            raise ApiError(401, "unauthorized", "missing or malformed Authorization header")
        key_id, signature = match.groups()
        secret = next((k["secret_key"] for k in self.keys if k["access_key_id"] == key_id), None)
        if secret is None:
            raise ApiError(401, "unauthorized", "unknown access key id")
        try:
            when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(401, "unauthorized", "invalid X-Crusoe-Timestamp %r" % stamp)
        if when.tzinfo is None or abs(_now() - when) > self.max_skew:
            raise ApiError(401, "unauthorized", "request timestamp is more than 5 minutes off")
        try:
            expected = expected_signature(secret, path, query, method, stamp)
        except ValueError as exc:
            raise ApiError(400, "bad_request", str(exc))
        if not hmac.compare_digest(expected, signature):
            raise ApiError(401, "unauthorized", "signature does not match; check the secret key")
        return key_id

    # -------------------------------------------------------------------------------- routing
    def _route(self, method, path, query, data, fault):
        params = {}
        for part in query.split("&") if query else []:
            key, dummy, value = part.partition("=")
            params.setdefault(unquote_plus(key), []).append(unquote_plus(value))
        seg = [s for s in path.split("/") if s]
        if seg[:2] == ["organizations", "projects"] and method == "GET":
            if len(seg) == 2:
                items = sorted(self.state["projects"].values(), key=lambda p: p["name"])
                if params.get("project_name"):
                    items = [p for p in items if p["name"] == params["project_name"][0]]
                return self._page(items, params)
            if len(seg) == 3:
                return 200, self._get("projects", seg[2], "project")
        if len(seg) >= 2 and seg[0] == "projects":
            project = seg[1]
            if project not in self.state["projects"]:
                raise ApiError(404, "not_found", "project %s not found" % project)
            rest = seg[2:]
            if rest[:2] == ["kubernetes", "clusters"]:
                return self._clusters(method, project, rest[2:], params, data)
            if rest[:2] == ["networking", "vpc-networks"] and method == "GET":
                return self._simple_list("vpc_networks", project, rest[2:], params, "VPC network")
            if rest[:2] == ["networking", "vpc-subnets"] and method == "GET":
                return self._simple_list("subnets", project, rest[2:], params, "VPC subnet")
            if rest[:2] == ["networking", "vpc-firewall-rules"]:
                return self._firewall(method, project, rest[2:], params, data, fault)
        raise ApiError(404, "not_found", "no route for %s %s" % (method, path))

    def _get(self, table, obj_id, label, project=None):
        obj = self.state[table].get(obj_id)
        if obj is None or (project and obj.get("project_id") != project):
            raise ApiError(404, "not_found", "%s %s not found" % (label, obj_id))
        return copy.deepcopy(obj)

    def _page(self, items, params):
        start = 0
        if params.get("next_token"):
            try:
                start = int(base64.urlsafe_b64decode(params["next_token"][0].encode()).decode())
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "bad_request", "invalid next_token")
        page = items[start:start + self.page_size]
        body = {"items": copy.deepcopy(page)}
        if start + self.page_size < len(items):
            body["next_token"] = base64.urlsafe_b64encode(str(start + self.page_size).encode()).decode()
        return 200, body

    def _simple_list(self, table, project, rest, params, label):
        if not rest:
            items = sorted((o for o in self.state[table].values() if o["project_id"] == project), key=lambda o: o["id"])
            return self._page(items, params)
        if len(rest) == 1:
            return 200, self._get(table, rest[0], label, project)
        raise ApiError(404, "not_found", "unknown path")

    def _clusters(self, method, project, rest, params, data):
        if not rest and method == "GET":
            items = [c for c in self.state["clusters"].values() if c["project_id"] == project]
            if params.get("cluster_name"):
                items = [c for c in items if c["name"] == params["cluster_name"][0]]
            if params.get("cluster_id"):
                items = [c for c in items if c["id"] == params["cluster_id"][0]]
            for key, field in (("states", "state"), ("locations", "location")):
                if params.get(key):
                    wanted = set(v for raw in params[key] for v in raw.split(",") if v)
                    items = [c for c in items if c[field] in wanted]
            return self._page(sorted(items, key=lambda c: (c["name"], c["id"])), params)
        if not rest:
            raise ApiError(405, "method_not_allowed", "%s not supported here" % method)
        cluster = self._get("clusters", rest[0], "cluster", project)
        if len(rest) == 1 and method == "GET":
            return 200, cluster
        if rest[1:] == ["support", "settings"]:
            settings = self.state["support"][cluster["id"]]
            if method == "GET":
                return 200, copy.deepcopy(settings)
            if method == "PATCH":
                if not isinstance(data, dict) or not isinstance(data.get("access_enabled"), bool):
                    raise ApiError(400, "bad_request", "access_enabled (boolean) is required", "invalid_argument")
                roles = data.get("enabled_roles")
                if roles is not None:
                    if not isinstance(roles, list):
                        raise ApiError(400, "bad_request", "enabled_roles must be a list", "invalid_argument")
                    norm = []
                    for role in roles:
                        text = str(role).upper().replace("SUPPORT_ACCESS_ROLE_", "").lower()
                        if text not in ROLE_ENUM:
                            raise ApiError(400, "bad_request", "unknown role %r" % role, "invalid_argument")
                        norm.append(ROLE_ENUM[text])
                    settings["enabled_roles"] = norm
                settings["access_enabled"] = data["access_enabled"]
                return 200, copy.deepcopy(settings)
        raise ApiError(404, "not_found", "unknown cluster path")

    # -------------------------------------------------------------------------------- firewall
    def _validate_rule_fields(self, data, creating):
        if not isinstance(data, dict):
            raise ApiError(400, "bad_request", "body must be an object", "invalid_argument")
        if not creating:
            extra = set(data) - set(FIREWALL_MUTABLE)
            if extra:
                raise ApiError(400, "bad_request", "fields cannot be updated: %s" % ", ".join(sorted(extra)),
                               "immutable_field")
        for key in ("sources", "destinations"):
            for item in data.get(key, []) or []:
                if not isinstance(item, dict) or not (item.get("cidr") or item.get("resource_id")):
                    raise ApiError(400, "bad_request", "%s entries need cidr or resource_id" % key, "invalid_argument")
                if item.get("cidr"):
                    try:
                        ipaddress.ip_network(item["cidr"], strict=False)
                    except ValueError:
                        raise ApiError(400, "bad_request", "invalid cidr %r in %s" % (item["cidr"], key),
                                       "invalid_argument")
        for key in ("source_ports", "destination_ports"):
            for port in data.get(key, []) or []:
                if not re.match(r"^(\*|\d{1,5}(-\d{1,5})?)$", str(port)):
                    raise ApiError(400, "bad_request", "invalid port %r in %s" % (port, key), "invalid_argument")
        if "protocols" in data and not isinstance(data["protocols"], list):
            raise ApiError(400, "bad_request", "protocols must be a list", "invalid_argument")
        if creating:
            for key in ("name", "vpc_network_id", "action", "direction"):
                if not data.get(key):
                    raise ApiError(400, "bad_request", "%s is required" % key, "invalid_argument")
            if data["action"] not in ("allow", "deny") or data["direction"] not in ("ingress", "egress"):
                raise ApiError(400, "bad_request", "action must be allow|deny, direction ingress|egress",
                               "invalid_argument")

    def _new_operation(self, project, resource_id, apply, fault):
        op_id = str(uuid.uuid4())
        self.state["operations"][op_id] = {
            "project_id": project, "resource_id": resource_id, "polls_left": self.operation_polls, "apply": apply,
            "fail": (fault or {}).get("fail_operation"),
            "op": {"operation_id": op_id, "state": "IN_PROGRESS", "metadata": {"resource_id": resource_id},
                   "started_at": _iso(_now()), "completed_at": None}}
        if self.operation_polls <= 0:
            self._finish(op_id)
        return 200, {"operation": copy.deepcopy(self.state["operations"][op_id]["op"])}

    def _finish(self, op_id):
        record = self.state["operations"][op_id]
        op = record["op"]
        if record["fail"]:
            op["state"] = "FAILED"
            op["result"] = {"code": record["fail"].get("code", "internal"), "message": record["fail"].get("message", "failed")}
        else:
            op["state"] = "SUCCEEDED"
            op["result"] = record["apply"]()
        op["completed_at"] = _iso(_now())

    def _firewall(self, method, project, rest, params, data, fault):
        rules = self.state["firewall_rules"]
        if rest[:1] == ["operations"] and method == "GET":
            if len(rest) == 1:
                ops = [r["op"] for r in self.state["operations"].values() if r["project_id"] == project
                       and (not params.get("resource_id") or r["resource_id"] == params["resource_id"][0])
                       and (not params.get("state") or r["op"]["state"] == params["state"][0])]
                return self._page(ops, params)
            record = self.state["operations"].get(rest[1])
            if record is None or record["project_id"] != project:
                raise ApiError(404, "not_found", "operation %s not found" % rest[1])
            if record["op"]["state"] == "IN_PROGRESS":
                record["polls_left"] -= 1
                if record["polls_left"] <= 0:
                    self._finish(rest[1])
            return 200, {"operation": copy.deepcopy(record["op"])}
        if not rest:
            if method == "GET":
                items = sorted((r for r in rules.values() if r["project_id"] == project), key=lambda r: r["name"])
                return self._page(items, params)
            if method == "POST":
                self._validate_rule_fields(data, creating=True)
                net = self.state["vpc_networks"].get(data["vpc_network_id"])
                if net is None or net["project_id"] != project:
                    raise ApiError(404, "not_found", "VPC network %s not found" % data["vpc_network_id"])
                rule_id = str(uuid.uuid4())
                rule = self._fill_rule(dict((k, data.get(k)) for k in (
                    "name", "vpc_network_id", "action", "direction") + FIREWALL_MUTABLE[1:] if data.get(k) is not None))
                rule.update(id=rule_id, project_id=project)

                def apply():
                    rules[rule_id] = rule
                    return copy.deepcopy(rule)
                return self._new_operation(project, rule_id, apply, fault)
            raise ApiError(405, "method_not_allowed", "%s not supported here" % method)
        rule = rules.get(rest[0])
        if rule is None or rule["project_id"] != project or len(rest) != 1:
            raise ApiError(404, "not_found", "VPC firewall rule %s not found" % rest[0])
        if method == "GET":
            return 200, copy.deepcopy(rule)
        if method == "PATCH":
            self._validate_rule_fields(data, creating=False)

            def apply():
                rule.update(copy.deepcopy(data))
                return copy.deepcopy(rule)
            return self._new_operation(project, rule["id"], apply, fault)
        if method == "DELETE":
            def apply():
                rules.pop(rule["id"], None)
                return {}
            return self._new_operation(project, rule["id"], apply, fault)
        raise ApiError(405, "method_not_allowed", "%s not supported here" % method)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Crusoe Cloud API simulator")
    parser.add_argument("--fleet", help="fleet JSON/YAML file (default: the built-in small fleet)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: ephemeral, reported on stdout)")
    parser.add_argument("--operation-polls", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args(argv)
    sim = CrusoeSim(args.fleet, operation_polls=args.operation_polls, page_size=args.page_size)
    sim.start(args.port)
    print(json.dumps({"url": sim.url, "keys": sim.keys, "token_url": sim.token_url,
                      "service_accounts": sim.service_accounts, "ca_file": sim.ca_file, "pid": os.getpid()}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(0.5):
        pass
    sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
