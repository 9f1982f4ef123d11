"""The program keeps the code ``dataclasses`` compiles between runs (tstui.codecache): the
classes it makes are the classes ``dataclasses`` makes, and a cache file that is not ours
alone, or is broken, is never read."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tstui.codecache import MAX_ENTRIES, DataclassCodeCache, cache_dir

# Every kind of method dataclasses writes: __init__ with a default and a factory, __repr__,
# __eq__, __hash__ and the frozen __setattr__/__delattr__. The probe has no ``from __future__
# import annotations`` and tstui.codecache has: the generated code must not inherit it.
PROBE = """
import dataclasses, json, sys
from decimal import Decimal
cache = None
if sys.argv[1] == "cached":
    from tstui.codecache import install
    cache = install()

@dataclasses.dataclass(frozen=True)
class Fill:
    symbol: str
    price: Decimal = Decimal("1.5")
    tags: list[str] = dataclasses.field(default_factory=list, hash=False)

a, b = Fill("ES"), Fill("ES")
try:
    a.symbol = "NQ"
    frozen = "no error"
except dataclasses.FrozenInstanceError as exc:
    frozen = str(exc)
print(json.dumps({
    "repr": repr(a),
    "eq": a == b and a != Fill("NQ"),
    "hash": hash(a) == hash(b),
    "frozen": frozen,
    "init_annotations": {k: repr(v) for k, v in Fill.__init__.__annotations__.items()},
    "defaults": [repr(Fill("X").price), Fill("X").tags is not Fill("X").tags],
    "hits": cache.hits if cache else None,
    "misses": cache.misses if cache else None,
}))
"""


def _probe(mode: str, cache_home: Path) -> dict[str, object]:
    env = {**os.environ, "TSTUI_CACHE_DIR": str(cache_home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_cached_classes_are_the_classes_dataclasses_makes(tmp_path: Path) -> None:
    plain = _probe("plain", tmp_path)
    first = _probe("cached", tmp_path)  # compiles, then saves at exit
    second = _probe("cached", tmp_path)  # reads it back
    assert first["misses"] and not first["hits"]
    assert second["hits"] == first["misses"] and not second["misses"]
    for run in (first, second):
        assert {k: v for k, v in run.items() if k not in ("hits", "misses")} == {
            k: v for k, v in plain.items() if k not in ("hits", "misses")
        }
    # the generated __init__ keeps real types, not postponed strings
    assert plain["init_annotations"] == {
        "symbol": "<class 'str'>",
        "price": "<class 'decimal.Decimal'>",
        "tags": "list[str]",
        "return": "None",
    }
    (saved,) = tmp_path.iterdir()
    assert saved.stat().st_mode & 0o777 == 0o600
    assert tmp_path.stat().st_mode & 0o077 == 0  # kept like the tokens: ours alone


@pytest.fixture(autouse=True)
def _writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a shell without PYTHONDONTWRITEBYTECODE (the cache is not written under it)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


SOURCE = "def __create_fn__():\n def f(self):\n  return 42\n return f"


def _saved_cache(path: Path) -> DataclassCodeCache:
    cache = DataclassCodeCache(path)
    cache.code(SOURCE)
    cache.save()
    return cache


def test_a_file_others_can_write_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "code.marshal"
    _saved_cache(path)
    assert DataclassCodeCache(path).load()
    path.chmod(0o622)  # a group or anyone may have put code in it
    assert not DataclassCodeCache(path).load()
    path.chmod(0o600)
    path.parent.chmod(0o777)  # or replaced the file through its directory
    assert not DataclassCodeCache(path).load()


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps(["a", "list"])])
def test_a_broken_file_is_a_miss_and_the_next_save_replaces_it(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "code.marshal"
    path.write_bytes(content)
    path.chmod(0o600)
    cache = DataclassCodeCache(path)
    assert not cache.load()
    namespace: dict[str, object] = {}
    exec(cache.code(SOURCE), {}, namespace)
    assert cache.misses == 1
    cache.save()
    again = DataclassCodeCache(path)
    assert again.load()
    again.code(SOURCE)
    assert (again.hits, again.misses) == (1, 0)


def test_a_broken_entry_is_compiled_again(tmp_path: Path) -> None:
    path = tmp_path / "code.marshal"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as file:
        marshal.dump({SOURCE: b"\x00garbage"}, file)
    cache = DataclassCodeCache(path)
    assert cache.load()
    namespace: dict[str, object] = {}
    exec(cache.code(SOURCE), {}, namespace)
    assert (cache.hits, cache.misses) == (0, 1)


def test_nothing_is_written_when_nothing_was_compiled_or_bytecode_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "code.marshal"
    DataclassCodeCache(path).save()
    assert not path.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _saved_cache(path)
    assert not path.exists()


def test_past_the_cap_a_save_keeps_what_its_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "code.marshal"
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as file:
        stale = {
            f"x = {n}": marshal.dumps(compile(f"x = {n}", "<string>", "exec")) for n in range(3)
        }
        marshal.dump(stale, file)
    monkeypatch.setattr("tstui.codecache.MAX_ENTRIES", 3)
    cache = DataclassCodeCache(path)
    assert cache.load()
    cache.code(SOURCE)
    cache.save()
    assert set(marshal.loads(path.read_bytes())) == {SOURCE}
    assert MAX_ENTRIES > 1000  # the real cap holds a few versions' worth


def test_the_cache_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TSTUI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "tstui"
    monkeypatch.setenv("TSTUI_CACHE_DIR", str(tmp_path / "own"))
    assert cache_dir() == tmp_path / "own"


def test_no_home_directory_means_no_cache_not_a_failed_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    import tstui.codecache as codecache

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("TSTUI_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert codecache.install() is None
