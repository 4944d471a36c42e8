# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets stay secret: with -vvv and --diff, the Crusoe secret key, the Crusoe service account's client secret and
access tokens, the kubeconfig bearer tokens, the CoreWeave API token and the Telemetry Relay endpoint password appear
nowhere in stdout, stderr, the task results, ansible's log file (ANSIBLE_LOG_PATH), the report files, the objects
written to the clusters, nor in the request bodies and queries of an API they do not authenticate to; also when an
API answers 401 or 500 and echoes the whole request back.

Every occurrence is counted, in the plain form and in the encoded forms a secret travels in (base64, base64url,
URL-encoded, the decoded key bytes, the basic-auth header value), and recorded with reliability.secrets_leaked()."""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
import yaml

from sim.coreweave_fixtures import coreweave_sim  # noqa: F401  pylint: disable=unused-import
from sim.fleet import KEY, SERVICE_ACCOUNT

# Clusters of the default seed mix of sim.fleet (engaged, unleased, clean, diagnostic).
ENGAGED, UNLEASED, CLEAN, DIAGNOSTIC = ("training-prod", "research-a", "batch-eu", "staging")
RELAY_USER = "coreweave-relay"
RELAY_PASSWORD = "Relay-pw-3b9d0c51e7a4-do-not-print"
RELAY_PASSWORD_ROTATED = "Relay-pw-rotated-8e2f61aa90c3-do-not-print"
LEASE = ("v1", "ConfigMap", "neocloud-support-access-lease", "kube-system")


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def _unpadded(text):
    return text.rstrip("=")


def forms(secret, *extra):
    """The ways a secret can show up in text: as is, base64 (standard and URL-safe, padded or not), URL-encoded."""
    found = {secret, _unpadded(_b64(secret)), _unpadded(base64.urlsafe_b64encode(secret.encode()).decode()),
             quote(secret, safe="")}
    found.update(e for e in extra if e)
    return sorted(f for f in found if len(f) >= 8)


def crusoe_secret_forms():
    """The Crusoe secret key as configured, and the key bytes it decodes to (what the request signature uses)."""
    raw = KEY["secret_key"]
    decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("latin-1")
    return forms(raw, decoded)


def client_secret_forms(account):
    """A Crusoe service account's client secret, and the HTTP Basic credentials it travels in to the token endpoint."""
    return forms(account["client_secret"], _b64("%s:%s" % (account["client_id"], account["client_secret"])))


