# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials echoed back by an API are masked: the kubeconfig credentials the Kubernetes-side modules mask, and the
CoreWeave client's error messages."""

from __future__ import annotations

import base64
import json

import yaml

from ansible_collections.neocloud.support_access.plugins.module_utils import _coreweave as cw
from ansible_collections.neocloud.support_access.plugins.module_utils import _k8s

PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB0secret0key0material\n-----END EC PRIVATE KEY-----"
KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config",
    "users": [
        {"name": "admin", "user": {"token": "kube-token-0123456789"}},
        {"name": "basic", "user": {"username": "ops", "password": "kube-password-42"}},
        {"name": "cert", "user": {"client-certificate-data": "Y2VydA==",
                                  "client-key-data": base64.b64encode(PEM.encode()).decode()}},
        {"name": "oidc", "user": {"auth-provider": {
            "name": "oidc", "config": {"id-token": "oidc-id-token-abc", "idp-issuer-url": "https://issuer"}}}},
        {"name": "short", "user": {"token": "abc"}},
        "not a user",
    ],
}


def test_every_kubeconfig_credential_is_found(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(KUBECONFIG))
    found = _k8s.kubeconfig_credentials(str(path))
    assert {"kube-token-0123456789", "kube-password-42", PEM, "oidc-id-token-abc"} <= found
    assert KUBECONFIG["users"][2]["user"]["client-key-data"] in found
    assert "abc" not in found and "ops" not in found and "https://issuer" not in found
    assert _k8s.kubeconfig_credentials(KUBECONFIG) == found
    monkeypatch.delenv("K8S_AUTH_KUBECONFIG", raising=False)
    monkeypatch.setenv("KUBECONFIG", "%s:%s" % (tmp_path / "missing", path))
    assert _k8s.kubeconfig_credentials() == found


def test_unreadable_kubeconfig_gives_nothing(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("users: [\n")
    assert _k8s.kubeconfig_credentials(str(bad)) == set()
    assert _k8s.kubeconfig_credentials(str(tmp_path / "missing")) == set()


def test_coreweave_error_that_echoes_the_token_is_masked():
    client = cw.CoreWeaveClient("http://127.0.0.1:1/", "CW-SECRET-unit-0001", retries=0)
    echoed = "request had Authorization: Bearer CW-SECRET-unit-0001"
    raw = json.dumps({"code": "unauthenticated", "message": echoed, "reason": echoed}).encode()
    error = client.api_error(401, raw, {}, "GET", "/v1beta1/cks/clusters", 1)
    text = json.dumps([str(error), error.as_dict(), error.details], default=str)
    assert "CW-SECRET-unit-0001" not in text
    assert "Bearer ********" in str(error)
    assert client.api_error(401, b"Bearer CW-SECRET-unit-0001", {}, "GET", "/x", 1).details["api_message"] == "Bearer ********"
