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
import fnmatch
import re

from ansible_collections.neocloud.support_access.plugins.module_utils import _crusoe_api
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _rbac
from ansible_collections.neocloud.support_access.plugins.module_utils import _support

SCHEMA = 1
FACT_NAME = "support_access_cluster_report"
PLAYBOOKS = ("audit", "enable", "disable", "revoke", "sweep", "expire")
VERDICTS = ("compliant", "noncompliant", "revoked", "not_revoked", "error", "unreachable", "would_revoke", "would_stay_open")
# The verdicts of a revoke run in check mode (--check): what the revoke would do, never a claim that it failed.
DRY_RUN_VERDICTS = ("would_revoke", "would_stay_open")
# Verdicts that fail a run with fail_on_findings, in the order reports list them.
FAILING_VERDICTS = ("not_revoked", "would_stay_open", "unreachable", "error", "noncompliant")
# ``unknown`` is the severity of the one ``unknown`` record only: what could not be judged, never a compliance claim.
SEVERITIES = ("high", "medium", "low", "unknown")
DEFAULT_TITLE = "Support access report"

# code -> (severity, what it means); docs/report.md explains each one.
FINDING_CODES = {
    "not-revoked": ("high", "a revoke run left support access open or could not verify it is closed"),
    "would-stay-open": ("high", "a revoke (this run was --check) would leave a door open that only a person can close"),
    "would-revoke": ("low", "a revoke (this run was --check) would close these doors"),
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
    "ticket-mismatch": ("high", "an active provider request works under a ticket the active lease does not name"),
    "suspicious-doors": ("high", "ways in that cannot be identified as the customer's: bindings to look-alike or broad "
                                 "subjects, workloads with node access of unknown origin, running debug containers, pods "
                                 "that look diagnostic (docs/doors.md)"),
    "support-workloads-present": ("high", "support's pod controllers (node-shell DaemonSets, debug Jobs) run in the cluster"),
    "out-of-chart-support-bindings": ("high", "support subjects are bound by bindings the support chart did not make"),
    "firewall-admits-support-vpn": ("medium", "a source of the control-plane firewall rule other than the support one "
                                              "admits the support VPN address"),
    "credentials-window": ("low", "certificates the provider issued to support are still valid"),
    # CoreWeave: Telemetry Relay (audit-log forwarding).
    "audit-log-not-forwarded": ("medium", "CoreWeave: no enabled Telemetry Relay pipeline forwards the cluster's audit logs"),
    # support_activity findings carried into the report (same codes and severities as support_activity).
    "activity-after-revocation": ("high", "a support identity acted after support access was revoked"),
    "activity-after-denial": ("high", "a support identity acted after its access request was denied"),
    "activity-outside-window": ("high", "a support identity acted outside every approved access window"),
    "approver-not-allowed": ("high", "an access request was approved by someone not in the approvers list"),
    "approval-too-long": ("medium", "an approved access request grants access for longer than the allowed maximum"),
    # Not a finding about the cluster: the report sections that could not be read, so the rules that need them were
    # not judged; the verdict is then ``error``.
    "unknown": ("unknown", "report sections could not be read, so the rules that need them were not judged"),
}
# support_activity finding codes that become report findings (exec-into-pod and secrets-read are counted in the
# activity section only: inside an approved window they are what support is there to do).
ACTIVITY_FINDING_CODES = ("activity-after-revocation", "activity-after-denial", "activity-outside-window",
                          "approver-not-allowed", "approval-too-long")
# Report sections a provider does not have: rendered as "n/a", not as "unknown".
NOT_APPLICABLE = {"coreweave": ("api", "chart", "firewall")}
# The report's sections, in report order. Every run reads the CORE ones (unless the provider has no such section),
# so a missing one is unknown; the others are read when asked (firewall: read_firewall, coreweave: the CoreWeave
# API, activity: audit logs given) and are unknown only when the report's ``unread`` names them.
SECTIONS = ("api", "firewall", "rbac", "chart", "pods", "lease", "coreweave", "activity")
CORE_SECTIONS = ("api", "rbac", "chart", "pods", "lease")

