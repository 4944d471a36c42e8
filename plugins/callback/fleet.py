# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
type: stdout
short_description: What a support access run did, one line per cluster, then the fleet and the report files
version_added: 0.1.0
author:
  - neocloud.support_access maintainers (@neocloud)
description:
  - A stdout callback for the collection's playbooks (C(audit), C(enable), C(revoke), C(expire), C(sweep),
    C(disable), C(report_merge)). Instead of a line per task and host it prints, as each cluster finishes, one line
    with the cluster's verdict and, in a few words, what the run did there or which doors are open; at the end the
    fleet (clusters per verdict, the clusters open now, those whose state is unknown) and the report files.
  - A failure is printed once per cluster, without the task's source; when the cluster's report carries it (the
    playbooks rescue a failing cluster and report it) only the cluster's line says it.
  - A C(--check) run says so first and last, and its verdicts say what the run would do (C(WOULD_REVOKE), ...).
  - With C(-v) or more it prints what the C(default) callback prints. Other playbooks show only their failures,
    warnings and the recap at verbosity 0.
  - Enable it in C(ansible.cfg) (C([defaults] stdout_callback = neocloud.support_access.fleet)) or with
    C(ANSIBLE_STDOUT_CALLBACK=neocloud.support_access.fleet).
extends_documentation_fragment:
  - ansible.builtin.default_callback
  - ansible.builtin.result_format_callback
requirements:
  - set as stdout callback in configuration
"""

import os
import re

from ansible import constants as C
from ansible import context
from ansible.plugins.callback.default import CallbackModule as DefaultCallback

from ansible_collections.neocloud.support_access.plugins.module_utils._report import FAILING_VERDICTS

FACT = "support_access_cluster_report"
# verdict -> colour of its line
_COLOURS = {"compliant": C.COLOR_OK, "revoked": C.COLOR_OK, "would_revoke": C.COLOR_CHANGED,
            "noncompliant": C.COLOR_CHANGED, "not_revoked": C.COLOR_ERROR, "would_stay_open": C.COLOR_ERROR,
            "error": C.COLOR_ERROR, "unreachable": C.COLOR_UNREACHABLE}
_SHOWN = 3  # items of one kind on a cluster's line before "and N more"


def _items(values, limit=_SHOWN):
    values = [str(v) for v in values if v]
    text = ", ".join(values[:limit])
    return text + (" and %d more" % (len(values) - limit) if len(values) > limit else "")


def _first_paragraph(text, limit=400):
    """A message without the source snippet Ansible appends to some errors, on one line."""
    text = str(text or "").strip().split("\n\n", maxsplit=1)[0]
    kept = []
    for line in text.splitlines():
        if line.startswith(("Origin:", "The error appears to be in", "The offending line")):
            break
        kept.append(line.strip())
    text = " ".join(k for k in kept if k)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# door class -> how several of them are named on a line (docs/doors.md lists the classes)
_CLASS_PLURALS = {"provider-api": "provider API settings", "chart": "chart releases", "firewall": "firewall openings",
                  "rbac": "bindings", "chart-object": "chart objects", "diagnostic-pod": "diagnostic pods",
                  "workload": "workloads", "debug-container": "pods with debug containers",
                  "credentials": "credential windows"}


def doors_text(doors):
    """Open doors in a few words: one door of a class by its name, several as a count
    (``api/support-access, helm/crusoe-support-roles, 3 bindings (1 suspicious), 20 chart objects``)."""
    by_class = {}
    for door in doors:
        by_class.setdefault(str(door.get("class") or "door"), []).append(door)
    parts = []
    for door_class, members in by_class.items():
        suspicious = sum(1 for d in members if d.get("status") == "suspicious")
        if len(members) == 1:
            parts.append("%s%s" % (members[0].get("ref"), " (suspicious)" if suspicious else ""))
        else:
            parts.append("%d %s%s" % (len(members), _CLASS_PLURALS.get(door_class, door_class),
                                      " (%d suspicious)" % suspicious if suspicious else ""))
    return ", ".join(parts)


_DELETED = re.compile(r"^((?:would have )?deleted) ([A-Za-z]+) (\S+)$")


def actions_text(actions):
    """What a run did, in a few words: deletions counted per kind (``deleted 6 ClusterRoles, 18 ClusterRoleBindings``)
    when there are several, every other action as it is."""
    counted, order, others = {}, [], []
    for action in actions:
        match = _DELETED.match(action)
        if match:
            key = (match.group(1), match.group(2))
            if key not in counted:
                order.append(key)
            counted.setdefault(key, []).append(action)
        else:
            others.append(action)
    words = []
    for verb, kind in order:
        found = counted[(verb, kind)]
        words.append(found[0] if len(found) == 1 else "%s %d %ss" % (verb, len(found), kind))
    return _items(others + words, 6)


def cluster_line(report):
    """(name, VERDICT, what happened) of one cluster's report, in a few words."""
    verdict = str(report.get("verdict") or "error")
    parts = []
    error = str(report.get("error") or "")
    if error and verdict in ("error", "unreachable", "not_revoked"):
        parts.append(_first_paragraph(error, 300))
    actions = [str(a) for a in report.get("actions") or []]
    if actions and verdict not in ("would_revoke", "would_stay_open"):  # a dry run's line says what it would close
        parts.append(actions_text(actions))
    doors = [d for d in report.get("doors") or [] if isinstance(d, dict) and d.get("status") in ("confirmed", "suspicious")]
    if doors and verdict not in ("not_revoked", "would_revoke", "would_stay_open"):
        parts.append("open: " + doors_text(doors))
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    if verdict in ("would_revoke", "would_stay_open"):
        chosen = [d for d in doors if (verdict == "would_revoke") == bool(d.get("revoke_closes"))]
        parts.append(("would close: " if verdict == "would_revoke" else "would stay open: ") + (doors_text(chosen) or _items([
            f.get("message") for f in findings if f.get("code") in ("would-revoke", "would-stay-open")], 1)))
    elif verdict == "not_revoked" and not error:
        parts.append(_items([f.get("message") for f in findings if f.get("code") == "not-revoked"], 1))
    codes = [f.get("code") for f in findings if f.get("severity") in ("high", "medium")
             and f.get("code") not in ("not-revoked", "unreachable", "would-revoke", "would-stay-open")]
    if codes:
        parts.append("findings: " + _items(codes))
    lease = report.get("lease") if isinstance(report.get("lease"), dict) else {}
    if lease.get("status") in ("active", "expired"):
        parts.append("lease %s %s until %s" % (lease.get("ticket") or "(no ticket)", lease.get("status"), lease.get("expires_at") or "?"))
    return str(report.get("cluster") or "?"), verdict.upper(), "; ".join(parts) or "nothing open"


