# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of support_chart: runs the module in the controller's worker process for local hosts (see
plugin_utils/_in_process), else on the host as usual."""

from __future__ import annotations

from ansible_collections.neocloud.support_access.plugins.modules import support_chart as module
from ansible_collections.neocloud.support_access.plugins.plugin_utils._in_process import InProcessModuleAction


class ActionModule(InProcessModuleAction):
    """support_chart, in the worker process when the host is local."""

    MODULE = module
    MODULE_NAME = "neocloud.support_access.support_chart"
