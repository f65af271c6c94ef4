"""Generate the record's JSON Schema and the tables of ``docs/schema.md`` and ``docs/settings.md``.

``python -m papertrail.schema`` rewrites ``docs/record.schema.json`` and the tables between
the ``<!-- fields -->`` markers in ``docs/schema.md``; a test fails when either is stale,
so the documentation cannot drift from the model.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .record import (
    SCHEMA_VERSION,
    ArticleRecord,
    ArxivRef,
    DescriptionEvidence,
    Paper,
    StageError,
    UnresolvedTitle,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
MODELS: list[type[BaseModel]] = [
    ArticleRecord,
    ArxivRef,
    DescriptionEvidence,
    UnresolvedTitle,
    Paper,
    StageError,
]
_MARKERS = re.compile(r"(<!-- fields:start -->\n).*?(<!-- fields:end -->)", re.S)


def json_schema() -> dict[str, Any]:
    schema = ArticleRecord.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://papertrail.invalid/schema/record-{SCHEMA_VERSION}.json"
    return schema


def _type_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type_name(s) for s in schema["prefixItems"]) + "]"
        return f"list[{_type_name(schema.get('items', {}))}]"
    if schema.get("format") == "date-time":
        return "datetime (ISO 8601)"
    return str(kind)


def field_tables() -> str:
    parts = []
    for model in MODELS:
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        parts.append(f"### `{model.__name__}`\n\n{(model.__doc__ or '').strip()}\n")
        parts.append("| field | type | required | description |\n|---|---|---|---|")
        for name, prop in schema["properties"].items():
            desc = (prop.get("description") or "").replace("|", "\\|")
            typ = _type_name(prop).replace("|", "\\|")
            parts.append(f"| `{name}` | {typ} | {'yes' if name in required else 'no'} | {desc} |")
        parts.append("")
    return "\n".join(parts)


def render_markdown(text: str) -> str:
    return _MARKERS.sub(lambda m: m.group(1) + field_tables() + "\n" + m.group(2), text)


def settings_table(model: type[BaseModel], prefix: str) -> str:
    """Every variable of a settings model with its default and description."""
    rows = ["| variable | default | description |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        default = field.default
        shown = (
            "(derived)"
            if default is None
            else json.dumps(
                str(default) if isinstance(default, Path) else default, ensure_ascii=False
            )
        )
        desc = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name.upper()}` | {shown} | {desc} |")
    return "\n".join(rows) + "\n"


_SERVER_MARKERS = re.compile(
    r"(<!-- server-fields:start -->\n).*?(<!-- server-fields:end -->)", re.S
)


def render_settings(text: str) -> str:
    """docs/settings.md with both tables regenerated: run settings and server settings."""
    from .settings import SERVER_PREFIX, ServerSettings, Settings

    text = _MARKERS.sub(
        lambda m: m.group(1) + settings_table(Settings, "PAPERTRAIL_") + m.group(2), text
    )
    return _SERVER_MARKERS.sub(
        lambda m: m.group(1) + settings_table(ServerSettings, SERVER_PREFIX) + m.group(2), text
    )


def main() -> int:
    (DOCS / "record.schema.json").write_text(
        json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    md = DOCS / "schema.md"
    md.write_text(render_markdown(md.read_text(encoding="utf-8")), encoding="utf-8")
    settings_md = DOCS / "settings.md"
    settings_md.write_text(
        render_settings(settings_md.read_text(encoding="utf-8")), encoding="utf-8"
    )
    print(f"wrote {DOCS / 'record.schema.json'}, {md} and {settings_md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
