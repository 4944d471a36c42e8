# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coreweave_telemetry_endpoint
short_description: Manage a CoreWeave Telemetry Relay HTTPS forwarding endpoint
version_added: 0.1.0
description:
  - Creates, updates or deletes a Telemetry Relay forwarding endpoint of kind HTTPS (C(/v1beta1/telemetryrelay/endpoints)),
    the destination to which CoreWeave forwards audit logs, including the Support Access Management logs (Teleport
    access requests, approvals and denials) and the CKS audit logs.
  - The endpoint is identified by O(slug). Updates send the complete spec, as the API requires.
  - "Credentials (HTTP basic auth) are stored encrypted by CoreWeave and never returned, so they cannot be compared.
    Updates send C(CREDENTIAL_ACTION_PRESERVE) (stored credentials are kept) unless credentials are given and none
    are stored yet, or O(update_credentials=always) (then C(CREDENTIAL_ACTION_REPLACE)). C(CREDENTIAL_ACTION_CLEAR)
    is sent only for O(clear_credentials=true). A rerun therefore never rotates or clears credentials."
  - Writes need the Telemetry Relay Admin role, and the organization must be enabled for Telemetry Relay self-service
    by CoreWeave (the module says so when the API answers C(TELEMETRYRELAY_ORGANIZATION_NOT_FOUND)).
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - neocloud.support_access.coreweave
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
attributes:
  check_mode:
    details: Reads the endpoint and reports what would change; sends no POST, PATCH or DELETE.
  diff_mode:
    details: Shows the endpoint before and after; credentials appear only as a masked label.
