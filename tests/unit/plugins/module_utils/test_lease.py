"""Lease records: durations, expiry, storage round-trip, refusal of foreign ConfigMaps."""

import datetime

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _lease

NOW = datetime.datetime(2026, 6, 3, 13, 46, 29, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("text,seconds", [
    ("8h", 28800), ("90m", 5400), ("1h30m", 5400), ("2d", 172800), ("45s", 45), ("3600", 3600), (600, 600),
    (" 4H ", 14400), ("1d2h3m4s", 93784),
])
def test_parse_duration_accepts_the_usual_spellings(text, seconds):
    assert _lease.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "8 hours", "-1h", "0", "0h", "1.5h", "8x", True, "8d"])
def test_parse_duration_rejects_bad_values_naming_the_option(text):
    with pytest.raises(_lease.LeaseError) as err:
        _lease.parse_duration(text, option="support_access_duration")
    assert "support_access_duration" in str(err.value)


def test_new_lease_expires_after_its_duration_and_sorts_roles():
    lease = _lease.new_lease("crusoe", "training-prod", "ZD-1234", "node not ready", "alice",
                             ["operator", "readonly", "operator"], "4h", NOW)
    assert lease["enabled_at"] == "2026-06-03T13:46:29Z"
    assert lease["expires_at"] == "2026-06-03T17:46:29Z"
    assert lease["roles"] == ["operator", "readonly"]
    assert lease["state"] == "active"


def test_status_moves_from_active_to_expired_at_expires_at():
    lease = _lease.new_lease("crusoe", "c", "T-1", "", "", ["readonly"], "1h", NOW)
    assert _lease.lease_status(lease, NOW) == "active"
    assert _lease.lease_status(lease, NOW + datetime.timedelta(minutes=59)) == "active"
    assert _lease.lease_status(lease, NOW + datetime.timedelta(hours=1)) == "expired"
    assert _lease.lease_status(None, NOW) == "none"


def test_close_is_final_and_idempotent():
    lease = _lease.new_lease("crusoe", "c", "T-1", "", "", ["readonly"], "1h", NOW)
    closed = _lease.close_lease(lease, "bob", "revoked", NOW + datetime.timedelta(minutes=5))
    assert closed["state"] == "closed" and closed["closed_at"] == "2026-06-03T13:51:29Z"
    assert _lease.lease_status(closed, NOW) == "closed"
    again = _lease.close_lease(closed, "carol", "again", NOW + datetime.timedelta(hours=2))
    assert again == closed
    assert lease["state"] == "active", "closing must not mutate its input"


def test_configmap_round_trip():
    lease = _lease.new_lease("crusoe", "c", "T-1", "why", "alice", ["operator", "readonly"], "8h", NOW)
    cm = _lease.configmap_for(lease)
    assert all(isinstance(v, str) for v in cm["data"].values())
    assert cm["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "neocloud.support_access"
    assert _lease.from_configmap(cm) == lease


def test_foreign_configmap_is_never_taken_for_a_lease():
    cm = {"metadata": {"name": _lease.LEASE_NAME, "namespace": "kube-system", "labels": {}}, "data": {"state": "active"}}
    with pytest.raises(_lease.LeaseError) as err:
        _lease.from_configmap(cm)
    assert "not a lease this collection wrote" in str(err.value)


@pytest.mark.parametrize("text,expected", [
    ("2026-06-03T17:46:29Z", datetime.datetime(2026, 6, 3, 17, 46, 29, tzinfo=datetime.timezone.utc)),
    ("2026-06-03T19:46:29+02:00", datetime.datetime(2026, 6, 3, 17, 46, 29, tzinfo=datetime.timezone.utc)),
    ("2026-06-03T17:46:29.123456789Z", datetime.datetime(2026, 6, 3, 17, 46, 29, 123456, tzinfo=datetime.timezone.utc)),
])
def test_parse_time_accepts_rfc3339_variants(text, expected):
    assert _lease.parse_time(text) == expected


def test_history_keeps_how_each_earlier_lease_ended_newest_first_and_at_most_the_limit():
    first = _lease.new_lease("crusoe", "c", "ZD-1", "", "alice", ["readonly"], "1h", NOW)
    extended = _lease.succeed(first, _lease.new_lease("crusoe", "c", "ZD-1", "", "bob", ["readonly"], "2h", NOW), NOW)
    assert [(h["ticket"], h["requested_by"], h["ended"]) for h in extended["history"]] == [("ZD-1", "alice", "extended")]
    replaced = _lease.succeed(extended, _lease.new_lease("crusoe", "c", "ZD-2", "", "bob", [], "1h", NOW), NOW)
    assert [h["ended"] for h in replaced["history"]] == ["replaced", "extended"]
    assert "history" not in replaced["history"][0] and "status" not in replaced["history"][0]
    later = NOW + datetime.timedelta(hours=5)
    after_expiry = _lease.succeed(replaced, _lease.new_lease("crusoe", "c", "ZD-3", "", "", [], "1h", later), later)
    assert [h["ended"] for h in after_expiry["history"]][:1] == ["expired"]
    closed = _lease.close_lease(after_expiry, "carol", "revoked", later)
    after_close = _lease.succeed(closed, _lease.new_lease("crusoe", "c", "ZD-4", "", "", [], "1h", later), later)
    assert (after_close["history"][0]["ticket"], after_close["history"][0]["ended"]) == ("ZD-3", "closed")
    assert _lease.from_configmap(_lease.configmap_for(after_close))["history"] == after_close["history"]
    current = after_close
    for index in range(_lease.HISTORY_LIMIT + 5):
        current = _lease.succeed(current, _lease.new_lease("crusoe", "c", "T-%d" % index, "", "", [], "1h", later), later)
    assert len(current["history"]) == _lease.HISTORY_LIMIT and current["history"][0]["ticket"] == "T-%d" % (index - 1)


@pytest.mark.parametrize("history,error", [("not json", "not JSON"), ('{"a": 1}', "not a list of records"),
                                           ('["x"]', "not a list of records")])
def test_a_stored_history_that_cannot_be_read_is_refused(history, error):
    cm = _lease.configmap_for(_lease.new_lease("crusoe", "c", "T-1", "", "", [], "1h", NOW))
    cm["data"]["history"] = history
    with pytest.raises(_lease.LeaseError, match=error):
        _lease.from_configmap(cm)
    del cm["data"]["history"]
    assert _lease.from_configmap(cm)["history"] == []


@pytest.mark.parametrize("args,option", [
    (("", True, "8h", None), "ticket: a lease needs a ticket"), (("ZD 1; rm", True, "8h", None), "ticket: 'ZD 1; rm'"),
    (("ZD-1", True, "8x", None), "duration: expected a duration"), (("ZD-1", True, "9h", "8h"), "max_duration: duration 9h is longer"),
    (("ZD-1", True, "1h", "soon"), "max_duration: expected a duration"),
])
def test_validate_active_names_the_option(args, option):
    with pytest.raises(_lease.LeaseError) as err:
        _lease.validate_active(*args)
    assert str(err.value).startswith(option)
    assert _lease.validate_active("", False, "90m") == 5400
