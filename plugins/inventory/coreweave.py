# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Inventory plugin: CoreWeave Kubernetes Service (CKS) clusters as hosts, one host per cluster."""

from __future__ import annotations

DOCUMENTATION = r"""
name: coreweave
short_description: CoreWeave Kubernetes Service (CKS) clusters as inventory hosts
version_added: 0.1.0
author:
  - neocloud.support_access maintainers (@neocloud)
description:
  - Reads the CKS clusters of the organization a CoreWeave API token belongs to (C(GET /v1beta1/cks/clusters)) and
    makes one inventory host per cluster, with the host variables the roles and playbooks of
    C(neocloud.support_access) expect (the C(support_access_*) variables listed below).
  - Every host runs locally (C(ansible_connection=local)) with the Python of the controller
    (C(ansible_python_interpreter={{ ansible_playbook_python }})); the work on a cluster goes to the CoreWeave API and
    the cluster's Kubernetes API, not to a machine.
  - "Host variables set for every cluster: C(support_access_provider) (V(coreweave)), C(support_access_project) and
    C(support_access_project_name) (both empty: CKS clusters belong to the organization), C(support_access_cluster)
    (cluster id), C(support_access_cluster_name), C(support_access_cluster_state) (the C(status), for example
    V(STATUS_RUNNING)), C(support_access_location) (the zone), C(support_access_cluster_version),
    C(support_access_api_server) (C(apiServerEndpoint)), C(support_access_context) (from O(context_template)),
    C(support_access_kubeconfig) (only when O(kubeconfig) is set), C(support_access_cluster_info) (the cluster record
    as the API returned it), C(ansible_connection) and C(ansible_python_interpreter)."
  - "Groups: every host is in C(coreweave) and in C(coreweave_<zone>) (lower case; characters other than letters,
    digits and underscores become underscores, so zone V(US-EAST-04A) gives C(coreweave_us_east_04a)); O(groups) and
    O(keyed_groups) add more."
  - "Host names: the cluster name; when two kept clusters share a name, each gets C(-<cluster id>) appended."
  - The inventory file name must be C(coreweave.yml) or C(coreweave.yaml), or end with C(.coreweave.yml) or
    C(.coreweave.yaml).
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - neocloud.support_access.cluster_inventory
  - neocloud.support_access.coreweave
  - neocloud.support_access.provider_api
  - neocloud.support_access.coreweave.inventory
options:
  plugin:
    choices: [neocloud.support_access.coreweave]
  statuses:
    description:
      - Only clusters in one of these states (for example V(STATUS_RUNNING), V(STATUS_UPDATING)).
      - An empty list keeps clusters of every state.
    type: list
    elements: str
    default: [STATUS_RUNNING]
  zones:
    description:
      - Only clusters in one of these zones (for example V(US-EAST-04A)). An empty list keeps every zone.
    type: list
    elements: str
    default: []
  context_template:
    description:
      - Jinja2 template for C(support_access_context), the kubeconfig context of the cluster.
      - "Its variables are the fields of the cluster record (C(id), C(name), C(zone), C(status), C(version),
        C(apiServerEndpoint), ...) plus C(cluster) (the whole record)."
      - An undefined variable or another template error makes the inventory fail, naming the cluster.
      - If not set, the context is the cluster name (as if V({{ name }}) were given).
    type: str
notes:
  - The plugin only reads (C(GET)) from the CoreWeave API.
  - "With O(cache=true) and a persistent O(cache_plugin) such as V(ansible.builtin.jsonfile), a run within
    O(cache_timeout) builds the inventory from the cache without any API request; C(ansible-inventory --flush-cache)
    or C(meta: refresh_inventory) reads the API again. The cache holds the cluster records (never the token) and is
    keyed by the inventory file, the endpoint and a hash of the token; the filters are applied after reading it."
  - The API token is never written to the inventory, the cache or a message. Prefer E(COREWEAVE_API_TOKEN) (or an
    Ansible Vault encrypted value) to clear text in the inventory file.
seealso:
  - module: neocloud.support_access.coreweave_cluster_info
"""

EXAMPLES = r"""
# fleet.coreweave.yml: running CKS clusters, token from COREWEAVE_API_TOKEN
plugin: neocloud.support_access.coreweave

---
# prod.coreweave.yml: production clusters in two zones, one kubeconfig per cluster
plugin: neocloud.support_access.coreweave
zones: [US-EAST-04A, US-WEST-01A]
name_patterns: ["*-prod", "gpu-*"]
exclude_patterns: ["*-scratch"]
kubeconfig: "~/.kube/cks-{{ name }}.yaml"
context_template: "cks-{{ name }}"

---
# all.coreweave.yml: every state, grouped by version, cached for an hour
plugin: neocloud.support_access.coreweave
statuses: []
keyed_groups:
  - key: support_access_cluster_version
    prefix: cks
  - key: support_access_cluster_state | lower
    prefix: state
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/neocloud-coreweave-inventory
cache_timeout: 3600
# Use it:
#   ansible-inventory -i fleet.coreweave.yml --graph
#   ansible-playbook -i fleet.coreweave.yml neocloud.support_access.audit
"""

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native, to_text

