# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a host's variable is defined, in words a person finds in their inventory: extra vars, the host's vars or
the vars of the most specific group that sets it (inventory, inventory-adjacent or playbook-adjacent group_vars and
host_vars). Ansible keeps no such record, so this asks the inventory and the vars plugins again, highest precedence
first, as the variable manager merges them. This is a private plugin_utils file of neocloud.support_access; its
interface may change at any time.
"""

from __future__ import annotations

from ansible.inventory.helpers import sort_groups
from ansible.vars.plugins import get_vars_from_inventory_sources, get_vars_from_path


def variable_source(task_vars, name, search_path=None):
    """Where ``name`` comes from for the task's host: ``extra vars``, ``host_vars of H``, ``group_vars of G``, or ``""``
    when the inventory does not set it (a play, role or task variable, or not set at all)."""
    hostvars = task_vars.get("hostvars")
    inventory = getattr(hostvars, "_inventory", None)
    manager = getattr(hostvars, "_variable_manager", None)
    loader = getattr(hostvars, "_loader", None)
    host = inventory.get_host(task_vars.get("inventory_hostname")) if inventory is not None else None
    if host is None or manager is None or loader is None:
        return ""
    if name in manager.extra_vars:
        return "extra vars"
    paths = list(search_path or [loader.get_basedir()])

    def sets(entity):
        if name in entity.get_vars():
            return True
        # pylint: disable-next=protected-access
        if name in get_vars_from_inventory_sources(loader, inventory._sources, [entity], "task"):
            return True
        return any(name in get_vars_from_path(loader, path, [entity], "task") for path in paths)

    if sets(host):
        return "host_vars of %s" % host.name
    for group in reversed(sort_groups(host.get_groups())):
        if sets(group):
            return "group_vars of %s" % group.name
    return ""