def kubeconfig_secrets(path):
    """Every credential of every user in a kubeconfig: tokens, passwords, client keys (and their decoded PEM)."""
    with open(str(path), encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    found = []
    for user in config.get("users") or []:
        entry = user.get("user") or {}
        for key in ("token", "password", "client-key-data"):
            if entry.get(key):
                found += forms(entry[key])
        if entry.get("client-key-data"):
            found.append(base64.b64decode(entry["client-key-data"]).decode().strip())
    return sorted(set(found))


def relay_secret_forms(password):
    return forms(password, _b64("%s:%s" % (RELAY_USER, password)))


class Leaks:
    """Counts occurrences of secrets in named places and records them."""

    def __init__(self, reliability, secrets):
        self.reliability = reliability
        self.secrets = secrets  # {label: [forms]}
        self.found = {}
        self.places = 0

    def scan(self, where, text, only=None):
        self.places += 1
        for label, values in self.secrets.items():
            if only is not None and label not in only:
                continue
            count = sum(text.count(v) for v in values)
            if count:
                key = "%s in %s" % (label, where)
                self.found[key] = self.found.get(key, 0) + count

    def run_output(self, name, res, log_path):
        self.scan("%s stdout" % name, res.stdout)
        self.scan("%s stderr" % name, res.stderr)
        self.scan("%s task results" % name, json.dumps(res.events))
        assert os.path.getsize(log_path) > 0, "ansible wrote no log to %s" % log_path
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            self.scan("%s ansible log" % name, handle.read())

    def files(self, name, directory):
        names = sorted(os.listdir(str(directory)))
        for filename in names:
            with open(os.path.join(str(directory), filename), encoding="utf-8", errors="replace") as handle:
                self.scan("%s report %s" % (name, filename), handle.read())
        return names

    def record(self):
        total = sum(self.found.values())
        self.reliability.secrets_leaked(total, where="(%s)" % "; ".join(
            "%d x %s" % (n, k) for k, n in sorted(self.found.items())))
        assert self.found == {}, self.found
        return total


def fleet_secrets(fleet):
    return {"Crusoe secret key": crusoe_secret_forms(), "Crusoe client secret": client_secret_forms(SERVICE_ACCOUNT),
            "kubeconfig credential": kubeconfig_secrets(fleet.kubeconfig)}


def scan_fleet_state(leaks, fleet, name):
    """What a run left in the simulators: Crusoe request bodies and queries (the key only signs, it never travels;
    the client secret goes to the token endpoint in a header), the clusters' request logs, their ConfigMaps (the lease
    among them) and the Crusoe API state."""
    leaks.scan("%s Crusoe API requests" % name, json.dumps(fleet.crusoe.request_log(), default=str))
    with fleet.crusoe.lock:
        leaks.scan("%s Crusoe API state" % name, json.dumps(fleet.crusoe.state, default=str))
    leases = 0
    for cluster in fleet.names:
        kube = fleet.kube(cluster)
        leaks.scan("%s %s request log" % (name, cluster), json.dumps(kube.request_log(), default=str))
        leaks.scan("%s %s ConfigMaps" % (name, cluster), json.dumps(kube.list("v1", "ConfigMap"), default=str))
        leases += kube.get(*LEASE) is not None
    return leases


# playbook -> (clusters, extra vars, expected exit code 0?)
FLEET_RUNS = {
    # one cluster's Kubernetes API rejects every request: the failure path is printed at -vvv too
    "audit": ((ENGAGED, UNLEASED, DIAGNOSTIC), {}, False),
    "enable": ((CLEAN, UNLEASED), {"support_access_ticket": "ZD-5150", "support_access_roles": ["readonly", "operator"],
                                   "support_access_reason": "secrets scenario", "support_access_fleet_confirm": True}, True),
    "revoke": ((ENGAGED, DIAGNOSTIC), {"support_access_confirm": True}, True),
}


@pytest.mark.parametrize("playbook", sorted(FLEET_RUNS))
def test_fleet_playbook_prints_no_secret(ansible_playbook, fleet, tmp_path, reliability, playbook):
    limit, extra, succeeds = FLEET_RUNS[playbook]
    if playbook == "enable":
        extra = dict(extra, support_access_chart_repo_url=fleet.chart_repo.url)
    if playbook == "audit":
        fleet.kube(DIAGNOSTIC).set_fault("status", code=401, count=10000)
    leaks = Leaks(reliability, fleet_secrets(fleet))
    assert all(leaks.secrets.values()), leaks.secrets
    log_path = str(tmp_path / "ansible.log")
    env = dict(fleet.env(), ANSIBLE_LOG_PATH=log_path)
    res = ansible_playbook("neocloud.support_access.%s" % playbook, inventory=fleet.inventory,
                           extra_vars=dict(extra, support_access_report_dir=str(tmp_path / "reports")),
                           env=env, verbosity=3, diff=True, forks=6, limit=",".join(limit) if limit else None)
    assert (res.rc == 0) == succeeds, res.stdout[-4000:]
    leaks.run_output(playbook, res, log_path)
    written = leaks.files(playbook, tmp_path / "reports")
    # one set of files for the run (<time>-<playbook>.*) and the same as latest-<playbook>.*
    assert sorted(n for n in written if n.startswith("latest-")) == [
        "latest-%s.html" % playbook, "latest-%s.json" % playbook, "latest-%s.junit.xml" % playbook, "latest-%s.md" % playbook]
    assert len(written) == 8, written
    leases = scan_fleet_state(leaks, fleet, playbook)
    leaks.record()
    # the run did what it says, so the scan looked at real output
    clusters = {c["cluster"]: c for c in json.loads((tmp_path / "reports" / ("latest-%s.json" % playbook)).read_text())["clusters"]}
    if playbook == "audit":
        assert clusters[DIAGNOSTIC]["verdict"] in ("error", "unreachable") and clusters[ENGAGED]["verdict"] == "compliant"
    elif playbook == "enable":
        assert fleet.kube(CLEAN).get(*LEASE)["data"]["state"] == "active" and leases >= 3
    else:
        assert all(clusters[n]["verdict"] == "revoked" for n in limit), clusters
        assert fleet.kube(ENGAGED).get(*LEASE)["data"]["state"] == "closed"


def test_service_account_fleet_run_prints_no_secret(ansible_playbook, fleet, tmp_path, reliability):
    """The audit as AWX runs it with the "Crusoe service account" credential: neither the client secret nor any access
    token the run was given appears anywhere; the API saw bearer tokens only, and one login served the whole run (the
    inventory parse, and the module runs forked after it)."""
    log_path = str(tmp_path / "ansible.log")
    env = dict(fleet.service_account_env(), ANSIBLE_LOG_PATH=log_path)
    res = ansible_playbook("neocloud.support_access.audit", inventory=fleet.inventory,
                           extra_vars={"support_access_report_dir": str(tmp_path / "reports")}, env=env, verbosity=3,
                           diff=True, forks=6, limit=",".join((ENGAGED, UNLEASED, CLEAN)))
    assert sorted(h for h in res.recap if h != "localhost") == sorted((ENGAGED, UNLEASED, CLEAN)), res.stdout[-4000:]
    tokens = fleet.crusoe.issued_tokens()
    calls = [e for e in fleet.crusoe.request_log() if not e.get("token_request")]
    assert len(fleet.crusoe.token_requests()) == 1 and len(tokens) == 1
    assert calls and {(e["auth"], e["status"]) for e in calls} == {("bearer", 200)}
    leaks = Leaks(reliability, {"Crusoe client secret": client_secret_forms(SERVICE_ACCOUNT), "Crusoe access token": tokens})
    leaks.run_output("audit as a service account", res, log_path)
    assert "latest-audit.json" in leaks.files("audit as a service account", tmp_path / "reports")
    scan_fleet_state(leaks, fleet, "audit as a service account")
    leaks.record()
    clusters = {c["cluster"]: c for c in json.loads((tmp_path / "reports" / "latest-audit.json").read_text())["clusters"]}
    assert clusters[ENGAGED]["verdict"] == "compliant"  # the API was read: the scan looked at real output


CW_PLAYBOOK = """
- name: The CoreWeave inventory's hosts
  hosts: all
  connection: local
  gather_facts: false
  tasks:
    - name: everything the inventory plugin set
      ansible.builtin.debug:
        var: hostvars[inventory_hostname]

- name: CoreWeave modules
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: clusters
      neocloud.support_access.coreweave_cluster_info:
    - name: endpoint
      neocloud.support_access.coreweave_telemetry_endpoint:
        slug: customer-siem
        url: https://siem.customer.example/coreweave
        basic_auth:
          username: %(user)s
          password: "{{ lookup('ansible.builtin.env', 'RELAY_PASSWORD') }}"
    - name: endpoint with its token as an option
      neocloud.support_access.coreweave_telemetry_endpoint:
        api_token: "{{ lookup('ansible.builtin.env', 'CW_TOKEN') }}"
        slug: customer-siem
        url: https://siem2.customer.example/coreweave
        basic_auth:
          username: %(user)s
          password: "{{ lookup('ansible.builtin.env', 'RELAY_PASSWORD_ROTATED') }}"
        update_credentials: always
    - name: pipeline
      neocloud.support_access.coreweave_telemetry_pipeline:
        slug: audit-to-siem
        source_name: Audit Logs
        destination: customer-siem
""" % {"user": RELAY_USER}


def test_coreweave_inventory_and_telemetry_print_no_secret(ansible_playbook, coreweave_sim, tmp_path, reliability):  # noqa: F811  pylint: disable=redefined-outer-name
    token = coreweave_sim.token("admin")
    inventory = tmp_path / "fleet.coreweave.yml"
    inventory.write_text("plugin: neocloud.support_access.coreweave\napi_endpoint: %s\napi_token: %s\n" % (coreweave_sim.url, token))
    log_path = str(tmp_path / "ansible.log")
    env = {"COREWEAVE_API_ENDPOINT": coreweave_sim.url, "COREWEAVE_API_TOKEN": token, "CW_TOKEN": token,
           "RELAY_PASSWORD": RELAY_PASSWORD, "RELAY_PASSWORD_ROTATED": RELAY_PASSWORD_ROTATED, "ANSIBLE_LOG_PATH": log_path}
    res = ansible_playbook(CW_PLAYBOOK, inventory=str(inventory), env=env, verbosity=3, diff=True)
    assert res.rc == 0, res.stdout[-4000:] + res.stderr
    assert sorted(h for h in res.recap if h != "localhost") == ["gpu-infer", "gpu-train"], res.recap
    assert res.result("endpoint", "localhost")["changed"] and res.result("endpoint with its token as an option", "localhost")["changed"]
    # the credentials went where they belong
    assert coreweave_sim.credentials("customer-siem")["password"] == RELAY_PASSWORD_ROTATED
    relay = relay_secret_forms(RELAY_PASSWORD) + relay_secret_forms(RELAY_PASSWORD_ROTATED)
    leaks = Leaks(reliability, {"CoreWeave API token": forms(token), "Telemetry Relay password": relay})
    leaks.run_output("coreweave", res, log_path)
    log = coreweave_sim.request_log()
    credential_writes = [e for e in log if e["method"] in ("POST", "PATCH") and e["path"].startswith("/v1beta1/telemetryrelay/endpoints")]
    assert len(credential_writes) == 2
    # the token is a header, never a body; the password travels only in the endpoint writes it configures
    leaks.scan("CoreWeave API requests", json.dumps(log, default=str), only=("CoreWeave API token",))
    leaks.scan("CoreWeave API requests other than the endpoint writes",
               json.dumps([e for e in log if e not in credential_writes], default=str), only=("Telemetry Relay password",))
    with coreweave_sim.lock:
        leaks.scan("CoreWeave endpoints and pipelines", json.dumps([coreweave_sim.state["endpoints"], coreweave_sim.state["pipelines"]], default=str))
    assert "basic auth" in res.stdout  # the diff shows the credentials as a masked label
    leaks.record()


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with the configured status and the whole request (headers and body) in the message;
    a Telemetry Relay endpoint read is answered 404, so that its creation (with the credentials) is tried."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        echoed = "%s %s headers=%s body=%s" % (self.command, self.path, dict(self.headers.items()), body)
        self.server.seen.append(echoed)
        status = self.server.status
        if self.command == "GET" and "/telemetryrelay/endpoints/" in self.path:
            status = 404  # no such endpoint yet: the module goes on to create it, sending the credentials
        payload = json.dumps({"code": {401: "unauthenticated", 404: "not_found"}.get(status, "internal"), "message": echoed,
                              "reason": echoed, "kind": "Status", "apiVersion": "v1", "status": "Failure",
                              "details": {"request": echoed}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.seen = []
    server.status = 401
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


ECHO_PLAYBOOK = """
- name: Every API answers with an error that echoes the request
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: crusoe read
      neocloud.support_access.crusoe_support_access_info:
        cluster: c2000001-0000-4000-8000-00000000c0de
        project: 1f000000-0000-4000-8000-000000000001
        api_retries: 0
      ignore_errors: true
    - name: crusoe write
      neocloud.support_access.crusoe_support_access:
        cluster: c2000001-0000-4000-8000-00000000c0de
        project: 1f000000-0000-4000-8000-000000000001
        roles: [readonly]
        api_retries: 0
      ignore_errors: true
    - name: crusoe write with the key as an option
      neocloud.support_access.crusoe_support_access:
        cluster: c2000001-0000-4000-8000-00000000c0de
        project: 1f000000-0000-4000-8000-000000000001
        secret_key: "{{ lookup('ansible.builtin.env', 'CRUSOE_SECRET_KEY') }}"
        state: disabled
        api_retries: 0
      ignore_errors: true
    - name: coreweave read
      neocloud.support_access.coreweave_cluster_info:
        api_retries: 0
      ignore_errors: true
    - name: coreweave endpoint
      neocloud.support_access.coreweave_telemetry_endpoint:
        slug: customer-siem
        url: https://siem.customer.example/coreweave
        basic_auth:
          username: %(user)s
          password: "{{ lookup('ansible.builtin.env', 'RELAY_PASSWORD') }}"
        api_retries: 0
      ignore_errors: true
    - name: coreweave endpoint with its token as an option
      neocloud.support_access.coreweave_telemetry_endpoint:
        api_token: "{{ lookup('ansible.builtin.env', 'COREWEAVE_API_TOKEN') }}"
        slug: customer-siem
        url: https://siem2.customer.example/coreweave
        api_retries: 0
      ignore_errors: true
    - name: kubernetes lease
      neocloud.support_access.support_lease:
        state: query
        kubeconfig: %(kubeconfig)s
        context: echo
      ignore_errors: true
"""


@pytest.mark.parametrize("status", [401, 500])
def test_api_errors_echoing_the_request_print_no_secret(ansible_playbook, echo_server, tmp_path, reliability, status):
    echo_server.status = status
    kube_token = "kube-echo-token-51c7d2e09a8b"
    kubeconfig = tmp_path / "echo.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "echo",
        "clusters": [{"name": "echo", "cluster": {"server": echo_server.url}}],
        "users": [{"name": "echo", "user": {"token": kube_token}}],
        "contexts": [{"name": "echo", "context": {"cluster": "echo", "user": "echo"}}]}))
    cw_token = "CW-SECRET-echo-6f0e2a91c4d3"
    (tmp_path / "fleet.crusoe.yml").write_text("plugin: neocloud.support_access.crusoe\nall_projects: true\napi_retries: 0\n")
    (tmp_path / "fleet.coreweave.yml").write_text("plugin: neocloud.support_access.coreweave\napi_retries: 0\n")
    log_path = str(tmp_path / "ansible.log")
    env = {"CRUSOE_API_ENDPOINT": echo_server.url, "CRUSOE_ACCESS_KEY_ID": KEY["access_key_id"],
           "CRUSOE_SECRET_KEY": KEY["secret_key"], "CRUSOE_PROFILE": "", "CRUSOE_DEFAULT_PROJECT": "",
           "COREWEAVE_API_ENDPOINT": echo_server.url, "COREWEAVE_API_TOKEN": cw_token, "COREWEAVE_HTTP_TIMEOUT": "10",
           "RELAY_PASSWORD": RELAY_PASSWORD, "ANSIBLE_LOG_PATH": log_path, "KUBECONFIG": str(kubeconfig)}
    playbook = ECHO_PLAYBOOK % {"user": RELAY_USER, "kubeconfig": json.dumps(str(kubeconfig))}
    res = ansible_playbook(playbook, inventory=str(tmp_path / "fleet.crusoe.yml"), env=env, verbosity=3, diff=True,
                           args=("-i", str(tmp_path / "fleet.coreweave.yml")))
    failed = [e["task"] for e in res.events if e["status"] == "ignored"]
    assert sorted(failed) == sorted(["crusoe read", "crusoe write", "crusoe write with the key as an option", "coreweave read",
                                     "coreweave endpoint", "coreweave endpoint with its token as an option",
                                     "kubernetes lease"]), res.stdout[-4000:]
    # the API really echoed what the clients sent, and the clients said so (with the API's message)
    seen = "\n".join(echo_server.seen)
    assert cw_token in seen, seen
    assert kube_token in seen, seen
    assert RELAY_PASSWORD in seen, seen
    assert " %d" % status in res.stdout or str(status) in json.dumps(res.events)
    leaks = Leaks(reliability, {"Crusoe secret key": crusoe_secret_forms(), "CoreWeave API token": forms(cw_token),
                                "kubeconfig credential": forms(kube_token),
                                "Telemetry Relay password": relay_secret_forms(RELAY_PASSWORD)})
    leaks.run_output("echo %d" % status, res, log_path)
    # the Crusoe key only signs requests: it never travels, not even to the API it authenticates to
    leaks.scan("echo %d requests" % status, seen, only=("Crusoe secret key",))
    leaks.record()


