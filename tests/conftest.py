"""Shared test helpers: the project's paths and a runner for real ansible-playbook."""

import dataclasses
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")
CALLBACKS = os.path.join(ROOT, "tests", "plugins", "callback")
SHARED = os.path.join(os.path.dirname(ROOT), "shared")

_RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
                    r"skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)", re.M)


def ansible_env(tmp_path, extra=None):
    """Environment for a real ansible-playbook run that uses this checkout's collection."""
    env = dict(os.environ)
    env.update({
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS,
        "ANSIBLE_CALLBACKS_ENABLED": "record_results",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "ANSIBLE_DEPRECATION_WARNINGS": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
    })
    env.pop("ANSIBLE_CONFIG", None)
    if extra:
        env.update(extra)
    return env


@dataclasses.dataclass
class PlaybookResult:
    """What one ansible-playbook run did: exit code, output, PLAY RECAP per host and every task result."""

    rc: int
    stdout: str
    stderr: str
    recap: dict
    events: list

    def results(self, task=None, host=None):
        """Task results (the module's returned dict plus status) filtered by task name and host."""
        return [e for e in self.events
                if (task is None or e["task"] == task) and (host is None or e["host"] == host)]

    def result(self, task, host=None):
        found = self.results(task, host)
        assert len(found) == 1, "expected one result for %r on %r, got %d:\n%s" % (task, host, len(found), self.stdout)
        return found[0]

    @property
    def changed(self):
        return sum(h["changed"] for h in self.recap.values())

    @property
    def failed(self):
        return sum(h["failed"] + h["unreachable"] for h in self.recap.values())


class PlaybookRunner:
    """Runs real ansible-playbook in a temporary directory and parses what it did."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.count = 0

    def __call__(self, playbook, inventory=None, extra_vars=None, check=False, diff=False, verbosity=0,
                 limit=None, forks=None, env=None, args=(), timeout=900):
        self.count += 1
        if not os.path.isabs(str(playbook)) and "\n" in str(playbook):
            path = self.tmp_path / ("playbook-%d.yml" % self.count)
            path.write_text(playbook)
            playbook = str(path)
        record = self.tmp_path / ("record-%d.jsonl" % self.count)
        cmd = [os.path.join(BIN, "ansible-playbook"), str(playbook)]
        if inventory is None:
            inventory = "localhost,"
            cmd += ["-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable]
        cmd += ["-i", str(inventory)]
        if extra_vars:
            cmd += ["-e", json.dumps(extra_vars)]
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if verbosity:
            cmd.append("-" + "v" * verbosity)
        if limit:
            cmd += ["--limit", limit]
        if forks:
            cmd += ["--forks", str(forks)]
        cmd += list(args)
        run_env = ansible_env(self.tmp_path, env)
        run_env["NEOCLOUD_TEST_RECORD"] = str(record)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, cwd=str(self.tmp_path),
                              timeout=timeout, check=False)
        recap = {}
        for m in _RECAP.finditer(proc.stdout):
            nums = [int(x) for x in m.groups()[1:]]
            recap[m.group(1)] = dict(zip(("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"),
                                         nums))
        events = []
        if record.exists():
            events = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
        return PlaybookResult(proc.returncode, proc.stdout, proc.stderr, recap, events)


@pytest.fixture
def ansible_playbook(tmp_path):
    """Run a real ansible-playbook: ``ansible_playbook(text_or_path, inventory=..., check=True, ...)``."""
    return PlaybookRunner(tmp_path)


def plugin_doc(path, collection="neocloud.support_access"):
    """The documentation of the plugin in ``path``, its doc fragments merged as the plugin loader merges them.

    The tests import the collection as a plain Python package (pytest.ini's pythonpath), where ansible's fragment
    loader finds none of the collection's doc fragments; they are imported here, every other fragment comes from it.
    """
    import importlib  # pylint: disable=import-outside-toplevel
    from ansible.plugins.loader import fragment_loader  # pylint: disable=import-outside-toplevel
    from ansible.utils.plugin_docs import get_docstring  # pylint: disable=import-outside-toplevel

    class Fragments:  # pylint: disable=too-few-public-methods
        """fragment_loader.get, with this collection's fragments by import."""

        @staticmethod
        def get(name):
            if not name.startswith(collection + "."):
                return fragment_loader.get(name)
            try:
                module = importlib.import_module("ansible_collections.%s.plugins.doc_fragments.%s"
                                                 % (collection, name[len(collection) + 1:]))
            except ImportError:
                return None  # <fragment>.<variant>: get_docstring asks again for <fragment>
            fragment = module.ModuleDocFragment
            fragment.ansible_name = name
            return fragment

    return get_docstring(path, Fragments(), collection_name=collection)[0]


# Fixtures that start the simulators (tests/sim) are shared by every test directory.
pytest_plugins = ["sim.kube.fixtures", "sim.crusoe_fixtures", "sim.coreweave_fixtures"]
