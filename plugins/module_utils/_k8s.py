# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A thin base for this collection's Kubernetes-side modules, on top of kubernetes.core's client.

Authentication is exactly kubernetes.core's (kubeconfig, context, host, api_key, ... and the K8S_AUTH_* environment
variables). Requests go straight to API paths (no per-resource discovery), every error names the cluster, what was
being done, the API's status code and message. Throttled (429) and failed (500/502/503/504) answers are retried
within a bound, honouring Retry-After, by the same policy as the provider API clients (module_utils/_http).

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import time
import traceback

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.neocloud.support_access.plugins.module_utils import _http

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    HAS_K8S_CORE = True
    K8S_CORE_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the module
    HAS_K8S_CORE = False
    K8S_CORE_IMPORT_ERROR = traceback.format_exc()
    AUTH_ARG_SPEC = {}
    AnsibleK8SModule = None  # pylint: disable=invalid-name
    get_api_client = None  # pylint: disable=invalid-name

try:
    from kubernetes.client.exceptions import ApiException
except ImportError:  # pragma: no cover - AnsibleK8SModule reports the missing library
    ApiException = None  # pylint: disable=invalid-name

try:
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - the kubernetes client needs urllib3
    Retry = None  # pylint: disable=invalid-name

try:
    import yaml as _yaml
except ImportError:  # pragma: no cover - the kubernetes client needs PyYAML
    _yaml = None

DEFAULT_PAGE_SIZE = 500
# How many times a throttled or failed request is repeated (so sent at most API_RETRIES + 1 times).
API_RETRIES = 5


def _user_credentials(user):
    """The secret values of one kubeconfig user entry: token, password, client key (base64 and PEM), auth-provider tokens."""
    found = []
    if not isinstance(user, dict):
        return found
    for key in ("token", "password", "client-key-data"):
        if isinstance(user.get(key), str):
            found.append(user[key])
    if isinstance(user.get("client-key-data"), str):
        try:
            found.append(to_text(base64.b64decode(user["client-key-data"])).strip())
        except (TypeError, ValueError):
            pass
    provider = (user.get("auth-provider") or {}).get("config") if isinstance(user.get("auth-provider"), dict) else None
    if isinstance(provider, dict):
        found += [v for k, v in provider.items() if k in ("access-token", "id-token", "refresh-token", "client-secret") and isinstance(v, str)]
    return found


def kubeconfig_credentials(kubeconfig=None):
    """Every credential in the kubeconfig the client loads (the option, else K8S_AUTH_KUBECONFIG, KUBECONFIG,
    ~/.kube/config), so that an API answer that echoes the request cannot print them. Unreadable files give none."""
    source = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG") or os.environ.get("KUBECONFIG") or "~/.kube/config"
    configs = []
    if isinstance(source, dict):
        configs.append(source)
    elif isinstance(source, str) and _yaml is not None:
        for path in source.split(os.pathsep):
            try:
                with open(os.path.expanduser(path), encoding="utf-8") as handle:
                    configs.append(_yaml.safe_load(handle))
            except (OSError, ValueError, _yaml.YAMLError):
                continue
    found = []
    for config in configs:
        for user in (config.get("users") or []) if isinstance(config, dict) else []:
            found += _user_credentials(user.get("user") if isinstance(user, dict) else None)
    return set(v for v in found if len(v) >= 6)


class K8sClusterError(Exception):
    """A failed Kubernetes API request: what was attempted, status code, reason and the API's message."""

    def __init__(self, what, status=None, reason=None, message=None, server=None, attempts=1):
        self.what = what
        self.status = status
        self.reason = reason
        self.message = message
        self.server = server
        self.attempts = attempts
        super().__init__(self.text())

    def text(self):
        """'<what> failed: 403 Forbidden: <message>' or '<what> failed: cannot reach <server>: <message>'.

        ' (N attempts)' is added when the request was retried.
        """
        tries = " (%d attempts)" % self.attempts if self.attempts > 1 else ""
        if self.status:
            detail = "%s %s" % (self.status, self.reason or "")
            return "%s failed: %s: %s%s" % (self.what, detail.strip(), self.message or "", tries)
        return "%s failed: cannot reach the API server %s: %s%s" % (self.what, self.server or "", self.message or "", tries)


