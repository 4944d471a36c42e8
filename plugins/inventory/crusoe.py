# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory plugin: Crusoe Managed Kubernetes clusters as hosts, one host per cluster."""

from __future__ import annotations

DOCUMENTATION = r"""
name: crusoe
short_description: Crusoe Managed Kubernetes clusters as inventory hosts
version_added: 0.1.0
author:
  - neocloud.support_access maintainers (@neocloud)
description:
  - Reads the Crusoe Managed Kubernetes (CMK) clusters of one, several or all projects visible to a Crusoe access key
    or service account and makes one inventory host per cluster, with the host variables the roles and playbooks of
    C(neocloud.support_access) expect (the C(support_access_*) variables listed below).
  - Every host runs locally (C(ansible_connection=local)) with the Python of the controller
    (C(ansible_python_interpreter={{ ansible_playbook_python }})); the work on a cluster goes to the Crusoe API and
    the cluster's Kubernetes API, not to a machine.
  - "Host variables set for every cluster: C(support_access_provider) (V(crusoe)), C(support_access_project) (project
    id), C(support_access_project_name), C(support_access_cluster) (cluster id), C(support_access_cluster_name),
    C(support_access_cluster_state), C(support_access_location), C(support_access_context) (from O(context_template)),
    C(support_access_kubeconfig) (only when O(kubeconfig) is set), C(support_access_cluster_info) (the cluster record
    as the API returned it), C(ansible_connection) and C(ansible_python_interpreter)."
  - "With O(firewall_rules=true), also C(support_access_firewall_rule): the id of the cluster's control-plane API
    firewall rule (C(cmk-cp-api-access-cp-<id>)), when the rule names are one-to-one with the project's cluster ids. The roles pass it to
    M(neocloud.support_access.crusoe_support_firewall), which then reads that one rule (and checks it is in the
    cluster's VPC network) instead of listing every rule of the project for every cluster."
  - "Groups: every host is in C(crusoe), in C(crusoe_<project name>) and in C(crusoe_<location>) (characters other than
    letters, digits and underscores become underscores, so project V(ml) gives C(crusoe_ml) and location
    V(us-east1-a) gives C(crusoe_us_east1_a)); O(groups) and O(keyed_groups) add more."
  - "Host names: the cluster name. When clusters of different projects share a name, each of them is named
    C(<project name>-<cluster name>) instead. When names still collide (one project holding two clusters of the same
    name), each of the colliding hosts gets C(-<cluster id>) appended. The rule only looks at the clusters the
    filters keep, so a name changes when a colliding cluster appears or goes away."
  - The inventory file name must be C(crusoe.yml) or C(crusoe.yaml), or end with C(.crusoe.yml) or C(.crusoe.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - neocloud.support_access.cluster_inventory
  - neocloud.support_access.crusoe
  - neocloud.support_access.provider_api
  - neocloud.support_access.crusoe.inventory
options:
  plugin:
    choices: [neocloud.support_access.crusoe]
  projects:
    description:
      - Projects whose clusters become hosts, each as a UUID or as an exact name.
      - A name must match exactly one project visible to the key.
      - If neither O(projects) nor O(all_projects) is set, the default project is used as the Crusoe modules use it
        (E(CRUSOE_DEFAULT_PROJECT), then C(default_project) in the config file profile, then the only visible
        project).
      - Mutually exclusive with O(all_projects=true).
    type: list
    elements: str
    default: []
  all_projects:
    description:
      - Take the clusters of every project visible to the key.
    type: bool
    default: false
  states:
    description:
      - Only clusters in one of these states (for example V(STATE_RUNNING), V(STATE_PROVISIONING)).
      - An empty list keeps clusters of every state.
    type: list
    elements: str
    default: [STATE_RUNNING]
  locations:
    description:
      - Only clusters in one of these locations (for example V(us-east1-a)). An empty list keeps every location.
    type: list
    elements: str
    default: []
  firewall_rules:
    description:
      - List each project's VPC firewall rules once (one paged request per project) and set
        C(support_access_firewall_rule) on the hosts whose control-plane rule is identified by name.
      - Keeps the cost of a fleet run linear in the number of clusters; without it every cluster's firewall step lists
        all rules of its project.
      - When the key may not list firewall rules (HTTP 403), the hosts simply have no C(support_access_firewall_rule).
    type: bool
    default: true
  context_template:
    description:
      - Jinja2 template for C(support_access_context), the kubeconfig context of the cluster.
      - "Its variables are the fields of the cluster record (C(id), C(name), C(location), C(state), C(version),
        C(project_id), C(dns_name), ...) plus C(project_name), C(cluster) (the whole record) and C(project)
        (C({id, name}))."
      - An undefined variable or another template error makes the inventory fail, naming the cluster.
      - If not set, the context is the cluster name (as if V({{ name }}) were given).
    type: str
notes:
  - The plugin only reads (C(GET)) from the Crusoe API, namely projects, clusters and (with O(firewall_rules)) VPC
    firewall rules.
  - "With O(cache=true) and a persistent O(cache_plugin) such as V(ansible.builtin.jsonfile), a run within
    O(cache_timeout) builds the inventory from the cache without any API request; C(ansible-inventory --flush-cache)
    or C(meta: refresh_inventory) reads the API again. The cache holds the projects and cluster records (never
    credentials) and is keyed by the inventory file, the endpoint, the access key id (or service account client
    id) and the project selection;
    the filters are applied after reading it, so changing them needs no refresh."
  - The secret key, the client secret and the service account's access token are never written to the inventory, the
    cache or a message. Prefer E(CRUSOE_SECRET_KEY) / E(CRUSOE_CLIENT_SECRET) or the config file (or an Ansible
    Vault encrypted value) to clear text in the inventory file.
seealso:
  - module: neocloud.support_access.crusoe_cluster_info
"""

