"""Bad input on the config loader: Settings, or a ConfigError naming the key; nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from tstui.config import ConfigError, Settings, load_settings, parse_settings

TOP_KEYS = ["env", "theme", "account", "api", "stream", "roll", "risk", "keymap", "extra"]
SUB_KEYS = [
    "base_url", "live_base_url", "client_id", "client_secret", "redirect_uri", "scopes",
    "use_pkce", "heartbeat_timeout_s", "reconcile_interval_s", "balances_refresh_s",
    "auto_roots", "allow_live", "check_interval_s", "sim", "live", "max_quantity",
    "max_notional", "price_band_pct", "duplicate_window_s", "app.quit", "view.orders", "x",
]  # fmt: skip

scalars = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["sim", "live", "LIVE", "tstui-dark", "ES", "ctrl+q", "-1", ""]),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just(datetime(2026, 12, 1, tzinfo=UTC)),
    st.just(date(2026, 12, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(SUB_KEYS), inner, max_size=4),
    ),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from(TOP_KEYS), values, max_size=6)


def _check(exc: ConfigError, where: Path | None) -> None:
    assert exc.key, exc
    assert exc.key in str(exc)
    if where is not None:
        assert str(where) in str(exc)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_parse_settings_settings_or_config_error(document: dict[str, Any]) -> None:
    where = Path("/cfg/config.toml")
    try:
        result = parse_settings(document, where)
    except ConfigError as exc:
        _check(exc, where)
    else:
        assert isinstance(result, Settings)


@settings(max_examples=60, deadline=None)
@given(st.one_of(documents.map(tomli_w.dumps), st.text(max_size=80)))
def test_load_settings_from_a_file(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        result = load_settings(path)
    except ConfigError as exc:
        _check(exc, path)
    else:
        assert isinstance(result, Settings)
