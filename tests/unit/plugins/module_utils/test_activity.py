# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for _activity.py: parsing, identities, access windows, every finding code, gzip and skipped lines."""

from __future__ import annotations

import gzip
import io
import json
import os

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity as a
from sim import activity_logs as gen

ALICE, BOB = "alice@coreweave.com", "bob@coreweave.com"
VIEWERS = "teleport-cluster-viewers"
H = 3600


def t(seconds, micros=0):
    """RFC 3339 for T0 + seconds (+ microseconds)."""
    base = a.parse_time("2026-03-01T08:00:00Z")
    return a.format_time(base + seconds * 1000000 + micros)


def kube(when, verb="get", user=ALICE, groups=(VIEWERS,), resource="pods", sub="", ns="default", name="p",
         api_group="", code=200, stage="ResponseComplete", impersonate=True, agent="teleport-agent"):
    event = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "id-%s-%s" % (when, verb), "stage": stage,
             "verb": verb, "requestURI": "/api/v1/x", "user": {"username": user, "groups": list(groups)},
             "objectRef": {"resource": resource, "namespace": ns, "name": name, "apiGroup": api_group},
             "responseStatus": {"code": code}, "requestReceivedTimestamp": when, "stageTimestamp": when}
    if sub:
        event["objectRef"]["subresource"] = sub
    if impersonate:
        event["user"] = {"username": agent, "groups": ["system:authenticated"]}
        event["impersonatedUser"] = {"username": user, "groups": list(groups) + ["system:authenticated"]}
    if stage is None:
        del event["stage"]
    return event


def tele(kind, when, rid, **fields):
    event = {"event": kind, "time": when, "id": rid, "code": "T5000I"}
    event.update(fields)
    return event


def approved(rid="r1", user=ALICE, at=0, hours=8, reviewer="ops@customer.example", cluster=None, **extra):
    """create + approving review events for a request approved at T0+at for ``hours``."""
    create = tele("access_request.create", t(at - 60), rid, user=user, roles=[VIEWERS], state="PENDING", reason="ZD-1")
    review = tele("access_request.review", t(at), rid, user=user, reviewer=reviewer, state="APPROVED",
                  proposed_state="APPROVED", expires=t(at + int(hours * H)), **extra)
    if cluster:
        create["kubernetes_cluster"] = review["kubernetes_cluster"] = cluster
    return [create, review]


def run(events, cluster="c1", **options):
    """Feed event dicts (or raw lines) to an analyzer; return the result."""
    return run_with_stats(events, cluster, **options)[0]


def run_with_stats(events, cluster="c1", **options):
    """Feed event dicts (or raw str lines) to an analyzer; return (result, file stats)."""
    analyzer = a.ActivityAnalyzer(cluster=cluster, **options)
    stats = {"lines": 0, "parsed": 0, "blank": 0, "skipped": 0, "skipped_reasons": dict.fromkeys(a.SKIP_REASONS, 0),
             "k8s_events": 0, "teleport_events": 0}
    for event in events:
        line = event if isinstance(event, (str, bytes)) or event is None else json.dumps(event)
        analyzer.add_line(line, cluster, stats)
    return analyzer.result(), stats


def codes(result):
    return sorted((f["code"], f["user"], f["count"]) for f in result["findings"])


# ---------------------------------------------------------------------------------------------------------------
# time
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2026-03-01T08:00:00Z", "2026-03-01T08:00:00Z"),
    ("2026-03-01T08:00:00.123456Z", "2026-03-01T08:00:00.123456Z"),
    ("2026-03-01T08:00:00.123456789Z", "2026-03-01T08:00:00.123456Z"),
    ("2026-03-01T10:00:00+02:00", "2026-03-01T08:00:00Z"),
    ("2026-03-01T08:00:00.5z", "2026-03-01T08:00:00.5Z"),
    ("2026-03-01T08:00:00", "2026-03-01T08:00:00Z"),
])
def test_parse_and_format_time(text, expected):
    assert a.format_time(a.parse_time(text)) == expected


@pytest.mark.parametrize("text", ["", "yesterday", None, 12, "2026-13-01T00:00:00Z"])
def test_invalid_times_are_none(text):
    assert a.parse_time(text) is None


