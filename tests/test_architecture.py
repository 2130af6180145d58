"""The layers stay apart: checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "audit"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def imports(names: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in names)


def test_the_package_has_modules() -> None:
    assert len(modules("crawl")) >= 6 and len(modules("reporting")) >= 1


@pytest.mark.parametrize("path", modules("crawl"), ids=lambda path: path.name)
def test_the_crawler_imports_no_rules_reporting_or_pandas(path: Path) -> None:
    names = imports_of(path)
    for forbidden in ("audit.rules", "audit.reporting", "audit.engine", "pandas"):
        assert not imports(names, forbidden), f"{path.name} imports {forbidden}"


@pytest.mark.parametrize("path", modules("reporting"), ids=lambda path: path.name)
def test_reporting_does_not_import_the_crawler(path: Path) -> None:
    assert not imports(imports_of(path), "audit.crawl")


OUTSIDE_REPORTING = [path for path in modules() if "reporting" not in path.parts]


@pytest.mark.parametrize("path", OUTSIDE_REPORTING, ids=lambda path: path.name)
def test_pandas_only_in_reporting(path: Path) -> None:
    assert not imports(imports_of(path), "pandas")
