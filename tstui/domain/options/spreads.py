"""Spread types and their legs: the geometry behind strikes, chains and multi-leg tickets.

``SPREAD_TYPES`` is the list ``GET /v3/marketdata/options/spreadtypes`` answers (names and
flags as the spec's example). ``strike_groups`` picks the strike sets of a spread type from an
expiration's listed strikes (``GET .../strikes``: ``strikeInterval`` 1 uses neighbouring
strikes, 2 skips one, ...). ``build_spread`` turns a spread type, strikes and a side into
legs with signed ratios (positive buys, negative sells, as the quotes stream's
``legs[i].Ratio``). The orientation is the conventional long one (a Vertical buys the lower
strike; a Butterfly buys the wings; an IronCondor sells the body); ``reverse`` flips it.
Underlying legs (Covered, Collar) carry 100 shares per contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from tstui.domain.options.symbology import OptionType, format_option_symbol

__all__ = [
    "SHARES_PER_CONTRACT",
    "SPREAD_TYPES",
    "SpreadLegSpec",
    "SpreadTypeInfo",
    "build_spread",
    "reverse",
    "spread_side",
    "spread_type",
    "strike_count",
    "strike_groups",
]

SHARES_PER_CONTRACT = 100


@dataclass(frozen=True, slots=True)
class SpreadTypeInfo:
    name: str
    strike_interval: bool  # the spread uses several strikes (``strikeInterval`` applies)
    expiration_interval: bool  # the spread uses two expirations (``expiration2`` applies)
    strikes: int  # strikes per spread
    both_sides: bool  # built from calls and puts together (``Side: "Both"``)


SPREAD_TYPES: tuple[SpreadTypeInfo, ...] = (
    SpreadTypeInfo("Single", False, False, 1, False),
    SpreadTypeInfo("Straddle", False, False, 1, True),
    SpreadTypeInfo("Vertical", True, False, 2, False),
    SpreadTypeInfo("Strangle", True, False, 2, True),
    SpreadTypeInfo("RatioBack1x2", True, False, 2, False),
    SpreadTypeInfo("RatioBack1x3", True, False, 2, False),
    SpreadTypeInfo("RatioBack2x3", True, False, 2, False),
    SpreadTypeInfo("Butterfly", True, False, 3, False),
    SpreadTypeInfo("IronButterfly", True, False, 3, True),
    SpreadTypeInfo("Condor", True, False, 4, False),
    SpreadTypeInfo("IronCondor", True, False, 4, True),
    SpreadTypeInfo("Covered", False, False, 1, False),
    SpreadTypeInfo("Collar", True, False, 2, True),
    SpreadTypeInfo("Combo", False, False, 1, True),
    SpreadTypeInfo("Calendar", False, True, 1, False),
    SpreadTypeInfo("Diagonal", True, True, 2, False),
)
_BY_NAME = {info.name.lower(): info for info in SPREAD_TYPES}
_RATIO_BACK = {"ratioback1x2": (1, 2), "ratioback1x3": (1, 3), "ratioback2x3": (2, 3)}


def spread_type(name: str) -> SpreadTypeInfo:
    """The spread type called ``name`` (case-insensitive); ValueError for unknown names."""
    info = _BY_NAME.get(name.strip().lower())
    if info is None:
        known = ", ".join(i.name for i in SPREAD_TYPES)
        raise ValueError(f"unknown spread type {name!r} (known: {known})")
    return info


def strike_count(name: str) -> int:
    return spread_type(name).strikes


def strike_groups(
    name: str, strikes: Sequence[Decimal], interval: int = 1
) -> list[tuple[Decimal, ...]]:
    """Every strike set of the spread type over ``strikes`` (ascending), ``interval`` listed
    strikes apart: Butterfly over 145/150/155/160 at 1 -> (145,150,155), (150,155,160)."""
    if interval < 1:
        raise ValueError("strikeInterval must be at least 1")
    ordered = sorted(set(strikes))
    width = (strike_count(name) - 1) * interval
    return [
        tuple(ordered[i + j * interval] for j in range(strike_count(name)))
        for i in range(len(ordered) - width)
    ]


def spread_side(name: str, option_type: OptionType | None) -> str:
    """The chain's ``Side``: ``Both`` for spreads of calls and puts, else the option type."""
    if spread_type(name).both_sides or option_type is None:
        return "Both"
    return str(option_type)