options:
  slug:
    description:
      - The endpoint's unique identifier in the organization (C(ref.slug)); 3 to 32 letters, digits and hyphens,
        starting with a letter or digit.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the endpoint, V(absent) deletes it.
      - An endpoint that is the destination of a pipeline cannot be deleted; delete the pipeline first
        (M(neocloud.support_access.coreweave_telemetry_pipeline)).
    type: str
    choices: [present, absent]
    default: present
  display_name:
    description:
      - Human-readable name shown in the Cloud Console.
      - When creating and not set, the slug is used; when updating and not set, the current name is kept.
    type: str
  url:
    description:
      - The HTTPS URL Telemetry Relay posts the logs to, for example V(https://logs.example.com/coreweave).
      - Required with O(state=present).
    type: str
  certificate_authority_data:
    description:
      - PEM CA certificate(s) that sign the destination's TLS certificate, when it is not publicly trusted.
      - When not set, the current value is kept; set it to an empty string to remove it.
    type: str
  basic_auth:
    description:
      - HTTP basic auth credentials Telemetry Relay sends to the destination.
      - Sent when the endpoint is created, when it has no credentials yet, or with O(update_credentials=always).
    type: dict
    suboptions:
      username:
        description: User name.
        type: str
        required: true
      password:
        description: Password. Never logged or returned.
        type: str
        required: true
  update_credentials:
    description:
      - V(on_create) sends O(basic_auth) only when the endpoint has no stored credentials, so reruns are idempotent.
      - V(always) replaces the stored credentials on every run (the task then always reports a change), use it to
        rotate a password.
    type: str
    choices: [on_create, always]
    default: on_create
  clear_credentials:
    description:
      - Remove the stored credentials (C(CREDENTIAL_ACTION_CLEAR)). Mutually exclusive with O(basic_auth).
    type: bool
    default: false
seealso:
  - module: neocloud.support_access.coreweave_telemetry_pipeline
  - module: neocloud.support_access.coreweave_telemetry_info
"""

EXAMPLES = r"""
- name: The customer's log collector as a forwarding endpoint
  neocloud.support_access.coreweave_telemetry_endpoint:
    slug: siem
    display_name: Security log collector
    url: https://logs.example.com/coreweave
    basic_auth:
      username: coreweave
      password: "{{ vault_siem_password }}"

- name: Rotate the password
  neocloud.support_access.coreweave_telemetry_endpoint:
    slug: siem
    url: https://logs.example.com/coreweave
    basic_auth:
      username: coreweave
      password: "{{ vault_siem_new_password }}"
    update_credentials: always

- name: Remove it (after its pipelines)
  neocloud.support_access.coreweave_telemetry_endpoint:
    slug: siem
    state: absent
"""

RETURN = r"""
endpoint:
  description: The endpoint after the change (in check mode, as it would be); null when absent. Never holds credentials.
  returned: always
  type: dict
  contains:
    slug:
      description: C(ref.slug).
      type: str
      sample: siem
    display_name:
      description: Display name.
      type: str
      sample: Security log collector
    kind:
      description: Protocol of the endpoint (V(https) for endpoints this module manages).
      type: str
      sample: https
    url:
      description: Destination URL.
      type: str
      sample: https://logs.example.com/coreweave
    certificate_authority_data:
      description: CA data, empty when none.
      type: str
      sample: ""
    credentials_configured:
      description: Whether credentials are stored for the endpoint.
      type: bool
      sample: true
    credentials_updated_at:
      description: When the credentials were last set.
      type: str
      sample: "2026-11-22T10:00:00Z"
    state:
      description: Connection state reported by the API.
      type: str
      sample: FORWARDING_ENDPOINT_STATE_CONNECTED
    state_message:
      description: Explanation of the state, mostly for errors.
      type: str
      sample: ""
    created_at:
      description: Creation time.
      type: str
      sample: "2026-11-22T10:00:00Z"
    updated_at:
      description: Last update time.
      type: str
      sample: "2026-11-22T10:00:00Z"
credential_action:
  description:
    - What the update did (or would do) with the stored credentials; C(null) when nothing was sent.
    - V(CREDENTIAL_ACTION_PRESERVE), V(CREDENTIAL_ACTION_REPLACE) or V(CREDENTIAL_ACTION_CLEAR); on creation
      V(CREDENTIAL_ACTION_REPLACE) when credentials were given.
  returned: always
  type: str
  sample: CREDENTIAL_ACTION_PRESERVE
"""

import re
from urllib.parse import urlsplit

from ..module_utils._coreweave import (
    CREDENTIAL_ACTION_CLEAR,
    CREDENTIAL_ACTION_PRESERVE,
    CREDENTIAL_ACTION_REPLACE,
    AnsibleTelemetryObject,
    CoreWeaveError,
    basic_auth_body,
    credential_action,
    credentials_label,
    endpoint_spec,
)
from ..module_utils._provider_module import run_module

COMPARED = ("display_name", "url", "certificate_authority_data")
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,31}$")


def option_errors(params):
    """Messages for options the API would reject, found before any request (each names its option)."""
    errors = []
    if not SLUG_RE.match(params["slug"] or ""):
        errors.append("invalid option slug: %r is not a slug (3 to 32 letters, digits and hyphens, starting with a letter "
                      "or digit)" % params["slug"])
    url = params["url"]
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname or " " in url:
            errors.append("invalid option url: %r is not an HTTPS URL such as https://logs.example.com/coreweave" % url)
    return errors


class CoreWeaveTelemetryEndpoint(AnsibleTelemetryObject):
    """One HTTPS forwarding endpoint."""

    KIND = "endpoint"

    def check_options(self):
        """basic_auth and clear_credentials exclude each other; slug and url must be what the API accepts."""
        params = self.module.params
        if params["basic_auth"] and params["clear_credentials"]:
            self.module.fail_json(msg="parameters are mutually exclusive: basic_auth|clear_credentials=true")
        errors = option_errors(params)
        if errors:
            self.module.fail_json(msg="; ".join(errors))

    def read(self, slug):
        """The endpoint's view or None; the result also says that no credential action was sent (yet)."""
        current = super().read(slug)
        self.result["credential_action"] = None
        return current

    def diff_view(self, view, action=None):
        """The compared fields and the credentials as a masked label."""
        if view is None:
            return {}
        out = dict((k, view[k]) for k in ("slug",) + COMPARED)
        out["credentials"] = credentials_label(view["credentials_configured"], action)
        return out

    def present(self, slug, current):
        if current is None:
            self.create(slug)
        else:
            self.update(slug, current)

    def create(self, slug):
        params = self.module.params
        spec = endpoint_spec(params["display_name"] or slug, params["url"], params["certificate_authority_data"])
        body = {"ref": {"slug": slug}, "spec": spec}
        basic = params["basic_auth"]
        if basic:
            body["https"] = basic_auth_body(basic["username"], basic["password"])
            self.result["credential_action"] = CREDENTIAL_ACTION_REPLACE
        self._mark_as_changed()
        if self.module.check_mode:
            self.result["endpoint"] = self.view({"ref": {"slug": slug}, "spec": spec,
                                                 "status": {"credentialsConfigured": bool(basic)}})
        else:
            self.write("POST", slug, body)
        self._set_diff({}, self.diff_view(self.result["endpoint"], self.result["credential_action"]))

    def update(self, slug, current):
        params = self.module.params
        if current["kind"] != "https":
            raise CoreWeaveError("forwarding endpoint '%s' is of kind %s; this module manages HTTPS endpoints only and "
                                 "the API does not allow changing the kind of an endpoint" % (slug, current["kind"]))
        wanted = dict(
            display_name=params["display_name"] if params["display_name"] is not None else current["display_name"],
            url=params["url"],
            certificate_authority_data=(params["certificate_authority_data"]
                                        if params["certificate_authority_data"] is not None
                                        else current["certificate_authority_data"]),
        )
        basic = params["basic_auth"]
        action = credential_action(current["credentials_configured"], bool(basic), params["clear_credentials"],
                                   params["update_credentials"])
        spec_changed = any(wanted[k] != current[k] for k in COMPARED)
        if not spec_changed and action == CREDENTIAL_ACTION_PRESERVE:
            return
        self._mark_as_changed()
        self.result["credential_action"] = action
        spec = endpoint_spec(wanted["display_name"], wanted["url"], wanted["certificate_authority_data"])
        body = {"ref": {"slug": slug}, "spec": spec, "credentialAction": action}
        if action == CREDENTIAL_ACTION_REPLACE:
            body["https"] = basic_auth_body(basic["username"], basic["password"])
        if self.module.check_mode:
            after = dict(current, **wanted)
            if action == CREDENTIAL_ACTION_CLEAR:
                after["credentials_configured"] = False
            elif action == CREDENTIAL_ACTION_REPLACE:
                after["credentials_configured"] = True
            self.result["endpoint"] = after
        else:
            self.write("PATCH", slug, body)
        self._set_diff(self.diff_view(current), self.diff_view(self.result["endpoint"], action))


def main():
    options = dict(
        display_name=dict(type="str"),
        url=dict(type="str"),
        certificate_authority_data=dict(type="str"),
        basic_auth=dict(type="dict", options=dict(
            username=dict(type="str", required=True),
            password=dict(type="str", required=True, no_log=True),
        )),
        update_credentials=dict(type="str", choices=["on_create", "always"], default="on_create"),
        clear_credentials=dict(type="bool", default=False),
    )
    run_module(CoreWeaveTelemetryEndpoint, options, required_if=[("state", "present", ("url",))])


if __name__ == "__main__":
    main()
