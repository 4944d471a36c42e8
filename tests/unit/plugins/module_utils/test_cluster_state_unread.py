# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster-state engine records what it could not read (the report's ``unread``) and judges only what it read;
the provider's requests carry their ticket. Fake Kubernetes and Crusoe clients, no network."""

from __future__ import annotations

import datetime

from ansible_collections.neocloud.support_access.plugins.module_utils import _cluster_state
from ansible_collections.neocloud.support_access.plugins.module_utils._kube import K8sClusterError, K8sConfigError

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.timezone.utc)
REQUESTS = [{"access_role": "SUPPORT_ACCESS_ROLE_READONLY", "requestor_id": "00ab", "ticket_ref": "ZD#1",
             "expires_at": "2099-01-01T00:00:00Z"},
            {"access_role": "SUPPORT_ACCESS_ROLE_READONLY", "requestor_id": "00cd", "expires_at": "2099-01-01T00:00:00Z"}]


class FakeKube:
    """Answers every list with nothing and every lease read with 404; ``FAIL`` maps a step's words to its error."""

    FAIL = {}
    cluster = "gpu-train"
    secrets = ()

    def __init__(self, params):
        if "connect" in self.FAIL:
            raise self.FAIL["connect"]

    def _answer(self, what):
        for words, error in self.FAIL.items():
            if words in what:
                raise error

    def list_all(self, path, what, **kwargs):
        self._answer(what)
        return []

    def request(self, method, path, what, **kwargs):
        self._answer(what)
        return {"kind": "Status", "code": 404}


class FakeClient:
    @staticmethod
    def get(path):
        return {"access_enabled": True, "enabled_roles": ["readonly"], "active_requests": REQUESTS}


class FakeCrusoe:
    project = {"id": "p-1", "name": "ml"}
    client = FakeClient()

    @staticmethod
    def find_cluster(cluster):
        return {"id": "c-1", "name": cluster}

    @staticmethod
    def cluster_path(cluster_id):
        return "/projects/p-1/kubernetes/clusters/" + cluster_id


def read(fail=None, **options):
    FakeKube.FAIL = fail or {}
    opts = dict({"cluster": "gpu-train", "name": "gpu-train", "read_firewall": False, "probes": []}, **options)
    return _cluster_state.ClusterReader(opts, {}, crusoe=FakeCrusoe, kube_client=FakeKube, now=NOW).read()["report"]


def codes(report):
    return [f["code"] for f in report["findings"]]


def test_everything_read_leaves_nothing_unread_and_requests_carry_their_ticket():
    report = read()
    assert report["unread"] == {} and report["verdict"] == "noncompliant"
    assert codes(report) == ["support-access-without-lease"]  # access on, no lease ConfigMap
    assert [(r["role"], r["ticket"]) for r in report["api"]["active_requests"]] == [("readonly", "ZD#1"), ("readonly", "")]


def test_a_forbidden_lease_is_unread_and_not_taken_for_no_lease():
    forbidden = K8sClusterError("reading lease ConfigMap kube-system/neocloud-support-access-lease", 403, "Forbidden",
                                "configmaps is forbidden")
    report = read({"reading lease": forbidden})
    assert list(report["unread"]) == ["lease"]
    assert report["unread"]["lease"] == ("step 'read the lease' failed: cluster 'gpu-train': reading lease ConfigMap "
                                         "kube-system/neocloud-support-access-lease failed: 403 Forbidden: configmaps is forbidden")
    assert report["verdict"] == "error" and codes(report) == ["unknown"]
    assert report["rbac"] is not None and report["pods"] is not None  # read before the lease, and judged


def test_a_wrong_context_leaves_every_kubernetes_section_unread():
    report = read({"connect": K8sConfigError("context nowhere is not in the kubeconfig")})
    after = "not tried after step 'scan the support RBAC' failed"
    assert report["unread"] == {"rbac": "step 'scan the support RBAC' failed: context nowhere is not in the kubeconfig",
                                "chart": after, "pods": after, "lease": after}
    assert report["verdict"] == "error" and codes(report) == ["unknown"] and report["reachable"] is True


def test_the_api_not_read_on_request_is_unread_with_why():
    report = read(read_api=False, read_firewall=True)
    assert report["unread"] == {"api": "not read: read_api is false",
                                "firewall": "not tried: the rule is found through the Crusoe API, which was not read"}
    assert report["verdict"] == "error" and report["error"] == report["findings"][0]["message"]
    # the firewall rule not asked for is not unread
    assert "firewall" not in read(read_firewall=False)["unread"]