def test_option_time_names_the_option():
    with pytest.raises(a.ActivityError, match=r"revoked_at\[c1\]"):
        a.ActivityAnalyzer(revoked_at={"c1": "soon"})


# ---------------------------------------------------------------------------------------------------------------
# lines that are not events
# ---------------------------------------------------------------------------------------------------------------

def test_malformed_lines_are_counted_per_reason():
    lines = ["{not json", b"\xff\xfe\x00garbage", "[1, 2]", "42", '"s"', '{"hello": 1}', "", "   \n",
             '{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "stage": "ResponseComplete"}',
             json.dumps(kube("not a time")), json.dumps({"event": "session.start", "time": "bad"}),
             json.dumps({"event": "access_request.create", "time": t(0)}), None,
             json.dumps(kube(t(0)))]
    result, stats = run_with_stats(lines)
    assert stats["skipped_reasons"] == {"malformed_json": 2, "not_object": 3, "unknown_kind": 1, "missing_fields": 4,
                                        "line_too_long": 1}
    assert stats["blank"] == 2 and stats["parsed"] == 1 and stats["lines"] == len(lines)
    assert stats["lines"] == stats["parsed"] + stats["blank"] + stats["skipped"]
    assert result["clusters"]["c1"]["support_actions"] == 1


def test_iter_lines_drops_over_long_lines_without_holding_them():
    data = b"short\n" + b"x" * 100 + b"\n" + b"y" * 250 + b"\nend"
    assert list(a.iter_lines(io.BytesIO(data), limit=64)) == [b"short\n", None, None, b"end"]


