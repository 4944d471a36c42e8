# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""support_lease through real ansible-playbook against an emulated cluster."""

from __future__ import annotations

from support_k8s_helpers import kube_vars, playbook

LEASE = ("v1", "ConfigMap", "neocloud-support-access-lease", "kube-system")


def run(ansible_playbook, kube, params, check=False, diff=False):
    return ansible_playbook(playbook("support_lease", params, name="lease"), extra_vars=kube_vars(kube), check=check,
                            diff=diff)


def test_active_query_close_cycle(ansible_playbook, kube_cluster):
    k = kube_cluster
    params = {"ticket": "ZD-1234", "reason": "node not ready", "roles": ["operator", "readonly"], "provider": "crusoe",
              "cluster_name": "training-prod", "requested_by": "alice"}
    res = run(ansible_playbook, k, params, check=True)
    assert res.rc == 0, res.stdout
    out = res.result("lease")
    assert out["changed"] is True and out["result"]["status"] == "active"
    assert k.cluster.writes() == [] and k.cluster.get(*LEASE) is None

    res = run(ansible_playbook, k, params, diff=True)
    out = res.result("lease")["result"]
    assert res.rc == 0 and out["changed"] is True and out["status"] == "active"
    assert 8 * 3600 - 120 < out["expires_in_seconds"] <= 8 * 3600
    stored = k.cluster.get(*LEASE)
    assert stored["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "neocloud.support_access"
    assert stored["data"]["ticket"] == "ZD-1234" and stored["data"]["requested_by"] == "alice"
    assert stored["data"]["roles"] == '["operator", "readonly"]'

    k.cluster.clear_log()
    res = run(ansible_playbook, k, params)
    assert res.rc == 0 and res.result("lease")["changed"] is False
    assert k.cluster.writes() == []

    res = run(ansible_playbook, k, dict(params, extend=True))
    assert res.rc == 0 and res.result("lease")["changed"] is True

    res = run(ansible_playbook, k, {"state": "query"})
    assert res.result("lease")["result"]["status"] == "active"
    assert res.result("lease")["result"]["lease"]["ticket"] == "ZD-1234"

    res = run(ansible_playbook, k, {"state": "closed", "closed_reason": "revoked"})
    assert res.rc == 0 and res.result("lease")["changed"] is True
    assert res.result("lease")["result"]["status"] == "closed"
    assert k.cluster.get(*LEASE)["data"]["state"] == "closed"
    assert k.cluster.get(*LEASE)["data"]["closed_reason"] == "revoked"

    k.cluster.clear_log()
    res = run(ansible_playbook, k, {"state": "closed"})
    assert res.rc == 0 and res.result("lease")["changed"] is False and k.cluster.writes() == []


def test_no_lease_query_and_close(ansible_playbook, kube_cluster):
    res = run(ansible_playbook, kube_cluster, {"state": "query"})
    out = res.result("lease")["result"]
    assert out["status"] == "none" and out["lease"] is None and out["expires_in_seconds"] is None
    res = run(ansible_playbook, kube_cluster, {"state": "closed"})
    assert res.rc == 0 and res.result("lease")["changed"] is False
    assert kube_cluster.cluster.writes() == []


def test_expired_lease_is_replaced_and_closable(ansible_playbook, kube_cluster):
    k = kube_cluster
    k.cluster.seed([{"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "neocloud-support-access-lease", "namespace": "kube-system",
                                  "labels": {"app.kubernetes.io/managed-by": "neocloud.support_access",
                                             "app.kubernetes.io/component": "support-access-lease"}},
                     "data": {"ticket": "ZD-1", "roles": '["readonly"]', "state": "active",
                              "enabled_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T08:00:00Z"}}])
    res = run(ansible_playbook, k, {"state": "query"})
    assert res.result("lease")["result"]["status"] == "expired"
    assert res.result("lease")["result"]["expires_in_seconds"] == 0
    res = run(ansible_playbook, k, {"ticket": "ZD-1", "roles": ["readonly"], "duration": "1h"})
    assert res.rc == 0 and res.result("lease")["changed"] is True
    assert res.result("lease")["result"]["status"] == "active"
    assert 3000 < res.result("lease")["result"]["expires_in_seconds"] <= 3600


