"""flows/ use the library through its public names only (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib
import importlib.util

from .conftest import ROOT


def test_flows_import_only_names_the_library_exports() -> None:
    private = []
    for path in sorted((ROOT / "flows").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "papertrail"
            ):
                continue
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                is_package = hasattr(module, "__path__")
                if is_package and importlib.util.find_spec(f"{node.module}.{alias.name}"):
                    continue  # a submodule: ``from papertrail import cli``
                if alias.name not in getattr(module, "__all__", ()):
                    private.append(f"{path.name}: {node.module}.{alias.name}")
    assert private == []
