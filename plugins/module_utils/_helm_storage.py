# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Helm release's state read from Helm's own storage: no helm binary needed to audit.

Helm 3 and 4 (storage driver ``secret``, the default) keep each revision of a release in a Secret named
``sh.helm.release.v1.<release>.v<revision>`` of type ``helm.sh/release.v1``, labelled ``owner=helm``,
``name=<release>``, ``status=<status>`` and ``version=<revision>``. Its ``release`` key holds the release record:
base64 of gzip of JSON (on top of the base64 of every Secret value). ``helm list`` shows the newest revision whose
status is not superseded; a release counts as installed while that revision is deployed, failed, pending-* or
uninstalling (a run killed during ``helm uninstall`` leaves it uninstalling, and it still grants what it installed).

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import base64
import gzip
import json

RELEASE_SECRET_TYPE = "helm.sh/release.v1"
# Statuses of a revision that still has its objects in the cluster.
LIVE_STATUSES = ("deployed", "failed", "pending-install", "pending-upgrade", "pending-rollback", "uninstalling")
_GZIP_MAGIC = b"\x1f\x8b\x08"


def decode_release(secret):
    """The release record (dict) of a Helm release Secret, or None when it cannot be decoded."""
    raw = ((secret or {}).get("data") or {}).get("release")
    if not raw:
        return None
    try:
        payload = base64.b64decode(base64.b64decode(raw))
        if payload[:3] == _GZIP_MAGIC:
            payload = gzip.decompress(payload)
        record = json.loads(payload)
    except (ValueError, TypeError, OSError, EOFError):
        return None
    return record if isinstance(record, dict) else None


def _revision(secret):
    labels = (secret.get("metadata") or {}).get("labels") or {}
    try:
        return int(labels.get("version") or 0)
    except ValueError:
        return 0


def release_state(secrets, release):
    """The state of ``release`` from its Secrets (any order): {installed, status, revision, chart, version, app_version}.

    ``installed`` is true while the newest revision's status is one of LIVE_STATUSES. ``chart`` is
    ``<chart name>-<version>`` as ``helm list`` prints it; empty when no revision exists.
    """
    own = [s for s in secrets or [] if ((s.get("metadata") or {}).get("labels") or {}).get("name") == release
           and ((s.get("metadata") or {}).get("labels") or {}).get("owner") == "helm"]
    if not own:
        return {"installed": False, "status": "", "revision": 0, "chart": "", "version": "", "app_version": ""}
    newest = max(own, key=_revision)
    labels = (newest.get("metadata") or {}).get("labels") or {}
    status = labels.get("status") or ""
    record = decode_release(newest) or {}
    metadata = ((record.get("chart") or {}).get("metadata") or {})
    status = ((record.get("info") or {}).get("status")) or status
    version = str(metadata.get("version") or "")
    name = metadata.get("name") or ""
    return {
        "installed": status in LIVE_STATUSES,
        "status": status,
        "revision": _revision(newest),
        "chart": "%s-%s" % (name, version) if name and version else "",
        "version": version,
        "app_version": str(metadata.get("appVersion") or ""),
    }


def list_path(namespace):
    """The API path that lists Helm's release Secrets of a namespace."""
    return "/api/v1/namespaces/%s/secrets" % namespace


def label_selector(release):
    """The label selector of one release's Secrets."""
    return "owner=helm,name=%s" % release
