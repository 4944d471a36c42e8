# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One cluster's Kubernetes API, with no AnsibleModule in it: the connection, requests, paged lists and errors.

Authentication takes kubernetes.core's options and K8S_AUTH_* environment variables (kubeconfig, context, host,
api_key, validate_certs, ca_cert, client_cert, client_key, proxy, username, password) and loads the kubeconfig with
the Kubernetes Python client's own loader (exec plugins, auth providers, certificates). Requests go straight to API
paths through the client's ApiClient: no discovery, no dynamic client. Throttled (429) and failed
(500/502/503/504) answers are retried within a bound, honouring Retry-After, by the policy of module_utils/_http.

Used by the Kubernetes-side modules (through _k8s.SupportK8sModule) and by the cluster-state engine, which may run
inside the controller's worker process (action plugin), so nothing here may exit or print.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import time

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.neocloud.support_access.plugins.module_utils import _http

try:
    import kubernetes
    from kubernetes.config import kube_config
    from kubernetes.config.config_exception import ConfigException
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError as _exc:  # pragma: no cover - reported by whoever connects
    kubernetes = kube_config = None  # pylint: disable=invalid-name
    ConfigException = Exception  # pylint: disable=invalid-name
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = str(_exc)

try:
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - the kubernetes client needs urllib3
    Retry = None  # pylint: disable=invalid-name

try:
    import yaml as _yaml
    _YAML_LOADER = getattr(_yaml, "CSafeLoader", None) or _yaml.SafeLoader
except ImportError:  # pragma: no cover - the kubernetes client needs PyYAML
    _yaml = _YAML_LOADER = None

DEFAULT_PAGE_SIZE = 500
# How many times a throttled or failed request is repeated (so sent at most API_RETRIES + 1 times).
API_RETRIES = 5
# What an error says when the API server (or a provider API) could not be reached at all: the Python client's and
# urllib3's words, and helm's ("Kubernetes cluster unreachable", "i/o timeout", "no such host", ...). The one list
# every reader uses (the cluster read, support_chart, the support_access_unreachable filter of the chart role).
UNREACHABLE = re.compile(r"(?i)(cannot reach|unreachable|connection (refused|aborted|reset)|remote end closed|timed out|"
                         r"i/o timeout|handshake timeout|max retries|no route to host|no such host|name or service not known|"
                         r"temporary failure in name resolution|EOF occurred)")
# kubernetes.core's option name -> the client Configuration attribute (kubernetes.core args_common.AUTH_ARG_MAP).
AUTH_OPTIONS = {
    "host": "host", "api_key": "api_key", "username": "username", "password": "password",
    "validate_certs": "verify_ssl", "ca_cert": "ssl_ca_cert", "client_cert": "cert_file", "client_key": "key_file",
    "proxy": "proxy", "no_proxy": "no_proxy",
}
CONNECTION_OPTIONS = ("kubeconfig", "context") + tuple(AUTH_OPTIONS)
_BOOL_OPTIONS = ("validate_certs",)


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


class K8sConfigError(Exception):
    """The connection could not be set up (kubeconfig, context, credentials); the message says which option."""


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


def connection_message(exc):
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


# A directory private to one ansible-playbook run, where a kubeconfig parsed once in the run is kept as JSON for the
# run's other module runs. plugin_utils/_in_process sets it for modules that run in the controller's worker: it is
# ansible's own local temporary directory of the run (mode 0700, removed when the run ends). A fleet's kubeconfig
# holds every cluster's context, so parsing it in each of a cluster's module runs cost time in proportion to the
# fleet; the cached copy is read in about a millisecond. Module processes (other hosts) never use it.
RUN_CACHE_ENV = "NEOCLOUD_SUPPORT_ACCESS_RUN_CACHE"


