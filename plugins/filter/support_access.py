# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for the fleet report: policy evaluation, collection of per-host reports, the summary and durations."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave_audit
from ansible_collections.neocloud.support_access.plugins.module_utils import _kube
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils import _report


def support_access_findings(fact, policy=None, now=None):
    """``{findings, verdict}`` of one cluster's report under a policy (merged over the defaults)."""
    if not isinstance(fact, dict):
        raise AnsibleFilterError("support_access_findings expects a support_access_cluster_report dictionary, got %s" % type(fact).__name__)
    try:
        findings, verdict = _report.evaluate(_report.normalize(fact), policy, now)
    except _report.ReportError as exc:
        raise AnsibleFilterError("support_access_findings: %s" % exc) from None
    return {"findings": findings, "verdict": verdict}


def support_access_summary(reports):
    """Fleet counts over a list of cluster reports."""
    if not isinstance(reports, (list, tuple)):
        raise AnsibleFilterError("support_access_summary expects a list of cluster reports, got %s" % type(reports).__name__)
    return _report.summarize([_report.normalize(r) for r in reports])


def support_access_duration_seconds(value):
    """Seconds in a duration such as ``8h`` or ``1h30m``."""
    try:
        return _lease.parse_duration(value, "duration")
    except _lease.LeaseError as exc:
        raise AnsibleFilterError("support_access_duration_seconds: %s" % exc) from None


def support_access_reports(hostvars, hosts, playbook="audit"):
    """One report per host: its support_access_cluster_report fact, or an error report when it never set one."""
    if isinstance(hosts, str):
        hosts = [hosts]
    try:
        return _report.collect(hostvars, list(hosts), playbook)
    except _report.ReportError as exc:
        raise AnsibleFilterError("support_access_reports: %s" % exc) from None


def support_access_coreweave_section(cluster, telemetry=None, audit_stream_name=_coreweave_audit.AUDIT_STREAM_NAME):
    """The report's coreweave section from a CKS cluster record and a coreweave_telemetry_info result (or None)."""
    if not isinstance(cluster, dict):
        raise AnsibleFilterError("support_access_coreweave_section expects a CKS cluster record (dictionary), got %s" % type(cluster).__name__)
    if telemetry is not None and not isinstance(telemetry, dict):
        raise AnsibleFilterError("support_access_coreweave_section: telemetry must be a coreweave_telemetry_info result or null")
    return _coreweave_audit.coreweave_section(cluster, telemetry, audit_stream_name)


def support_access_activity_section(result, cluster):
    """The report's activity section: one cluster's part of a support_activity result."""
    if not isinstance(result, dict):
        raise AnsibleFilterError("support_access_activity_section expects a support_activity result (dictionary), got %s" % type(result).__name__)
    return _coreweave_audit.activity_section(result, str(cluster))


def support_access_unreachable(message):
    """Whether an error message says the API server could not be reached at all (module_utils/_kube.UNREACHABLE)."""
    return bool(_kube.UNREACHABLE.search(str(message or "")))


class FilterModule:
    """neocloud.support_access report filters."""

    def filters(self):
        return {
            "support_access_findings": support_access_findings,
            "support_access_summary": support_access_summary,
            "support_access_duration_seconds": support_access_duration_seconds,
            "support_access_reports": support_access_reports,
            "support_access_coreweave_section": support_access_coreweave_section,
            "support_access_activity_section": support_access_activity_section,
            "support_access_unreachable": support_access_unreachable,
        }
