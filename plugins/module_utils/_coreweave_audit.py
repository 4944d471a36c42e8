# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CoreWeave and activity sections of the fleet report, built from what the modules return.

- ``coreweave_section(cluster, telemetry)``: the CKS cluster record (``coreweave_cluster_info``) and the Telemetry
  Relay state (``coreweave_telemetry_info``) as the report's ``coreweave`` section, including whether the cluster's
  audit logs are forwarded (``audit_forwarding``).
- ``activity_section(result, cluster)``: one cluster's part of a ``support_activity`` result.

Which pipelines forward a cluster's audit logs: an enabled pipeline whose destination endpoint exists and whose
source stream carries the cluster's CKS audit log. A stream carries it when one of its ``filter.include`` stream
selectors (``{label="v", label=~"re", label!="v", label!~"re"}``) matches the labels ``source="cks-audit"``,
``cluster``/``cluster_name`` (the cluster name), ``cluster_id`` and ``zone`` (a label the log does not have is the
empty string, as in Prometheus and Loki), and none of its ``filter.exclude`` selectors does. A stream without include
selectors carries it only when it is the audit stream by display name (``Audit Logs``).

Pure Python without Ansible imports. This is a private module_utils file of neocloud.support_access; its interface
may change at any time.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

AUDIT_STREAM_NAME = "Audit Logs"
CKS_AUDIT_SOURCE = "cks-audit"
SUPPORT_ACCESS_SOURCE = "support-access"
MAX_ACTIVITY_FINDINGS = 20
_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return list(value) if isinstance(value, (list, tuple)) else []


def parse_selector(text):
    """``{a="x", b=~"y|z"}`` as [(label, op, value)]; None when it is not a stream selector."""
    text = str(text or "").strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    body = text[1:-1].strip()
    matchers, pos = [], 0
    while pos < len(body):
        match = _MATCHER.match(body, pos)
        if not match:
            return None
        value = re.sub(r'\\(.)', r'\1', match.group(3))
        matchers.append((match.group(1), match.group(2), value))
        pos = match.end()
    return matchers


def selector_matches(matchers, labels):
    """Whether every matcher holds for the labels (a missing label is the empty string; regexes are anchored)."""
    for label, op, value in matchers:
        actual = str(labels.get(label, "") or "")
        if op in ("=", "!="):
            hit = actual == value
        else:
            try:
                hit = re.fullmatch(value, actual) is not None
            except re.error:
                return False
        if hit != (op in ("=", "=~")):
            return False
    return True


def _any_selector(selectors, labels):
    for text in _list(selectors):
        matchers = parse_selector(text)
        if matchers is not None and selector_matches(matchers, labels):
            return True
    return False


def stream_carries(stream, labels, audit_stream_name=AUDIT_STREAM_NAME):
    """Whether a stream (as coreweave_telemetry_info returns it) carries the log with these labels."""
    stream = _dict(stream)
    flt = _dict(stream.get("filter"))
    includes = [s for s in _list(flt.get("include")) if parse_selector(s) is not None]
    if includes:
        carried = _any_selector(includes, labels)
    else:
        carried = str(stream.get("display_name") or "").strip().lower() == str(audit_stream_name).strip().lower()
    return carried and not _any_selector(flt.get("exclude"), labels)


def safe_url(url):
    """A URL without user information, query and fragment: nothing that can hold a credential."""
    text = str(url or "")
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    netloc = parts.hostname if ":" not in parts.hostname else "[%s]" % parts.hostname
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        netloc += ":%d" % port
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def cluster_labels(cluster, source=CKS_AUDIT_SOURCE):
    """The labels of a cluster's log of ``source`` in Telemetry Relay."""
    cluster = _dict(cluster)
    name = str(cluster.get("name") or "")
    return {"source": source, "cluster": name, "cluster_name": name, "cluster_id": str(cluster.get("id") or ""),
            "zone": str(cluster.get("zone") or "")}


def _forwarding_pipelines(telemetry, labels, audit_stream_name):
    streams = {s.get("slug"): s for s in (_dict(x) for x in _list(telemetry.get("streams")))}
    endpoints = {e.get("slug"): e for e in (_dict(x) for x in _list(telemetry.get("endpoints")))}
    found = []
    for pipeline in (_dict(p) for p in _list(telemetry.get("pipelines"))):
        if not pipeline.get("enabled") or pipeline.get("destination") not in endpoints:
            continue
        stream = streams.get(pipeline.get("source"))
        if stream is not None and stream_carries(stream, labels, audit_stream_name):
            found.append(pipeline)
    return sorted(found, key=lambda p: str(p.get("slug"))), endpoints


