# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the shared file helpers (_files) used by support_access_report and support_activity."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.neocloud.support_access.plugins.module_utils import _files


class FakeModule:
    """The atomic_move of AnsibleModule, recording what it moved."""

    def __init__(self, fail=False):
        self.moves = []
        self.fail = fail

    def atomic_move(self, src, dest):
        if self.fail:
            raise OSError("disk full")
        self.moves.append((src, dest))
        shutil.move(src, dest)


def test_read_bytes(tmp_path):
    target = tmp_path / "a.json"
    assert _files.read_bytes(str(target)) is None
    assert _files.read_bytes(str(tmp_path)) is None
    target.write_bytes(b"x\n")
    assert _files.read_bytes(str(target)) == b"x\n"


def test_write_atomically_in_the_file_directory(tmp_path):
    module = FakeModule()
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    _files.write_atomically(module, str(target), b"new")
    assert target.read_bytes() == b"new"
    src, dest = module.moves[0]
    assert os.path.dirname(src) == str(tmp_path) and os.path.basename(src).startswith(".report.json.")
    assert dest == str(target)
    assert sorted(os.listdir(tmp_path)) == ["report.json"]


def test_write_atomically_in_a_given_directory(tmp_path):
    module = FakeModule()
    _files.write_atomically(module, str(tmp_path / "r.csv"), b"a,b\n", directory=str(tmp_path))
    assert (tmp_path / "r.csv").read_bytes() == b"a,b\n"
    assert os.path.dirname(module.moves[0][0]) == str(tmp_path)


def test_failed_move_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    with pytest.raises(OSError):
        _files.write_atomically(FakeModule(fail=True), str(target), b"new")
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["report.json"]
