"""A Kubernetes API emulator: many virtual clusters in one process, for real kubectl, helm and kubernetes.core.

Public test API: ``from sim.kube import Emulator`` (see sim.kube.emulator).
"""


def __getattr__(name):
    if name in ("Emulator", "DEFAULT_IDENTITIES"):
        from sim.kube import emulator  # pylint: disable=import-outside-toplevel
        return getattr(emulator, name)
    raise AttributeError(name)
