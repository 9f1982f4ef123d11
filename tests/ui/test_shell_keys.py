"""Keys and small screens on the simulator: ctrl+q quits at once while q asks, an invalid key
name in [keymap] is reported and the default kept, Esc in the blotter, columns chosen per width
(Symbol always shown), the footer and API log at 80x24, linking from a highlighted row."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pytest
from order_factory import order_request
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input
from ui_support import MARGIN, rendered_text, started, wait_until

from tstui.config import Settings
from tstui.ui.shell.apilog import ApiLogPanel, short_path
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.columns import fit_columns
from tstui.ui.shell.confirm import ConfirmScreen
from tstui.ui.shell.footer import ShellFooter
from tstui.ui.shell.keymap import key_problem
from tstui.ui.shell.linking import link_row_symbol
from tstui.ui.views.orders.blotter import BLOTTER_COLUMNS, BLOTTER_PRIORITY, Blotter
from tstui.ui.views.orders.screen import BlotterScreen
from tstui.ui.views.overview.screen import OverviewScreen
from tstui.ui.views.positions.screen import PositionsScreen
from tstui.ui.views.positions.table import PositionsTable

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio

SMALL = (80, 24)


def messages(app: TstuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def place_resting(app: TstuiApp, symbol: str = "MSFT") -> None:
    request = order_request(MARGIN, symbol, "BUY", 1, "Limit", limit_price=Decimal("1.00"))
    await app.live.api.place_order(request)


# -- key names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "bad"),
    [
        ("f4", False),
        ("F4", True),
        ("ctrl+q", False),
        ("Ctrl+Q", True),
        ("ctrl+X", True),
        ("C", False),
        ("question_mark,f1", False),
        ("asterisk", False),
        ("PageUp", True),
        ("nosuchkey", True),
        ("a,,b", True),
        ("", True),
    ],
)
def test_key_names_textual_would_never_match_are_found(keys: str, bad: bool) -> None:
    problem = key_problem(keys)
    assert (problem is not None) is bad, problem
    if keys == "F4":
        assert problem is not None and "'f4'" in problem  # the name Textual uses


async def test_invalid_key_name_is_reported_and_the_default_kept(
    tmp_path: Path, signed_in: Settings
) -> None:
    config = tmp_path / "config.toml"
    settings = replace(
        signed_in, config_file=config, keymap={"view.positions": "F4", "view.orders": "o3"}
    )
    app = TstuiApp(settings)
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        text = "\n".join(messages(app))
        assert f"{config}: keymap.view.positions: 'F4' is not a key name" in text
        assert "'f4'" in text and "keeping the default '2'" in text
        assert "keymap.view.orders" in text
        await pilot.press("2")  # the default still answers
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 10, "positions")
        await app.live.disconnect()


# -- quitting ---------------------------------------------------------------------------


async def test_ctrl_q_quits_without_asking_even_with_working_orders(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        await place_resting(app)
        await wait_until(pilot, lambda: app.live.working_count() >= 1, 10, "a working order")
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, 10, "the app to exit")
        assert not any(isinstance(s, ConfirmScreen) for s in app.screen_stack)
    assert app.return_code == 0


async def test_q_asks_even_with_no_working_order(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot, OverviewScreen, orders_live=False)
        await wait_until(pilot, lambda: app.live.stream_health["orders"].state == "live")
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the question")
        await pilot.press("q")  # a second q does not stack another question
        await pilot.pause()
        assert sum(isinstance(s, ConfirmScreen) for s in app.screen_stack) == 1
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, OverviewScreen))
        assert app.is_running
        await app.live.disconnect()


# -- the blotter ------------------------------------------------------------------------


async def orders_at(app: TstuiApp, pilot: Pilot[Any]) -> BlotterScreen:
    await pilot.press("3")
    await wait_until(pilot, lambda: isinstance(app.screen, BlotterScreen), 10, "orders")
    screen = app.screen
    assert isinstance(screen, BlotterScreen)
    await wait_until(pilot, lambda: screen.blotter.row_count > 0, 10, "rows")
    return screen


async def test_escape_clears_the_search_then_leaves_history(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        screen = await orders_at(app, pilot)
        total = screen.blotter.row_count
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"ESZ26", "enter")
        await wait_until(pilot, lambda: screen.blotter.row_count < total, 5, "search applied")
        assert screen.search == "ESZ26"
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.blotter.row_count == total, 5, "search cleared")
        assert screen.search == ""
        await pilot.press("h")
        prompt = screen.query_one("#blotter-prompt", Input)
        await wait_until(pilot, lambda: prompt.has_class("-shown"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.showing_history, 10, "history mode")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.showing_history, 5, "history left")
        assert not screen.blotter.has_class("-hidden")
        await app.live.disconnect()


async def test_small_screen_keeps_symbol_account_footer_and_api_log(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SMALL) as pilot:
        await started(app, pilot)
        screen = await orders_at(app, pilot)
        header = rendered_text(screen.blotter).splitlines()[0]
        for label in ("Symbol", "Side", "Fill/Qty", "Status", "Account"):
            assert label in header, header
        assert screen.blotter.row_width <= 80
        assert screen.blotter.max_scroll_x == 0  # nothing hidden to the right
        # the footer: the view's keys and help fit, nothing cut mid-word
        footer = screen.query_one(ShellFooter)
        await wait_until(pilot, lambda: bool(footer.shown_entries), 5, "a footer")
        line = rendered_text(footer)
        assert len(line.rstrip()) <= 80
        shown = [e.description for e in footer.shown_entries]
        assert {"Search", "Cancel", "Help"} <= set(shown), shown
        for description in shown:
            assert f" {description} " in line + " "  # each shown entry whole
        cut = [e.description for e in footer.entries if e not in footer.shown_entries]
        assert cut and not any(d in line for d in cut)  # the rest left out, not cut mid-word
        # the API log goes under the view, full width, with paths that fit
        await pilot.press("ctrl+l")
        panel = screen.query_one(ApiLogPanel)
        await wait_until(pilot, lambda: panel.has_class("-shown") and panel.region.width > 70)
        assert panel.region.width >= 78
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 10, "positions")
        table = app.screen.query_one(PositionsTable)
        await wait_until(pilot, lambda: table.row_count > 1, 10, "positions rows")
        text = rendered_text(table)
        assert text.splitlines()[0].lstrip().startswith("Symbol")
        assert "MSFT" in text and table.max_scroll_x == 0
        await app.live.disconnect()


def test_columns_per_width_keep_symbol_first() -> None:
    for width in (20, 40, 60, 78, 120, 200):
        picked = fit_columns(BLOTTER_COLUMNS, BLOTTER_PRIORITY, width)
        keys = [BLOTTER_COLUMNS[i].key for i in picked]
        assert "symbol" in keys
        assert picked == tuple(sorted(picked))  # the table's own order
        used = sum(BLOTTER_COLUMNS[i].width + 1 for i in picked)
        assert used <= width or keys == ["symbol"]
    narrow = [BLOTTER_COLUMNS[i].key for i in fit_columns(BLOTTER_COLUMNS, BLOTTER_PRIORITY, 78)]
    assert "account" in narrow and "status" in narrow and "id" not in narrow


def test_api_log_paths_fit_a_narrow_log() -> None:
    long = "/v3/brokerage/stream/accounts/SIM1000001M,SIM1000002F,SIM1000003C/orders?x=secret"
    assert short_path(long) == "/brokerage/stream/accounts/SIM1000001M+2/orders"


async def test_highlighting_a_row_links_its_symbol(sim: SimServer, signed_in: Settings) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, PositionsScreen), 10, "positions")
        table = app.screen.query_one(PositionsTable)
        await wait_until(pilot, lambda: table.row_count > 2, 10, "rows")
        app.live.current_symbol = None
        await pilot.press("down")
        await wait_until(pilot, lambda: app.live.current_symbol is not None, 5, "a link")
        position = table.selected_position
        assert position is not None and app.live.current_symbol == position.symbol
        screen = await orders_at(app, pilot)
        blotter = screen.query_one("#blotter", Blotter)
        await pilot.press("end")
        row = blotter.selected_row
        assert row is not None
        await wait_until(pilot, lambda: app.live.current_symbol == row.symbol, 5, "order link")
        await app.live.disconnect()


def test_a_hostile_symbol_is_not_linked() -> None:
    class Live:
        current_symbol: str | None = None

        def link_symbol(self, symbol: str | None) -> None:
            self.current_symbol = symbol

    live = Live()
    assert not link_row_symbol(live, "ESZ26\x1b]0;pwned\x07")  # type: ignore[arg-type]
    assert not link_row_symbol(live, "MSFT\u202e")  # type: ignore[arg-type]
    assert live.current_symbol is None
    assert link_row_symbol(live, " msft ")  # type: ignore[arg-type]
    assert live.current_symbol == "MSFT"


_VIEWS = Binding.Group("Views", compact=True)


class _KeyedButton(Button):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f9", "noop", "Nine")]

    def action_noop(self) -> None:
        pass


class _FooterScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "noop('x')", "Ex"),
        Binding("1", "noop('1')", "One", group=_VIEWS),
        Binding("2", "noop('2')", "Two", group=_VIEWS),
    ]

    def compose(self) -> ComposeResult:
        # buttons, not text fields: a focused text field turns the printable keys off
        yield Button("a", id="plain-a")
        yield Button("b", id="plain-b")
        yield _KeyedButton("k", id="keyed")
        yield ShellFooter()

    def action_noop(self, key: str) -> None:
        pass


class _FooterApp(App[None]):
    """An app showing one screen with a footer (``_FooterScreen`` unless told another)."""

    def __init__(self, screen: type[Screen[None]] = _FooterScreen) -> None:
        super().__init__()
        self._screen_type = screen

    def get_default_screen(self) -> Screen[None]:
        return self._screen_type()


@pytest.mark.parametrize(("width", "narrow"), [(80, True), (160, False)])
async def test_footer_line_spaces_its_entries_per_width(width: int, narrow: bool) -> None:
    """Wide: " x Ex " per key and the palette key at the right; narrow: "x Ex", no palette."""
    app = _FooterApp()
    async with app.run_test(size=(width, 24)) as pilot:
        footer = app.query_one(ShellFooter)
        await wait_until(pilot, lambda: bool(footer.shown_entries), 5, "footer entries")
        line = rendered_text(footer)
        assert footer.narrow is narrow
        grouped = [e for e in footer.shown_entries if e.grouped]
        assert [(e.description, [k.display for k in e.keys]) for e in grouped] == [
            ("Views", ["1", "2"])
        ]
        assert " 12 Views" in line
        if narrow:
            assert line.startswith("x Ex ") and "Palette" not in line
        else:
            assert line.startswith(" x Ex  12 Views ")
            assert line.rstrip().lower().endswith("▏ ^p palette") and len(line) == width


async def test_footer_redraws_only_when_its_keys_change() -> None:
    """A focus change that leaves the shown keys as they were draws nothing; the focused
    widget's own key joins the line when it has one."""
    app = _FooterApp()
    async with app.run_test(size=(160, 24)) as pilot:
        footer = app.query_one(ShellFooter)
        app.set_focus(app.query_one("#plain-a"))
        await wait_until(pilot, lambda: bool(footer.entries), 5, "footer entries")
        await pilot.pause()
        before = footer.entries
        renders = 0
        real_render = footer.render

        def counted() -> Any:
            nonlocal renders
            renders += 1
            return real_render()

        footer.render = counted  # type: ignore[method-assign]
        app.set_focus(app.query_one("#plain-b"))
        await pilot.pause(0.2)
        assert footer.entries is before and renders == 0  # nothing new: nothing drawn
        app.set_focus(app.query_one("#keyed"))
        await wait_until(
            pilot,
            lambda: any(e.description == "Nine" for e in footer.shown_entries),
            5,
            "the focused field's own key",
        )
        assert renders >= 1 and "f9 Nine" in rendered_text(footer)


