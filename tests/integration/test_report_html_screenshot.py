# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report rendered by a real browser: Debian's headless Chromium draws the table and its colours.

Needs /usr/bin/chromium (Debian package ``chromium``); skipped without it. The test installs nothing.
"""

from __future__ import annotations

import datetime
import html.parser
import os
import struct
import subprocess
import zlib

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report

CHROMIUM = "/usr/bin/chromium"
NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)
HOSTILE = "evil<script>document.title='pwned'</script>"
WIDTH, HEIGHT = 1400, 900

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                reason="%s is not installed (Debian package chromium: apt-get install -y chromium)" % CHROMIUM)


# What every run reads (a report without one of them is judged error: findings only from what was read).
READ = {"chart": {"installed": False}, "rbac": {"bindings": []}, "pods": {"confirmed": [], "suspicious": []},
        "lease": {"status": "none"}}
HISTORY = [
    {"ticket": "ZD-0998", "requested_by": "bob", "reason": "GPU node drained", "roles": ["readonly"],
     "enabled_at": "2026-11-21T08:00:00Z", "expires_at": "2026-11-21T16:00:00Z", "state": "closed",
     "closed_at": "2026-11-21T11:30:00Z", "closed_by": "carol", "closed_reason": "fixed", "ended": "closed"},
    {"ticket": "ZD-0990", "requested_by": "dan", "reason": "control-plane upgrade", "roles": ["operator", "readonly"],
     "enabled_at": "2026-11-19T08:00:00Z", "expires_at": "2026-11-19T12:00:00Z", "state": "active", "closed_at": "",
     "closed_by": "", "closed_reason": "", "ended": "expired"},
]


def _fleet():
    on = {"access_enabled": True, "roles": ["readonly", "operator"], "active_requests": [
        {"role": "operator", "ticket": "ZD-1", "expires_at": "2026-11-22T14:00:00Z", "status": "active"}]}
    reports = [
        dict(READ, cluster="training-prod", provider="crusoe", reachable=True, api=on, chart={"installed": True, "version": "0.2.0"},
             lease={"status": "active", "ticket": "ZD-1", "requested_by": "alice", "reason": "CMK node not ready on gpu-3",
                    "roles": ["operator", "readonly"], "enabled_at": "2026-11-22T08:00:00Z", "expires_at": "2026-11-22T16:00:00Z",
                    "history": HISTORY}),
        dict(READ, cluster=HOSTILE, provider="crusoe", reachable=True, api=on,
             pods={"confirmed": [{"namespace": "kube-system", "name": "node-shell-1"}], "suspicious": []}),
        {"cluster": "cw-east", "provider": "coreweave", "reachable": False, "error": "connection refused"},
        dict(READ, cluster="old-prod", provider="crusoe", playbook="revoke", reachable=True, api={"access_enabled": False}),
    ]
    return _report.build_document(_report.prepare(reports, None, NOW), "Fleet support access", NOW)


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


class _Rows(html.parser.HTMLParser):
    """Collects the cluster rows, their verdicts and any script element of a rendered DOM."""

    def __init__(self):
        super().__init__()
        self.clusters, self.leases, self.scripts, self.title, self._in_title = [], [], 0, "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and attrs.get("class") == "cluster":
            self.clusters.append((attrs.get("data-cluster"), attrs.get("data-verdict")))
        if tag == "tr" and (attrs.get("class") or "").startswith("lease-"):
            self.leases.append((attrs.get("data-cluster"), attrs.get("class")))
        self.scripts += tag == "script"
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "report.html"
    path.write_text(_render.to_html(_fleet()), encoding="utf-8")
    return path


def test_rendered_dom_has_one_row_per_cluster_and_no_script(tmp_path, page):
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri())
    parser = _Rows()
    parser.feed(dom)
    assert sorted(parser.clusters) == sorted([("training-prod", "compliant"), (HOSTILE, "noncompliant"),
                                              ("cw-east", "unreachable"), ("old-prod", "revoked")])
    assert parser.scripts == 0 and parser.title == "Fleet support access"  # the hostile name stayed text
    assert parser.leases == [("training-prod", "lease-current"), ("training-prod", "lease-earlier"),
                             ("training-prod", "lease-earlier")]


def test_screenshot_shows_the_colour_coded_table(tmp_path, page):
    shot = tmp_path / "report.png"
    _chromium(tmp_path, "--window-size=%d,%d" % (WIDTH, HEIGHT), "--hide-scrollbars", "--screenshot=%s" % shot, page.as_uri())
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {}
    for row in rows:
        for pixel in row:
            colours[pixel] = colours.get(pixel, 0) + 1
    assert len(colours) > 50, "the page rendered (nearly) blank"
    # each verdict badge and summary tile is drawn in its colour; text and borders exist
    for verdict in ("compliant", "noncompliant", "unreachable"):
        background = _rgb(_render._VERDICT_STYLE[verdict][1])  # pylint: disable=protected-access
        assert colours.get(background, 0) > 500, "no %s colour %s in the screenshot" % (verdict, background)
    assert colours.get(_rgb("#d1d9e0"), 0) > 1000  # table borders
    dark = sum(n for (r, g, b), n in colours.items() if r + g + b < 200)
    assert dark > 2000  # text
