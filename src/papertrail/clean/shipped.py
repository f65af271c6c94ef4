"""The models shipped inside the package (``models/*.json``): read once, with no download."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def load_model(file_name: str) -> dict[str, object] | None:
    """The model in ``models/<file_name>``, or None when the file is missing (each caller
    then keeps its rules-only behaviour)."""
    try:
        raw = resources.files(__package__).joinpath("models", file_name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    return json.loads(raw)
