"""Compiled code for the methods ``dataclasses`` writes, kept between runs as ``.pyc`` is.

At each start ``dataclasses`` writes every class's methods (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``) as source
text and compiles it. Compiling is ~70% of a dataclass's cost, and a start makes a few
hundred of them (ours, Textual's, anyio's, h11's): ~25 ms before the first paint, and as
much again before the first full screen, on a path that is otherwise imports. Python keeps
compiled modules in ``__pycache__``; nothing keeps this code, so :func:`install` does.

How: ``dataclasses`` looks ``exec`` up in its module's globals before the builtins, so an
``exec`` placed there that compiles through the cache changes nothing but the time: the
same source compiled with the same flags is the same code. Anything but a source string
goes to the builtin untouched.

The file: ``dataclass-code-<bytecode magic>.marshal`` in ``$TSTUI_CACHE_DIR``, else
``$XDG_CACHE_HOME/tstui`` (``~/.cache/tstui``); source text -> marshaled code, each entry
unmarshalled when first asked for. It is written at exit when the run compiled something
new (a temporary file, then a rename), never under ``PYTHONDONTWRITEBYTECODE``. It holds
code, as a ``.pyc`` does: it is read only when it is ours and nobody else can write to it
or its directory (made 0700). Anything wrong with it is a miss, compiled as without it.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType
from typing import Any

__all__ = ["MAX_ENTRIES", "DataclassCodeCache", "cache_dir", "install"]

MAX_ENTRIES = 4096  # a few versions' worth; past it, a save keeps what its run used
CACHE_DIR_ENV = "TSTUI_CACHE_DIR"
_FILE_PREFIX = "dataclass-code-"


def cache_dir() -> Path:
    """``$TSTUI_CACHE_DIR``, else ``$XDG_CACHE_HOME/tstui``, else ``~/.cache/tstui``."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "tstui"


class DataclassCodeCache:
    """Source text -> compiled code, loaded from and saved to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[str, bytes] = {}  # as read: marshaled code, unmarshalled on use
        self._compiled: dict[str, CodeType] = {}
        self._new: set[str] = set()
        self.hits = 0
        self.misses = 0

    def load(self) -> bool:
        """Read the file if it is safe to trust; False (an empty cache) otherwise."""
        try:
            with open(self.path, "rb") as file:
                if not _trusted(os.fstat(file.fileno())) or not _trusted(os.stat(self.path.parent)):
                    return False
                stored = marshal.load(file)
        except (OSError, EOFError, ValueError, TypeError):
            return False
        if not isinstance(stored, dict):
            return False
        self._stored = stored
        return True

    def code(self, source: str) -> CodeType:
        """The code ``exec(source)`` would compile (flags of a module without futures, as
        ``dataclasses`` is)."""
        code = self._compiled.get(source)
        if code is not None:
            return code
        stored = self._stored.get(source)
        if stored is not None:
            try:
                code = marshal.loads(stored)
            except (EOFError, ValueError, TypeError):
                code = None
        if isinstance(code, CodeType):
            self.hits += 1
        else:
            self.misses += 1
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self._new.add(source)
        self._compiled[source] = code
        return code

    def save(self) -> None:
        """Write the file when this run compiled something new (errors are ignored: the
        next run compiles again)."""
        if not self._new or sys.dont_write_bytecode:
            return
        used = {
            source: self._stored.get(source) or marshal.dumps(code)
            for source, code in self._compiled.items()
        }
        merged = {**self._stored, **used}
        entries = merged if len(merged) <= MAX_ENTRIES else used
        directory = self.path.parent
        temporary = directory / f".{self.path.name}.{os.getpid()}"
        try:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not _trusted(os.stat(directory)):
                return
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
                marshal.dump(entries, f)
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            temporary.unlink(missing_ok=True)
            return
        self._new.clear()


def _trusted(status: os.stat_result) -> bool:
    """Ours, and writable by nobody else."""
    owner = os.getuid() if hasattr(os, "getuid") else status.st_uid
    return status.st_uid == owner and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def install(directory: Path | None = None) -> DataclassCodeCache | None:
    """Compile what ``dataclasses`` writes through the cache in ``directory`` (default
    :func:`cache_dir`) from now on, and save it at exit. None when it is already installed or
    the interpreter keeps no bytecode cache."""
    tag = sys.implementation.cache_tag
    if tag is None or "exec" in vars(dataclasses):
        return None
    from importlib.util import MAGIC_NUMBER

    try:
        directory = directory or cache_dir()
    except (RuntimeError, KeyError):  # no home directory to be found: start without a cache
        return None
    path = directory / f"{_FILE_PREFIX}{tag}-{MAGIC_NUMBER.hex()}.marshal"
    cache = DataclassCodeCache(path)
    cache.load()
    dataclasses_globals = vars(dataclasses)

    def cached_exec(
        source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /, **kw: Any
    ) -> None:
        if type(source) is str:
            source = cache.code(source)
            if globals is None:  # what the builtin would take: its caller's globals
                globals = dataclasses_globals
        builtins.exec(source, globals, locals, **kw)

    dataclasses_globals["exec"] = cached_exec
    atexit.register(cache.save)
    return cache
