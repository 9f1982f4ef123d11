"""The blotter's tree of linked orders (widget in a host app): drawing, relation column,
partial fills standing out, and a redraw when a new sibling changes an old row's branch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from order_factory import T0, filled, order
from test_blotter_widget import Host, wait_painted

from tstui.domain.models import ConditionalOrder
from tstui.domain.orders.book import OrderBook
from tstui.ui.views.orders.blotter import Blotter

pytestmark = pytest.mark.anyio


def _links(*pairs: tuple[str, str]) -> tuple[ConditionalOrder, ...]:
    return tuple(ConditionalOrder(order_id=oid, relationship=rel) for oid, rel in pairs)


def _cell(blotter: Blotter, line: str, column: str) -> str:
    """The text of ``column`` in a rendered line (columns are fixed width, one space apart)."""
    x = 0
    for col in blotter.columns:
        if col.key == column:
            return line[x + 1 : x + 1 + col.width].strip()
        x += col.width + 1
    raise KeyError(column)


async def test_bracket_renders_as_a_tree_with_relations_and_partial_fills() -> None:
    book = OrderBook()
    book.apply(order("900", opened_date_time=T0 - timedelta(minutes=1)))
    entry = order(
        "100",
        symbol="ESZ26",
        quantity=Decimal(2),
        conditional_orders=_links(("101", "OSO"), ("102", "OSO")),
    )
    book.apply(filled(entry, "1", "5000.25"))  # partly filled: its exits are working
    target = order(
        "101",
        symbol="ESZ26",
        side="Sell",
        quantity=Decimal(2),
        opened_date_time=T0 + timedelta(seconds=1),
        conditional_orders=_links(("100", "OSP"), ("102", "BRK")),
    )
    book.apply(target)
    app = Host(book)
    async with app.run_test(size=(200, 12)) as pilot:
        blotter = app.query_one(Blotter)
        blotter.refresh_from_book()
        await wait_painted(pilot, blotter, 0, 3)
        lines = [blotter.render_line(y).text for y in range(1, 4)]
        assert [_cell(blotter, line, "id") for line in lines] == ["100", "101", "900"]
        assert _cell(blotter, lines[0], "symbol") == "ESZ26"
        assert _cell(blotter, lines[0], "link") == "OSP"
        assert _cell(blotter, lines[0], "qty") == "1/2"
        assert _cell(blotter, lines[0], "avg") == "5000.25"
        assert _cell(blotter, lines[1], "symbol") == "└ ESZ26"
        assert _cell(blotter, lines[1], "link") == "OSO BRK"
        assert _cell(blotter, lines[2], "link") == ""
        partial = blotter.get_component_rich_style("blotter--partial", partial=True)
        cells = blotter.row_cells(book.view()[0])
        assert cells[3][1] == partial and partial.color is not None
        assert blotter.row_cells(book.view()[1])[3][1] is None  # nothing filled: plain

        # the stop arrives: the target's branch turns from "└" to "├" although the target's
        # row object is the same one (the painter must not reuse its cached line)
        painted = blotter.repaint_count
        stop = order(
            "102",
            symbol="ESZ26",
            side="Sell",
            quantity=Decimal(2),
            order_type="StopMarket",
            opened_date_time=T0 + timedelta(seconds=2),
            conditional_orders=_links(("100", "OSP"), ("101", "BRK")),
        )
        book.apply(stop)
        assert book.get("101") is target
        blotter.refresh_from_book()
        await wait_painted(pilot, blotter, painted, 4)
        lines = [blotter.render_line(y).text for y in range(1, 5)]
        assert [_cell(blotter, line, "symbol") for line in lines] == [
            "ESZ26",
            "├ ESZ26",
            "└ ESZ26",
            "MSFT",
        ]
        # the parent fills in full: no longer partial
        book.apply(filled(entry, "2", "5000.50", status="FLL"))
        blotter.refresh_from_book()
        await pilot.pause()
        assert blotter.row_cells(book.view()[0])[3] == ("2/2", None)


def test_detail_spells_out_links_partial_fills_and_advanced_options() -> None:
    from tstui.domain.models import TrailingStop
    from tstui.ui.views.orders.detail import describe_order

    child = order(
        "101",
        quantity=Decimal(10),
        order_type="StopMarket",
        advanced_options="TRL",
        trailing_stop=TrailingStop(amount=Decimal("1.50")),
        conditional_orders=_links(("100", "OSP"), ("102", "BRK"), ("\x1b[31mX", "???")),
    )
    partly = filled(child, "4", "401.00")
    partly = replace(partly, legs=(replace(partly.legs[0], quantity_remaining=Decimal(6)),))
    text = describe_order(partly, []).plain
    assert "filled 4 of 10 (partial, 6 left)" in text
    assert "linked: parent 100, bracket sibling 102," in text
    assert "\x1b" not in text  # server text made harmless
    assert "options TRL  trailing by 1.50" in text
