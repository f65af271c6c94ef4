"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library.

Importing this package, before Prefect is imported:

- turns Prefect's client-side SDK telemetry off (``DO_NOT_TRACK=1`` unless set): it
  ignores ``prefect.toml``'s ``analytics_enabled = false``, prints a banner on the first
  run in a terminal and would try the network;
- points Prefect at a local API server kept up with ``python -m flows.server start``
  when one is running and no ``PREFECT_API_URL`` is set; otherwise Prefect's embedded
  ephemeral server is used, as by default.
"""

import os

from .server import use_running_server

os.environ.setdefault("DO_NOT_TRACK", "1")
use_running_server()
