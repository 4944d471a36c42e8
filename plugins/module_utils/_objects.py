# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes objects as plain dicts (as the API returns them): references, labels, the uid-guarded DELETE.

Shared by the RBAC and diagnostic-pod logic and the modules that remove what they find.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import re

_DNS_LABEL_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def is_dns_label(value, limit=63):
    """Whether ``value`` is an RFC 1123 label (a namespace name) of at most ``limit`` characters (Helm release
    names: 53)."""
    return isinstance(value, str) and len(value) <= limit and bool(_DNS_LABEL_RE.match(value))


def has_labels(obj, labels):
    """Whether ``obj`` carries any of ``labels`` (a dict key -> value) with that value."""
    present = (obj.get("metadata") or {}).get("labels") or {}
    return any(present.get(key) == value for key, value in labels.items())


def object_ref(obj, kind=None):
    """A short reference to an object: {kind, name, namespace, uid}."""
    meta = obj.get("metadata") or {}
    return {"kind": kind or obj.get("kind"), "name": meta.get("name"), "namespace": meta.get("namespace"),
            "uid": meta.get("uid")}


def check_page_size(page_size):
    """Validate a module's page_size option (objects per list page); raises ValueError unless it is at least 1."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1, got %d" % page_size)


def delete_options(uid, grace_period_seconds=None):
    """The DeleteOptions body that deletes only the object with this uid (its dependents in the background)."""
    body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": uid}, "propagationPolicy": "Background"}
    if grace_period_seconds is not None:
        body["gracePeriodSeconds"] = grace_period_seconds
    return body


def delete_outcome(answer):
    """What a DELETE with delete_options() did, from its answer (404 and 409 accepted): "deleted", "gone" (404) or
    "replaced (uid changed)" (409: the uid precondition failed)."""
    if isinstance(answer, dict) and answer.get("kind") == "Status" and answer.get("status") == "Failure":
        return "gone" if answer.get("code") == 404 else "replaced (uid changed)"
    return "deleted"
