"""pytest fixtures for the Crusoe API simulator (tests/sim/crusoe_api.py).

- ``crusoe_sim``: a started CrusoeSim with the small built-in fleet (projects ml and research, clusters
  training-prod, inference and two named dup, CMK control-plane firewall rules), operations IN_PROGRESS for
  two polls, pages of two items so pagination is always exercised. Stopped after the test.
- ``crusoe_env``: environment variables that point a module at it (CRUSOE_API_ENDPOINT, CRUSOE_ACCESS_KEY_ID,
  CRUSOE_SECRET_KEY, CRUSOE_DEFAULT_PROJECT=ml, CRUSOE_PROFILE and the service-account variables cleared) plus HOME
  set to an empty temporary directory so no real ~/.crusoe/config is read. Pass it as ``env=`` to the
  ansible_playbook fixture.
- ``crusoe_sa_env``: the same, logging in as the simulator's service account instead (CRUSOE_CLIENT_ID,
  CRUSOE_CLIENT_SECRET, CRUSOE_TOKEN_URL on the https listener, SSL_CERT_FILE trusting its CA; no access key).
"""

import pytest

from sim.crusoe_api import CrusoeSim

CRUSOE_ENV_VARS = ("CRUSOE_API_ENDPOINT", "CRUSOE_ACCESS_KEY_ID", "CRUSOE_SECRET_KEY", "CRUSOE_DEFAULT_PROJECT",
                   "CRUSOE_PROFILE", "CRUSOE_CLIENT_ID", "CRUSOE_CLIENT_SECRET", "CRUSOE_TOKEN_URL")


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


@pytest.fixture
def crusoe_sa_env(crusoe_sim, crusoe_home):
    """Env vars logging Crusoe modules in to the simulator as its service account (no access key), project ml."""
    env = dict.fromkeys(CRUSOE_ENV_VARS, "")
    env.update(crusoe_sim.service_account_env(project="ml"))
    env["HOME"] = str(crusoe_home)
    return env