def test_live_lease_is_never_replaced_silently_and_history_is_kept(ansible_playbook, kube_cluster):
    k = kube_cluster
    first = {"ticket": "ZD-1", "roles": ["operator", "readonly"], "requested_by": "alice", "reason": "node down"}
    assert run(ansible_playbook, k, first).rc == 0
    k.cluster.clear_log()
    for other in ({"ticket": "ZD-2"}, {"roles": ["readonly"]}):
        res = run(ansible_playbook, k, dict(first, requested_by="bob", **other), check=True)
        out = res.result("lease")["result"]
        assert res.rc != 0, out
        assert "an active lease exists (ticket ZD-1, requested by alice, roles operator, readonly, until" in out["msg"]
        assert "extend=true" in out["msg"] and "nothing was changed" in out["msg"] and k.name in out["msg"]
        assert run(ansible_playbook, k, dict(first, **other)).rc != 0
    assert k.cluster.writes() == [] and k.cluster.get(*LEASE)["data"]["ticket"] == "ZD-1"

    res = run(ansible_playbook, k, dict(first, ticket="ZD-2", requested_by="bob", extend=True), diff=True)
    out = res.result("lease")["result"]
    assert res.rc == 0 and out["changed"] is True and out["msg"].startswith("lease replaced until")
    assert [(h["ticket"], h["requested_by"], h["ended"]) for h in out["lease"]["history"]] == [("ZD-1", "alice", "replaced")]
    assert run(ansible_playbook, k, {"state": "closed", "closed_reason": "revoked"}).rc == 0
    res = run(ansible_playbook, k, dict(first, ticket="ZD-3"))
    assert res.rc == 0 and res.result("lease")["result"]["msg"].startswith("lease recorded")
    res = run(ansible_playbook, k, dict(first, ticket="ZD-3", duration="2h", extend=True))
    assert res.result("lease")["result"]["msg"].startswith("lease extended")

    res = run(ansible_playbook, k, {"state": "query"})
    lease = res.result("lease")["result"]["lease"]
    assert lease["ticket"] == "ZD-3" and lease["state"] == "active"
    ended = [(h["ticket"], h["ended"]) for h in lease["history"]]
    assert ended == [("ZD-3", "extended"), ("ZD-2", "closed"), ("ZD-1", "replaced")]
    assert lease["history"][1]["closed_reason"] == "revoked" and "history" not in lease["history"][0]


def test_foreign_configmap_is_never_overwritten(ansible_playbook, kube_cluster):
    k = kube_cluster
    k.cluster.seed([{"apiVersion": "v1", "kind": "ConfigMap",
                     "metadata": {"name": "neocloud-support-access-lease", "namespace": "kube-system"},
                     "data": {"owner": "someone else"}}])
    k.cluster.clear_log()
    for params in ({"ticket": "ZD-9"}, {"state": "closed"}, {"state": "query"}):
        res = run(ansible_playbook, k, params)
        assert res.rc != 0
        msg = res.result("lease")["result"]["msg"]
        assert k.name in msg and "not a lease this collection wrote" in msg
    assert k.cluster.writes() == []
    assert k.cluster.get(*LEASE)["data"] == {"owner": "someone else"}


def test_bad_options_fail_before_any_request(ansible_playbook, kube_cluster):
    k = kube_cluster
    k.cluster.clear_log()
    cases = (({}, "needs a ticket (option ticket)"),
             ({"ticket": "ZD-1", "duration": "forever"}, "duration: expected a duration"),
             ({"ticket": "ZD-1", "duration": "9h", "max_duration": "8h"}, "longer than max_duration"),
             ({"ticket": "ZD-1", "duration": "8d"}, "longer than the 7 days"))
    for params, text in cases:
        res = run(ansible_playbook, k, params)
        msg = res.result("lease")["result"]["msg"]
        assert res.rc != 0 and text in msg and k.name in msg, msg
    assert k.cluster.request_log() == []
    res = run(ansible_playbook, k, {"require_ticket": False})
    assert res.rc == 0 and res.result("lease")["result"]["lease"]["ticket"] == ""
