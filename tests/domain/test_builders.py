"""The hot models' positional builders (tstui.domain._build) make ordinary instances: equal
to the dataclass's own, of the class itself, frozen, hashable as it is."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tstui.domain._build import _twin_of, positional_builder
from tstui.domain.models import Bar, Order, OrderLeg, Position, Quote


def sample_values(cls: type[Any]) -> list[Any]:
    """A value per field that the dataclass's own __init__ accepts (no validation runs in
    either constructor): distinct enough that a field written to its neighbour shows."""
    values: list[Any] = []
    for index, field in enumerate(fields(cls)):
        kind = str(field.type)
        if "tuple" in kind:
            values.append(())
        elif "Decimal" in kind:
            values.append(Decimal(index) + Decimal("0.25"))
        elif "datetime" in kind:
            values.append(datetime(2026, 12, 7, 14, index % 60, tzinfo=UTC))
        elif "bool" in kind:
            values.append(index % 2 == 0)
        elif "int" in kind and "str" not in kind:
            values.append(index)
        else:
            values.append(f"v{index}")
    return values


@pytest.mark.parametrize("cls", [Order, OrderLeg, Position, Quote, Bar])
def test_a_built_instance_is_the_dataclasss_own(cls: type[Any]) -> None:
    values = sample_values(cls)
    built = positional_builder(cls)(*values)
    made = cls(*values)
    assert type(built) is cls
    assert built == made and repr(built) == repr(made)
    assert [getattr(built, f.name) for f in fields(cls)] == values
    if cls.__hash__ is not None:
        assert hash(built) == hash(made)
    name = fields(cls)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, name, "changed")


def test_a_class_without_slots_has_no_twin() -> None:
    @dataclass(frozen=True)
    class Plain:
        a: int

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    assert _twin_of(Plain) is None
    assert _twin_of(Slotted) is not None
    assert positional_builder(Slotted)(3) == Slotted(3)