def summary_lines(result):
    """The fleet: clusters per verdict, open now, unknown, problems and the report files, from a support_access_report result."""
    summary = result.get("summary") or {}
    files = result.get("files") or {}
    latest = result.get("latest") or {}
    playbook = result.get("playbook") or "report"
    counts = ", ".join("%d %s" % (n, v) for v, n in (summary.get("verdicts") or {}).items() if n) or "no clusters"
    lines = [("%s%s: %d cluster(s): %s" % (playbook, " (dry run, --check)" if result.get("dry_run") else "",
                                           summary.get("clusters", 0), counts), None)]
    open_now = summary.get("open") or []
    lines.append(("  open now (%d): %s" % (len(open_now), _items(open_now, 20) or "none"),
                  C.COLOR_ERROR if open_now else C.COLOR_OK))
    unknown = summary.get("unknown") or []
    if unknown:
        lines.append(("  unknown, could not be read (%d): %s" % (len(unknown), _items(unknown, 20)), C.COLOR_UNREACHABLE))
    # the clusters of each failing verdict (those already named as unknown left out)
    for verdict in FAILING_VERDICTS:
        names = [n for n in summary.get(verdict) or [] if n not in unknown]
        if names:
            lines.append(("  %s (%d): %s" % (verdict.replace("_", " "), len(names), _items(names, 20)),
                          _COLOURS.get(verdict)))
    for problem in summary.get("problems") or []:
        lines.append(("  problem: %s" % _first_paragraph(problem), C.COLOR_ERROR))
    main = files.get("html") or files.get("markdown") or files.get("json") or next(iter(files.values()), "")
    if main:
        others = sorted(os.path.basename(p) for f, p in files.items() if p != main)
        lines.append(("  report: %s%s" % (_shown(main), " (and %s)" % ", ".join(others) if others else ""), None))
    if latest:
        lines.append(("  latest: %s" % _shown(latest.get("html") or next(iter(latest.values()))), None))
    return lines