def test_gzip_is_detected_by_magic_bytes_not_name(tmp_path):
    body = (json.dumps(kube(t(0), resource="secrets")) + "\n").encode()
    disguised = tmp_path / "audit.log"            # gzip without .gz
    with gzip.open(disguised, "wb") as handle:
        handle.write(body)
    plain = tmp_path / "audit.log.gz"             # plain text with .gz
    plain.write_bytes(body)
    analyzer = a.ActivityAnalyzer(cluster="c1")
    first, second = analyzer.add_file(str(disguised)), analyzer.add_file(str(plain))
    assert (first["compression"], second["compression"]) == ("gzip", "none")
    assert first["parsed"] == second["parsed"] == 1 and first["error"] is None is second["error"]
    assert analyzer.result()["clusters"]["c1"]["secrets_read"] == 2


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as handle:
        for second in range(2000):
            handle.write((json.dumps(kube(t(second))) + "\n").encode())
    path = tmp_path / "cut.gz"
    path.write_bytes(raw.getvalue()[: len(raw.getvalue()) // 2])
    stats = a.ActivityAnalyzer(cluster="c1").add_file(str(path))
    assert stats["error"] and "stopped after line" in stats["error"]
    assert 0 < stats["parsed"] < 2000


def test_expand_paths_directories_globs_and_missing(tmp_path):
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "b.log").write_text("")
    (tmp_path / ".hidden").write_text("")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.jsonl").write_text("")
    assert [os.path.basename(p) for p in a.expand_paths([str(tmp_path)])] == ["a.jsonl", "b.log"]
    assert [os.path.basename(p) for p in a.expand_paths([str(tmp_path / "**" / "*.jsonl"), str(tmp_path / "a.jsonl")])] \
        == ["a.jsonl", "c.jsonl"]
    with pytest.raises(a.ActivityError, match="names no readable log file"):
        a.expand_paths([str(tmp_path / "nope*.log")])


# ---------------------------------------------------------------------------------------------------------------
# identities and what counts as an action
# ---------------------------------------------------------------------------------------------------------------

def test_identity_matching_is_configurable():
    events = [kube(t(0), user="x@cw", groups=("cw-staff",)),                       # nobody by default
              kube(t(1), user="eve", groups=("crusoe:support:operator",), impersonate=False),
              kube(t(2), user="dev@customer", groups=("devs",), resource="secrets")]
    result = run(events)
    assert result["clusters"]["c1"]["by_user"] == {"eve": 1}
    result = run(events, support_groups=["cw-*"], support_users=["dev@*"])
    assert result["clusters"]["c1"]["by_user"] == {"x@cw": 1, "dev@customer": 1}
    result = run(events, support_groups=[], impersonators=["teleport-agent"])
    assert result["clusters"]["c1"]["by_user"] == {"x@cw": 1, "dev@customer": 1}


def test_non_support_identities_produce_no_findings():
    result = run([kube(t(0), user="dev@customer", groups=("devs",), sub="exec", verb="create"),
                  kube(t(0), user="system:node:n1", groups=("system:nodes",), resource="secrets", impersonate=False)])
    assert result["findings"] == [] and result["clusters"]["c1"]["support_actions"] == 0
    assert result["clusters"]["c1"]["k8s_events"] == 2


def test_only_final_stages_and_successes_are_actions():
    result = run(approved() + [kube(t(10), stage="RequestReceived"), kube(t(10), stage="ResponseStarted"),
                               kube(t(10), stage=None), kube(t(11), code=403, sub="exec", verb="create"),
                               kube(t(12), code=500)])
    cluster = result["clusters"]["c1"]
    assert (cluster["support_actions"], cluster["ignored_stages"], cluster["failed_requests"]) == (1, 2, 2)
    assert result["findings"] == []


def test_counts_per_verb_resource_and_kind():
    patch = kube(t(3), verb="patch", resource="deployments", api_group="apps")
    result = run(approved() + [kube(t(1)), kube(t(2), verb="list"), patch,
                               kube(t(4), verb="create", sub="exec"), kube(t(5), verb="get", sub="portforward"),
                               kube(t(6), resource="secrets", verb="watch"), kube(t(7), verb="delete")])
    cluster = result["clusters"]["c1"]
    assert cluster["by_verb"] == {"create": 1, "delete": 1, "get": 2, "list": 1, "patch": 1, "watch": 1}
    assert cluster["by_resource"] == {"deployments": 1, "pods": 3, "pods/exec": 1, "pods/portforward": 1, "secrets": 1}
    assert (cluster["exec"], cluster["secrets_read"], cluster["writes"]) == (2, 1, 2)
    assert cluster["first_action"] == t(1) and cluster["last_action"] == t(7)


def test_secrets_in_another_api_group_and_subresources_are_not_secret_reads():
    result = run(approved() + [kube(t(1), resource="secrets", api_group="example.com"),
                               kube(t(2), resource="secrets", verb="create")])
    assert result["clusters"]["c1"]["secrets_read"] == 0 and result["findings"] == []


def test_breakdowns_are_bounded(monkeypatch):
    monkeypatch.setattr(a, "MAX_KEYS", 3)
    result = run(approved(user=None) + [kube(t(i), user="u%d" % i) for i in range(10)])
    assert result["clusters"]["c1"]["by_user"] == {"u0": 1, "u1": 1, "u2": 1, a.OTHER_KEY: 7}


# ---------------------------------------------------------------------------------------------------------------
# windows and activity findings
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("offset,inside", [
    (0, True),                     # exactly at the approval
    (-1, False),                   # a microsecond before it
    (8 * H * 1000000 - 1, True),   # a microsecond before the expiry
    (8 * H * 1000000, False),      # exactly at the expiry
])
def test_window_boundaries(offset, inside):
    start = a.parse_time(t(100))
    result = run(approved(at=100) + [kube(a.format_time(start + offset))])
    assert codes(result) == ([] if inside else [("activity-outside-window", ALICE, 1)])


def test_window_is_per_user_and_per_cluster():
    result = run(approved(user=ALICE, cluster="c2") + [kube(t(10)), kube(t(10), user=BOB)])
    assert codes(result) == [("activity-outside-window", ALICE, 1), ("activity-outside-window", BOB, 1)]
    result = run(approved(user=ALICE, cluster="c1") + [kube(t(10)), kube(t(10), user=BOB)])
    assert codes(result) == [("activity-outside-window", BOB, 1)]


def test_request_without_create_event_covers_every_user_of_its_cluster():
    review = approved()[1]
    result = run([review, kube(t(10)), kube(t(10), user=BOB)])
    assert codes(result) == [] and result["access_requests"][0]["user"] is None


def test_approval_without_expires_lasts_default_access():
    events = [tele("access_request.create", t(0), "r1", user=ALICE, state="PENDING"),
              tele("access_request.update", t(60), "r1", updated_by="ops@customer.example", state="APPROVED")]
    result = run(events + [kube(t(60 + H - 1)), kube(t(60 + H))], default_access=H)
    assert codes(result) == [("activity-outside-window", ALICE, 1)]
    request = result["access_requests"][0]
    assert request["window"] == {"start": t(60), "end": t(60 + H), "assumed_end": True}
    assert request["approved_by"] == "ops@customer.example" and request["state"] == "APPROVED"


@pytest.mark.parametrize("offset,code", [(0, "activity-after-revocation"), (-1, "activity-outside-window")])
def test_revocation_boundary(offset, code):
    revoked = a.parse_time(t(20 * H))
    result = run([kube(a.format_time(revoked + offset), user="eve", groups=("crusoe:support:operator",))],
                 revoked_at={"c1": t(20 * H)})
    assert codes(result) == [(code, "eve", 1)]


def test_revocation_star_applies_to_every_cluster_and_later_windows_cover():
    events = approved(at=30 * H) + [kube(t(25 * H)), kube(t(31 * H))]
    result = run(events, revoked_at={"*": t(20 * H)})
    assert codes(result) == [("activity-after-revocation", ALICE, 1)]
    assert result["clusters"]["c1"]["revoked_at"] == t(20 * H)


def test_leases_are_windows_and_closing_one_is_revocation():
    lease = {"cluster": "c1", "enabled_at": t(0), "expires_at": t(8 * H), "state": "closed", "closed_at": t(2 * H)}
    eve = ("crusoe:support:readonly",)
    result = run([kube(t(H), user="eve", groups=eve), kube(t(3 * H), user="eve", groups=eve)], leases=[lease])
    assert codes(result) == [("activity-after-revocation", "eve", 1)]
    assert result["clusters"]["c1"]["revoked_at"] == t(2 * H)
    # an explicit revoked_at wins over the lease
    result = run([kube(t(3 * H), user="eve", groups=eve)], leases=[lease], revoked_at={"c1": t(4 * H)})
    assert codes(result) == [("activity-outside-window", "eve", 1)]
    with pytest.raises(a.ActivityError, match=r"leases\[0\]"):
        a.ActivityAnalyzer(leases=["not a lease"])


def test_activity_after_denial_until_a_later_approval():
    events = [tele("access_request.create", t(0), "r1", user=ALICE, state="PENDING"),
              tele("access_request.review", t(60), "r1", reviewer="ops", proposed_state="DENIED", state="DENIED")]
    events += approved(rid="r2", at=2 * H)
    result = run(events + [kube(t(30)), kube(t(120)), kube(t(3 * H))])
    assert codes(result) == [("activity-after-denial", ALICE, 1), ("activity-outside-window", ALICE, 1)]
    denied = [r for r in result["access_requests"] if r["id"] == "r1"][0]
    assert denied["state"] == "DENIED" and denied["denied_by"] == "ops" and denied["window"] is None


def test_requests_read_after_the_actions_still_count():
    """Windows are decided when everything is read: a Teleport file read last still covers earlier actions."""
    actions = [kube(t(10)), kube(t(9 * H))]
    result = run(actions + approved())
    assert codes(result) == [("activity-outside-window", ALICE, 1)]
    assert result["findings"][0]["examples"][0]["time"] == t(9 * H)


def test_examples_are_capped_and_the_rest_counted():
    result = run([kube(t(i), sub="exec", verb="create") for i in range(20)], max_examples=3)
    by_code = {f["code"]: f for f in result["findings"]}
    assert by_code["exec-into-pod"]["count"] == 20 and len(by_code["exec-into-pod"]["examples"]) == 3
    assert by_code["activity-outside-window"]["count"] == 20 and len(by_code["activity-outside-window"]["examples"]) == 3
    assert by_code["exec-into-pod"]["time"] == t(0) and by_code["exec-into-pod"]["last_time"] == t(19)
    result = run([kube(t(0), sub="exec", verb="create")], max_examples=0)
    assert all(f["examples"] == [] for f in result["findings"])


# ---------------------------------------------------------------------------------------------------------------
# request findings
# ---------------------------------------------------------------------------------------------------------------

def test_exec_and_secret_reads_are_findings_inside_the_window_too():
    result = run(approved() + [kube(t(10), verb="get", sub="exec"), kube(t(11), verb="create", sub="attach"),
                               kube(t(12), resource="secrets", verb="list", name="")])
    assert codes(result) == [("exec-into-pod", ALICE, 2), ("secrets-read", ALICE, 1)]
    exec_finding = [f for f in result["findings"] if f["code"] == "exec-into-pod"][0]
    assert exec_finding["severity"] == "medium" and "get pods/exec default/p" in exec_finding["detail"]


@pytest.mark.parametrize("hours,extra,flagged", [
    (8, {}, False),
    (8.01, {}, True),
    (4, {"max_duration": None}, False),
    (4, {"max_duration": 8 * H}, False),
    (4, {"max_duration": 8 * H + 1}, True),
])
def test_approval_too_long(hours, extra, flagged):
    fields = {}
    if extra.get("max_duration"):
        fields["max_duration"] = t(100 + extra["max_duration"])
    result = run(approved(at=100, hours=hours, **fields))
    assert codes(result) == ([("approval-too-long", ALICE, 1)] if flagged else [])
    if flagged:
        finding = result["findings"][0]
        assert finding["request_id"] == "r1" and finding["severity"] == "medium" and "longer than 8h" in finding["detail"]


def test_max_approval_is_configurable():
    result = run(approved(hours=3), max_approval=2 * H)
    assert codes(result) == [("approval-too-long", ALICE, 1)]


def test_approver_not_allowed():
    result = run(approved(reviewer="mallory@customer.example") + approved(rid="r2", reviewer="ops@customer.example"),
                 approvers=["ops@*", "lead@customer.example"])
    assert codes(result) == [("approver-not-allowed", ALICE, 1)]
    assert result["findings"][0]["request_id"] == "r1" and "mallory@customer.example" in result["findings"][0]["detail"]
    result = run(approved(reviewer="mallory@customer.example"))
    assert codes(result) == []          # no approvers list: not checked


def test_approval_by_unknown_approver_is_not_allowed():
    events = [tele("access_request.create", t(0), "r1", user=ALICE, state="PENDING"),
              tele("access_request.update", t(1), "r1", state="APPROVED", expires=t(H))]
    result = run(events, approvers=["ops@*"])
    assert codes(result) == [("approver-not-allowed", ALICE, 1)]
    assert "unknown approver" in result["findings"][0]["detail"]


def test_pending_request_that_expired_is_informational():
    events = [tele("access_request.create", t(0), "r1", user=ALICE, state="PENDING", roles=[VIEWERS]),
              tele("access_request.expire", t(2 * H), "r1", state="PENDING"),
              tele("access_request.create", t(0), "r2", user=BOB, state="PENDING"),
              tele("access_request.review", t(60), "r2", reviewer="ops", proposed_state="DENIED", state="DENIED"),
              tele("access_request.expire", t(2 * H), "r2")]
    result = run(events)
    assert codes(result) == [("request-expired", ALICE, 1)]
    assert result["findings"][0]["severity"] == "info"
    states = {r["id"]: r["state"] for r in result["access_requests"]}
    assert states == {"r1": "EXPIRED", "r2": "DENIED"}


def test_request_transitions_and_record():
    events = approved(at=60, reviewer="ops") + [tele("access_request.delete", t(9 * H), "r1")]
    result = run(events)
    request = result["access_requests"][0]
    events = ["access_request.create", "access_request.review", "access_request.delete"]
    assert [x["event"] for x in request["transitions"]] == events
    assert request["created"] == t(0) and request["approved_at"] == t(60) and request["expires"] == t(60 + 8 * H)
    assert request["reviewers"] == ["ops"] and request["roles"] == [VIEWERS] and request["deleted_at"] == t(9 * H)


def test_every_finding_code_is_documented_with_a_severity():
    assert set(a.FINDING_CODES) >= set(a.ACTIVITY_CODES)
    assert all(severity in a.SEVERITIES for severity, _meaning in a.FINDING_CODES.values())


# ---------------------------------------------------------------------------------------------------------------
# clusters
# ---------------------------------------------------------------------------------------------------------------

def test_cluster_from_map_event_and_default(tmp_path):
    audit = tmp_path / "prod-audit.jsonl"
    audit.write_text(json.dumps(kube(t(10))) + "\n")
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(kube(t(10), user=BOB)) + "\n")
    teleport = tmp_path / "teleport.jsonl"
    teleport.write_text("\n".join(json.dumps(e) for e in approved(cluster="prod")) + "\n"
                        + json.dumps({"event": "kube.request", "time": t(5), "kubernetes_cluster": "dev"}) + "\n")
    result = a.analyze([str(tmp_path)], cluster_map={"prod-*.jsonl": "prod"}, cluster="fallback")
    assert set(result["clusters"]) == {"prod", "fallback", "dev"}
    assert result["clusters"]["dev"]["teleport_events"] == {"kube.request": 1}
    assert codes(result) == [("activity-outside-window", BOB, 1)]
    assert [f["cluster"] for f in result["findings"]] == ["fallback"]
    assert result["access_requests"][0]["cluster"] == "prod"
    assert result["summary"]["files"] == 3 and result["summary"]["lines"] == 5


