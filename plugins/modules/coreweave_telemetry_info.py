# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coreweave_telemetry_info
short_description: Read CoreWeave Telemetry Relay streams, endpoints and pipelines
version_added: 0.1.0
description:
  - Lists the telemetry streams, forwarding endpoints and forwarding pipelines of the organization
    (C(GET /v1beta1/telemetryrelay/streams), C(/endpoints), C(/pipelines)).
  - Finds the audit log stream by its display name (V(Audit Logs) by default) and says where it is forwarded, so a
    play can assert that the Support Access Management logs reach the customer.
  - Needs the Telemetry Relay Reader (or Admin) role.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.info_module
  - neocloud.support_access.coreweave
  - neocloud.support_access.provider_api
  - neocloud.support_access.provider_api.module
options:
  audit_stream_name:
    description:
      - Display name of the stream that carries the audit logs (case-insensitive).
    type: str
    default: Audit Logs
seealso:
  - module: neocloud.support_access.coreweave_telemetry_endpoint
  - module: neocloud.support_access.coreweave_telemetry_pipeline
"""

EXAMPLES = r"""
- name: Where do the audit logs go?
  neocloud.support_access.coreweave_telemetry_info:
  register: relay

- name: Fail unless the audit logs reach the SIEM
  ansible.builtin.assert:
    that: "'siem' in relay.audit_logs_forwarded_to"
    fail_msg: "CoreWeave audit logs (support access included) are not forwarded to the SIEM"
"""

RETURN = r"""
streams:
  description: Every telemetry stream (C(slug), C(display_name), C(kind), C(filter)).
  returned: success
  type: list
  elements: dict
  sample:
    - {slug: audit-logs, display_name: Audit Logs, kind: STREAM_KIND_LOGS, filter: {}}
endpoints:
  description: Every forwarding endpoint, as M(neocloud.support_access.coreweave_telemetry_endpoint) returns one.
  returned: success
  type: list
  elements: dict
pipelines:
  description: Every forwarding pipeline, as M(neocloud.support_access.coreweave_telemetry_pipeline) returns one.
  returned: success
  type: list
  elements: dict
audit_log_stream:
  description: The stream whose display name is O(audit_stream_name); null when there is none.
  returned: success
  type: dict
  sample: {slug: audit-logs, display_name: Audit Logs, kind: STREAM_KIND_LOGS, filter: {}}
audit_logs_forwarded_to:
  description: Slugs of the endpoints an enabled pipeline forwards the audit log stream to (empty when none).
  returned: success
  type: list
  elements: str
  sample: [siem]
"""

from ..module_utils._coreweave import AnsibleCoreWeave
from ..module_utils._provider_module import run_module


class CoreWeaveTelemetryInfo(AnsibleCoreWeave):
    """Streams, endpoints and pipelines."""

    def run(self):
        self.result.update(self.telemetry_state(self.module.params["audit_stream_name"]))


def main():
    run_module(CoreWeaveTelemetryInfo, dict(audit_stream_name=dict(type="str", default="Audit Logs")))


if __name__ == "__main__":
    main()