async def test_a_click_on_a_footer_key_presses_it() -> None:
    """As on Textual's footer: a click on an entry presses its key; between keys nothing."""
    app = _FooterApp()
    async with app.run_test(size=(160, 24)) as pilot:
        footer = app.query_one(ShellFooter)
        await wait_until(pilot, lambda: bool(footer.shown_entries), 5, "footer entries")
        pressed: list[str] = []
        app.simulate_key = pressed.append  # type: ignore[method-assign]
        line = rendered_text(footer)
        await pilot.click(ShellFooter, offset=(line.index("Ex") - 2, 0))  # on the key "x"
        await pilot.click(ShellFooter, offset=(line.index("12 Views") + 1, 0))  # on "2"
        await pilot.click(ShellFooter, offset=(line.index("Ex") + 1, 0))  # its description
        assert pressed == ["x", "2"]
        assert footer.key_at(line.index("Ex") - 2) is not None
        assert footer.key_at(line.index("Ex") + 1) is None


class _DisabledKeyScreen(_FooterScreen):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "later", "Later", tooltip="Not now")]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "later" else True  # None: shown, but disabled

    def action_later(self) -> None:
        pass


async def test_a_disabled_footer_key_rings_and_a_hovered_one_tells_its_tooltip() -> None:
    app = _FooterApp(_DisabledKeyScreen)
    async with app.run_test(size=(160, 24)) as pilot:
        footer = app.query_one(ShellFooter)
        await wait_until(
            pilot,
            lambda: any(e.description == "Later" for e in footer.shown_entries),
            5,
            "the disabled key",
        )
        (later,) = [e for e in footer.shown_entries if e.description == "Later"]
        assert not later.keys[0].enabled
        pressed: list[str] = []
        rang: list[bool] = []
        app.simulate_key = pressed.append  # type: ignore[method-assign]
        app.bell = lambda: rang.append(True)  # type: ignore[method-assign]
        x = rendered_text(footer).index("Later") - 2
        await pilot.hover(ShellFooter, offset=(x, 0))
        await wait_until(pilot, lambda: footer.tooltip == "Not now", 5, "the key's tooltip")
        await pilot.click(ShellFooter, offset=(x, 0))
        assert rang == [True] and pressed == []


class _WideKeyScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "noop('x')", "注文を出す"),  # 5 wide characters: 10 cells
        Binding("y", "noop('y')", "Why"),
    ]

    def compose(self) -> ComposeResult:
        yield ShellFooter()

    def action_noop(self, key: str) -> None:
        pass


class _NoPaletteApp(_FooterApp):
    ENABLE_COMMAND_PALETTE = False  # no palette key: the width is the entries' alone


async def test_footer_entries_fit_by_cells_not_characters() -> None:
    """A wide character takes two cells: the entry that would not fit whole is left out."""
    app = _NoPaletteApp(_WideKeyScreen)
    async with app.run_test(size=(20, 5)) as pilot:
        footer = app.query_one(ShellFooter)
        await wait_until(pilot, lambda: bool(footer.shown_entries), 5, "footer entries")
        shown = [e.description for e in footer.shown_entries]
        # "x 注文を出す " is 13 cells, "y Why " 6 more: 19 <= 20, so both; at 18 only one
        assert shown == ["注文を出す", "Why"], shown
        await pilot.resize_terminal(18, 5)
        await wait_until(
            pilot, lambda: [e.description for e in footer.shown_entries] == ["注文を出す"]
        )
