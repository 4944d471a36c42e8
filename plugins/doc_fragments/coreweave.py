# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection and authentication options shared by every CoreWeave module and the coreweave inventory plugin (with
the neocloud.support_access.provider_api fragment)."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """CoreWeave API options: DOCUMENTATION for the modules and the inventory plugin, a variant for the plugin."""

    # The connection options as every CoreWeave module and the coreweave inventory plugin read them (validate_certs:
    # neocloud.support_access.provider_api).
    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - "CoreWeave API access token (C(CW-SECRET-...)), sent as C(Authorization: Bearer <token>). Never logged."
      - If not set, the value of the E(COREWEAVE_API_TOKEN) environment variable is used.
    type: str
  api_endpoint:
    description:
      - Base URL of the CoreWeave API.
      - If not set, the value of the E(COREWEAVE_API_ENDPOINT) environment variable is used, then
        V(https://api.coreweave.com/).
    type: str
  api_timeout:
    description:
      - Seconds to wait for one HTTP answer before the attempt counts as timed out.
      - If not set, the value of the E(COREWEAVE_HTTP_TIMEOUT) environment variable is used, then V(30).
    type: int
  api_retries:
    description:
      - How many times a failed request is repeated, with exponential backoff, jitter and a 30 second cap.
      - HTTP 429 is retried for every method, honouring C(Retry-After).
      - HTTP 500, 502, 503, 504, timeouts and dropped or refused connections are retried only for requests that are
        safe to repeat (GET, PATCH with the complete spec, DELETE), never for POST, which creates resources.
    type: int
    default: 5
notes:
  - The environment variables are the ones CoreWeave's own Terraform provider reads.
"""

    # The coreweave inventory plugin: the environment variables and defaults it reads as options (use after
    # DOCUMENTATION).
    INVENTORY = r"""
options:
  api_token:
    env:
      - name: COREWEAVE_API_TOKEN
  api_endpoint:
    default: https://api.coreweave.com/
    env:
      - name: COREWEAVE_API_ENDPOINT
  api_timeout:
    default: 30
    env:
      - name: COREWEAVE_HTTP_TIMEOUT
"""