def _cache_file(path):
    """The run cache's file for this version of the kubeconfig at ``path`` (None without a run cache)."""
    directory = os.environ.get(RUN_CACHE_ENV)
    if not directory or not os.path.isdir(directory):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = "%s\0%d\0%d\0%d" % (os.path.realpath(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return os.path.join(directory, "kubeconfig-%s.json" % hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])


def _keep(cache, data):
    """Write the parsed kubeconfig to the run cache (private file, atomic rename); any failure just skips it."""
    try:
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(cache), prefix=".kubeconfig-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temporary, cache)
    except (OSError, TypeError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass


def load_kubeconfig(path):
    """One kubeconfig file, parsed (libyaml when available). Raises OSError or ValueError (YAML errors included)."""
    path = os.path.expanduser(path)
    cache = _cache_file(path)
    if cache:
        try:
            with open(cache, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            pass
    with open(path, encoding="utf-8") as handle:
        try:
            data = _yaml.load(handle, Loader=_YAML_LOADER)  # nosec B506 - a safe loader
        except _yaml.YAMLError as exc:
            raise ValueError(str(exc).replace("<file>", path)) from None
    if not isinstance(data, dict):
        raise ValueError("%s is not a kubeconfig (a YAML mapping with clusters, contexts and users)" % path)
    if cache:
        _keep(cache, data)
    return data


def read_kubeconfig(path):
    """One kubeconfig file, parsed; None when it cannot be read or parsed."""
    if _yaml is None:
        return None
    try:
        return load_kubeconfig(path)
    except (OSError, ValueError):
        return None


def kubeconfig_credentials(kubeconfig=None, configs=None):
    """Every credential in the kubeconfig the client loads (the option, else K8S_AUTH_KUBECONFIG, KUBECONFIG,
    ~/.kube/config), so that an API answer that echoes the request cannot print them. Unreadable files give none.
    ``configs`` are kubeconfigs already parsed (saves reading the file again)."""
    if configs is None:
        source = kubeconfig or os.environ.get("K8S_AUTH_KUBECONFIG") or os.environ.get("KUBECONFIG") or "~/.kube/config"
        if isinstance(source, dict):
            configs = [source]
        elif isinstance(source, str):
            configs = [read_kubeconfig(path) for path in source.split(os.pathsep)]
        else:
            configs = []
    found = []
    for config in configs:
        for user in (config.get("users") or []) if isinstance(config, dict) else []:
            found += _user_credentials(user.get("user") if isinstance(user, dict) else None)
    return set(v for v in found if len(v) >= 6)


def connection_params(params, environ=None):
    """The connection options that apply: each option, else its K8S_AUTH_<OPTION> environment variable."""
    environ = os.environ if environ is None else environ
    result = {}
    for name in CONNECTION_OPTIONS:
        value = (params or {}).get(name)
        if value is None or value == "":
            value = environ.get("K8S_AUTH_%s" % name.upper()) or None
            if value is not None and name in _BOOL_OPTIONS:
                value = value.lower() not in ("0", "false", "no")
        if value is not None and value != "":
            result[name] = value
    return result


def _own_the_status_retries(pool_manager):
    """Leave the retries of error answers to KubeClient.request() alone.

    urllib3 would resend on its own a 429/503 that carries Retry-After, up to three times, sleeping as long as the
    header says (uncapped); here it keeps its retries of connections that failed (three) and ignores Retry-After.
    """
    if pool_manager is None or Retry is None:
        return
    pool_manager.connection_pool_kw["retries"] = Retry(total=3, respect_retry_after_header=False)
    pool_manager.clear()


class _HeaderName(str):
    """A header name that is a key of its own in a dict, so a header can be sent several times."""

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other


class KubeClient:
    """One cluster's API: ``request()`` and ``list_all()`` on API paths, errors as K8sClusterError.

    ``params`` are kubernetes.core's connection options (see CONNECTION_OPTIONS); ``impersonate_user`` /
    ``impersonate_groups`` send every request as that identity. Connecting raises K8sConfigError (bad kubeconfig,
    context or missing user) naming the options.
    """

    def __init__(self, params, impersonate_user=None, impersonate_groups=None, retries=API_RETRIES, sleep=time.sleep,
                 kubeconfig_data=None):
        if not HAS_KUBERNETES:
            raise K8sConfigError("the kubernetes Python library is required (pip install kubernetes): %s"
                                 % KUBERNETES_IMPORT_ERROR)
        self.params = connection_params(params)
        self.retries = retries
        self.sleep = sleep
        self._kubeconfig_data = kubeconfig_data
        self.secrets = set()
        configuration = self._configuration()
        self.server = configuration.host
        self.cluster = self._cluster_name()
        self.api_client = kubernetes.client.ApiClient(configuration)
        if impersonate_user:
            self.api_client.set_default_header("Impersonate-User", impersonate_user)
        for group in impersonate_groups or []:
            # one Impersonate-Group header per group: distinct dict keys that spell the same header name
            self.api_client.set_default_header(_HeaderName("Impersonate-Group"), group)
        _own_the_status_retries(getattr(self.api_client.rest_client, "pool_manager", None))
        for value in (getattr(configuration, "api_key", None) or {}).values():
            if isinstance(value, str) and len(value) >= 6:
                self.secrets.update((value, value.split(" ", 1)[-1]))

    # -- connection
    def _kubeconfig_path(self):
        kubeconfig = self.params.get("kubeconfig")
        if isinstance(kubeconfig, dict):
            return None
        return kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"

    def _configuration(self):
        params = self.params
        configuration = kubernetes.client.Configuration()
        explicit = (params.get("host") and (params.get("api_key") or (params.get("username") and params.get("password"))
                                            or (params.get("client_cert") and params.get("client_key"))))
        if not explicit:
            self._load_kubeconfig(configuration)
        for option, attribute in AUTH_OPTIONS.items():
            value = params.get(option)
            if value is None:
                continue
            if option == "api_key":
                value = {"authorization": "Bearer %s" % value}
            elif option == "host":
                value = value.rstrip("/")
            setattr(configuration, attribute, value)
        return configuration

    def _load_kubeconfig(self, configuration):
        params = self.params
        kubeconfig = params.get("kubeconfig")
        context = params.get("context")
        if not kubeconfig and not context and os.environ.get("KUBERNETES_SERVICE_HOST"):
            kubernetes.config.load_incluster_config(client_configuration=configuration)
            return
        try:
            if isinstance(kubeconfig, dict):
                self.secrets.update(kubeconfig_credentials(configs=[kubeconfig]))
                kube_config.KubeConfigLoader(config_dict=kubeconfig, active_context=context).load_and_set(configuration)
                return
            path = self._kubeconfig_path()
            paths = [p for p in path.split(os.pathsep) if p]
            if len(paths) > 1:
                self.secrets.update(kubeconfig_credentials(path))
                kubernetes.config.load_kube_config(config_file=path, context=context, client_configuration=configuration)
                return
            if not os.path.exists(os.path.expanduser(path)):
                raise K8sConfigError("the kubeconfig file %s does not exist (option kubeconfig)" % path)
            data = self._kubeconfig_data or load_kubeconfig(path)
            self._kubeconfig_data = data
            self.secrets.update(kubeconfig_credentials(configs=[data]))
            self._check_context_user(data, path, context)
            kube_config.KubeConfigLoader(config_dict=data, config_base_path=os.path.dirname(os.path.abspath(os.path.expanduser(path))),
                                         active_context=context).load_and_set(configuration)
        except (ConfigException, ValueError, TypeError, KeyError, OSError) as exc:
            where = "in-memory kubeconfig" if isinstance(kubeconfig, dict) else "kubeconfig %s" % self._kubeconfig_path()
            raise K8sConfigError("cannot load the Kubernetes client configuration (%s%s): %s"
                                 % (where, ", context %s" % context if context else "", to_text(exc))) from None

    @staticmethod
    def _check_context_user(data, path, context):
        """A context whose user the file does not define would send requests without credentials (401)."""
        name = context or data.get("current-context")
        contexts = dict((c.get("name"), c.get("context") or {}) for c in data.get("contexts") or [] if isinstance(c, dict))
        users = set(u.get("name") for u in data.get("users") or [] if isinstance(u, dict))
        user = contexts.get(name, {}).get("user")
        if user and user not in users:
            raise K8sConfigError("context %s of the kubeconfig %s names the user %s, which that kubeconfig does not "
                                 "define (options context and kubeconfig)" % (name, path, user))

    def _cluster_name(self):
        """A name for the cluster in messages: the context, else the kubeconfig's current context, else the server."""
        if self.params.get("context"):
            return self.params["context"]
        if self.params.get("host"):
            return self.params["host"]
        data = self.params.get("kubeconfig") if isinstance(self.params.get("kubeconfig"), dict) else self._kubeconfig_data
        if isinstance(data, dict) and data.get("current-context"):
            return data["current-context"]
        return self.server or "default kubeconfig"

    # -- requests
    def request(self, method, path, what, query=None, body=None, ok_statuses=()):
        """One API request; returns the decoded JSON body (or None for an empty body).

        Raises K8sClusterError (status, reason, message) for an error status not in ``ok_statuses`` and for a
        server that cannot be reached. ``what`` says what was done ("listing pods"), for the message.
        429 is retried for every method, 500/502/503/504 only for methods that are safe to repeat (never POST),
        at most ``retries`` times, waiting as Retry-After says or with exponential backoff and jitter.
        """
        attempt = 0
        while True:
            headers = {"Accept": "application/json", "Content-Type": "application/json"}
            try:
                serialized = self.api_client.param_serialize(method.upper(), path, query_params=list(query or []),
                                                             header_params=headers, body=body, auth_settings=["BearerToken"])
                response = self.api_client.call_api(*serialized)
                data = response.read()
            except Exception as exc:  # pylint: disable=broad-except
                raise K8sClusterError(what, server=self.server, message=connection_message(exc),
                                      attempts=attempt + 1) from None
            status = response.status
            if 200 <= status <= 299:
                break
            if status in ok_statuses:
                try:
                    return json.loads(to_text(data or b"{}"))
                except ValueError:
                    return {}
            if attempt < self.retries and _http.should_retry(method, status=status):
                retry_after = _http.retry_after_seconds(_http.header(dict(response.headers or {}), "Retry-After"))
                self.sleep(_http.backoff_delay(attempt, retry_after))
                attempt += 1
                continue
            raise K8sClusterError(what, status, response.reason, status_message(data), attempts=attempt + 1)
        if not data:
            return None
        try:
            return json.loads(to_text(data))
        except ValueError:
            raise K8sClusterError(what, status, "invalid response", "not JSON: %r" % data[:200]) from None

    def list_all(self, path, what, page_size=DEFAULT_PAGE_SIZE, label_selector=None, field_selector=None, kind=None):
        """Every item of a collection (list_pages over this client's request())."""
        return list_pages(self.request, path, what, page_size, label_selector, field_selector, kind)

    def impersonating(self, user=None, groups=None):
        """A client for the same cluster that sends every request as ``user`` / ``groups``."""
        return KubeClient(self.params, impersonate_user=user, impersonate_groups=groups, retries=self.retries,
                          sleep=self.sleep, kubeconfig_data=self._kubeconfig_data)


def list_pages(request, path, what, page_size=DEFAULT_PAGE_SIZE, label_selector=None, field_selector=None, kind=None):
    """Every item of a collection, in pages of ``page_size`` (limit/continue), through ``request(method, path, what,
    query=...)``. Items get kind/apiVersion set. A continue token that expired (410 Gone) restarts the list once."""
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
            page = request("GET", path, what, query=query) or {}
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
