# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the CoreWeave and Crusoe API options and modules have in common; the provider's own options are in the
coreweave and crusoe fragments."""

from __future__ import annotations


class ModuleDocFragment:  # pylint: disable=too-few-public-methods
    """Provider API options: DOCUMENTATION for the modules and the inventory plugins, MODULE for the modules."""

    # Every CoreWeave and Crusoe module and both inventory plugins (use after the provider's fragment).
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate.
    type: bool
    default: true
"""

    # Every CoreWeave and Crusoe module (use after the provider's fragments): what check mode sends.
    MODULE = r"""
options: {}
notes:
  - Check mode sends no POST, PATCH or DELETE request; reads still happen.
"""
