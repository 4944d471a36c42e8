# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check_mode and diff_mode attributes of every module of the collection."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Module attributes: what they mean (DOCUMENTATION) and the support the modules share (the variants)."""

    # What the attributes mean. Use it together with one of the variants below.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return a prediction of the changed status without modifying the target.
  diff_mode:
    description: Returns details on what has changed (or would change in check mode) when run in diff mode.
"""

    # A module that only reads.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    details: Changes nothing, so there is no diff.
"""

    # A module that changes something. The module's own attributes say in details what check mode reads and
    # does not send, and what the diff shows.
    CHANGE_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

    # A module whose result is a report. The module's own check_mode details say what check mode does.
    REPORT_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details: The report is output, not a change; there is no diff.
"""
