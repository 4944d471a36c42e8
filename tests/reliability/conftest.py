# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability and security suite (`make reliability`): end-to-end scenarios through real ansible-playbook
against the simulators, and the summary table printed at the end.

Every scenario takes the ``reliability`` fixture and records what it proved, with numbers taken from the
simulators' request logs and the run's output (never typed in by hand):

    reliability.fault(injected=12, survived=12)        # faults the simulators answered with, and how many the run survived
    reliability.bad_input(clear=True, option="port")   # one bad input, and whether the error named the option
    reliability.check_writes(n)                        # writes that reached an API during a --check run (must be 0)
    reliability.secrets_leaked(n, where="stdout")      # secret values found in output, reports or logs (must be 0)
    reliability.doors(planted=9, found=9, false_verdicts=0, customer_deleted=0)
                                                       # doors planted in an adversarial cluster, how many the audit named,
                                                       # REVOKED/compliant verdicts while one was open, customer deletes

The table sums them over the session. The run fails when a scenario fails, when a must-be-0 counter is not 0, or
when fewer faults were survived than injected, fewer bad inputs answered clearly than tried or fewer doors found
than planted. The totals are also
written as JSON to $RELIABILITY_SUMMARY (default .cache/reliability-summary.json).

`make reliability` runs the scenarios on two pytest-xdist workers: most scenarios spend much of their time waiting
(backoff, Retry-After, slow answers), and the other worker uses that time. A record travels from the worker to the
table in the test report's user_properties. A scenario marked ``solo`` (the fifty concurrent installs, which need the
whole machine to test the collection's concurrency and not the machine's) runs alone and first: the other scenarios
wait for it to end, then share the machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time

import pytest

from fleet_state import latest_report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COUNTERS = ("faults_injected", "faults_survived", "bad_inputs", "clear_errors", "check_mode_writes", "secrets_leaked",
            "doors_planted", "doors_found", "false_verdicts", "customer_deleted")
ROWS = (
    ("scenarios run", "scenarios", None),
    ("scenarios failed", "failed", "0"),
    ("faults injected", "faults_injected", None),
    ("faults survived", "faults_survived", "= injected"),
    ("bad inputs tried", "bad_inputs", None),
    ("bad inputs answered with a clear error", "clear_errors", "= tried"),
    ("writes made in check mode", "check_mode_writes", "0"),
    ("secrets leaked", "secrets_leaked", "0"),
    ("doors planted", "doors_planted", None),
    ("doors found", "doors_found", "= planted"),
    ("false REVOKED or compliant verdicts", "false_verdicts", "0"),
    ("customer objects deleted", "customer_deleted", "0"),
)


class Record:
    """What one scenario proved; see the module docstring."""

    def __init__(self, nodeid):
        self.nodeid = nodeid
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.details = []

    def fault(self, injected, survived):
        if injected < 0 or survived < 0 or survived > injected:
            raise ValueError("fault counts must satisfy 0 <= survived <= injected, got %r/%r" % (survived, injected))
        self.counts["faults_injected"] += injected
        self.counts["faults_survived"] += survived

    def bad_input(self, clear, option=""):
        self.counts["bad_inputs"] += 1
        self.counts["clear_errors"] += 1 if clear else 0
        if not clear:
            self.details.append("bad input %s: error did not name it" % option)

    def check_writes(self, count, where=""):
        self.counts["check_mode_writes"] += count
        if count:
            self.details.append("%d write(s) in check mode %s" % (count, where))

    def secrets_leaked(self, count, where=""):
        self.counts["secrets_leaked"] += count
        if count:
            self.details.append("%d secret(s) leaked %s" % (count, where))

    def doors(self, planted, found, false_verdicts=0, customer_deleted=0, where=""):
        """Doors planted in an adversarial cluster, how many the audit named, verdicts that said closed while one was
        open, objects of the customer's that a run deleted."""
        if found > planted:
            raise ValueError("doors found (%d) cannot exceed doors planted (%d)" % (found, planted))
        self.counts["doors_planted"] += planted
        self.counts["doors_found"] += found
        self.counts["false_verdicts"] += false_verdicts
        self.counts["customer_deleted"] += customer_deleted
        if found < planted:
            self.details.append("%d door(s) not found %s" % (planted - found, where))
        if false_verdicts:
            self.details.append("%d false REVOKED/compliant verdict(s) %s" % (false_verdicts, where))
        if customer_deleted:
            self.details.append("%d customer object(s) deleted %s" % (customer_deleted, where))

    def as_property(self):
        return {"counts": self.counts, "details": self.details}

    @classmethod
    def from_property(cls, nodeid, value):
        record = cls(nodeid)
        record.counts.update(value["counts"])
        record.details = list(value["details"])
        return record