from ansible_collections.neocloud.support_access.plugins.module_utils._coreweave import (
    CoreWeaveClient,
    CoreWeaveError,
    cluster_matches,
    list_items,
    CKS_CLUSTERS,
)
from ansible_collections.neocloud.support_access.plugins.plugin_utils._inventory import (
    CACHE_SCHEMA,
    ClusterInventory,
    by_name_and_id,
    name_matches as _name_matches,
    safe_group_part as _safe_group_part,
    suffix_collisions,
)

PROVIDER = "coreweave"
GROUP_PREFIX = "coreweave"


def safe_group_part(value):
    """Part of a group name: lower case, anything but letters, digits and underscores becomes an underscore."""
    return _safe_group_part(value, lower=True)


def name_matches(cluster, name_patterns=None, exclude_patterns=None):
    """Whether a cluster name passes the include and exclude globs (empty include list: all)."""
    return _name_matches(cluster.get("name"), name_patterns, exclude_patterns)


def host_names(clusters):
    """Unique host names in the same order: the cluster name, with -<id> appended where names collide."""
    return suffix_collisions([to_text(c.get("name") or c.get("id")) for c in clusters], [c.get("id") for c in clusters])


class InventoryModule(ClusterInventory):
    """CKS clusters, one host per cluster."""

    NAME = "neocloud.support_access.coreweave"
    FILE_NAME = "coreweave"
    GROUP_PREFIX = GROUP_PREFIX
    LABEL = "CoreWeave inventory"
    API_ERROR = CoreWeaveError

    def _api(self):
        token = self.get_option("api_token")
        if not token:
            raise AnsibleParserError("CoreWeave inventory: no API token: set COREWEAVE_API_TOKEN or api_token in the "
                                     "inventory file")
        try:
            return CoreWeaveClient(self.get_option("api_endpoint"), to_text(token), timeout=self.get_option("api_timeout"),
                                   retries=self.get_option("api_retries"), validate_certs=self.get_option("validate_certs"))
        except CoreWeaveError as exc:
            raise AnsibleParserError("CoreWeave inventory: %s" % to_native(exc.message))

    def _cache_key(self, path, api):
        return self.cache_key_for(path, "%s\n%s" % (api.endpoint, api.token))

    def _fetch(self, api):
        return dict(schema=CACHE_SCHEMA, clusters=list_items(api.get(CKS_CLUSTERS), "items"))

    def _auth_hint(self, exc, api):  # pylint: disable=unused-argument
        """Where the token came from, for 401/403 answers (never the token itself)."""
        if exc.status not in (401, 403):
            return ""
        dummy, origin = self.get_option_and_origin("api_token")
        return " (token from %s)" % ("COREWEAVE_API_TOKEN" if to_text(origin).startswith("env") else "the inventory file")

    def _selected(self, data):
        """Clusters that pass the filters, ordered by name and id."""
        out = []
        for cluster in by_name_and_id(data.get("clusters")):
            if not cluster_matches(cluster, self.get_option("statuses"), self.get_option("zones")):
                continue
            if not name_matches(cluster, self.get_option("name_patterns"), self.get_option("exclude_patterns")):
                continue
            out.append(cluster)
        return out

    def host_vars(self, cluster, host):
        """The contract's host variables for one cluster."""
        template_vars = dict(cluster)
        template_vars["cluster"] = dict(cluster)
        fields = dict(
            support_access_provider=PROVIDER,
            support_access_project="",
            support_access_project_name="",
            support_access_cluster=cluster.get("id"),
            support_access_cluster_name=cluster.get("name"),
            support_access_cluster_state=cluster.get("status"),
            support_access_location=cluster.get("zone"),
            support_access_cluster_version=cluster.get("version"),
            support_access_api_server=cluster.get("apiServerEndpoint"),
        )
        return self.cluster_host_vars(fields, cluster, template_vars, host)

    def populate(self, data):
        """Hosts, default groups and constructed groups/vars from API data (fresh or cached)."""
        clusters = self._selected(data)
        self.inventory.add_group(GROUP_PREFIX)
        for cluster, host in zip(clusters, host_names(clusters)):
            group = "%s_%s" % (GROUP_PREFIX, safe_group_part(cluster.get("zone") or "unknown"))
            self.add_cluster_host(host, [group], self.host_vars(cluster, host))
