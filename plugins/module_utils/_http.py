# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retrying JSON-over-HTTP helper shared by the Crusoe and CoreWeave API clients of neocloud.support_access.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.

It sends one JSON request through ansible.module_utils.urls, repeats it when that is safe (exponential backoff
with equal jitter and a cap, Retry-After honoured on 429), decodes the JSON answer and turns transport failures
and API errors into one structured exception. A provider client subclasses JsonApiClient and adds only what
differs: authentication headers, URL layout, error body fields and the provider's name in messages.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import socket
import ssl
import time
from urllib.parse import urlencode, urlsplit

from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.urls import Request, make_context
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

# Methods whose request can be repeated without changing the outcome. The provider clients send PATCH bodies
# with complete values, so repeating one lands in the same state. POST creates.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"))
# 500 is in: a provider's internal error is usually transient, and only idempotent requests are repeated for it.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
OK_STATUSES = (200, 201, 202, 204)


# One TLS context per process, verification setting and CA environment: building one loads the whole CA store
# (ssl's default paths and ansible's CA directory scan), which cost more CPU than the request itself when every
# request built its own.
_SSL_CONTEXTS = {}


def ssl_context(validate_certs=True):
    """The process's TLS context for ``validate_certs`` (rebuilt when SSL_CERT_FILE / SSL_CERT_DIR change)."""
    key = (bool(validate_certs), os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    if key not in _SSL_CONTEXTS:
        _SSL_CONTEXTS[key] = make_context(validate_certs=bool(validate_certs))
    return _SSL_CONTEXTS[key]


class ApiError(Exception):
    """A failure talking to an HTTP API: message plus the status, code, reason, request id, method and path known.

    details holds the number of attempts, the transport failure kind or the API's own message where known.
    """

    # Fields as_dict reports, in this order.
    FIELDS = ("status", "code", "reason", "request_id", "method", "path")

    def __init__(self, message, status=None, code=None, reason=None, request_id=None, method=None, path=None,
                 details=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.reason = reason
        self.request_id = request_id
        self.method = method
        self.path = path
        self.details = details

    def as_dict(self):
        """The error fields that are known, for fail_json."""
        out = dict((name, getattr(self, name, None)) for name in self.FIELDS)
        if self.details is not None:
            out["details"] = self.details
        return dict((k, v) for k, v in out.items() if v is not None)


# ---------------------------------------------------------------------------------------------- retry policy

def retry_after_seconds(value):
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


def backoff_delay(attempt, retry_after=None, base=0.5, cap=30.0, rand=random.random):
    """Seconds to wait before retry number attempt (0-based).

    Retry-After wins when given (capped); otherwise exponential backoff base*2^attempt, capped, with "equal
    jitter": half the delay fixed, half random, so concurrent clients spread out but never retry at once.
    """
    if retry_after is not None:
        return min(float(retry_after), cap)
    delay = min(cap, base * (2 ** attempt))
    return delay / 2.0 + rand() * delay / 2.0


def should_retry(method, status=None, failure=None, retry_refused=False):
    """Whether a failed attempt may be repeated.

    status: HTTP status of the answer. failure: "refused" (nothing was sent), "timeout" or "dropped" (the
    request may have been processed), "unresolved" or "tls" (never retried). 429 is retried for every method (the
    request was refused before any work); refused connections too when retry_refused is true, otherwise like timeouts.
    500/502/503/504, timeouts and dropped connections only for idempotent methods, never for POST.
    """
    method = method.upper()
    if status == 429 or (retry_refused and failure == "refused"):
        return True
    if status in RETRY_STATUSES or failure in ("timeout", "dropped", "refused"):
        return method in IDEMPOTENT_METHODS
    return False


def failure_kind(exc):
    """Classify a transport exception: unresolved (DNS), tls (the server's certificate was not trusted), refused,
    timeout or dropped."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return "unresolved"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "tls"
    if isinstance(reason, ConnectionRefusedError):
        return "refused"
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in to_native(reason):
        return "timeout"
    return "dropped"


def header(headers, name):
    """A response header by case-insensitive name, or None."""
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def error_body(raw):
    """The JSON object of an error answer, or {} when it is empty, not JSON or not an object."""
    try:
        body = json.loads(to_text(raw)) if raw else {}
    except ValueError:
        body = {}
    return body if isinstance(body, dict) else {}


# ---------------------------------------------------------------------------------------------- client

class JsonApiClient:
    """Base of the provider API clients: endpoint check, JSON requests with retries, structured errors.

    Subclasses set API_NAME (for messages), ERROR_CLASS and CONFIG_ERROR_CLASS (ApiError subclasses),
    REQUEST_ID_HEADERS, RETRY_REFUSED (see should_retry) and implement api_error().
    """

    API_NAME = "HTTP"
    ERROR_CLASS = ApiError
    CONFIG_ERROR_CLASS = ApiError
    REQUEST_ID_HEADERS = ("X-Request-Id",)
    RETRY_REFUSED = False

    def __init__(self, endpoint, timeout=30, retries=5, validate_certs=True, sleep=time.sleep, backoff_base=0.5,
                 backoff_cap=30.0, user_agent="neocloud.support_access"):
        self.endpoint = endpoint
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.CONFIG_ERROR_CLASS("api_endpoint %r is not an http(s) URL" % self.endpoint)
        self.base_path = parts.path.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.validate_certs = validate_certs
        self.sleep = sleep
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.user_agent = user_agent
        self.requests_sent = 0

    def request_id(self, headers):
        """The request id of an answer: the first of REQUEST_ID_HEADERS present."""
        for name in self.REQUEST_ID_HEADERS:
            value = header(headers, name)
            if value:
                return value
        return None

    def should_retry(self, method, status=None, failure=None):
        """The retry policy of this provider (see should_retry)."""
        return should_retry(method, status=status, failure=failure, retry_refused=self.RETRY_REFUSED)

    def send(self, method, url, full_path, body=None, auth_headers=None, ok_statuses=OK_STATUSES, form=None):
        """Send one JSON request with retries; returns the decoded JSON body (or {}). Raises ERROR_CLASS.

        url is the complete URL, full_path the path named in messages. auth_headers() is called before every
        attempt (signatures carry a timestamp) and returns the authentication headers. form (a dict or pairs) is
        sent as an application/x-www-form-urlencoded body instead of the JSON body (an OAuth2 token request).
        """
        method = method.upper()
        if form is not None:
            data, content_type = urlencode(form).encode("utf-8"), "application/x-www-form-urlencoded"
        else:
            data, content_type = (json.dumps(body).encode("utf-8") if body is not None else None), "application/json"
        attempt = 0
        while True:
            headers = dict(auth_headers()) if auth_headers else {}
            headers["Accept"] = "application/json"
            if data is not None:
                headers["Content-Type"] = content_type
            status, raw, resp_headers, failure, exc = None, b"", {}, None, None
            self.requests_sent += 1
            try:
                resp = Request().open(method, url, data=data, headers=headers, timeout=self.timeout,
                                      validate_certs=self.validate_certs, http_agent=self.user_agent,
                                      follow_redirects="none", context=ssl_context(self.validate_certs))
                status = resp.getcode()
                raw = resp.read()
                resp_headers = dict(resp.headers.items())
            except HTTPError as err:
                status = err.code
                try:
                    raw = err.read()
                except Exception:  # pylint: disable=broad-except
                    raw = b""
                resp_headers = dict(err.headers.items()) if err.headers else {}
            except (URLError, OSError) as err:
                failure, exc = failure_kind(err), err
            except Exception as err:  # pylint: disable=broad-except
                # http.client raises RemoteDisconnected/BadStatusLine when the server drops the connection.
                failure, exc = "dropped", err

            if failure is None and status in ok_statuses:
                return self.decode(raw, method, full_path, status, resp_headers)
            if attempt < self.retries and self.should_retry(method, status=status, failure=failure):
                retry_after = retry_after_seconds(header(resp_headers, "Retry-After")) if status == 429 else None
                self.sleep(backoff_delay(attempt, retry_after, self.backoff_base, self.backoff_cap))
                attempt += 1
                continue
            if failure is not None:
                raise self.ERROR_CLASS("cannot reach the %s API at %s (%s %s): %s%s" % (
                    self.API_NAME, self.endpoint, method, full_path, failure,
                    (": %s" % to_native(getattr(exc, "reason", exc))) if exc else ""),
                    method=method, path=full_path, details=dict(attempts=attempt + 1, failure=failure))
            raise self.api_error(status, raw, resp_headers, method, full_path, attempt + 1)

    def decode(self, raw, method, path, status, headers):
        """The JSON body of a successful answer ({} when empty)."""
        if not raw:
            return {}
        try:
            return json.loads(to_text(raw))
        except ValueError:
            raise self.ERROR_CLASS("the %s API answered %s %s with non-JSON content" % (self.API_NAME, method, path),
                                   status=status, method=method, path=path, request_id=self.request_id(headers))

    def api_error(self, status, raw, headers, method, path, attempts):
        """The exception for an error answer (status not in ok_statuses, no retry left)."""
        body = error_body(raw)
        message = to_text(body.get("message") or "") or to_text(raw)[:300] or "HTTP %s" % status
        return self.ERROR_CLASS("%s API error %s on %s %s: %s" % (self.API_NAME, status, method, path, message),
                                status=status, code=body.get("code"), reason=body.get("reason"),
                                request_id=self.request_id(headers), method=method, path=path,
                                details=dict(attempts=attempts, api_message=message))
