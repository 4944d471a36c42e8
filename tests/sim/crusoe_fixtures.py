"""pytest fixtures for the Crusoe API simulator (tests/sim/crusoe_api.py).

- ``crusoe_sim``: a started CrusoeSim with the small built-in fleet (projects ml and research, clusters
  training-prod, inference and two named dup, CMK control-plane firewall rules), operations IN_PROGRESS for
  two polls, pages of two items so pagination is always exercised. Stopped after the test.
- ``crusoe_env``: environment variables that point a module at it (CRUSOE_API_ENDPOINT, CRUSOE_ACCESS_KEY_ID,
  CRUSOE_SECRET_KEY, CRUSOE_DEFAULT_PROJECT=ml, CRUSOE_PROFILE cleared) plus HOME set to an empty temporary
  directory so no real ~/.crusoe/config is read. Pass it as ``env=`` to the ansible_playbook fixture.
"""

import pytest

from sim.crusoe_api import CrusoeSim

CRUSOE_ENV_VARS = ("CRUSOE_API_ENDPOINT", "CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", "CRUSOE_DEFAULT_PROJECT",
                   "CRUSOE_PROFILE")


@pytest.fixture
def crusoe_sim():
    """A running Crusoe API simulator with the default fleet."""
    sim = CrusoeSim(operation_polls=2, page_size=2).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def crusoe_home(tmp_path):
    """An empty HOME for module runs (so ~/.crusoe/config is the test's, not the user's)."""
    home = tmp_path / "home"
    home.mkdir()
    return home


@pytest.fixture
def crusoe_env(crusoe_sim, crusoe_home):
    """Env vars pointing Crusoe modules at the simulator, project ml."""
    env = dict.fromkeys(CRUSOE_ENV_VARS, "")
    env.update(crusoe_sim.env(project="ml"))
    env["HOME"] = str(crusoe_home)
    return env