DEFAULT_POLICY = {
    "allowed_roles": ["readonly", "operator"],
    "max_lease": _lease.DEFAULT_DURATION,
    "require_lease": True,
    "allow_firewall_opening": True,
    "support_subjects": [{"kind": "Group", "name": group} for group in _support.CRUSOE_SUPPORT_GROUPS],
    "allow_diagnostic_pods": False,
    "require_audit_forwarding": True,
    # globs of subject names that look like the provider's support (null: the provider's, PROVIDER_LOOK_ALIKES)
    "support_subject_patterns": None,
    # doors a person decided to keep, by reference glob (docs/doors.md): listed as "allowed by policy"
    "allow": [],
}
# Subject names that look like the provider's support, per provider (policy support_subject_patterns overrides).
PROVIDER_LOOK_ALIKES = {"crusoe": ["crusoe:*", "*crusoe*support*", "*support*crusoe*"],
                        "coreweave": ["coreweave:*", "*coreweave*support*", "*support*coreweave*"]}

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
    for key in ("support_subject_patterns", "allow"):
        value = merged[key]
        if value is not None and not (isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value)):
            raise ReportError("policy %s: expected a list of non-empty glob patterns, got %r" % (key, value))
        merged[key] = None if value is None else [v.strip() for v in value]
    return merged


def provider_policy(policy, provider):
    """A merged policy with ``support_subject_patterns`` resolved: the policy's, else the provider's defaults."""
    if policy.get("support_subject_patterns") is not None:
        return policy
    resolved = dict(policy)
    resolved["support_subject_patterns"] = list(PROVIDER_LOOK_ALIKES.get(str(provider or "crusoe"), ()))
    return resolved


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


CONFIRMED, SUSPICIOUS, ALLOWED = "confirmed", "suspicious", "allowed"
DOOR_STATUSES = (CONFIRMED, SUSPICIOUS, ALLOWED)
_DECIDE = "a person decides: let revoke delete it (support_revoke_pods_deny) or allow it by name (policy allow)"


def _door(ref, door_class, status, what, closes):
    """One way in; ``revoke_closes``: the revoke playbook closes it by itself (a confirmed door whose ``closes`` says so)."""
    return {"ref": ref, "class": door_class, "status": status, "what": what, "closes": closes,
            "revoke_closes": status == CONFIRMED and closes.startswith("revoke ")}


def _grants(binding):
    capabilities = _list(binding.get("capabilities")) + sorted(_dict(binding.get("restricted")))
    if not binding.get("role_found", True):
        return "nothing yet: its role %s is missing and the binding re-arms when it is created again" % "/".join(
            _role_name(binding))
    return ", ".join(capabilities) or "no class of docs/doors.md"


def _rbac_doors(report, policy):
    rbac = _dict(report.get("rbac"))
    doors, listed = [], set()
    for binding in (_dict(b) for b in _list(rbac.get("bindings"))):
        label = binding_label(binding)
        listed.add(label)
        support = binding.get("support_subjects") or binding.get("support_role") or binding.get("chart_managed") \
            or is_support_binding(binding, policy["support_subjects"])
        similar = _list(binding.get("look_alike_subjects"))
        broad = _list(binding.get("broad_subjects"))
        if support:
            mine = [(_subject_dict(x).get("kind"), _subject_dict(x).get("name")) for x in _list(binding.get("support_subjects"))]
            shared = [x for x in _list(binding.get("subjects")) if mine and
                      (_subject_dict(x).get("kind"), _subject_dict(x).get("name")) not in mine]
            who = ", ".join(subject_text(s) for s in _list(binding.get("support_subjects"))) or "support"
            doors.append(_door(label, "rbac", CONFIRMED, "grants %s: %s" % (who, _grants(binding)),
                               "revoke deletes it" if not shared or binding.get("chart_managed")
                               else "shared with other subjects: kept unless support_revoke_remove_subjects_from_shared_bindings"))
        elif similar or (broad and (binding.get("capabilities") or binding.get("restricted"))):
            who = ", ".join(subject_text(s) for s in similar + broad)
            doors.append(_door(label, "rbac", SUSPICIOUS, "grants %s (%s): %s" % (
                who, "named like the provider's support" if similar else "everyone of that kind", _grants(binding)),
                "a person decides: delete the binding, or allow it by name (policy allow)"))
    for name in _list(rbac.get("labelled")):
        if name not in listed:
            doors.append(_door(name, "chart-object", CONFIRMED, "made by the support chart", "revoke deletes it"))
    return doors


def subject_text(subject):
    """``Group/name``, ``ServiceAccount/ns/name``: a subject (dict or the fact's string form) as the report writes it."""
    subject = _subject_dict(subject)
    return "/".join(str(p) for p in (subject.get("kind"), subject.get("namespace"), subject.get("name")) if p)


