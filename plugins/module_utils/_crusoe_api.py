# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crusoe Cloud API client, with no AnsibleModule in it: shared by the Crusoe modules (_crusoe_module), the inventory
plugin and the cluster-state engine.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.

It authenticates as Crusoe's own clients do: with an access key, signing every request (HMAC-SHA256 over path,
canonical query, method and timestamp), or as a service account, with an OAuth2 access token (client-credentials
grant against the token URL, one token per process, refreshed near its expiry or after a 401). It reads credentials
from module options, CRUSOE_* environment variables and the ~/.crusoe/config profile, retries what is safe to retry,
follows next_token pagination, waits for asynchronous operations and turns API errors into one structured failure.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import os
import re
import threading
import time
from urllib.parse import quote, quote_plus, unquote_plus, urlencode, urlsplit

from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.neocloud.support_access.plugins.module_utils import _http
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_firewall import (
    allows_api,
    control_plane_rules,
    rule_view,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._support import (
    CRUSOE_CP_FIREWALL_RULE_PREFIX,
    CRUSOE_SUPPORT_API_PORT,
)

try:
    import tomllib
    HAS_TOMLLIB = True
except ImportError:  # Python < 3.11
    tomllib = None
    HAS_TOMLLIB = False

DEFAULT_API_ENDPOINT = "https://api.cloud.crusoe.ai/v1"
DEFAULT_CONFIG_FILE = "~/.crusoe/config"
DEFAULT_TOKEN_URL = "https://auth.crusoe.ai/oauth2/token"
# Legacy endpoints rewritten to the current one, as Crusoe's Terraform provider does.
LEGACY_ENDPOINTS = {
    "https://api.crusoecloud.com/v1alpha5": DEFAULT_API_ENDPOINT,
    "https://api.crusoecloud.com/v1": DEFAULT_API_ENDPOINT,
}
SIGNATURE_VERSION = "1.0"
TIMESTAMP_HEADER = "X-Crusoe-Timestamp"
# A service account's access token is replaced when less than this many seconds of it remain (or half its lifetime,
# for a token that lives less than twice as long), so no request goes out with a token that expires on the way.
TOKEN_REFRESH_MARGIN = 60

# Each setting: (option, environment variable, keys of the config file profile); read in this order.
SETTINGS = (
    ("access_key_id", "CRUSOE_ACCESS_KEY_ID", ("access_key_id",)),
    ("secret_key", "CRUSOE_SECRET_KEY", ("secret_key",)),
    ("client_id", "CRUSOE_CLIENT_ID", ("client_id",)),
    ("client_secret", "CRUSOE_CLIENT_SECRET", ("client_secret",)),
    ("token_url", "CRUSOE_TOKEN_URL", ("token_url",)),
    ("api_endpoint", "CRUSOE_API_ENDPOINT", ("api_endpoint",)),
    ("project", "CRUSOE_DEFAULT_PROJECT", ("default_project", "default_project_id")),
)
ENV_VARS = tuple(env for dummy, env, dummy2 in SETTINGS) + ("CRUSOE_PROFILE",)
# Where a setting can come from, highest precedence first (the first word of its source).
PRECEDENCE = ("option", "env", "profile")

AUTH_SERVICE_ACCOUNT = "service_account"
AUTH_ACCESS_KEY = "access_key"
# The two ways to authenticate and the pair of settings each needs. When both are configured, the one whose settings
# come from the higher-precedence place wins; at the same place the service account wins (listed first).
AUTH_METHODS = (
    (AUTH_SERVICE_ACCOUNT, "service account", ("client_id", "client_secret")),
    (AUTH_ACCESS_KEY, "access key", ("access_key_id", "secret_key")),
)

ROLE_PREFIX = "SUPPORT_ACCESS_ROLE_"
SUPPORT_ROLE_ORDER = ("readonly", "operator")

OPERATION_SUCCEEDED = "SUCCEEDED"
OPERATION_FAILED = "FAILED"
OPERATION_IN_PROGRESS = "IN_PROGRESS"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class CrusoeError(_http.ApiError):
    """A failure talking to Crusoe, with everything a user needs to act on it (error_id: Crusoe's error id)."""

    FIELDS = ("status", "code", "reason", "error_id", "request_id", "method", "path")

    def __init__(self, message, status=None, code=None, reason=None, error_id=None, request_id=None,
                 method=None, path=None, details=None):
        super().__init__(message, status=status, code=code, reason=reason, request_id=request_id, method=method,
                         path=path, details=details)
        self.error_id = error_id


class CrusoeConfigError(CrusoeError):
    """Credentials or settings are missing or wrong before any request was sent."""


class CrusoeLoginError(CrusoeError):
    """The service account's token endpoint refused to issue an access token (or could not be reached)."""


# ---------------------------------------------------------------------------------------------- signing

def canonical_query(query):
    """Canonical form of a raw query string: keys sorted, values kept in order, QueryEscape encoding.

    Mirrors Go's url.ParseQuery + Values.Encode used by Crusoe's clients; a ';' is an error there too.
    """
    if not query:
        return ""
    if ";" in query:
        raise ValueError("invalid semicolon separator in query")
    groups = {}
    for part in query.split("&"):
        if not part:
            continue
        key, dummy, value = part.partition("=")
        groups.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return "&".join("%s=%s" % (quote_plus(k, safe=""), quote_plus(v, safe=""))
                    for k in sorted(groups) for v in groups[k])


def _b64decode_unpadded(value):
    value = to_text(value).strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def format_timestamp(when=None):
    """RFC3339 UTC timestamp as Crusoe expects in X-Crusoe-Timestamp."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def string_to_sign(path, query, method, timestamp):
    """The four newline-terminated lines Crusoe signs; the body is not signed."""
    return "%s\n%s\n%s\n%s\n" % (path, canonical_query(query), method.upper(), timestamp)


def compute_signature(secret_key, path, query, method, timestamp):
    """Unpadded URL-safe base64 HMAC-SHA256 of the string to sign, keyed by the decoded secret."""
    try:
        key = _b64decode_unpadded(secret_key)
    except (ValueError, TypeError) as exc:
        raise CrusoeConfigError("secret_key is not valid URL-safe base64: %s" % to_native(exc))
    digest = hmac.new(key, string_to_sign(path, query, method, timestamp).encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign_headers(access_key_id, secret_key, path, query, method, timestamp=None):
    """Authorization and timestamp headers for one request."""
    timestamp = timestamp or format_timestamp()
    signature = compute_signature(secret_key, path, query, method, timestamp)
    return {
        TIMESTAMP_HEADER: timestamp,
        "Authorization": "Bearer %s:%s:%s" % (SIGNATURE_VERSION, access_key_id, signature),
    }


# ---------------------------------------------------------------------------------------------- configuration

def migrate_endpoint(endpoint):
    """Current endpoint for a legacy one; anything else unchanged (without a trailing slash)."""
    endpoint = (endpoint or DEFAULT_API_ENDPOINT).rstrip("/")
    return LEGACY_ENDPOINTS.get(endpoint, endpoint)


def _env(environ, name):
    value = environ.get(name)
    return value if value else None


def load_config_file(path):
    """Parse the TOML config file; a missing file is an empty config."""
    path = os.path.expanduser(path)
    if not os.path.exists(path):
        return {}
    if not HAS_TOMLLIB:
        raise CrusoeConfigError("reading the Crusoe config file %s needs Python 3.11 or later (tomllib)" % path)
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, ValueError) as exc:
        raise CrusoeConfigError("cannot read the Crusoe config file %s (option config_file, TOML with one table per "
                                "profile): %s" % (path, to_native(exc)))


def resolve_config(params, environ=None):
    """Effective settings: module options, then CRUSOE_* environment variables, then the config file profile.

    The profile is chosen by the profile option, then CRUSOE_PROFILE, then the file's top-level profile key,
    then "default". Returns a dict with api_endpoint, access_key_id, secret_key, project, profile, config_file
    and sources (where each value came from, never the values of secrets).
    """
    environ = os.environ if environ is None else environ
    config_file = params.get("config_file") or DEFAULT_CONFIG_FILE
    data = load_config_file(config_file)
    top_profile = data.get("profile") if isinstance(data.get("profile"), str) else None
    profile = params.get("profile") or _env(environ, "CRUSOE_PROFILE") or top_profile or "default"
    section = data.get(profile) if isinstance(data.get(profile), dict) else {}

    out = dict(profile=profile, config_file=os.path.expanduser(config_file), sources={})
    for name, env_name, file_keys in SETTINGS:
        value, source = params.get(name), "option"
        if not value:
            value, source = _env(environ, env_name), "env " + env_name
        if not value:
            value, source = None, None
            for key in file_keys:
                if isinstance(section.get(key), str) and section.get(key):
                    value, source = section[key], "profile %s in %s" % (profile, out["config_file"])
                    break
        out[name] = value
        out["sources"][name] = source
    out["api_endpoint"] = migrate_endpoint(out["api_endpoint"])
    out["token_url"] = out["token_url"] or DEFAULT_TOKEN_URL
    out["auth"] = choose_auth(out["sources"])
    return out


def _precedence(source):
    """0 for an option, 1 for an environment variable, 2 for the config file profile."""
    return PRECEDENCE.index(source.split(" ", 1)[0])


def choose_auth(sources):
    """The way to authenticate (AUTH_SERVICE_ACCOUNT, AUTH_ACCESS_KEY or None) from where each setting came from.

    A method counts as configured when either of its two settings is set; its place is the highest-precedence place
    of those (option, then environment variable, then config file profile). The configured method at the highest
    place wins, the service account when both are at the same place. Whether the winner is complete is
    require_credentials' business: a half-configured pair never falls back to the other method.
    """
    found = []
    for auth, dummy, names in AUTH_METHODS:
        places = [_precedence(sources[n]) for n in names if sources.get(n)]
        if places:
            found.append((min(places), auth))
    return min(found, key=lambda item: item[0])[1] if found else None


def setting_places(name, config):
    """Where a setting is read, for messages: its option, environment variable and config file profile key."""
    env_name, file_keys = next((env, keys) for option, env, keys in SETTINGS if option == name)
    return "the %s option, the %s environment variable or %s in profile '%s' of the config file %s" % (
        name, env_name, " / ".join(file_keys), config["profile"], config["config_file"])


def require_credentials(config):
    """Fail with every place credentials can come from when none are configured, or when the method chosen by
    choose_auth lacks one of its two settings (naming the one found, where from, and where the other is read)."""
    auth = config.get("auth")
    if auth is None:
        raise CrusoeConfigError(
            "Crusoe credentials missing (access_key_id, secret_key): set the access_key_id and secret_key options, or "
            "the CRUSOE_ACCESS_KEY_ID and CRUSOE_SECRET_KEY environment variables, or access_key_id and secret_key "
            "in profile '%s' of the config file %s (profile chosen by the profile option, CRUSOE_PROFILE or the "
            "file's top-level profile key); or log in as a service account with client_id and client_secret "
            "(CRUSOE_CLIENT_ID and CRUSOE_CLIENT_SECRET, or the same keys in the profile)"
            % (config["profile"], config["config_file"]))
    label, names = next((label, names) for method, label, names in AUTH_METHODS if method == auth)
    missing = [name for name in names if not config.get(name)]
    if not missing:
        return
    have = next(name for name in names if name not in missing)
    other = next((other_label, other_names) for method, other_label, other_names in AUTH_METHODS if method != auth)
    ignored = ""
    if any(config["sources"].get(name) for name in other[1]):
        ignored = ("; the %s also configured (%s) is not used: the %s wins when its settings come from the same or a "
                   "higher-precedence place" % (other[0], ", ".join(n for n in other[1] if config["sources"].get(n)),
                                                label))
    raise CrusoeConfigError("Crusoe %s incomplete: %s is set (from %s) but %s is missing: set %s%s" % (
        label, have, config["sources"][have], missing[0], setting_places(missing[0], config), ignored))


def credential_label(config):
    """Who the client authenticates as, for messages: "service account <client id>" or "key <access key id>"."""
    if config.get("auth") == AUTH_SERVICE_ACCOUNT:
        return "service account %s" % config.get("client_id")
    return "key %s" % config.get("access_key_id")


# ---------------------------------------------------------------------------------------------- helpers

def role_name(role):
    """A role as the API and the CLI spell it, in one spelling: ``SUPPORT_ACCESS_ROLE_READONLY`` (CLI) and
    ``readonly`` (API) are ``readonly``; a name that is not all upper case keeps its case. Never fails."""
    text = to_text(role if role is not None else "").strip()
    if text.upper().startswith(ROLE_PREFIX):
        text = text[len(ROLE_PREFIX):]
    return text.lower() if text.isupper() else text


def normalize_role(role):
    """'readonly', 'READONLY' or 'SUPPORT_ACCESS_ROLE_READONLY' -> 'readonly'; ValueError for anything else."""
    text = role_name(role).lower()
    if text not in SUPPORT_ROLE_ORDER:
        raise ValueError("unknown support access role %r (expected one of: readonly, operator, or their "
                         "SUPPORT_ACCESS_ROLE_* spellings)" % to_native(role))
    return text


def normalize_roles(roles, implied=True):
    """Sorted, de-duplicated role list; operator brings readonly with it (as the Crusoe docs say)."""
    found = set(normalize_role(r) for r in roles or [])
    if implied and "operator" in found:
        found.add("readonly")
    return [r for r in SUPPORT_ROLE_ORDER if r in found]


def parse_time(value):
    """RFC3339 string -> aware datetime, or None (empty or not a time)."""
    try:
        return _lease.parse_time(to_text(value) if value else None)
    except (TypeError, ValueError):
        return None


def annotate_requests(requests, now=None):
    """Copy of active_requests with expired/status from expires_at (or cert_expires_at when that is later)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    out = []
    for request in requests or []:
        item = dict(request)
        if item.get("access_role"):
            try:
                item["access_role"] = normalize_role(item["access_role"])
            except ValueError:
                pass
        ends = [t for t in (parse_time(item.get("expires_at")), parse_time(item.get("cert_expires_at"))) if t]
        if ends:
            item["expired"] = max(ends) <= now
        else:
            item["expired"] = False
        item["status"] = "expired" if item["expired"] else "active"
        out.append(item)
    return out


def _api_roles(roles):
    """Roles the API reports, normalised where known; an unknown value is kept as it is (and never matches)."""
    known = [r for r in SUPPORT_ROLE_ORDER if r in set(_try_role(x) for x in roles or [])]
    return known + [to_text(x) for x in roles or [] if _try_role(x) is None]


def _try_role(role):
    try:
        return normalize_role(role)
    except ValueError:
        return None


def settings_view(settings):
    """Settings as returned: roles normalised, requests annotated."""
    requests = annotate_requests(settings.get("active_requests"))
    return dict(
        access_enabled=bool(settings.get("access_enabled")),
        enabled_roles=_api_roles(settings.get("enabled_roles")),
        active_requests=requests,
        active_request_count=len([r for r in requests if not r["expired"]]),
    )


# ---------------------------------------------------------------------------------------------- service-account login

# One access token per process and service account (token URL, client id, digest of the secret): the module run,
# the inventory parse (and the in-process module runs forked from it) share it instead of logging in per request.
_TOKENS = {}
_TOKENS_LOCK = threading.Lock()

# What to check for each error of RFC 6749 section 5.2, by the settings it names. The client sends a well-formed
# client-credentials request, so an endpoint that finds fault with the request or the grant is not Crusoe's.
_CHECK_TOKEN_URL = "check token_url: it must be Crusoe's OAuth2 token endpoint (default %s)" % DEFAULT_TOKEN_URL
_LOGIN_HINTS = {
    "invalid_client": "check client_id and client_secret: the token endpoint does not know this client or this secret",
    "unauthorized_client": "service account client_id may not use the client_credentials grant; ask an organization "
                           "admin to allow it",
    "unsupported_grant_type": _CHECK_TOKEN_URL,
    "invalid_grant": _CHECK_TOKEN_URL,
    "invalid_request": _CHECK_TOKEN_URL,
}
_LOGIN_HINT = "check client_id, client_secret and token_url"
MASK = "********"


def check_token_url(url, source=None):
    """Refuse a token URL that is not https: the client secret never travels in clear (as Crusoe's client-go)."""
    parts = urlsplit(to_text(url or ""))
    if parts.scheme != "https" or not parts.netloc:
        raise CrusoeConfigError("token_url %r (from %s) is not an https URL: the client secret is only sent over TLS; "
                                "give https://host/path (default %s)"
                                % (to_native(url), source or "default", DEFAULT_TOKEN_URL))


class ServiceAccountLogin(_http.JsonApiClient):
    """A Crusoe service account's access tokens: the OAuth2 client-credentials grant (RFC 6749 section 4.4) against
    the token URL, the client authenticated with HTTP Basic (section 2.3.1), through the same retrying HTTP helper as
    the API. token() returns the process's token for this account, fetching a new one when there is none, when it
    expires within TOKEN_REFRESH_MARGIN, or after the API refused it (refresh()). Neither the secret nor a token ever
    appears in a message (redact())."""

    API_NAME = "Crusoe token"
    ERROR_CLASS = CrusoeLoginError
    CONFIG_ERROR_CLASS = CrusoeConfigError
    RETRY_REFUSED = True

    def __init__(self, token_url, client_id, client_secret, sources=None, clock=time.monotonic, **kwargs):
        self.sources = sources or {}
        check_token_url(token_url, self.sources.get("token_url"))
        super().__init__(token_url, **kwargs)
        self.client_id = to_text(client_id)
        self._secret = to_text(client_secret)
        self.clock = clock
        self.seen = set()  # the tokens this login handed out, for redact()
        self._cache_key = (token_url, self.client_id, hashlib.sha256(self._secret.encode("utf-8")).hexdigest())

    def should_retry(self, method, status=None, failure=None):
        """A token request changes nothing but the token issued, so it is repeated like a GET."""
        return _http.should_retry("GET", status=status, failure=failure, retry_refused=True)

    def token(self):
        """The access token to send: the process's current one, or a new one when it expires within the margin."""
        with _TOKENS_LOCK:
            entry = _TOKENS.get(self._cache_key)
            if entry is None or (entry["refresh_at"] is not None and self.clock() >= entry["refresh_at"]):
                entry = _TOKENS[self._cache_key] = self._fetch()
            self.seen.add(entry["token"])
            return entry["token"]

    def refresh(self, rejected):
        """Forget the token the API rejected (unless another one replaced it meanwhile): token() fetches anew."""
        with _TOKENS_LOCK:
            if _TOKENS.get(self._cache_key, {}).get("token") == rejected:
                del _TOKENS[self._cache_key]

    def _fetch(self):
        started = self.clock()
        path = urlsplit(self.endpoint).path or "/"
        try:
            answer = self.send("POST", self.endpoint, path, auth_headers=self._basic_auth,
                               form={"grant_type": "client_credentials"})
        except CrusoeLoginError as exc:
            if exc.status is not None and exc.status not in _http.OK_STATUSES:
                raise  # an error answer: api_error said it all
            # a transport failure or a non-JSON answer: the HTTP helper's message, with the setting to check
            tls = (exc.details or {}).get("failure") == "tls"
            raise CrusoeLoginError("Crusoe service account login: %s; check token_url (from %s)%s" % (
                exc.message, self.sources.get("token_url") or "default",
                " and the CA that signed its certificate (SSL_CERT_FILE, validate_certs)" if tls else ""),
                status=exc.status, method=exc.method, path=exc.path, details=exc.details)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        token_type = answer.get("token_type") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token or to_text(token_type).lower() != "bearer":
            raise CrusoeLoginError("Crusoe service account login: the token endpoint %s answered without a bearer "
                                   "access_token (token_type %r); check token_url (from %s)" % (
                                       self.endpoint, token_type, self.sources.get("token_url") or "default"),
                                   method="POST", path=path)
        try:
            lifetime = float(answer["expires_in"])
        except (KeyError, TypeError, ValueError):
            lifetime = None  # no expiry given: the token is used until the API refuses it
        refresh_at = None
        if lifetime is not None:
            refresh_at = started + lifetime - min(TOKEN_REFRESH_MARGIN, max(lifetime, 0) / 2.0)
        return dict(token=token, refresh_at=refresh_at)

    def _basic_auth(self):
        pair = "%s:%s" % (quote_plus(self.client_id, safe=""), quote_plus(self._secret, safe=""))
        return {"Authorization": "Basic %s" % base64.b64encode(pair.encode("utf-8")).decode("ascii")}

    def secret_values(self):
        """The secret in the forms it travels in (plain, form-encoded, inside the Basic header) and every token."""
        values = {self._secret, quote_plus(self._secret, safe=""), self._basic_auth()["Authorization"][6:]}
        return sorted(v for v in values | self.seen if v)

    def redact(self, text):
        """The text with the secret and the tokens masked (an error answer may echo the request)."""
        if not isinstance(text, str):
            return text
        for value in self.secret_values():
            text = text.replace(value, MASK)
        return text

    def api_error(self, status, raw, headers, method, path, attempts):
        """CrusoeLoginError for an error answer of the token endpoint (RFC 6749 section 5.2), naming the settings
        to check and where they came from, and what the endpoint said."""
        body = _http.error_body(raw)
        error = self.redact(to_text(body["error"])) if isinstance(body.get("error"), str) else None
        description = self.redact(to_text(body.get("error_description") or ""))
        said = ": ".join(p for p in (error, description) if p) or self.redact(to_text(raw)[:300]) or "HTTP %s" % status
        sources = self.sources
        text = ("Crusoe service account login failed: the token endpoint %s answered %s %s; %s (client_id %s from %s, "
                "client_secret from %s, token_url from %s)" % (
                    self.endpoint, status, said, _LOGIN_HINTS.get(error, _LOGIN_HINT), self.client_id,
                    sources.get("client_id") or "nowhere", sources.get("client_secret") or "nowhere",
                    sources.get("token_url") or "default"))
        return CrusoeLoginError(text, status=status, code=error, request_id=self.request_id(headers), method=method,
                                path=path, details=dict(attempts=attempts, api_message=said))


# ---------------------------------------------------------------------------------------------- client

class CrusoeClient(_http.JsonApiClient):
    """HTTP client for the Crusoe API, signing every request with the access key or sending the service account's
    access token (login: a ServiceAccountLogin); no Ansible module required, so tests can use it directly."""

    API_NAME = "Crusoe"
    ERROR_CLASS = CrusoeError
    CONFIG_ERROR_CLASS = CrusoeConfigError
    REQUEST_ID_HEADERS = ("X-Request-Id", "X-Crusoe-Request-Id")
    RETRY_REFUSED = True

    def __init__(self, api_endpoint, access_key_id=None, secret_key=None, timeout=30, retries=5, validate_certs=True,
                 sleep=time.sleep, backoff_base=0.5, backoff_cap=30.0, user_agent="neocloud.support_access", login=None):
        super().__init__(migrate_endpoint(api_endpoint), timeout=timeout, retries=retries,
                         validate_certs=validate_certs, sleep=sleep, backoff_base=backoff_base, backoff_cap=backoff_cap,
                         user_agent=user_agent)
        self.access_key_id = access_key_id
        self.secret_key = secret_key
        self.login = login

    def _url(self, path, query):
        path = self.base_path + "/" + path.lstrip("/")
        qs = urlencode([(k, v) for k, v in query if v is not None]) if query else ""
        return path, qs

    def request(self, method, path, query=None, body=None, ok_statuses=(200, 201, 202, 204)):
        """Send one API call with retries; returns the decoded JSON body (or {}). Raises CrusoeError."""
        method = method.upper()
        if isinstance(query, dict):
            query = sorted(query.items())
        full_path, qs = self._url(path, query)
        parts = urlsplit(self.endpoint)
        url = "%s://%s%s%s" % (parts.scheme, parts.netloc, quote(full_path), ("?" + qs) if qs else "")

        if self.login is None:
            def auth_headers():
                # Signed again for every attempt: the signature covers the current timestamp.
                return sign_headers(self.access_key_id, self.secret_key, full_path, qs, method)
            return self.send(method, url, full_path, body=body, auth_headers=auth_headers, ok_statuses=ok_statuses)

        sent = []

        def bearer():
            sent.append(self.login.token())
            return {"Authorization": "Bearer %s" % sent[-1]}
        try:
            return self.send(method, url, full_path, body=body, auth_headers=bearer, ok_statuses=ok_statuses)
        except CrusoeLoginError:
            raise
        except CrusoeError as exc:
            if exc.status != 401 or not sent:
                raise
        # The API refused the token (revoked, expired early): one new token, one more try; the request was not
        # processed, so repeating it is safe whatever its method.
        self.login.refresh(sent[-1])
        return self.send(method, url, full_path, body=body, auth_headers=bearer, ok_statuses=ok_statuses)

    def redact(self, text):
        """The text with the service account's secret and tokens masked (an error answer may echo the request)."""
        return self.login.redact(text) if self.login is not None else text

    def secret_values(self):
        """The values a module masks in its result: the service account's secret and tokens (none for a key)."""
        return self.login.secret_values() if self.login is not None else []

    def api_error(self, status, raw, headers, method, path, attempts):
        """CrusoeError for an error answer, with Crusoe's code, reason and error_id."""
        body = _http.error_body(raw)
        message = self.redact(to_text(body.get("message") or "") or to_text(raw)[:300] or "HTTP %s" % status)
        code, reason = self.redact(body.get("code")), self.redact(body.get("reason"))
        text = "Crusoe API error %s on %s %s: %s%s" % (status, method, path, message, (" (code %s)" % code) if code else "")
        if status == 401 and self.login is not None:
            text += ("; the API refused a freshly issued token of service account %s: check the service account "
                     "(options client_id and client_secret, the CRUSOE_CLIENT_ID and CRUSOE_CLIENT_SECRET environment "
                     "variables or the config file profile) and api_endpoint" % self.login.client_id)
        elif status == 401:
            text += ("; check the credentials: options access_key_id and secret_key, the CRUSOE_ACCESS_KEY_ID and "
                     "CRUSOE_SECRET_KEY environment variables or the config file profile")
        return CrusoeError(text, status=status, code=code, reason=reason,
                           error_id=body.get("error_id"), request_id=self.request_id(headers), method=method, path=path,
                           details=dict(attempts=attempts, api_message=message))

    def get(self, path, query=None):
        """GET one object."""
        return self.request("GET", path, query=query)

    def list_all(self, path, query=None, limit_pages=1000):
        """GET a list endpoint and follow next_token until the last page; returns all items."""
        query = dict(query or {})
        items = []
        for dummy in range(limit_pages):
            page = self.request("GET", path, query=query)
            items.extend(page.get("items") or [])
            token = page.get("next_token")
            if not token:
                return items
            query["next_token"] = token
        raise CrusoeError("pagination of %s did not end after %d pages" % (path, limit_pages), path=path)

    def wait_operation(self, operations_path, operation, timeout=300, interval=0.25, max_interval=2.0,
                       clock=time.monotonic):
        """Poll an asynchronous operation until SUCCEEDED or FAILED; returns it or raises CrusoeError."""
        op = operation.get("operation", operation) if isinstance(operation, dict) else {}
        op_id = op.get("operation_id")
        deadline = clock() + timeout
        while op.get("state") not in (OPERATION_SUCCEEDED, OPERATION_FAILED):
            if not op_id:
                raise CrusoeError("the Crusoe API returned an operation without operation_id: %r" % (op,))
            if clock() >= deadline:
                raise CrusoeError("operation %s did not finish within %s seconds (last state %s)" % (
                    op_id, timeout, op.get("state")), details=dict(operation=op))
            self.sleep(interval)
            interval = min(max_interval, interval * 2)
            op = self.get("%s/%s" % (operations_path.rstrip("/"), op_id))
            op = op.get("operation", op)
        if op["state"] == OPERATION_FAILED:
            result = op.get("result") or {}
            raise CrusoeError("operation %s FAILED: %s%s" % (
                op_id, result.get("message") or "no message", (" (code %s)" % result["code"]) if result.get("code") else ""),
                code=result.get("code"), details=dict(operation=op))
        return op


def client_from_params(params, environ=None):
    """(config, CrusoeClient) from module-style options (_crusoe_module.crusoe_argument_spec), the environment and the
    config file: a client logging in as the service account or signing with the access key, as choose_auth says.

    Raises CrusoeError when no credentials are found, the chosen pair is incomplete or the endpoint or token URL
    is unusable.
    """
    config = resolve_config(params, environ)
    require_credentials(config)
    http = dict(timeout=params.get("api_timeout") or 30,
                retries=params["api_retries"] if params.get("api_retries") is not None else 5,
                validate_certs=params.get("validate_certs", True))
    if config["auth"] == AUTH_SERVICE_ACCOUNT:
        login = ServiceAccountLogin(config["token_url"], config["client_id"], config["client_secret"],
                                    sources=config["sources"], **http)
        return config, CrusoeClient(config["api_endpoint"], login=login, **http)
    return config, CrusoeClient(config["api_endpoint"], config["access_key_id"], config["secret_key"], **http)


# ---------------------------------------------------------------------------------------------- API

class CrusoeApi:
    """The Crusoe API as this collection uses it, with no AnsibleModule in it: project and cluster lookup (UUID or
    name), firewall rules and operations. Modules (AnsibleCrusoe), the inventory plugin and the cluster-state engine
    share it. Every failure raises CrusoeError with a message that names the option and the object."""

    def __init__(self, client, config=None):
        self.client = client
        self.config = config or {"sources": {}}
        self._project = None

    # -- project
    @property
    def project_label(self):
        """Name (or id) of the resolved project for messages."""
        project = self.project
        return project.get("name") or project["id"]

    @property
    def project(self):
        """The project as {id, name}: option/env/profile value (UUID or name), or the only visible project."""
        if self._project is None:
            self._project = self.resolve_project(self.config.get("project"))
        return self._project

    def list_projects(self, name=None):
        """Every project visible to the key (optionally filtered by exact name)."""
        query = {"project_name": name} if name else None
        items = self.client.list_all("organizations/projects", query)
        if name:
            items = [p for p in items if p.get("name") == name]
        return items

    def resolve_project(self, value):
        """Project by UUID or by name, as Crusoe's Terraform provider does; none given -> the only one."""
        if value and UUID_RE.match(value):
            try:
                found = self.client.get("organizations/projects/%s" % value)
            except CrusoeError as exc:
                if exc.status == 404:
                    raise CrusoeError("project %s not found (source: %s)" % (value, self.config["sources"].get("project")),
                                      status=404, code=exc.code)
                raise
            return dict(id=found.get("id", value), name=found.get("name"))
        if value:
            matches = self.list_projects(value)
            if len(matches) != 1:
                raise CrusoeError("project %r (source: %s) matched %d projects by name%s; give its UUID instead" % (
                    value, self.config["sources"].get("project"), len(matches),
                    (": " + ", ".join(p["id"] for p in matches)) if matches else ""))
            return dict(id=matches[0]["id"], name=matches[0].get("name"))
        projects = self.list_projects()
        if len(projects) != 1:
            raise CrusoeError(
                "no project given and %d projects are visible (%s): set the project option, CRUSOE_DEFAULT_PROJECT "
                "or default_project in the config file profile" % (
                    len(projects), ", ".join(p.get("name") or p["id"] for p in projects) or "none"))
        return dict(id=projects[0]["id"], name=projects[0].get("name"))

    # -- clusters
    def cluster_path(self, cluster_id=None, project_id=None):
        """API path of the project's clusters collection or one cluster."""
        base = "projects/%s/kubernetes/clusters" % (project_id or self.project["id"])
        return base + ("/%s" % cluster_id if cluster_id else "")

    def find_cluster(self, value, option="cluster"):
        """Cluster by UUID or by name (cluster_name filter); clear error for none or several."""
        if not value:
            raise CrusoeError("option %s is required" % option)
        if UUID_RE.match(value):
            try:
                return self.client.get(self.cluster_path(value))
            except CrusoeError as exc:
                if exc.status == 404:
                    raise CrusoeError("cluster '%s' not found in project '%s' (looked up by id, option %s)" % (
                        value, self.project_label, option), status=404, code=exc.code, error_id=exc.error_id,
                        request_id=exc.request_id)
                raise
        items = [c for c in self.client.list_all(self.cluster_path(), {"cluster_name": value}) if c.get("name") == value]
        if not items:
            raise CrusoeError("cluster '%s' not found in project '%s' (looked up by cluster_name, option %s)" % (
                value, self.project_label, option), status=404)
        if len(items) > 1:
            ids = ", ".join(c["id"] for c in items)
            raise CrusoeError("cluster name '%s' is ambiguous in project '%s': %d clusters match (%s); give the "
                              "cluster id in option %s" % (value, self.project_label, len(items), ids, option))
        return items[0]

    # -- firewall
    def firewall_path(self, rule_id=None):
        """API path of the project's VPC firewall rules or one rule."""
        base = "projects/%s/networking/vpc-firewall-rules" % self.project["id"]
        return base + ("/%s" % rule_id if rule_id else "")

    def wait(self, answer, timeout):
        """Wait for a firewall operation answer; returns the finished operation."""
        return self.client.wait_operation(self.firewall_path("operations"), answer, timeout=timeout)

    def find_vpc_network(self, value, option="vpc_network"):
        """VPC network by UUID or exact name in the project."""
        if UUID_RE.match(value):
            try:
                return self.client.get("projects/%s/networking/vpc-networks/%s" % (self.project["id"], value))
            except CrusoeError as exc:
                if exc.status == 404:
                    raise CrusoeError("VPC network '%s' (option %s) not found in project '%s'" % (
                        value, option, self.project_label), status=404)
                raise
        found = [n for n in self.client.list_all("projects/%s/networking/vpc-networks" % self.project["id"])
                 if n.get("name") == value]
        if len(found) != 1:
            raise CrusoeError("VPC network '%s' (option %s) matched %d networks in project '%s'%s" % (
                value, option, len(found), self.project_label,
                (": " + ", ".join(n["id"] for n in found)) if found else ""))
        return found[0]

    def cluster_vpc_network_id(self, cluster):
        """The VPC network a cluster lives in, through its subnet."""
        subnet_id = cluster.get("subnet_id")
        if not subnet_id:
            raise CrusoeError("cluster '%s' has no subnet_id, so its VPC network is unknown" % cluster.get("name"))
        subnet = self.client.get("projects/%s/networking/vpc-subnets/%s" % (cluster.get("project_id") or self.project["id"],
                                                                            subnet_id))
        if not subnet.get("vpc_network_id"):
            raise CrusoeError("subnet %s of cluster '%s' names no vpc_network_id" % (subnet_id, cluster.get("name")))
        return subnet["vpc_network_id"]

    def list_rules(self):
        """Every VPC firewall rule of the project."""
        return self.client.list_all(self.firewall_path())

    def change_rule(self, method, rule_id, body, timeout):
        """POST/PATCH/DELETE a firewall rule and wait for its operation; returns the finished operation."""
        answer = self.client.request(method, self.firewall_path(rule_id), body=body)
        return self.wait(answer, timeout)

    # -- the support VPN on a cluster's control-plane API rule
    def _support_rule_by_id(self, cluster, vpc_id, rule_id):
        """One GET instead of listing the project's rules; the rule must still be in the cluster's VPC network."""
        try:
            rule = self.client.get(self.firewall_path(rule_id))
        except CrusoeError as exc:
            if exc.status == 404:
                raise CrusoeError("option rule: firewall rule %s not found in project '%s' (cluster '%s'); if it came "
                                  "from a cached inventory (support_access_firewall_rule), refresh the inventory"
                                  % (rule_id, self.project_label, cluster["name"]), status=404)
            raise
        if rule.get("vpc_network_id") != vpc_id:
            raise CrusoeError("option rule: firewall rule '%s' (%s) is in VPC network %s, not in %s of cluster '%s'"
                              % (rule.get("name"), rule_id, rule.get("vpc_network_id"), vpc_id, cluster["name"]))
        return rule

    def support_rule(self, cluster, wanted=None):
        """The cluster's control-plane API rule: by ``wanted`` (UUID: one GET; name), else the one rule named
        cmk-cp-api-access-cp-* in the cluster's VPC network. Fails unless it allows ingress tcp/443."""
        vpc_id = self.cluster_vpc_network_id(cluster)
        if wanted and UUID_RE.match(wanted):
            rule = self._support_rule_by_id(cluster, vpc_id, wanted)
        else:
            rules = [r for r in self.list_rules() if r.get("vpc_network_id") == vpc_id]
            if wanted:
                found = [r for r in rules if r.get("id") == wanted or r.get("name") == wanted]
                if len(found) != 1:
                    raise CrusoeError("option rule: %d firewall rules named or with id '%s' in VPC network %s of cluster '%s'"
                                      % (len(found), wanted, vpc_id, cluster["name"]))
                rule = found[0]
            else:
                candidates = control_plane_rules(rules, cluster["id"])
                if len(candidates) != 1:
                    raise CrusoeError(
                        "cannot identify the control-plane API firewall rule of cluster '%s': %d rules named %s* in its VPC "
                        "network %s (%s); give option rule" % (
                            cluster["name"], len(candidates), CRUSOE_CP_FIREWALL_RULE_PREFIX, vpc_id,
                            ", ".join("%s (%s)" % (r.get("name"), r.get("id")) for r in candidates) or
                            "rules in that network: " + (", ".join(r.get("name") or r.get("id") for r in rules) or "none")))
                rule = candidates[0]
        view = rule_view(rule)
        if not allows_api(view):
            raise CrusoeError("firewall rule '%s' of cluster '%s' does not allow ingress tcp/%s (direction %s, action %s, "
                              "protocols %s, destination ports %s)" % (
                                  view["name"], cluster["name"], CRUSOE_SUPPORT_API_PORT, view["direction"],
                                  view["action"], view["protocols"], view["destination_ports"] or "all"))
        return rule
