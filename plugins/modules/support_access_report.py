# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: support_access_report
short_description: Write the fleet's support access report as JSON, Markdown, HTML and JUnit XML
version_added: 0.1.0
description:
  - Turns the per-cluster C(support_access_cluster_report) facts of a play into report files, one set per run.
  - Run it once, on the controller (C(run_once) or a C(localhost) play), over every host of the play including the
    failed and unreachable ones; the filter P(neocloud.support_access.support_access_reports#filter) collects them from
    C(hostvars) and turns a host that never set its fact into a cluster with verdict C(error).
  - Reports that carry no verdict yet, or every report when O(policy) is given, are evaluated against the policy.
  - O(sources) merges earlier JSON reports (for example one per AWX job slice) with O(reports); for a cluster in
    several inputs the report with the later C(checked_at) wins.
  - Files are written atomically (a temporary file in O(dest), then renamed). With an explicit O(basename), when the
    rendered reports equal the files already in O(dest) apart from the generation time, nothing is written and the
    module reports no change.
author:
  - neocloud.support_access maintainers (@neocloud)
extends_documentation_fragment:
  - neocloud.support_access.attributes
  - neocloud.support_access.attributes.report_module
attributes:
  check_mode:
    details:
      - Renders the reports and says whether the files would change; writes nothing and creates no directory.
      - A report is output, not infrastructure, so playbooks usually run this task with C(check_mode=false) to get
        the report of a C(--check) run.
options:
  reports:
    description:
      - The per-cluster reports (schema 1, as set in the C(support_access_cluster_report) fact).
    type: list
    elements: dict
    default: []
  sources:
    description:
      - Paths or glob patterns of JSON reports written earlier by this module, merged with O(reports).
      - A pattern that matches no file fails the module.
    type: list
    elements: path
    default: []
  dest:
    description: The directory the report files are written to; created when missing.
    type: path
    required: true
  formats:
    description:
      - The files to write, C(<basename>.json), C(<basename>.md), C(<basename>.html) and C(<basename>.junit.xml).
    type: list
    elements: str
    choices: [json, markdown, html, junit]
    default: [json, markdown, html, junit]
  basename:
    description:
      - The file name without extension; AWX job slices pass their own.
      - Default with O(playbook) set, one set of files per run, C(<time>-<playbook>), for example
        C(20261206T094512Z-revoke) (the generation time in UTC), so a run never overwrites the report of another;
        without O(playbook), C(support-access-report).
    type: str
  playbook:
    description:
      - The run's playbook (C(audit), C(enable), C(revoke), ...), recorded in the report and used in the default
        O(basename) and in the C(latest-<playbook>) copies.
    type: str
  latest:
    description:
      - With O(playbook) set and no O(basename), also write the files as C(latest-<playbook>.<extension>), replaced by
        each run of that playbook, so that C(reports/latest-audit.html) is always the last audit. A run with its own
        O(basename) (an AWX job slice, a part of the fleet) leaves the C(latest-) files alone.
    type: bool
    default: true
  dry_run:
    description:
      - The run was C(--check) (pass C(ansible_check_mode)); the report says so in a banner and its verdicts are what
        the run would do (C(would_revoke), C(would_stay_open)).
      - Without it, the report is a dry run when a cluster's report says so.
    type: bool
  title:
    description: The report's title.
    type: str
    default: Support access report
  policy:
    description:
      - The support access policy (the C(support_access_policy) keys C(allowed_roles), C(max_lease), C(require_lease),
        C(allow_firewall_opening), C(support_subjects), C(allow_diagnostic_pods)), merged over the defaults.
      - When given, every cluster is evaluated again; without it, the findings and verdicts in the reports are kept.
    type: dict
  fail_on_findings:
    description:
      - Fail after writing the files when a cluster is C(noncompliant), C(not_revoked), C(error) or C(unreachable);
        the message names them.
    type: bool
    default: false
  expected_clusters:
    description:
      - How many clusters the report must hold at least; fewer fail the task after writing the files, and the report
        says how many were missing. V(0) does not check.
      - The playbooks pass C(support_access_expected_clusters), so a run whose inventory source failed or yielded too
        few clusters cannot pass as a short green report.
    type: int
    default: 0
  problems:
    description:
      - What is wrong with the run as a whole (for example an inventory that yielded no cluster); each is listed in
        the report's C(summary.problems) and any fails the task after writing the files.
    type: list
    elements: str
    default: []
notes:
  - Runs on the controller; it reads no inventory and contacts no cluster.
  - The verdicts and finding codes are explained in the collection's C(docs/report.md).
seealso:
  - module: neocloud.support_access.support_rbac_info
  - module: neocloud.support_access.support_pods
"""

EXAMPLES = r"""
- name: Write the fleet report for every host of the play
  neocloud.support_access.support_access_report:
    reports: "{{ hostvars | neocloud.support_access.support_access_reports(ansible_play_hosts_all, 'audit') }}"
    dest: "{{ playbook_dir }}/reports"
    fail_on_findings: true
  run_once: true
  delegate_to: localhost
  check_mode: false

- name: Merge the reports of several AWX job slices into one
  neocloud.support_access.support_access_report:
    sources:
      - /var/lib/reports/slice-*.json
    dest: /var/lib/reports
    basename: fleet
    formats: [json, html, junit]
  delegate_to: localhost
  run_once: true

- name: Evaluate again under a stricter policy
  neocloud.support_access.support_access_report:
    reports: "{{ previous.clusters }}"
    dest: reports/strict
    policy:
      allowed_roles: [readonly]
      max_lease: 4h
      allow_firewall_opening: false
"""

RETURN = r"""
files:
  description: The report files of this run, format to path.
  returned: always
  type: dict
  sample: {json: reports/20261206T094512Z-audit.json, html: reports/20261206T094512Z-audit.html}
latest:
  description: The C(latest-<playbook>) copies, format to path (empty without O(playbook), with O(basename) or with O(latest=false)).
  returned: always
  type: dict
  sample: {json: reports/latest-audit.json, html: reports/latest-audit.html}
playbook:
  description: The run's playbook as recorded in the report (O(playbook), or the clusters' own when they agree).
  returned: always
  type: str