def _suspicious_pod_is_door(pod):
    """A suspicious pod is a door of its own when it is bare (a controller's pods are judged by their controller), in
    one of the provider's managed namespaces or carrying a tool's marker; elsewhere it is the customer's."""
    signals = set(_list(pod.get("signals")))
    if pod.get("owner"):
        return False
    marker = bool(signals.intersection(("diagnostic_name", "diagnostic_manager", "diagnostic_label", "diagnostic_annotation")))
    return bool(pod.get("in_managed_namespace", True)) or marker


def _workload_doors(report):
    pods = _dict(report.get("pods"))
    doors = []
    for pod in (_dict(p) for p in _list(pods.get("confirmed"))):
        doors.append(_door("Pod/%s" % _pod_label(pod), "diagnostic-pod", CONFIRMED,
                           "diagnostic pod (%s)" % ", ".join(_list(pod.get("signals"))), "revoke deletes it"))
    for pod in (_dict(p) for p in _list(pods.get("suspicious"))):
        if _suspicious_pod_is_door(pod):
            doors.append(_door("Pod/%s" % _pod_label(pod), "diagnostic-pod", SUSPICIOUS,
                               "looks diagnostic (%s)" % ", ".join(_list(pod.get("signals"))), _DECIDE))
    for item in (_dict(w) for w in _list(pods.get("workloads"))):
        if item.get("verdict") not in (CONFIRMED, SUSPICIOUS):
            continue
        what = "its pods get node access (%s)%s" % (", ".join(_list(item.get("signals"))),
                                                    "" if item["verdict"] == CONFIRMED else "; origin unknown")
        if item.get("created_by"):
            what = "created by the support identity %s (audit logs)" % item["created_by"]
        doors.append(_door("%s/%s/%s" % (item.get("kind"), item.get("namespace"), item.get("name")), "workload",
                           item["verdict"], what,
                           "revoke deletes it, then its pods" if item["verdict"] == CONFIRMED else _DECIDE))
    for pod in (_dict(p) for p in _list(pods.get("debugged"))):
        containers = [_dict(c) for c in _list(pod.get("containers"))]
        doors.append(_door("Pod/%s" % _pod_label(pod), "debug-container", SUSPICIOUS, "running debug container(s) %s" % (
            ", ".join("%s (%s%s)" % (c.get("name"), c.get("image"), ", privileged" if c.get("privileged") else "")
                      for c in containers)),
            "only deleting the pod removes it: %s (support_access_delete_debugged_pods=true lets revoke do it)"
            % pod.get("close_command")))
    return doors


def _access_doors(report):
    doors = []
    api = _dict(report.get("api"))
    if api.get("access_enabled"):
        provider = "Crusoe" if report.get("provider") in ("crusoe", "", None) else str(report.get("provider")).capitalize()
        doors.append(_door("api/support-access", "provider-api", CONFIRMED, "support access still enabled in the %s API (roles %s)"
                           % (provider, ", ".join(_list(api.get("roles"))) or "none"), "revoke disables it"))
    chart = _dict(report.get("chart"))
    if chart.get("installed"):
        release = chart.get("release") or _support.CRUSOE_CHART_RELEASE
        doors.append(_door("helm/%s" % release, "chart", CONFIRMED, "the support chart %s is installed%s" % (
            release, " (release %s)" % chart["status"] if chart.get("status") else ""), "revoke uninstalls it"))
    firewall = _dict(report.get("firewall"))
    if firewall.get("support_source_present"):
        doors.append(_door("firewall/%s/%s" % (firewall.get("rule") or "?", _support.CRUSOE_SUPPORT_VPN_CIDR), "firewall",
                           CONFIRMED, "the control-plane firewall rule admits the support VPN",
                           "revoke removes the support source"))
    return doors


def credential_windows(report, now=None):
    """The provider's active requests whose certificates are still valid: [{requester, ticket, until}]."""
    moment = _as_time(now) or utcnow()
    found = []
    for request in (_dict(r) for r in _active_requests(report)):
        until = _as_time(request.get("cert_expires_at"))
        if until is not None and until > moment:
            found.append({"requester": _requester(request), "ticket": request.get("ticket") or "",
                          "until": request.get("cert_expires_at")})
    return found


