# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: policy evaluation of per-cluster facts, what is still open, the summary and the report document.

Every playbook sets one fact per cluster (``support_access_cluster_report``, schema 1); this file turns those facts
into findings and a verdict and builds the document the renderers (_render) write. Pure Python without Ansible
imports, so the module, the filters and the unit tests share it. This is a private module_utils file of
neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import copy
import datetime

from ansible_collections.neocloud.support_access.plugins.module_utils import _crusoe_api
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _rbac
from ansible_collections.neocloud.support_access.plugins.module_utils import _support

SCHEMA = 1
FACT_NAME = "support_access_cluster_report"
PLAYBOOKS = ("audit", "enable", "disable", "revoke", "sweep", "expire")
VERDICTS = ("compliant", "noncompliant", "revoked", "not_revoked", "error", "unreachable")
# Verdicts that fail a run with fail_on_findings, in the order reports list them.
FAILING_VERDICTS = ("not_revoked", "unreachable", "error", "noncompliant")
SEVERITIES = ("high", "medium", "low")
DEFAULT_TITLE = "Support access report"

# code -> (severity, what it means); docs/report.md explains each one.
FINDING_CODES = {
    "not-revoked": ("high", "a revoke run left support access open or could not verify it is closed"),
    "unreachable": ("high", "the cluster's Kubernetes API (or the provider API) could not be reached"),
    "support-access-without-lease": ("high", "support access is enabled but no active lease records why"),
    "lease-expired-access-open": ("high", "the lease has expired but support access is still enabled"),
    "role-not-allowed": ("high", "the provider has a support role enabled or requested that the policy does not allow"),
    "firewall-opening-not-allowed": ("high", "the control-plane firewall admits the support VPN but the policy forbids it"),
    "diagnostic-pods-present": ("high", "confirmed diagnostic pods (node shells, debug pods) run in the cluster"),
    "viewer-can-exec": ("high", "the read-only support role can open shells in pods"),
    "viewer-can-read-secrets": ("high", "the read-only support role can read Secrets"),
    "lease-too-long": ("medium", "the lease lasts longer than the policy's max_lease"),
    "support-bindings-without-access": ("medium", "support RBAC bindings exist while provider support access is disabled"),
    "suspicious-pods-present": ("low", "pods that look diagnostic but are not confirmed run in the cluster"),
    # CoreWeave: Telemetry Relay (audit-log forwarding).
    "audit-log-not-forwarded": ("medium", "CoreWeave: no enabled Telemetry Relay pipeline forwards the cluster's audit logs"),
    # support_activity findings carried into the report (same codes and severities as support_activity).
    "activity-after-revocation": ("high", "a support identity acted after support access was revoked"),
    "activity-after-denial": ("high", "a support identity acted after its access request was denied"),
    "activity-outside-window": ("high", "a support identity acted outside every approved access window"),
    "approver-not-allowed": ("high", "an access request was approved by someone not in the approvers list"),
    "approval-too-long": ("medium", "an approved access request grants access for longer than the allowed maximum"),
}
# support_activity finding codes that become report findings (exec-into-pod and secrets-read are counted in the
# activity section only: inside an approved window they are what support is there to do).
ACTIVITY_FINDING_CODES = ("activity-after-revocation", "activity-after-denial", "activity-outside-window",
                          "approver-not-allowed", "approval-too-long")
# Report sections a provider does not have: rendered as "n/a", not as "unknown".
NOT_APPLICABLE = {"coreweave": ("api", "chart", "firewall")}

DEFAULT_POLICY = {
    "allowed_roles": ["readonly", "operator"],
    "max_lease": _lease.DEFAULT_DURATION,
    "require_lease": True,
    "allow_firewall_opening": True,
    "support_subjects": [{"kind": "Group", "name": group} for group in _support.CRUSOE_SUPPORT_GROUPS],
    "allow_diagnostic_pods": False,
    "require_audit_forwarding": True,
}

