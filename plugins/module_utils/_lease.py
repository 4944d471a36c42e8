# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Support-access leases: who let the provider in, why, until when.

A lease is a ConfigMap in the cluster itself, so the record travels with the cluster and any
run (a laptop, AWX, CI) sees the same one. This is a private module_utils file of
neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import datetime
import json
import re

LEASE_NAME = "neocloud-support-access-lease"
LEASE_NAMESPACE = "kube-system"
LEASE_LABELS = {
    "app.kubernetes.io/managed-by": "neocloud.support_access",
    "app.kubernetes.io/component": "support-access-lease",
}
LEASE_STATES = ("active", "closed")
DEFAULT_DURATION = "8h"
# The longest lease the collection accepts at all; policies may set a shorter one.
MAX_DURATION_SECONDS = 7 * 24 * 3600

_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_FIELDS = ("provider", "cluster", "ticket", "reason", "requested_by", "roles", "enabled_at", "expires_at",
           "state", "closed_at", "closed_by", "closed_reason")


class LeaseError(ValueError):
    """A lease option or a stored lease that cannot be used; the message names the option."""


def parse_duration(value, option="duration"):
    """Seconds in a duration such as ``8h``, ``90m``, ``1h30m``, ``2d`` or a plain number of seconds."""
    if isinstance(value, bool):
        raise LeaseError("%s: expected a duration such as 8h, 90m or 1h30m, got %r" % (option, value))
    if isinstance(value, (int, float)):
        seconds = int(value)
    else:
        text = str(value).strip().lower()
        if text.isdigit():
            seconds = int(text)
        else:
            match = _DURATION.match(text)
            if not text or not match or not any(match.groupdict().values()):
                raise LeaseError("%s: expected a duration such as 8h, 90m or 1h30m, got %r" % (option, value))
            parts = {k: int(v or 0) for k, v in match.groupdict().items()}
            seconds = parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    if seconds <= 0:
        raise LeaseError("%s: must be longer than zero, got %r" % (option, value))
    if seconds > MAX_DURATION_SECONDS:
        raise LeaseError("%s: %r is longer than the 7 days a lease may last" % (option, value))
    return seconds


def format_time(moment):
    """RFC 3339 UTC with a Z, to the second, as Kubernetes writes times."""
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    """A timezone-aware datetime from an RFC 3339 string (``Z`` or an offset), or None for empty input."""
    if not text:
        return None
    value = str(text).strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Python 3.11's fromisoformat accepts fractions of any length but not 'T' lowercase variants; normalise.
    moment = datetime.datetime.fromisoformat(value.replace("t", "T"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment


def new_lease(provider, cluster, ticket, reason, requested_by, roles, duration, now):
    """The record of a lease that starts now."""
    seconds = parse_duration(duration)
    return {
        "provider": provider,
        "cluster": cluster,
        "ticket": ticket,
        "reason": reason or "",
        "requested_by": requested_by or "",
        "roles": sorted(set(roles or [])),
        "enabled_at": format_time(now),
        "expires_at": format_time(now + datetime.timedelta(seconds=seconds)),
        "state": "active",
        "closed_at": "",
        "closed_by": "",
        "closed_reason": "",
    }


def close_lease(lease, closed_by, closed_reason, now):
    """The same lease, closed now (a closed lease stays closed; closing again changes nothing)."""
    if lease.get("state") == "closed":
        return dict(lease)
    closed = dict(lease)
    closed.update(state="closed", closed_at=format_time(now), closed_by=closed_by or "",
                  closed_reason=closed_reason or "")
    return closed


def lease_status(lease, now):
    """``none``, ``active``, ``expired`` (active but past expires_at) or ``closed``."""
    if not lease:
        return "none"
    if lease.get("state") == "closed":
        return "closed"
    expires = parse_time(lease.get("expires_at"))
    if expires is None or expires <= now:
        return "expired"
    return "active"


def to_configmap_data(lease):
    """ConfigMap ``data`` (strings only) for a lease record."""
    data = {}
    for field in _FIELDS:
        value = lease.get(field, "")
        data[field] = json.dumps(value) if field == "roles" else str(value if value is not None else "")
    return data


def from_configmap(configmap):
    """The lease record stored in a ConfigMap, or None when there is none.

    Raises LeaseError when the ConfigMap exists but was not written by this collection: a lease that
    cannot be positively identified is never trusted or overwritten.
    """
    if not configmap:
        return None
    labels = (configmap.get("metadata") or {}).get("labels") or {}
    if any(labels.get(k) != v for k, v in LEASE_LABELS.items()):
        raise LeaseError("ConfigMap %s/%s exists but does not carry the labels %s: not a lease this collection wrote"
                         % ((configmap.get("metadata") or {}).get("namespace"), (configmap.get("metadata") or {}).get("name"),
                            ", ".join("%s=%s" % kv for kv in LEASE_LABELS.items())))
    data = configmap.get("data") or {}
    lease = {field: data.get(field, "") for field in _FIELDS}
    try:
        lease["roles"] = json.loads(data.get("roles") or "[]")
    except ValueError:
        lease["roles"] = [r for r in (data.get("roles") or "").split(",") if r]
    if lease["state"] not in LEASE_STATES:
        raise LeaseError("the stored lease has an unknown state %r" % lease["state"])
    return lease


def configmap_for(lease, name=LEASE_NAME, namespace=LEASE_NAMESPACE):
    """A ConfigMap manifest that stores the lease."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(LEASE_LABELS)},
        "data": to_configmap_data(lease),
    }
