# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Crusoe connection options as one dictionary option, C(crusoe), of the modules that also talk to a Kubernetes
cluster (support_cluster_info, support_enable_check): kubernetes.core's connection options take the top level."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """The crusoe option."""

    DOCUMENTATION = r"""
options:
  crusoe:
    description:
      - Crusoe API connection options; each falls back to the E(CRUSOE_*) environment variables and the Crusoe
        config file as for the Crusoe modules (see M(neocloud.support_access.crusoe_support_access_info)).
    type: dict
    default: {}
    suboptions:
      api_endpoint:
        description: Base URL of the Crusoe Cloud API.
        type: str
      access_key_id:
        description: Crusoe access key id.
        type: str
      secret_key:
        description: Crusoe secret key. Never logged.
        type: str
      client_id:
        description: Client id of a Crusoe service account (OAuth2 client credentials), instead of an access key.
        type: str
      client_secret:
        description: Client secret of the service account O(crusoe.client_id). Never logged.
        type: str
      token_url:
        description: The OAuth2 token endpoint (https only); the default is Crusoe's.
        type: str
      profile:
        description: Profile of the config file.
        type: str
      config_file:
        description: Crusoe CLI config file.
        type: path
        default: ~/.crusoe/config
      api_timeout:
        description: Seconds to wait for one HTTP answer.
        type: int
        default: 30
      api_retries:
        description: How often a throttled or failed request is repeated.
        type: int
        default: 5
      validate_certs:
        description: Verify the API's TLS certificate.
        type: bool
        default: true
"""
