"""pytest fixtures for the Kubernetes API emulator (filled in with the emulator)."""
