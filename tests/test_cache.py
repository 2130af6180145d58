"""The user cache: where it lives, and that a bad cache file never breaks a run."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from audit import cache
from audit.structured import vocabulary
from audit.structured.vocabulary import Vocabulary


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return {"built": self.calls}


def test_cache_dir_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_CACHE_DIR", "/somewhere/else")
    assert cache.cache_dir() == Path("/somewhere/else")
    monkeypatch.delenv("AUDIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert cache.cache_dir() == Path("/xdg/site-audit")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path("~/.cache/site-audit").expanduser()


def test_a_value_is_built_once_then_read_from_the_cache(folder: Path) -> None:
    build = Counter()
    assert cache.cached("thing.pickle", build, dict) == {"built": 1}
    assert cache.cached("thing.pickle", build, dict) == {"built": 1}
    assert build.calls == 1
    assert [p.name for p in folder.iterdir()] == ["thing.pickle"]  # no temporary left over


@pytest.mark.parametrize(
    "content", [b"", b"not a pickle", pickle.dumps(["a list, not a dict"])], ids=str
)
def test_a_corrupt_or_foreign_cache_file_is_rebuilt(folder: Path, content: bytes) -> None:
    folder.mkdir()
    (folder / "thing.pickle").write_bytes(content)
    build = Counter()
    assert cache.cached("thing.pickle", build, dict) == {"built": 1}
    assert pickle.loads((folder / "thing.pickle").read_bytes()) == {"built": 1}


def test_an_unwritable_cache_folder_only_costs_the_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("AUDIT_CACHE_DIR", str(blocker / "cache"))
    build = Counter()
    assert cache.cached("thing.pickle", build, dict) == {"built": 1}
    assert cache.cached("thing.pickle", build, dict) == {"built": 2}


def test_the_bundled_vocabulary_index_round_trips_through_the_cache(folder: Path) -> None:
    name = vocabulary._bundled_cache_name()
    assert name is not None
    fresh = cache.cached(name, vocabulary._index_bundled, Vocabulary)
    assert (folder / name).is_file()
    loaded = cache.cached(name, lambda: pytest.fail("rebuilt"), Vocabulary)
    assert loaded.release == fresh.release == "30.0"
    assert loaded.classes == fresh.classes
    assert loaded.properties == fresh.properties
    assert loaded.members == fresh.members
    assert loaded.is_a("MedicalClinic", "Organization")
