# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What support identities did in a cluster, read from Kubernetes audit logs and Teleport audit events.

Streams JSON-lines files (plain or gzip, detected by magic bytes) line by line: memory stays bounded by the number of
clusters, support users, access requests and findings, never by the size of the logs. Pure Python without Ansible
imports, so the module, the benchmark and the unit tests share it.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import array
import datetime
import fnmatch
import glob
import gzip
import json
import os
import re
import zlib

from ansible_collections.neocloud.support_access.plugins.module_utils import _support

SCHEMA = 1
GZIP_MAGIC = b"\x1f\x8b"
# A longer line is skipped (and counted) without being held in memory whole.
MAX_LINE_BYTES = 32 * 1024 * 1024
READ_BUFFER = 1024 * 1024
DEFAULT_SUPPORT_GROUPS = ("crusoe:support:*",) + tuple(_support.COREWEAVE_SUPPORT_CLUSTER_ROLES)
DEFAULT_MAX_APPROVAL = 3600 * _support.COREWEAVE_APPROVED_ACCESS_HOURS
DEFAULT_ACCESS = 3600 * _support.COREWEAVE_APPROVED_ACCESS_HOURS
DEFAULT_MAX_EXAMPLES = 5
UNKNOWN_CLUSTER = "unknown"

SEVERITIES = ("high", "medium", "low", "info")
# code -> (severity, what it means); docs/activity.md explains each one.
FINDING_CODES = {
    "activity-after-revocation": ("high", "a support identity acted after support access was revoked"),
    "activity-after-denial": ("high", "a support identity acted after its access request was denied, without a later approval"),
    "activity-outside-window": ("high", "a support identity acted outside every approved access window"),
    "approver-not-allowed": ("high", "an access request was approved by someone not in the approvers list"),
    "approval-too-long": ("medium", "an approved access request grants access for longer than max_approval"),
    "exec-into-pod": ("medium", "a support identity opened a shell, attached or port-forwarded into a pod"),
    "secrets-read": ("medium", "a support identity read Secrets (get, list or watch)"),
    "request-expired": ("info", "an access request expired without an answer and granted nothing"),
}
ACTIVITY_CODES = ("activity-after-revocation", "activity-after-denial", "activity-outside-window")

K8S_API_VERSION_PREFIX = "audit.k8s.io/"
# Other stages repeat the same request (RequestReceived, ResponseStarted of long-running calls); counting only the
# final ones counts each request once.
K8S_FINAL_STAGES = ("ResponseComplete", "Panic")
EXEC_SUBRESOURCES = ("exec", "attach", "portforward")
READ_VERBS = ("get", "list", "watch")
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
# What a support identity created that can run code: revoke deletes these as support's (docs/doors.md).
CREATED_RESOURCES = ("pods", "daemonsets", "deployments", "statefulsets", "replicasets", "jobs", "cronjobs")
MAX_CREATED = 500
APPROVED, DENIED, PENDING = "APPROVED", "DENIED", "PENDING"
SKIP_REASONS = ("malformed_json", "not_object", "unknown_kind", "missing_fields", "line_too_long")
# Bounds for per-cluster breakdowns fed by log content (verbs, resources, users, Teleport event types).
MAX_KEYS = 1000
OTHER_KEY = "(other)"
MAX_TRANSITIONS = 50
MAX_REQUESTS = 100000
_CACHE_LIMIT = 20000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_MICRO = datetime.timedelta(microseconds=1)
_FRACTION = re.compile(r"\.(\d+)")
_DECODE = json.JSONDecoder().decode
_MIN_MICROS = (datetime.datetime.min.replace(tzinfo=datetime.timezone.utc) - _EPOCH) // _MICRO
_MAX_MICROS = (datetime.datetime.max.replace(tzinfo=datetime.timezone.utc) - _EPOCH) // _MICRO


class ActivityError(ValueError):
    """An option or input that cannot be used; the message names it."""


# ---------------------------------------------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------------------------------------------