def doors(report, policy=None, now=None):
    """Every way in the report shows, as {ref, class, status, what, closes}: ``confirmed`` (support's: revoke closes
    it, or says what only a person can do), ``suspicious`` (cannot be identified as the customer's: blocks REVOKED
    and compliance until deleted or allowed) and ``allowed`` (a suspicious door the policy's ``allow`` names).
    docs/doors.md describes each class."""
    report = _dict(report)
    merged = provider_policy(policy if isinstance(policy, dict) and "max_lease_seconds" in policy else merge_policy(policy),
                             report.get("provider"))
    found = _access_doors(report) + _rbac_doors(report, merged) + _workload_doors(report)
    if any(d["class"] in ("rbac", "chart-object") and d["status"] == CONFIRMED for d in found):
        for window in credential_windows(report, now):
            found.append(_door("credentials/%s" % window["requester"], "credentials", CONFIRMED,
                               "a certificate valid until %s (ticket %s) while a support binding exists"
                               % (window["until"], window["ticket"] or "none"),
                               "revoke deletes the bindings that make it usable"))
    for door in found:
        if door["status"] == SUSPICIOUS and any(fnmatch.fnmatchcase(door["ref"], p) for p in merged["allow"]):
            door["status"] = ALLOWED
    return found


def open_items(report, policy=None, now=None):
    """What still gives support a way in, one item per door in plain words (empty when everything is closed):
    confirmed and suspicious doors, allowed probes and requests, a lease a revoke left open.

    The revoke's verification and the ``not-revoked`` finding both say it this way.
    """
    items = ["%s%s: %s - %s" % (d["ref"], " (suspicious)" if d["status"] == SUSPICIOUS else "", d["what"], d["closes"])
             for d in doors(report, policy, now) if d["status"] != ALLOWED]
    rbac = _dict(report.get("rbac"))
    if rbac.get("labelled_objects") and not _list(rbac.get("labelled")):
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


def _active_requests(report):
    return [_dict(r) for r in _list(_dict(report.get("api")).get("active_requests")) if _dict(r).get("status", "active") == "active"]


def normalize_ticket(ticket):
    """A ticket reference as tickets are compared: trimmed, case-insensitive, and the separators between its parts do
    not count (``ZD-1234``, ``zd#1234``, ``ZD 1234`` and ``ZD1234`` are one ticket); "" when there is none."""
    return re.sub(r"[\W_]+", "", str(ticket or "")).casefold()


def _request_label(request):
    """How a message names a provider request: its id, else its certificate serial, else when it was requested."""
    for key, text in (("id", "%s"), ("cert_serial", "cert %s"), ("requested_at", "requested %s")):
        if request.get(key):
            return text % request[key]
    return "(no id)"


def _requester(request):
    who = request.get("requestor_id") or request.get("requested_by") or "(unknown requester)"
    return "%s (%s)" % (who, request["requestor_team"]) if request.get("requestor_team") else str(who)


def _access_lease_findings(report, policy, now):
    """support-access-without-lease and lease-expired-access-open: access enabled, and the lease does not cover it."""
    lease = _dict(report.get("lease"))
    status = lease_status(lease, now)
    if not _dict(report.get("api")).get("access_enabled"):
        return []
    if status == "expired":
        return [_finding("lease-expired-access-open", "support access is enabled but lease %s expired at %s"
                         % (lease.get("ticket") or "(no ticket)", lease.get("expires_at") or "?"))]
    if status != "active" and policy["require_lease"]:
        return [_finding("support-access-without-lease", "support access is enabled but no active lease records why (lease %s)" % status)]
    return []


def _lease_length_findings(report, policy, now):
    lease = _dict(report.get("lease"))
    if lease_status(lease, now) not in ("active", "expired"):
        return []
    start, end = _as_time(lease.get("enabled_at")), _as_time(lease.get("expires_at"))
    if start and end and (end - start).total_seconds() > policy["max_lease_seconds"]:
        return [_finding("lease-too-long", "lease %s lasts %s, longer than max_lease %s"
                         % (lease.get("ticket") or "(no ticket)", _hours(int((end - start).total_seconds())), policy["max_lease"]))]
    return []


def _ticket_findings(report, policy, now):
    """ticket-mismatch: an active request under a ticket the active lease does not name (one finding per request).

    Only against an active lease that names a ticket: without an active lease, enabled access is already
    support-access-without-lease or lease-expired-access-open, and with access disabled the listed requests are
    credentials issued before (the RBAC sections say whether they still work)."""
    lease = _dict(report.get("lease"))
    wanted = normalize_ticket(lease.get("ticket"))
    if lease_status(lease, now) != "active" or not wanted:
        return []
    return [_finding("ticket-mismatch", "request %s by %s works under ticket %s; the active lease names %s"
                     % (_request_label(r), _requester(r), r.get("ticket") or "(no ticket)", lease.get("ticket")))
            for r in _active_requests(report) if normalize_ticket(r.get("ticket")) != wanted]


