# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) for Crusoe request signing and the audit-log parser.

Signing and query canonicalisation (_crusoe_api.py) are checked against the simulator's independent implementation
(tests/sim/crusoe_api.py) and its request checker, on arbitrary queries (unicode, reserved characters, repeated keys,
empty values) and paths. The audit-log parser (_activity.py) is fed arbitrary files: binary, invalid UTF-8,
truncated and wrongly typed JSON, huge numbers, deeply nested garbage, truncated gzip; it must never raise and must
count every line as parsed, blank or skipped. (tests/unit/.../test_activity_properties.py covers add_line on small
random JSON and the window arithmetic; these go through whole files, analyze() and result().)

Every property runs under the ``neocloud-reliability`` settings profile: derandomized (the same examples on every
run, so CI is deterministic), a bounded number of examples, no deadline. Each test records the examples it ran and
the examples that held as faults in the reliability table.
"""

from __future__ import annotations

import base64
import datetime
import functools
import gzip
import json
import os
import tempfile
from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, example, given, settings, strategies as st

from sim import crusoe_api as sim_crusoe
from sim.crusoe_api import CrusoeSim

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity, _crusoe_api

settings.register_profile("neocloud-reliability", derandomize=True, deadline=None, database=None, max_examples=120,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("neocloud-reliability")


class Tally:
    """Examples a property ran and examples that held (every assertion passed)."""

    def __init__(self):
        self.run = 0
        self.held = 0

    def record(self, reliability):
        reliability.fault(injected=self.run, survived=self.held)


def counted(body):
    """Count each example the body finishes (held) or fails in (run). Hypothesis aborting an example while drawing
    (its StopTest is not an Exception) is not an example run."""
    @functools.wraps(body)
    def wrapper(_tally, *args, **kwargs):
        try:
            body(_tally, *args, **kwargs)
        except Exception:
            _tally.run += 1
            raise
        _tally.run += 1
        _tally.held += 1
    return wrapper


def prove(reliability, prop):
    """Run a @given @counted property (its first argument is the Tally) and record the tally."""
    tally = Tally()
    try:
        prop(tally)
    finally:
        tally.record(reliability)
    assert tally.run > 0 and tally.held == tally.run


# ------------------------------------------------------------------------------------------- signing strategies

# Unicode text with the characters a query encoder must get right: reserved and sub-delimiters, percent signs,
# plus and space, separators, non-ASCII (BMP and astral). No surrogates (they cannot be UTF-8 encoded at all).
RESERVED = "&=+%;#?/:@!$'()*,[] ~-._\t\n"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(RESERVED), st.characters(blacklist_categories=("Cs",))), max_size=12)
KEYS = st.one_of(st.sampled_from(["cluster_name", "next_token", "states", "a", "A", "b", "", "k%20", "\u00e9", "\U0001f600"]),
                 TEXT)
PAIRS = st.lists(st.tuples(KEYS, TEXT), max_size=10)
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
SEGMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=16)
PATHS = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda segs: "/v1/projects/" + "/".join(segs))
SECRET_BYTES = st.binary(min_size=1, max_size=64)
TIMESTAMPS = st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2099, 12, 31)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))


def b64(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def interleave(pairs, rnd):
    """A random reordering of ``pairs`` that keeps the order of the values of each key (what a query may differ in)."""
    slots = [k for k, _v in pairs]
    rnd.shuffle(slots)
    queues = {}
    for key, value in pairs:
        queues.setdefault(key, []).append(value)
    return [(key, queues[key].pop(0)) for key in slots]


class _Req:
    def __init__(self, headers):
        self.headers = headers


# ------------------------------------------------------------------------------------------------ signing


def test_canonical_query_is_order_independent_and_matches_the_simulator(reliability):
    @PROFILE
    @given(PAIRS, st.randoms(use_true_random=False))
    @example([("b", "2"), ("a", "1"), ("b", "1")], None)
    @example([("", ""), ("a", ""), ("a b", "x+y"), ("k=v", "a&b"), ("%41", "%zz")], None)
    @counted
    def prop(_tally, pairs, rnd):
        query = urlencode(pairs)                      # what CrusoeClient sends
        canonical = _crusoe_api.canonical_query(query)
        assert canonical == _crusoe_api.canonical_query(query)                    # deterministic
        assert canonical == sim_crusoe.canonical_query(query)                 # the simulator's implementation agrees
        if rnd is not None:
            assert _crusoe_api.canonical_query(urlencode(interleave(pairs, rnd))) == canonical
        assert _crusoe_api.canonical_query(canonical) == canonical                # canonical form is a fixed point
        # nothing is lost: it decodes to the same pairs, keys in UTF-8 byte order (Go's sort), values in order
        assert parse_qsl(canonical, keep_blank_values=True) == sorted(pairs, key=lambda kv: kv[0].encode("utf-8"))
        # QueryEscape: only unreserved characters, '+' for space, %XX escapes, and the separators
        assert set(canonical) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+%=&")

    prove(reliability, prop)


def test_raw_query_strings_canonicalise_like_the_simulator(reliability):
    @PROFILE
    @given(st.text(alphabet=st.one_of(st.sampled_from("&=+%;abAB12 "), st.characters(blacklist_categories=("Cs",))),
                   max_size=40))
    @example("a=1;b=2")
    @example("%zz=%4&&=&a")
    @counted
    def prop(_tally, raw):
        outcomes = []
        for impl in (_crusoe_api.canonical_query, sim_crusoe.canonical_query):
            try:
                outcomes.append(("ok", impl(raw)))
            except ValueError as exc:
                outcomes.append(("error", str(exc)))
        assert outcomes[0] == outcomes[1]
        assert (outcomes[0][0] == "error") == (";" in raw)

    prove(reliability, prop)


def test_signature_verifies_in_the_simulator_checker(reliability):
    sim = CrusoeSim()
    key_id, secret = sim.keys[0]["access_key_id"], sim.keys[0]["secret_key"]

    @PROFILE
    @given(PATHS, PAIRS, st.sampled_from(METHODS))
    @counted
    def prop(_tally, path, pairs, method):
        query = urlencode(pairs)
        headers = _crusoe_api.sign_headers(key_id, secret, path, query, method)
        stamp = headers[_crusoe_api.TIMESTAMP_HEADER]
        signature = headers["Authorization"].rsplit(":", 1)[1]
        assert signature == sim_crusoe.expected_signature(secret, path, query, method, stamp)
        assert sim._authenticate(_Req(headers), path, query, method) == key_id  # pylint: disable=protected-access

    prove(reliability, prop)


def test_signed_requests_over_the_wire_are_accepted(reliability):
    """CrusoeClient against the running simulator: arbitrary path segments and queries are never refused as unsigned."""
    sim = CrusoeSim().start()
    try:
        key = sim.keys[0]
        client = _crusoe_api.CrusoeClient(sim.url, key["access_key_id"], key["secret_key"], timeout=10, retries=0,
                                          sleep=lambda _s: None)

        @settings(PROFILE, max_examples=30)
        @given(SEGMENT, PAIRS)
        @example("caf\u00e9 ?#%2F/..", [("project_name", "ml & research"), ("a", ""), ("a", "\U0001f600")])
        @counted
        def prop(_tally, segment, pairs):
            sim.clear_log()
            try:
                client.request("GET", "/organizations/projects/" + segment, query=pairs)
            except _crusoe_api.CrusoeError as err:
                assert err.status != 401, str(err)
            log = sim.request_log()
            assert len(log) == 1 and log[0]["status"] != 401 and log[0]["key_id"] == key["access_key_id"], log

        prove(reliability, prop)
    finally:
        sim.stop()


MUTATED = st.sampled_from(("path", "query", "method", "timestamp", "secret"))


def _change_char(text, index, replacement):
    """``text`` with one character changed (or one added when it is empty)."""
    if not text:
        return replacement
    index %= len(text)
    new = replacement if replacement != text[index] else ("a" if text[index] != "a" else "b")
    return text[:index] + new + text[index + 1:]


def test_any_changed_byte_changes_the_signature(reliability):
    @PROFILE
    @given(SECRET_BYTES, PATHS, PAIRS, st.sampled_from(METHODS), TIMESTAMPS, MUTATED, st.integers(0, 1000),
           st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF))
    @counted
    def prop(_tally, raw_key, path, pairs, method, stamp, what, index, char):
        args = {"secret_key": b64(raw_key), "path": path, "query": urlencode(pairs), "method": method, "timestamp": stamp}
        before = _crusoe_api.compute_signature(**args)
        changed = dict(args)
        if what == "secret":
            flipped = bytearray(raw_key)
            flipped[index % len(flipped)] ^= 1 + index % 255
            changed["secret_key"] = b64(bytes(flipped))
        elif what == "method":
            changed["method"] = METHODS[(METHODS.index(method) + 1 + index % (len(METHODS) - 1)) % len(METHODS)]
        elif what == "query":
            # change the decoded content of one key or value (re-encoding alone is not a change)
            if pairs:
                position = index % len(pairs)
                key, value = pairs[position]
                if index % 2:
                    value = _change_char(value, index, char)
                else:
                    key = _change_char(key, index, char)
                mutated = list(pairs)
                mutated[position] = (key, value)
            else:
                mutated = [(char, "")]
            changed["query"] = urlencode(mutated)
        else:
            changed[what] = _change_char(args[what], index, char)
        assert changed != args
        after = _crusoe_api.compute_signature(**changed)
        assert after != before, (what, args, changed)
        assert after == sim_crusoe.expected_signature(changed["secret_key"], changed["path"], changed["query"],
                                                      changed["method"], changed["timestamp"])

    prove(reliability, prop)


# ------------------------------------------------------------------------------------------- audit-log parser

SUPPORT = {"username": "crusoe-support@crusoe.ai", "groups": ["crusoe:support:operator", "system:authenticated"]}


def k8s_event(stamp="2026-03-01T08:00:00Z"):
    return {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "a1",
            "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/pods/x/exec", "verb": "create",
            "user": dict(SUPPORT), "impersonatedUser": {"username": "alice", "groups": ["crusoe:support:readonly"]},
            "objectRef": {"resource": "pods", "subresource": "exec", "namespace": "kube-system", "name": "x"},
            "responseStatus": {"code": 101}, "requestReceivedTimestamp": stamp, "stageTimestamp": stamp,
            "userAgent": "kubectl/v1.33.0"}


def teleport_event(kind="access_request.review", stamp="2026-03-01T08:00:00Z"):
    return {"event": kind, "time": stamp, "id": "req-1", "user": "alice", "reviewer": "ops", "state": "APPROVED",
            "roles": ["teleport-cluster-viewers"], "expires": "2026-03-01T16:00:00Z", "max_duration": "2026-03-02T08:00:00Z",
            "kubernetes_cluster": "", "resource_ids": [{"kind": "kube_cluster", "name": "c1"}], "reason": "ZD-1"}


# Values of the wrong type or out of range for any field: huge and negative numbers, floats, nesting, timestamps
# outside what a UTC time can hold, wrong-shaped containers.
GARBAGE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.floats(),
              st.text(max_size=8),
              st.sampled_from(["", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:00:00Z",
                               "0001-01-01T00:00:00Z", "2026-13-45T99:99:99Z", "2026-03-01T08:00:00.1234567891Z",
                               "access_request.create", "access_request.review", "APPROVED", "DENIED", "pods", "exec",
                               "secrets", "kube_cluster"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6) | st.sampled_from(
        ["kind", "name", "username", "groups", "resource", "code"]), inner, max_size=3),
    max_leaves=8)


@st.composite
def poisoned_event(draw):
    """A well-formed support event with some fields (at any depth) replaced by garbage."""
    event = draw(st.sampled_from(["k8s", "create", "review", "expire", "other"]))
    stamp = draw(st.sampled_from(["2026-03-01T08:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                  "9999-12-31T20:00:00Z", "0001-01-01T05:00:00Z"]))
    obj = k8s_event(stamp) if event == "k8s" else teleport_event(
        {"create": "access_request.create", "review": "access_request.review", "expire": "access_request.expire",
         "other": "session.start"}[event], stamp)
    for _poison in range(draw(st.integers(0, 4))):
        target = obj
        path = draw(st.lists(st.sampled_from(["user", "impersonatedUser", "objectRef", "responseStatus", "resource_ids"]),
                             max_size=1))
        for step in path:
            if isinstance(target.get(step), dict):
                target = target[step]
        keys = sorted(target) or ["x"]
        target[draw(st.sampled_from(keys))] = draw(GARBAGE)
    return obj


def _line_bytes(draw_value):
    kind, value = draw_value
    if kind == "event":
        return json.dumps(value).encode("utf-8")
    if kind == "truncated":
        text = json.dumps(value[0]).encode("utf-8")
        return text[:value[1] % max(1, len(text))]
    return value


LINE = st.one_of(
    st.tuples(st.just("event"), poisoned_event()),
    st.tuples(st.just("truncated"), st.tuples(poisoned_event(), st.integers(0, 10 ** 6))),
    st.tuples(st.just("raw"), st.binary(max_size=60)),
    st.tuples(st.just("raw"), st.sampled_from([
        b"\xff\xfe\x00{\"kind\": \"Event\"}", b"{\"kind\": \"Ev\xc3\x28nt\"}", b"   ", b"\t\r", b"\r", b"null", b"[]", b"42",
        b"\"text\"", b"{\"a\": " + b"9" * 5000 + b"}", b"{\"event\": 1e999999}", b"[" * 50000, b"{\"a\":" * 20000,
        b"{\"event\": \"access_request.create\", \"time\": 12, \"id\": []}", b"NaN", b"{\"kind\": \"Event\", \"apiVersion\": 7}",
    ])),
).map(_line_bytes)


def expected_lines(data):
    """How many lines a reader that splits on b"\\n" sees in ``data``."""
    pieces = data.split(b"\n")
    return len(pieces) - (1 if pieces[-1] == b"" else 0)


@st.composite
def log_file(draw):
    """(bytes on disk, lines in the content, whether the file is cut short)."""
    lines = draw(st.lists(LINE, max_size=12))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    content = ending.join(lines) + draw(st.sampled_from([b"", ending]))
    if content.startswith(_activity.GZIP_MAGIC):
        content = b" " + content              # a plain file that starts like gzip is read as gzip, by design
    mode = draw(st.sampled_from(["plain", "gzip", "gzip-truncated"]))
    if mode == "plain":
        return content, expected_lines(content), False
    packed = gzip.compress(content, mtime=0)
    if mode == "gzip":
        return packed, expected_lines(content), False
    cut = draw(st.integers(2, len(packed) - 1))
    return packed[:cut], expected_lines(content), True


def test_audit_log_files_never_raise_and_every_line_is_counted(reliability):
    @settings(PROFILE, max_examples=50)
    @given(st.lists(log_file(), min_size=1, max_size=4))
    @counted
    def prop(_tally, files):
        with tempfile.TemporaryDirectory(prefix="activity-prop-") as workdir:
            paths = []
            for index, (data, _lines, _cut) in enumerate(files):
                path = os.path.join(workdir, "audit-%d.log" % index)
                with open(path, "wb") as handle:
                    handle.write(data)
                paths.append(path)
            result = _activity.analyze([workdir], cluster="c1")
        json.dumps(result)                            # the module can return it
        by_path = {f["path"]: f for f in result["files"]}
        assert len(by_path) == len(files)
        for path, (_data, lines, cut) in zip(paths, files):
            stats = by_path[path]
            assert stats["lines"] == stats["parsed"] + stats["blank"] + stats["skipped"], stats
            assert stats["skipped"] == sum(stats["skipped_reasons"].values()), stats
            assert stats["k8s_events"] + stats["teleport_events"] == stats["parsed"], stats
            if cut:
                assert stats["lines"] <= lines and stats["error"], stats
            else:
                assert stats["lines"] == lines and stats["error"] is None, stats
        summary = result["summary"]
        assert summary["lines"] == sum(f["lines"] for f in result["files"])
        assert summary["lines"] == summary["parsed"] + summary["blank"] + summary["skipped"]

    prove(reliability, prop)


def test_poisoned_events_never_raise_and_are_counted(reliability):
    @settings(PROFILE, max_examples=150)
    @given(st.lists(st.one_of(poisoned_event().map(json.dumps), LINE), min_size=1, max_size=20))
    @example([json.dumps(dict(k8s_event(), requestURI=5, objectRef={}))])
    @example([json.dumps(dict(teleport_event("session.start"), kubernetes_cluster="", resource_ids=7))])
    @example([json.dumps(k8s_event("0001-01-01T00:00:00+14:00")), json.dumps(k8s_event("9999-12-31T23:59:59-14:00"))])
    @example([json.dumps(dict(teleport_event("access_request.review", "9999-12-31T20:00:00Z"), expires=None))])
    @example([b"[" * 100000])
    @counted
    def prop(_tally, lines):
        analyzer = _activity.ActivityAnalyzer(cluster="c1", revoked_at={"*": "2026-03-01T12:00:00Z"})
        stats = {"lines": 0, "parsed": 0, "blank": 0, "skipped": 0,
                 "skipped_reasons": dict.fromkeys(_activity.SKIP_REASONS, 0), "k8s_events": 0, "teleport_events": 0}
        for line in lines:
            analyzer.add_line(line, "c1", stats)
        result = analyzer.result()
        json.dumps(result)
        assert stats["lines"] == len(lines) == stats["parsed"] + stats["blank"] + stats["skipped"], stats
        assert stats["skipped"] == sum(stats["skipped_reasons"].values())
        for finding in result["findings"]:
            assert finding["count"] >= 1 and finding["code"] in _activity.FINDING_CODES

    prove(reliability, prop)
