# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: coreweave_telemetry_pipeline
short_description: Manage a CoreWeave Telemetry Relay forwarding pipeline
version_added: 0.1.0
description:
  - Creates, updates or deletes a Telemetry Relay forwarding pipeline (C(/v1beta1/telemetryrelay/pipelines)), which
    forwards one telemetry stream to one forwarding endpoint.
  - Use it to forward the C(Audit Logs) stream (CKS audit logs, CoreWeave API and Console audit logs and the Support
    Access Management logs) to the customer's HTTPS endpoint, so that every support access request, approval,
    denial and Kubernetes API call by CoreWeave staff reaches a log store the customer controls.
  - The stream is given by slug (O(source)) or by display name (O(source_name), for example V(Audit Logs)), which
    is looked up with C(GET /v1beta1/telemetryrelay/streams).
  - Writes need the Telemetry Relay Admin role, and the organization must be enabled for Telemetry Relay self-service.
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
    details: Reads and reports what would change; sends no POST, PATCH or DELETE.
  diff_mode:
    details: Shows the pipeline before and after.
options:
  slug:
    description:
      - The pipeline's unique identifier in the organization (C(ref.slug)).
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the pipeline, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  source:
    description:
      - Slug of the telemetry stream to forward, for example V(audit-logs).
      - One of O(source) and O(source_name) is required with O(state=present).
    type: str
  source_name:
    description:
      - Display name of the telemetry stream to forward (case-insensitive), for example V(Audit Logs).
    type: str
  destination:
    description:
      - Slug of the forwarding endpoint (M(neocloud.support_access.coreweave_telemetry_endpoint)).
      - Required with O(state=present).
    type: str
  enabled:
    description:
      - Whether the pipeline forwards. V(false) keeps it configured but stops forwarding.
    type: bool
    default: true
seealso:
  - module: neocloud.support_access.coreweave_telemetry_endpoint
  - module: neocloud.support_access.coreweave_telemetry_info
"""

EXAMPLES = r"""
- name: Forward the audit logs (support access included) to the customer's endpoint
  neocloud.support_access.coreweave_telemetry_pipeline:
    slug: audit-to-siem
    source_name: Audit Logs
    destination: siem

- name: Pause forwarding
  neocloud.support_access.coreweave_telemetry_pipeline:
    slug: audit-to-siem
    source: audit-logs
    destination: siem
    enabled: false
"""

RETURN = r"""
pipeline:
  description: The pipeline after the change (in check mode, as it would be); null when absent.
  returned: always
  type: dict
  contains:
    slug:
      description: C(ref.slug).
      type: str
      sample: audit-to-siem
    source:
      description: Slug of the stream.
      type: str
      sample: audit-logs
    destination:
      description: Slug of the endpoint.
      type: str
      sample: siem
    enabled:
      description: Whether it forwards.
      type: bool
      sample: true
    state:
      description: State reported by the API.
      type: str
      sample: FORWARDING_PIPELINE_STATE_RUNNING
    state_message:
      description: Explanation of the state.
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
"""

from ..module_utils._coreweave import (
    AnsibleTelemetryObject,
    CoreWeaveError,
    find_stream,
    pipeline_spec,
    stream_view,
)
from ..module_utils._provider_module import run_module

COMPARED = ("source", "destination", "enabled")


class CoreWeaveTelemetryPipeline(AnsibleTelemetryObject):
    """One forwarding pipeline."""

    KIND = "pipeline"

    def diff_view(self, view):
        """The compared fields."""
        return dict((k, view[k]) for k in ("slug",) + COMPARED) if view else {}

    def present(self, slug, current):
        params = self.module.params
        wanted = dict(source=self.resolve_source(), destination=params["destination"], enabled=params["enabled"])
        self.check_destination(wanted["destination"])
        if current is not None and all(current[k] == wanted[k] for k in COMPARED):
            return
        self._mark_as_changed()
        if self.module.check_mode:
            self.result["pipeline"] = dict(current or self.view({"ref": {"slug": slug}}), **wanted)
        else:
            spec = pipeline_spec(wanted["source"], wanted["destination"], wanted["enabled"])
            self.write("POST" if current is None else "PATCH", slug, {"ref": {"slug": slug}, "spec": spec})
        self._set_diff(self.diff_view(current), self.diff_view(self.result["pipeline"]))

    def resolve_source(self):
        """The stream slug from source, or from source_name through the stream list."""
        params = self.module.params
        streams = [stream_view(s) for s in self.list_streams()]
        if params["source_name"]:
            found = find_stream(streams, params["source_name"])
            if found is None:
                raise CoreWeaveError("no telemetry stream has the display name '%s'; the organization's streams are: %s" % (
                    params["source_name"], ", ".join("%s (%s)" % (s["display_name"], s["slug"]) for s in streams) or "none"))
            return found["slug"]
        if params["source"] not in [s["slug"] for s in streams]:
            raise CoreWeaveError("telemetry stream '%s' (option source) does not exist; the organization's streams are: %s" % (
                params["source"], ", ".join("%s (%s)" % (s["slug"], s["display_name"]) for s in streams) or "none"))
        return params["source"]

    def check_destination(self, slug):
        """A missing destination endpoint is an error, or a warning in check mode (an earlier task may create it)."""
        if self.get_endpoint(slug) is not None:
            return
        text = ("forwarding endpoint '%s' (option destination) does not exist; create it first with "
                "neocloud.support_access.coreweave_telemetry_endpoint" % slug)
        if self.module.check_mode:
            self.module.warn(text + " (check mode: reported, not failed)")
            return
        raise CoreWeaveError(text, status=404)


def main():
    options = dict(
        source=dict(type="str"),
        source_name=dict(type="str"),
        destination=dict(type="str"),
        enabled=dict(type="bool", default=True),
    )
    run_module(CoreWeaveTelemetryPipeline, options, mutually_exclusive=[("source", "source_name")],
               required_if=[("state", "present", ("source", "source_name"), True),
                            ("state", "present", ("destination",))])


if __name__ == "__main__":
    main()