dry_run:
  description: Whether the report is of a C(--check) run.
  returned: always
  type: bool
summary:
  description: Counts over the fleet.
  returned: always
  type: dict
  contains:
    clusters:
      description: How many clusters the report covers.
      type: int
    verdicts:
      description:
        - Clusters per verdict (compliant, noncompliant, revoked, not_revoked, error, unreachable; would_revoke and
          would_stay_open in a C(revoke --check) run).
      type: dict
    open:
      description: Names of the clusters with a confirmed or suspicious door open now, whatever their verdict.
      type: list
      elements: str
    unknown:
      description: Names of the clusters whose doors could not be read (unreachable, or a run that failed before it read them).
      type: list
      elements: str
    would_stay_open:
      description: Names of the clusters where a revoke would leave a door open (C(revoke --check)).
      type: list
      elements: str
    would_revoke:
      description: Names of the clusters where a revoke would close every open door (C(revoke --check)).
      type: list
      elements: str
    providers:
      description: Clusters per provider.
      type: dict
    access_enabled:
      description: Clusters with support access enabled in the provider API.
      type: int
    active_requests:
      description: Active support access requests over the fleet.
      type: int
    confirmed_pods:
      description: Confirmed diagnostic pods over the fleet.
      type: int
    clusters_with_findings:
      description: Clusters with at least one finding (the C(unknown) record of unread sections does not count).
      type: int
    findings:
      description: Findings per severity (high, medium, low, and unknown - the records of sections that could not be read).
      type: dict
    noncompliant:
      description: Names of the noncompliant clusters.
      type: list
      elements: str
    not_revoked:
      description: Names of the clusters a revoke left open.
      type: list
      elements: str
    error:
      description: Names of the clusters whose run failed.
      type: list
      elements: str
    unreachable:
      description: Names of the unreachable clusters.
      type: list
      elements: str
    failed:
      description: Names of all clusters with a failing verdict.
      type: list
      elements: str
    problems:
      description: What is wrong with the run as a whole (O(problems), fewer clusters than O(expected_clusters)).
      type: list
      elements: str
    ok:
      description: Whether no cluster has a failing verdict and the run has no problems.
      type: bool
clusters:
  description: The clusters' reports as written (evaluated and normalised), failing clusters first.
  returned: always
  type: list
  elements: dict
generated_at:
  description: When the report was generated (RFC 3339); the time in the files already there when nothing changed.
  returned: always
  type: str
  sample: "2026-11-22T10:00:00Z"
msg:
  description: What was done.
  returned: always
  type: str
