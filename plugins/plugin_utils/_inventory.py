# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the cluster inventory plugins of neocloud.support_access (crusoe, coreweave) share.

This is a private plugin_utils file of neocloud.support_access; its interface may change at any time.

Filters (states/zones/locations, name globs), unique host names, group name parts, parse() (the inventory file,
then the API data or the cache), the cache key and the read-or-fetch cache logic, templating of the
context/kubeconfig options and adding one cluster host with its variables (API data untrusted, only the
interpreter template trusted) and its constructed groups.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every inventory string
    def trust_as_template(value):
        """Older ansible-core needs no trust marker."""
        return value

CACHE_SCHEMA = 1
INTERPRETER = "{{ ansible_playbook_python }}"
DEFAULT_CONTEXT = trust_as_template("{{ name }}")


def safe_group_part(value, lower=False):
    """Part of a group name: anything but letters, digits and underscores becomes an underscore.

    lower=True lower-cases first (so only a-z, 0-9 and _ remain).
    """
    text = to_text(value)
    if lower:
        return re.sub(r"[^a-z0-9_]", "_", text.lower())
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def value_allowed(value, allowed=None):
    """Whether a record field passes a list filter (empty or missing list: every value)."""
    return not allowed or value in allowed


def name_matches(name, name_patterns=None, exclude_patterns=None):
    """Whether a name passes the include and exclude globs (case-sensitive; empty include list: all)."""
    name = to_text(name or "")
    if name_patterns and not any(fnmatch.fnmatchcase(name, p) for p in name_patterns):
        return False
    if exclude_patterns and any(fnmatch.fnmatchcase(name, p) for p in exclude_patterns):
        return False
    return True


def suffix_collisions(names, ids):
    """The names in the same order, with -<id> appended to every name that occurs more than once."""
    counts = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return ["%s-%s" % (name, ident) if counts[name] > 1 else name for name, ident in zip(names, ids)]


def by_name_and_id(clusters):
    """Cluster records ordered by name, then id."""
    return sorted(clusters or [], key=lambda c: (to_text(c.get("name")), to_text(c.get("id"))))


class ClusterInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """Base of the cluster inventory plugins: one host per cluster, local connection, constructed groups.

    Subclasses set NAME, FILE_NAME (the accepted inventory file name without extension), GROUP_PREFIX, LABEL (how
    messages name the source) and API_ERROR (the API client's exception, with a message), and implement _api(),
    _cache_key(), _fetch() and populate(); _auth_hint() may add to the message of an API error.
    """

    FILE_NAME = ""
    GROUP_PREFIX = ""
    LABEL = "inventory"
    API_ERROR = Exception

    def parse(self, inventory, loader, path, cache=True):
        """Read the inventory file, then the API data (or the cache), and add the hosts."""
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        api = self._api()
        try:
            data = self.cached_or_fetched(cache, self._cache_key(path, api), lambda: self._fetch(api))
        except self.API_ERROR as exc:
            raise AnsibleParserError("%s: %s%s" % (self.LABEL, to_native(exc.message), self._auth_hint(exc, api)))
        self.populate(data)

    def _api(self):
        """The API client for the plugin options (fails with AnsibleParserError)."""
        raise NotImplementedError

    def _cache_key(self, path, api):
        """The cache key of this inventory file and the API selection (see cache_key_for)."""
        raise NotImplementedError

    def _fetch(self, api):
        """The API data, as cached: {schema: CACHE_SCHEMA, ...}."""
        raise NotImplementedError

    def _auth_hint(self, exc, api):  # pylint: disable=unused-argument
        """Text appended to the message of an API error (for example where the credentials came from)."""
        return ""

    def populate(self, data):
        """Hosts, default groups and constructed groups/vars from API data (fresh or cached)."""
        raise NotImplementedError

    def verify_file(self, path):
        """Accept <FILE_NAME>.yml / .yaml and *.<FILE_NAME>.yml / *.<FILE_NAME>.yaml."""
        if not super().verify_file(path):
            return False
        base = os.path.basename(path)
        names = tuple("%s.%s" % (self.FILE_NAME, ext) for ext in ("yml", "yaml"))
        return base in names or base.endswith(tuple("." + name for name in names))

    def cache_key_for(self, path, selection):
        """Cache key of this inventory file for a selection text (endpoint, credentials id, ...), hashed."""
        digest = hashlib.sha256(to_bytes(selection)).hexdigest()[:12]
        return "%s_%s" % (self.get_cache_key(path), digest)

    def cached_or_fetched(self, cache, cache_key, fetch):
        """API data from the cache when enabled, fresh and of this schema; otherwise fetch() (and cache it)."""
        use_cache = self.get_option("cache")
        data = None
        update_cache = use_cache and not cache
        if use_cache and cache:
            try:
                data = self._cache[cache_key]
            except KeyError:
                update_cache = True
            if not isinstance(data, dict) or data.get("schema") != CACHE_SCHEMA:
                data, update_cache = None, True
        if data is None:
            data = fetch()
        if update_cache:
            self._cache[cache_key] = data
        return data

    def template_option(self, option, template, variables, host):
        """An option templated over a cluster's variables; a template error fails naming the cluster."""
        self.templar.available_variables = variables
        try:
            return to_text(self.templar.template(template))
        except AnsibleError as exc:
            raise AnsibleParserError("%s: option %s failed for cluster '%s': %s" % (
                self.LABEL, option, host, to_native(exc.message if hasattr(exc, "message") else exc)))

    def cluster_host_vars(self, fields, cluster, template_vars, host):
        """fields plus support_access_context, support_access_cluster_info, ansible_connection and, with the
        kubeconfig option, support_access_kubeconfig."""
        out = dict(fields)
        out["support_access_context"] = self.template_option(
            "context_template", self.get_option("context_template") or DEFAULT_CONTEXT, template_vars, host)
        out["support_access_cluster_info"] = cluster
        out["ansible_connection"] = "local"
        kubeconfig = self.get_option("kubeconfig")
        if kubeconfig:
            out["support_access_kubeconfig"] = os.path.expanduser(
                self.template_option("kubeconfig", kubeconfig, template_vars, host))
        return out

    def add_cluster_host(self, host, groups, hostvars):
        """Add a host to GROUP_PREFIX and groups, set its variables and apply compose/groups/keyed_groups."""
        strict = self.get_option("strict")
        self.inventory.add_host(host, group=self.GROUP_PREFIX)
        for group in groups:
            self.inventory.add_group(group)
            self.inventory.add_host(host, group=group)
        for name, value in hostvars.items():
            self.inventory.set_variable(host, name, value)
        # The only template the plugin writes itself; API data stays untrusted (never templated).
        self.inventory.set_variable(host, "ansible_python_interpreter", trust_as_template(INTERPRETER))
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)