SA_ECHO_PLAYBOOK = """
- name: The Crusoe API answers every request with a 401 that echoes the request
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: crusoe read
      neocloud.support_access.crusoe_support_access_info:
        cluster: c2000001-0000-4000-8000-00000000c0de
        project: 1f000000-0000-4000-8000-000000000001
        api_retries: 0
      ignore_errors: true
    - name: crusoe write with the client secret as an option
      neocloud.support_access.crusoe_support_access:
        cluster: c2000001-0000-4000-8000-00000000c0de
        project: 1f000000-0000-4000-8000-000000000001
        client_secret: "{{ lookup('ansible.builtin.env', 'CRUSOE_CLIENT_SECRET') }}"
        state: disabled
        api_retries: 0
      ignore_errors: true
"""


def test_api_errors_echoing_the_access_token_print_no_secret(ansible_playbook, echo_server, crusoe_sim, tmp_path,
                                                             reliability):
    """A service account logs in at the simulator's token endpoint; the API (the echo server) refuses every token and
    echoes the Authorization header back, also after the one refresh. The tokens and the client secret stay out of
    the output of the modules and the inventory plugin."""
    account = crusoe_sim.service_accounts[0]
    (tmp_path / "fleet.crusoe.yml").write_text("plugin: neocloud.support_access.crusoe\nall_projects: true\napi_retries: 0\n")
    log_path = str(tmp_path / "ansible.log")
    env = dict(crusoe_sim.service_account_env(), CRUSOE_API_ENDPOINT=echo_server.url, CRUSOE_PROFILE="",
               CRUSOE_DEFAULT_PROJECT="", ANSIBLE_LOG_PATH=log_path)
    res = ansible_playbook(SA_ECHO_PLAYBOOK, inventory=str(tmp_path / "fleet.crusoe.yml"), env=env, verbosity=3, diff=True)
    failed = [e["task"] for e in res.events if e["status"] == "ignored"]
    assert sorted(failed) == ["crusoe read", "crusoe write with the client secret as an option"], res.stdout[-4000:]
    seen = "\n".join(echo_server.seen)
    tokens = crusoe_sim.issued_tokens()
    # every token went to the API, which echoed it back (the refresh after the 401 too); the secret never went there
    assert len(tokens) >= 4 and all("Bearer %s" % t in seen for t in tokens), seen
    assert "401" in res.stdout and "Crusoe inventory" in res.stdout + res.stderr
    leaks = Leaks(reliability, {"Crusoe client secret": client_secret_forms(account), "Crusoe access token": tokens})
    leaks.run_output("echo bearer", res, log_path)
    leaks.scan("echo bearer requests", seen, only=("Crusoe client secret",))
    leaks.scan("Crusoe simulator requests", json.dumps(crusoe_sim.request_log()), only=("Crusoe client secret",))
    leaks.record()