def endpoint_label(endpoint):
    """``slug (https://host/path)``: the endpoint's slug and its URL without credentials."""
    endpoint = _dict(endpoint)
    url = safe_url(endpoint.get("url"))
    return "%s (%s)" % (endpoint.get("slug") or "?", url) if url else str(endpoint.get("slug") or "?")


def audit_forwarding(telemetry, cluster, audit_stream_name=AUDIT_STREAM_NAME):
    """The report's ``coreweave.telemetry``: whether and where the cluster's audit logs are forwarded."""
    telemetry = _dict(telemetry)
    pipelines, endpoints = _forwarding_pipelines(telemetry, cluster_labels(cluster), audit_stream_name)
    support, _endpoints = _forwarding_pipelines(telemetry, cluster_labels(cluster, SUPPORT_ACCESS_SOURCE), audit_stream_name)
    destinations = sorted({p.get("destination") for p in pipelines})
    return {
        "audit_logs_forwarded": bool(pipelines),
        "support_access_logs_forwarded": bool(support),
        "pipelines": [str(p.get("slug")) for p in pipelines],
        "endpoints": [endpoint_label(endpoints[d]) for d in destinations],
        "audit_stream": str(_dict(telemetry.get("audit_log_stream")).get("slug") or ""),
    }


def _webhook(value):
    """A webhook setting as a credential-free URL ("" when none)."""
    if isinstance(value, dict):
        return safe_url(value.get("server") or value.get("url") or value.get("endpoint")) or ("configured" if value else "")
    return safe_url(value) or ("configured" if value else "")


def coreweave_section(cluster, telemetry=None, audit_stream_name=AUDIT_STREAM_NAME):
    """The report's ``coreweave`` section; ``telemetry`` None (not read) gives ``telemetry: null``."""
    cluster = _dict(cluster)
    oidc = _dict(cluster.get("oidc"))
    return {
        "cluster_id": str(cluster.get("id") or ""),
        "name": str(cluster.get("name") or ""),
        "status": str(cluster.get("status") or ""),
        "version": str(cluster.get("version") or ""),
        "zone": str(cluster.get("zone") or ""),
        "api_server": safe_url(cluster.get("apiServerEndpoint")),
        "public": cluster.get("public") if isinstance(cluster.get("public"), bool) else None,
        "audit_policy_configured": bool(cluster.get("auditPolicy")),
        "authz_webhook": _webhook(cluster.get("authzWebhook")),
        "authn_webhook": _webhook(cluster.get("authnWebhook")),
        "oidc_issuer": safe_url(oidc.get("issuerUrl") or oidc.get("issuerURL") or oidc.get("issuer")),
        "telemetry": audit_forwarding(telemetry, cluster, audit_stream_name) if isinstance(telemetry, dict) else None,
    }


def activity_section(result, cluster, max_findings=MAX_ACTIVITY_FINDINGS):
    """One cluster's part of a support_activity result: counts, requests and findings (the cluster's and global ones)."""
    result = _dict(result)
    summary = _dict(_dict(result.get("clusters")).get(cluster))
    findings = [_dict(f) for f in _list(result.get("findings")) if _dict(f).get("cluster") in (None, cluster)]
    by_code = {}
    for finding in findings:
        by_code[str(finding.get("code"))] = by_code.get(str(finding.get("code")), 0) + 1
    requests = [_dict(r) for r in _list(result.get("access_requests")) if _dict(r).get("cluster") in (None, cluster)]
    totals = _dict(result.get("summary"))
    return {
        "cluster": cluster,
        "files": totals.get("files", 0),
        "lines": totals.get("lines", 0),
        "skipped_lines": totals.get("skipped", 0),
        "support_actions": summary.get("support_actions", 0),
        "exec": summary.get("exec", 0),
        "secrets_read": summary.get("secrets_read", 0),
        "writes": summary.get("writes", 0),
        "first_action": summary.get("first_action"),
        "last_action": summary.get("last_action"),
        "access_requests": len(requests),
        "approved_requests": sum(1 for r in requests if r.get("approved_at")),
        "findings_by_code": dict(sorted(by_code.items())),
        "findings": [{k: f.get(k) for k in ("severity", "code", "user", "request_id", "time", "count", "detail")}
                     for f in findings[:max_findings]],
        # workloads a support identity created: support's, whatever they look like
        "created": [_dict(c) for c in _list(summary.get("created"))],
    }