def status_message(body):
    """The message of a Kubernetes Status body (bytes or str), else the body text itself (shortened)."""
    text = to_text(body or "", errors="surrogate_or_strict")
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:500]
    if isinstance(data, dict) and data.get("message"):
        return data["message"]
    return text.strip()[:500]


def _connection_message(exc):
    """The root cause of a connection error (urllib3 wraps it twice), without the noisy object reprs."""
    reason = getattr(exc, "reason", None)
    while getattr(reason, "reason", None) is not None and reason is not reason.reason:
        reason = reason.reason
    cause = reason if reason is not None else exc
    args = getattr(cause, "args", ())
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], Exception):
        # urllib3's ProtocolError('Connection aborted.', RemoteDisconnected('Remote end closed ...'))
        return "%s: %s" % (args[0].rstrip(".").lower(), to_text(args[1]).lower())
    text = to_text(cause)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    return text


def _own_the_status_retries(dynamic_client):
    """Leave the retries of error answers to request() alone.

    Under the kubernetes client, urllib3 resends on its own a 429/503 that carries Retry-After, up to three times,
    sleeping as long as the header says (uncapped), before request() sees the answer: a persistent 503 with
    Retry-After would be sent 4 x (API_RETRIES + 1) times and the message would count a quarter of them. Here urllib3
    keeps its retries of connections that failed (three, as before) and no longer looks at Retry-After; request()
    waits what the header says, capped, within its own budget.
    """
    pool_manager = getattr(getattr(getattr(dynamic_client, "client", None), "rest_client", None), "pool_manager", None)
    if pool_manager is None or Retry is None:
        return
    pool_manager.connection_pool_kw["retries"] = Retry(total=3, respect_retry_after_header=False)
    pool_manager.clear()