def _role_findings(report, policy, now):
    api = _dict(report.get("api"))
    allowed = set(policy["allowed_roles"])
    bad = set()
    if api.get("access_enabled"):
        bad.update(normalize_role(r) for r in _list(api.get("roles")) if normalize_role(r) not in allowed)
    bad.update(role for role in (normalize_role(r.get("role")) for r in _active_requests(report)) if role and role not in allowed)
    if not bad:
        return []
    return [_finding("role-not-allowed", "role(s) %s enabled or requested; the policy allows %s"
                     % (", ".join(sorted(bad)), ", ".join(policy["allowed_roles"]) or "none"))]


def _firewall_findings(report, policy, now):
    firewall = _dict(report.get("firewall"))
    if not firewall.get("support_source_present") or policy["allow_firewall_opening"]:
        return []
    return [_finding("firewall-opening-not-allowed", "firewall rule %s admits the support VPN %s"
                     % (firewall.get("rule") or "?", _support.CRUSOE_SUPPORT_VPN_ADDRESS))]


def _pod_findings(report, policy, now):
    pods = _dict(report.get("pods"))
    findings = []
    confirmed = _list(pods.get("confirmed"))
    if confirmed and not policy["allow_diagnostic_pods"]:
        findings.append(_finding("diagnostic-pods-present", "%d diagnostic pod(s): %s" % (len(confirmed), _names(_pod_label(p) for p in confirmed))))
    workloads = [_dict(w) for w in _list(pods.get("workloads")) if _dict(w).get("verdict") == CONFIRMED]
    if workloads:
        findings.append(_finding("support-workloads-present", "%d support workload(s) with node access: %s" % (
            len(workloads), _names("%s/%s/%s" % (w.get("kind"), w.get("namespace"), w.get("name")) for w in workloads))))
    return findings


def _suspicious_findings(classes):
    """A rule: the suspicious doors of ``classes`` (not allowed by the policy), as one ``suspicious-doors`` finding."""
    def rule(report, policy, now):
        found = [d for d in doors(report, policy, now) if d["status"] == SUSPICIOUS and d["class"] in classes]
        if not found:
            return []
        return [_finding("suspicious-doors", "%d way(s) in that cannot be identified as the customer's (delete them, or "
                         "allow them by name in the policy's allow): %s" % (len(found), "; ".join(
                             "%s: %s" % (d["ref"], d["what"]) for d in found)))]
    return rule


def _out_of_chart_findings(report, policy, now):
    if not _dict(report.get("api")).get("access_enabled"):
        return []  # while access is off every support binding is support-bindings-without-access
    found = [b for b in _bindings(report) if (b.get("support_subjects") or is_support_binding(b, policy["support_subjects"]))
             and not b.get("chart_managed") and not b.get("support_role")]
    if not found:
        return []
    return [_finding("out-of-chart-support-bindings", "%d binding(s) the support chart did not make grant support "
                     "subjects: %s" % (len(found), "; ".join("%s (%s)" % (binding_label(b), _grants(b)) for b in found)))]


def _firewall_cover_findings(report, policy, now):
    firewall = _dict(report.get("firewall"))
    sources = _list(firewall.get("admitted_by"))
    if not sources:
        return []
    return [_finding("firewall-admits-support-vpn", "firewall rule %s: source(s) %s admit the support VPN %s (revoke "
                     "removes only the support source; narrow them or allow them)" % (
                         firewall.get("rule") or "?", ", ".join(map(str, sources)), _support.CRUSOE_SUPPORT_VPN_ADDRESS))]


def _credential_findings(report, policy, now):
    if _dict(report.get("api")).get("access_enabled"):
        return []  # access is on: valid certificates are what it is for
    windows = credential_windows(report, now)
    if not windows:
        return []
    usable = any(d["class"] in ("rbac", "chart-object") and d["status"] == CONFIRMED for d in doors(report, policy, now))
    return [_finding("credentials-window", "certificates valid until %s (%s); %s" % (
        max(w["until"] for w in windows), _names("%s, ticket %s" % (w["requester"], w["ticket"] or "none") for w in windows),
        "USABLE: support bindings exist" if usable else "unusable while no support binding exists"))]


def _bindings(report):
    return [_dict(b) for b in _list(_dict(report.get("rbac")).get("bindings"))]


