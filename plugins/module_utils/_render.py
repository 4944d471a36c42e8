# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report's views: the JSON, Markdown, HTML and JUnit files of a report document (_report.build_document).

Every value in a report may come from an untrusted source (cluster names, reasons, pod names), so the HTML escapes
everything, Markdown neutralises table syntax and JUnit is built with ElementTree.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.neocloud.support_access.plugins.module_utils._report import (
    DEFAULT_TITLE,
    VERDICTS,
    ReportError,
    _active_requests,
    _dict,
    _list,
    normalize_role,
    not_applicable,
)

FORMATS = ("json", "markdown", "html", "junit")
EXTENSIONS = {"json": ".json", "markdown": ".md", "html": ".html", "junit": ".junit.xml"}
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
                       key=lambda d: (_DOOR_ORDER.get(d.get("status"), 3), str(d.get("ref"))))
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
    lines = ["# %s" % _md(doc.get("title") or DEFAULT_TITLE), "", "Generated %s. %d cluster(s)." % (_md(doc["generated_at"]), summary["clusters"]), ""]
    lines += ["| Verdict | Clusters |", "|---|---|"]
    lines += ["| %s | %d |" % (v, summary["verdicts"].get(v, 0)) for v in VERDICTS]
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


# (text, background) colours of the verdict badges and summary tiles: green is closed as it should be, yellow against
# the policy, red still open or not known, purple not reached.
_GREEN = ("#1a7f37", "#dafbe1")
_YELLOW = ("#9a6700", "#fff8c5")
_RED = ("#cf222e", "#ffebe9")
_PURPLE = ("#8250df", "#fbefff")
_VERDICT_STYLE = {"compliant": _GREEN, "revoked": _GREEN, "noncompliant": _YELLOW, "not_revoked": _RED, "error": _RED,
                  "unreachable": _PURPLE}

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:20px 0 8px}
.meta{color:#59636e;margin-bottom:16px;font-size:13px}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}
.tile{border-radius:6px;padding:8px 14px;min-width:96px;border:1px solid #d1d9e0}
.tile b{display:block;font-size:22px}
.facts{font-size:13px;margin-bottom:16px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #d1d9e0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
tr.findings td{background:#fafbfc;border-top:none}
.verdict{font-weight:600;border-radius:12px;padding:2px 10px;white-space:nowrap;display:inline-block}
.sev-high{color:#cf222e;font-weight:600}.sev-medium{color:#9a6700;font-weight:600}.sev-low{color:#59636e}
.sev-unknown{color:#59636e;font-style:italic}
tr.lease-earlier td{color:#59636e}
tr.lease-earlier td.which{padding-left:18px}
.on{color:#cf222e;font-weight:600}.off{color:#1a7f37}
ul{margin:0;padding-left:18px}
code{font-size:12px}
"""


def _badge(verdict):
    fg, bg = _VERDICT_STYLE.get(verdict, ("#1f2328", "#eaeef2"))
    return '<span class="verdict v-%s" style="color:%s;background:%s">%s</span>' % (
        html.escape(verdict, quote=True), fg, bg, html.escape(verdict.replace("_", " ")))


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
    if not out:
        return []
    return ['<h2>Leases</h2>', '<table id="leases">', _html_thead(LEASE_COLUMNS), '<tbody>'] + out + ['</tbody>', '</table>']


def to_html(doc):
    """The report as one self-contained HTML page (inline CSS, no scripts, no external assets)."""
    esc = html.escape
    summary = doc["summary"]
    title = esc(doc.get("title") or DEFAULT_TITLE)
    out = ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generated" content="%s">' % esc(doc["generated_at"], quote=True),
           '<title>%s</title>' % title, '<style>%s</style>' % _CSS, '</head>', '<body>',
           '<h1>%s</h1>' % title,
           '<div class="meta">Generated <time id="generated">%s</time> &middot; %d cluster(s) &middot; providers: %s</div>'
           % (esc(doc["generated_at"]), summary["clusters"],
              esc(", ".join("%s %d" % (p, n) for p, n in sorted(summary["providers"].items())) or "none")),
           '<div class="tiles" id="summary">']
    for verdict in VERDICTS:
        fg, bg = _VERDICT_STYLE[verdict] if summary["verdicts"].get(verdict) else ("#59636e", "#f6f8fa")
        out.append('<div class="tile" data-verdict="%s" style="color:%s;background:%s"><b>%d</b>%s</div>'
                   % (verdict, fg, bg, summary["verdicts"].get(verdict, 0), esc(verdict.replace("_", " "))))
    out.append('</div>')
    unknown = summary["findings"].get("unknown", 0)
    out.append('<div class="facts">Support access enabled on %d cluster(s); %d active request(s); %d confirmed diagnostic pod(s); '
               '%d cluster(s) with findings (%d high, %d medium, %d low).%s%s</div>'
               % (summary["access_enabled"], summary["active_requests"], summary["confirmed_pods"], summary["clusters_with_findings"],
                  summary["findings"]["high"], summary["findings"]["medium"], summary["findings"]["low"],
                  (" Not judged for want of data: %d cluster(s)." % unknown) if unknown else "",
                  (" Failing: <b>%s</b>." % esc(", ".join(summary["failed"]))) if summary["failed"] else ""))
    out.append('<table id="clusters">')
    out.append(_html_thead(COLUMNS))
    out.append('<tbody>')
    for report in doc["clusters"]:
        cells = _cells(report)
        name = esc(report["cluster"])
        sub = " / ".join(x for x in (report["project"], report["cluster_id"]) if x)
        access_cls = {"on": "on", "off": "off"}.get(cells[0], "")
        detail = ("<br><small>%s</small>" % esc(sub)) if sub else ""
        row = ['<td><b>%s</b>%s<br><small>%s %s</small></td>' % (name, detail, esc(report["playbook"]), esc(report["checked_at"])),
               '<td>%s</td>' % esc(report["provider"]),
               '<td class="%s">%s</td>' % (access_cls, esc(cells[0]))]
        row += ['<td>%s</td>' % esc(c) for c in cells[1:]]
        row.append('<td>%s</td>' % _badge(report["verdict"]))
        out.append('<tr class="cluster" data-cluster="%s" data-verdict="%s">%s</tr>'
                   % (esc(report["cluster"], quote=True), esc(report["verdict"], quote=True), "".join(row)))
        items = []
        if _error_shown(report):
            items.append('<li><span class="sev-high">error</span>: %s</li>' % esc(report["error"]))
        for finding in report["findings"]:
            severity, code = _finding_label(finding)
            items.append('<li><span class="sev-%s">%s</span>%s: %s</li>' % (
                esc(severity, quote=True), esc(severity), " <code>%s</code>" % esc(code) if code else "", esc(str(finding.get("message") or ""))))
        if report["actions"]:
            items.append('<li>actions: %s</li>' % esc("; ".join(report["actions"])))
        if items:
            out.append('<tr class="findings"><td colspan="%d"><ul>%s</ul></td></tr>' % (len(COLUMNS), "".join(items)))
    out += ['</tbody>', '</table>']
    coreweave = _coreweave_reports(doc)
    if coreweave:
        out.append('<h2>CoreWeave</h2>')
        out.append('<table id="coreweave">')
        out.append(_html_thead(COREWEAVE_COLUMNS))
        out.append('<tbody>')
        for report in coreweave:
            cells = _coreweave_cells(report)
            forwarded_cls = {"yes": "off", "no": "on"}.get(cells[5], "")
            row = ['<td><b>%s</b></td>' % esc(report["cluster"])]
            row += ['<td%s>%s</td>' % (' class="%s"' % forwarded_cls if i == 5 and forwarded_cls else "", esc(c))
                    for i, c in enumerate(cells)]
            out.append('<tr class="coreweave" data-cluster="%s">%s</tr>' % (esc(report["cluster"], quote=True), "".join(row)))
        out += ['</tbody>', '</table>']
    doors = _door_rows(doc)
    if doors:
        out += ['<h2>Doors</h2>', '<table id="doors">', _html_thead(DOOR_COLUMNS), '<tbody>']
        out += ['<tr class="door-%s" data-cluster="%s"><td><b>%s</b></td><td><code>%s</code></td><td>%s</td>'
                '<td class="%s">%s</td><td>%s</td><td>%s</td></tr>' % (
                    esc(row[3], quote=True), esc(row[0], quote=True), esc(row[0]), esc(row[1]), esc(row[2]),
                    {"suspicious": "on", "confirmed": "on", "allowed": "off"}.get(row[3], ""), esc(row[3]), esc(row[4]),
                    esc(row[5])) for row in doors]
        out += ['</tbody>', '</table>']
    out += _html_leases(doc)
    out += ['</body>', '</html>']
    return "\n".join(out) + "\n"


def _xml_text(value):
    return _XML_ILLEGAL.sub("\ufffd", str(value if value is not None else ""))


def to_junit(doc):
    """JUnit XML: one testsuite, one testcase per cluster (classname = provider); failing verdicts fail or error."""
    summary = doc["summary"]
    failures = sum(1 for r in doc["clusters"] if r["verdict"] in ("noncompliant", "not_revoked"))
    errors = sum(1 for r in doc["clusters"] if r["verdict"] in ("error", "unreachable"))
    root = ET.Element("testsuites", name=_xml_text(doc.get("title") or DEFAULT_TITLE), tests=str(summary["clusters"]),
                      failures=str(failures), errors=str(errors))
    suite = ET.SubElement(root, "testsuite", name=_xml_text(doc.get("title") or DEFAULT_TITLE), tests=str(summary["clusters"]),
                          failures=str(failures), errors=str(errors), skipped="0",
                          timestamp=_xml_text(doc["generated_at"]).rstrip("Z"), time="0")
    for report in doc["clusters"]:
        case = ET.SubElement(suite, "testcase", name=_xml_text(report["cluster"]), classname=_xml_text(report["provider"] or "unknown"), time="0")
        lines = ["%s %s: %s" % (f.get("severity"), f.get("code"), f.get("message")) for f in report["findings"]]
        if report["verdict"] in ("noncompliant", "not_revoked"):
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
