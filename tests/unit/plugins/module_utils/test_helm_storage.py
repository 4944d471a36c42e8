# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Helm release's state read from its release Secrets, encoded as Helm encodes them (JSON, gzip, base64)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _helm_storage


def release_secret(release, revision, status, version="0.2.0", chart="crusoe-support-roles", compress=True):
    """A Secret as Helm's secret driver writes it, as the API returns it (data values base64 again)."""
    record = {"name": release, "version": revision, "info": {"status": status},
              "chart": {"metadata": {"name": chart, "version": version, "appVersion": "v" + version}}}
    payload = json.dumps(record).encode()
    encoded = base64.b64encode(gzip.compress(payload) if compress else payload)
    return {"metadata": {"name": "sh.helm.release.v1.%s.v%d" % (release, revision), "namespace": "crusoe-system",
                         "labels": {"owner": "helm", "name": release, "status": status, "version": str(revision)}},
            "type": _helm_storage.RELEASE_SECRET_TYPE, "data": {"release": base64.b64encode(encoded).decode()}}


def test_no_secret_means_not_installed():
    state = _helm_storage.release_state([], "crusoe-support-roles")
    assert state["installed"] is False and state["chart"] == "" and state["revision"] == 0


def test_the_newest_revision_decides():
    secrets = [release_secret("crusoe-support-roles", 2, "deployed", "0.2.0"),
               release_secret("crusoe-support-roles", 1, "superseded", "0.1.1")]
    state = _helm_storage.release_state(secrets, "crusoe-support-roles")
    assert state == {"installed": True, "status": "deployed", "revision": 2, "chart": "crusoe-support-roles-0.2.0",
                     "version": "0.2.0", "app_version": "v0.2.0"}


@pytest.mark.parametrize("status,installed", [
    ("deployed", True), ("failed", True), ("pending-install", True), ("pending-upgrade", True),
    ("pending-rollback", True), ("uninstalling", True), ("uninstalled", False), ("superseded", False)])
def test_live_statuses(status, installed):
    state = _helm_storage.release_state([release_secret("crusoe-support-roles", 3, status)], "crusoe-support-roles")
    assert state["installed"] is installed
    assert state["status"] == status


def test_other_releases_and_foreign_secrets_are_ignored():
    other = release_secret("crusoe-watch-agent", 7, "deployed", chart="crusoe-watch-agent")
    foreign = release_secret("crusoe-support-roles", 9, "deployed")
    foreign["metadata"]["labels"]["owner"] = "someone-else"
    assert _helm_storage.release_state([other, foreign], "crusoe-support-roles")["installed"] is False


def test_uncompressed_and_broken_records():
    plain = release_secret("crusoe-support-roles", 1, "deployed", compress=False)
    assert _helm_storage.release_state([plain], "crusoe-support-roles")["version"] == "0.2.0"
    broken = release_secret("crusoe-support-roles", 1, "deployed")
    broken["data"]["release"] = base64.b64encode(b"not base64 at all !!").decode()
    state = _helm_storage.release_state([broken], "crusoe-support-roles")
    # the labels still say deployed: a record that cannot be decoded does not hide an installed release
    assert state["installed"] is True and state["version"] == ""
    assert _helm_storage.decode_release({"data": {}}) is None
