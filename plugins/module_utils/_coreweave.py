# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""CoreWeave API client shared by every CoreWeave module of neocloud.support_access.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.

It talks to https://api.coreweave.com with a bearer token (the CoreWeave API access token, as CoreWeave's
Terraform provider does, from options or COREWEAVE_* environment variables), retries what is safe to retry,
and turns API errors into one structured failure. It covers the CKS cluster list and the Telemetry Relay
resources (forwarding endpoints, forwarding pipelines, telemetry streams) that forward audit logs, including
the Support Access Management logs, to a destination the customer controls.
"""

from __future__ import annotations

import os
import time
from urllib.parse import quote, urlsplit

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.neocloud.support_access.plugins.module_utils import _http
from ansible_collections.neocloud.support_access.plugins.module_utils._provider_module import ProviderModule

DEFAULT_API_ENDPOINT = "https://api.coreweave.com/"
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 5
ENV_TOKEN = "COREWEAVE_API_TOKEN"
ENV_ENDPOINT = "COREWEAVE_API_ENDPOINT"
ENV_TIMEOUT = "COREWEAVE_HTTP_TIMEOUT"

CKS_CLUSTERS = "v1beta1/cks/clusters"
TELEMETRY_ENDPOINTS = "v1beta1/telemetryrelay/endpoints"
TELEMETRY_PIPELINES = "v1beta1/telemetryrelay/pipelines"
TELEMETRY_STREAMS = "v1beta1/telemetryrelay/streams"

CLUSTER_STATUSES = ("STATUS_RUNNING", "STATUS_CREATING", "STATUS_UPDATING", "STATUS_UPGRADING", "STATUS_DELETING",
                    "STATUS_FAILED")
AUDIT_LOG_STREAM = "Audit Logs"
ORG_NOT_ENABLED_REASON = "TELEMETRYRELAY_ORGANIZATION_NOT_FOUND"
ROLE_ADMIN = "Telemetry Relay Admin"
ROLE_READER = "Telemetry Relay Reader"

CREDENTIAL_ACTION_PRESERVE = "CREDENTIAL_ACTION_PRESERVE"
CREDENTIAL_ACTION_REPLACE = "CREDENTIAL_ACTION_REPLACE"
CREDENTIAL_ACTION_CLEAR = "CREDENTIAL_ACTION_CLEAR"

WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# Our PATCH bodies carry the complete spec, so repeating one lands in the same state. POST creates.


def coreweave_argument_spec():
    """Connection options shared by every CoreWeave module (documented in the neocloud.support_access.coreweave fragment)."""
    return dict(
        api_token=dict(type="str", no_log=True),
        api_endpoint=dict(type="str"),
        api_timeout=dict(type="int"),
        api_retries=dict(type="int", default=DEFAULT_RETRIES),
        validate_certs=dict(type="bool", default=True),
    )


class CoreWeaveError(_http.ApiError):
    """A failure talking to CoreWeave, with everything a user needs to act on it."""


class CoreWeaveConfigError(CoreWeaveError):
    """The token or a setting is missing or wrong before any request was sent."""


# ---------------------------------------------------------------------------------------------- configuration

def _env(environ, name):
    value = environ.get(name)
    return value if value else None


def resolve_config(params, environ=None):
    """Effective settings: module options, then COREWEAVE_* environment variables, then defaults.

    Returns api_token, api_endpoint, api_timeout and sources (where each value came from, never the token).
    """
    environ = os.environ if environ is None else environ
    out = dict(sources={})
    for name, env_name, default in (("api_token", ENV_TOKEN, None), ("api_endpoint", ENV_ENDPOINT, DEFAULT_API_ENDPOINT),
                                    ("api_timeout", ENV_TIMEOUT, DEFAULT_TIMEOUT)):
        value, source = params.get(name), "option"
        if value in (None, ""):
            value, source = _env(environ, env_name), "env " + env_name
        if value in (None, ""):
            value, source = default, ("default" if default is not None else None)
        out[name] = value
        out["sources"][name] = source
    try:
        out["api_timeout"] = int(out["api_timeout"])
    except (TypeError, ValueError):
        raise CoreWeaveConfigError("api_timeout %r (from %s) is not a whole number of seconds" % (
            out["api_timeout"], out["sources"]["api_timeout"]))
    return out


def require_token(config):
    """Fail with every place the token can come from when it is missing."""
    if not config.get("api_token"):
        raise CoreWeaveConfigError(
            "CoreWeave API token missing: set the api_token option or the %s environment variable (create a token "
            "in the Cloud Console under API Access Tokens)" % ENV_TOKEN)


def error_reason(body):
    """The machine-readable reason of an error body: top-level reason, or google.rpc.ErrorInfo in details."""
    if not isinstance(body, dict):
        return None
    if body.get("reason"):
        return to_text(body["reason"])
    for item in body.get("details") or []:
        if isinstance(item, dict):
            if item.get("reason"):
                return to_text(item["reason"])
            debug = item.get("debug")
            if isinstance(debug, dict) and debug.get("reason"):
                return to_text(debug["reason"])
    return None


# ---------------------------------------------------------------------------------------------- client

class CoreWeaveClient(_http.JsonApiClient):
    """Bearer-token HTTP client for the CoreWeave API (no Ansible module required, so tests can use it directly)."""

    API_NAME = "CoreWeave"
    ERROR_CLASS = CoreWeaveError
    CONFIG_ERROR_CLASS = CoreWeaveConfigError
    REQUEST_ID_HEADERS = ("X-Request-Id", "Grpc-Metadata-X-Request-Id")
    RETRY_REFUSED = False

    def __init__(self, api_endpoint, api_token, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, validate_certs=True,
                 sleep=time.sleep, backoff_base=0.5, backoff_cap=30.0, user_agent="neocloud.support_access"):
        super().__init__(to_text(api_endpoint or DEFAULT_API_ENDPOINT), timeout=timeout, retries=retries,
                         validate_certs=validate_certs, sleep=sleep, backoff_base=backoff_base, backoff_cap=backoff_cap,
                         user_agent=user_agent)
        parts = urlsplit(self.endpoint)
        self.base = "%s://%s%s" % (parts.scheme, parts.netloc, self.base_path)
        self.token = api_token

    def request(self, method, path, body=None, ok_statuses=(200, 201, 202, 204)):
        """Send one API call with retries; returns the decoded JSON body (or {}). Raises CoreWeaveError."""
        full_path = self.base_path + "/" + path.lstrip("/")
        url = self.base + "/" + quote(path.lstrip("/"))
        return self.send(method, url, full_path, body=body, auth_headers=self._auth_headers, ok_statuses=ok_statuses)

    def _auth_headers(self):
        return {"Authorization": "Bearer %s" % self.token}

    def api_error(self, status, raw, headers, method, path, attempts):
        """CoreWeaveError for an error answer, with the machine-readable reason (ErrorInfo) when given."""
        body = _http.error_body(raw)
        message = self.redact(to_text(body.get("message") or "") or to_text(raw)[:300] or "HTTP %s" % status)
        reason = error_reason(body)
        reason = self.redact(reason) if isinstance(reason, str) else reason
        code = self.redact(body.get("code"))
        text = "CoreWeave API error %s on %s %s: %s%s" % (
            status, method, path, message, (" (reason %s)" % reason) if reason else "")
        if status == 401:
            text += "; check the token: option api_token or the %s environment variable" % ENV_TOKEN
        return CoreWeaveError(text, status=status, code=code, reason=reason, request_id=self.request_id(headers),
                              method=method, path=path, details=dict(attempts=attempts, api_message=message))

    def redact(self, text):
        """The text with the API token masked (an error answer may echo the request, Authorization header included)."""
        if self.token and isinstance(text, str):
            return text.replace(to_text(self.token), "********")
        return text

    def get(self, path):
        """GET one object or list."""
        return self.request("GET", path)


# ---------------------------------------------------------------------------------------------- CKS

def unwrap(answer, key):
    """The object of a single-object answer: {key: {...}} or the object itself."""
    if isinstance(answer, dict) and isinstance(answer.get(key), dict):
        return answer[key]
    return answer if isinstance(answer, dict) else {}


def list_items(answer, key):
    """The items of a list answer: {key: [...]} or {items: [...]}."""
    if not isinstance(answer, dict):
        return []
    for name in (key, "items"):
        if isinstance(answer.get(name), list):
            return answer[name]
    return []


def cluster_matches(cluster, statuses=None, zones=None):
    """Whether a cluster record passes the status and zone filters (empty filter: all)."""
    if statuses and cluster.get("status") not in statuses:
        return False
    if zones and cluster.get("zone") not in zones:
        return False
    return True


# ---------------------------------------------------------------------------------------------- Telemetry Relay

def slug_of(obj):
    """ref.slug of a Telemetry Relay object."""
    return to_text(((obj or {}).get("ref") or {}).get("slug") or "")


def endpoint_view(endpoint):
    """A forwarding endpoint as modules return and compare it (the API never returns credentials)."""
    spec = (endpoint or {}).get("spec") or {}
    https = spec.get("https") or {}
    status = (endpoint or {}).get("status") or {}
    return dict(
        slug=slug_of(endpoint),
        display_name=spec.get("displayName") or "",
        kind="https" if "https" in spec else next((k for k in spec if k != "displayName"), None),
        url=https.get("endpoint") or "",
        certificate_authority_data=((https.get("tls") or {}).get("certificateAuthorityData")) or "",
        credentials_configured=bool(status.get("credentialsConfigured")),
        credentials_updated_at=status.get("credentialsUpdatedAt"),
        state=status.get("state"),
        state_message=status.get("stateMessage") or "",
        created_at=status.get("createdAt"),
        updated_at=status.get("updatedAt"),
    )


def endpoint_spec(display_name, url, ca_data):
    """The spec object of an HTTPS forwarding endpoint."""
    https = {"endpoint": url}
    if ca_data:
        https["tls"] = {"certificateAuthorityData": ca_data}
    return {"displayName": display_name, "https": https}


def basic_auth_body(username, password):
    """The https credentials block (basic auth) of a create or update request."""
    return {"basicAuth": {"username": username, "password": password}}


def credential_action(configured, given, clear=False, update_credentials="on_create"):
    """What an update does with the stored credentials, which the API never returns.

    configured: the endpoint holds credentials now (status.credentialsConfigured). given: the task supplies
    credentials. clear: the task explicitly removes them. update_credentials: on_create or always.

    Returns CREDENTIAL_ACTION_CLEAR only for an explicit removal of credentials that exist,
    CREDENTIAL_ACTION_REPLACE when credentials are given and either none are stored yet or
    update_credentials=always, and CREDENTIAL_ACTION_PRESERVE otherwise, so a rerun never rotates or clears them.
    """
    if clear and given:
        raise ValueError("credentials cannot be given and cleared at the same time")
    if clear:
        return CREDENTIAL_ACTION_CLEAR if configured else CREDENTIAL_ACTION_PRESERVE
    if given and (not configured or update_credentials == "always"):
        return CREDENTIAL_ACTION_REPLACE
    return CREDENTIAL_ACTION_PRESERVE


def credentials_label(configured, action=None):
    """Masked credential state for diffs: never the values."""
    if action == CREDENTIAL_ACTION_REPLACE:
        return "basic auth (new value, hidden)"
    if action == CREDENTIAL_ACTION_CLEAR:
        return "none"
    return "basic auth (stored, hidden)" if configured else "none"


def pipeline_view(pipeline):
    """A forwarding pipeline as modules return and compare it."""
    spec = (pipeline or {}).get("spec") or {}
    status = (pipeline or {}).get("status") or {}
    return dict(
        slug=slug_of(pipeline),
        source=to_text((spec.get("source") or {}).get("slug") or ""),
        destination=to_text((spec.get("destination") or {}).get("slug") or ""),
        enabled=bool(spec.get("enabled")),
        state=status.get("state"),
        state_message=status.get("stateMessage") or "",
        created_at=status.get("createdAt"),
        updated_at=status.get("updatedAt"),
    )


def pipeline_spec(source, destination, enabled):
    """The spec object of a forwarding pipeline."""
    return {"source": {"slug": source}, "destination": {"slug": destination}, "enabled": bool(enabled)}


# The Telemetry Relay objects the modules manage one at a time: kind (also the key of a single-object answer) ->
# (collection path, view).
TELEMETRY_OBJECTS = {
    "endpoint": (TELEMETRY_ENDPOINTS, endpoint_view),
    "pipeline": (TELEMETRY_PIPELINES, pipeline_view),
}


def stream_view(stream):
    """A telemetry stream as modules return it."""
    spec = (stream or {}).get("spec") or {}
    return dict(slug=slug_of(stream), display_name=spec.get("displayName") or "", kind=spec.get("kind"),
                filter=spec.get("filter") or {})


def find_stream(streams, display_name=AUDIT_LOG_STREAM):
    """The stream (view) with this display name (case-insensitive), or None."""
    wanted = to_text(display_name).strip().lower()
    for stream in streams:
        view = stream if "display_name" in stream else stream_view(stream)
        if view["display_name"].strip().lower() == wanted:
            return view
    return None


def explain_telemetry_error(exc, write):
    """A CoreWeaveError with the Telemetry Relay specific explanation for org-not-enabled and role failures."""
    if not isinstance(exc, CoreWeaveError):
        return exc
    text = None
    if exc.status == 404 and exc.reason == ORG_NOT_ENABLED_REASON:
        text = ("Telemetry Relay self-service is not enabled for this CoreWeave organization (404 %s on %s %s): "
                "CoreWeave must enable it before endpoints and pipelines can be created; contact CoreWeave support "
                "and ask for Telemetry Relay self-service enablement" % (ORG_NOT_ENABLED_REASON, exc.method, exc.path))
    elif exc.status == 403:
        role = ROLE_ADMIN if write else ROLE_READER
        text = ("the CoreWeave API token is not allowed to %s Telemetry Relay resources (403 on %s %s): it needs the "
                "%s role%s; API message: %s" % (
                    "change" if write else "read", exc.method, exc.path, role,
                    " (the Reader role only allows reads)" if write else " (or Admin)",
                    (exc.details or {}).get("api_message") or exc.message))
    elif exc.status == 401:
        text = ("the CoreWeave API rejected the token (401 on %s %s): check api_token / %s; API message: %s" % (
            exc.method, exc.path, ENV_TOKEN, (exc.details or {}).get("api_message") or exc.message))
    if text is None:
        return exc
    return CoreWeaveError(text, status=exc.status, code=exc.code, reason=exc.reason, request_id=exc.request_id,
                          method=exc.method, path=exc.path, details=exc.details)


# ---------------------------------------------------------------------------------------------- module base

def client_from_params(params, config=None, environ=None):
    """CoreWeaveClient from module-style options (coreweave_argument_spec), the environment and defaults.

    Raises CoreWeaveError when no token is found or the endpoint is unusable.
    """
    config = config or resolve_config(params, environ)
    require_token(config)
    return CoreWeaveClient(config["api_endpoint"], config["api_token"], timeout=config["api_timeout"],
                           retries=params["api_retries"] if params.get("api_retries") is not None else DEFAULT_RETRIES,
                           validate_certs=params.get("validate_certs", True))


class CoreWeaveApi:
    """The CKS and Telemetry Relay API as this collection uses it, with no AnsibleModule in it (modules, the
    inventory plugin and the cluster-state engine share it). Failures raise CoreWeaveError."""

    def __init__(self, client):
        self.client = client

    def telemetry_state(self, audit_stream_name=AUDIT_LOG_STREAM):
        """Streams, endpoints and pipelines (views, sorted by slug), the audit stream and where it is forwarded to."""
        streams = sorted((stream_view(s) for s in self.list_streams()), key=lambda s: s["slug"])
        endpoints = sorted((endpoint_view(e) for e in self.list_endpoints()), key=lambda e: e["slug"])
        pipelines = sorted((pipeline_view(p) for p in self.list_pipelines()), key=lambda p: p["slug"])
        audit = find_stream(streams, audit_stream_name)
        known = set(e["slug"] for e in endpoints)
        forwarded = sorted(set(p["destination"] for p in pipelines
                               if audit and p["source"] == audit["slug"] and p["enabled"] and p["destination"] in known))
        return dict(streams=streams, endpoints=endpoints, pipelines=pipelines, audit_log_stream=audit,
                    audit_logs_forwarded_to=forwarded)

    # -- telemetry relay calls, with their errors explained
    def telemetry(self, method, path, body=None):
        """A Telemetry Relay call; 403 and org-not-enabled answers are explained."""
        try:
            return self.client.request(method, path, body=body)
        except CoreWeaveError as exc:
            raise explain_telemetry_error(exc, method.upper() in WRITE_METHODS)

    def telemetry_get_or_none(self, path):
        """GET one Telemetry Relay object; None on 404."""
        try:
            return self.client.get(path)
        except CoreWeaveError as exc:
            if exc.status == 404 and exc.reason != ORG_NOT_ENABLED_REASON:
                return None
            raise explain_telemetry_error(exc, False)

    def list_streams(self):
        """Every telemetry stream (raw)."""
        return list_items(self.telemetry("GET", TELEMETRY_STREAMS), "streams")

    def list_endpoints(self):
        """Every forwarding endpoint (raw)."""
        return list_items(self.telemetry("GET", TELEMETRY_ENDPOINTS), "endpoints")

    def list_pipelines(self):
        """Every forwarding pipeline (raw)."""
        return list_items(self.telemetry("GET", TELEMETRY_PIPELINES), "pipelines")

    def telemetry_object(self, kind, slug):
        """One forwarding endpoint or pipeline (raw) by kind (a key of TELEMETRY_OBJECTS) and slug, or None."""
        answer = self.telemetry_get_or_none("%s/%s" % (TELEMETRY_OBJECTS[kind][0], slug))
        return unwrap(answer, kind) if answer is not None else None

    def get_endpoint(self, slug):
        """One forwarding endpoint (raw) or None."""
        return self.telemetry_object("endpoint", slug)

    # -- CKS
    def list_clusters(self):
        """Every CKS cluster of the organization."""
        return list_items(self.client.get(CKS_CLUSTERS), "items")

    def get_cluster(self, cluster_id):
        """One CKS cluster by id, or None when it does not exist."""
        try:
            return unwrap(self.client.get("%s/%s" % (CKS_CLUSTERS, cluster_id)), "cluster")
        except CoreWeaveError as exc:
            if exc.status == 404:
                return None
            raise


class AnsibleCoreWeave(ProviderModule, CoreWeaveApi):
    """Base class for CoreWeave modules: the CoreWeaveApi plus the module, its result and failures."""

    ERROR_CLASS = CoreWeaveError
    argument_spec = staticmethod(coreweave_argument_spec)

    def __init__(self, module, client=None):
        ProviderModule.__init__(self, module)
        try:
            config = resolve_config(module.params)
            if config.get("api_token"):
                # the token may come from the environment: mask it in every result like the no_log option
                module.no_log_values.add(to_text(config["api_token"]))
            if client is None:
                client = client_from_params(module.params, config)
        except CoreWeaveError as exc:
            self.fail(exc)
        self.config = config
        CoreWeaveApi.__init__(self, client)


class AnsibleTelemetryObject(AnsibleCoreWeave):
    """Base class for the modules that manage one Telemetry Relay object by its slug (a forwarding endpoint or
    pipeline): the options slug and state, reading, writing and deleting the object.

    Subclasses set KIND (a key of TELEMETRY_OBJECTS, also the result key) and implement diff_view() and present();
    check_options() may fail for options the API would reject.
    """

    KIND = None

    @staticmethod
    def argument_spec():
        spec = coreweave_argument_spec()
        spec.update(
            slug=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        )
        return spec

    def run(self):
        """Check the options, read the object, then delete it (state=absent) or make it as wanted (present())."""
        params = self.module.params
        self.check_options()
        current = self.read(params["slug"])
        if params["state"] == "absent":
            self.delete(params["slug"], current)
        else:
            self.present(params["slug"], current)

    def check_options(self):
        """Fail for options the API would reject, before any request."""

    def path(self, slug=None):
        """API path of the collection, or of one object."""
        collection = TELEMETRY_OBJECTS[self.KIND][0]
        return "%s/%s" % (collection, slug) if slug else collection

    def view(self, obj):
        """The object as the module returns and compares it."""
        return TELEMETRY_OBJECTS[self.KIND][1](obj)

    def diff_view(self, view):
        """What the diff shows of a view ({} for none)."""
        raise NotImplementedError

    def present(self, slug, current):
        """state=present: create the object or update it (current: its view, or None)."""
        raise NotImplementedError

    def read(self, slug):
        """The object's view, or None when it does not exist; the result starts with it."""
        raw = self.telemetry_object(self.KIND, slug)
        current = self.view(raw) if raw is not None else None
        self.result[self.KIND] = current
        return current

    def write(self, method, slug, body):
        """POST (create) or PATCH (update) the object; the result holds it as the API answered."""
        answer = self.telemetry(method, self.path() if method == "POST" else self.path(slug), body)
        self.result[self.KIND] = self.view(unwrap(answer, self.KIND))

    def delete(self, slug, current):
        """state=absent: delete the object when it exists (check mode: only report it)."""
        if current is None:
            return
        self._mark_as_changed()
        self._set_diff(self.diff_view(current), {})
        if not self.module.check_mode:
            self.telemetry("DELETE", self.path(slug))
        self.result[self.KIND] = None