def _shown(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _is_report_task(task):
    return str(task.action or "").endswith("support_access_report")


class CallbackModule(DefaultCallback):
    """The fleet's story at verbosity 0, the default callback's output at -v and more."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "neocloud.support_access.fleet"

    def __init__(self):
        super().__init__()
        self._header = None  # the play's name, printed before its first line
        self._printed = {}  # host -> its last cluster line
        self._pending = {}  # host -> failure message not yet said by a cluster line
        self._said = set()  # hosts whose failure was printed

    # -------------------------------------------------------------------------------- helpers
    def _quiet(self):
        return self._display.verbosity < 1

    def _line(self, text, color=None):
        if self._header:
            self._display.display(self._header)
            self._header = None
        self._display.display(text, color=color)

    def _flush_pending(self):
        """The failures no cluster line said: once per message (a refusal of the whole run names its clusters once)."""
        by_message = {}
        for host in sorted(self._pending):
            by_message.setdefault(self._pending[host], []).append(host)
            self._said.add(host)
        for message, hosts in by_message.items():
            if len(hosts) == 1:
                self._line("  %-24s FAILED        %s" % (hosts[0], message), C.COLOR_ERROR)
            else:
                self._line("  %-24s FAILED        %s [%s]" % ("%d clusters" % len(hosts), message, _items(hosts, 10)),
                           C.COLOR_ERROR)
        self._pending.clear()

    def _cluster(self, report):
        name, verdict, what = cluster_line(report)
        text = "  %-24s %-14s %s" % (name, verdict, what)
        if self._printed.get(name) != text:
            self._line(text, _COLOURS.get(verdict.lower()))
            self._printed[name] = text
        self._pending.pop(name, None)

    # -------------------------------------------------------------------------------- playbook and plays
    def v2_playbook_on_start(self, playbook):
        if not self._quiet():
            return super().v2_playbook_on_start(playbook)
        name = os.path.splitext(os.path.basename(playbook._file_name))[0]
        if context.CLIARGS.get("check"):
            self._line("%s: DRY RUN (--check): nothing is changed; the verdicts say what the run would do" % name,
                       C.COLOR_CHANGED)
        return None

    def v2_playbook_on_play_start(self, play):
        self._play = play
        if not self._quiet():
            return super().v2_playbook_on_play_start(play)
        self._flush_pending()
        name = play.get_name().strip()
        self._header = "== %s%s" % (name, " [dry run]" if play.check_mode else "") if name else None
        return None

    def v2_playbook_on_no_hosts_matched(self):
        if not self._quiet():
            super().v2_playbook_on_no_hosts_matched()

    def v2_playbook_on_no_hosts_remaining(self):
        if not self._quiet():
            super().v2_playbook_on_no_hosts_remaining()

    def v2_playbook_on_task_start(self, task, is_conditional):
        if not self._quiet():
            super().v2_playbook_on_task_start(task, is_conditional)

    def v2_playbook_on_handler_task_start(self, task):
        if not self._quiet():
            super().v2_playbook_on_handler_task_start(task)

    def v2_playbook_on_include(self, included_file):
        if not self._quiet():
            super().v2_playbook_on_include(included_file)

    # -------------------------------------------------------------------------------- results
    def v2_runner_on_ok(self, result):
        if not self._quiet():
            return super().v2_runner_on_ok(result)
        self._handle_warnings(result.result)
        report = (result.result.get("ansible_facts") or {}).get(FACT)
        if isinstance(report, dict) and report:
            self._cluster(report)
        elif _is_report_task(result.task):
            self._report(result.result)
        return None

    def _report(self, res):
        self._flush_pending()
        for text, color in summary_lines(res):
            self._line(text, color)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not self._quiet():
            return super().v2_runner_on_failed(result, ignore_errors)
        self._handle_warnings(result.result)
        result.result.pop("exception", None)
        if ignore_errors:
            return None
        host = result.host.get_name()
        msg = _first_paragraph(result.result.get("msg") or result.result.get("stderr") or "failed")
        if _is_report_task(result.task):
            if result.result.get("summary"):
                self._report(result.result)
            self._line("  %s" % msg, C.COLOR_ERROR)
            return None
        if host in self._printed or host in self._said:
            return None  # the cluster's line (or an earlier failure) said it
        if host in self._pending:
            return None
        # said when the cluster's line does not come (a playbook rescues a failing cluster and reports it)
        self._pending[host] = "%s: %s" % (result.task.get_name().strip(), msg) if not msg.startswith("cluster ") else msg
        return None

    def v2_runner_on_unreachable(self, result):
        if not self._quiet():
            return super().v2_runner_on_unreachable(result)
        host = result.host.get_name()
        if host not in self._printed:
            self._pending.setdefault(host, "UNREACHABLE: %s" % _first_paragraph(result.result.get("msg")))
        return None

    def v2_runner_on_skipped(self, result):
        if not self._quiet():
            super().v2_runner_on_skipped(result)

    def v2_runner_item_on_ok(self, result):
        if not self._quiet():
            super().v2_runner_item_on_ok(result)

    def v2_runner_item_on_skipped(self, result):
        if not self._quiet():
            super().v2_runner_item_on_skipped(result)

    def v2_runner_item_on_failed(self, result):
        if not self._quiet():
            super().v2_runner_item_on_failed(result)

    def v2_runner_retry(self, result):
        if not self._quiet():
            return super().v2_runner_retry(result)
        res = result.result
        self._line("  %-24s retrying %s (%d of %d)" % (result.host.get_name(), result.task.get_name().strip(),
                                                       res.get("attempts", 0), res.get("retries", 0)), C.COLOR_DEBUG)
        return None

    def v2_playbook_on_stats(self, stats):
        if self._quiet():
            self._flush_pending()
        super().v2_playbook_on_stats(stats)
