# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection and authentication options shared by every Crusoe module and the crusoe inventory plugin (with the
neocloud.support_access.provider_api fragment)."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Crusoe Cloud API options: DOCUMENTATION for the modules and the inventory plugin, variants for either."""

    # The connection options as every Crusoe module and the crusoe inventory plugin read them (validate_certs:
    # neocloud.support_access.provider_api).
    DOCUMENTATION = r"""
options:
  api_endpoint:
    description:
      - Base URL of the Crusoe Cloud API, including the version path.
      - If not set, the value of the E(CRUSOE_API_ENDPOINT) environment variable is used, then C(api_endpoint)
        from the selected profile of the config file, then V(https://api.cloud.crusoe.ai/v1).
      - The legacy endpoints V(https://api.crusoecloud.com/v1alpha5) and V(https://api.crusoecloud.com/v1) are
        rewritten to V(https://api.cloud.crusoe.ai/v1), as Crusoe's Terraform provider does.
    type: str
  access_key_id:
    description:
      - Crusoe access key id.
      - If not set, the value of the E(CRUSOE_ACCESS_KEY_ID) environment variable is used, then C(access_key_id)
        from the selected profile of the config file.
    type: str
  secret_key:
    description:
      - Crusoe secret key (URL-safe base64, as the console shows it). Never logged.
      - If not set, the value of the E(CRUSOE_SECRET_KEY) environment variable is used, then C(secret_key)
        from the selected profile of the config file.
    type: str
  profile:
    description:
      - Profile (TOML table) of the config file to read.
      - If not set, the value of the E(CRUSOE_PROFILE) environment variable is used, then the top-level
        C(profile) key of the config file, then V(default).
    type: str
  config_file:
    description:
      - Crusoe CLI config file (TOML) with one table per profile holding C(access_key_id), C(secret_key),
        C(api_endpoint) and C(default_project).
      - Options and environment variables take precedence over values from this file.
      - Reading it needs Python 3.11 or later.
    type: path
    default: ~/.crusoe/config
  api_timeout:
    description:
      - Seconds to wait for one HTTP answer before the attempt counts as timed out.
    type: int
    default: 30
  api_retries:
    description:
      - How many times a failed request is repeated, with exponential backoff, jitter and a 30 second cap.
      - HTTP 429 (honouring C(Retry-After)) and refused connections are retried for every method.
      - HTTP 500, 502, 503, 504, timeouts and dropped connections are retried only for requests that are safe to
        repeat (GET, PATCH with complete values, DELETE), never for POST, which creates resources.
    type: int
    default: 5
notes:
  - "Every request is signed with HMAC-SHA256 as Crusoe's own clients sign them (an C(Authorization) header
    C(Bearer 1.0:<key id>:<signature>) and C(X-Crusoe-Timestamp)); the clock of the host that sends them (the
    managed node for a module, the controller for the inventory plugin) must be within five minutes of the API's."
"""

    # Every Crusoe module (use after DOCUMENTATION): the project it works in.
    MODULE = r"""
options:
  project:
    description:
      - Project that holds the clusters and firewall rules, as a UUID or a name.
      - A name must match exactly one visible project.
      - If not set, the value of the E(CRUSOE_DEFAULT_PROJECT) environment variable is used, then
        C(default_project) (or C(default_project_id)) from the selected profile of the config file.
      - If none of these is set and exactly one project is visible to the key, that project is used.
    type: str
"""

    # Crusoe modules that act on one cluster.
    CLUSTER = r"""
options:
  cluster:
    description:
      - The CMK cluster, as its UUID or its name in the project.
      - A name is looked up with the C(cluster_name) filter and must match exactly one cluster.
    type: str
    required: true
"""

    # Crusoe modules that wait for the API's asynchronous operation.
    WAIT = r"""
options:
  wait_timeout:
    description:
      - Seconds to wait for the API's operation to finish.
    type: int
    default: 300
"""

    # The crusoe inventory plugin: the environment variables it reads as options (use after DOCUMENTATION).
    INVENTORY = r"""
options:
  api_endpoint:
    env:
      - name: CRUSOE_API_ENDPOINT
  access_key_id:
    env:
      - name: CRUSOE_ACCESS_KEY_ID
  secret_key:
    env:
      - name: CRUSOE_SECRET_KEY
  profile:
    env:
      - name: CRUSOE_PROFILE
"""
