# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report's first table: who from the provider can get in where, now (the open clusters first, then the
unknown ones), one line per cluster with what each binding grants, stale provider listings muted, the dry-run banner."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from test_report import CERT, DEBUGGED, LOOK_ALIKE, NOW, ON, binding, clean, lease, leased

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report


def page_of(*reports, **keys):
    doc = _report.build_document(_report.prepare(list(reports), None, NOW), None, NOW)
    doc.update(keys)
    return doc, _render.to_html(doc)


def rows(page):
    """[(cluster, verdict, state)] of the cluster rows, in page order."""
    return re.findall(r'<tr class="cluster" data-cluster="([^"]*)" data-verdict="([^"]*)" data-state="([^"]*)"', page)


def row(page, cluster):
    """The one-line row of a cluster (its <tr>, without the details row below it)."""
    return re.search(r'<tr class="cluster" data-cluster="%s".*?</tr>' % re.escape(cluster), page).group(0)


def test_open_clusters_come_first_whatever_their_verdict_then_unknown_then_closed():
    _doc, page = page_of(
        clean(cluster="a-closed"),
        dict(leased(), cluster="z-leased"),                                  # compliant, and open: access on under a lease
        clean(cluster="m-look-alike", rbac={"bindings": [LOOK_ALIKE]}),    # noncompliant: a suspicious door
        clean(cluster="b-gone", reachable=False),                          # unreachable: might be open
        clean(cluster="c-half", lease=None, unread={"lease": "403"}),      # error, a section unread: might be open
        clean(cluster="d-revoked", playbook="revoke"))
    assert rows(page) == [("m-look-alike", "noncompliant", "open"), ("z-leased", "compliant", "open"),
                          ("c-half", "error", "unknown"), ("b-gone", "unreachable", "unknown"),
                          ("a-closed", "compliant", "closed"), ("d-revoked", "revoked", "closed")]
    names = re.search(r'<p class="names"><b>Open now \(2\):</b>(.*?)</p>', page).group(1)
    assert "m-look-alike" in names and "z-leased" in names
    assert '<b>Unknown (2):</b>' in page
    assert '<span class="pill p-bad">OPEN</span>' in row(page, "m-look-alike")
    assert '<span class="pill p-good">OPEN</span>' in row(page, "z-leased")  # open as agreed: amber, not red
    assert '<tr class="section s-open"><th colspan="9">Open now' in page and 'crusoe / ml' in page
    assert page.index('data-section="open"') < page.index('data-section="unknown"') < page.index('data-section="closed"')


def test_an_active_lease_alone_keeps_a_cluster_open():
    _doc, page = page_of(clean(cluster="leased-off", lease=lease()))
    assert rows(page) == [("leased-off", "compliant", "open")]


def test_bindings_are_shown_one_by_one_with_what_each_grants():
    viewer = binding("ClusterRole/teleport-cluster-viewers", ["Group/teleport-cluster-viewers"], ["read_pod_logs"], False, "viewers",
                     support_role=True)
    admins = binding("ClusterRole/teleport-cluster-super-admins", ["Group/teleport-cluster-super-admins"],
                     ["full_access", "impersonate", "read_secrets"], False, "super-admins", support_role=True)
    _doc, page = page_of(clean(cluster="cw", provider="coreweave", api=None, chart=None, firewall=None, rbac={"bindings": [viewer, admins]}))
    line = row(page, "cw")
    assert ("Group/teleport-cluster-super-admins \u2192 ClusterRole teleport-cluster-super-admins: full_access, impersonate, "
            "read_secrets&#10;Group/teleport-cluster-viewers \u2192 ClusterRole teleport-cluster-viewers: read_pod_logs") in line
    assert "teleport-cluster-super-admins: full_access, impersonate, read_secrets</span>; " in line  # the strongest first
    assert "full_access, impersonate, read_pod_logs" not in page  # never merged across bindings
    assert ">full_access (teleport-cluster-super-admins)<" in line  # the exec / node column: who can get a shell


def test_a_revoked_cluster_shows_stale_listings_muted_and_no_live_roles():
    api = {"access_enabled": False, "roles": ["readonly", "operator"], "active_requests": [dict(CERT, ticket="ZD-77")]}
    _doc, page = page_of(clean(cluster="gone-quiet", playbook="revoke", api=api, lease=dict(lease("closed"), ticket="ZD-77")))
    assert rows(page) == [("gone-quiet", "revoked", "closed")]
    line = row(page, "gone-quiet")
    assert '<span class="ok">off</span> \u00b7 <span class="stale">stale listing (access off)</span>' in line
    assert "readonly" not in line and "operator" not in line and "ON" not in line
    assert '<span class="stale">cert to 12:00Z, unusable (no support binding)</span>' in line
    assert '<span class="mute">closed ZD-77</span>' in line
    details = page.split(line, 1)[1].split("</tr>", 1)[0]
    assert '<li class="stale">request operator \u00b7 ticket ZD-77' in details and "stale listing (access off)" in details


