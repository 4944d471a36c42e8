# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_activity
short_description: Report what cloud-provider support did, from Kubernetes audit logs and Teleport audit events
version_added: 0.1.0
description:
  - Reads Kubernetes audit logs (C(audit.k8s.io/v1) C(Event) objects, one JSON object per line) and Teleport audit
    events (JSON lines) from files, directories or glob patterns, plain or gzip-compressed (detected by the gzip magic
    bytes, whatever the file is called). Both kinds may be mixed in one file.
  - Streams every file line by line, so multi-gigabyte logs are read with bounded memory. Lines that are not JSON,
    not an object, of an unknown kind or lack required fields are skipped and counted per file; nothing in the logs
    makes the module fail.
  - Collects Teleport access requests (C(access_request.create), C(update), C(review), C(expire), C(delete)) with
    their state transitions, who approved or denied them and when, and the access expiry.
  - Collects what support identities did in each cluster (verb, resource, subresource, namespace, name), with
    counts per verb, resource and user. A support identity is the effective identity of an audit event
    (C(impersonatedUser) when Teleport impersonates, else C(user)) whose groups match O(support_groups), whose name
    matches O(support_users), or an impersonated request made by a user matching O(impersonators).
  - Reports findings - actions outside every approved window, after revocation or after a denial, approvals longer
    than O(max_approval), approvals by someone not in O(approvers), exec into pods, Secrets read, requests that
    expired unanswered. See RV(findings) and C(docs/activity.md) for the codes.
  - Only audit events of the final stages (C(ResponseComplete), C(Panic)) or without a stage count as actions, so a
    request is counted once; requests the API server answered with an error (HTTP 400 and above) are counted as
    failed requests, not as actions.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.report_module
attributes:
  check_mode:
    details: Reads and analyses the logs; with O(dest) it says whether the report file would change but writes nothing.
options:
  paths:
    description:
      - Log files, directories (their regular files, not recursive; hidden files skipped) or glob patterns
        (C(**) allowed).
      - An entry that names no file fails the module.
    type: list
    elements: path
    required: true
  cluster:
    description:
      - The cluster of Kubernetes audit events in files O(cluster_map) does not name, and of Teleport events without
        C(kubernetes_cluster). When omitted such events belong to the cluster C(unknown) (Kubernetes audit) or to
        every cluster (access requests).
    type: str
  cluster_map:
    description:
      - Maps a log file (its path, its file name or a glob pattern over either) to the cluster its events belong to.
      - A Teleport event's own C(kubernetes_cluster) (or a C(kube_cluster) entry of C(resource_ids)) wins over the map.
    type: dict
    default: {}
  support_groups:
    description:
      - Glob patterns of groups that make an identity a support identity.
      - The default covers the Crusoe support groups and the groups of CoreWeave's Teleport roles.
    type: list
    elements: str
    default: ["crusoe:support:*", teleport-cluster-viewers, teleport-cluster-super-admins]
  support_users:
    description: Glob patterns of user names that are support identities, for example C(*@coreweave.com).
    type: list
    elements: str
    default: []
  impersonators:
    description:
      - Glob patterns of the authenticated user (C(user.username)) of impersonated requests that are support activity
        whoever is impersonated, for example the Teleport agent's identity.
    type: list
    elements: str
    default: []
  approvers:
    description:
      - Glob patterns of the people allowed to approve access requests. An approved request whose approver matches
        none is reported as C(approver-not-allowed). Empty means not checked.
    type: list
    elements: str
    default: []
  revoked_at:
    description:
      - When support access was revoked, per cluster (cluster name -> RFC 3339 time); the key C(*) applies to every
        cluster. Actions at or after that time, outside every approved window, are C(activity-after-revocation).
      - Overrides the revocation time taken from O(leases).
    type: dict
    default: {}
  leases:
    description:
      - Lease records as M(neocloud.support_access.support_lease) returns them (C(cluster), C(enabled_at),
        C(expires_at), C(state), C(closed_at)). Each lease is an approved window for every support identity of its
        cluster (all clusters when it names none), from C(enabled_at) until C(expires_at) or C(closed_at); a closed
        lease's C(closed_at) is the cluster's revocation time unless O(revoked_at) names one.
    type: list
    elements: dict
    default: []
  max_approval:
    description: The longest access an approval may grant (C(8h), C(90m), C(1h30m) or seconds); longer is C(approval-too-long).
    type: str
    default: 8h
  default_access:
    description: How long an approved request without C(expires) grants access, as CoreWeave documents it.
    type: str
    default: 8h
  max_examples:
    description: How many example events each finding keeps; the rest are only counted.
    type: int
    default: 5
  dest:
    description:
      - Write the whole result as a JSON report to this file (atomically). Nothing is written when the file already
        holds the same report, and the module then reports no change.
      - The report is never read as a log, even when it lies in a directory O(paths) names.
    type: path