class Summary:
    def __init__(self):
        self.records = []
        self.outcomes = {}

    def totals(self):
        totals = dict.fromkeys(COUNTERS, 0)
        for record in self.records:
            for key in COUNTERS:
                totals[key] += record.counts[key]
        totals["scenarios"] = len(self.outcomes)
        totals["failed"] = sum(1 for outcome in self.outcomes.values() if outcome != "passed")
        return totals

    def problems(self, totals):
        problems = []
        if totals["failed"]:
            problems.append("%d scenario(s) failed" % totals["failed"])
        for key in ("check_mode_writes", "secrets_leaked", "false_verdicts", "customer_deleted"):
            if totals[key]:
                problems.append("%s is %d, must be 0" % (key, totals[key]))
        if totals["faults_survived"] < totals["faults_injected"]:
            problems.append("%d fault(s) not survived" % (totals["faults_injected"] - totals["faults_survived"]))
        if totals["doors_found"] < totals["doors_planted"]:
            problems.append("%d door(s) not found" % (totals["doors_planted"] - totals["doors_found"]))
        if totals["clear_errors"] < totals["bad_inputs"]:
            problems.append("%d bad input(s) without a clear error" % (totals["bad_inputs"] - totals["clear_errors"]))
        if not totals["scenarios"]:
            problems.append("no scenario ran")
        return problems


_SUMMARY = Summary()


@pytest.fixture(scope="session")
def reliability_fleet_session(kube_emulator, tmp_path_factory):
    """One simulated Crusoe fleet of six clusters (sim.fleet, default seed mix) shared by the suite's scenarios."""
    from sim.fleet import build_fleet  # pylint: disable=import-outside-toplevel
    built = build_fleet(6, emulator=kube_emulator, workdir=str(tmp_path_factory.mktemp("reliability-fleet")))
    try:
        yield built
    finally:
        built.stop()


@pytest.fixture
def fleet(reliability_fleet_session):
    """The shared fleet back in its seeded state (fresh clusters), request logs empty and no faults armed."""
    return reliability_fleet_session.reset()


def run_playbook(ansible_playbook, fleet_, playbook, tmp_path, extra=None, inventory=None, **kwargs):
    """Run neocloud.support_access.<playbook> over the fleet (reports in tmp_path/reports)."""
    extra_vars = {"support_access_report_dir": str(tmp_path / "reports")}
    extra_vars.update(extra or {})
    kwargs.setdefault("forks", 6)
    return ansible_playbook("neocloud.support_access.%s" % playbook, inventory=inventory or fleet_.inventory,
                            extra_vars=extra_vars, env=fleet_.env(), **kwargs)


def load_report(tmp_path, basename=None):
    """The JSON fleet report the last playbook run wrote (reports/latest-<playbook>.json, or ``basename``):
    (document, {cluster: entry})."""
    path = latest_report(tmp_path / "reports") if basename is None else str(tmp_path / "reports" / (basename + ".json"))
    with open(path, encoding="utf-8") as handle:
        doc = json.load(handle)
    return doc, {c["cluster"]: c for c in doc["clusters"]}


