"""Google's structured-data features, loaded once from ``audit/structured/google_features.yaml``.

The YAML is validated when first read: an entry with a missing field, an unknown
status, a retired entry without ``retired_on`` or a path that does not parse
raises :class:`FeatureDataError` naming the entry and the field, so a bad edit
fails the first test run instead of silently judging nothing. The path syntax is
documented at the top of the YAML file.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Union

import yaml

DATA_FILE = "google_features.yaml"
STATUSES = frozenset({"live", "retired"})
_FIELDS = frozenset(
    {"feature", "types", "except_types", "when", "required", "standalone", "recommended",
     "nested_via", "status", "retired_on", "note", "source", "checked"}
)  # fmt: skip
_MANDATORY = ("feature", "types", "required", "recommended", "status", "source", "checked")
_STEP = re.compile(r"([A-Za-z][A-Za-z0-9]*)(?:@([A-Za-z][A-Za-z0-9]*))?(\[:-1\])?")
_SOURCE = "https://developers.google.com/search/"


class FeatureDataError(ValueError):
    """The feature data file is malformed (the message names the entry and field)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One property hop: ``prop``, maybe only values of ``type_filter``, or all but the last."""

    prop: str
    type_filter: str | None = None
    all_but_last: bool = False

    @property
    def text(self) -> str:
        """The step as written in the data file."""
        typed = f"@{self.type_filter}" if self.type_filter else ""
        return f"{self.prop}{typed}{'[:-1]' if self.all_but_last else ''}"


Segment = Union[Step, "Path"]


@dataclass(frozen=True, slots=True)
class Path:
    """A requirement: alternatives (``a|b``), each a chain of steps (``a.b``), a group last."""

    text: str
    alternatives: tuple[tuple[Segment, ...], ...]

    def choices(self) -> list[str]:
        """The text of each alternative (``["offers", "review", "aggregateRating"]``)."""
        return [
            ".".join(f"({part.text})" if isinstance(part, Path) else part.text for part in chain)
            for chain in self.alternatives
        ]

    def properties(self) -> set[str]:
        """Every property name the path mentions (for validation against the vocabulary)."""
        names: set[str] = set()
        for chain in self.alternatives:
            for segment in chain:
                names |= segment.properties() if isinstance(segment, Path) else {segment.prop}
        return names

    def types(self) -> set[str]:
        """Every type filter the path mentions."""
        found: set[str] = set()
        for chain in self.alternatives:
            for segment in chain:
                if isinstance(segment, Path):
                    found |= segment.types()
                elif segment.type_filter:
                    found.add(segment.type_filter)
        return found


@dataclass(frozen=True, slots=True)
class Feature:
    """One Google Search feature and what it asks of the markup."""

    feature: str
    types: tuple[str, ...]
    required: tuple[Path, ...]
    recommended: tuple[Path, ...]
    status: str
    source: str
    checked: datetime.date
    except_types: tuple[str, ...] = ()
    when: Path | None = None
    standalone: tuple[Path, ...] = ()
    nested_via: tuple[str, ...] = ()
    retired_on: datetime.date | None = None
    note: str = ""

    @property
    def live(self) -> bool:
        """True while Google still shows the rich result."""
        return self.status == "live"


def parse_path(text: str) -> Path:
    """Parse one path of the data file (see its header); raises ValueError when malformed."""
    text = text.strip()
    alternatives = []
    for alternative in _split(text, "|"):
        chain: list[Segment] = []
        segments = _split(alternative, ".")
        for index, segment in enumerate(segments):
            if segment.startswith("(") and segment.endswith(")"):
                if index != len(segments) - 1:
                    raise ValueError(f"a (group) must end the path: {text!r}")
                chain.append(parse_path(segment[1:-1]))
                continue
            match = _STEP.fullmatch(segment)
            if match is None:
                raise ValueError(f"bad step {segment!r} in {text!r}")
            prop, type_filter, last = match.groups()
            chain.append(Step(prop, type_filter, bool(last)))
        alternatives.append(tuple(chain))
    return Path(text, tuple(alternatives))


def _split(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            raise ValueError(f"unbalanced parentheses in {text!r}")
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if depth or any(not part for part in parts):
        raise ValueError(f"malformed path {text!r}")
    return parts


@lru_cache(maxsize=1)
def load_features() -> tuple[Feature, ...]:
    """Every feature of the bundled data file, validated (read once per process)."""
    text = resources.files("audit.structured").joinpath(DATA_FILE).read_text(encoding="utf-8")
    # libyaml's loader when PyYAML was built with it: 10x faster than the pure-Python one.
    return features_from_data(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def features_from_data(data: Any) -> tuple[Feature, ...]:
    """Validate parsed YAML (a list of entries) into features; raises FeatureDataError."""
    if not isinstance(data, list) or not data:
        raise FeatureDataError(f"{DATA_FILE}: expected a non-empty list of features")
    return tuple(_feature(index, entry) for index, entry in enumerate(data))


def _feature(index: int, entry: Any) -> Feature:
    where = f"{DATA_FILE} entry {index + 1}"
    if not isinstance(entry, dict):
        raise FeatureDataError(f"{where}: expected a mapping")
    where = f"{where} ({entry.get('feature', '?')})"
    unknown = set(entry) - _FIELDS
    missing = [name for name in _MANDATORY if name not in entry]
    if unknown or missing:
        raise FeatureDataError(f"{where}: unknown fields {sorted(unknown)}, missing {missing}")
    if entry["status"] not in STATUSES:
        raise FeatureDataError(f"{where}: status must be live or retired")
    retired_on = entry.get("retired_on")
    if (entry["status"] == "retired") != isinstance(retired_on, datetime.date):
        raise FeatureDataError(f"{where}: retired_on (a date) goes with status retired only")
    if not isinstance(entry["checked"], datetime.date):
        raise FeatureDataError(f"{where}: checked must be a date (YYYY-MM-DD)")
    if not str(entry["source"]).startswith(_SOURCE):
        raise FeatureDataError(f"{where}: source must be a Google Search Central URL")
    try:
        when = entry.get("when")
        return Feature(
            feature=_text(entry["feature"], where),
            types=_names(entry["types"], where, "types", empty=False),
            except_types=_names(entry.get("except_types", []), where, "except_types"),
            when=parse_path(when) if when else None,
            required=_paths(entry["required"], where),
            standalone=_paths(entry.get("standalone", []), where),
            recommended=_paths(entry["recommended"], where),
            nested_via=_names(entry.get("nested_via", []), where, "nested_via"),
            status=entry["status"],
            retired_on=retired_on,
            note=str(entry.get("note", "")),
            source=str(entry["source"]),
            checked=entry["checked"],
        )
    except ValueError as exc:
        raise FeatureDataError(f"{where}: {exc}") from exc


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FeatureDataError(f"{where}: feature must be a non-empty name")
    return value


def _names(value: Any, where: str, field: str, *, empty: bool = True) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FeatureDataError(f"{where}: {field} must be a list of names")
    if not value and not empty:
        raise FeatureDataError(f"{where}: {field} must not be empty")
    return tuple(value)


def _paths(value: Any, where: str) -> tuple[Path, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FeatureDataError(f"{where}: expected a list of paths")
    return tuple(parse_path(item) for item in value)