def parse_time(value):
    """Microseconds since the epoch (an int, exact) from an RFC 3339 string, or None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    # Go writes up to nine fraction digits; keep six.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
        # A time whose UTC value is outside years 1-9999 (0001-01-01T00:00:00+14:00) is not one format_time can write.
        moment = moment.astimezone(datetime.timezone.utc)
    except (ValueError, OverflowError):
        return None
    return (moment - _EPOCH) // _MICRO


def format_time(micros):
    """RFC 3339 UTC (``Z``) for microseconds since the epoch; fractions only when there are any. None -> None."""
    if micros is None:
        return None
    # Times computed from log content (an approval plus the assumed access length) may pass year 9999: clamp.
    micros = min(max(micros, _MIN_MICROS), _MAX_MICROS)
    moment = _EPOCH + datetime.timedelta(microseconds=micros)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += (".%06d" % moment.microsecond).rstrip("0")
    return text + "Z"


def option_time(value, option):
    """A time option (RFC 3339 string or datetime) as microseconds; raises ActivityError naming the option."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return (value - _EPOCH) // _MICRO
    micros = parse_time(str(value) if value is not None else None)
    if micros is None:
        raise ActivityError("%s: expected an RFC 3339 time such as 2026-03-01T08:00:00Z, got %r" % (option, value))
    return micros


# ---------------------------------------------------------------------------------------------------------------
# input files
# ---------------------------------------------------------------------------------------------------------------

def expand_paths(paths):
    """Files named by ``paths``: files, directories (their regular files, not recursive, hidden ones skipped) and glob
    patterns, in order, each once. Raises ActivityError for an entry that names no file."""
    found = []
    seen = set()
    for entry in paths or []:
        entry = os.path.expanduser(str(entry))
        if glob.has_magic(entry):
            candidates = sorted(glob.glob(entry, recursive=True))
        elif os.path.isdir(entry):
            candidates = sorted(os.path.join(entry, name) for name in os.listdir(entry) if not name.startswith("."))
        else:
            candidates = [entry]
        candidates = [c for c in candidates if os.path.isfile(c)]
        if not candidates:
            raise ActivityError("paths: %s names no readable log file" % entry)
        for path in candidates:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                found.append(path)
    return found