@pytest.fixture
def reliability(request):
    """Counters for this scenario, summed into the session's table (they reach it with the teardown report)."""
    record = Record(request.node.nodeid)
    yield record
    request.node.user_properties.append(("reliability", record.as_property()))


# ------------------------------------------------------------------------------ one machine, two workers
SOLO_WAIT = 1800  # seconds a scenario waits for the solo ones before it goes on anyway (a crashed worker)
_SOLO = set()


def _marker(base, nodeid):
    return "%s.done-%s" % (base, hashlib.sha1(nodeid.encode()).hexdigest()[:16])


@contextlib.contextmanager
def _machine(nodeid, solo):
    """Hold the machine for one scenario among the workers of this run (files of the run's own in the temporary
    directory; nothing to hold without workers). Solo scenarios come first and hold it exclusively; the others wait
    until every solo scenario of the session is done, then share it."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        yield
        return
    base = os.path.join(tempfile.gettempdir(), "neocloud-reliability-%s" % run)
    if not solo:
        deadline = time.monotonic() + SOLO_WAIT
        while time.monotonic() < deadline and not all(os.path.exists(_marker(base, n)) for n in _SOLO):
            time.sleep(0.2)
    with open(base + ".lock", "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if solo else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            if solo:
                with open(_marker(base, nodeid), "w", encoding="utf-8"):
                    pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):  # pylint: disable=unused-argument
    with _machine(item.nodeid, solo=item.get_closest_marker("solo") is not None):
        return (yield)


def pytest_collection_modifyitems(items):
    """Solo scenarios first (each worker collects the same list, so the first worker starts with them), then the slow
    ones: handed out in this order, the long scenarios start early and the short ones fill the end of the run."""
    items.sort(key=lambda item: (item.get_closest_marker("solo") is None, item.get_closest_marker("slow") is None))


def pytest_collection_finish(session):
    """The solo scenarios this session runs (after -k / -m deselection)."""
    _SOLO.clear()
    _SOLO.update(item.nodeid for item in session.items if item.get_closest_marker("solo") is not None)


def _is_worker(config):
    return hasattr(config, "workerinput")


def pytest_runtest_logreport(report):
    for name, value in getattr(report, "user_properties", ()):
        if name == "reliability" and report.when == "teardown":
            _SUMMARY.records.append(Record.from_property(report.nodeid, value))
    if report.when == "call" or report.outcome != "passed":
        previous = _SUMMARY.outcomes.get(report.nodeid, "passed")
        if report.when == "call" and report.outcome == "skipped":
            _SUMMARY.outcomes.pop(report.nodeid, None)
            return
        _SUMMARY.outcomes[report.nodeid] = report.outcome if previous == "passed" else previous


def pytest_terminal_summary(terminalreporter):
    if _is_worker(terminalreporter.config):
        return
    totals = _SUMMARY.totals()
    write = terminalreporter.write_line
    terminalreporter.section("reliability summary")
    for label, key, rule in ROWS:
        write("  %-40s %7d%s" % (label, totals[key], "   (must be %s)" % rule if rule else ""))
    details = [d for record in _SUMMARY.records for d in record.details]
    for detail in details:
        write("  ! " + detail)
    problems = _SUMMARY.problems(totals)
    write("  result: " + ("FAIL: " + "; ".join(problems) if problems else "every must-be-0 is 0, every fault survived"))
    path = os.environ.get("RELIABILITY_SUMMARY") or os.path.join(ROOT, ".cache", "reliability-summary.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"totals": totals, "problems": problems, "details": details}, handle, indent=2, sort_keys=True)


def pytest_sessionfinish(session, exitstatus):
    if _is_worker(session.config):
        return  # the table and the verdict are the controller's, which sees every worker's reports
    if exitstatus == 0 and session.testscollected and _SUMMARY.problems(_SUMMARY.totals()):
        session.exitstatus = 1
