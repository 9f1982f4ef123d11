"""The overview's figures as aligned text: columns, alignment, styles kept, nothing parsed."""

from __future__ import annotations

from rich.text import Text

from tstui.ui.widgets.text_grid import text_grid


def test_columns_are_as_wide_as_their_widest_cell_and_aligned() -> None:
    grid = text_grid(
        [("A1", "10.00"), ("SIM1000003C", "1,234,567.50")],
        header=("Account", "Equity"),
        right=(False, True),
    )
    assert grid.plain.splitlines() == [
        "Account            Equity",
        "A1                  10.00",
        "SIM1000003C  1,234,567.50",
    ]
    assert grid.no_wrap  # a line too wide is cut by the widget, never folded


def test_ragged_rows_and_styles() -> None:
    loss = Text("-1.00", style="red")
    grid = text_grid([(Text("Day P&L", style="bold"), loss, "Realized", "+2.00"), ("U", "3")])
    first, second = grid.plain.splitlines()
    assert first == "Day P&L  -1.00  Realized  +2.00"
    assert second == "U        3"  # no padding after a row's last cell
    styled = {(grid.plain[s.start : s.end], str(s.style)) for s in grid.spans}
    assert ("-1.00", "red") in styled and ("Day P&L", "bold") in styled


def test_a_str_cell_is_literal_text() -> None:
    grid = text_grid([("[bold]x[/]", "[@click=app.quit]y")])
    assert grid.plain == "[bold]x[/]  [@click=app.quit]y"
    assert not grid.spans  # nothing was parsed as markup
