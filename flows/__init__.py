"""Prefect flows: orchestration only. All logic lives in the ``papertrail`` library.

Importing this package points Prefect at papertrail's local server for this
``PREFECT_HOME`` when it is running and no ``PREFECT_API_URL`` is set (it must happen
before Prefect is imported); it never starts one (``flows.local_server``).
"""

from .local_server import use_running_server

use_running_server()