"""

import glob
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.neocloud.support_access.plugins.module_utils import _render, _report
from ansible_collections.neocloud.support_access.plugins.module_utils._files import read_bytes as _read, write_atomically


def _load_sources(module, patterns):
    docs = []
    for pattern in patterns:
        paths = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        paths = [p for p in paths if os.path.isfile(p)]
        if not paths:
            module.fail_json(msg="sources: %s matches no report file" % pattern)
        for path in paths:
            try:
                with open(path, "rb") as handle:
                    docs.append(json.loads(handle.read().decode("utf-8")))
            except (OSError, ValueError) as exc:
                module.fail_json(msg="sources: cannot read report %s: %s" % (path, to_native(exc)))
    return docs


def _previous_generated_at(path):
    """The generation time of the JSON report already at ``path``, or None."""
    try:
        with open(path, "rb") as handle:
            value = json.loads(handle.read().decode("utf-8")).get("generated_at")
        return value if isinstance(value, str) and value else None
    except (OSError, ValueError, AttributeError):
        return None


DEFAULT_BASENAME = "support-access-report"


def run_basename(generated_at, playbook):
    """The files of one run of ``playbook``: ``<time>-<playbook>`` (``20261206T094512Z-audit``)."""
    return "%s-%s" % (generated_at.replace("-", "").replace(":", ""), playbook)


def run(module):
    params = module.params
    dest = params["dest"]
    formats = list(dict.fromkeys(params["formats"]))
    if not formats:
        module.fail_json(msg="formats: name at least one of %s" % ", ".join(_render.FORMATS))
    basename, playbook = params["basename"], params["playbook"]
    for option, value in (("basename", basename), ("playbook", playbook)):
        if value is not None and (not value or "/" in value or value in (".", "..") or value.startswith(".")):
            module.fail_json(msg="%s: %r is not a file name part (no '/', not empty, not starting with '.')" % (option, value))
    try:
        reports = _report.prepare(params["reports"], params["policy"])
        if params["sources"]:
            docs = _load_sources(module, params["sources"]) + [{"schema": _report.SCHEMA, "clusters": reports}]
            reports = _report.prepare(_report.merge(docs)["clusters"], params["policy"])
    except _report.ReportError as exc:
        module.fail_json(msg=str(exc))
    if params["expected_clusters"] < 0:
        module.fail_json(msg="expected_clusters: expected a number of clusters (0 or more), got %d" % params["expected_clusters"])
    problems = _report.run_problems(len(reports), params["expected_clusters"], params["problems"])

    def build(generated_at=None):
        return _report.build_document(reports, params["title"], generated_at, problems, playbook=playbook,
                                      check_mode=params["dry_run"])

    per_run = basename is None and bool(playbook)
    if basename is None and not playbook:
        basename = DEFAULT_BASENAME
    rendered = None
    if basename is not None:
        previous = _previous_generated_at(os.path.join(dest, basename + _render.EXTENSIONS["json"]))
        if previous:
            doc = build(previous)
            candidate = {fmt: to_bytes(text) for fmt, text in _render.render(doc, formats).items()}
            if all(_read(os.path.join(dest, basename + _render.EXTENSIONS[fmt])) == candidate[fmt] for fmt in formats):
                rendered = candidate
    if rendered is None:
        doc = build()
        rendered = {fmt: to_bytes(text) for fmt, text in _render.render(doc, formats).items()}
    if basename is None:
        basename = run_basename(doc["generated_at"], playbook)
    paths = {fmt: os.path.join(dest, basename + _render.EXTENSIONS[fmt]) for fmt in formats}
    latest = {}
    if per_run and params["latest"]:
        latest = {fmt: os.path.join(dest, "latest-%s%s" % (playbook, _render.EXTENSIONS[fmt])) for fmt in formats}
    writes = [(paths[fmt], rendered[fmt]) for fmt in formats] + [(latest[fmt], rendered[fmt]) for fmt in latest]
    changed = any(_read(path) != data for path, data in writes)

    if changed and not module.check_mode:
        try:
            os.makedirs(dest, exist_ok=True)
            for path, data in writes:
                if _read(path) != data:
                    write_atomically(module, path, data, directory=dest)
        except OSError as exc:
            module.fail_json(msg="cannot write the report to %s: %s" % (dest, to_native(exc)), files=paths)

    summary = doc["summary"]
    result = dict(changed=changed, files=paths, latest=latest, summary=summary, clusters=doc["clusters"],
                  generated_at=doc["generated_at"], dry_run=doc["check_mode"], playbook=doc["playbook"])
    counts = ", ".join("%d %s" % (n, v) for v, n in summary["verdicts"].items() if n) or "no clusters"
    verb = ("would write" if module.check_mode else "wrote") if changed else "unchanged"
    result["msg"] = "%s support access report for %d cluster(s): %s" % (verb, summary["clusters"], counts)
    if problems:
        result["msg"] = "%s; report in %s" % ("; ".join(problems), dest)
        module.fail_json(**result)
    if params["fail_on_findings"] and summary["failed"]:
        parts = ["%s: %s" % (v.replace("_", " "), ", ".join(summary[v])) for v in _report.FAILING_VERDICTS if summary[v]]
        result["msg"] = ("support access policy failed on %d cluster(s) (%s); report in %s"
                         % (len(summary["failed"]), "; ".join(parts), dest))
        module.fail_json(**result)
    module.exit_json(**result)


def main():
    argument_spec = dict(
        reports=dict(type="list", elements="dict", default=[]),
        sources=dict(type="list", elements="path", default=[]),
        dest=dict(type="path", required=True),
        formats=dict(type="list", elements="str", choices=list(_render.FORMATS), default=list(_render.FORMATS)),
        basename=dict(type="str"),
        playbook=dict(type="str"),
        latest=dict(type="bool", default=True),
        dry_run=dict(type="bool"),
        title=dict(type="str", default=_report.DEFAULT_TITLE),
        policy=dict(type="dict"),
        fail_on_findings=dict(type="bool", default=False),
        expected_clusters=dict(type="int", default=0),
        problems=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
