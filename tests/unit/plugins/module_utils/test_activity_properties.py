# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests for _activity.py (skipped when hypothesis is not installed)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity as a

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")
given, settings = hypothesis.given, hypothesis.settings

T0 = a.parse_time("2026-03-01T08:00:00Z")
H = 3600 * 1000000
VIEWERS = "teleport-cluster-viewers"


def kube(micros, user="alice", verb="get", sub=""):
    ref = {"resource": "pods", "namespace": "ns", "name": "p"}
    if sub:
        ref["subresource"] = sub
    return {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete", "verb": verb,
            "user": {"username": "agent", "groups": []},
            "impersonatedUser": {"username": user, "groups": [VIEWERS]}, "objectRef": ref,
            "responseStatus": {"code": 200}, "requestReceivedTimestamp": a.format_time(micros)}


def request(rid, user, approved_at, hours):
    return [{"event": "access_request.create", "time": a.format_time(approved_at - 1000000), "id": rid, "user": user,
             "state": "PENDING"},
            {"event": "access_request.review", "time": a.format_time(approved_at), "id": rid, "reviewer": "ops",
             "state": "APPROVED", "expires": a.format_time(approved_at + hours * H)}]


def feed(lines, **options):
    analyzer = a.ActivityAnalyzer(cluster="c", **options)
    stats = {"lines": 0, "parsed": 0, "blank": 0, "skipped": 0, "skipped_reasons": dict.fromkeys(a.SKIP_REASONS, 0),
             "k8s_events": 0, "teleport_events": 0}
    for line in lines:
        analyzer.add_line(line, "c", stats)
    return analyzer.result(), stats


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                       lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
                           ["kind", "apiVersion", "verb", "user", "event", "time", "id", "stage", "objectRef",
                            "impersonatedUser", "requestReceivedTimestamp", "state", "expires"]), inner, max_size=6),
                       max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=80), JSONISH.map(lambda v: json.dumps(v).encode())), max_size=30))
def test_any_input_is_counted_never_raised(lines):
    _result, stats = feed(lines)
    assert stats["lines"] == len(lines) == stats["parsed"] + stats["blank"] + stats["skipped"]
    assert stats["skipped"] == sum(stats["skipped_reasons"].values())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["alice", "bob"]), st.integers(0, 30 * H)), min_size=1, max_size=25),
       st.integers(0, 10 * H), st.integers(1, 12), st.randoms(use_true_random=False))
def test_findings_match_interval_arithmetic_in_any_order(actions, approved_offset, hours, rng):
    approved_at = T0 + approved_offset
    revoked = T0 + 20 * H
    events = request("r1", "alice", approved_at, hours) + [kube(T0 + offset, user) for user, offset in actions]
    expected = {}
    for user, offset in actions:
        when = T0 + offset
        if user == "alice" and approved_at <= when < approved_at + hours * H:
            continue
        code = "activity-after-revocation" if when >= revoked else "activity-outside-window"
        expected[(code, user)] = expected.get((code, user), 0) + 1
    if hours > 8:
        expected[("approval-too-long", "alice")] = 1
    lines = [json.dumps(e) for e in events]
    rng.shuffle(lines)
    result, _stats = feed(lines, revoked_at={"c": a.format_time(revoked)})
    assert {(f["code"], f["user"]): f["count"] for f in result["findings"]} == expected
