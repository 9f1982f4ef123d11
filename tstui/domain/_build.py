"""Fast positional constructors for the frozen dataclasses parsed on hot stream paths.

A frozen dataclass's generated ``__init__`` sets each field through ``object.__setattr__``,
which costs about twice what writing the slot directly does. Stream parsing builds hundreds of
thousands of orders, so the hot models get a constructor that writes the slots through their
descriptors. It is generated once at import; the result is an ordinary instance (equality,
hashing, repr, immutability are the dataclass's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

__all__ = ["positional_builder"]

T = TypeVar("T")


def positional_builder(cls: type[T]) -> Callable[..., T]:
    """``build(f1, f2, ...)`` taking every field of ``cls`` positionally, in declaration order."""
    names = [field.name for field in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    o = _new(_cls)"]
    for index, name in enumerate(names):
        namespace[f"_s{index}"] = getattr(cls, name).__set__
        lines.append(f"    _s{index}(o, {name})")
    lines.append("    return o")
    exec("\n".join(lines), namespace)  # fixed source built from the field names only
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = f"{cls.__qualname__}.<positional builder>"
    return build
