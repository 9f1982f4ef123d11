"""Themes from files, theme choice persisted, keymap remaps, help, palette, config errors."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.dom import DOMNode
from textual.widgets import DataTable
from ui_support import SIZE, started, wait_until

from tstui.config import Settings, load_settings
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.commands import collect_commands
from tstui.ui.shell.help import HelpScreen
from tstui.ui.shell.keymap import binding_infos, keymap_conflicts
from tstui.ui.shell.themes import TRADING_VARIABLES, load_themes
from tstui.ui.views.positions.screen import PositionsScreen

if TYPE_CHECKING:
    pass

pytestmark = pytest.mark.anyio


def messages(app: TstuiApp) -> list[str]:
    return [n.message for n in app._notifications]


def offline_settings(tmp_path: Path, config: str = "") -> Settings:
    """Settings with no credentials: the app opens on the login screen (no network)."""
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if config:
        path.write_text(config, encoding="utf-8")
    return Settings(config_file=path, state_dir=tmp_path / "state")


def loaded_settings(tmp_path: Path, config: str) -> tuple[Settings, Path]:
    """Settings read from a config file with ``config`` in it (no credentials), and the file."""
    path = offline_settings(tmp_path, config).config_file
    assert path is not None
    return replace(load_settings(path), state_dir=tmp_path / "state"), path


def test_theme_files_have_trading_colours() -> None:
    themes, problems = load_themes()
    names = {t.name for t in themes}
    assert {"tstui-dark", "tstui-light", "tstui-high-contrast"} <= names
    assert problems == []
    for theme in themes:
        assert set(TRADING_VARIABLES) <= set(theme.variables), theme.name


def test_panel_borders_stand_out_from_the_surface() -> None:
    from textual.color import Color

    for theme in load_themes()[0]:
        colours = theme.to_color_system().generate()
        border = Color.parse(theme.variables["panel-border"])
        surface = Color.parse(colours["surface"])
        # the light theme's $panel-lighten-2 was white on a white surface: invisible
        assert abs(border.brightness - surface.brightness) >= 0.12, theme.name


def test_broken_theme_file_is_reported_with_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = 12\n', encoding="utf-8")
    (tmp_path / "ok.toml").write_text('name = "ok"\nprimary = "#112233"\n', encoding="utf-8")
    themes, problems = load_themes([tmp_path])
    assert [t.name for t in themes] == ["ok"]
    assert len(problems) == 1
    assert "bad.toml" in str(problems[0]) and "primary" in str(problems[0])


async def test_theme_switch_persists_and_keeps_other_keys(tmp_path: Path) -> None:
    settings = offline_settings(
        tmp_path, 'account = "SIM1000002F"\n\n[keymap]\n"view.chart" = "c"\n'
    )
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "tstui-dark"
        await pilot.press("ctrl+t")  # theme.next
        await pilot.pause()
        assert app.theme != "tstui-dark"
        chosen = app.theme
    data = tomllib.loads(settings.config_file.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert data["theme"] == chosen
    assert data["account"] == "SIM1000002F"
    assert data["keymap"] == {"view.chart": "c"}


async def test_theme_picker_and_theme_next_offer_the_same_themes(tmp_path: Path) -> None:
    app = TstuiApp(offline_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Textual's own picker reads available_themes: only tstui's themes, with trading colours
        assert sorted(app.available_themes) == sorted(app.tstui_themes)
        assert {"tstui-dark", "tstui-light", "tstui-high-contrast"} <= set(app.tstui_themes)
        seen = set()
        for _ in app.tstui_themes:
            seen.add(app.theme)
            assert (
                app.theme_variables["price-up"]
                == app.available_themes[app.theme].variables["price-up"]
            )
            await pilot.press("ctrl+t")  # theme.next
            await pilot.pause()
        assert seen == set(app.tstui_themes)


@pytest.mark.parametrize("config", ["", 'theme = "tstui-light"\naccount = "SIM1000002F"\n'])
async def test_starting_the_app_writes_nothing_to_the_config(tmp_path: Path, config: str) -> None:
    """Showing the configured (or default) theme is not a user's choice: no file appears, an
    existing one is left byte for byte."""
    settings, path = loaded_settings(tmp_path, config)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert app.theme == ("tstui-light" if config else "tstui-dark")
    if config:
        assert path.read_text(encoding="utf-8") == config
    else:
        assert not path.exists()


async def test_unknown_theme_falls_back_with_a_warning_and_is_not_overwritten(
    tmp_path: Path,
) -> None:
    config = 'theme = "no-such-theme"\n'
    settings, path = loaded_settings(tmp_path, config)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        assert app.theme == "tstui-dark"
        assert any("unknown theme 'no-such-theme'" in m for m in messages(app))
    assert path.read_text(encoding="utf-8") == config


async def test_unknown_keymap_id_warns_with_file_and_key(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    settings = Settings(
        config_file=settings.config_file,
        state_dir=settings.state_dir,
        keymap={"view.nope": "x", "view.positions": "p"},
    )
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(messages(app))
        assert "keymap.view.nope" in text
        assert str(settings.config_file) in text
        assert "view.positions" not in text


@pytest.mark.parametrize(
    ("keymap", "expected"),
    [
        ({"orders.cancel": "w"}, {("orders.cancel", "w", "orders.working")}),
        # an app-wide binding meets each screen's own use of the key
        (
            {"view.chart": "c"},
            {("view.chart", "c", "orders.cancel"), ("view.chart", "c", "positions.cancel")},
        ),
        ({"orders.working": "c", "orders.cancel": "w"}, set()),  # a swap clashes with nothing
        ({"order.new": "ctrl+o"}, {("order.new", "ctrl+o", "login.demo")}),
        # the ticket is modal: app-wide keys do not reach it
        ({"view.positions": "f2", "order.new": "ctrl+n"}, set()),
        # two screens that are never active together do not clash
        ({"chart.unit": "w"}, set()),
    ],
)
def test_keymap_conflicts_name_both_bindings(
    keymap: dict[str, str], expected: set[tuple[str, str, str]]
) -> None:
    found = {(c.binding_id, c.key, c.other_id) for c in keymap_conflicts(keymap, binding_infos())}
    # views added later may use the same key for the same meaning (c = cancel): at least these
    assert expected <= found if expected else found == set()
    assert {key for _, key, _ in found} <= {key for _, key, _ in expected}


def test_readme_config_example_loads_and_its_keymap_is_clean(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("```toml\n   # ~/.config/tstui/config.toml")
    block = text[start:].split("\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(line.removeprefix("   ") for line in block.splitlines()))
    settings = load_settings(path)
    known = binding_infos()
    assert settings.keymap and set(settings.keymap) <= set(known)
    assert keymap_conflicts(settings.keymap, known) == []


async def test_a_conflicting_keymap_is_reported_with_file_and_key(tmp_path: Path) -> None:
    base = offline_settings(tmp_path)
    settings = replace(base, keymap={"orders.cancel": "w"})
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = "\n".join(messages(app))
        assert f"{settings.config_file}: keymap.orders.cancel: 'w' is also orders.working" in text


async def test_config_error_on_reload_names_file_and_key(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert settings.config_file is not None
        settings.config_file.write_text('[stream]\nheartbeat_timeout_s = "soon"\n')
        await pilot.press("ctrl+r")  # config.reload
        await pilot.pause()
        text = "\n".join(messages(app))
        assert str(settings.config_file) in text
        assert "stream.heartbeat_timeout_s" in text
        assert app.is_running  # a bad file never stops the app


async def test_help_lists_binding_ids_and_current_keys(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    settings = Settings(
        config_file=settings.config_file,
        state_dir=settings.state_dir,
        keymap={"view.positions": "p"},
    )
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")  # app.help
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one("#help-table")
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}  # type: ignore[attr-defined]
        for binding_id in (
            "view.overview",
            "view.positions",
            "env.toggle",
            "app.quit",
            "app.help",
            "theme.next",
            "login.sign_in",
        ):
            assert binding_id in rows
        assert rows["view.positions"][1] == "p"
        assert rows["view.overview"][1] == "1"
        # keys as a user types them, not Textual's names
        assert rows["app.help"][1] == "? / F1"
        assert rows["app.palette"][1] == "ctrl+p"
        assert rows["chart.fewer"][1] == "["
        assert rows["chart.symbol"][1] == "/"
        assert rows["view.positions"][3] == "App" and rows["chart.symbol"][3] == "Chart"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        # every column, "where" included, fits the table: nothing is cut at 80 columns
        assert table.virtual_size.width <= table.scrollable_content_region.width
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


def test_every_shell_binding_has_an_id() -> None:
    import textual.binding

    import tstui.ui.shell.app  # noqa: F401  (imports every shell screen)

    infos = binding_infos()
    assert len(infos) >= 15
    for cls in (TstuiApp,):
        for binding in cls.BINDINGS:
            assert isinstance(binding, textual.binding.Binding) and binding.id, binding


def test_binding_modules_lists_every_module_that_declares_bindings() -> None:
    """Views load lazily, so the keymap check and help import BINDING_MODULES: a module with
    bindings missing from it would make its ids "unknown" in the [keymap] check."""
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.dom import DOMNode

    import tstui.ui
    from tstui.ui.shell.keymap import BINDING_MODULES

    for info in pkgutil.walk_packages(tstui.ui.__path__, "tstui.ui."):
        importlib.import_module(info.name)
    declaring: set[str] = set()
    stack: list[type] = [DOMNode]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        own = cls.__dict__.get("BINDINGS", ())
        if cls.__module__.startswith("tstui.") and any(isinstance(b, Binding) for b in own):
            declaring.add(cls.__module__)
    assert declaring == set(BINDING_MODULES)


def test_app_import_leaves_other_views_for_later() -> None:
    """Startup imports the overview only: the chart (plotext), blotter, positions and help
    load when first shown, and the client (httpx) once the first screen is drawn."""
    import subprocess
    import sys

    probe = (
        "import sys, tstui.ui.shell.app; "
        "print(' '.join(m for m in ('plotext', 'tstui.ui.views.chart.screen', "
        "'tstui.ui.views.orders.screen', 'tstui.ui.views.positions.screen', 'tstui.ui.shell.help', "
        "'httpx', 'tstui.ui.shell.login') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


async def test_palette_lists_category_actions(tmp_path: Path) -> None:
    app = TstuiApp(offline_settings(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        texts = [c.text for c in collect_commands(app, app.screen)]
        for expected in (
            "view: positions",
            "theme: high contrast",
            "env: switch to LIVE",
            "config: reload",
            "view: toggle API log",
        ):
            assert expected in texts


async def test_remapped_key_switches_view(signed_in: Settings) -> None:
    from dataclasses import replace

    settings = replace(signed_in, keymap={"view.positions": "p"})
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.current_mode == "overview", timeout=15)
        await pilot.press("2")  # the default key no longer switches
        await pilot.pause()
        assert app.current_mode == "overview"
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen))
        await app.live.disconnect()


async def test_reload_keeps_what_the_run_was_started_with(tmp_path: Path) -> None:
    """ctrl+r takes the file's settings but keeps the run's servers, env and state dir (the
    demo's simulators: a reload once dropped its LIVE stand-in from the app's copy)."""
    base = offline_settings(tmp_path)
    settings = replace(
        base, base_url="http://127.0.0.1:9", live_base_url="http://127.0.0.1:8", theme="tstui-dark"
    )
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert settings.config_file is not None
        settings.config_file.write_text('theme = "tstui-light"\n')
        await pilot.press("ctrl+r")  # config.reload
        await pilot.pause()
        assert app.settings.theme == "tstui-light" and app.theme == "tstui-light"
        assert app.settings.base_url == "http://127.0.0.1:9"
        assert app.settings.live_base_url == "http://127.0.0.1:8"
        assert app.settings.state_dir == settings.state_dir


async def test_a_view_shown_again_is_restyled_only_when_the_theme_changed(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:

        async def back_to(key: str, screen: object) -> None:
            await pilot.press(key)
            await wait_until(pilot, lambda: app.screen is screen, 10, f"{screen} again")

        await started(app, pilot)
        overview = app.screen
        header = overview.query_one("#app-header")
        # a first visit loads the positions view's CSS (a whole restyle on the way back)
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 10, "positions")
        positions = app.screen
        await back_to("1", overview)
        await back_to("2", positions)
        await pilot.pause()
        restyled: list[list[object]] = []
        update_nodes = app.stylesheet.update_nodes

        def spy(nodes: Iterable[DOMNode], animate: bool = False) -> None:
            nodes = list(nodes)
            restyled.append(nodes)
            update_nodes(nodes, animate)

        app.stylesheet.update_nodes = spy  # type: ignore[method-assign]
        await back_to("1", overview)
        await pilot.pause()
        # shown as it was left: not restyled whole (a focus change restyles its own few)
        whole = set(overview.walk_children(with_self=True))
        assert not any(whole <= set(nodes) for nodes in restyled)
        await back_to("2", positions)
        before = header.styles.background
        app.theme = next(name for name in app.tstui_themes if name != app.theme)
        await pilot.pause()
        shown = positions.query_one("#app-header").styles.background
        assert shown != before  # the themes differ where this test looks
        await back_to("1", overview)
        await wait_until(pilot, lambda: header.styles.background == shown, 5, "new theme")
        await app.live.disconnect()


async def test_a_first_visit_of_a_view_styles_it_without_reparsing_everything(
    settings: Settings,
) -> None:
    app = TstuiApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        overview_header = app.screen.query_one("#app-header")
        reparsed: list[bool] = []
        refresh_css = app.refresh_css

        def spy(animate: bool = True) -> None:
            reparsed.append(animate)
            refresh_css(animate)

        app.refresh_css = spy  # type: ignore[method-assign]
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 10, "positions")
        await pilot.pause()
        assert reparsed == []
        header = app.screen.query_one("#app-header")
        assert header.styles.background == overview_header.styles.background  # fully styled
        await app.live.disconnect()
