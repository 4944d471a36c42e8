# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and atomically writing the files the report modules of neocloud.support_access produce.

This is a private module_utils file of neocloud.support_access; its interface may change at any time.
"""

from __future__ import annotations

import os
import tempfile


def read_bytes(path):
    """The content of a file, or None when it cannot be read (missing, a directory, no permission)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def write_atomically(module, path, data, directory=None):
    """Write data to path through a temporary file in directory (default: path's directory) and
    module.atomic_move, so readers see the old or the new content, never a part; the temporary file never stays."""
    directory = directory if directory is not None else os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        module.atomic_move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
