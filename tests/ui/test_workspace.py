"""The workspace between runs: the open view and the linked symbol come back; a damaged
workspace file starts the default workspace instead of failing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Static
from ui_support import SIZE, started, wait_until

import tstui.ui.shell.app as app_module
from tstui.ui.shell.app import TstuiApp
from tstui.ui.shell.workspace import FILE_NAME, Workspace, load_workspace
from tstui.ui.views.orders.screen import BlotterScreen
from tstui.ui.views.overview.screen import OverviewScreen

if TYPE_CHECKING:
    from pathlib import Path

    from tstui.config import Settings
    from tstui.sim.server import SimServer

pytestmark = pytest.mark.anyio


def header_symbol(app: TstuiApp) -> str:
    return str(app.screen.query_one("#hdr-symbol", Static).content)


async def test_view_and_linked_symbol_come_back_next_run(
    sim: SimServer, signed_in: Settings
) -> None:
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        app.live.link_symbol("msft")
        await pilot.press("3")
        await wait_until(pilot, lambda: isinstance(app.screen, BlotterScreen), 5, "the blotter")
        await wait_until(pilot, lambda: "MSFT" in header_symbol(app), 5, "the linked symbol")
    assert load_workspace(signed_in.state_dir, TstuiApp.MODES) == Workspace("orders", "MSFT")

    again = TstuiApp(signed_in)
    async with again.run_test(size=SIZE) as pilot:
        await started(again, pilot, BlotterScreen)
        assert again.live.current_symbol == "MSFT"
        await wait_until(pilot, lambda: "MSFT" in header_symbol(again), 5, "the header symbol")


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '["orders"]',
        '{"view": "no-such-view", "symbol": "AAPL\\u001b[2J"}',
        '{"view": 3, "symbol": ""}',
    ],
)
def test_damaged_workspace_file_gives_the_default(settings: Settings, content: str) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    (settings.state_dir / FILE_NAME).write_text(content, encoding="utf-8")
    assert load_workspace(settings.state_dir, TstuiApp.MODES) == Workspace()


def test_a_saved_symbol_with_valid_view_reads_back(settings: Settings) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    (settings.state_dir / FILE_NAME).write_text('{"view": "chart", "symbol": " es "}')
    assert load_workspace(settings.state_dir, TstuiApp.MODES) == Workspace("chart", "ES")


async def test_a_run_of_links_writes_the_workspace_once(
    sim: SimServer, signed_in: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Workspace] = []
    save = app_module.save_workspace

    def spy(state_dir: Path, workspace: Workspace) -> bool:
        written.append(workspace)
        return save(state_dir, workspace)

    monkeypatch.setattr(app_module, "save_workspace", spy)
    app = TstuiApp(signed_in)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, OverviewScreen)
        for symbol in ("AAPL", "MSFT", "SPY", "QQQ"):  # a cursor running down a list
            app.live.link_symbol(symbol)
            await pilot.pause()
        assert written == []  # not a file per row
        await wait_until(pilot, lambda: bool(written), 5, "the workspace written")
        assert written == [Workspace("overview", "QQQ")]
        app.live.link_symbol("IBM")
        await pilot.pause()
    assert written[-1] == Workspace("overview", "IBM")  # the last one, written at exit
    assert load_workspace(signed_in.state_dir, TstuiApp.MODES) == Workspace("overview", "IBM")
