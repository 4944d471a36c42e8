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
# How an earlier lease ended, as its history entry says: closed (by disable, revoke or expire), expired (never
# closed; a new lease was recorded after its end), extended (same ticket, new terms) or replaced (another ticket).
ENDINGS = ("closed", "expired", "extended", "replaced")
# The earlier leases a lease ConfigMap keeps, newest first; older ones drop off.
HISTORY_LIMIT = 50
DEFAULT_DURATION = "8h"
# The longest lease the collection accepts at all; policies may set a shorter one.
MAX_DURATION_SECONDS = 7 * 24 * 3600

_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_FIELDS = ("provider", "cluster", "ticket", "reason", "requested_by", "roles", "enabled_at", "expires_at",
           "state", "closed_at", "closed_by", "closed_reason")
TICKET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#:/-]{0,127}$")


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
        "history": [],
    }


def validate_active(ticket, require_ticket, duration, max_duration=None):
    """Seconds of ``duration`` for a lease that would start now; raises LeaseError naming the option that is wrong
    (ticket, duration, max_duration)."""
    if require_ticket and not (ticket or "").strip():
        raise LeaseError("ticket: a lease needs a ticket (option ticket), for example ZD-1234, unless "
                         "require_ticket=false")
    if ticket and not TICKET_RE.match(ticket):
        raise LeaseError("ticket: %r is not a ticket id (one word of letters, digits and . _ - # : /, for example "
                         "ZD-1234)" % ticket)
    seconds = parse_duration(duration, "duration")
    if max_duration:
        if seconds > parse_duration(max_duration, "max_duration"):
            raise LeaseError("max_duration: duration %s is longer than max_duration %s" % (duration, max_duration))
    return seconds


def history_entry(lease, ended):
    """An earlier lease as its history keeps it: the record without its own history, and how it ended."""
    entry = dict((k, v) for k, v in lease.items() if k not in ("history", "status"))
    entry["ended"] = ended
    return entry


def succeed(current, lease, now):
    """``lease`` (a new record) with ``current`` (the lease it follows, or None) at the head of its history.

    How the current lease ended: closed, expired, extended (an active lease, same ticket) or replaced (an active
    lease, another ticket)."""
    result = dict(lease)
    history = list((current or {}).get("history") or [])
    if current:
        status = lease_status(current, now)
        if status == "active":
            ended = "extended" if current.get("ticket") == lease.get("ticket") else "replaced"
        else:
            ended = status
        history.insert(0, history_entry(current, ended))
    result["history"] = history[:HISTORY_LIMIT]
    return result


def describe(lease):
    """A lease in a few words: ticket, who, roles and until when."""
    return "ticket %s, requested by %s, roles %s, until %s" % (
        lease.get("ticket") or "(none)", lease.get("requested_by") or "(unknown)",
        ", ".join(lease.get("roles") or []) or "(none)", lease.get("expires_at") or "?")


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
    data["history"] = json.dumps(list(lease.get("history") or []), sort_keys=True)
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
    lease["history"] = _history(data.get("history"))
    return lease


def _history(text):
    """The stored history: a JSON list of records (a lease written before histories were kept has none)."""
    if not text:
        return []
    try:
        history = json.loads(text)
    except ValueError:
        raise LeaseError("the stored lease history is not JSON") from None
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise LeaseError("the stored lease history is not a list of records")
    return history


def configmap_for(lease, name=LEASE_NAME, namespace=LEASE_NAMESPACE):
    """A ConfigMap manifest that stores the lease."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(LEASE_LABELS)},
        "data": to_configmap_data(lease),
    }
