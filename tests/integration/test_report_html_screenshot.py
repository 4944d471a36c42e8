# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report rendered by a real browser at 12 and 200 clusters: Debian's headless Chromium draws the page, runs
its filter script and dumps the DOM.

What a security reviewer needs from the first screen: who from the provider can get in where, now. So the open
clusters are named and shown first (whatever their verdict), then the ones whose state is unknown, and the rest
below; the filter and search (#q=...&v=...) hide rows; without JavaScript everything is shown. The screenshots are
also copied to /tmp/report-shots/ (report-12.png, report-200.png) to be looked at.

Needs /usr/bin/chromium (Debian package ``chromium``); skipped without it. The test installs nothing.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html.parser
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report

CHROMIUM = "/usr/bin/chromium"
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)
HOSTILE = "evil<script>document.title='pwned'</script>"
WIDTH, HEIGHT = 1400, 900
SHOTS = "/tmp/report-shots"

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason="%s is not installed (Debian package chromium: apt-get install -y chromium)" % CHROMIUM)

# -- a realistic fleet: Crusoe clusters in three projects, CoreWeave clusters, one merged report of audit and revoke runs

HISTORY = [
    {"ticket": "ZD-0998", "requested_by": "bob", "reason": "GPU node drained", "roles": ["readonly"],
     "enabled_at": "2026-11-21T08:00:00Z", "expires_at": "2026-11-21T16:00:00Z", "state": "closed",
     "closed_at": "2026-11-21T11:30:00Z", "closed_by": "carol", "closed_reason": "fixed", "ended": "closed"},
    {"ticket": "ZD-0990", "requested_by": "dan", "reason": "control-plane upgrade", "roles": ["operator", "readonly"],
     "enabled_at": "2026-11-19T08:00:00Z", "expires_at": "2026-11-19T12:00:00Z", "state": "active", "closed_at": "",
     "closed_by": "", "closed_reason": "", "ended": "expired"},
]
OPERATOR = {"kind": "Group", "name": "crusoe:support:operator"}
READONLY = {"kind": "Group", "name": "crusoe:support:readonly"}


def _binding(name, role, subjects, capabilities, namespace="", **extra):
    entry = {"kind": "RoleBinding" if namespace else "ClusterRoleBinding", "namespace": namespace, "name": name,
             "role_ref": {"kind": role.partition("/")[0], "name": role.partition("/")[2]}, "role_found": True,
             "subjects": subjects, "support_subjects": [], "look_alike_subjects": [], "broad_subjects": [],
             "support_role": False, "chart_managed": False, "capabilities": capabilities, "restricted": {}, "flags": []}
    entry.update(extra)
    return entry


# the support chart's bindings (crusoe-support-roles 0.2.0, as support_cluster_info reports them)
CHART_BINDINGS = [
    _binding("crusoe-support-readonly", "ClusterRole/crusoe-support-readonly", [READONLY], ["read_pod_logs"],
             support_subjects=[READONLY], chart_managed=True),
    _binding("crusoe-support-operator", "ClusterRole/crusoe-support-operator", [OPERATOR],
             ["modify_workloads", "delete_pods", "evict_pods", "patch_nodes"], support_subjects=[OPERATOR], chart_managed=True),
    _binding("crusoe-support-debug", "Role/crusoe-support-debug", [OPERATOR], ["exec_pods", "portforward_pods"],
             namespace="kube-system", support_subjects=[OPERATOR], chart_managed=True),
]
LOOK_ALIKE_SA = {"kind": "ServiceAccount", "name": "crusoe-support", "namespace": "kube-system"}
LOOK_ALIKE = _binding("crusoe-support-admin", "ClusterRole/cluster-admin", [LOOK_ALIKE_SA], ["full_access"],
                      look_alike_subjects=[LOOK_ALIKE_SA])
CW_BINDINGS = [
    _binding("teleport-cluster-viewers", "ClusterRole/teleport-cluster-viewers", [{"kind": "Group", "name": "teleport-cluster-viewers"}],
             ["read_pod_logs"], support_role=True),
    _binding("teleport-cluster-super-admins", "ClusterRole/teleport-cluster-super-admins",
             [{"kind": "Group", "name": "teleport-cluster-super-admins"}], ["full_access", "impersonate", "read_secrets"], support_role=True),
]
NODE_SHELL = {"kind": "DaemonSet", "namespace": "crusoe-system", "name": "node-shell", "signals": ["diagnostic_name", "privileged"],
              "verdict": "confirmed"}
