"""Themes from ``themes/*.toml``: a Textual theme plus the trading colours as variables.

Search order (later wins on a name clash): the packaged copy (``tstui/themes``), the repo's
``themes/`` directory next to the package, then the user's ``$XDG_CONFIG_HOME/tstui/themes``.
A broken file is reported (file + key) and skipped; it never stops the app.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from textual.theme import Theme

from tstui.config import config_path

TRADING_VARIABLES: dict[str, str] = {
    "price-up": "#3FB950",
    "price-down": "#F0555A",
    "bid": "#58A6FF",
    "ask": "#FF7B72",
    "profit": "#3FB950",
    "loss": "#F0555A",
    "live-warning": "#D0021B",
    "panel-border": "#6E7781",  # mid grey: visible on dark and light surfaces alike
}
"""Defaults so built-in Textual themes (which lack these) still style every widget."""

DEFAULT_THEME = "tstui-dark"
_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)
_ALLOWED = {"name", "dark", "variables", *_COLOUR_KEYS}


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    path: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.problem}"


def theme_dirs() -> list[Path]:
    """Where theme files live, lowest precedence first."""
    dirs: list[Path] = []
    try:
        packaged = resources.files("tstui").joinpath("themes")
        if packaged.is_dir():
            dirs.append(Path(str(packaged)))
    except (ModuleNotFoundError, OSError):  # pragma: no cover - defensive
        pass
    repo = Path(__file__).resolve().parents[3] / "themes"  # the checkout's themes/
    if repo.is_dir() and repo not in dirs:
        dirs.append(repo)
    user = config_path().parent / "themes"
    if user.is_dir():
        dirs.append(user)
    return dirs


def parse_theme(data: Mapping[str, Any], path: str) -> Theme:
    """Build a Theme from one parsed TOML file; ValueError(ThemeProblem) on a bad key."""

    def fail(key: str, problem: str) -> ValueError:
        return ValueError(ThemeProblem(path, key, problem))

    for key in data:
        if key not in _ALLOWED:
            raise fail(key, "unknown key")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "expected a theme name")
    colours: dict[str, str] = {}
    for key in _COLOUR_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise fail(key, "expected a colour string such as '#112233'")
        colours[key] = value
    if "primary" not in colours:
        raise fail("primary", "required")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise fail("dark", "expected true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, Mapping):
        raise fail("variables", "expected a table")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise fail(f"variables.{key}", "expected a colour string")
    theme = Theme(
        name=name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        dark=dark,
        variables=dict(variables),
    )
    try:
        theme.to_color_system()
    except Exception as exc:  # textual raises ColorParseError on bad colours
        raise fail("(colours)", str(exc)) from None
    return theme


def load_themes(dirs: Iterable[Path] | None = None) -> tuple[list[Theme], list[ThemeProblem]]:
    """Every valid theme found, plus the problems of the files that were skipped."""
    found: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for directory in theme_dirs() if dirs is None else dirs:
        for file in sorted(directory.glob("*.toml")):
            try:
                with file.open("rb") as fh:
                    data = tomllib.load(fh)
                theme = parse_theme(data, str(file))
            except tomllib.TOMLDecodeError as exc:
                problems.append(ThemeProblem(str(file), "(file)", f"not valid TOML: {exc}"))
                continue
            except OSError as exc:
                problems.append(ThemeProblem(str(file), "(file)", f"cannot read: {exc}"))
                continue
            except ValueError as exc:
                arg = exc.args[0] if exc.args else None
                problems.append(
                    arg if isinstance(arg, ThemeProblem) else ThemeProblem(str(file), "?", str(exc))
                )
                continue
            found[theme.name] = theme
    return list(found.values()), problems


def display_name(name: str) -> str:
    """ "tstui-high-contrast" -> "high contrast" (for the palette)."""
    return name.removeprefix("tstui-").replace("-", " ")
