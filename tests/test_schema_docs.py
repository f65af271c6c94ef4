"""The shipped JSON Schema and docs/schema.md are generated from the model, never stale."""

from __future__ import annotations

import json

from papertrail.record import SCHEMA_VERSION, ArticleRecord
from papertrail.schema import DOCS, json_schema, render_markdown


def test_json_schema_is_current() -> None:
    shipped = json.loads((DOCS / "record.schema.json").read_text(encoding="utf-8"))
    assert shipped == json_schema(), "run: python -m papertrail.schema"


def test_schema_md_documents_every_field() -> None:
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    assert render_markdown(text) == text, "run: python -m papertrail.schema"
    for name in ArticleRecord.model_fields:
        assert f"| `{name}` |" in text


def test_schema_version_field() -> None:
    assert json_schema()["properties"]["schema_version"]["default"] == SCHEMA_VERSION


def test_settings_md_is_current() -> None:
    from papertrail.schema import render_settings
    from papertrail.settings import Settings

    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    assert render_settings(text) == text, "run: python -m papertrail.schema"
    for name in Settings.model_fields:
        assert f"`PAPERTRAIL_{name.upper()}`" in text
