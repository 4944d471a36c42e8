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
  - neocloud.support_access.coreweave.module
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

from ansible.module_utils.basic import AnsibleModule

from ..module_utils._coreweave import (
    TELEMETRY_PIPELINES,
    AnsibleCoreWeave,
    CoreWeaveError,
    coreweave_argument_spec,
    find_stream,
    pipeline_spec,
    pipeline_view,
    run_module,
    stream_view,
    unwrap,
)

COMPARED = ("source", "destination", "enabled")


def _diff_view(view):
    return dict((k, view[k]) for k in ("slug",) + COMPARED) if view else {}


class CoreWeaveTelemetryPipeline(AnsibleCoreWeave):
    """One forwarding pipeline."""

    def run(self):
        params = self.module.params
        slug = params["slug"]
        current_raw = self.get_pipeline(slug)
        current = pipeline_view(current_raw) if current_raw is not None else None
        self.result["pipeline"] = current
        if params["state"] == "absent":
            if current is not None:
                self._mark_as_changed()
                self._set_diff(_diff_view(current), {})
                if not self.module.check_mode:
                    self.telemetry("DELETE", "%s/%s" % (TELEMETRY_PIPELINES, slug))
                self.result["pipeline"] = None
            return
        wanted = dict(source=self.resolve_source(), destination=params["destination"], enabled=params["enabled"])
        self.check_destination(wanted["destination"])
        if current is not None and all(current[k] == wanted[k] for k in COMPARED):
            return
        self._mark_as_changed()
        spec = pipeline_spec(wanted["source"], wanted["destination"], wanted["enabled"])
        if self.module.check_mode:
            self.result["pipeline"] = dict(current or pipeline_view({"ref": {"slug": slug}}), **wanted)
        elif current is None:
            answer = self.telemetry("POST", TELEMETRY_PIPELINES, {"ref": {"slug": slug}, "spec": spec})
            self.result["pipeline"] = pipeline_view(unwrap(answer, "pipeline"))
        else:
            answer = self.telemetry("PATCH", "%s/%s" % (TELEMETRY_PIPELINES, slug), {"ref": {"slug": slug}, "spec": spec})
            self.result["pipeline"] = pipeline_view(unwrap(answer, "pipeline"))
        self._set_diff(_diff_view(current), _diff_view(self.result["pipeline"]))

    def _set_diff(self, before, after):
        if self.module._diff:  # pylint: disable=protected-access
            self.result["diff"] = dict(before=before, after=after)

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
    argument_spec = coreweave_argument_spec()
    argument_spec.update(
        slug=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        source=dict(type="str"),
        source_name=dict(type="str"),
        destination=dict(type="str"),
        enabled=dict(type="bool", default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[("source", "source_name")],
                           required_if=[("state", "present", ("source", "source_name"), True),
                                        ("state", "present", ("destination",))])
    run_module(module, CoreWeaveTelemetryPipeline)


if __name__ == "__main__":
    main()
