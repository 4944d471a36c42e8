# Copyright: (c) 2026, neocloud.support_access maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest fixtures for the CoreWeave API simulator (tests/sim/coreweave_api.py).

- ``coreweave_sim``: a started CoreWeaveSim with the built-in fleet (clusters gpu-train, gpu-infer running and
  staging creating; streams audit-logs "Audit Logs", application-logs, platform-logs; Telemetry Relay enabled; no
  endpoints or pipelines; tokens admin, reader and nobody). Stopped after the test.
- ``coreweave_env``: environment variables pointing a module or plugin at it with the admin token
  (COREWEAVE_API_ENDPOINT, COREWEAVE_API_TOKEN, COREWEAVE_HTTP_TIMEOUT). Pass it as ``env=`` to ansible_playbook.
- ``coreweave_reader_env``: the same with the reader-only token (Telemetry Relay Reader).
"""

import pytest

from sim.coreweave_api import CoreWeaveSim

COREWEAVE_ENV_VARS = ("COREWEAVE_API_ENDPOINT", "COREWEAVE_API_TOKEN", "COREWEAVE_HTTP_TIMEOUT")


@pytest.fixture
def coreweave_sim():
    """A running CoreWeave API simulator with the default fleet."""
    sim = CoreWeaveSim().start()
    try:
        yield sim
    finally:
        sim.stop()


def _env(sim, token):
    env = dict.fromkeys(COREWEAVE_ENV_VARS, "")
    env.update(sim.env(token=token))
    env["COREWEAVE_HTTP_TIMEOUT"] = "10"
    return env


@pytest.fixture
def coreweave_env(coreweave_sim):
    """Env vars pointing CoreWeave modules at the simulator with the admin token."""
    return _env(coreweave_sim, "admin")


@pytest.fixture
def coreweave_reader_env(coreweave_sim):
    """Env vars pointing CoreWeave modules at the simulator with the reader-only token."""
    return _env(coreweave_sim, "reader")
