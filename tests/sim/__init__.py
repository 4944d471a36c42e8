"""Simulators for what cannot run on a test machine: provider APIs and Kubernetes API servers."""
