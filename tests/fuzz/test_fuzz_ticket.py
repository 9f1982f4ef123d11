"""Bad input on the order ticket: parse_ticket never raises and every error names a field."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.domain.orders import FieldError, TicketFields, parse_ticket

FIELD_NAMES = {f.name for f in dataclasses.fields(TicketFields)} | {"order"}


def _field(*plausible: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(plausible), st.text(max_size=24))


tickets = st.builds(
    TicketFields,
    account=_field("SIM1000001M", "SIM1000002F", "", " "),
    symbol=_field("MSFT", "ESZ26", "@ES", "msft ", "", "ES"),
    action=_field("BUY", "sell", "buy to cover", "SELLSHORT", "BUYTOOPEN", ""),
    quantity=_field("1", "10", "1,000", "0", "-5", "1.5", "1e3", "NaN", "١٢", " 7 "),
    order_type=_field("Market", "Limit", "stop limit", "StopMarket", "limit"),
    limit_price=_field("100.25", "100.255", "0", "-1", "", "inf", "4500.25"),
    stop_price=_field("99.5", "", "abc", "1e-9"),
    duration=_field("DAY", "GTC", "gtd", "GDP", "OPG", "FOK"),
    route=_field("", "Intelligent", "NSDQ"),
    expiration=_field("", "2026-12-31", "2026-02-30", "2026-12-31T20:00:00Z", "tomorrow"),
)


@settings(max_examples=300, deadline=None)
@given(tickets, st.sampled_from([None, "STOCK", "FUTURE", "STOCKOPTION", "BOND"]))
def test_parse_ticket_is_total_and_names_fields(fields: TicketFields, asset: str | None) -> None:
    request, issues = parse_ticket(fields, asset_type=asset)
    assert all(isinstance(i, FieldError) for i in issues)
    for issue in issues:
        assert issue.field in FIELD_NAMES, issue
        assert issue.message.strip(), issue
        assert issue.severity in ("error", "warning")
    errors = [i for i in issues if i.severity == "error"]
    assert (request is None) == bool(errors)
    if request is not None:
        assert request.quantity > 0 and request.quantity == request.quantity.to_integral_value()
        body = request.to_api()
        assert body["Quantity"] and body["Symbol"]