class SupportK8sModule:
    """Base for modules that do one cluster's job: the AnsibleK8SModule, the client, requests and paged lists.

    Subclasses describe their options in ``argument_spec`` (the kubernetes.core auth options are added) and call
    ``request()``, ``list_all()`` and ``fail()``.
    """

    def __init__(self, argument_spec, supports_check_mode=True, **kwargs):
        spec = copy.deepcopy(AUTH_ARG_SPEC)
        spec.update(argument_spec)
        if not HAS_K8S_CORE:
            from ansible.module_utils.basic import AnsibleModule, missing_required_lib  # pylint: disable=import-outside-toplevel
            module = AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
            module.fail_json(msg=missing_required_lib("kubernetes.core collection"), exception=K8S_CORE_IMPORT_ERROR)
        self.module = AnsibleK8SModule(argument_spec=spec, supports_check_mode=supports_check_mode, **kwargs)
        self.params = self.module.params
        # credentials never appear in a result, also when an API error message echoes the request
        self.mask(kubeconfig_credentials(self.params.get("kubeconfig")))
        self._client = None
        self.server = None
        self.cluster = self._cluster_name()
        self.retries = API_RETRIES
        self.sleep = time.sleep

    def mask(self, values):
        """Mask these values in every result, as for a no_log option (AnsibleK8SModule wraps the AnsibleModule)."""
        inner = getattr(self.module, "_module", self.module)
        if hasattr(inner, "no_log_values"):
            inner.no_log_values.update(values)

    @property
    def check_mode(self):
        """Whether the module runs in check mode."""
        return self.module.check_mode

    @property
    def diff_mode(self):
        """Whether --diff was asked for."""
        return self.module._diff  # pylint: disable=protected-access

    def _cluster_name(self):
        """A name for the cluster in messages: the context, else the kubeconfig's current context, else the host."""
        context = self.params.get("context") or os.environ.get("K8S_AUTH_CONTEXT")
        if context:
            return context
        host = self.params.get("host") or os.environ.get("K8S_AUTH_HOST")
        if host:
            return host
        kubeconfig = self.params.get("kubeconfig") or os.environ.get("K8S_AUTH_KUBECONFIG")
        if isinstance(kubeconfig, dict):
            return kubeconfig.get("current-context") or "in-memory kubeconfig"
        try:
            from kubernetes import config as kube_config  # pylint: disable=import-outside-toplevel
            dummy, active = kube_config.list_kube_config_contexts(config_file=kubeconfig or None)
            if active and active.get("name"):
                return active["name"]
        except Exception:  # pylint: disable=broad-except
            pass  # load errors are reported (with the path) when the client is created
        return kubeconfig or "default kubeconfig"

    def fail(self, msg, **kwargs):
        """fail_json with the cluster named first: "cluster 'x': <msg>"."""
        kwargs.setdefault("cluster", self.cluster)
        self.module.fail_json(msg="cluster '%s': %s" % (self.cluster, msg), **kwargs)

    def fail_error(self, error, **kwargs):
        """fail_json from a K8sClusterError, with status and reason as result keys."""
        self.fail(error.text(), status=error.status, reason=error.reason, api_message=error.message, **kwargs)

    @property
    def client(self):
        """kubernetes.core's dynamic client (created on first use; fails the module with a clear message)."""
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self):
        kubeconfig = self.params.get("kubeconfig") or os.environ.get("K8S_AUTH_KUBECONFIG")
        if isinstance(kubeconfig, str) and not any(os.path.exists(os.path.expanduser(p)) for p in kubeconfig.split(os.pathsep)):
            self.fail("the kubeconfig file %s does not exist" % kubeconfig)
        self._check_context_user(kubeconfig)
        attempt = 0
        while True:
            try:
                k8s = get_api_client(module=self.module)
                break
            except Exception as exc:  # pylint: disable=broad-except
                if ApiException is None or not isinstance(exc, ApiException):
                    self._fail_connect(exc)
                if attempt < self.retries and _http.should_retry("GET", status=exc.status):
                    self.sleep(_http.backoff_delay(attempt, _http.retry_after_seconds(_http.header(exc.headers, "Retry-After"))))
                    attempt += 1
                    continue
                self.fail("connecting to the API server failed: %s %s: %s%s" % (
                    exc.status, exc.reason, status_message(exc.body), " (%d attempts)" % (attempt + 1) if attempt else ""),
                    status=exc.status)
        self.server = k8s.configuration.host
        _own_the_status_retries(k8s.client)
        for value in (getattr(k8s.configuration, "api_key", None) or {}).values():
            if isinstance(value, str) and len(value) >= 6:
                self.mask((value, value.split(" ", 1)[-1]))
        if self.cluster in ("default kubeconfig", "in-memory kubeconfig"):
            self.cluster = self.server
        return k8s.client

    def _check_context_user(self, kubeconfig):
        """Fail when the context in use names a user the kubeconfig file does not define (requests would go out
        without credentials and come back 401). Files that do not parse are left to the client, which says why."""
        if not isinstance(kubeconfig, str) or os.pathsep in kubeconfig:
            return
        try:
            import yaml  # pylint: disable=import-outside-toplevel
            with open(os.path.expanduser(kubeconfig), encoding="utf-8") as handle:
                data = yaml.safe_load(handle)
            context_name = self.params.get("context") or os.environ.get("K8S_AUTH_CONTEXT") or data.get("current-context")
            contexts = dict((c.get("name"), c.get("context") or {}) for c in data.get("contexts") or [])
            users = set(u.get("name") for u in data.get("users") or [])
        except Exception:  # pylint: disable=broad-except
            return
        user = contexts.get(context_name, {}).get("user")
        if user and user not in users:
            self.fail("context %s of the kubeconfig %s names the user %s, which that kubeconfig does not define "
                      "(options context and kubeconfig)" % (context_name, kubeconfig, user))

    def _fail_connect(self, exc):
        """Fail the module for a client that could not be created (not an API answer): say why."""
        text = to_text(exc)
        if "MaxRetryError" in type(exc).__name__ or "Max retries" in text or "NewConnectionError" in text:
            self.fail("cannot reach the API server %s: %s" % (self._guess_server(), _connection_message(exc)))
        kubeconfig = self.params.get("kubeconfig") or os.environ.get("K8S_AUTH_KUBECONFIG") or "~/.kube/config"
        if isinstance(kubeconfig, dict):
            kubeconfig = "in-memory kubeconfig"
        self.fail("cannot load the Kubernetes client configuration (kubeconfig %s%s): %s"
                  % (kubeconfig, ", context %s" % self.params["context"] if self.params.get("context") else "", text),
                  exception=traceback.format_exc())

    def _guess_server(self):
        if self.server:
            return self.server
        host = self.params.get("host") or os.environ.get("K8S_AUTH_HOST")
        if host:
            return host
        try:
            from kubernetes import client as kube_client  # pylint: disable=import-outside-toplevel
            return kube_client.Configuration.get_default_copy().host
        except Exception:  # pylint: disable=broad-except
            return self.params.get("host") or "(unknown)"

    def request(self, method, path, what, query=None, body=None, ok_statuses=()):
        """One API request; returns the decoded JSON body (or None for an empty body).

        Raises K8sClusterError (status, reason, message) for an error status not in ``ok_statuses`` and for a
        server that cannot be reached. ``what`` says what was done ("listing pods"), for the message.
        429 is retried for every method, 500/502/503/504 only for methods that are safe to repeat (never POST),
        at most ``retries`` times, waiting as Retry-After says or with exponential backoff and jitter.
        """
        client = self.client
        params = {"query_params": list(query or []), "serialize": False}
        attempt = 0
        while True:
            try:
                response = client.request(method, path, body=body, **params)
                break
            except Exception as exc:  # pylint: disable=broad-except
                if ApiException is None or not isinstance(exc, ApiException):
                    raise K8sClusterError(what, server=self.server, message=_connection_message(exc),
                                          attempts=attempt + 1) from exc
                if exc.status in ok_statuses:
                    try:
                        return json.loads(to_text(exc.body or "{}"))
                    except ValueError:
                        return {}
                if attempt < self.retries and _http.should_retry(method, status=exc.status):
                    retry_after = _http.retry_after_seconds(_http.header(exc.headers, "Retry-After"))
                    self.sleep(_http.backoff_delay(attempt, retry_after))
                    attempt += 1
                    continue
                raise K8sClusterError(what, exc.status, exc.reason, status_message(exc.body), attempts=attempt + 1) from exc
        data = response.data
        if not data:
            return None
        try:
            return json.loads(to_text(data))
        except ValueError as exc:
            raise K8sClusterError(what, response.status, "invalid response", "not JSON: %r" % data[:200]) from exc

    def list_all(self, path, what, page_size=DEFAULT_PAGE_SIZE, label_selector=None, field_selector=None, kind=None):
        """Every item of a collection, in pages of ``page_size`` (limit/continue). Items get kind/apiVersion set.

        A continue token that expired (410 Gone) restarts the list once from the beginning.
        """
        items = []
        token = None
        restarted = False
        api_version = None
        while True:
            query = [("limit", str(page_size))]
            if label_selector:
                query.append(("labelSelector", label_selector))
            if field_selector:
                query.append(("fieldSelector", field_selector))
            if token:
                query.append(("continue", token))
            try:
                page = self.request("GET", path, what, query=query) or {}
            except K8sClusterError as err:
                if err.status == 410 and token and not restarted:
                    items, token, restarted = [], None, True
                    continue
                raise
            api_version = page.get("apiVersion") or api_version
            item_kind = kind or (page.get("kind") or "")[:-4] or None
            for item in page.get("items") or []:
                if item_kind and not item.get("kind"):
                    item["kind"] = item_kind
                if api_version and not item.get("apiVersion"):
                    item["apiVersion"] = api_version
                items.append(item)
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def exit(self, **result):
        """exit_json with the cluster name added."""
        result.setdefault("cluster", self.cluster)
        self.module.exit_json(**result)