def _bindings_without_access_findings(report, policy, now):
    support = [b for b in _bindings(report) if is_support_binding(b, policy["support_subjects"])]
    if report.get("api") is None or _dict(report.get("api")).get("access_enabled") or not support:
        return []  # no provider API (CoreWeave) or access enabled: the bindings are what access uses
    return [_finding("support-bindings-without-access", "%d support binding(s) exist while support access is disabled: %s"
                     % (len(support), _names(binding_label(b) for b in support)))]


def _viewer_findings(report, policy, now):
    viewers = [b for b in _bindings(report) if _role_name(b) == ("ClusterRole", COREWEAVE_VIEWER_ROLE)]
    findings = []
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
    return findings


def _coreweave_findings(report, policy, now):
    """audit-log-not-forwarded: a CoreWeave cluster whose Telemetry Relay state was read and forwards no audit logs."""
    if report.get("provider") != "coreweave" or not policy["require_audit_forwarding"]:
        return []
    telemetry = _dict(report.get("coreweave")).get("telemetry")
    if not isinstance(telemetry, dict) or telemetry.get("audit_logs_forwarded") is not False:
        return []
    pipelines = _list(telemetry.get("pipelines"))
    return [_finding("audit-log-not-forwarded", "no enabled Telemetry Relay pipeline forwards the cluster's audit logs "
                     "to an endpoint%s; CoreWeave does not keep them for you" % (
                         " (pipelines seen: %s)" % _names(pipelines) if pipelines else ""))]


def _activity_findings(report, policy, now):
    """The support_activity findings of the report's activity section that are policy findings."""
    findings = []
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
    return findings


# (the report sections a rule reads, the rule): a rule runs only when each of its sections was read (or is one the
# provider does not have); otherwise it makes no claim and its unread sections go into the ``unknown`` record.
RULES = (
    (("api", "lease"), _access_lease_findings),
    (("lease",), _lease_length_findings),
    (("api", "lease"), _ticket_findings),
    (("api",), _role_findings),
    (("firewall",), _firewall_findings),
    (("pods",), _pod_findings),
    (("rbac",), _suspicious_findings(("rbac",))),
    (("pods",), _suspicious_findings(("diagnostic-pod", "workload", "debug-container"))),
    (("api", "rbac"), _out_of_chart_findings),
    (("firewall",), _firewall_cover_findings),
    (("api", "rbac"), _credential_findings),
    (("api", "rbac"), _bindings_without_access_findings),
    (("rbac",), _viewer_findings),
    (("coreweave",), _coreweave_findings),
    (("activity",), _activity_findings),
)


def not_applicable(report):
    """The report sections its provider does not have (the report's own list, else the provider's default)."""
    report = _dict(report)
    listed = report.get("not_applicable")
    if isinstance(listed, (list, tuple)):
        return [str(s) for s in listed]
    return list(NOT_APPLICABLE.get(str(report.get("provider") or ""), ()))


def unread_sections(report):
    """``{section: why}`` for the report's sections that were not read: a null section the provider has, when it is
    one every run reads (CORE_SECTIONS) or the report's ``unread`` names it (with the failed step), in report order."""
    report = _dict(report)
    skipped = set(not_applicable(report))
    recorded = _dict(report.get("unread"))
    result = {}
    for section in SECTIONS:
        if report.get(section) is not None or section in skipped:
            continue
        if section in recorded:
            result[section] = str(recorded[section] or "not read")
        elif section in CORE_SECTIONS:
            result[section] = "not in the report"
    return result


def _unknown_finding(unread):
    """The ``unknown`` record: which sections could not be read and why (sections with the same reason together)."""
    reasons = {}
    for section, why in unread.items():
        reasons.setdefault(why, []).append(section)
    finding = _finding("unknown", "not read, so not judged: %s" % "; ".join(
        "%s (%s)" % (", ".join(sections), why) for why, sections in reasons.items()))
    finding["sections"] = list(unread)
    return finding


def _revoke_verdict(report, error, unread, policy=None, now=None):
    """A revoke's verdict and its ``not-revoked`` finding (or None): what is open, else whether it was verified."""
    items = open_items(report, policy, now)
    if items:
        return "not_revoked", _finding("not-revoked", "; ".join(items))
    if error:
        return "error", None
    if report.get("rbac") is None:
        return "not_revoked", _finding("not-revoked", "revocation was not verified: no RBAC scan in the report")
    return ("error" if unread else "revoked"), None


