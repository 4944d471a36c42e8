# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Kubernetes API emulator: many virtual clusters in one process, for real kubectl, helm and kubernetes.core.

Public test API: ``from sim.kube import Emulator`` (see sim.kube.emulator).
"""


def __getattr__(name):
    if name in ("Emulator", "DEFAULT_IDENTITIES"):
        from sim.kube import emulator  # pylint: disable=import-outside-toplevel
        return getattr(emulator, name)
    raise AttributeError(name)
