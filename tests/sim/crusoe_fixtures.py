"""pytest fixtures for the Crusoe API simulator (filled in with the simulator)."""