def test_without_any_cluster_events_go_to_unknown():
    result = run([kube(t(0), user="eve", groups=("crusoe:support:x",))], cluster=None)
    assert list(result["clusters"]) == [a.UNKNOWN_CLUSTER]


# ---------------------------------------------------------------------------------------------------------------
# the generator's planted log set, end to end without Ansible
# ---------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_generated_logs_give_exactly_the_planted_findings(tmp_path, compress):
    manifest = gen.generate(str(tmp_path), lines=3000, compress=compress, seed=7)
    result = a.analyze([str(tmp_path)], **manifest["options"])
    assert [list(c) for c in codes(result)] == manifest["expected_findings"]
    files = {os.path.basename(f["path"]): f for f in result["files"]}
    kube_file = files[os.path.basename(manifest["files"]["kube"])]
    assert kube_file["compression"] == ("gzip" if compress else "none")
    assert {k: v for k, v in kube_file["skipped_reasons"].items() if v} == manifest["malformed"]["kube"]
    assert kube_file["lines"] == manifest["kube_lines"]
    tele_file = files["teleport-audit.jsonl"]
    assert {k: v for k, v in tele_file["skipped_reasons"].items() if v} == manifest["malformed"]["teleport"]
    assert result["summary"]["support_actions"] == manifest["background_support_actions"] + manifest["planted_support_actions"]


