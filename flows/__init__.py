"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library.

Importing this package, before Prefect is imported:

- turns Prefect's client-side SDK telemetry off (``DO_NOT_TRACK=1`` unless set): it
  ignores ``prefect.toml``'s ``analytics_enabled = false``, prints a banner on the first
  run in a terminal and would try the network;
- gives Prefect's temporary (ephemeral) API server 120 s to start instead of 20
  (``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS`` unless set): on a busy machine
  it can take longer than 20 s, and the run would fail before its first page;
- points Prefect at papertrail's local server for this ``PREFECT_HOME`` when it is
  running and no ``PREFECT_API_URL`` is set; it never starts one
  (``flows.local_server``).
"""

import os

from .local_server import use_running_server

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
use_running_server()
