# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: writes every task result as one JSON line to $NEOCLOUD_TEST_RECORD."""

from __future__ import annotations

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: write task results as JSON lines for the test suite
description:
  - Test-only. Each task result becomes one JSON object in the file named by E(NEOCLOUD_TEST_RECORD).
options: {}
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("NEOCLOUD_TEST_RECORD")

    def _write(self, status, result):
        if not self._path:
            return
        task = result._task
        entry = {
            "host": result._host.get_name(),
            "task": task.get_name(),
            "action": task.action,
            "status": status,
            "changed": bool(result._result.get("changed")),
            "result": result._result,
            "time": time.time(),
        }
        with open(self._path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._write("changed" if result._result.get("changed") else "ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("ignored" if ignore_errors else "failed", result)

    def v2_runner_on_skipped(self, result):
        self._write("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._write("unreachable", result)