@dataclass(frozen=True, slots=True)
class SpreadLegSpec:
    """One leg: an option (``option_type`` set) or the underlying (``option_type`` None)."""

    symbol: str
    ratio: int  # signed: > 0 buys, < 0 sells
    option_type: OptionType | None
    strike: Decimal | None
    expiration: date | None

    @property
    def is_option(self) -> bool:
        return self.option_type is not None


def reverse(legs: Sequence[SpreadLegSpec]) -> tuple[SpreadLegSpec, ...]:
    """The opposite position: every buy becomes a sell and back."""
    return tuple(replace(leg, ratio=-leg.ratio) for leg in legs)


def build_spread(
    name: str,
    root: str,
    expiration: date,
    strikes: Sequence[Decimal],
    option_type: OptionType = OptionType.CALL,
    *,
    expiration2: date | None = None,
    underlying: str | None = None,
) -> tuple[SpreadLegSpec, ...]:
    """The legs of one spread. ``strikes`` ascending, as many as the type needs (see
    ``strike_count``); ``option_type`` picks calls or puts for one-sided types (ignored by
    two-sided ones); Calendar/Diagonal sell ``expiration`` and buy ``expiration2``;
    ``underlying`` names the stock leg of Covered/Collar (default: ``root``)."""
    info = spread_type(name)
    ks = sorted(strikes)
    if len(ks) != info.strikes or len(set(ks)) != len(ks):
        raise ValueError(f"{info.name} needs {info.strikes} different strike(s), got {len(ks)}")
    if info.expiration_interval and (expiration2 is None or expiration2 <= expiration):
        raise ValueError(f"{info.name} needs a second, later expiration")
    call, put = OptionType.CALL, OptionType.PUT
    side = option_type

    def opt(
        kind: OptionType, strike: Decimal, ratio: int, when: date = expiration
    ) -> SpreadLegSpec:
        return SpreadLegSpec(
            format_option_symbol(root, when, kind, strike), ratio, kind, strike, when
        )

    def stock(ratio: int) -> SpreadLegSpec:
        return SpreadLegSpec((underlying or root).upper(), ratio, None, None, None)

    key = info.name.lower()
    if key == "single":
        return (opt(side, ks[0], 1),)
    if key == "straddle":
        return (opt(call, ks[0], 1), opt(put, ks[0], 1))
    if key == "vertical":
        return (opt(side, ks[0], 1), opt(side, ks[1], -1))
    if key == "strangle":
        return (opt(put, ks[0], 1), opt(call, ks[1], 1))
    if key in _RATIO_BACK:
        sold, bought = _RATIO_BACK[key]
        if side is call:  # sell the lower strike, buy more of the higher
            return (opt(call, ks[0], -sold), opt(call, ks[1], bought))
        return (opt(put, ks[0], bought), opt(put, ks[1], -sold))
    if key == "butterfly":
        return (opt(side, ks[0], 1), opt(side, ks[1], -2), opt(side, ks[2], 1))
    if key == "ironbutterfly":
        return (opt(put, ks[0], 1), opt(put, ks[1], -1), opt(call, ks[1], -1), opt(call, ks[2], 1))
    if key == "condor":
        return (
            opt(side, ks[0], 1),
            opt(side, ks[1], -1),
            opt(side, ks[2], -1),
            opt(side, ks[3], 1),
        )
    if key == "ironcondor":
        return (opt(put, ks[0], 1), opt(put, ks[1], -1), opt(call, ks[2], -1), opt(call, ks[3], 1))
    if key == "covered":  # covered call: long stock, short call (puts: short stock, short put)
        sign = 1 if side is call else -1
        return (stock(sign * SHARES_PER_CONTRACT), opt(side, ks[0], -1))
    if key == "collar":
        return (stock(SHARES_PER_CONTRACT), opt(put, ks[0], 1), opt(call, ks[1], -1))
    if key == "combo":  # synthetic long: long call, short put at one strike
        return (opt(call, ks[0], 1), opt(put, ks[0], -1))
    assert expiration2 is not None
    if key == "calendar":
        return (opt(side, ks[0], -1), opt(side, ks[0], 1, expiration2))
    # diagonal: sell the near month further out of the money, buy the far month
    near, far = (ks[1], ks[0]) if side is call else (ks[0], ks[1])
    return (opt(side, near, -1), opt(side, far, 1, expiration2))
