"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library.

Importing this package, before Prefect is imported:

- turns Prefect's client-side SDK telemetry off (``DO_NOT_TRACK=1`` unless set): it
  ignores ``prefect.toml``'s ``analytics_enabled = false``, prints a banner on the first
  run in a terminal and would try the network;
- points Prefect at papertrail's local server for this ``PREFECT_HOME`` when it is
  running and no ``PREFECT_API_URL`` is set; it never starts one
  (``flows.local_server``).
"""

import os

from .local_server import use_running_server

os.environ.setdefault("DO_NOT_TRACK", "1")
use_running_server()
