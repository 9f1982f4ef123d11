"""The ticket's bracket section without a server: config templates, raw fields -> the entry
with its exits, trailing stop and activation rule, issues named after the form's fields, and
the form's F6 cycle."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from tstui.config import DEFAULT_BRACKETS, BracketTemplate, ConfigError, load_settings
from tstui.domain.market.data import PriceFormat, SymbolDetail
from tstui.domain.orders import OrderRequest, new_order_confirm_id
from tstui.ui.trading.bracket import (
    BracketFields,
    attach_bracket,
    bracket_field_of,
    describe_group,
    from_template,
)
from tstui.ui.trading.ticket_form import TicketForm
from tstui.ui.trading.types import SymbolInfo

ES = SymbolInfo(
    "ESZ26",
    SymbolDetail(
        symbol="ESZ26",
        asset_type="FUTURE",
        price_format=PriceFormat(increment=Decimal("0.25"), point_value=Decimal(50)),
    ),
)


def entry(action: str = "BUY", limit: str | None = "5000.00", qty: str = "2") -> OrderRequest:
    return OrderRequest(
        account_id="SIM1000002F",
        symbol="ESZ26",
        quantity=Decimal(qty),
        order_type="Limit" if limit else "Market",
        trade_action=action,
        limit_price=Decimal(limit) if limit else None,
        order_confirm_id=new_order_confirm_id(),
    )


# ---- config -----------------------------------------------------------------------------------


def test_templates_from_config_and_the_default(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "missing.toml").brackets == DEFAULT_BRACKETS
    assert DEFAULT_BRACKETS[0] == BracketTemplate("es-scalp", 8, 6)
    path = tmp_path / "config.toml"
    path.write_text(
        '[brackets.nq-swing]\ntarget = 40\nstop = 20\n[brackets."trail-only"]\ntrail = 12\n'
    )
    assert load_settings(path).brackets == (
        BracketTemplate("nq-swing", 40, 20, None),
        BracketTemplate("trail-only", None, None, 12),
    )


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[brackets.a]\ntarget = 0\n", "brackets.a.target", "whole number of ticks"),
        ("[brackets.a]\nstop = 2.5\n", "brackets.a.stop", "whole number of ticks"),
        ('[brackets.a]\ntarget = "8"\n', "brackets.a.target", "whole number of ticks"),
        ("[brackets.a]\ntargte = 8\n", "brackets.a.targte", "unknown key"),
        ("[brackets.a]\n", "brackets.a", "needs a target, a stop or a trail"),
        ("brackets = 3\n", "brackets", "expected a table"),
        ("[brackets]\na = 3\n", "brackets.a", "expected a table"),
    ],
)
def test_bad_templates_name_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == key and info.value.path == path
    assert problem in info.value.problem


# ---- fields -> the group ------------------------------------------------------------------------


def test_template_offsets_become_exits_on_the_tick() -> None:
    fields = from_template(BracketFields(), DEFAULT_BRACKETS[0])
    built, issues = attach_bracket(entry(), fields, ES)
    assert issues == [] and built is not None
    (group,) = built.osos
    target, stop = group.orders
    assert group.type == "BRK"
    assert (target.trade_action, target.order_type, target.limit_price) == (
        "SELL",
        "Limit",
        Decimal("5002.00"),
    )
    assert (stop.order_type, stop.stop_price, stop.quantity) == (
        "StopMarket",
        Decimal("4998.50"),
        Decimal(2),
    )
    lines = describe_group(built, ES)
    assert " ".join(lines[1].split()) == "target SELL 2 @ 5002 +8 ticks +200 (Limit, BRK)"
    assert lines[-1].strip() == "reward 200 / risk 150 (ratio 1.33)"
    # a short entry: the target below, the stop above
    short, _ = attach_bracket(entry("SELLSHORT"), fields, ES)
    assert short is not None
    assert [o.limit_price or o.stop_price for o in short.osos[0].orders] == [
        Decimal("4998.00"),
        Decimal("5001.50"),
    ]


def test_market_entry_counts_from_the_last_price_and_trails() -> None:
    info = SymbolInfo(ES.symbol, ES.detail, None)
    fields = BracketFields(enabled=True, stop="4", trail="6")
    built, issues = attach_bracket(entry(limit=None), fields, info)
    assert built is None  # a market entry and no last price: nothing to count ticks from
    assert [(i.field, "price to count from" in i.message) for i in issues] == [
        ("bracket_trail", True)
    ]
    built, issues = attach_bracket(entry(limit=None), BracketFields(enabled=True, stop="4"), info)
    assert built is None and [i.field for i in issues] == ["bracket_target"]
    assert "needs the entry's price" in issues[0].message
    fields = BracketFields(enabled=True, unit="price", trail="0.5%")
    built, issues = attach_bracket(entry(), fields, ES)
    assert issues == [] and built is not None
    (stop,) = built.osos[0].orders
    assert built.osos[0].type == "NORMAL" and stop.stop_price is None
    assert stop.advanced_options is not None and stop.advanced_options.trailing_stop is not None
    assert stop.advanced_options.trailing_stop.percent == Decimal("0.5")
    built, issues = attach_bracket(entry(), BracketFields(enabled=True, trail="6"), ES)
    assert built is not None
    trailing = built.osos[0].orders[0].advanced_options
    assert trailing is not None and trailing.trailing_stop is not None
    assert trailing.trailing_stop.amount == Decimal("1.50")  # 6 ticks of 0.25


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (BracketFields(enabled=True, target="abc"), "bracket_target", "not a number"),
        (BracketFields(enabled=True, stop="2.5"), "bracket_stop", "whole number of ticks"),
        (BracketFields(enabled=True, stop="-3", unit="price"), "bracket_stop", "positive"),
        (BracketFields(enabled=True, trail="150%"), "bracket_trail", "between 0 and 100"),
        (BracketFields(enabled=True, trail="x"), "bracket_trail", "positive number"),
        (BracketFields(enabled=True), "bracket_target", "a target, a stop or a trail"),
        (BracketFields(activate_price="5010"), "activate_price", "choose a trigger"),
        (
            BracketFields(activate_key="STT", activate_price="-1"),
            "activate_price",
            "positive price",
        ),
        (BracketFields(activate_time="25:00"), "activate_time", "HH:MM"),
    ],
)
def test_bad_fields_are_named(fields: BracketFields, field: str, words: str) -> None:
    built, issues = attach_bracket(entry(), fields, ES)
    assert built is None
    assert [i.field for i in issues] == [field]
    assert words in issues[0].message


def test_activation_rule_holds_the_entry() -> None:
    fields = BracketFields(
        activate_key="STT", activate_predicate="Lte", activate_price="4990", activate_time="14:30"
    )
    built, issues = attach_bracket(entry(), fields, ES)
    assert issues == [] and built is not None and not built.osos
    options = built.advanced_options
    assert options is not None
    (rule,) = options.market_rules
    assert (rule.symbol, rule.trigger_key, rule.predicate, rule.price) == (
        "ESZ26",
        "STT",
        "Lte",
        Decimal(4990),
    )
    assert options.time_rules[0].time_utc == time(14, 30)
    assert built.order_confirm_id == entry().order_confirm_id or built.order_confirm_id
    assert "held until STT Lte 4990" in "\n".join(describe_group(built, ES))


def test_api_paths_map_to_form_fields() -> None:
    assert bracket_field_of("OSOs[0].Orders[0].LimitPrice") == "bracket_target"
    assert bracket_field_of("OSOs[0].Orders[1].StopPrice") == "bracket_stop"
    assert bracket_field_of("OSOs[0].Orders[1].AdvancedOptions.TrailingStop") == "bracket_trail"
    assert bracket_field_of("AdvancedOptions.MarketActivationRules[0].Price") == "activate_price"
    assert bracket_field_of("AdvancedOptions.TimeActivationRules[0]") == "activate_time"
    assert bracket_field_of("quantity") == "quantity"


# ---- the form ---------------------------------------------------------------------------------


class FormHost(App[None]):
    def compose(self) -> ComposeResult:
        yield TicketForm(
            [], templates=(*DEFAULT_BRACKETS, BracketTemplate("wide", 40, 30, 10)), id="form"
        )


@pytest.mark.anyio
async def test_f6_cycle_fills_templates_and_hides_the_exits_when_off() -> None:
    app = FormHost()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        form = app.query_one(TicketForm)
        exits = form.query_one("#row-bracket-exits")
        assert not form.bracket_fields().enabled and exits.has_class("-hidden")
        assert form.cycle_bracket() == "es-scalp"
        await pilot.pause()
        fields = form.bracket_fields()
        assert (fields.target, fields.stop, fields.trail) == ("8", "6", "")
        assert not exits.has_class("-hidden")
        assert form.cycle_bracket() == "wide"
        await pilot.pause()
        assert form.bracket_fields().trail == "10"
        form.query_one("#bracket_target", Input).value = "41"  # an edit: now a custom bracket
        await pilot.pause()
        assert form.bracket_fields().template == "" and form.bracket_fields().target == "41"
        assert form.cycle_bracket() == "off"
        await pilot.pause()
        assert not form.bracket_fields().enabled and exits.has_class("-hidden")
        assert form.bracket_fields().target == "41"  # kept for the next time


def test_readme_bracket_example_loads(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("```toml\n[brackets.es-scalp]")
    block = text[start:].split("\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.toml"
    path.write_text(block)
    assert load_settings(path).brackets == (
        BracketTemplate("es-scalp", 8, 6),
        BracketTemplate("nq-trail", 40, None, 12),
    )


def test_bracket_numbers_read_like_the_ticket_s() -> None:
    # "1,5" is a typo for 15 or 1.5, never silently 15; exponents are not prices.
    from tstui.domain.orders.ticket import plain_number

    assert plain_number("1,500.25") == Decimal("1500.25")
    assert plain_number(" 8 ") == Decimal(8)
    for bad in ("1,5", "1e3", "NaN", "1" + "0" * 13):
        assert plain_number(bad) is None, bad