DEBUGGED = {"namespace": "ml", "name": "trainer-0", "containers": [{"name": "debugger", "image": "busybox", "privileged": True}],
            "close_command": "kubectl delete pod -n ml trainer-0"}
FIREWALL = {"rule": "cmk-cp-api-access", "restricted": True, "support_source_present": False, "admitted_by": []}
EMPTY_PODS = {"confirmed": [], "suspicious": [], "workloads": [], "debugged": []}
OFF = {"access_enabled": False, "roles": [], "active_requests": []}
PROJECTS = (("ml-platform", "training"), ("research", "research"), ("inference-eu", "serve"))

# kinds of cluster -> (open, unknown): what the page must show for them
OPEN_KINDS = ("lease", "look-alike", "debug-container", "not-revoked", "expired-lease", "coreweave", "coreweave-unforwarded", "hostile")
UNKNOWN_KINDS = ("unreachable", "never-reported")


def _request(ticket, who, reason, role="operator", cert="2026-11-22T14:00:00Z"):
    return {"id": "req-%s" % ticket.lower(), "role": role, "ticket": ticket, "requestor_id": who, "requestor_team": "crusoe-support-eu",
            "reason": reason, "expires_at": "2026-11-22T16:00:00Z", "cert_expires_at": cert, "status": "active"}


def _cluster(kind, name, project, number):
    """One cluster's report of the given kind (see OPEN_KINDS, UNKNOWN_KINDS; the rest are closed)."""
    ticket = "ZD-%d" % (4700 + number)
    base = {"cluster": name, "provider": "crusoe", "project": project, "cluster_id": "c-%04d" % number, "playbook": "audit",
            "checked_at": "2026-11-22T09:5%dZ" % (number % 10), "reachable": True, "api": dict(OFF), "chart": {"installed": False},
            "rbac": {"bindings": [], "probes_allowed": 0, "probes_total": 12}, "pods": dict(EMPTY_PODS), "firewall": dict(FIREWALL),
            "lease": {"status": "none"}}
    if kind in ("lease", "hostile"):
        base.update(api={"access_enabled": True, "roles": ["readonly", "operator"],
                         "active_requests": [_request(ticket, "u-%04x" % (number * 37), "GPU node gpu-%d NotReady" % (number % 8))]},
                    chart={"installed": True, "version": "0.2.0", "release": "crusoe-support-roles"},
                    rbac={"bindings": CHART_BINDINGS, "labelled": ["ClusterRoleBinding/crusoe-support-readonly",
                                                                   "ClusterRoleBinding/crusoe-support-operator",
                                                                   "RoleBinding/kube-system/crusoe-support-debug"]},
                    firewall=dict(FIREWALL, support_source_present=True),
                    lease={"status": "active", "ticket": ticket, "requested_by": "alice", "reason": "CMK node not ready on gpu-%d" % (number % 8),
                           "roles": ["operator", "readonly"], "enabled_at": "2026-11-22T08:00:00Z", "expires_at": "2026-11-22T16:00:00Z",
                           "history": HISTORY})
        if kind == "hostile":  # also a diagnostic pod: noncompliant
            base["pods"] = dict(EMPTY_PODS, confirmed=[{"namespace": "kube-system", "name": "node-shell-1", "signals": ["diagnostic_name"]}])
    elif kind == "look-alike":
        base["rbac"] = {"bindings": [LOOK_ALIKE]}
    elif kind == "debug-container":
        base["pods"] = dict(EMPTY_PODS, debugged=[DEBUGGED])
        base["firewall"] = dict(FIREWALL, admitted_by=["4.7.0.0/16"])
    elif kind == "not-revoked":  # the chart's uninstall failed and a node-shell DaemonSet is left
        base.update(playbook="revoke", chart={"installed": True, "version": "0.2.0", "status": "uninstalling"},
                    rbac={"bindings": CHART_BINDINGS[1:2], "probes_allowed": 3, "probes_total": 12},
                    pods=dict(EMPTY_PODS, workloads=[NODE_SHELL]), error="helm uninstall crusoe-support-roles: timed out waiting",
                    lease={"status": "closed", "ticket": ticket, "closed_at": "2026-11-22T09:40:00Z", "closed_by": "carol"})
    elif kind == "expired-lease":
        base.update(api={"access_enabled": True, "roles": ["readonly"], "active_requests": []},
                    chart={"installed": True, "version": "0.2.0"}, rbac={"bindings": CHART_BINDINGS[:1]},
                    lease={"status": "active", "ticket": ticket, "requested_by": "erin", "reason": "NCCL timeouts",
                           "enabled_at": "2026-11-21T20:00:00Z", "expires_at": "2026-11-22T04:00:00Z"})
    elif kind == "stale-listing":  # revoked: Crusoe still lists the request, its certificate valid but bound to nothing
        base.update(playbook="revoke", api=dict(OFF, active_requests=[_request(ticket, "u-%04x" % number, "disk pressure")]),
                    lease={"status": "closed", "ticket": ticket, "requested_by": "bob", "closed_at": "2026-11-22T09:00:00Z",
                           "closed_by": "bob", "closed_reason": "done", "history": HISTORY[:1]})
    elif kind == "revoked":
        base.update(playbook="revoke", lease={"status": "closed", "ticket": ticket, "closed_at": "2026-11-21T18:00:00Z"})
    elif kind == "unreachable":
        base.update(reachable=False, error="dial tcp 10.%d.0.1:6443: connect: connection refused" % (number % 250), api=None, chart=None,
                    rbac=None, pods=None, firewall=None, lease=None)
    elif kind == "never-reported":
        return _report.normalize_missing_host(name, {"support_access_provider": "crusoe", "support_access_project_name": project,
                                                     "support_access_cluster": "c-%04d" % number}, "audit", NOW)
    elif kind in ("coreweave", "coreweave-unforwarded"):
        base.update(provider="coreweave", project="cw-org", api=None, chart=None, firewall=None, rbac={"bindings": CW_BINDINGS},
                    coreweave={"cluster_id": "cks-%04d" % number, "status": "STATUS_RUNNING", "version": "v1.33",
                               "audit_policy_configured": True, "authz_webhook": "",
                               "telemetry": {"audit_logs_forwarded": kind == "coreweave", "pipelines": ["audit"] if kind == "coreweave" else [],
                                             "endpoints": ["siem (https://siem.example/in)"] if kind == "coreweave" else []}})
    return base