EXAMPLES = r"""
# fleet.crusoe.yml: running clusters of the default project (CRUSOE_DEFAULT_PROJECT or the only project),
# credentials from CRUSOE_CLIENT_ID / CRUSOE_CLIENT_SECRET (a service account, as AWX injects them),
# CRUSOE_ACCESS_KEY_ID / CRUSOE_SECRET_KEY or ~/.crusoe/config
plugin: neocloud.support_access.crusoe

---
# prod.crusoe.yml: two projects, production clusters only, kubeconfig and context per cluster
plugin: neocloud.support_access.crusoe
projects:
  - ml
  - 0d1e2f30-1111-4222-8333-444455556666
name_patterns: ["*-prod", "prod-*"]
exclude_patterns: ["*-scratch"]
kubeconfig: "~/.kube/crusoe.yaml"
context_template: "crusoe-{{ project_name }}-{{ name }}"

---
# all.crusoe.yml: every visible project and every state, grouped by version, cached for an hour
plugin: neocloud.support_access.crusoe
all_projects: true
states: []
locations: [us-east1-a, us-southcentral1-a]
profile: fleet
keyed_groups:
  - key: support_access_cluster_info.version
    prefix: cmk
  - key: support_access_cluster_state | lower
    prefix: state
groups:
  training: "'training' in support_access_cluster_name"
compose:
  cmk_version: support_access_cluster_info.version
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/neocloud-crusoe-inventory
cache_timeout: 3600
# Use it:
#   ansible-inventory -i fleet.crusoe.yml --graph
#   ansible-playbook -i fleet.crusoe.yml neocloud.support_access.audit
"""

import json

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_api import (
    AUTH_SERVICE_ACCOUNT,
    UUID_RE,
    CrusoeError,
    CrusoeLoginError,
    credential_label,
)
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_firewall import control_plane_rules
from ansible_collections.neocloud.support_access.plugins.module_utils._crusoe_module import AnsibleCrusoe
from ansible_collections.neocloud.support_access.plugins.module_utils._support import CRUSOE_CP_FIREWALL_RULE_PREFIX
from ansible_collections.neocloud.support_access.plugins.plugin_utils._inventory import (
    CACHE_SCHEMA,
    ClusterInventory,
    by_name_and_id,
    name_matches,
    safe_group_part,
    suffix_collisions,
    value_allowed,
)

PROVIDER = "crusoe"
GROUP_PREFIX = "crusoe"
CREDENTIAL_OPTIONS = ("api_endpoint", "access_key_id", "secret_key", "client_id", "client_secret", "token_url", "profile",
                      "config_file", "api_timeout", "api_retries", "validate_certs")


class _PluginOptions:
    """The little of AnsibleModule that AnsibleCrusoe uses: params, and failures raised as parser errors."""

    def __init__(self, params):
        self.params = params

    def fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
        """AnsibleCrusoe reports configuration failures here."""
        raise AnsibleParserError("Crusoe inventory: %s" % msg)


def cluster_matches(cluster, states=None, locations=None, name_patterns=None, exclude_patterns=None):
    """Whether a cluster record passes the state, location, name and exclude filters (empty filter: all)."""
    return (value_allowed(cluster.get("state"), states) and value_allowed(cluster.get("location"), locations)
            and name_matches(cluster.get("name"), name_patterns, exclude_patterns))


