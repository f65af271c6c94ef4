"""When to try again and how long to wait: exponential backoff with full jitter,
overridden upward by the server's own ``Retry-After``.

Jitter spreads the retries of many threads hitting one struggling host, so they do
not come back in lockstep.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, *range(500, 600)})
SLOWDOWN_STATUSES = frozenset({429, 503})


def is_retryable_status(status: int) -> bool:
    return status in RETRY_STATUSES


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to sleep before try ``attempt + 1`` (attempt counts from 0): uniform in
    [base * 2**attempt / 2, base * 2**attempt], capped. Half the step is kept as a floor
    so a retry never comes back at once."""
    step = min(cap, base * (2**attempt))
    return (rng or random).uniform(step / 2, step)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