def _dry_run_verdict(report, error, unread, policy=None, now=None):
    """A revoke's verdict in check mode: ``would_revoke`` when every open door is one the revoke closes,
    ``would_stay_open`` when a door needs a person (suspicious, shared, allowed SubjectAccessReviews with no support
    binding to delete), ``revoked`` when nothing is open; with the finding that names the doors."""
    found = [d for d in doors(report, policy, now) if d["status"] != ALLOWED]
    stays = ["%s: %s - %s" % (d["ref"], d["what"], d["closes"]) for d in found if not d["revoke_closes"]]
    rbac = _dict(report.get("rbac"))
    if rbac.get("probes_allowed") and not any(d["revoke_closes"] and d["class"] in ("rbac", "chart-object", "chart") for d in found):
        stays.append("SubjectAccessReview(s) allowed with no support binding or chart for the revoke to delete: %s"
                     % (", ".join(str(n) for n in _list(rbac.get("probes_allowed_names"))) or rbac.get("probes_allowed")))
    if stays:
        return "would_stay_open", _finding("would-stay-open", "; ".join(stays))
    if error:
        return "error", None
    items = open_items(report, policy, now)
    if items:
        return "would_revoke", _finding("would-revoke", "; ".join(items))
    if report.get("rbac") is None:
        return "error", None
    return ("error" if unread else "revoked"), None


def evaluate(cluster_report, policy=None, now=None):
    """Findings and verdict for one cluster's report under a policy (merged over the defaults).

    Returns ``(findings, verdict)``; findings are sorted by severity, then code. ``now`` is a datetime or an
    RFC 3339 string (default: the current time); it is kept for rules that depend on the clock. Findings come only
    from sections that were read: a section that was not (unread_sections) makes no claim, it is named in one
    ``unknown`` record and the verdict is ``error`` (or ``unreachable``, ``not_revoked``).
    """
    report = _dict(cluster_report)
    merged = policy if isinstance(policy, dict) and "max_lease_seconds" in policy else merge_policy(policy)
    moment = _as_time(now) or utcnow()
    unread = unread_sections(report)
    findings = []
    error = str(report.get("error") or "")
    unreachable = report.get("reachable") is False
    if unreachable:
        findings.append(_finding("unreachable", error or "the cluster could not be reached"))
    for sections, rule in RULES:
        if not any(s in unread for s in sections):
            findings.extend(rule(report, merged, moment))
    if unread:
        findings.append(_unknown_finding(unread))

    if unreachable:
        verdict = "unreachable"
    elif report.get("playbook") == "revoke":
        judge = _dry_run_verdict if report.get("check_mode") else _revoke_verdict
        verdict, finding = judge(report, error, unread, merged, moment)
        findings.extend([finding] if finding else [])
    elif error or unread:
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
        "checked_at": "", "check_mode": False, "reachable": None, "api": None, "chart": None, "rbac": None, "pods": None, "firewall": None,
        "lease": None, "coreweave": None, "activity": None, "unread": {}, "actions": [], "findings": [], "doors": [],
        "verdict": "", "error": "",
    }
    result.update(copy.deepcopy(report))
    result["not_applicable"] = not_applicable(result)
    result["check_mode"] = bool(result["check_mode"])
    result["unread"] = dict((str(k), str(v)) for k, v in _dict(result["unread"]).items())
    for key in ("cluster", "provider", "project", "cluster_id", "playbook", "checked_at", "error", "verdict"):
        result[key] = "" if result[key] is None else str(result[key])
    result["actions"] = [str(a) for a in _list(result["actions"])]
    result["findings"] = [_dict(f) for f in _list(result["findings"])]
    result["doors"] = [_dict(d) for d in _list(result["doors"])]
    return result


# The finding whose message is the error of a failing verdict.
_EXPLAINED_BY = {"not_revoked": "not-revoked", "unreachable": "unreachable", "error": "unknown"}


def apply_policy(report, policy=None, now=None):
    """A normalised copy of the report with findings, verdict and (for failing verdicts) error filled in."""
    result = normalize(report)
    findings, verdict = evaluate(result, policy, now)
    result["findings"], result["verdict"] = findings, verdict
    result["doors"] = doors(result, policy, now)
    code = _EXPLAINED_BY.get(verdict)
    # an ``error`` verdict that has its error already (the failed steps) needs no more; one without it came from
    # sections that were not read, and the unknown record says which and why
    if code and not (verdict == "error" and result["error"]):
        said = [f["message"] for f in findings if f["code"] == code and f["message"] not in result["error"]]
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


def open_doors(report):
    """The doors of a report that are open now: confirmed or suspicious (as listed in its ``doors``)."""
    return [d for d in (_dict(x) for x in _list(_dict(report).get("doors"))) if d.get("status") in (CONFIRMED, SUSPICIOUS)]


