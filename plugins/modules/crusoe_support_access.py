# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crusoe_support_access
short_description: Enable or disable Crusoe support access to a CMK cluster
version_added: 0.1.0
description:
  - Sets the support access settings of a Crusoe Managed Kubernetes (CMK) cluster through the Crusoe API
    (C(PATCH /projects/{project_id}/kubernetes/clusters/{cluster_id}/support/settings)).
  - Enabling lets Crusoe Support request short-lived credentials with the enabled roles; disabling stops new
    credentials from being issued. Credentials already issued stay valid until they expire; uninstall the
    C(crusoe-support-roles) chart to revoke them at once.
  - Returns the settings with every active request marked active or expired.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.change_module
  - neocloud.support_access.crusoe
  - neocloud.support_access.crusoe.module
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
  - neocloud.support_access.crusoe.cluster
attributes:
  check_mode:
    details: Reads the settings and reports what would change; sends no PATCH.
  diff_mode:
    details: Shows C(access_enabled) and C(enabled_roles) before and after.
options:
  state:
    description:
      - V(enabled) turns support access on with O(roles).
      - V(disabled) turns it off; the role list is left as it is.
    type: str
    choices: [enabled, disabled]
    default: enabled
  roles:
    description:
      - Support roles to enable when O(state=enabled).
      - V(readonly) gives view-only access; V(operator) adds diagnostic commands and always brings V(readonly) with it.
      - The Crusoe CLI spellings C(SUPPORT_ACCESS_ROLE_READONLY) and C(SUPPORT_ACCESS_ROLE_OPERATOR) are accepted, in any case.
      - If not set, the roles already enabled are kept, or V(readonly) when access is off.
      - Ignored when O(state=disabled).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Let Crusoe Support look at training-prod (readonly and operator)
  neocloud.support_access.crusoe_support_access:
    cluster: training-prod
    project: ml
    roles: [readonly, operator]

- name: Disable support access again (credentials already issued stay valid until they expire)
  neocloud.support_access.crusoe_support_access:
    cluster: training-prod
    state: disabled

- name: Credentials from a named profile of ~/.crusoe/config
  neocloud.support_access.crusoe_support_access:
    cluster: cd5b0b6e-0000-4000-8000-000000000001
    profile: prod
    roles: [SUPPORT_ACCESS_ROLE_READONLY]
"""

RETURN = r"""
cluster:
  description: The cluster the settings belong to.
  returned: success
  type: dict
  contains:
    id:
      description: Cluster UUID.
      type: str
      returned: success
    name:
      description: Cluster name.
      type: str
      returned: success
    project_id:
      description: Project UUID.
      type: str
      returned: success
    project_name:
      description: Project name, when known.
      type: str
      returned: success
support_access:
  description: Support access settings after the change (in check mode, as they would be).
  returned: success
  type: dict
  contains:
    access_enabled:
      description: Whether support access is enabled.
      type: bool
      returned: success
    enabled_roles:
      description: Enabled roles, normalised to V(readonly) and V(operator).
      type: list
      elements: str
      returned: success
    active_request_count:
      description: Number of active requests that have not expired.
      type: int
      returned: success
    active_requests:
      description:
        - Credentials Crusoe Support requested, as the API lists them, with C(expired) and C(status) added.
        - A request is expired when both C(expires_at) and C(cert_expires_at) (when given) are in the past.
        - The API keeps listing requests after RBAC is revoked; listed does not mean usable.
      type: list
      elements: dict
      returned: success
      sample:
        - access_role: readonly
          requestor_id: 00ab12cd5d7
          support_reason: Investigating node not ready
          ticket_ref: ZD#1001
          requested_at: "2026-06-03T13:46:29Z"
          expires_at: "2026-06-03T17:46:29Z"
          expired: false
          status: active
msg:
  description: What was done.
  returned: always
  type: str
  sample: support access enabled with roles readonly, operator
"""

from ..module_utils._crusoe_api import normalize_roles, settings_view
from ..module_utils._crusoe_module import AnsibleCrusoe
from ..module_utils._provider_module import run_module


class CrusoeSupportAccess(AnsibleCrusoe):
    """Enable/disable support access on one cluster."""

    def run(self):
        params = self.module.params
        wanted_roles = None
        if params["state"] == "enabled" and params["roles"] is not None:
            try:
                wanted_roles = normalize_roles(params["roles"])
            except ValueError as exc:
                raise ValueError("option roles: %s" % exc)
            if not wanted_roles:
                raise ValueError("option roles: give at least one role (readonly, operator) when state=enabled")

        cluster = self.find_cluster(params["cluster"])
        self.result["cluster"] = dict(id=cluster["id"], name=cluster.get("name"), project_id=self.project["id"],
                                      project_name=self.project.get("name"))
        path = self.cluster_path(cluster["id"]) + "/support/settings"
        before = settings_view(self.client.get(path))

        if params["state"] == "enabled":
            roles = wanted_roles or (before["enabled_roles"] if before["access_enabled"] and before["enabled_roles"]
                                     else ["readonly"])
            body = dict(access_enabled=True, enabled_roles=roles)
            changed = not before["access_enabled"] or before["enabled_roles"] != roles
            msg = "support access enabled with roles %s" % ", ".join(roles)
        else:
            body = dict(access_enabled=False)
            changed = before["access_enabled"]
            msg = "support access disabled"

        after = dict(before, access_enabled=body["access_enabled"],
                     enabled_roles=body.get("enabled_roles", before["enabled_roles"]))
        if changed:
            self._mark_as_changed()
            if not self.module.check_mode:
                after = settings_view(self.client.request("PATCH", path, body=body))
        else:
            roles_text = (" with roles %s" % ", ".join(after["enabled_roles"])) if after["access_enabled"] else ""
            msg = "support access already %s%s" % (params["state"], roles_text)
        self.result["support_access"] = after
        self.result["msg"] = msg
        self._set_diff(dict(access_enabled=before["access_enabled"], enabled_roles=before["enabled_roles"]),
                       dict(access_enabled=after["access_enabled"], enabled_roles=after["enabled_roles"]))


def main():
    options = dict(
        cluster=dict(type="str", required=True),
        state=dict(type="str", choices=["enabled", "disabled"], default="enabled"),
        roles=dict(type="list", elements="str"),
    )
    run_module(CrusoeSupportAccess, options)


if __name__ == "__main__":
    main()
