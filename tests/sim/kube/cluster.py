# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One virtual cluster: its registry, store, authorizer, controllers, request log and faults."""

import base64
import copy
import datetime
import hashlib
import json
import os
import threading
import time

from sim.kube import defaults, rbac
from sim.kube.controllers import Controllers
from sim.kube.store import Store, new_uid, now_rfc3339

RBAC_GROUP = "rbac.authorization.k8s.io"


def _b64url(raw):
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def _make_registry(version):
    from sim.kube import schema  # pylint: disable=import-outside-toplevel
    return schema.Registry(kube_version=version)


class Cluster:
    """A virtual cluster served under /clusters/<name>; also the test handle (seed, get, list, log, faults)."""

    def __init__(self, emulator, name, version="v1.33.4", nodes=1):
        self.emulator = emulator
        self.name = name
        self.version = version
        self.registry = _make_registry(version)
        self.store = Store()
        self.custom_resources = set()
        self.authorizer = rbac.Authorizer(self._rbac_lister)
        self.controllers = Controllers(self)
        self._log = []
        self._log_lock = threading.Lock()
        self._faults = []
        self._faults_lock = threading.Lock()
        self._service_ip = 10
        self._tokens = {}    # minted ServiceAccount tokens (TokenRequest): token -> claims
        self._bootstrap(nodes)

    # bootstrap -------------------------------------------------------------------------------------------------
    def _bootstrap(self, nodes):
        objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in DEFAULT_NAMESPACES]
        for i in range(nodes):
            name = "node-%d" % (i + 1)
            objs.append({"apiVersion": "v1", "kind": "Node",
                         "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                                               "kubernetes.io/arch": "amd64"}},
                         "spec": {},
                         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                                    "message": "kubelet is posting ready status"}],
                                    "addresses": [{"type": "InternalIP", "address": "10.0.0.%d" % (10 + i)},
                                                  {"type": "Hostname", "address": name}],
                                    "nodeInfo": {"kubeletVersion": self.version, "architecture": "amd64",
                                                 "operatingSystem": "linux"}}})
        objs += rbac.bootstrap_policy()
        objs.append({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": "kubernetes", "namespace": "default",
                                  "labels": {"component": "apiserver", "provider": "kubernetes"}},
                     "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                              "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}})
        self.seed(objs)

    # identities ----------------------------------------------------------------------------------------------
    def mint_token(self, namespace, account, audiences, expiration_seconds, bound=None):
        """A bound ServiceAccount token, as the TokenRequest API issues it: (token, RFC 3339 expiry)."""
        now = int(time.time())
        claims = {"aud": list(audiences), "exp": now + int(expiration_seconds), "iat": now,
                  "iss": "https://kubernetes.default.svc.cluster.local", "jti": new_uid(), "nbf": now,
                  "sub": "system:serviceaccount:%s:%s" % (namespace, account["metadata"]["name"]),
                  "kubernetes.io": {"namespace": namespace, "serviceaccount": {
                      "name": account["metadata"]["name"], "uid": account["metadata"]["uid"]}}}
        if bound:
            claims["kubernetes.io"][bound["kind"].lower()] = {"name": bound.get("name"), "uid": bound.get("uid")}
        token = ".".join(_b64url(part) for part in (
            json.dumps({"alg": "RS256", "kid": hashlib.sha256(self.name.encode()).hexdigest()[:43]}).encode(),
            json.dumps(claims, separators=(",", ":")).encode(), os.urandom(256)))
        self._tokens[token] = claims
        expiry = datetime.datetime.fromtimestamp(claims["exp"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return token, expiry

    def issued_tokens(self):
        """The claims of every token minted through serviceaccounts/token, oldest first."""
        return [copy.deepcopy(c) for c in self._tokens.values()]

    def identity(self, token):
        """(user, groups) a bearer token authenticates as, or None: the emulator's identities, or a minted token
        that has not expired and whose ServiceAccount still exists with the same uid."""
        ident = self.emulator.identities.get(token)
        if ident is not None:
            return ident[0], tuple(ident[1])
        claims = self._tokens.get(token)
        if claims is None or claims["exp"] <= time.time():
            return None
        sa = claims["kubernetes.io"]
        account = self.store.get(("", "serviceaccounts"), sa["namespace"], sa["serviceaccount"]["name"])
        if account is None or account["metadata"].get("uid") != sa["serviceaccount"]["uid"]:
            return None
        return claims["sub"], ("system:serviceaccounts", "system:serviceaccounts:" + sa["namespace"])

    def _rbac_lister(self, resource):
        return self.store.items((RBAC_GROUP, resource))

    def next_service_ip(self):
        self._service_ip += 1
        return "10.96.%d.%d" % (self._service_ip // 250, self._service_ip % 250)

    # hooks called by api.py with the store lock held --------------------------------------------------------------
    def on_write(self, rt, obj, old):
        key = (rt.group, rt.plural)
        if key == ("apiextensions.k8s.io", "customresourcedefinitions"):
            self._crd_changed(obj)
        del old
        self.controllers.reconcile()

    def on_delete(self, rt, obj):
        key = (rt.group, rt.plural)
        if key == ("apiextensions.k8s.io", "customresourcedefinitions") and obj is not None:
            self._crd_removed(obj)
        self.controllers.reconcile()

    def _crd_changed(self, crd):
        if crd["metadata"].get("deletionTimestamp"):
            return
        self.registry.add_crd(crd)
        spec = crd.get("spec") or {}
        self.custom_resources.add((spec.get("group"), (spec.get("names") or {}).get("plural")))

    def _crd_removed(self, crd):
        spec = crd.get("spec") or {}
        key = (spec.get("group"), (spec.get("names") or {}).get("plural"))
        self.store.remove_resource(key)
        self.custom_resources.discard(key)
        self.registry.remove_crd(crd["metadata"]["name"])

    # test API ------------------------------------------------------------------------------------------------------
    @property
    def server_url(self):
        return "%s/clusters/%s" % (self.emulator.url, self.name)

    def _type_of(self, obj_or_api_version, kind=None):
        if isinstance(obj_or_api_version, dict):
            api_version, kind = obj_or_api_version.get("apiVersion"), obj_or_api_version.get("kind")
        else:
            api_version = obj_or_api_version
        rt = self.registry.by_kind(api_version, kind)
        if rt is None:
            raise KeyError("no resource type for %s %s in cluster %s" % (api_version, kind, self.name))
        return rt

    def seed(self, objects):
        """Store objects directly (no authorization, no log); controllers then run as after any write."""
        with self.store.lock:
            for obj in objects:
                obj = copy.deepcopy(obj)
                rt = self._type_of(obj)
                meta = obj.setdefault("metadata", {})
                if rt.namespaced:
                    meta.setdefault("namespace", "default")
                else:
                    meta.pop("namespace", None)
                meta.setdefault("uid", new_uid())
                meta.setdefault("creationTimestamp", now_rfc3339())
                if not rt.crd:   # stored objects are always defaulted: a later update must not see a difference
                    defaults.apply((rt.group, rt.plural), obj)
                    if (rt.group, rt.plural) == ("batch", "jobs") and not (obj["spec"].get("selector")):
                        defaults.job_selector(obj)
                if "spec" in obj:
                    meta.setdefault("generation", 1)
                if (rt.group, rt.plural) == ("", "namespaces"):
                    meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
                    obj.setdefault("spec", {"finalizers": ["kubernetes"]})
                    obj.setdefault("status", {"phase": "Active"})
                old = self.store.get((rt.group, rt.plural), meta.get("namespace"), meta["name"])
                self.store.put((rt.group, rt.plural), obj, old)
                if (rt.group, rt.plural) == ("apiextensions.k8s.io", "customresourcedefinitions"):
                    self._crd_changed(obj)
            self.controllers.reconcile()

    def get(self, api_version, kind, name, namespace=None):
        rt = self._type_of(api_version, kind)
        obj = self.store.get((rt.group, rt.plural), namespace if rt.namespaced else "", name)
        return copy.deepcopy(obj) if obj is not None else None

    def list(self, api_version, kind, namespace=None):
        rt = self._type_of(api_version, kind)
        return copy.deepcopy(self.store.items((rt.group, rt.plural), namespace if rt.namespaced else None))

    def delete(self, api_version, kind, name, namespace=None):
        """Remove an object directly (no finalizers, no log)."""
        rt = self._type_of(api_version, kind)
        with self.store.lock:
            gone = self.store.remove((rt.group, rt.plural), namespace if rt.namespaced else "", name)
            self.controllers.reconcile()
            return gone

    # what the clock and the workloads would do ---------------------------------------------------------------
    def trigger_cronjob(self, name, namespace="default", when=None):
        """The CronJob's next schedule fires now (or at datetime `when`): returns the Job the CronJob controller
        created, or None when it created none (suspended; concurrencyPolicy Forbid with an active Job). Schedules
        never fire on their own. Without `when`, the scheduled time is now, or one minute after the previous
        schedule, so each trigger makes a new Job (named <cronjob>-<minutes since the epoch>, as the real one)."""
        with self.store.lock:
            cj = self.store.get(("batch", "cronjobs"), namespace, name)
            if cj is None:
                raise KeyError("no CronJob %s/%s in cluster %s" % (namespace, name, self.name))
            if when is None:
                when = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
                last = (cj.get("status") or {}).get("lastScheduleTime")
                if last:
                    previous = datetime.datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
                    when = max(when, previous + datetime.timedelta(minutes=1))
            job = self.controllers.trigger_cronjob(cj, when)
            return copy.deepcopy(job) if job is not None else None

    def finish_pod(self, name, namespace="default", exit_code=0):
        """The containers of a pod exit with exit_code (kubelet's view): a pod with restartPolicy Never (or
        OnFailure and exit code 0) ends Succeeded/Failed, others restart their containers. Returns the pod."""
        with self.store.lock:
            pod = self.store.get(("", "pods"), namespace, name)
            if pod is None:
                raise KeyError("no pod %s/%s in cluster %s" % (namespace, name, self.name))
            return copy.deepcopy(self.controllers.finish_pod(pod, exit_code))

    @property
    def job_pods_complete(self):
        """True (default): a Job's pods succeed as soon as they start. False: they run until finish_pod()."""
        return self.controllers.job_pods_complete

    @job_pods_complete.setter
    def job_pods_complete(self, value):
        self.controllers.job_pods_complete = bool(value)

    def log_request(self, entry):
        with self._log_lock:
            self._log.append(entry)

    def request_log(self):
        with self._log_lock:
            return [{k: v for k, v in e.items() if k != "_logged"} for e in self._log]

    @staticmethod
    def _is_write(entry):
        return entry["mutating"] and not entry["dry_run"] and entry["status"] < 400 and not entry.get("review")

    def writes(self):
        return [e for e in self.request_log() if self._is_write(e)]

    def clear_log(self):
        with self._log_lock:
            self._log.clear()

    def take_writes(self):
        """writes() since the last take_writes() or clear_log(), and the log emptied: for a process that follows the
        writes for hours."""
        with self._log_lock:
            log, self._log = self._log, []
        return [{k: v for k, v in e.items() if k != "_logged"} for e in log if self._is_write(e)]

    def set_fault(self, kind, path_contains=None, count=None, **params):
        """unreachable | slow (seconds=) | status (code=429|500|503, retry_after=); optional path_contains= and count=
        (how many matching requests it hits; "status" defaults to 1, the others to every request until cleared).
        A request a fault answered carries "fault" in the request log ("status 503", "slow", "unreachable")."""
        if kind not in ("unreachable", "slow", "status"):
            raise ValueError("unknown fault kind %r" % kind)
        fault = {"kind": kind, "path_contains": path_contains, "count": count}
        fault.update(params)
        if kind == "status":
            fault.setdefault("code", 503)
            if count is None and "count" not in params:
                fault["count"] = 1
        with self._faults_lock:
            self._faults.append(fault)

    def clear_faults(self):
        with self._faults_lock:
            self._faults.clear()

    def take_fault(self, path):
        """The fault that applies to a request on path (counts one use of a counted fault)."""
        with self._faults_lock:
            for fault in self._faults:
                if fault.get("path_contains") and fault["path_contains"] not in path:
                    continue
                if fault["count"] is not None:
                    if fault["count"] <= 0:
                        continue
                    fault["count"] -= 1
                return dict(fault)
        return None