COREWEAVE_VIEWER_ROLE = _support.COREWEAVE_SUPPORT_CLUSTER_ROLES[0]
_EXEC_CAPABILITIES = ("exec_pods", "attach_pods")
_EXEC_FLAGS = ("exec_pods_via_get", "attach_pods_via_get")
_INTENDED_EXEC_FLAG = "exec_pods_via_subresource_wildcard"


class ReportError(ValueError):
    """A policy, report or option that cannot be used; the message says which and why."""


def utcnow():
    """The current time, timezone-aware UTC."""
    return datetime.datetime.now(datetime.timezone.utc)


def _as_time(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    try:
        return _lease.parse_time(value)
    except (TypeError, ValueError):
        return None


def _bool(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1"):
        return True
    if text in ("no", "false", "off", "0"):
        return False
    raise ReportError("policy %s: expected a boolean, got %r" % (name, value))


def normalize_role(role):
    """``SUPPORT_ACCESS_ROLE_READONLY`` (CLI style) and ``readonly`` (API style) are the same role."""
    return _crusoe_api.role_name(role)


def merge_policy(policy=None):
    """The policy merged over the defaults, validated; raises ReportError naming the bad key."""
    merged = copy.deepcopy(DEFAULT_POLICY)
    if policy is None:
        policy = {}
    if not isinstance(policy, dict):
        raise ReportError("policy must be a dictionary, got %r" % (policy,))
    unknown = sorted(set(policy) - set(DEFAULT_POLICY))
    if unknown:
        raise ReportError("policy has unknown keys %s; known keys: %s" % (", ".join(map(str, unknown)), ", ".join(sorted(DEFAULT_POLICY))))
    for key, value in policy.items():
        if value is not None:
            merged[key] = value
    roles = merged["allowed_roles"]
    if isinstance(roles, str):
        roles = [r for r in roles.split(",") if r.strip()]
    if not isinstance(roles, (list, tuple)):
        raise ReportError("policy allowed_roles: expected a list of roles, got %r" % (roles,))
    merged["allowed_roles"] = sorted({normalize_role(r) for r in roles})
    try:
        merged["max_lease_seconds"] = _lease.parse_duration(merged["max_lease"], "policy max_lease")
    except _lease.LeaseError as exc:
        raise ReportError(str(exc)) from None
    for key in ("require_lease", "allow_firewall_opening", "allow_diagnostic_pods", "require_audit_forwarding"):
        merged[key] = _bool(merged[key], key)
    try:
        merged["support_subjects"] = _rbac.normalize_subjects(merged["support_subjects"])
    except ValueError as exc:
        raise ReportError("policy support_subjects: %s" % exc) from None
    return merged


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return list(value) if isinstance(value, (list, tuple)) else []


def _subject_dict(subject):
    """A binding subject as {kind, name, namespace}: the fact writes ``Group/name`` or ``ServiceAccount/ns/name``."""
    if isinstance(subject, dict):
        return subject
    kind, _sep, rest = str(subject).partition("/")
    if kind == "ServiceAccount" and "/" in rest:
        namespace, _sep, name = rest.partition("/")
        return {"kind": kind, "name": name, "namespace": namespace}
    return {"kind": kind, "name": rest}


def _role_name(binding):
    """(kind, name) of the role a binding grants: the fact writes ``ClusterRole/x``; support_rbac_info ``role_ref``."""
    role = binding.get("role")
    if isinstance(role, str) and "/" in role:
        kind, _sep, name = role.partition("/")
        return kind, name
    ref = _dict(binding.get("role_ref")) or _dict(role)
    return ref.get("kind") or "", ref.get("name") or ""


def binding_label(binding):
    """``ClusterRoleBinding/name`` or ``RoleBinding/namespace/name``."""
    namespace = binding.get("namespace")
    parts = [binding.get("kind") or "Binding"] + ([namespace] if namespace else []) + [binding.get("name") or "?"]
    return "/".join(str(p) for p in parts)


def is_support_binding(binding, subjects):
    """Whether a binding grants one of the policy's support subjects, is chart-managed or binds a CoreWeave support role."""
    if binding.get("chart_managed"):
        return True
    kind, name = _role_name(binding)
    if kind == "ClusterRole" and name in _support.COREWEAVE_SUPPORT_CLUSTER_ROLES:
        return True
    namespace = binding.get("namespace") or None
    for subject in _list(binding.get("subjects")):
        for spec in subjects:
            if _rbac.subject_matches(_subject_dict(subject), spec, namespace):
                return True
    return False


def open_items(report):
    """What still gives support a way in, one item per door in plain words (empty when everything is closed).

    The revoke's verification and the ``not-revoked`` finding both say it this way.
    """
    items = []
    api = _dict(report.get("api"))
    if api.get("access_enabled"):
        provider = "Crusoe" if report.get("provider") in ("crusoe", "", None) else str(report.get("provider")).capitalize()
        items.append("support access still enabled in the %s API" % provider)
    chart = _dict(report.get("chart"))
    if chart.get("installed"):
        items.append("the support chart %s is installed%s" % (chart.get("release") or _support.CRUSOE_CHART_RELEASE,
                                                              " (release %s)" % chart["status"] if chart.get("status") else ""))
    rbac = _dict(report.get("rbac"))
    listed = set()
    for binding in _list(rbac.get("bindings")):
        binding = _dict(binding)
        label = binding_label(binding)
        listed.add(label)
        if binding.get("support_subjects") or binding.get("subjects"):
            items.append("binding still grants support subjects: %s (%s)" % (binding.get("name"), label))
        else:
            items.append("support binding left: %s" % label)
    labelled = _list(rbac.get("labelled"))
    for name in labelled:
        if name not in listed:
            items.append("chart-labelled object left: %s" % name)
    if rbac.get("labelled_objects") and not labelled:
        items.append("%s chart-labelled object(s) left" % rbac.get("labelled_objects"))
    for name in _list(rbac.get("probes_allowed_names")):
        items.append("SubjectAccessReview allowed: %s" % name)
    if rbac.get("probes_allowed") and not rbac.get("probes_allowed_names"):
        items.append("%s of %s SubjectAccessReview probes allowed" % (rbac.get("probes_allowed"), rbac.get("probes_total", "?")))
    for request in _list(rbac.get("requests")):
        request = _dict(request)
        if request.get("status") == 200:
            items.append("request as group was not refused: %s" % request.get("group"))
        elif not request.get("refused"):
            items.append("request as group failed without a 403: %s (%s %s)" % (
                request.get("group"), request.get("status"), request.get("message") or ""))
    for pod in _list(_dict(report.get("pods")).get("confirmed")):
        items.append("diagnostic pod left: %s" % _pod_label(pod))
    firewall = _dict(report.get("firewall"))
    if firewall.get("support_source_present"):
        items.append("the control-plane firewall rule %s admits the support VPN" % (firewall.get("rule") or ""))
    lease = _dict(report.get("lease"))
    if report.get("playbook") == "revoke" and lease.get("status") not in (None, "none", "closed"):
        items.append("lease %s, not closed" % lease.get("status"))
    return items


def _names(names, limit=5):
    names = [str(n) for n in names]
    shown = ", ".join(names[:limit])
    return shown + (" and %d more" % (len(names) - limit) if len(names) > limit else "")


def _pod_label(pod):
    pod = _dict(pod)
    return "%s/%s" % (pod.get("namespace") or "?", pod.get("name") or "?")


def _finding(code, message):
    return {"severity": FINDING_CODES[code][0], "code": code, "message": message}


def _hours(seconds):
    return ("%gh" % round(seconds / 3600.0, 2)) if seconds % 3600 else "%dh" % (seconds // 3600)


def lease_status(lease, now):
    """The report lease's status at ``now``: a lease reported ``active`` whose ``expires_at`` has passed is ``expired``."""
    lease = _dict(lease)
    status = lease.get("status") or "none"
    if status == "active":
        expires = _as_time(lease.get("expires_at"))
        if expires is not None and expires <= now:
            return "expired"
    return status


def _lease_findings(report, api, policy, findings, now):
    lease = _dict(report.get("lease"))
    status = lease_status(lease, now)
    if api.get("access_enabled"):
        if status == "expired":
            findings.append(_finding("lease-expired-access-open", "support access is enabled but lease %s expired at %s"
                                     % (lease.get("ticket") or "(no ticket)", lease.get("expires_at") or "?")))
        elif status != "active" and policy["require_lease"]:
            findings.append(_finding("support-access-without-lease", "support access is enabled but no active lease records why (lease %s)" % status))
    if status in ("active", "expired"):
        start, end = _as_time(lease.get("enabled_at")), _as_time(lease.get("expires_at"))
        if start and end and (end - start).total_seconds() > policy["max_lease_seconds"]:
            findings.append(_finding("lease-too-long", "lease %s lasts %s, longer than max_lease %s"
                                     % (lease.get("ticket") or "(no ticket)", _hours(int((end - start).total_seconds())), policy["max_lease"])))


def _role_findings(api, policy, findings):
    allowed = set(policy["allowed_roles"])
    bad = set()
    if api.get("access_enabled"):
        bad.update(normalize_role(r) for r in _list(api.get("roles")) if normalize_role(r) not in allowed)
    for request in _list(api.get("active_requests")):
        request = _dict(request)
        role = normalize_role(request.get("role"))
        if role and request.get("status", "active") == "active" and role not in allowed:
            bad.add(role)
    if bad:
        findings.append(_finding("role-not-allowed", "role(s) %s enabled or requested; the policy allows %s"
                                 % (", ".join(sorted(bad)), ", ".join(policy["allowed_roles"]) or "none")))


def _rbac_findings(report, api, policy, findings):
    rbac = _dict(report.get("rbac"))
    bindings = [_dict(b) for b in _list(rbac.get("bindings"))]
    support = [b for b in bindings if is_support_binding(b, policy["support_subjects"])]
    if report.get("api") is not None and not api.get("access_enabled") and support:
        findings.append(_finding("support-bindings-without-access", "%d support binding(s) exist while support access is disabled: %s"
                                 % (len(support), _names(binding_label(b) for b in support))))
    viewers = [b for b in bindings if _role_name(b) == ("ClusterRole", COREWEAVE_VIEWER_ROLE)]
    execs = [b for b in viewers if set(_list(b.get("capabilities"))) & set(_EXEC_CAPABILITIES) or set(_list(b.get("flags"))) & set(_EXEC_FLAGS)]
    if execs:
        findings.append(_finding("viewer-can-exec", "%s can open shells in pods through %s"
                                 % (COREWEAVE_VIEWER_ROLE, _names(binding_label(b) for b in execs))))
    intended = [b for b in viewers if b not in execs and _INTENDED_EXEC_FLAG in _list(b.get("flags"))]
    if intended:
        findings.append(_finding("viewer-can-exec", "%s grants get on pods/* through %s: written to open shells over "
                                 "WebSocket (get on pods/exec, before Kubernetes 1.35); Kubernetes RBAC reads pods/* "
                                 "literally today, so the API server denies exec, but the role is not read-only as written"
                                 % (COREWEAVE_VIEWER_ROLE, _names(binding_label(b) for b in intended))))
    secrets = [b for b in viewers if "read_secrets" in _list(b.get("capabilities"))]
    if secrets:
        findings.append(_finding("viewer-can-read-secrets", "%s can read Secrets through %s"
                                 % (COREWEAVE_VIEWER_ROLE, _names(binding_label(b) for b in secrets))))


def _coreweave_findings(report, policy, findings):
    """audit-log-not-forwarded: a CoreWeave cluster whose Telemetry Relay state was read and forwards no audit logs."""
    if report.get("provider") != "coreweave" or not policy["require_audit_forwarding"]:
        return
    telemetry = _dict(report.get("coreweave")).get("telemetry")
    if not isinstance(telemetry, dict) or telemetry.get("audit_logs_forwarded") is not False:
        return
    pipelines = _list(telemetry.get("pipelines"))
    findings.append(_finding("audit-log-not-forwarded", "no enabled Telemetry Relay pipeline forwards the cluster's audit logs "
                             "to an endpoint%s; CoreWeave does not keep them for you" % (
                                 " (pipelines seen: %s)" % _names(pipelines) if pipelines else "")))


def _activity_findings(report, findings):
    """The support_activity findings of the report's activity section that are policy findings."""
    for item in _list(_dict(report.get("activity")).get("findings")):
        item = _dict(item)
        code = item.get("code")
        if code not in ACTIVITY_FINDING_CODES:
            continue
        what = str(item.get("detail") or FINDING_CODES[code][1])
        who = item.get("user") or item.get("request_id")
        count = item.get("count")
        who_text = " (%s)" % who if who and str(who) not in what else ""
        count_text = ", %s time(s)" % count if isinstance(count, int) and count > 1 else ""
        findings.append(_finding(code, what + who_text + count_text))


def not_applicable(report):
    """The report sections its provider does not have (the report's own list, else the provider's default)."""
    report = _dict(report)
    listed = report.get("not_applicable")
    if isinstance(listed, (list, tuple)):
        return [str(s) for s in listed]
    return list(NOT_APPLICABLE.get(str(report.get("provider") or ""), ()))


def evaluate(cluster_report, policy=None, now=None):
    """Findings and verdict for one cluster's report under a policy (merged over the defaults).

    Returns ``(findings, verdict)``; findings are sorted by severity, then code. ``now`` is a datetime or an
    RFC 3339 string (default: the current time); it is kept for rules that depend on the clock.
    """
    report = _dict(cluster_report)
    merged = policy if isinstance(policy, dict) and "max_lease_seconds" in policy else merge_policy(policy)
    moment = _as_time(now) or utcnow()
    api = _dict(report.get("api"))
    findings = []
    error = str(report.get("error") or "")
    unreachable = report.get("reachable") is False
    if unreachable:
        findings.append(_finding("unreachable", error or "the cluster could not be reached"))
    _lease_findings(report, api, merged, findings, moment)
    _role_findings(api, merged, findings)
    firewall = _dict(report.get("firewall"))
    if firewall.get("support_source_present") and not merged["allow_firewall_opening"]:
        findings.append(_finding("firewall-opening-not-allowed", "firewall rule %s admits the support VPN %s"
                                 % (firewall.get("rule") or "?", _support.CRUSOE_SUPPORT_VPN_ADDRESS)))
    pods = _dict(report.get("pods"))
    confirmed = _list(pods.get("confirmed"))
    if confirmed and not merged["allow_diagnostic_pods"]:
        findings.append(_finding("diagnostic-pods-present", "%d diagnostic pod(s): %s" % (len(confirmed), _names(_pod_label(p) for p in confirmed))))
    suspicious = _list(pods.get("suspicious"))
    if suspicious:
        findings.append(_finding("suspicious-pods-present", "%d pod(s) look diagnostic but are not confirmed: %s"
                                 % (len(suspicious), _names(_pod_label(p) for p in suspicious))))
    _rbac_findings(report, api, merged, findings)
    _coreweave_findings(report, merged, findings)
    _activity_findings(report, findings)

    if unreachable:
        verdict = "unreachable"
    elif report.get("playbook") == "revoke":
        items = open_items(report)
        if items:
            findings.append(_finding("not-revoked", "; ".join(items)))
            verdict = "not_revoked"
        elif error:
            verdict = "error"
        elif report.get("rbac") is None:
            findings.append(_finding("not-revoked", "revocation was not verified: no RBAC scan in the report"))
            verdict = "not_revoked"
        else:
            verdict = "revoked"
    elif error:
        verdict = "error"
    elif any(f["severity"] in ("high", "medium") for f in findings):
        verdict = "noncompliant"
    else:
        verdict = "compliant"
    return sort_findings(findings), verdict


def sort_findings(findings):
    """Findings ordered by severity (high first), then code, then message."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (rank.get(f.get("severity"), len(rank)), f.get("code", ""), f.get("message", "")))


def normalize(report):
    """A copy of a report with every schema-1 key present (missing sections become null or empty)."""
    report = _dict(report)
    result = {
        "schema": SCHEMA, "cluster": "", "provider": "", "project": "", "cluster_id": "", "playbook": "audit",
        "checked_at": "", "reachable": None, "api": None, "chart": None, "rbac": None, "pods": None, "firewall": None,
        "lease": None, "coreweave": None, "activity": None, "actions": [], "findings": [], "verdict": "", "error": "",
    }
    result.update(copy.deepcopy(report))
    result["not_applicable"] = not_applicable(result)
    for key in ("cluster", "provider", "project", "cluster_id", "playbook", "checked_at", "error", "verdict"):
        result[key] = "" if result[key] is None else str(result[key])
    result["actions"] = [str(a) for a in _list(result["actions"])]
    result["findings"] = [_dict(f) for f in _list(result["findings"])]
    return result


def apply_policy(report, policy=None, now=None):
    """A normalised copy of the report with findings, verdict and (for failing verdicts) error filled in."""
    result = normalize(report)
    findings, verdict = evaluate(result, policy, now)
    result["findings"], result["verdict"] = findings, verdict
    if verdict in ("not_revoked", "unreachable"):
        said = [f["message"] for f in findings if f["code"] in ("not-revoked", "unreachable") and f["message"] not in result["error"]]
        result["error"] = "; ".join([result["error"]] + said if result["error"] else said)
    return result


def normalize_missing_host(host, hostvars_subset=None, playbook="audit", now=None):
    """The report of a host that failed or was unreachable before it set its fact: verdict ``error``, what is known."""
    hv = _dict(hostvars_subset)
    reason = hv.get("support_access_error") or ("the %s run failed on this host before it reported its state "
                                                "(no %s fact); see the play output for the failed task" % (playbook, FACT_NAME))
    info = _dict(hv.get("support_access_cluster_info"))
    return normalize({
        "cluster": str(host),
        "provider": hv.get("support_access_provider") or "",
        "project": hv.get("support_access_project_name") or hv.get("support_access_project") or "",
        "cluster_id": hv.get("support_access_cluster") or info.get("id") or "",
        "playbook": playbook or "audit",
        "checked_at": _lease.format_time(_as_time(now) or utcnow()),
        "findings": [],
        "verdict": "error",
        "error": str(reason),
    })


_HOST_KEYS = ("support_access_provider", "support_access_project", "support_access_project_name", "support_access_cluster",
              "support_access_cluster_info", "support_access_error")


def collect(hostvars, hosts, playbook="audit", now=None):
    """One report per host, in host order: the host's fact, or a normalised error report when it never set one."""
    reports = []
    for host in hosts:
        hv = hostvars[host] if host in hostvars else {}
        fact = hv.get(FACT_NAME) if hasattr(hv, "get") else None
        if isinstance(fact, dict) and fact:
            report = normalize(fact)
            report["cluster"] = report["cluster"] or str(host)
            reports.append(report)
        else:
            subset = {k: hv.get(k) for k in _HOST_KEYS}
            reports.append(normalize_missing_host(host, subset, playbook, now))
    return reports


def prepare(reports, policy=None, now=None):
    """Normalised reports, evaluated under ``policy`` when one is given or a report has no verdict yet."""
    prepared = []
    merged = merge_policy(policy) if policy is not None else None
    for report in reports:
        if not isinstance(report, dict):
            raise ReportError("each report must be a dictionary, got %r" % (report,))
        current = normalize(report)
        if current["verdict"] == "error" and current["reachable"] is None and current["api"] is None and current["rbac"] is None:
            prepared.append(current)  # a host that never reported: nothing to evaluate
        elif merged is not None or current["verdict"] not in VERDICTS:
            prepared.append(apply_policy(current, merged, now))
        else:
            prepared.append(current)
    return prepared


def _active_requests(report):
    return [_dict(r) for r in _list(_dict(report.get("api")).get("active_requests")) if _dict(r).get("status", "active") == "active"]


def summarize(reports):
    """Counts over the fleet: per verdict, per provider, access, requests, pods, findings, and the failing clusters."""
    summary = {
        "clusters": len(reports),
        "verdicts": {v: 0 for v in VERDICTS},
        "providers": {},
        "access_enabled": 0,
        "active_requests": 0,
        "confirmed_pods": 0,
        "clusters_with_findings": 0,
        "findings": {s: 0 for s in SEVERITIES},
    }
    for verdict in FAILING_VERDICTS:
        summary[verdict] = []
    for report in reports:
        report = _dict(report)
        name = str(report.get("cluster") or "")
        verdict = report.get("verdict") or "error"
        summary["verdicts"][verdict] = summary["verdicts"].get(verdict, 0) + 1
        provider = str(report.get("provider") or "unknown")
        summary["providers"][provider] = summary["providers"].get(provider, 0) + 1
        if _dict(report.get("api")).get("access_enabled"):
            summary["access_enabled"] += 1
        summary["active_requests"] += len(_active_requests(report))
        summary["confirmed_pods"] += len(_list(_dict(report.get("pods")).get("confirmed")))
        findings = _list(report.get("findings"))
        if findings:
            summary["clusters_with_findings"] += 1
        for finding in findings:
            severity = _dict(finding).get("severity")
            if severity in summary["findings"]:
                summary["findings"][severity] += 1
        if verdict in FAILING_VERDICTS:
            summary[verdict].append(name)
    for verdict in FAILING_VERDICTS:
        summary[verdict].sort()
    summary["failed"] = sorted(set().union(*(summary[v] for v in FAILING_VERDICTS)))
    summary["ok"] = not summary["failed"]
    return summary


def _sort_key(report):
    order = {v: i for i, v in enumerate(FAILING_VERDICTS + ("revoked", "compliant"))}
    return (order.get(report.get("verdict"), 0), str(report.get("cluster")))


def build_document(reports, title=None, generated_at=None):
    """The JSON document: schema, title, generated_at, summary and the clusters (failing first, then by name)."""
    clusters = sorted((normalize(r) for r in reports), key=_sort_key)
    moment = _as_time(generated_at) or utcnow()
    return {
        "schema": SCHEMA,
        "title": title or DEFAULT_TITLE,
        "generated_at": _lease.format_time(moment),
        "summary": summarize(clusters),
        "clusters": clusters,
    }


def merge(report_docs, title=None, generated_at=None):
    """Several JSON report documents as one: the union of clusters (the later ``checked_at`` wins), a new summary."""
    by_name = {}
    titles = []
    for index, doc in enumerate(report_docs):
        if not isinstance(doc, dict) or not isinstance(doc.get("clusters"), list):
            raise ReportError("report document %d is not a support access report (no clusters list)" % index)
        if doc.get("schema", SCHEMA) != SCHEMA:
            raise ReportError("report document %d has schema %r; this version reads schema %d" % (index, doc.get("schema"), SCHEMA))
        if doc.get("title"):
            titles.append(doc["title"])
        for cluster in doc["clusters"]:
            report = normalize(cluster)
            seen = by_name.get(report["cluster"])
            if seen is None or (_as_time(report["checked_at"]) or _EPOCH) >= (_as_time(seen["checked_at"]) or _EPOCH):
                by_name[report["cluster"]] = report
    return build_document(list(by_name.values()), title or (titles[0] if titles else None), generated_at)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