def _plan(count):
    """(kind, name, project) for a fleet of ``count`` clusters: about one in nine open, one in thirty unknown."""
    if count == 12:
        kinds = ["lease", "hostile", "look-alike", "not-revoked", "coreweave", "unreachable", "stale-listing", "revoked",
                 "closed", "closed", "debug-container", "never-reported"]
    else:
        special = {3: "lease", 17: "lease", 31: "lease", 64: "lease", 9: "look-alike", 88: "look-alike", 140: "debug-container",
                   45: "not-revoked", 120: "not-revoked", 77: "expired-lease", 5: "unreachable", 60: "unreachable",
                   111: "unreachable", 170: "unreachable", 99: "never-reported", 150: "never-reported", 2: "hostile"}
        kinds = [special.get(i, ("stale-listing", "revoked", "closed", "closed", "closed")[i % 5]) for i in range(count - 12)]
        kinds += ["coreweave"] * 9 + ["coreweave-unforwarded"] * 1 + ["closed", "closed"]
    plan = []
    for number, kind in enumerate(kinds):
        if kind.startswith("coreweave"):
            plan.append((kind, "cw-%s-%02d" % (("us-east", "us-west")[number % 2], number % 97), "cw-org"))
        elif kind == "hostile":
            plan.append((kind, HOSTILE, "ml-platform"))
        else:
            project, prefix = PROJECTS[number % len(PROJECTS)]
            plan.append((kind, "%s-%03d" % (prefix, number), project))
    return plan


def _fleet(count):
    plan = _plan(count)
    reports = [_cluster(kind, name, project, number) for number, (kind, name, project) in enumerate(plan)]
    doc = _report.build_document(_report.prepare(reports, None, NOW), "Fleet support access", NOW)
    return doc, dict((name, kind) for kind, name, _project in plan)