def test_generated_background_alone_has_no_findings(tmp_path):
    manifest = gen.generate(str(tmp_path), lines=2000, planted=False, seed=3)
    result = a.analyze([str(tmp_path)], **manifest["options"])
    assert manifest["expected_findings"] == [] and result["findings"] == []
    assert result["summary"]["skipped"] == 0 and result["summary"]["support_actions"] == manifest["background_support_actions"] > 0


@pytest.mark.parametrize("scenario", gen.SCENARIOS)
def test_each_planted_scenario_alone(tmp_path, scenario):
    manifest = gen.generate(str(tmp_path), lines=300, planted=[scenario], seed=11)
    result = a.analyze([str(tmp_path)], **manifest["options"])
    assert [list(c) for c in codes(result)] == manifest["expected_findings"]


def test_workloads_a_support_identity_created_are_recorded():
    events = [kube(t(10), "create", resource="daemonsets", ns="crusoe-system", name="node-debug", api_group="apps"),
              kube(t(20), "create", resource="pods", ns="ml", name="", api_group=""),
              kube(t(30), "create", resource="jobs", ns="kube-system", name="collect", api_group="batch", code=403),
              kube(t(40), "create", resource="deployments", ns="ml", name="web", api_group="apps", user="dev@customer",
                   groups=("developers",), impersonate=False),
              kube(t(50), "patch", resource="daemonsets", ns="crusoe-system", name="node-debug", api_group="apps")]
    events[1]["responseObject"] = {"metadata": {"name": "probe-x7k2"}}
    created = run(events)["clusters"]["c1"]["created"]
    assert [(c["resource"], c["namespace"], c["name"], c["user"]) for c in created] == [
        ("daemonsets", "crusoe-system", "node-debug", ALICE), ("pods", "ml", "probe-x7k2", ALICE)]
