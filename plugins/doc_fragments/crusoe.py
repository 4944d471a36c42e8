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
      - Not used when a service account (O(client_id), O(client_secret)) is configured at the same or a
        higher-precedence place, see the notes.
    type: str
  secret_key:
    description:
      - Crusoe secret key (URL-safe base64, as the console shows it). Never logged.
      - If not set, the value of the E(CRUSOE_SECRET_KEY) environment variable is used, then C(secret_key)
        from the selected profile of the config file.
    type: str
  client_id:
    description:
      - Client id of a Crusoe service account, to log in with the OAuth2 client-credentials grant instead of
        signing requests with an access key. Preferred for AWX and CI.
      - If not set, the value of the E(CRUSOE_CLIENT_ID) environment variable is used, then C(client_id) from the
        selected profile of the config file.
      - Needs O(client_secret); one without the other fails, naming where the other was expected.
    type: str
  client_secret:
    description:
      - Client secret of the Crusoe service account O(client_id). Never logged, sent only to O(token_url) (in an
        HTTP Basic C(Authorization) header), never to the API.
      - If not set, the value of the E(CRUSOE_CLIENT_SECRET) environment variable is used, then C(client_secret)
        from the selected profile of the config file.
    type: str
  token_url:
    description:
      - OAuth2 token endpoint the service account logs in at.
      - If not set, the value of the E(CRUSOE_TOKEN_URL) environment variable is used, then C(token_url) from the
        selected profile of the config file, then V(https://auth.crusoe.ai/oauth2/token).
      - Must be an C(https) URL, so the client secret never travels in clear; an C(http) URL fails.
      - The server's certificate is verified as the API's (O(validate_certs)); E(SSL_CERT_FILE) names another CA
        bundle.
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
        C(client_id), C(client_secret), C(token_url), C(api_endpoint) and C(default_project).
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
  - "Two ways to authenticate. With an access key (O(access_key_id), O(secret_key)) every request is signed with
    HMAC-SHA256 as Crusoe's own clients sign them (an C(Authorization) header C(Bearer 1.0:<key id>:<signature>) and
    C(X-Crusoe-Timestamp)); the clock of the host that sends them (the managed node for a module, the controller for
    the inventory plugin) must be within five minutes of the API's. As a service account (O(client_id),
    O(client_secret)) the client gets an access token from O(token_url) (OAuth2 client-credentials grant) and sends
    C(Authorization: Bearer <token>); one token serves the whole module run or inventory parse and is replaced when
    less than 60 seconds of it remain or when the API refuses it (once per request)."
  - "Which one is used: each setting is taken from the option, else its environment variable, else the config file
    profile. When both a service account and an access key are configured, the one whose settings come from the
    higher-precedence place wins (an option beats an environment variable, which beats the config file); at the
    same place the service account wins. The winner must be complete: a client id without a secret (or the reverse)
    fails, and never falls back to the access key."
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
  client_id:
    env:
      - name: CRUSOE_CLIENT_ID
  client_secret:
    env:
      - name: CRUSOE_CLIENT_SECRET
  token_url:
    env:
      - name: CRUSOE_TOKEN_URL
  profile:
    env:
      - name: CRUSOE_PROFILE
"""