def host_names(entries):
    """Unique inventory host names for (project, cluster) pairs, in the same order.

    The cluster name; <project name>-<cluster name> when clusters of different projects share it; and
    -<cluster id> appended to whatever still collides.
    """
    names = [to_text(c.get("name") or c.get("id")) for p, c in entries]
    projects_per_name = {}
    for (project, dummy), name in zip(entries, names):
        projects_per_name.setdefault(name, set()).add(project["id"])
    names = ["%s-%s" % (project.get("name") or project["id"], name) if len(projects_per_name[name]) > 1 else name
             for (project, dummy), name in zip(entries, names)]
    return suffix_collisions(names, [cluster.get("id") for dummy, cluster in entries])


class InventoryModule(ClusterInventory):
    """Crusoe Managed Kubernetes clusters, one host per cluster."""

    NAME = "neocloud.support_access.crusoe"
    FILE_NAME = "crusoe"
    GROUP_PREFIX = GROUP_PREFIX
    LABEL = "Crusoe inventory"
    API_ERROR = CrusoeError

    def __init__(self):
        super().__init__()
        self._rules = {}

    # -------------------------------------------------------------------------------- API access
    def _api(self):
        """An AnsibleCrusoe worker (config resolution, signed client, project lookup) for the plugin options."""
        params = {}
        for name in CREDENTIAL_OPTIONS:
            value, origin = self.get_option_and_origin(name)
            # Values from CRUSOE_* are left to resolve_config, which reads the same variables and says so in messages.
            params[name] = None if to_text(origin).startswith("env") else value
        params["project"] = None
        return AnsibleCrusoe(_PluginOptions(params))

    def _select_projects(self, api):
        """[{id, name}] of the projects to read, from projects / all_projects / the default project."""
        wanted = self.get_option("projects") or []
        if self.get_option("all_projects"):
            if wanted:
                raise AnsibleParserError("Crusoe inventory: set either projects or all_projects: true, not both")
            return [dict(id=p["id"], name=p.get("name")) for p in api.list_projects()]
        if not wanted and api.config.get("project"):
            return [api.resolve_project(api.config.get("project"))]
        if not wanted:
            visible = api.list_projects()
            if len(visible) != 1:
                raise AnsibleParserError(
                    "Crusoe inventory: no project selected and %d projects are visible (%s): set projects or "
                    "all_projects: true in the inventory file, or CRUSOE_DEFAULT_PROJECT, or default_project in the "
                    "config file profile" % (len(visible), ", ".join(p.get("name") or p["id"] for p in visible) or "none"))
            return [dict(id=visible[0]["id"], name=visible[0].get("name"))]
        visible = api.list_projects()
        chosen = []
        for value in wanted:
            value = to_text(value)
            matches = [p for p in visible if p.get("id") == value] if UUID_RE.match(value) else []
            if not matches:
                matches = [p for p in visible if p.get("name") == value]
            if not matches and UUID_RE.match(value):
                matches = [self._project_by_id(api, value, visible)]
            if len(matches) != 1:
                raise AnsibleParserError(
                    "Crusoe inventory: project '%s' (option projects) matched %d of the %d projects visible to %s "
                    "(%s)%s" % (value, len(matches), len(visible), credential_label(api.config),
                                ", ".join(p.get("name") or p["id"] for p in visible) or "none",
                                "; give its UUID instead" if matches else ""))
            project = dict(id=matches[0]["id"], name=matches[0].get("name"))
            if project not in chosen:
                chosen.append(project)
        return chosen

    @staticmethod
    def _project_by_id(api, value, visible):
        try:
            found = api.client.get("organizations/projects/%s" % value)
        except CrusoeError as exc:
            if exc.status == 404:
                raise AnsibleParserError(
                    "Crusoe inventory: project '%s' (option projects) not found; the key sees %s" % (
                        value, ", ".join(p.get("name") or p["id"] for p in visible) or "no project"))
            raise
        return dict(id=found.get("id", value), name=found.get("name"))

    def _fetch(self, api):
        """What the API says: {schema, projects: [{id, name, clusters: [records]}]}."""
        out = []
        for project in self._select_projects(api):
            clusters = api.client.list_all(api.cluster_path(project_id=project["id"]))
            entry = dict(id=project["id"], name=project.get("name"), clusters=clusters)
            if self.get_option("firewall_rules"):
                entry["firewall_rules"] = self._firewall_rules(api, project["id"])
            out.append(entry)
        return dict(schema=CACHE_SCHEMA, projects=out)

    @staticmethod
    def _firewall_rules(api, project_id):
        """The project's control-plane API rules ({id, name, vpc_network_id}); [] when the key may not list them."""
        try:
            rules = api.client.list_all("projects/%s/networking/vpc-firewall-rules" % project_id)
        except CrusoeError as exc:
            if exc.status == 403:
                return []
            raise
        return [dict(id=r.get("id"), name=r.get("name"), vpc_network_id=r.get("vpc_network_id"))
                for r in control_plane_rules(rules, None)]

    def _cache_key(self, path, api):
        selection = dict(endpoint=api.config.get("api_endpoint"), key=credential_label(api.config),
                         projects=list(self.get_option("projects") or []),
                         all_projects=bool(self.get_option("all_projects")),
                         default_project=None if self.get_option("projects") else api.config.get("project"))
        return self.cache_key_for(path, json.dumps(selection, sort_keys=True))

    @staticmethod
    def _auth_hint(exc, api):
        """Where the credentials came from, for 401/403 answers of the API (never the secret itself; a failed
        service-account login says it already)."""
        if exc.status not in (401, 403) or isinstance(exc, CrusoeLoginError):
            return ""
        sources = api.config.get("sources") or {}
        if api.config.get("auth") == AUTH_SERVICE_ACCOUNT:
            return " (service account client id %s from %s, client secret from %s, token URL %s from %s)" % (
                api.config.get("client_id"), sources.get("client_id") or "nowhere",
                sources.get("client_secret") or "nowhere", api.config.get("token_url"),
                sources.get("token_url") or "default")
        return " (access key id %s from %s, secret key from %s)" % (
            api.config.get("access_key_id"), sources.get("access_key_id") or "nowhere",
            sources.get("secret_key") or "nowhere")

    # -------------------------------------------------------------------------------- inventory
    def _selected(self, data):
        """(project, cluster) pairs that pass the filters, ordered by project then cluster name and id."""
        filters = dict(states=self.get_option("states"), locations=self.get_option("locations"),
                       name_patterns=self.get_option("name_patterns"),
                       exclude_patterns=self.get_option("exclude_patterns"))
        entries = []
        self._rules = {}
        for project in data.get("projects") or []:
            ident = dict(id=project["id"], name=project.get("name"))
            self._rules[project["id"]] = self._rule_hints(project)
            for cluster in by_name_and_id(project.get("clusters")):
                if cluster_matches(cluster, **filters):
                    entries.append((ident, cluster))
        return entries

    def _firewall_rule_id(self, project, cluster):
        """The id of the control-plane rule named for this cluster, else None (the module then looks it up itself).

        Only a one-to-one match counts: the cluster's id contains the suffix of exactly one rule, and that rule's suffix
        is contained in no other cluster id of the project (a short suffix shared by several ids identifies nothing).
        """
        hints = self._rules.get(project["id"])
        if hints is None or not self.get_option("firewall_rules"):
            return None
        return hints.get(cluster.get("id"))

    @staticmethod
    def _rule_hints(project):
        """{cluster id: rule id} for the project's one-to-one name matches (see _firewall_rule_id)."""
        rules = project.get("firewall_rules")
        if not rules:
            return {}
        ids = [c.get("id") for c in project.get("clusters") or [] if c.get("id")]
        compact = dict((i, i.replace("-", "").lower()) for i in ids)
        matches = {}
        for rule in rules:
            suffix = (rule.get("name") or "")[len(CRUSOE_CP_FIREWALL_RULE_PREFIX):].lower()
            if suffix and rule.get("id"):
                matches[rule["id"]] = [i for i in ids if suffix in compact[i]]
        hints = {}
        for cluster_id in ids:
            mine = [rule_id for rule_id, owners in matches.items() if cluster_id in owners]
            if len(mine) == 1 and matches[mine[0]] == [cluster_id]:
                hints[cluster_id] = mine[0]
        return hints

    def host_vars(self, project, cluster, host):
        """The contract's host variables for one cluster."""
        template_vars = dict(cluster)
        template_vars.update(project_name=project.get("name"), project=dict(project), cluster=dict(cluster))
        template_vars.setdefault("project_id", project["id"])
        fields = dict(
            support_access_provider=PROVIDER,
            support_access_project=project["id"],
            support_access_project_name=project.get("name") or "",
            support_access_cluster=cluster.get("id"),
            support_access_cluster_name=cluster.get("name"),
            support_access_cluster_state=cluster.get("state"),
            support_access_location=cluster.get("location"),
        )
        rule_id = self._firewall_rule_id(project, cluster)
        if rule_id:
            fields["support_access_firewall_rule"] = rule_id
        return self.cluster_host_vars(fields, cluster, template_vars, host)

    def populate(self, data):
        """Hosts, default groups and constructed groups/vars from API data (fresh or cached)."""
        entries = self._selected(data)
        self.inventory.add_group(GROUP_PREFIX)
        for (project, cluster), host in zip(entries, host_names(entries)):
            hostvars = self.host_vars(project, cluster, host)
            groups = ("%s_%s" % (GROUP_PREFIX, safe_group_part(project.get("name") or project["id"])),
                      "%s_%s" % (GROUP_PREFIX, safe_group_part(cluster.get("location") or "unknown")))
            self.add_cluster_host(host, groups, hostvars)