def _chromium(tmp_path, *args):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=%s" % (tmp_path / "chromium-profile")] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=dict(os.environ, HOME=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _png_pixels(data):
    """(width, height, rows of RGB tuples) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _comp, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 4 if colour == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            corner = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def _rgb(hex_colour):
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


PILL_RED, PILL_AMBER, PILL_PURPLE = _rgb("#cf222e"), _rgb("#bf8700"), _rgb("#8250df")


class _Dom(html.parser.HTMLParser):
    """The cluster rows of a rendered DOM in page order (name, verdict, state, hidden), lease rows, scripts, title."""

    def __init__(self):
        super().__init__()
        self.clusters, self.leases, self.scripts, self.title, self._in_title = [], [], 0, "", False
        self.controls_hidden = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("class") == "cluster":
            self.clusters.append((attrs.get("data-cluster"), attrs.get("data-verdict"), attrs.get("data-state"), "hidden" in attrs))
        if tag == "tr" and (attrs.get("class") or "").startswith("lease-"):
            self.leases.append((attrs.get("data-cluster"), attrs.get("class")))
        if attrs.get("id") == "controls":
            self.controls_hidden = "hidden" in attrs
        self.scripts += tag == "script"
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _dom(tmp_path, url, *flags):
    parser = _Dom()
    parser.feed(_chromium(tmp_path, *(flags + ("--dump-dom", url))))
    return parser


def _state_of(kind):
    if kind in OPEN_KINDS:
        return "open"
    return "unknown" if kind in UNKNOWN_KINDS else "closed"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """{count: (path, doc, kinds)} for the 12- and 200-cluster fleets."""
    root = tmp_path_factory.mktemp("pages")
    result = {}
    for count in (12, 200):
        doc, kinds = _fleet(count)
        path = root / ("report-%d.html" % count)
        path.write_text(_render.to_html(doc), encoding="utf-8")
        result[count] = (path, doc, kinds)
    return result


def _screenshot(tmp_path, page, name):
    shot = tmp_path / name
    _chromium(tmp_path, "--window-size=%d,%d" % (WIDTH, HEIGHT), "--hide-scrollbars", "--screenshot=%s" % shot, page.as_uri())
    os.makedirs(SHOTS, exist_ok=True)
    shutil.copyfile(str(shot), os.path.join(SHOTS, name))
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    return rows


def _pills(rows, colours, x_range=(14, 76)):
    """The state pills (and the summary's state chips) of the given colours at the page's left edge: (top y, colour)
    per vertical run of rows at least 10 px tall that show the colour (gaps of a few rows of text are bridged)."""
    found = []
    for colour in colours:
        hits = [y for y, row in enumerate(rows) if sum(1 for x in range(*x_range) if row[x] == colour) >= 12]
        runs = []
        for y in hits:
            if runs and y - runs[-1][1] <= 3:
                runs[-1][1] = y
            else:
                runs.append([y, y])
        found += [(top, colour) for top, bottom in runs if bottom - top >= 10]
    return sorted(found)


def test_every_cluster_is_a_row_and_the_hostile_name_stays_text(tmp_path, pages):
    path, doc, _kinds = pages[12]
    dom = _dom(tmp_path, path.as_uri())
    assert sorted((n, v) for n, v, _s, _h in dom.clusters) == sorted((r["cluster"], r["verdict"]) for r in doc["clusters"])
    assert not any(hidden for _n, _v, _s, hidden in dom.clusters) and dom.controls_hidden is False  # the script ran
    assert dom.scripts == 1 and dom.title == "Fleet support access"  # the hostile name stayed text
    assert [c for n, c in dom.leases if n == "training-000"] == ["lease-current", "lease-earlier", "lease-earlier"]
    # without the script (it is what unhides the controls) nothing is hidden: every row is in the page as served
    served = path.read_text(encoding="utf-8")
    assert '<div id="controls" hidden>' in served and " hidden" not in served.split('<table id="clusters">', 1)[1]


def test_the_page_allows_only_its_own_script_by_hash(pages):
    page = pages[12][0].read_text(encoding="utf-8")
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page).group(1).replace("&#x27;", "'")
    assert "script-src 'sha256-%s'" % digest in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert page.count("<script") == 1 and "<script>document" not in page and "style=" not in page
    assert "http://" not in page and "https://" not in page.replace("https://siem.example", "") and "<link" not in page


@pytest.mark.parametrize("count", [12, 200])
def test_open_clusters_come_first_then_unknown_ones(tmp_path, pages, count):
    path, _doc, kinds = pages[count]
    dom = _dom(tmp_path, path.as_uri() + "#v=attention")
    states = [s for _n, _v, s, _h in dom.clusters]
    expected = dict((name, _state_of(kind)) for name, kind in kinds.items())
    assert dict((n, s) for n, _v, s, _h in dom.clusters) == expected
    opened = states.count("open")
    unknown = states.count("unknown")
    assert states == ["open"] * opened + ["unknown"] * unknown + ["closed"] * (len(states) - opened - unknown)
    assert [h for _n, _v, _s, h in dom.clusters] == [False] * (opened + unknown) + [True] * (len(states) - opened - unknown)
    # open whatever the verdict: a compliant cluster under an active lease is as open as a noncompliant one
    verdicts = {v for _n, v, s, _h in dom.clusters if s == "open"}
    assert {"compliant", "noncompliant", "not_revoked"} <= verdicts
    assert opened >= (6 if count == 12 else 20)


@pytest.mark.parametrize("count", [12, 200])
def test_screenshot_shows_every_open_cluster_on_the_first_screen(tmp_path, pages, count):
    path, doc, kinds = pages[count]
    rows = _screenshot(tmp_path, path, "report-%d.png" % count)
    colours = {}
    for row in rows:
        for pixel in row:
            colours[pixel] = colours.get(pixel, 0) + 1
    assert len(colours) > 50, "the page rendered (nearly) blank"
    opened = [n for n, k in kinds.items() if _state_of(k) == "open"]
    bad = [r["cluster"] for r in doc["clusters"] if r["cluster"] in opened and r["verdict"] in _report.FAILING_VERDICTS]
    pills = _pills(rows, (PILL_RED, PILL_AMBER, PILL_PURPLE))
    # the summary's "N OPEN" and "N UNKNOWN" chips, then one pill per open cluster row (red: against the policy or not
    # verified, amber: open as agreed), all within the first 900 px
    red = [y for y, c in pills if c == PILL_RED]
    amber = [y for y, c in pills if c == PILL_AMBER]
    assert len(red) == len(bad) + 1, pills
    assert len(amber) == len(opened) - len(bad), pills
    assert any(c == PILL_PURPLE for _y, c in pills)  # the unknown chip (and the first unknown rows where they fit)
    # verdict badges in their colours; text exists
    for verdict in ("compliant", "noncompliant", "not_revoked"):
        background = _rgb(_render._VERDICT_STYLE[verdict][1])  # pylint: disable=protected-access
        assert colours.get(background, 0) > 300, "no %s colour %s in the screenshot" % (verdict, background)
    dark = sum(n for (r, g, b), n in colours.items() if r + g + b < 200)
    assert dark > 2000  # text


def test_search_and_filter_from_the_url_fragment(tmp_path, pages):
    path, doc, kinds = pages[200]
    by_name = dict((r["cluster"], r) for r in doc["clusters"])
    dom = _dom(tmp_path, path.as_uri() + "#q=training")
    shown = {n for n, _v, _s, hidden in dom.clusters if not hidden}
    assert shown == {n for n in by_name if "training" in n} and len(shown) > 50
    dom = _dom(tmp_path, path.as_uri() + "#q=training&v=open")
    shown = {n for n, _v, _s, hidden in dom.clusters if not hidden}
    assert shown == {n for n in by_name if "training" in n and _state_of(kinds[n]) == "open"} and shown
    # a ticket finds its cluster (the lease's and the provider request's), a subject every cluster it is bound in
    lease = next(r for r in doc["clusters"] if kinds[r["cluster"]] == "lease")
    dom = _dom(tmp_path, path.as_uri() + "#q=%s" % lease["lease"]["ticket"].lower())
    assert [n for n, _v, _s, hidden in dom.clusters if not hidden] == [lease["cluster"]]