def test_an_open_cluster_shows_access_roles_the_lease_with_ticket_requester_and_reason():
    _doc, page = page_of(dict(leased(), cluster="busy", pods={"confirmed": [], "suspicious": [], "debugged": [DEBUGGED]}))
    line = row(page, "busy")
    assert '<span class="hot">ON readonly</span>' in line
    assert '<span class="hot">ZD-1</span> \u00b7 alice \u00b7 to 16:00Z \u00b7 \u201cnode not ready\u201d' in line
    assert '<span class="sus">debug container in ml/trainer-0?</span>' in line


def test_sections_not_read_say_unknown_and_not_applicable_ones_n_a():
    _doc, page = page_of(clean(cluster="half", rbac=None, unread={"rbac": "step 'scan' failed"}),
                         clean(cluster="cw", provider="coreweave", api=None, chart=None, firewall=None))
    assert '<span class="unk">unknown</span>' in row(page, "half")
    assert row(page, "cw").count("<span class=\"mute\">n/a") == 3  # provider API (Teleport), firewall, credentials


def test_the_details_keep_doors_findings_and_the_fleet_tables_below():
    _doc, page = page_of(clean(cluster="bad", rbac={"bindings": [LOOK_ALIKE]}), dict(leased(), cluster="ok"))
    details = page.split(row(page, "bad"), 1)[1].split('<tr class="cluster"', 1)[0]
    assert '<tr class="more"><td colspan="9"><div class="panel">' in details
    assert "<code>ClusterRoleBinding/crusoe-support-admin</code>" in details and "suspicious-doors" in details
    assert page.index('<table id="clusters">') < page.index('<details class="part" id="all-doors">') < page.index('<table id="doors">')
    assert '<details class="part" id="all-leases">' in page
    assert '<div id="controls" hidden>' in page  # shown by the script only: without it every row stays visible
    assert ' hidden' not in page.split('<table id="clusters">', 1)[1]


def test_dry_run_banner_in_html_markdown_and_junit():
    doc, page = page_of(clean(cluster="x", playbook="revoke"), check_mode=True, playbook="revoke")
    assert '<div class="dryrun" id="dry-run" role="alert">%s</div>' % _render.DRY_RUN_BANNER in page
    assert page.index('class="dryrun"') < page.index("<h1>")
    assert "> **%s**" % _render.DRY_RUN_BANNER in _render.to_markdown(doc).split("| Verdict |", maxsplit=1)[0]
    properties = dict((p.get("name"), p.get("value")) for p in ET.fromstring(_render.to_junit(doc)).iter("property"))
    assert properties == {"playbook": "revoke", "check_mode": "true", "dry_run": _render.DRY_RUN_BANNER}
    for key in ("check_mode", "playbook"):  # an old document without them: no banner
        doc.pop(key)
    assert 'class="dryrun"' not in _render.to_html(doc) and "DRY RUN" not in _render.to_markdown(doc)
    assert ET.fromstring(_render.to_junit(doc)).find("testsuite/properties/property[@name='check_mode']").get("value") == "false"


def test_dry_run_verdicts_blue_would_revoke_and_red_would_stay_open():
    reports = [_report.normalize(dict(clean(cluster="will-close", api=ON), verdict="would_revoke",
                                      doors=[{"ref": "api/support-access", "class": "provider-api", "status": "confirmed",
                                              "what": "on", "closes": "revoke disables it"}])),
               _report.normalize(dict(clean(cluster="stays", rbac={"bindings": [LOOK_ALIKE]}), verdict="would_stay_open",
                                      doors=_report.doors(clean(rbac={"bindings": [LOOK_ALIKE]}), None, NOW)))]
    doc = _report.build_document(reports, None, NOW)
    page = _render.to_html(doc)
    assert '<span class="verdict v-would_revoke">would revoke</span>' in row(page, "will-close")
    assert '<span class="pill p-good">OPEN</span>' in row(page, "will-close")
    assert '<span class="pill p-bad">OPEN</span>' in row(page, "stays")
    assert ".v-would_revoke{color:#0969da;background:#ddf4ff}" in page and ".v-would_stay_open{color:#cf222e;" in page
    assert 'href="#v=would_revoke">1 would revoke</a>' in page
    text = _render.to_markdown(doc)
    assert "| would_revoke | 1 |" in text and "| would_stay_open | 1 |" in text
    suite = ET.fromstring(_render.to_junit(doc)).find("testsuite")
    cases = dict((c.get("name"), c) for c in suite.iter("testcase"))
    assert cases["stays"].find("failure").get("type") == "would_stay_open" and cases["will-close"].find("failure") is None
