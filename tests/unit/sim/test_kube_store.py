# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Selectors, continue tokens and watch history of the emulator's store."""

import pytest

from sim.kube import store


@pytest.mark.parametrize("selector,labels,expected", [
    ("app=web", {"app": "web"}, True),
    ("app==web", {"app": "db"}, False),
    ("app!=web", {}, True),
    ("app in (web,db)", {"app": "db"}, True),
    ("app notin (web,db)", {}, True),
    ("app notin (web,db)", {"app": "web"}, False),
    ("app,!debug", {"app": "x"}, True),
    ("app,!debug", {"app": "x", "debug": "1"}, False),
    ("example.com/tier=front,env in (prod)", {"example.com/tier": "front", "env": "prod"}, True),
])
def test_label_selectors(selector, labels, expected):
    assert store.labels_match(store.parse_label_selector(selector), labels) is expected


@pytest.mark.parametrize("selector", ["app in (", "=x", "a b", "app in ()"])
def test_bad_label_selectors(selector):
    with pytest.raises(store.SelectorError):
        store.parse_label_selector(selector)


def test_field_selectors_are_per_resource():
    reqs = store.parse_field_selector("status.phase=Running,spec.nodeName!=n2", ("", "pods"))
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}
    assert store.fields_match(reqs, pod)
    with pytest.raises(store.SelectorError, match="field label not supported: status.phase"):
        store.parse_field_selector("status.phase=Running", ("", "configmaps"))


def test_continue_token_roundtrip_and_garbage():
    token = store.encode_continue(42, ("ns", "name"))
    assert store.decode_continue(token) == (42, ("ns", "name"))
    with pytest.raises(store.SelectorError):
        store.decode_continue("not-a-token")


def test_resource_versions_and_history():
    s = store.Store()
    key = ("", "configmaps")
    first = s.put(key, {"metadata": {"name": "a", "namespace": "n"}})
    second = s.put(key, {"metadata": {"name": "a", "namespace": "n"}}, first)
    assert int(second["metadata"]["resourceVersion"]) == int(first["metadata"]["resourceVersion"]) + 1
    gone = s.remove(key, "n", "a")
    assert [h[1] for h in s.events_since(1)] == ["ADDED", "MODIFIED", "DELETED"]
    assert gone["metadata"]["resourceVersion"] == str(s.current_rv())
    assert s.events_since(s.current_rv()) == []


def test_history_overflow_means_gone(monkeypatch):
    monkeypatch.setattr(store, "HISTORY", 3)
    s = store.Store()
    for i in range(6):
        s.put(("", "configmaps"), {"metadata": {"name": "c%d" % i}})
    assert s.events_since(1) is None
    assert len(s.events_since(s.current_rv() - 2)) == 2
