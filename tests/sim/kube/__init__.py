"""A Kubernetes API emulator: many virtual clusters in one process, for real kubectl, helm and kubernetes.core."""
