"""Binding ids: collect them from every tstui widget/screen/app class, check the ``[keymap]``.

Every ``Binding`` in tstui has a dotted id (``view.positions``). The ``[keymap]`` table of the
config maps ids to keys; unknown ids and key names Textual does not know (``"F4"`` for ``f4``)
are reported (file + key), never fatal: such an entry is dropped and the default key kept.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, key_to_character
from textual.screen import ModalScreen

# Every module that declares a Binding. Views are imported when first shown, so the full list
# of ids (the help screen, the [keymap] check) imports these first; a test keeps it complete.
BINDING_MODULES = (
    "tstui.ui.shell.app",
    "tstui.ui.roll.review",
    "tstui.ui.views.orders.screen",
    "tstui.ui.views.chart.screen",
    "tstui.ui.views.depth.ladder",
    "tstui.ui.shell.confirm",
    "tstui.ui.shell.help",
    "tstui.ui.shell.login",
    "tstui.ui.trading.dialogs",
    "tstui.ui.trading.ticket",
    "tstui.ui.views.overview.screen",
    "tstui.ui.views.positions.screen",
    "tstui.ui.views.pnl.screen",
    "tstui.ui.trading.ticket_form",
    "tstui.ui.widgets.virtual_table",
    "tstui.ui.views.watchlist.board",
    "tstui.ui.views.options.chain_table",
    "tstui.ui.views.options.expiration_picker",
    "tstui.ui.views.options.spread_ticket",
    "tstui.ui.views.options.screen",
    "tstui.ui.alerts.panel",
)

_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(k.value for k in Keys) | frozenset(REPLACED_KEYS) | {"newline"}


@dataclass(frozen=True, slots=True)
class BindingInfo:
    id: str
    key: str
    action: str
    description: str
    owner: str  # class name that declares it
    modal: bool = False  # declared by a modal screen: app-wide bindings do not reach it


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def binding_infos() -> dict[str, BindingInfo]:
    """Every Binding with an id declared by a tstui class, by id."""
    for module in BINDING_MODULES:
        importlib.import_module(module)
    infos: dict[str, BindingInfo] = {}
    seen: set[type] = set()
    for cls in _subclasses(DOMNode):
        if cls in seen or not cls.__module__.startswith("tstui."):
            continue
        seen.add(cls)
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id and binding.id not in infos:
                infos[binding.id] = BindingInfo(
                    binding.id,
                    binding.key,
                    binding.action,
                    binding.description,
                    cls.__name__,
                    modal=issubclass(cls, ModalScreen),
                )
    return infos


def owner_display(owner: str) -> str:
    """The declaring class, short: "PositionsScreen" -> "Positions", "TstuiApp" -> "App"."""
    if owner == "TstuiApp":
        return "App"
    return owner.removesuffix("Screen") or owner


def split_keymap(
    keymap: Mapping[str, str], known: Mapping[str, object]
) -> tuple[dict[str, str], list[str]]:
    """(the entries whose id exists, the unknown ids in config order)."""
    valid = {k: v for k, v in keymap.items() if k in known}
    unknown = [k for k in keymap if k not in known]
    return valid, unknown


def key_problem(keys: str) -> str | None:
    """Why ``keys`` (a comma list as in ``[keymap]``) is not something Textual matches, or None.

    Textual's names are lower case ("f4", "pageup", "ctrl+x", "question_mark"); one printable
    character stands for itself ("C" is shift+c). A name Textual does not know never fires:
    accepted silently, it would take the key away from the binding."""
    names = [k.strip() for k in keys.split(",")]
    if not any(names):
        return "no key given"
    for name in names:
        if not name:
            return f"empty key in {keys!r}"
        *mods, base = name.split("+") if len(name) > 1 else [name]
        bad_mods = [m for m in mods if m not in _MODIFIERS]
        if bad_mods:
            return f"{name!r}: unknown modifier {bad_mods[0]!r} (ctrl, shift, alt, meta, super)"
        if len(base) == 1 and base.isprintable() and not base.isspace():
            if mods and base != base.lower():  # Textual reports ctrl+x, never ctrl+X
                return f"{name!r} is not a key name; Textual's name is {name.lower()!r}"
            continue
        if base != base.lower():
            lower = base.lower()
            hint = f"; Textual's name is {'+'.join([*mods, lower])!r}" if _known(lower) else ""
            return f"{name!r} is not a key name{hint}"
        if not _known(base):
            return f"{name!r} is not a key name (see the Textual key names, e.g. f4, pageup)"
    return None


def _known(base: str) -> bool:
    if base in _NAMED_KEYS:
        return True
    char = key_to_character(base)
    return char is not None and len(base) > 1 and base.isascii()


def invalid_keys(keymap: Mapping[str, str]) -> dict[str, str]:
    """Entries whose keys Textual would never match: binding id -> the reason."""
    out: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        problem = key_problem(keys) if isinstance(keys, str) else "not a string"
        if problem is not None:
            out[binding_id] = problem
    return out


def current_keys(binding_id: str, default: str, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to right now (the keymap wins over the default)."""
    return keymap.get(binding_id, default)


@dataclass(frozen=True, slots=True)
class KeyConflict:
    """``binding_id`` (remapped by the config) now shares ``key`` with ``other_id``."""

    binding_id: str
    key: str
    other_id: str
    other_owner: str


def _keys(keys: str) -> set[str]:
    return {key.strip() for key in keys.split(",") if key.strip()}


def _meet_app_wide(one: BindingInfo, other: BindingInfo, app_owner: str) -> bool:
    if one.owner == app_owner:
        return not other.modal
    if other.owner == app_owner:
        return not one.modal
    return False


def keymap_conflicts(
    keymap: Mapping[str, str], known: Mapping[str, BindingInfo], app_owner: str = "TstuiApp"
) -> list[KeyConflict]:
    """Remapped bindings whose key another binding already answers to where both are active:
    in the same class, or one app-wide and the other on a screen that is not modal (the
    screen's binding wins there). Each pair is reported once, under the first remapped id."""
    keys_now = {bid: _keys(current_keys(bid, info.key, keymap)) for bid, info in known.items()}
    conflicts: list[KeyConflict] = []
    reported: set[frozenset[str]] = set()
    for binding_id in keymap:
        info = known.get(binding_id)
        if info is None:
            continue
        for other_id, other in known.items():
            pair = frozenset((binding_id, other_id))
            if other_id == binding_id or pair in reported:
                continue
            if other.owner != info.owner and not _meet_app_wide(info, other, app_owner):
                continue
            shared = sorted(keys_now[binding_id] & keys_now[other_id])
            if shared:
                reported.add(pair)
                conflicts.append(KeyConflict(binding_id, shared[0], other_id, other.owner))
    return conflicts