def is_gzip(path):
    """Whether the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_log(path):
    """A binary line reader for a plain or gzip log file, and its compression (``gzip`` or ``none``)."""
    if is_gzip(path):
        return gzip.open(path, "rb"), "gzip"
    return open(path, "rb", buffering=READ_BUFFER), "none"  # pylint: disable=consider-using-with


def iter_lines(handle, limit=MAX_LINE_BYTES):
    """Lines of a binary file; a line longer than ``limit`` is read in pieces, dropped and yielded as None."""
    while True:
        line = handle.readline(limit)
        if not line:
            return
        if len(line) >= limit and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def _compile(patterns):
    """One regex for a list of glob patterns, or None for an empty list."""
    patterns = [str(p) for p in patterns or [] if str(p)]
    if not patterns:
        return None
    return re.compile("|".join("(?:%s)" % fnmatch.translate(p) for p in patterns))


def _bump(counter, key, amount=1):
    if key not in counter and len(counter) >= MAX_KEYS:
        key = OTHER_KEY
    counter[key] = counter.get(key, 0) + amount


def _str(value):
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------------------------------------------------------
# the analyzer
# ---------------------------------------------------------------------------------------------------------------

class _Cluster:
    """Bounded per-cluster aggregates."""

    def __init__(self, name):
        self.name = name
        self.k8s_events = 0
        self.teleport_events = {}
        self.support_events = 0
        self.ignored_stages = 0
        self.failed = 0
        self.actions = 0
        self.exec = 0
        self.secrets_read = 0
        self.writes = 0
        self.by_verb = {}
        self.by_resource = {}
        self.by_user = {}
        self.first = None
        self.last = None
        self.created = {}  # (resource, namespace, name) -> (user, when) of workloads a support identity created

    def summary(self):
        return {
            "cluster": self.name,
            "k8s_events": self.k8s_events,
            "teleport_events": dict(sorted(self.teleport_events.items())),
            "support_events": self.support_events,
            "support_actions": self.actions,
            "failed_requests": self.failed,
            "ignored_stages": self.ignored_stages,
            "exec": self.exec,
            "secrets_read": self.secrets_read,
            "writes": self.writes,
            "by_verb": dict(sorted(self.by_verb.items())),
            "by_resource": dict(sorted(self.by_resource.items())),
            "by_user": dict(sorted(self.by_user.items())),
            "first_action": format_time(self.first),
            "last_action": format_time(self.last),
            "created": [{"resource": key[0], "namespace": key[1], "name": key[2], "user": user, "time": format_time(when)}
                        for key, (user, when) in sorted(self.created.items())],
        }


class _Finding:
    """One finding: every occurrence of a code for one (cluster, user, request), counted, with capped examples."""

    def __init__(self, code, cluster, user, request_id=None):
        self.code = code
        self.cluster = cluster
        self.user = user
        self.request_id = request_id
        self.count = 0
        self.first = None
        self.last = None
        self.examples = []
        self.detail = ""

    def add(self, when, example, max_examples):
        self.count += 1
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)
        if example is not None and len(self.examples) < max_examples:
            self.examples.append(example)

    def as_dict(self):
        return {
            "severity": FINDING_CODES[self.code][0],
            "code": self.code,
            "cluster": self.cluster,
            "user": self.user,
            "time": format_time(self.first),
            "last_time": format_time(self.last),
            "count": self.count,
            "request_id": self.request_id,
            "detail": self.detail,
            "examples": sorted(self.examples, key=lambda e: e.get("time") or ""),
        }


def _action_label(example):
    resource = example.get("resource") or "?"
    if example.get("subresource"):
        resource += "/" + example["subresource"]
    where = "/".join(x for x in (example.get("namespace"), example.get("name")) if x)
    return "%s %s%s at %s" % (example.get("verb"), resource, " " + where if where else "", example.get("time"))


class ActivityAnalyzer:
    """Streams audit logs into per-cluster support activity, access requests and findings.

    Feed it with add_file() (or add_line() for tests), then call result(). Options:
    ``support_groups``/``support_users``/``impersonators`` glob patterns decide which requests are support activity
    (groups and user of the effective identity, i.e. impersonatedUser when present; impersonators match the
    authenticated user.username of an impersonated request); ``approvers`` globs of allowed approvers (None/empty:
    not checked); ``revoked_at`` {cluster or "*": time}; ``leases`` lease records ({cluster, enabled_at, expires_at,
    state, closed_at}); ``cluster`` the default cluster, ``cluster_map`` {path or glob: cluster};
    ``max_approval``/``default_access`` seconds; ``max_examples`` examples kept per finding.
    """

    def __init__(self, support_groups=DEFAULT_SUPPORT_GROUPS, support_users=(), impersonators=(), approvers=None,
                 revoked_at=None, leases=None, cluster=None, cluster_map=None, max_approval=DEFAULT_MAX_APPROVAL,
                 default_access=DEFAULT_ACCESS, max_examples=DEFAULT_MAX_EXAMPLES):
        self.group_re = _compile(support_groups)
        self.user_re = _compile(support_users)
        self.impersonator_re = _compile(impersonators)
        self.approvers = [str(a) for a in approvers or [] if str(a)]
        self.approver_re = _compile(self.approvers)
        self.default_cluster = cluster or None
        self.cluster_map = dict(cluster_map or {})
        if max_approval <= 0 or default_access <= 0:
            raise ActivityError("max_approval and default_access must be longer than zero")
        self.max_approval = int(max_approval) * 1000000
        self.default_access = int(default_access) * 1000000
        if max_examples < 0:
            raise ActivityError("max_examples must not be negative, got %r" % max_examples)
        self.max_examples = int(max_examples)
        self.revoked = {}
        for key, value in (revoked_at or {}).items():
            self.revoked[str(key)] = option_time(value, "revoked_at[%s]" % key)
        self.lease_windows = []   # (cluster or None, start, end)
        lease_revoked = {}
        for index, lease in enumerate(leases or []):
            self._add_lease(index, lease, lease_revoked)
        for key, value in lease_revoked.items():
            self.revoked.setdefault(key, value)
        self.clusters = {}
        self.files = []
        self.requests = {}
        self.requests_dropped = 0
        self.findings = {}
        # Support actions not inside a known window when read: decided in result(), once every request is known.
        self.pending = {}
        self._window_cache = {}
        self._windows_version = 0
        self._group_cache = {}
        self._user_cache = {}

    # ----- options -----

    def _add_lease(self, index, lease, lease_revoked):
        if not isinstance(lease, dict):
            raise ActivityError("leases[%d] must be a dictionary (a lease record), got %r" % (index, lease))
        cluster = lease.get("cluster") or None
        start = option_time(lease.get("enabled_at"), "leases[%d].enabled_at" % index)
        end = option_time(lease.get("expires_at"), "leases[%d].expires_at" % index)
        closed = None
        if lease.get("state") == "closed" and lease.get("closed_at"):
            closed = option_time(lease.get("closed_at"), "leases[%d].closed_at" % index)
            end = min(end, closed)
            key = cluster or "*"
            lease_revoked[key] = max(lease_revoked.get(key, closed), closed)
        self.lease_windows.append((cluster, start, end))

    def cluster_for_path(self, path):
        """The cluster the option mapping (or the default) assigns to a file, else None."""
        for pattern, cluster in self.cluster_map.items():
            pattern = os.path.expanduser(str(pattern))
            if path == pattern or os.path.basename(path) == pattern or fnmatch.fnmatchcase(path, pattern) \
                    or fnmatch.fnmatchcase(os.path.basename(path), pattern):
                return str(cluster)
        return self.default_cluster

    # ----- identity -----

    def _cached(self, cache, regex, value):
        if regex is None or not value:
            return False
        hit = cache.get(value)
        if hit is None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            hit = cache[value] = regex.match(value) is not None
        return hit

    def is_support(self, username, groups, impersonator=None):
        """Whether an identity is a support identity (see the class docstring)."""
        if self._cached(self._user_cache, self.user_re, username):
            return True
        if isinstance(groups, list):
            for group in groups:
                if isinstance(group, str) and self._cached(self._group_cache, self.group_re, group):
                    return True
        if impersonator and self.impersonator_re is not None and self.impersonator_re.match(impersonator):
            return True
        return False

    # ----- reading -----

    def _cluster(self, name):
        name = name or UNKNOWN_CLUSTER
        cluster = self.clusters.get(name)
        if cluster is None:
            cluster = self.clusters[name] = _Cluster(name)
        return cluster

    def add_file(self, path):
        """Read one log file (plain or gzip) line by line; returns its statistics dict (also kept for result())."""
        cluster = self.cluster_for_path(path)
        stats = {"path": path, "cluster": cluster, "compression": "none", "bytes": 0, "lines": 0, "parsed": 0,
                 "blank": 0, "skipped": 0, "skipped_reasons": dict.fromkeys(SKIP_REASONS, 0), "k8s_events": 0,
                 "teleport_events": 0, "error": None}
        try:
            stats["bytes"] = os.path.getsize(path)
            handle, stats["compression"] = open_log(path)
        except OSError as exc:
            stats["error"] = "cannot read: %s" % exc
            self.files.append(stats)
            return stats
        try:
            with handle:
                for line in iter_lines(handle):
                    self.add_line(line, cluster, stats)
        except (OSError, EOFError, zlib.error) as exc:
            # A truncated or corrupt gzip stream: keep what was read, say where it stopped.
            stats["error"] = "stopped after line %d: %s" % (stats["lines"], exc or exc.__class__.__name__)
        self.files.append(stats)
        return stats

    def _skip(self, stats, reason):
        stats["skipped"] += 1
        stats["skipped_reasons"][reason] += 1

    def add_line(self, line, cluster, stats):
        """One line (bytes or str; None for an over-long line) of a file whose cluster is ``cluster``."""
        stats["lines"] += 1
        if line is None:
            self._skip(stats, "line_too_long")
            return
        if not line.strip():
            stats["blank"] += 1
            return
        try:
            obj = _DECODE(line.decode("utf-8") if isinstance(line, bytes) else line)
        except (ValueError, RecursionError):
            # RecursionError: nesting deeper than the decoder can follow ("[[[[..."), not a log event either
            self._skip(stats, "malformed_json")
            return
        if not isinstance(obj, dict):
            self._skip(stats, "not_object")
            return
        if obj.get("kind") == "Event" and _str(obj.get("apiVersion")).startswith(K8S_API_VERSION_PREFIX):
            ok = self._k8s_event(obj, cluster)
            kind = "k8s_events"
        elif isinstance(obj.get("event"), str) and obj.get("event"):
            ok = self._teleport_event(obj, cluster)
            kind = "teleport_events"
        else:
            self._skip(stats, "unknown_kind")
            return
        if not ok:
            self._skip(stats, "missing_fields")
            return
        stats["parsed"] += 1
        stats[kind] += 1

    # ----- Kubernetes audit events -----

    def _k8s_event(self, obj, cluster_name):
        verb = obj.get("verb")
        user = obj.get("user")
        if not isinstance(verb, str) or not verb or not isinstance(user, dict):
            return False
        stamp = obj.get("requestReceivedTimestamp") or obj.get("stageTimestamp")
        if not isinstance(stamp, str) or not stamp:
            return False
        cluster = self._cluster(cluster_name)
        cluster.k8s_events += 1
        impersonated = obj.get("impersonatedUser")
        impersonator = None
        if isinstance(impersonated, dict) and impersonated.get("username"):
            username, groups = _str(impersonated.get("username")), impersonated.get("groups")
            impersonator = _str(user.get("username"))
        else:
            username, groups = _str(user.get("username")), user.get("groups")
        if not self.is_support(username, groups, impersonator):
            return True
        when = parse_time(stamp)
        if when is None:
            return False
        cluster.support_events += 1
        stage = obj.get("stage")
        if stage and stage not in K8S_FINAL_STAGES:
            cluster.ignored_stages += 1
            return True
        status = obj.get("responseStatus")
        code = status.get("code") if isinstance(status, dict) else None
        if isinstance(code, int) and code >= 400:
            cluster.failed += 1
            return True
        ref = obj.get("objectRef") if isinstance(obj.get("objectRef"), dict) else {}
        resource, sub = _str(ref.get("resource")), _str(ref.get("subresource"))
        group = _str(ref.get("apiGroup"))
        self._action(cluster, when, username, verb, resource, sub, group, _str(ref.get("namespace")),
                     _str(ref.get("name")), obj, impersonator)
        return True

    def _action(self, cluster, when, username, verb, resource, sub, group, namespace, name, obj, impersonator):
        cluster.actions += 1
        cluster.first = when if cluster.first is None else min(cluster.first, when)
        cluster.last = when if cluster.last is None else max(cluster.last, when)
        _bump(cluster.by_verb, verb)
        _bump(cluster.by_resource, (resource or _str(obj.get("requestURI")) or "?") + ("/" + sub if sub else ""))
        _bump(cluster.by_user, username)
        is_exec = resource == "pods" and sub in EXEC_SUBRESOURCES and not group
        is_secret_read = resource == "secrets" and not group and not sub and verb in READ_VERBS
        if is_exec:
            cluster.exec += 1
        elif verb in WRITE_VERBS:
            cluster.writes += 1
        if is_secret_read:
            cluster.secrets_read += 1
        if verb == "create" and not sub and not (group or "").endswith(".k8s.io") and resource in CREATED_RESOURCES:
            response = obj.get("responseObject") if isinstance(obj.get("responseObject"), dict) else {}
            name = name or _str((response.get("metadata") or {}).get("name"))
            if name and len(cluster.created) < MAX_CREATED:
                cluster.created.setdefault((resource, namespace, name), (username, when))
        example = None
        if self.max_examples:
            example = {"time": format_time(when), "user": username, "verb": verb, "resource": resource,
                       "subresource": sub, "namespace": namespace, "name": name,
                       "audit_id": _str(obj.get("auditID")), "impersonated_by": impersonator or "",
                       "user_agent": _str(obj.get("userAgent"))[:200]}
        if is_exec:
            self._finding("exec-into-pod", cluster.name, username).add(when, example, self.max_examples)
        if is_secret_read:
            self._finding("secrets-read", cluster.name, username).add(when, example, self.max_examples)
        if not self.covered(cluster.name, username, when, settled=True):
            key = (cluster.name, username)
            entry = self.pending.get(key)
            if entry is None:
                entry = self.pending[key] = [array.array("q"), []]
            entry[0].append(when)
            # Keep a few more examples than shown: some may turn out covered by a request read later.
            if example is not None and len(entry[1]) < self.max_examples * 4:
                entry[1].append((when, example))

    def _finding(self, code, cluster, user, request_id=None):
        key = (code, cluster, user, request_id)
        finding = self.findings.get(key)
        if finding is None:
            finding = self.findings[key] = _Finding(code, cluster, user, request_id)
        return finding

    # ----- Teleport events -----

    def _teleport_event(self, obj, file_cluster):
        kind = obj["event"]
        when = parse_time(obj.get("time"))
        if when is None:
            return False
        cluster = _str(obj.get("kubernetes_cluster")) or self._resource_cluster(obj) or file_cluster
        if not kind.startswith("access_request."):
            _bump(self._cluster(cluster).teleport_events, kind)
            return True
        request_id = obj.get("id")
        if not isinstance(request_id, str) or not request_id:
            return False
        return self._request_event(kind, request_id, when, obj, cluster)

    @staticmethod
    def _resource_cluster(obj):
        refs = obj.get("resource_ids")
        for ref in refs if isinstance(refs, list) else []:
            if isinstance(ref, dict) and ref.get("kind") == "kube_cluster" and ref.get("name"):
                return _str(ref["name"])
        return ""

    def _request_event(self, kind, request_id, when, obj, cluster):
        record = self.requests.get(request_id)
        if record is None:
            if len(self.requests) >= MAX_REQUESTS:
                self.requests_dropped += 1
                return True
            record = self.requests[request_id] = {
                "id": request_id, "cluster": None, "user": None, "roles": [], "reason": "", "created": None,
                "state": PENDING, "transitions": [], "approved_at": None, "approved_by": None, "denied_at": None,
                "denied_by": None, "expires": None, "max_duration": None, "reviewers": [], "expired_at": None,
                "deleted_at": None, "created_seen": False}
        self._windows_version += 1
        state = _str(obj.get("state")).upper()
        actor = _str(obj.get("reviewer")) or _str(obj.get("updated_by"))
        if kind == "access_request.create":
            record["created_seen"] = True
            record["user"] = _str(obj.get("user")) or record["user"]
            # the create event says whose request it is and for which cluster; it wins over later events
            record["cluster"] = cluster or record["cluster"]
            record["created"] = when if record["created"] is None else min(record["created"], when)
            actor = ""
        elif not actor and kind in ("access_request.update", "access_request.review"):
            actor = _str(obj.get("user"))
        if cluster and not record["cluster"]:
            record["cluster"] = cluster
        roles = obj.get("roles")
        if isinstance(roles, list) and roles:
            record["roles"] = sorted(set(_str(r) for r in roles if _str(r)))
        if _str(obj.get("reason")) and (kind == "access_request.create" or not record["reason"]):
            record["reason"] = _str(obj.get("reason"))[:1000]
        for field in ("expires", "max_duration"):
            value = parse_time(obj.get(field))
            if value is not None and (kind != "access_request.create" or record[field] is None):
                record[field] = value
        if kind == "access_request.review" and actor and actor not in record["reviewers"]:
            record["reviewers"].append(actor)
        if state == APPROVED and (record["approved_at"] is None or when < record["approved_at"]):
            record["approved_at"], record["approved_by"] = when, actor or None
        if state == DENIED and (record["denied_at"] is None or when < record["denied_at"]):
            record["denied_at"], record["denied_by"] = when, actor or None
        if kind == "access_request.expire":
            record["expired_at"] = when
        if kind == "access_request.delete":
            record["deleted_at"] = when
        if len(record["transitions"]) < MAX_TRANSITIONS:
            record["transitions"].append({"time": when, "event": kind, "state": state or None, "by": actor or None,
                                          "proposed_state": _str(obj.get("proposed_state")).upper() or None})
        return True

    # ----- windows -----

    def request_window(self, record):
        """(start, end, assumed) of an approved request's access, or None. End is exclusive; without an ``expires``
        the access is assumed to last default_access."""
        start = record["approved_at"]
        if start is None or (record["denied_at"] is not None and record["denied_at"] <= start):
            return None
        if record["expires"] is not None:
            return start, record["expires"], False
        return start, start + self.default_access, True

    def _windows(self, cluster, user, settled):
        if self._window_cache.get("version") != self._windows_version:
            self._window_cache = {"version": self._windows_version}
        key = (cluster, user, settled)
        windows = self._window_cache.get(key)
        if windows is None:
            windows = [(start, end) for lc, start, end in self.lease_windows if lc in (None, cluster)]
            for record in self.requests.values():
                if settled and not record["created_seen"]:
                    continue
                if record["cluster"] not in (None, cluster) or record["user"] not in (None, user):
                    continue
                window = self.request_window(record)
                if window:
                    windows.append(window[:2])
            if len(self._window_cache) > _CACHE_LIMIT:
                self._window_cache = {"version": self._windows_version}
            self._window_cache[key] = windows
        return windows

    def covered(self, cluster, user, when, settled=False):
        """Whether ``when`` is inside an approved window for ``user`` in ``cluster``: start <= when < end.

        ``settled`` counts only leases and requests whose create event was read: whose requester and cluster can no
        longer change. While reading, an action they do not cover is kept and decided in result()."""
        return any(start <= when < end for start, end in self._windows(cluster, user, settled))

    def revoked_at(self, cluster):
        """When support access to ``cluster`` was revoked (microseconds), or None."""
        return self.revoked.get(cluster, self.revoked.get("*"))

    def classify(self, cluster, user, when):
        """The activity code for a support action at ``when`` (None when it is inside an approved window)."""
        if self.covered(cluster, user, when):
            return None
        revoked = self.revoked_at(cluster)
        if revoked is not None and when >= revoked:
            return "activity-after-revocation"
        for record in self.requests.values():
            if record["cluster"] in (None, cluster) and record["user"] in (None, user) \
                    and record["denied_at"] is not None and record["denied_at"] <= when:
                return "activity-after-denial"
        return "activity-outside-window"

    # ----- results -----

    def _request_findings(self):
        for record in self.requests.values():
            window = self.request_window(record)
            user = record["user"] or "(unknown)"
            if window:
                start, end, assumed = window
                longest = 0 if assumed else end - start
                if record["max_duration"] is not None:
                    longest = max(longest, record["max_duration"] - start)
                if longest > self.max_approval:
                    finding = self._finding("approval-too-long", record["cluster"], user, record["id"])
                    finding.add(start, None, 0)
                    finding.detail = ("request %s (roles %s) approved at %s grants access for %s, longer than %s"
                                      % (record["id"], ", ".join(record["roles"]) or "-", format_time(start),
                                         _hours(longest), _hours(self.max_approval)))
                if self.approver_re is not None and not (record["approved_by"] and self.approver_re.match(record["approved_by"])):
                    finding = self._finding("approver-not-allowed", record["cluster"], user, record["id"])
                    finding.add(start, None, 0)
                    finding.detail = ("request %s was approved by %s, who is not in approvers (%s)"
                                      % (record["id"], record["approved_by"] or "an unknown approver", ", ".join(self.approvers)))
            elif record["expired_at"] is not None and record["denied_at"] is None and record["approved_at"] is None:
                finding = self._finding("request-expired", record["cluster"], user, record["id"])
                finding.add(record["expired_at"], None, 0)
                finding.detail = "request %s (roles %s) by %s expired at %s without an answer" % (
                    record["id"], ", ".join(record["roles"]) or "-", user, format_time(record["expired_at"]))

    def _activity_findings(self):
        for (cluster, user), (times, examples) in sorted(self.pending.items()):
            codes = {}
            for when in times:
                code = self.classify(cluster, user, when)
                if code:
                    self._finding(code, cluster, user).add(when, None, 0)
                    codes[when] = code
            for when, example in examples:
                code = codes.get(when)
                if code:
                    finding = self._finding(code, cluster, user)
                    if len(finding.examples) < self.max_examples:
                        finding.examples.append(example)

    def _details(self):
        for finding in self.findings.values():
            if finding.detail:
                continue
            labels = "; ".join(_action_label(e) for e in finding.examples[:3])
            what = {
                "activity-after-revocation": "action(s) after support access was revoked at %s" % format_time(self.revoked_at(finding.cluster)),
                "activity-after-denial": "action(s) after a denied access request, outside any approved window",
                "activity-outside-window": "action(s) outside every approved access window",
                "exec-into-pod": "exec/attach/port-forward action(s) into pods",
                "secrets-read": "Secret read(s)",
            }[finding.code]
            suffix = ": " + labels if labels else ""
            finding.detail = "%d %s by %s in %s%s" % (finding.count, what, finding.user, finding.cluster, suffix)

    def result(self):
        """Everything read: {clusters, access_requests, findings, files, summary} (plain JSON types)."""
        self.findings = dict((k, v) for k, v in self.findings.items() if k[0] not in ACTIVITY_CODES
                             and k[0] not in ("approval-too-long", "approver-not-allowed", "request-expired"))
        self._request_findings()
        self._activity_findings()
        self._details()
        rank = dict((s, i) for i, s in enumerate(SEVERITIES))
        findings = sorted((f.as_dict() for f in self.findings.values()),
                          key=lambda f: (rank[f["severity"]], f["time"] or "", f["code"], f["cluster"] or "", f["user"] or ""))
        requests = []
        for record in sorted(self.requests.values(), key=lambda r: (r["created"] or r["approved_at"] or 0, r["id"])):
            window = self.request_window(record)
            item = dict(record)
            item.pop("created_seen")
            for key in ("created", "approved_at", "denied_at", "expires", "max_duration", "expired_at", "deleted_at"):
                item[key] = format_time(record[key])
            ordered = sorted(record["transitions"], key=lambda t: t["time"])
            item["transitions"] = [dict(t, time=format_time(t["time"])) for t in ordered]
            item["state"] = _latest_state(record, ordered)
            item["window"] = None if window is None else {"start": format_time(window[0]), "end": format_time(window[1]),
                                                          "assumed_end": window[2]}
            requests.append(item)
        clusters = {}
        for name in sorted(set(self.clusters) | set(f["cluster"] for f in findings if f["cluster"])):
            summary = self._cluster(name).summary()
            summary["revoked_at"] = format_time(self.revoked_at(name))
            summary["access_requests"] = [r["id"] for r in requests if r["cluster"] in (None, name)]
            summary["findings"] = {}
            for finding in findings:
                if finding["cluster"] in (None, name):
                    _bump(summary["findings"], finding["code"])
            clusters[name] = summary
        totals = dict((key, sum(f[key] for f in self.files)) for key in ("bytes", "lines", "parsed", "blank", "skipped"))
        by_severity = dict((s, sum(1 for f in findings if f["severity"] == s)) for s in SEVERITIES)
        by_code = {}
        for finding in findings:
            _bump(by_code, finding["code"])
        totals.update({
            "files": len(self.files),
            "file_errors": sum(1 for f in self.files if f["error"]),
            "clusters": len(clusters),
            "support_actions": sum(c["support_actions"] for c in clusters.values()),
            "access_requests": len(requests),
            "access_requests_dropped": self.requests_dropped,
            "findings": len(findings),
            "by_severity": by_severity,
            "by_code": dict(sorted(by_code.items())),
        })
        return {"schema": SCHEMA, "clusters": clusters, "access_requests": requests, "findings": findings,
                "files": list(self.files), "summary": totals}


def _latest_state(record, transitions):
    """The request's state after its last event: APPROVED, DENIED, PENDING, EXPIRED (unanswered) or PROMOTED."""
    state = PENDING
    for transition in transitions:
        if transition["state"]:
            state = transition["state"]
    if state == PENDING and record["expired_at"] is not None:
        state = "EXPIRED"
    return state