notes:
  - Teleport C(kube.request), C(exec) and session events are counted per cluster and type; actions are taken from the
    Kubernetes audit log, which records every request once.
  - An approved window is C([approved_at, expires)); an action exactly at C(expires) or at the revocation time is
    outside it. A request whose C(access_request.create) event is not in the logs covers every support user of its
    cluster.
seealso:
  - module: neocloud.support_access.support_lease
  - module: neocloud.support_access.support_rbac_info
"""

EXAMPLES = r"""
- name: What did CoreWeave support do in cks-prod?
  neocloud.support_access.support_activity:
    paths:
      - /var/log/telemetry-relay/teleport/*.jsonl.gz
      - /var/log/telemetry-relay/kube-audit/
    cluster: cks-prod
    support_users: ["*@coreweave.com"]
    approvers: ["*@example.com"]
    dest: reports/activity-cks-prod.json
  register: activity

- name: Fail on high-severity findings
  ansible.builtin.assert:
    that: activity.summary.by_severity.high == 0
    fail_msg: "{{ activity.findings | selectattr('severity', 'equalto', 'high') | map(attribute='detail') | list }}"

- name: Crusoe clusters, revocation time from the lease records
  neocloud.support_access.support_activity:
    paths: ["audit/{{ inventory_hostname }}/*.log*"]
    cluster: "{{ inventory_hostname }}"
    support_groups: ["crusoe:support:*"]
    leases: "{{ [lease.lease] if lease.lease else [] }}"
"""

RETURN = r"""
clusters:
  description: Per cluster (name -> summary) what support identities did.
  returned: always
  type: dict
  sample:
    cks-prod:
      support_actions: 42
      exec: 1
      secrets_read: 1
      writes: 3
      by_verb: {get: 30, list: 9, create: 3}
      by_resource: {pods: 20, pods/exec: 1, secrets: 1}
      by_user: {alice@coreweave.com: 41}
      first_action: "2026-03-01T08:15:00Z"
      last_action: "2026-03-01T17:12:00Z"
      revoked_at: "2026-03-02T04:00:00Z"
      findings: {exec-into-pod: 1}
  contains:
    k8s_events:
      description: Kubernetes audit events read for the cluster.
      type: int
    teleport_events:
      description: Teleport events other than access requests, per event type.
      type: dict
    support_events:
      description: Audit events of support identities, all stages.
      type: int
    support_actions:
      description: Support requests that succeeded (final stage, status below 400).
      type: int
    failed_requests:
      description: Support requests the API server refused or failed.
      type: int
    ignored_stages:
      description: Support audit events of intermediate stages (C(RequestReceived), C(ResponseStarted)), not counted as actions.
      type: int
    exec:
      description: Exec, attach and port-forward actions into pods.
      type: int
    secrets_read:
      description: get, list and watch on Secrets.
      type: int
    writes:
      description: create, update, patch, delete and deletecollection actions (exec not included).
      type: int
    by_verb:
      description: Actions per verb.
      type: dict
    by_resource:
      description: Actions per resource (C(resource/subresource)).
      type: dict
    by_user:
      description: Actions per support user.
      type: dict
    first_action:
      description: Time of the first action.
      type: str
    last_action:
      description: Time of the last action.
      type: str
    revoked_at:
      description: The revocation time used for the cluster.
      type: str
    access_requests:
      description: Ids of the access requests that apply to the cluster.
      type: list
      elements: str
    findings:
      description: Number of findings per code.
      type: dict
access_requests:
  description: Every Teleport access request seen.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The request id.
      type: str
    cluster:
      description: The cluster the request is for; null when it applies to every cluster.
      type: str
    user:
      description: Who requested access (null when the create event is not in the logs).
      type: str
    roles:
      description: The requested roles.
      type: list
      elements: str
    reason:
      description: The requester's reason.
      type: str
    state:
      description: The state after the last event (C(PENDING), C(APPROVED), C(DENIED), C(PROMOTED), or C(EXPIRED) when it expired unanswered).
      type: str
    created:
      description: When the request was created.
      type: str
    approved_at:
      description: When it was approved.
      type: str
    approved_by:
      description: Who approved it.
      type: str
    denied_at:
      description: When it was denied.
      type: str
    denied_by:
      description: Who denied it.
      type: str
    expires:
      description: The access expiry the logs give.
      type: str
    max_duration:
      description: The longest the access may be extended to.
      type: str
    expired_at:
      description: When the request expired (C(access_request.expire)).
      type: str
    deleted_at:
      description: When the request was deleted.
      type: str
    reviewers:
      description: Everyone who reviewed it.
      type: list
      elements: str
    transitions:
      description: Every event of the request in time order (time, event, state, by, proposed_state).
      type: list
      elements: dict
    window:
      description: The approved access window C({start, end, assumed_end}) or null.
      type: dict
findings:
  description: What needs attention, high severity first.
  returned: always
  type: list
  elements: dict
  contains:
    severity:
      description: C(high), C(medium), C(low) or C(info).
      type: str
    code:
      description:
        - C(activity-after-revocation), C(activity-after-denial), C(activity-outside-window), C(approver-not-allowed),
          C(approval-too-long), C(exec-into-pod), C(secrets-read) or C(request-expired).
      type: str
    cluster:
      description: The cluster (null for a request that applies to every cluster).
      type: str
    user:
      description: The support user who acted, or who requested access.
      type: str
    time:
      description: The first occurrence.
      type: str
    last_time:
      description: The last occurrence.
      type: str
    count:
      description: How many events the finding covers.
      type: int
    request_id:
      description: The access request of a request finding.
      type: str
    detail:
      description: What happened, in words.
      type: str
    examples:
      description: Up to O(max_examples) of the actions (time, user, verb, resource, subresource, namespace, name, audit_id, impersonated_by, user_agent).
      type: list
      elements: dict
files:
  description: Per file what was read.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The file.
      type: str
    cluster:
      description: The cluster O(cluster_map) or O(cluster) assigns to it.
      type: str
    compression:
      description: C(gzip) or C(none).
      type: str
    bytes:
      description: The file's size on disk.
      type: int
    lines:
      description: Lines read.
      type: int
    parsed:
      description: Lines that were a usable Kubernetes audit or Teleport event.
      type: int
    blank:
      description: Empty lines.
      type: int
    skipped:
      description: Lines skipped.
      type: int
    skipped_reasons:
      description: Skipped lines per reason (malformed_json, not_object, unknown_kind, missing_fields, line_too_long).
      type: dict
    k8s_events:
      description: Kubernetes audit events parsed.
      type: int
    teleport_events:
      description: Teleport events parsed.
      type: int
    error:
      description: Why reading stopped early (for example a truncated gzip stream), else null.
      type: str
summary:
  description: Totals over all files and clusters.
  returned: always
  type: dict
  sample:
    files: 2
    lines: 120000
    parsed: 119990
    skipped: 10
    clusters: 1
    support_actions: 42
    findings: 9
    by_severity: {high: 4, medium: 4, low: 0, info: 1}
dest:
  description: The report file, when O(dest) is set.
  returned: when O(dest) is set
  type: str
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.neocloud.support_access.plugins.module_utils import _activity
from ansible_collections.neocloud.support_access.plugins.module_utils import _lease
from ansible_collections.neocloud.support_access.plugins.module_utils._files import read_bytes as _read, write_atomically


def run(module):
    params = module.params
    try:
        max_approval = _lease.parse_duration(params["max_approval"], "max_approval")
        default_access = _lease.parse_duration(params["default_access"], "default_access")
        result = _activity.analyze(
            params["paths"], exclude=[params["dest"]], support_groups=params["support_groups"], support_users=params["support_users"],
            impersonators=params["impersonators"], approvers=params["approvers"], revoked_at=params["revoked_at"],
            leases=params["leases"], cluster=params["cluster"], cluster_map=params["cluster_map"],
            max_approval=max_approval, default_access=default_access, max_examples=params["max_examples"])
    except (_activity.ActivityError, _lease.LeaseError) as exc:
        module.fail_json(msg="invalid option: %s" % exc)
    except OSError as exc:
        module.fail_json(msg="cannot read the logs: %s" % to_native(exc))
    changed = False
    dest = params["dest"]
    if dest:
        data = to_bytes(json.dumps(result, indent=2, sort_keys=True) + "\n")
        changed = _read(dest) != data
        if changed and not module.check_mode:
            try:
                write_atomically(module, dest, data)
            except OSError as exc:
                module.fail_json(msg="cannot write the report to %s: %s" % (dest, to_native(exc)))
        result["dest"] = dest
    summary = result["summary"]
    counts = ", ".join("%d %s" % (summary["by_severity"][s], s) for s in _activity.SEVERITIES if summary["by_severity"][s])
    result["msg"] = "read %d line(s) in %d file(s) (%d skipped): %d support action(s) in %d cluster(s), findings: %s" % (
        summary["lines"], summary["files"], summary["skipped"], summary["support_actions"], summary["clusters"],
        counts or "none")
    module.exit_json(changed=changed, **result)


def main():
    argument_spec = dict(
        paths=dict(type="list", elements="path", required=True),
        cluster=dict(type="str"),
        cluster_map=dict(type="dict", default={}),
        support_groups=dict(type="list", elements="str", default=list(_activity.DEFAULT_SUPPORT_GROUPS)),
        support_users=dict(type="list", elements="str", default=[]),
        impersonators=dict(type="list", elements="str", default=[]),
        approvers=dict(type="list", elements="str", default=[]),
        revoked_at=dict(type="dict", default={}),
        leases=dict(type="list", elements="dict", default=[]),
        max_approval=dict(type="str", default="8h"),
        default_access=dict(type="str", default="8h"),
        max_examples=dict(type="int", default=5),
        dest=dict(type="path"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