OPEN, UNKNOWN, CLOSED = "open", "unknown", "closed"


def cluster_state(report, now=None):
    """Whether support can get in now: ``open`` (a confirmed or suspicious door, access enabled in the provider API, or
    an active lease - whatever the verdict), ``unknown`` (unreachable, or sections not read) or ``closed``. The
    summary's ``open`` and ``unknown`` lists and the HTML page's groups both come from here."""
    report = _dict(report)
    moment = _as_time(now) or utcnow()
    if open_doors(report) or _dict(report.get("api")).get("access_enabled") or lease_status(report.get("lease"), moment) == "active":
        return OPEN
    if report.get("verdict") == "unreachable" or report.get("reachable") is False or unread_sections(report):
        return UNKNOWN
    return CLOSED


# The summary's lists of cluster names: per failing verdict, would_revoke, and the clusters open now or unknown.
_NAME_LISTS = FAILING_VERDICTS + ("would_revoke", OPEN, UNKNOWN)


def summarize(reports, now=None):
    """Counts over the fleet: per verdict, per provider, access, requests, pods, findings, the failing clusters, and
    the clusters open now or whose state is unknown (cluster_state at ``now``, default the current time)."""
    moment = _as_time(now) or utcnow()
    summary = {
        "clusters": len(reports),
        # the dry-run verdicts are counted only where a --check revoke gave them
        "verdicts": {v: 0 for v in VERDICTS if v not in DRY_RUN_VERDICTS},
        "providers": {},
        "access_enabled": 0,
        "active_requests": 0,
        "confirmed_pods": 0,
        "clusters_with_findings": 0,
        "findings": {s: 0 for s in SEVERITIES},
    }
    for key in _NAME_LISTS:
        summary[key] = []
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
        if any(_dict(f).get("code") != "unknown" for f in findings):
            summary["clusters_with_findings"] += 1
        for finding in findings:
            severity = _dict(finding).get("severity")
            if isinstance(severity, str) and severity in summary["findings"]:
                summary["findings"][severity] += 1
        if verdict in FAILING_VERDICTS:
            summary[verdict].append(name)
        state = cluster_state(report, moment)
        if state != CLOSED:
            summary[state].append(name)
        if verdict == "would_revoke":
            summary[verdict].append(name)
    for key in _NAME_LISTS:
        summary[key].sort()
    summary["failed"] = sorted(set().union(*(summary[v] for v in FAILING_VERDICTS)))
    summary["ok"] = not summary["failed"]
    return summary


def _sort_key(report):
    order = {v: i for i, v in enumerate(FAILING_VERDICTS + ("would_revoke", "revoked", "compliant"))}
    return (order.get(report.get("verdict"), 0), str(report.get("cluster")))


def run_problems(count, expected_clusters=0, problems=()):
    """What is wrong with the run as a whole, besides its clusters: the given ``problems`` and fewer clusters than
    expected (``expected_clusters``, 0 = not checked)."""
    found = [str(p) for p in problems or () if str(p).strip()]
    if expected_clusters and count < expected_clusters:
        found.append("%d of %d expected cluster(s) reported (support_access_expected_clusters=%d): an inventory source "
                     "that failed or yielded fewer clusters, or a limit that left clusters out"
                     % (count, expected_clusters, expected_clusters))
    return found


def build_document(reports, title=None, generated_at=None, problems=(), playbook=None, check_mode=None):
    """The JSON document: schema, title, generated_at, playbook, check_mode, summary and the clusters (failing first,
    then by name).

    ``problems``: what is wrong with the run as a whole (run_problems); any makes the summary not ok. ``playbook``: the
    run's playbook (default: the clusters' own when they agree). ``check_mode``: the run was ``--check`` (default:
    any cluster's report says so)."""
    clusters = sorted((normalize(r) for r in reports), key=_sort_key)
    moment = _as_time(generated_at) or utcnow()
    summary = summarize(clusters, moment)
    summary["problems"] = list(problems or ())
    summary["ok"] = summary["ok"] and not summary["problems"]
    if playbook is None:
        playbooks = {c["playbook"] for c in clusters}
        playbook = playbooks.pop() if len(playbooks) == 1 else ""
    if check_mode is None:
        check_mode = any(c["check_mode"] for c in clusters)
    return {
        "schema": SCHEMA,
        "title": title or DEFAULT_TITLE,
        "generated_at": _lease.format_time(moment),
        "playbook": str(playbook or ""),
        "check_mode": bool(check_mode),
        "summary": summary,
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