def _hours(micros):
    seconds = int(micros // 1000000)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return "%dh%02dm" % (hours, minutes) if minutes else "%dh" % hours


def sniff_teleport(path, probe_lines=20):
    """Whether a log file looks like Teleport events (its first parseable lines are Teleport events)."""
    try:
        handle, _compression = open_log(path)
        with handle:
            for index, line in enumerate(iter_lines(handle, limit=1024 * 1024)):
                if index >= probe_lines:
                    break
                try:
                    obj = json.loads(line) if line else None
                except (ValueError, RecursionError):
                    continue
                if isinstance(obj, dict):
                    return isinstance(obj.get("event"), str) and "auditID" not in obj
    except (OSError, EOFError, zlib.error):
        return False
    return False


def analyze(paths, exclude=(), **options):
    """Expand ``paths``, read every file (Teleport files first, so windows are known early) and return result().

    Files in ``exclude`` (for example the report being written) are not read even when ``paths`` names them."""
    analyzer = ActivityAnalyzer(**options)
    skip = set(os.path.realpath(p) for p in exclude or () if p)
    files = [p for p in expand_paths(paths) if os.path.realpath(p) not in skip]
    ordered = sorted(files, key=lambda p: (not sniff_teleport(p), files.index(p)))
    for path in ordered:
        analyzer.add_file(path)
    return analyzer.result()
