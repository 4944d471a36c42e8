# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The object store of one virtual cluster: objects by resource, one resourceVersion counter, watch history.

Stored objects are never mutated in place: every write stores a new dict, so watch history entries and
readers holding a reference keep a consistent view.
"""

import base64
import collections
import copy
import datetime
import json
import random
import re
import threading
import uuid

HISTORY = 4000


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class SelectorError(ValueError):
    """A label or field selector that kube-apiserver would refuse (400 BadRequest)."""


_KEY = r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(r"^\s*(%s)\s+(in|notin)\s*\(([^)]*)\)\s*$" % _KEY)
_EQ_RE = re.compile(r"^\s*(%s)\s*(==|=|!=)\s*(%s)\s*$" % (_KEY, _VALUE))
_EXISTS_RE = re.compile(r"^\s*(!?)\s*(%s)\s*$" % _KEY)
_VALUE_RE = re.compile("^%s$" % _VALUE)


def _split_terms(text):
    terms, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    return [t for t in terms if t.strip()]


def parse_label_selector(text):
    """Parse a label selector string into (key, op, values) requirements; raise SelectorError like the API."""
    reqs = []
    for term in _split_terms(text or ""):
        m = _SET_RE.match(term)
        if m:
            values = [v.strip() for v in m.group(3).split(",") if v.strip()]
            if not values or not all(_VALUE_RE.match(v) for v in values):
                raise SelectorError("unable to parse requirement: values for %s must be a non-empty list of valid values" % m.group(1))
            reqs.append((m.group(1), m.group(2), values))
            continue
        m = _EQ_RE.match(term)
        if m:
            op = "!=" if m.group(2) == "!=" else "="
            reqs.append((m.group(1), op, [m.group(3)]))
            continue
        m = _EXISTS_RE.match(term)
        if m:
            reqs.append((m.group(2), "!" if m.group(1) else "exists", []))
            continue
        raise SelectorError("unable to parse requirement: found '%s', expected: in, notin, =, ==, !=, gt, lt" % term.strip())
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        has = key in labels
        val = labels.get(key)
        if op == "=" and not (has and val == values[0]):
            return False
        if op == "!=" and has and val == values[0]:
            return False
        if op == "in" and not (has and val in values):
            return False
        if op == "notin" and has and val in values:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def selector_from_label_selector(sel):
    """metav1.LabelSelector (matchLabels/matchExpressions) -> requirements."""
    reqs = [(k, "=", [v]) for k, v in (sel.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in sel.get("matchExpressions") or []:
        reqs.append((expr["key"], ops[expr["operator"]], list(expr.get("values") or [])))
    return reqs


# Field selectors each resource supports in kube-apiserver (plus metadata.name / metadata.namespace everywhere).
FIELD_LABELS = {
    ("", "pods"): ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                   "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"),
    ("", "secrets"): ("type",),
    ("", "namespaces"): ("status.phase",),
    ("", "nodes"): ("spec.unschedulable",),
    ("", "events"): ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                     "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                     "reason", "reportingComponent", "source", "type"),
    ("", "replicationcontrollers"): ("status.replicas",),
    ("apps", "replicasets"): ("status.replicas",),
    ("batch", "jobs"): ("status.successful",),
    ("certificates.k8s.io", "certificatesigningrequests"): ("spec.signerName",),
}


def parse_field_selector(text, resource_key):
    reqs = []
    allowed = ("metadata.name", "metadata.namespace") + FIELD_LABELS.get(resource_key, ())
    for term in _split_terms(text or ""):
        m = re.match(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not m:
            raise SelectorError("invalid selector: '%s'; can't understand '%s'" % (text, term))
        if m.group(1) not in allowed:
            raise SelectorError('field label not supported: %s' % m.group(1))
        reqs.append((m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return reqs


def _field_value(obj, path):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(reqs, obj):
    for path, op, value in reqs:
        got = _field_value(obj, path)
        if (got == value) != (op == "="):
            return False
    return True


class Store:
    """Objects of one cluster keyed by (group, plural) then (namespace, name); one resourceVersion counter."""

    def __init__(self):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objects = collections.defaultdict(dict)
        self.rv = 1
        self.history = collections.deque(maxlen=HISTORY)
        self.closed = False

    # reads -----------------------------------------------------------------------------------------------
    def get(self, rkey, namespace, name):
        with self.lock:
            return self.objects.get(rkey, {}).get((namespace or "", name))

    def items(self, rkey, namespace=None):
        with self.lock:
            objs = self.objects.get(rkey, {})
            keys = sorted(objs)
            return [objs[k] for k in keys if namespace is None or k[0] == namespace]

    def all_items(self):
        with self.lock:
            return [(rkey, obj) for rkey, objs in self.objects.items() for obj in objs.values()]

    def current_rv(self):
        with self.lock:
            return self.rv

    # writes ----------------------------------------------------------------------------------------------
    def next_rv(self):
        self.rv += 1
        return self.rv

    def put(self, rkey, obj, old=None):
        """Store obj (a new dict) with a fresh resourceVersion; records ADDED or MODIFIED for watchers."""
        with self.lock:
            meta = obj.setdefault("metadata", {})
            rv = self.next_rv()
            meta["resourceVersion"] = str(rv)
            key = (meta.get("namespace") or "", meta["name"])
            prev = self.objects[rkey].get(key)
            self.objects[rkey][key] = obj
            self.history.append((rv, "MODIFIED" if prev is not None else "ADDED", rkey, obj, prev))
            self.cond.notify_all()
            return obj

    def remove(self, rkey, namespace, name):
        with self.lock:
            prev = self.objects.get(rkey, {}).pop((namespace or "", name), None)
            if prev is None:
                return None
            rv = self.next_rv()
            gone = copy.deepcopy(prev)
            gone["metadata"]["resourceVersion"] = str(rv)
            self.history.append((rv, "DELETED", rkey, gone, prev))
            self.cond.notify_all()
            return gone

    def remove_resource(self, rkey):
        with self.lock:
            for ns, name in list(self.objects.get(rkey, {})):
                self.remove(rkey, ns, name)
            self.objects.pop(rkey, None)

    def events_since(self, rv):
        """History entries newer than rv, or None when rv is older than the history kept (410 Gone)."""
        with self.lock:
            if len(self.history) == self.history.maxlen and rv < self.history[0][0] - 1:
                return None
            if not self.history or self.history[-1][0] <= rv:
                return []
            return [h for h in self.history if h[0] > rv]

    def close(self):
        with self.lock:
            self.closed = True
            self.cond.notify_all()


def new_uid():
    return str(uuid.uuid4())


NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"   # apimachinery's rand.String: no vowels, no look-alikes


def name_suffix(n=5):
    """The random suffix kube-apiserver (generateName) and the controllers append to names."""
    return "".join(random.choice(NAME_ALPHABET) for _pos in range(n))


def encode_continue(rv, last_key):
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": "%s/%s" % last_key}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_continue(token):
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        ns, name = data["start"].split("/", 1)
        return int(data["rv"]), (ns, name)
    except (ValueError, KeyError, TypeError) as exc:
        raise SelectorError("continue key is not valid: %s" % exc) from exc
