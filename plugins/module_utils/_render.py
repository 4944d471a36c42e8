# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's views: the JSON, Markdown, HTML and JUnit files of a report document (_report.build_document).

Every value in a report may come from an untrusted source (cluster names, reasons, pod names), so the HTML escapes
everything (its one inline script is constant text that reads data-* attributes only, allowed by its hash in the
page's Content-Security-Policy), Markdown neutralises table syntax and JUnit is built with ElementTree.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.neocloud.support_access.plugins.module_utils._report import (
    CLOSED,
    CONFIRMED,
    DEFAULT_TITLE,
    DRY_RUN_VERDICTS,
    FAILING_VERDICTS,
    OPEN,
    SUSPICIOUS,
    UNKNOWN,
    VERDICTS,
    ReportError,
    _active_requests,
    _as_time,
    _dict,
    _list,
    _role_name,
    _subject_dict,
    binding_label,
    cluster_state,
    credential_windows,
    lease_status,
    normalize_role,
    not_applicable,
    open_doors,
    subject_text,
    unread_sections,
    utcnow,
)

FORMATS = ("json", "markdown", "html", "junit")
EXTENSIONS = {"json": ".json", "markdown": ".md", "html": ".html", "junit": ".junit.xml"}
# A --check run's report says so first (HTML and Markdown banner, a JUnit property); its revoke verdicts are these.
DRY_RUN_BANNER = "DRY RUN (--check): nothing was changed; verdicts say what the run would do"
# Characters XML 1.0 cannot carry at all; hostile or binary input must not make the JUnit file unparseable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_json(doc):
    """The report document as pretty, stable JSON (sorted keys, trailing newline)."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _cells(report):
    """Plain-text cell values shared by Markdown and HTML, in column order.

    A section the provider does not have is ``n/a``; one that was not read (the run failed first) is ``unknown``.
    """
    absent = _absent_texts(report)
    api = report.get("api")
    apid = _dict(api)
    if api is None:
        access, roles = absent["api"], absent["api"]
    else:
        access = "on" if apid.get("access_enabled") else "off"
        roles = ", ".join(normalize_role(r) for r in _list(apid.get("roles"))) or "-"
    requests = _active_requests(report)
    if api is None:
        req = absent["api"]
    elif requests:
        expiries = sorted(str(r.get("expires_at") or "") for r in requests if r.get("expires_at"))
        req = "%d (%s)" % (len(requests), ", ".join(("%s %s" % (normalize_role(r.get("role")), r.get("ticket") or "")).strip() for r in requests))
        if expiries:
            req += " until %s" % expiries[-1]
    else:
        req = "0"
    chart = report.get("chart")
    if chart is None:
        chart_text = absent["chart"]
    elif _dict(chart).get("installed"):
        chart_text = "installed %s" % (_dict(chart).get("version") or "")
    else:
        chart_text = "absent"
    rbac = report.get("rbac")
    if rbac is None:
        bindings = absent["rbac"]
    else:
        blist = _list(_dict(rbac).get("bindings"))
        caps = sorted({c for b in blist for c in _list(_dict(b).get("capabilities"))})
        bindings = str(len(blist)) + (" (%s)" % ", ".join(caps) if caps else "")
    pods = report.get("pods")
    if pods is None:
        pods_text = absent["pods"]
    else:
        pods_text = "%d confirmed, %d suspicious" % (len(_list(_dict(pods).get("confirmed"))), len(_list(_dict(pods).get("suspicious"))))
    firewall = report.get("firewall")
    if firewall is None:
        fw = absent["firewall"]
    else:
        fwd = _dict(firewall)
        admitted = [str(x) for x in _list(fwd.get("admitted_by"))]
        vpn = "allowed" if fwd.get("support_source_present") else "not listed"
        if admitted:
            vpn = ("allowed, and admitted by %s" if fwd.get("support_source_present") else "admitted by %s") % ", ".join(admitted)
        fw = "%s, support VPN %s" % ("restricted" if fwd.get("restricted") else "open to all", vpn)
    lease = report.get("lease")
    if lease is None:
        lease_text = absent["lease"]
    else:
        ld = _dict(lease)
        lease_text = ld.get("status") or "none"
        if ld.get("ticket"):
            lease_text += " %s" % ld["ticket"]
        if ld.get("status") in ("active", "expired") and ld.get("expires_at"):
            lease_text += " until %s" % ld["expires_at"]
        if _list(ld.get("history")):
            lease_text += " (%d earlier)" % len(_list(ld["history"]))
    return [access, roles, req, chart_text, bindings, pods_text, fw, lease_text]


def _absent_texts(report):
    """What a missing section shows: ``n/a`` when the provider has no such thing, else ``unknown``."""
    skipped = set(not_applicable(report))
    return {key: "n/a" if key in skipped else "unknown" for key in ("api", "chart", "rbac", "pods", "firewall", "lease")}


LEASE_COLUMNS = ("Cluster", "Lease", "Ticket", "Requested by", "Roles", "From \u2013 until", "Status", "Reason")


def _ending(record, how):
    """How a lease stands or ended, with when, by whom and why it was closed when known: ``closed 2026-... by bob: done``."""
    parts = [how, record.get("closed_at"), ("by %s" % record["closed_by"]) if record.get("closed_by") else ""]
    text = " ".join(str(p) for p in parts if p)
    return text + (": %s" % record["closed_reason"] if record.get("closed_reason") else "")


def _lease_cells(record, which, how):
    """Plain-text cells of one lease (LEASE_COLUMNS after the cluster)."""
    cells = [which, record.get("ticket") or "-", record.get("requested_by") or "-",
             ", ".join(str(r) for r in _list(record.get("roles"))) or "-",
             "%s \u2013 %s" % (record.get("enabled_at") or "?", record.get("expires_at") or "?"),
             _ending(record, how), record.get("reason") or "-"]
    return [str(c) for c in cells]


def _lease_rows(report):
    """A cluster's leases: the current one, then its history (newest first; leases recorded before histories were
    kept have none). Empty when the cluster has neither or its lease was not read."""
    lease = report.get("lease")
    if not isinstance(lease, dict):
        return []
    rows = [_lease_cells(lease, "current", lease["status"])] if lease.get("status") not in (None, "", "none") else []
    for entry in _list(lease.get("history")):
        entry = _dict(entry)
        rows.append(_lease_cells(entry, "earlier", entry.get("ended") or "ended"))
    return rows


COREWEAVE_COLUMNS = ("Cluster", "CKS cluster", "Status", "Version", "Audit policy", "Authz webhook", "Audit logs forwarded",
                     "Pipelines", "Endpoints", "Support activity")


DOOR_COLUMNS = ("Cluster", "Door", "Class", "Status", "What", "Closed by")
_DOOR_ORDER = {"suspicious": 0, "confirmed": 1, "allowed": 2}


def _door_rows(doc):
    """[cluster, ref, class, status, what, closes] for every door of every cluster: what blocks first."""
    rows = []
    for report in doc["clusters"]:
        doors = sorted((d for d in report.get("doors") or [] if isinstance(d, dict)),
                       key=lambda d: (_DOOR_ORDER.get(str(d.get("status")), 3), str(d.get("ref"))))
        rows += [[report["cluster"]] + [str(d.get(k) or "") for k in ("ref", "class", "status", "what", "closes")]
                 for d in doors]
    return rows


def _yes_no(value):
    return "unknown" if value is None else ("yes" if value else "no")


def _activity_text(activity):
    """One line for a report's activity section (support_activity's summary for the cluster)."""
    if not isinstance(activity, dict):
        return "not read"
    codes = _dict(activity.get("findings_by_code"))
    text = "%s action(s), %s exec, %s Secrets read, %s access request(s)" % (
        activity.get("support_actions", 0), activity.get("exec", 0), activity.get("secrets_read", 0),
        activity.get("access_requests", 0))
    if codes:
        text += "; findings: %s" % ", ".join("%s %s" % (c, n) for c, n in sorted(codes.items()))
    return text


def _coreweave_cells(report):
    """Plain-text cells of the CoreWeave table (COREWEAVE_COLUMNS after the cluster name)."""
    cw = _dict(report.get("coreweave"))
    telemetry = cw.get("telemetry")
    if isinstance(telemetry, dict):
        forwarded = _yes_no(telemetry.get("audit_logs_forwarded"))
        pipelines = ", ".join(str(p) for p in _list(telemetry.get("pipelines"))) or "-"
        endpoints = ", ".join(str(e) for e in _list(telemetry.get("endpoints"))) or "-"
    else:
        forwarded = pipelines = endpoints = "not read"
    return [cw.get("cluster_id") or report.get("cluster_id") or "", cw.get("status") or "unknown", cw.get("version") or "",
            "custom" if cw.get("audit_policy_configured") else "default",
            cw.get("authz_webhook") or "none", forwarded, pipelines, endpoints, _activity_text(report.get("activity"))]


def _coreweave_reports(doc):
    return [r for r in doc["clusters"] if isinstance(r.get("coreweave"), dict)]


def _error_shown(report):
    """Whether the error adds to the findings (an unreachable cluster's error is already the finding's message, a
    failed step's error already in the unknown record's)."""
    return bool(report["error"]) and all(report["error"] not in str(f.get("message") or "") for f in report["findings"])


def _finding_label(finding):
    """(severity, code) of a finding as the views show it: no code where it repeats the severity (the unknown record)."""
    severity, code = str(finding.get("severity") or ""), str(finding.get("code") or "")
    return severity, "" if code == severity else code


COLUMNS = ("Cluster", "Provider", "Access", "Roles", "Active requests", "Chart", "Support bindings", "Diagnostic pods",
           "Firewall", "Lease", "Verdict")


def _md(value):
    text = str(value if value is not None else "")
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    for char in "`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


def _md_table(columns, rows):
    """A Markdown table: the header, then one line per row of plain-text cells."""
    return ["| %s |" % " | ".join(columns), "|%s" % ("---|" * len(columns))] + ["| %s |" % " | ".join(_md(c) for c in row) for row in rows]


def to_markdown(doc):
    """The report as Markdown: summary, one table row per cluster, then the findings per cluster."""
    summary = doc["summary"]
    lines = ["# %s" % _md(doc.get("title") or DEFAULT_TITLE), ""]
    if doc.get("check_mode"):
        lines += ["> **%s**" % _md(DRY_RUN_BANNER), ""]
    lines += ["Generated %s. %d cluster(s)." % (_md(doc["generated_at"]), summary["clusters"]), ""]
    lines += ["| Verdict | Clusters |", "|---|---|"]
    # the dry-run verdicts only where the summary has them (a --check revoke)
    counts = _dict(summary["verdicts"])
    shown = [v for v in VERDICTS if v in counts or v not in DRY_RUN_VERDICTS] + sorted(v for v in counts if v not in VERDICTS)
    lines += ["| %s | %d |" % (v if v in VERDICTS else _md(v), counts.get(v, 0)) for v in shown]
    lines += ["", "Access enabled: %d; active requests: %d; confirmed diagnostic pods: %d; clusters with findings: %d."
              % (summary["access_enabled"], summary["active_requests"], summary["confirmed_pods"], summary["clusters_with_findings"])]
    if summary["failed"]:
        lines.append("Failing: %s." % ", ".join(_md(n) for n in summary["failed"]))
    lines += [""] + _md_table(COLUMNS, [[r["cluster"], r["provider"]] + _cells(r) + [r["verdict"]] for r in doc["clusters"]])
    coreweave = _coreweave_reports(doc)
    if coreweave:
        lines += ["", "## CoreWeave", ""] + _md_table(COREWEAVE_COLUMNS, [[r["cluster"]] + _coreweave_cells(r) for r in coreweave])
    doors = _door_rows(doc)
    if doors:
        lines += ["", "## Doors", ""] + _md_table(DOOR_COLUMNS, doors)
    leases = [[r["cluster"] if i == 0 else ""] + row for r in doc["clusters"] for i, row in enumerate(_lease_rows(r))]
    if leases:
        lines += ["", "## Leases", ""] + _md_table(LEASE_COLUMNS, leases)
    lines += ["", "## Findings", ""]
    any_findings = False
    for report in doc["clusters"]:
        if not report["findings"] and not report["error"]:
            continue
        any_findings = True
        lines.append("### %s (%s)" % (_md(report["cluster"]), report["verdict"]))
        lines.append("")
        if _error_shown(report):
            lines.append("- error: %s" % _md(report["error"]))
        for finding in report["findings"]:
            severity, code = _finding_label(finding)
            lines.append("- **%s**%s: %s" % (_md(severity), " `%s`" % _md(code).replace("\\", "") if code else "", _md(finding.get("message"))))
        lines.append("")
    if not any_findings:
        lines += ["No findings.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


# (text, background) colours of the verdict badges: green is closed as it should be, yellow against the policy, red
# still open or not known, purple not reached, blue what a --check revoke would close (not a failure).
_GREEN = ("#1a7f37", "#dafbe1")
_YELLOW = ("#9a6700", "#fff8c5")
_RED = ("#cf222e", "#ffebe9")
_PURPLE = ("#8250df", "#fbefff")
_BLUE = ("#0969da", "#ddf4ff")
_VERDICT_STYLE = {"compliant": _GREEN, "revoked": _GREEN, "noncompliant": _YELLOW, "not_revoked": _RED, "error": _RED,
                  "unreachable": _PURPLE, "would_revoke": _BLUE, "would_stay_open": _RED}
# The order the HTML lists verdicts in: what needs a person first.
_VERDICT_ORDER = ("not_revoked", "would_stay_open", "noncompliant", "error", "unreachable", "would_revoke", "compliant",
                  "revoked")
# An open cluster with a failing verdict (_report.FAILING_VERDICTS) is marked red (open against the policy, or not
# verified); with another one amber (open as agreed: an active lease, or doors a --check revoke would close).

# What the HTML's first table says of each cluster: ``open`` (a confirmed or suspicious door, support access enabled
# in the provider API, or an active lease), ``unknown`` (nothing open was read, but the cluster was not reached or
# not every section was read: it might be open) or ``closed``.
_STATES = (OPEN, UNKNOWN, CLOSED)
_STATE_HEADS = {OPEN: "Open now: the provider's support can get in",
                UNKNOWN: "Unknown: not reached or not fully read, might be open",
                CLOSED: "Closed: no way in found"}
# Door classes of the exec / node column, and the grants that give a shell in pods or on nodes.
_NODE_CLASSES = ("workload", "diagnostic-pod", "debug-container")
_SHELL_CAPABILITIES = ("full_access", "exec_pods", "attach_pods", "node_proxy", "ephemeral_containers")
HTML_COLUMNS = ("", "Cluster", "Verdict", "Provider API", "Support RBAC: who \u2192 what each binding grants", "Exec / node / pods",
                "Firewall", "Credentials", "Lease: ticket \u00b7 by \u00b7 reason")
_COLUMN_WIDTHS = (66, 150, 106, 140, None, 165, 96, 124, 230)

_CSS = """
*{box-sizing:border-box}
body{font:13px/1.4 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:10px 12px;color:#1f2328;background:#fff}
.top{display:flex;align-items:center;gap:16px;justify-content:space-between}
h1{font-size:20px;margin:0}
h2{font-size:15px;margin:0;display:inline}
h4{font-size:12px;margin:6px 0 2px;color:#59636e;text-transform:uppercase;letter-spacing:.03em}
a{color:#0969da}
.dryrun{background:#0969da;color:#fff;font-weight:700;font-size:16px;padding:8px 12px;border-radius:6px;margin:0 0 8px}
.meta{color:#59636e;margin:2px 0 4px;font-size:12px}
.fleet{margin:0 0 4px;font-size:14px}
.chip{display:inline-block;border-radius:10px;padding:0 8px;margin:0 2px 2px 0;font-weight:600;text-decoration:none;
 color:#59636e;background:#f6f8fa;border:1px solid #d1d9e0}
.chip.zero{font-weight:400;color:#8c959f;background:#fff}
.sep{color:#d1d9e0;margin:0 4px}
.names{margin:0 0 3px;white-space:normal}
.names a{text-decoration:none;font-weight:600;margin-right:2px}
.names .bad{color:#cf222e}.names .good{color:#9a6700}.names .unk{color:#8250df}
.facts{color:#59636e;margin:0 0 4px}
.problems{color:#cf222e;font-weight:600;margin:0 0 4px}
#controls{display:flex;gap:8px;align-items:center}
#controls[hidden]{display:none}
#controls input{width:340px;padding:3px 6px;font:inherit;border:1px solid #d1d9e0;border-radius:6px}
#controls select{font:inherit;padding:2px 4px}
#shown{color:#59636e}
table{border-collapse:collapse;width:100%}
#clusters{table-layout:fixed}
#clusters{font-size:12px}
#clusters>thead th,#clusters>tbody>tr>td,#clusters>tbody>tr>th{padding:2px 6px;border-bottom:1px solid #e6eaef;white-space:nowrap;
 overflow:hidden;text-overflow:ellipsis;text-align:left;vertical-align:middle;line-height:19px}
#clusters>thead th{background:#f6f8fa;position:sticky;top:0;z-index:2;font-size:12px;color:#59636e;font-weight:600;
 border-bottom:1px solid #d1d9e0}
tr.section th{color:#fff;font-size:12px;letter-spacing:.02em;line-height:16px!important}
tr.section.s-open th{background:#a40e26}tr.section.s-unknown th{background:#6639ba}tr.section.s-closed th{background:#59636e}
tr.group th{background:#f6f8fa;font-weight:600;color:#424a53;font-size:12px;line-height:14px!important;padding:2px 6px!important}
tr.group .count{font-weight:400;color:#59636e}
tr.cluster:hover>td{background:#f6f8fa}
tr.cluster{scroll-margin-top:28px}
td.state{padding:2px 4px!important}
.pill{display:block;text-align:center;border-radius:4px;font-size:10px;font-weight:700;line-height:17px;letter-spacing:.02em}
.p-bad{background:#cf222e;color:#fff}.p-good{background:#bf8700;color:#fff}.p-unknown{background:#8250df;color:#fff}
.p-closed{background:#eaeef2;color:#59636e;font-weight:400}
td.name details{display:inline}
td.name summary{cursor:pointer;list-style:none;display:inline}
td.name summary::-webkit-details-marker{display:none}
td.name summary::before{content:"\\25b8\\00a0";color:#8c959f}
td.name details[open] summary::before{content:"\\25be\\00a0"}
td.name b{font-weight:600}
.verdict{font-weight:600;font-size:11px;border-radius:10px;padding:0 7px;white-space:nowrap;display:inline-block;line-height:18px;color:#1f2328;
 background:#eaeef2}
""" + "".join(".v-%s{color:%s;background:%s}\n" % (v, fg, bg) for v, (fg, bg) in sorted(_VERDICT_STYLE.items())) + """
.hot{color:#cf222e;font-weight:600}.live{font-weight:600}.sus{color:#9a6700;font-weight:600}.ok{color:#1a7f37}.mute{color:#8c959f}
.stale{color:#8c959f;font-style:italic}.unk{color:#8250df;font-style:italic}
tr.more{display:none}
tr.cluster:has(details[open])+tr.more{display:table-row}
@supports not selector(:has(a)){tr.more{display:table-row}}
@media print{tr.more{display:table-row}#controls{display:none}}
tr.more>td{white-space:normal!important;background:#fbfcfd;border-left:3px solid #d1d9e0;padding:4px 10px 8px 14px!important}
.panel{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:2px 24px;font-size:12px}
.panel .wide{grid-column:1/-1}
.panel ul{margin:0;padding-left:16px}
.panel p{margin:2px 0}
table.mini td{border:none;border-bottom:1px solid #eaeef2;padding:1px 6px 1px 0;vertical-align:top;text-align:left}
.ident{color:#59636e}
""" + "".join("#clusters col.k%d{width:%dpx}\n" % (i, w) for i, w in enumerate(_COLUMN_WIDTHS) if w) + """
[hidden]{display:none!important}
details.part{margin:14px 0 0}
details.part>summary{cursor:pointer;padding:4px 0;border-bottom:1px solid #d1d9e0}
details.part>summary .count{color:#59636e}
details.part th,details.part td{border:1px solid #d1d9e0;padding:4px 6px;text-align:left;vertical-align:top;font-size:12px}
details.part th{background:#f6f8fa}
.sev-high{color:#cf222e;font-weight:600}.sev-medium{color:#9a6700;font-weight:600}.sev-low{color:#59636e}
.sev-unknown{color:#59636e;font-style:italic}
tr.lease-earlier td{color:#59636e}
tr.lease-earlier td.which{padding-left:18px}
.on{color:#cf222e;font-weight:600}.off{color:#1a7f37}
code{font-size:11px}
"""

# Filter and search, the page's only script: it reads the data-* attributes and the URL fragment (#q=words&v=open)
# and sets ``hidden``; it never builds markup or script from the report's values. Without it every row is shown.
_SCRIPT = """
(function () {
  "use strict";
  var doc = document, rows = [].slice.call(doc.querySelectorAll("tr.cluster"));
  var groups = [].slice.call(doc.querySelectorAll("tbody.group")), heads = [].slice.call(doc.querySelectorAll("tbody.section"));
  var box = doc.getElementById("q"), pick = doc.getElementById("v"), shown = doc.getElementById("shown");
  if (!box || !pick) { return; }
  doc.getElementById("controls").hidden = false;
  function wanted(row, choice) {
    var state = row.getAttribute("data-state");
    if (!choice) { return true; }
    if (choice === "attention") { return state !== "closed"; }
    if (choice === "open" || choice === "unknown" || choice === "closed") { return state === choice; }
    return row.getAttribute("data-verdict") === choice;
  }
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean), choice = pick.value, count = 0, last = null;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search") || "", more = row.nextElementSibling;
      var show = wanted(row, choice) && words.every(function (word) { return text.indexOf(word) >= 0; });
      row.hidden = !show;
      if (more && more.classList.contains("more")) { more.hidden = !show; }
      count += show ? 1 : 0;
      last = show ? row : last;
    });
    if (count === 1 && words.length) { last.querySelector("details").open = true; }
    groups.forEach(function (group) { group.hidden = !group.querySelector("tr.cluster:not([hidden])"); });
    heads.forEach(function (head) {
      var section = head.getAttribute("data-section");
      head.hidden = !groups.some(function (g) { return !g.hidden && g.getAttribute("data-section") === section; });
    });
    shown.textContent = count + " of " + rows.length + " clusters shown";
  }
  function fromHash() {
    var hash = location.hash.replace(/^#/, ""), params = {}, target;
    if (hash && hash.indexOf("=") < 0) {
      target = doc.getElementById(hash);
      if (target && target.querySelector("details")) { target.querySelector("details").open = true; }
      return;
    }
    hash.split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) {
        try { params[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1).replace(/\\+/g, " ")); } catch (e) { /* ignored */ }
      }
    });
    box.value = params.q || "";
    pick.value = params.v || "";
    if (pick.selectedIndex < 0) { pick.value = ""; }
    apply();
  }
  function toHash() {
    var parts = [];
    if (box.value) { parts.push("q=" + encodeURIComponent(box.value)); }
    if (pick.value) { parts.push("v=" + encodeURIComponent(pick.value)); }
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file: URLs */ }
    apply();
  }
  box.addEventListener("input", toHash);
  pick.addEventListener("change", toHash);
  window.addEventListener("hashchange", fromHash);
  fromHash();
  if (!location.hash) { apply(); }
}());
"""


def _csp_hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# Nothing may load or run but the page's own style and script (by hash: the same for every report, so a report
# that did not change renders byte for byte the same).
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src %s; script-src %s; img-src 'none'; base-uri 'none'; form-action 'none'"
                           % (_csp_hash(_CSS), _csp_hash(_SCRIPT)))


def _badge(verdict):
    known = verdict if verdict in _VERDICT_STYLE else "other"
    return '<span class="verdict v-%s">%s</span>' % (known, html.escape(verdict.replace("_", " ") or "none"))


def _html_thead(columns):
    return '<thead><tr>%s</tr></thead>' % "".join("<th>%s</th>" % html.escape(c) for c in columns)


def _html_leases(doc):
    """The Leases table: per cluster its current lease and earlier ones (muted), the cluster name spanning them."""
    out = []
    for report in doc["clusters"]:
        rows = _lease_rows(report)
        for index, cells in enumerate(rows):
            name = ('<td rowspan="%d"><b>%s</b></td>' % (len(rows), html.escape(report["cluster"]))) if index == 0 else ""
            out.append('<tr class="lease-%s" data-cluster="%s">%s<td class="which">%s</td>%s</tr>' % (
                cells[0], html.escape(report["cluster"], quote=True), name, html.escape(cells[0]),
                "".join("<td>%s</td>" % html.escape(c) for c in cells[1:])))
    return out


def _report_time(doc):
    return _as_time(doc.get("generated_at")) or utcnow()


def _when(value, day):
    """A time as a row shows it: ``16:00Z`` on the report's day, else ``2026-11-23 16:00Z``; other text as it is."""
    text = str(value or "")
    match = re.match(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", text)
    if not match:
        return text
    date, minute, zone = match.groups()
    zone = "Z" if zone in (None, "Z", "+00:00", "+0000") else zone
    return minute + zone if date == day else "%s %s%s" % (date, minute, zone)


def _absent_item(report, section):
    """What a cell shows for a section the report lacks: ``n/a``, ``unknown`` (not read) or ``not read`` (not asked)."""
    if section in not_applicable(report):
        return ("mute", "n/a")
    if section in unread_sections(report):
        return ("unk", "unknown")
    return ("mute", "not read")


def _cell(items, sep=" \u00b7 ", title=""):
    """One cell of a cluster row: its items (class, text) as spans on one line, all of them in the title."""
    items = [i for i in items if i and i[1]] or [("mute", "\u2014")]
    text = title or sep.join(t for _c, t in items)
    body = sep.join(('<span class="%s">%s</span>' % (c, html.escape(t))) if c else html.escape(t) for c, t in items)
    return '<td title="%s">%s</td>' % (html.escape(text, quote=True).replace("\n", "&#10;"), body)


def _bindings_by_ref(report):
    bindings = (_dict(b) for b in _list(_dict(report.get("rbac")).get("bindings")))
    return dict((binding_label(b), b) for b in bindings)


def _door_subjects(binding, door):
    """The subjects a binding's door is about: the look-alike and broad ones of a suspicious door, else the support
    subjects (all subjects of a chart or support-role binding that names none)."""
    if _dict(door).get("status") == "suspicious":
        return _list(binding.get("look_alike_subjects")) + _list(binding.get("broad_subjects"))
    return _list(binding.get("support_subjects")) or _list(binding.get("subjects"))


def _grant_text(binding):
    if not binding.get("role_found", True):
        return "nothing until its missing role is created again"
    grants = [str(c) for c in _list(binding.get("capabilities"))]
    grants += ["%s (only %s)" % (c, ", ".join(str(n) for n in _list(names)))
               for c, names in sorted(_dict(binding.get("restricted")).items())]
    return ", ".join(grants) or "no door class"


def binding_line(binding, door=None):
    """``Group/x → ClusterRole y: grants`` for one binding (grants are never merged across bindings)."""
    kind, name = _role_name(binding)
    who = ", ".join(subject_text(s) for s in _door_subjects(binding, door)) or "?"
    scope = " in %s" % binding["namespace"] if binding.get("namespace") else ""
    return "%s \u2192 %s %s%s: %s" % (who, kind or "role", name or "?", scope, _grant_text(binding))


def _short_subject(subject):
    """A subject as a row shows it: a Group by its name, a ServiceAccount as ``SA namespace/name``."""
    subject = _subject_dict(subject)
    if subject.get("kind") == "Group":
        return str(subject.get("name") or "?")
    kind = "SA" if subject.get("kind") == "ServiceAccount" else subject.get("kind")
    return " ".join(str(p) for p in (kind, "/".join(str(x) for x in (subject.get("namespace"), subject.get("name")) if x)) if p)


def _binding_short(binding, door):
    """``who: grants`` for one binding as a row shows it (who first, what it grants next; the role in the title)."""
    who = ", ".join(_short_subject(s) for s in _door_subjects(binding, door)) or "?"
    return "%s: %s" % (who, _grant_text(binding))


def _door_class(door):
    return "hot" if door.get("status") == "confirmed" else "sus"


def _status_class(status):
    """The text class of a door status: confirmed red, suspicious amber, allowed (or anything else) muted."""
    return {"confirmed": "hot", "suspicious": "sus"}.get(str(status), "mute")


def _power(binding):
    """Orders a row's bindings: cluster-admin first, then those that give a shell, then the rest."""
    grants = set(str(c) for c in _list(binding.get("capabilities"))) | set(str(c) for c in _dict(binding.get("restricted")))
    return (0 if "full_access" in grants else 1 if grants & set(_SHELL_CAPABILITIES) else 2, -len(grants))


def _api_items(report):
    api = report.get("api")
    if api is None:
        item = _absent_item(report, "api")
        return [(item[0], "n/a (Teleport)")] if report.get("provider") == "coreweave" and item[1] == "n/a" else [item]
    api, requests = _dict(api), _active_requests(report)
    if api.get("access_enabled"):
        roles = ", ".join(normalize_role(r) for r in _list(api.get("roles"))) or "no roles"
        return [("hot", "ON %s" % roles), ("", "%d request(s)" % len(requests)) if requests else None]
    stale = "stale listing" if len(requests) == 1 else "%d stale listings" % len(requests)
    return [("ok", "off"), ("stale", "%s (access off)" % stale) if requests else None]


def _rbac_items(report, bindings):
    """The support RBAC cell: each open binding door (suspicious first, then the strongest), then the chart."""
    if report.get("rbac") is None and report.get("chart") is None:
        return [_absent_item(report, "rbac")]
    items, tail, objects = [], [], []
    version = _dict(report.get("chart")).get("version")
    for door in _binding_doors(report, bindings):
        binding = bindings.get(str(door.get("ref")))
        text = _binding_short(binding, door) if binding else "%s: %s" % (door.get("ref"), door.get("what"))
        items.append((_door_class(door), text + ("?" if door.get("status") == "suspicious" else "")))
    for door in open_doors(report):
        if door.get("class") == "chart":
            tail.append((_door_class(door), "chart%s" % (" %s" % version if version else "")))
        elif door.get("class") == "chart-object":
            objects.append(door)
    if objects:
        tail.append(("hot", "%d chart object(s)" % len(objects)))
    if not items and not tail and report.get("rbac") is None:
        return [_absent_item(report, "rbac")]
    return items + tail


def _binding_doors(report, bindings):
    """A report's open binding doors in the order a row shows them: suspicious first, then the strongest."""
    doors = [d for d in open_doors(report) if d.get("class") == "rbac"]
    return sorted(doors, key=lambda d: (d.get("status") != "suspicious",) + _power(bindings.get(str(d.get("ref"))) or {}))


def _rbac_title(report, bindings):
    """The support RBAC cell's title: every open door in full, one a line: ``Group/x → ClusterRole y: grants``."""
    lines = []
    for door in _binding_doors(report, bindings):
        binding = bindings.get(str(door.get("ref")))
        lines.append("%s%s" % (binding_line(binding, door) if binding else "%s: %s" % (door.get("ref"), door.get("what")),
                               " (suspicious)" if door.get("status") == "suspicious" else ""))
    lines += ["%s: %s" % (d.get("ref"), d.get("what")) for d in open_doors(report) if d.get("class") in ("chart", "chart-object")]
    return "\n".join(lines)


def _exec_items(report, bindings):
    """Exec and node access: shells the open bindings grant (per binding), node-access workloads, diagnostic pods and
    debug containers."""
    items = []
    for door in open_doors(report):
        binding = bindings.get(str(door.get("ref"))) if door.get("class") == "rbac" else None
        if binding:
            shells = [c for c in _SHELL_CAPABILITIES if c in _list(binding.get("capabilities")) or c in _dict(binding.get("restricted"))]
            if shells:
                who = ", ".join(_short_subject(s) for s in _door_subjects(binding, door))
                items.append((_door_class(door), "%s (%s)" % (", ".join(shells), who)))
        elif door.get("class") in _NODE_CLASSES:
            ref = str(door.get("ref") or "")
            text = {"diagnostic-pod": "pod %s" % ref[4:], "debug-container": "debug container in %s" % ref[4:]}.get(door["class"], ref)
            items.append((_door_class(door), text + ("?" if door.get("status") == "suspicious" else "")))
    items.sort(key=lambda item: item[0] != "sus")
    if not items and report.get("pods") is None:
        return [_absent_item(report, "pods")]
    return items


def _firewall_items(report):
    firewall = report.get("firewall")
    if firewall is None:
        return [_absent_item(report, "firewall")]
    firewall = _dict(firewall)
    items = [("hot", "VPN admitted") for d in open_doors(report) if d.get("class") == "firewall"]
    admitted = [str(x) for x in _list(firewall.get("admitted_by"))]
    if admitted:
        items.append(("sus", "VPN admitted by %s" % ", ".join(admitted)))
    return items


def _credential_items(report, now, day):
    """Certificates the provider issued to support that are still valid: usable while a support binding exists."""
    if report.get("api") is None:
        return [_absent_item(report, "api")]
    usable = [d for d in open_doors(report) if d.get("class") == "credentials"]
    windows = credential_windows(report, now)
    until = _when(max(str(w["until"]) for w in windows), day) if windows else ""
    certs = "%d certs" % len(windows) if len(windows) > 1 else "cert"
    if usable:
        return [("hot", "%s valid to %s" % (certs, until))]
    if windows:
        return [("stale", "%s to %s, unusable (no support binding)" % (certs, until))]
    return []


def _lease_items(report, now, day):
    lease = report.get("lease")
    if lease is None:
        return [_absent_item(report, "lease")]
    lease = _dict(lease)
    status = lease_status(lease, now)
    ticket = str(lease.get("ticket") or "no ticket")
    on = _dict(report.get("api")).get("access_enabled")
    if status == "active":
        return [("hot" if on else "live", ticket), ("", str(lease.get("requested_by") or "")),
                ("", "to %s" % _when(lease.get("expires_at"), day) if lease.get("expires_at") else ""),
                ("", "\u201c%s\u201d" % lease["reason"] if lease.get("reason") else "")]
    if status == "expired":
        return [("sus", "expired %s" % ticket), ("", str(lease.get("requested_by") or "")),
                ("", "at %s" % _when(lease.get("expires_at"), day) if lease.get("expires_at") else "")]
    if status == "none":
        return [("hot" if on else "mute", "none")]
    return [("mute", "%s %s" % (status, ticket))]


def _search_text(report, state):
    """What the search box matches: names, project, verdict, subjects, refs, tickets and requesters (lower case)."""
    words = [report["cluster"], report["provider"], report["project"], report["cluster_id"], report["verdict"], state]
    for binding in (_dict(b) for b in _list(_dict(report.get("rbac")).get("bindings"))):
        words += [binding_label(binding)] + [subject_text(s) for s in _list(binding.get("subjects"))]
    words += [d.get("ref") for d in (_dict(x) for x in _list(report.get("doors")))]
    lease = _dict(report.get("lease"))
    for record in [lease] + [_dict(h) for h in _list(lease.get("history"))]:
        words += [record.get("ticket"), record.get("requested_by")]
    for request in (_dict(r) for r in _list(_dict(report.get("api")).get("active_requests"))):
        words += [request.get("ticket"), request.get("requestor_id"), request.get("requested_by"), request.get("requestor_team")]
    return " ".join(str(w) for w in words if w).lower()


def _findings_items(report):
    esc = html.escape
    items = []
    if _error_shown(report):
        items.append('<li><span class="sev-high">error</span>: %s</li>' % esc(report["error"]))
    for finding in report["findings"]:
        severity, code = _finding_label(finding)
        items.append('<li><span class="sev-%s">%s</span>%s: %s</li>' % (
            esc(severity, quote=True), esc(severity), " <code>%s</code>" % esc(code) if code else "", esc(str(finding.get("message") or ""))))
    if report["actions"]:
        items.append('<li>actions: %s</li>' % esc("; ".join(report["actions"])))
    return items


def _request_text(request, day):
    request = _dict(request)
    parts = [normalize_role(request.get("role")) or "?", "ticket %s" % (request.get("ticket") or "none"),
             "by %s" % (request.get("requestor_id") or request.get("requested_by") or "?")
             + (" (%s)" % request["requestor_team"] if request.get("requestor_team") else ""),
             "\u201c%s\u201d" % request["reason"] if request.get("reason") else "",
             "until %s" % _when(request.get("expires_at"), day) if request.get("expires_at") else "",
             "cert until %s" % _when(request.get("cert_expires_at"), day) if request.get("cert_expires_at") else ""]
    return " \u00b7 ".join(str(p) for p in parts if p)


def _panel(report, day):
    """What a cluster row opens to (its <details>): where it is, every door, the provider API with its requests, every
    support binding, the lease and its history, the findings, CoreWeave and activity."""
    esc = html.escape
    ident = [report["provider"] or "unknown provider", "project %s" % report["project"] if report["project"] else "",
             "cluster id %s" % report["cluster_id"] if report["cluster_id"] else "",
             "%s run checked %s" % (report["playbook"] or "?", report["checked_at"] or "?")]
    out = ['<p class="ident wide">%s</p>' % esc(" \u00b7 ".join(p for p in ident if p))]
    doors = sorted((_dict(d) for d in _list(report.get("doors"))), key=lambda d: (_DOOR_ORDER.get(str(d.get("status")), 3), str(d.get("ref"))))
    if doors:
        rows = ['<tr class="d-%s"><td class="%s">%s</td><td><code>%s</code></td><td>%s</td><td class="mute">%s</td></tr>' % (
            esc(str(d.get("status") or ""), quote=True), _status_class(d.get("status")),
            esc(str(d.get("status") or "")), esc(str(d.get("ref") or "")), esc(str(d.get("what") or "")), esc(str(d.get("closes") or "")))
            for d in doors]
        out.append('<div class="wide"><h4>Doors</h4><table class="mini">%s</table></div>' % "".join(rows))
    api = report.get("api")
    if api is not None:
        api = _dict(api)
        lines = ['<li>support access <span class="%s">%s</span>%s</li>' % (
            "hot" if api.get("access_enabled") else "ok", "ON" if api.get("access_enabled") else "off",
            esc(", roles %s" % ", ".join(normalize_role(r) for r in _list(api.get("roles")))) if api.get("access_enabled") and api.get("roles") else "")]
        for request in _active_requests(report):
            stale = not api.get("access_enabled")
            lines.append('<li%s>request %s%s</li>' % (' class="stale"' if stale else "", esc(_request_text(request, day)),
                                                      " \u2014 stale listing (access off)" if stale else ""))
        out.append('<div><h4>Provider API</h4><ul>%s</ul></div>' % "".join(lines))
    bindings = [_dict(b) for b in _list(_dict(report.get("rbac")).get("bindings"))]
    if bindings:
        by_ref = dict((str(d.get("ref")), d) for d in doors)
        lines = []
        for b in bindings:
            door = by_ref.get(binding_label(b))
            lines.append('<li><code>%s</code>%s: %s%s</li>' % (
                esc(binding_label(b)), " (chart)" if b.get("chart_managed") else "", esc(binding_line(b, door)),
                ' <span class="%s">%s</span>' % (_status_class(door.get("status")), esc(str(door.get("status")))) if door else ""))
        out.append('<div><h4>Support bindings</h4><ul>%s</ul></div>' % "".join(lines))
    leases = _lease_rows(report)
    if leases:
        lines = ['<li%s>%s</li>' % (' class="mute"' if cells[0] == "earlier" else "", esc(" \u00b7 ".join(
            c for c in [cells[0], cells[1], "by %s" % cells[2] if cells[2] != "-" else "", cells[3],
                        cells[4] if cells[4] != "? \u2013 ?" else "", cells[5], "\u201c%s\u201d" % cells[6] if cells[6] != "-" else ""]
            if c and c != "-")))
            for cells in leases]
        out.append('<div><h4>Lease</h4><ul>%s</ul></div>' % "".join(lines))
    findings = _findings_items(report)
    if findings:
        out.append('<div class="wide"><h4>Findings</h4><ul>%s</ul></div>' % "".join(findings))
    if isinstance(report.get("coreweave"), dict):
        cells = _coreweave_cells(report)
        out.append('<div><h4>CoreWeave</h4><p>%s</p></div>' % esc(" \u00b7 ".join(
            "%s: %s" % (k.lower(), v) for k, v in zip(COREWEAVE_COLUMNS[1:-1], cells[:-1]))))
    if isinstance(report.get("activity"), dict):
        out.append('<div><h4>Support activity</h4><p>%s</p></div>' % esc(_activity_text(report["activity"])))
    return '<div class="panel">%s</div>' % "".join(out)


def _cluster_rows(report, state, index, now, day):
    """A cluster's row (one line) and the row its details open below it."""
    esc = html.escape
    bindings = _bindings_by_ref(report)
    pill = {OPEN: ("p-bad" if report["verdict"] in FAILING_VERDICTS else "p-good", "OPEN"), UNKNOWN: ("p-unknown", "UNKNOWN"),
            CLOSED: ("p-closed", "closed")}[state]
    cells = ['<td class="state"><span class="pill %s">%s</span></td>' % pill,
             '<td class="name" title="%s"><details><summary><b>%s</b></summary></details></td>' % (
                 esc(" \u00b7 ".join(x for x in (report["cluster"], report["provider"], report["project"], report["cluster_id"]) if x), quote=True),
                 esc(report["cluster"])),
             '<td title="%s">%s</td>' % (esc("; ".join(("%s %s" % _finding_label(f)).strip() for f in report["findings"]) or report["verdict"], quote=True),
                                         _badge(report["verdict"])),
             _cell(_api_items(report)),
             _cell(_rbac_items(report, bindings), "; ", _rbac_title(report, bindings)),
             _cell(_exec_items(report, bindings)),
             _cell(_firewall_items(report)),
             _cell(_credential_items(report, now, day)),
             _cell(_lease_items(report, now, day))]
    return ['<tr class="cluster" data-cluster="%s" data-verdict="%s" data-state="%s" id="c%d" data-search="%s">%s</tr>' % (
        esc(report["cluster"], quote=True), esc(report["verdict"], quote=True), state, index,
        esc(_search_text(report, state), quote=True), "".join(cells)),
        '<tr class="more"><td colspan="%d">%s</td></tr>' % (len(HTML_COLUMNS), _panel(report, day))]


def _rank(report):
    order = {v: i for i, v in enumerate(_VERDICT_ORDER)}
    return (order.get(report["verdict"], -1), report["cluster"])


def _verdict_counts(doc):
    """(verdict, count) in the order the page lists them: the summary's verdicts and the clusters' (zero counts too)."""
    counts = dict(_dict(doc["summary"].get("verdicts")))
    for report in doc["clusters"]:
        counts.setdefault(report["verdict"] or "error", 0)
    order = {v: i for i, v in enumerate(_VERDICT_ORDER)}
    return sorted(counts.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _names_line(label, cls_of, reports, limit=60):
    links = ['<a class="%s" href="#c%d">%s</a>' % (cls_of(r), index, html.escape(r["cluster"])) for index, r in reports[:limit]]
    more = " and %d more" % (len(reports) - limit) if len(reports) > limit else ""
    return '<p class="names"><b>%s (%d):</b> %s%s</p>' % (label, len(reports), ", ".join(links), more)


def to_html(doc):
    """The report as one self-contained HTML page: who can get in where, now (the open clusters first, then the ones
    not known), one line per cluster grouped by provider and project, its details a click away; inline CSS and one
    inline script (filter and search, allowed by the Content-Security-Policy by its hash), no external assets."""
    esc = html.escape
    summary = doc["summary"]
    now = _report_time(doc)
    day = str(doc["generated_at"])[:10]
    title = esc(doc.get("title") or DEFAULT_TITLE)
    playbook = doc.get("playbook") or ", ".join(sorted({r["playbook"] for r in doc["clusters"] if r.get("playbook")}))
    states = dict((id(r), cluster_state(r, now)) for r in doc["clusters"])
    # display order: open, then unknown, then closed; in each, by provider and project, then what needs a person first
    ordered = sorted(doc["clusters"], key=lambda r: (_STATES.index(states[id(r)]), r["provider"], r["project"]) + _rank(r))
    numbered = list(enumerate(ordered))
    by_state = dict((s, [(i, r) for i, r in numbered if states[id(r)] == s]) for s in _STATES)
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="%s">' % esc(CONTENT_SECURITY_POLICY, quote=True),
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generated" content="%s">' % esc(doc["generated_at"], quote=True),
           '<title>%s</title>' % title, '<style>%s</style>' % _CSS, '</head>', '<body>']
    if doc.get("check_mode"):
        out.append('<div class="dryrun" id="dry-run" role="alert">%s</div>' % esc(DRY_RUN_BANNER))
    options = ['<option value="">all clusters</option>', '<option value="attention">open or unknown (%d)</option>'
               % (len(by_state[OPEN]) + len(by_state[UNKNOWN]))]
    options += ['<option value="%s">%s (%d)</option>' % (s, s, len(by_state[s])) for s in _STATES]
    options += ['<option value="%s">%s (%d)</option>' % (esc(v, quote=True), esc(v.replace("_", " ")), n) for v, n in _verdict_counts(doc) if n]
    out.append('<div class="top"><h1>%s</h1><div id="controls" hidden><input id="q" type="search" '
               'placeholder="search: cluster, project, subject, ticket, requester" aria-label="Search clusters">'
               '<select id="v" aria-label="Show">%s</select><span id="shown"></span></div></div>' % (title, "".join(options)))
    live = sum(len(_active_requests(r)) for r in doc["clusters"] if _dict(r.get("api")).get("access_enabled"))
    findings = summary["findings"]
    out.append('<div class="meta">%s run &middot; generated <time id="generated">%s</time> &middot; %d cluster(s): %s &middot; '
               'support access on in %d, %d live request(s), %d stale listing(s) with access off &middot; '
               'findings on %d cluster(s): %d high, %d medium, %d low &middot; click a cluster for its details</div>' % (
                   esc(playbook or "unknown"), esc(doc["generated_at"]), summary["clusters"],
                   esc(", ".join("%s %d" % (p, n) for p, n in sorted(summary["providers"].items())) or "none"),
                   summary["access_enabled"], live, summary["active_requests"] - live, summary["clusters_with_findings"],
                   findings.get("high", 0), findings.get("medium", 0), findings.get("low", 0)))
    chips = ['<a class="chip p-%s%s" href="#v=%s">%d %s</a>' % (
        {OPEN: "bad", UNKNOWN: "unknown", CLOSED: "closed"}[s], "" if by_state[s] else " zero", s, len(by_state[s]),
        s.upper() if s != CLOSED else s) for s in _STATES]
    chips.append('<span class="sep">|</span>')
    chips += ['<a class="chip %s" href="#v=%s">%d %s</a>' % (
        "v-%s" % v if v in _VERDICT_STYLE else "", esc(v, quote=True), n, esc(v.replace("_", " "))) for v, n in _verdict_counts(doc) if n]
    out.append('<div class="fleet" id="summary">%s</div>' % " ".join(chips))
    problems = [str(p) for p in summary.get("problems") or ()]
    if problems:
        out.append('<p class="problems">Run problems: %s</p>' % esc("; ".join(problems)))
    if by_state[OPEN]:
        out.append(_names_line("Open now", lambda r: "bad" if r["verdict"] in FAILING_VERDICTS else "good", by_state[OPEN]))
    if by_state[UNKNOWN]:
        out.append(_names_line("Unknown", lambda r: "unk", by_state[UNKNOWN]))
    out.append('<table id="clusters"><colgroup>%s</colgroup>' % "".join('<col class="k%d">' % i for i in range(len(HTML_COLUMNS))))
    out.append(_html_thead(HTML_COLUMNS))
    width = len(HTML_COLUMNS)
    for state in _STATES:
        reports = by_state[state]
        if not reports:
            continue
        out.append('<tbody class="section" data-section="%s"><tr class="section s-%s"><th colspan="%d">%s: %d cluster(s)</th></tr></tbody>'
                   % (state, state, width, esc(_STATE_HEADS[state]), len(reports)))
        groups = []
        for index, report in reports:
            key = (report["provider"] or "unknown provider", report["project"])
            if not groups or groups[-1][0] != key:
                groups.append((key, []))
            groups[-1][1].append((index, report))
        for (provider, project), members in groups:
            counts = {}
            for _i, report in members:
                counts[report["verdict"]] = counts.get(report["verdict"], 0) + 1
            order = {v: i for i, v in enumerate(_VERDICT_ORDER)}
            count_text = "%d %s: %s" % (len(members), state, ", ".join(
                "%d %s" % (n, v.replace("_", " ")) for v, n in sorted(counts.items(), key=lambda item: order.get(item[0], -1))))
            out.append('<tbody class="group" data-section="%s"><tr class="group"><th colspan="%d">%s <span class="count">&middot; %s</span></th></tr>'
                       % (state, width, esc(" / ".join(x for x in (provider, project) if x)), esc(count_text)))
            for index, report in members:
                out += _cluster_rows(report, state, index, now, day)
            out.append('</tbody>')
    if not doc["clusters"]:
        out.append('<tbody><tr><td colspan="%d">No clusters in this report.</td></tr></tbody>' % width)
    out.append('</table>')
    out += _html_parts(doc)
    out += ['<script>%s</script>' % _SCRIPT, '</body>', '</html>']
    return "\n".join(out) + "\n"


def _html_parts(doc):
    """The fleet-wide tables below the clusters, each in a <details>: doors (what blocks first), leases, CoreWeave."""
    esc = html.escape
    out = []
    doors = _door_rows(doc)
    if doors:
        open_count = sum(1 for row in doors if row[3] in (CONFIRMED, SUSPICIOUS))
        out += ['<details class="part" id="all-doors"><summary><h2>Doors</h2> <span class="count">&middot; %d open, %d allowed by policy, '
                'what blocks first</span></summary>' % (open_count, len(doors) - open_count), '<table id="doors">', _html_thead(DOOR_COLUMNS), '<tbody>']
        out += ['<tr class="door-%s" data-cluster="%s"><td><b>%s</b></td><td><code>%s</code></td><td>%s</td>'
                '<td class="%s">%s</td><td>%s</td><td>%s</td></tr>' % (
                    esc(row[3], quote=True), esc(row[0], quote=True), esc(row[0]), esc(row[1]), esc(row[2]),
                    {"suspicious": "on", "confirmed": "on", "allowed": "off"}.get(row[3], ""), esc(row[3]), esc(row[4]),
                    esc(row[5])) for row in doors]
        out += ['</tbody>', '</table>', '</details>']
    leases = _html_leases(doc)
    if leases:
        current = sum(1 for row in leases if row.startswith('<tr class="lease-current"'))
        out += ['<details class="part" id="all-leases"><summary><h2>Leases</h2> <span class="count">&middot; %d current, %d earlier</span></summary>'
                % (current, len(leases) - current), '<table id="leases">', _html_thead(LEASE_COLUMNS), '<tbody>']
        out += leases + ['</tbody>', '</table>', '</details>']
    coreweave = _coreweave_reports(doc)
    if coreweave:
        out += ['<details class="part" id="all-coreweave"><summary><h2>CoreWeave</h2> <span class="count">&middot; %d CKS cluster(s)</span></summary>'
                % len(coreweave), '<table id="coreweave">', _html_thead(COREWEAVE_COLUMNS), '<tbody>']
        for report in coreweave:
            cells = _coreweave_cells(report)
            forwarded_cls = {"yes": "off", "no": "on"}.get(cells[5], "")
            row = ['<td><b>%s</b></td>' % esc(report["cluster"])]
            row += ['<td%s>%s</td>' % (' class="%s"' % forwarded_cls if i == 5 and forwarded_cls else "", esc(str(c)))
                    for i, c in enumerate(cells)]
            out.append('<tr class="coreweave" data-cluster="%s">%s</tr>' % (esc(report["cluster"], quote=True), "".join(row)))
        out += ['</tbody>', '</table>', '</details>']
    return out


def _xml_text(value):
    return _XML_ILLEGAL.sub("\ufffd", str(value if value is not None else ""))


# Verdicts that are a JUnit <failure> (error and unreachable are an <error>); would_revoke passes: it is what a --check
# revoke would do, not a failure.
_JUNIT_FAILURES = ("noncompliant", "not_revoked", "would_stay_open")


def to_junit(doc):
    """JUnit XML: one testsuite, one testcase per cluster (classname = provider); failing verdicts fail or error."""
    summary = doc["summary"]
    failures = sum(1 for r in doc["clusters"] if r["verdict"] in _JUNIT_FAILURES)
    errors = sum(1 for r in doc["clusters"] if r["verdict"] in ("error", "unreachable"))
    root = ET.Element("testsuites", name=_xml_text(doc.get("title") or DEFAULT_TITLE), tests=str(summary["clusters"]),
                      failures=str(failures), errors=str(errors))
    suite = ET.SubElement(root, "testsuite", name=_xml_text(doc.get("title") or DEFAULT_TITLE), tests=str(summary["clusters"]),
                          failures=str(failures), errors=str(errors), skipped="0",
                          timestamp=_xml_text(doc["generated_at"]).rstrip("Z"), time="0")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="playbook", value=_xml_text(doc.get("playbook") or ""))
    ET.SubElement(properties, "property", name="check_mode", value="true" if doc.get("check_mode") else "false")
    if doc.get("check_mode"):
        ET.SubElement(properties, "property", name="dry_run", value=DRY_RUN_BANNER)
    for report in doc["clusters"]:
        case = ET.SubElement(suite, "testcase", name=_xml_text(report["cluster"]), classname=_xml_text(report["provider"] or "unknown"), time="0")
        lines = ["%s %s: %s" % (f.get("severity"), f.get("code"), f.get("message")) for f in report["findings"]]
        if report["verdict"] in _JUNIT_FAILURES:
            blocking = [f for f in report["findings"] if f.get("severity") in ("high", "medium")]
            message = "%s: %s" % (report["verdict"], ", ".join(sorted({str(f.get("code")) for f in blocking})) or report["error"])
            node = ET.SubElement(case, "failure", message=_xml_text(message), type=report["verdict"])
            node.text = _xml_text("\n".join(([report["error"]] if report["error"] else []) + lines))
        elif report["verdict"] in ("error", "unreachable"):
            node = ET.SubElement(case, "error", message=_xml_text("%s: %s" % (report["verdict"], report["error"] or "no details")), type=report["verdict"])
            node.text = _xml_text("\n".join([report["error"]] + lines))
        out = ["verdict: %s" % report["verdict"]] + lines + ["action: %s" % a for a in report["actions"]]
        if isinstance(report.get("coreweave"), dict):
            out.append("coreweave: %s" % "; ".join("%s: %s" % (k.lower(), v) for k, v in zip(COREWEAVE_COLUMNS[1:], _coreweave_cells(report))))
        ET.SubElement(case, "system-out").text = _xml_text("\n".join(out))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS = {"json": to_json, "markdown": to_markdown, "html": to_html, "junit": to_junit}


def render(doc, formats=FORMATS):
    """``{format: text}`` for the requested formats."""
    unknown = [f for f in formats if f not in RENDERERS]
    if unknown:
        raise ReportError("unknown report format(s) %s; choose from %s" % (", ".join(unknown), ", ".join(FORMATS)))
    return {fmt: RENDERERS[fmt](doc) for fmt in formats}
