"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library.

Importing this package points Prefect at a local API server kept up with
``python -m flows.server start`` when one is running and no ``PREFECT_API_URL`` is set
(it must happen before Prefect is imported); otherwise Prefect's embedded ephemeral
server is used, as by default.
"""

from .server import use_running_server

use_running_server()
