"""Settings from TOML: defaults, overrides, errors that name the file and key, saving."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from tstui.config import (
    ConfigError,
    endpoints,
    load_settings,
    parse_settings,
    save_user_choice,
    unknown_keys,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_sim_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml")
    assert settings.env == "sim"
    assert settings.endpoints.api_base == "https://sim-api.tradestation.com"
    assert settings.endpoints.signin_base == "https://signin.tradestation.com"


def test_live_endpoints_and_one_base_url_for_both() -> None:
    assert endpoints("live").api_base == "https://api.tradestation.com"
    local = endpoints("sim", "http://127.0.0.1:9999/")
    assert local.api_base == local.signin_base == "http://127.0.0.1:9999"


def test_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        """
env = "sim"
account = "SIM1000001M"
theme = "tstui-light"
[api]
client_id = "abc"
redirect_uri = "http://localhost:3001"
[keymap]
"view.positions" = "f2"
[risk.live]
max_quantity = 5
max_notional = false
[roll]
auto_roots = ["es", "@NQ"]
""",
    )
    s = load_settings(path)
    assert s.account_id == "SIM1000001M"
    assert s.client_id == "abc"
    assert s.redirect_uri == "http://localhost:3001"
    assert s.keymap == {"view.positions": "f2"}
    assert s.risk["live"].max_quantity == Decimal("5")
    assert s.risk["live"].max_notional is None
    assert s.risk["sim"].max_quantity == Decimal("1000")
    assert s.roll.auto_roots == ("ES", "NQ")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('env = "paper"', "env"),
        ("[api]\nclient_id = 5", "api.client_id"),
        ("[risk.sim]\nmax_quantity = -1", "risk.sim.max_quantity"),
        ('[risk.sim]\nmax_notional = "lots"', "risk.sim.max_notional"),
        ('[keymap]\n"view.positions" = ""', "keymap.view.positions"),
        ('[stream]\nheartbeat_timeout_s = "x"', "stream.heartbeat_timeout_s"),
        ("roll = 3", "roll"),
        ("this is not toml", "(file)"),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.key == key
    assert str(path) in str(info.value)


def test_seed_env_vars_override_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "c.toml", '[api]\nclient_id = "from-file"\n')
    monkeypatch.setenv("CLIENT_ID", "from-env")
    monkeypatch.setenv("ACCOUNT_ID", "SIM1000002F")
    s = load_settings(path)
    assert (s.client_id, s.account_id) == ("from-env", "SIM1000002F")


def test_secret_is_not_in_repr() -> None:
    s = parse_settings({"api": {"client_secret": "hush-hush-value"}})
    assert "hush-hush-value" not in repr(s)


def test_save_user_choice_keeps_other_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'account = "X1"\n[keymap]\n"app.help" = "f1"\n')
    save_user_choice("theme", "tstui-high-contrast", path)
    data = tomllib.loads(path.read_text())
    assert data == {"account": "X1", "theme": "tstui-high-contrast", "keymap": {"app.help": "f1"}}


def test_unknown_keys_are_the_keys_the_reader_never_reads() -> None:
    every_section = tomllib.loads(
        """
        env = "sim"
        account = "SIM1"
        theme = "tstui-dark"
        [api]
        client_id = "x"
        use_pkce = false
        [keymap]
        "app.orders" = "f2"
        [brackets.scalp]
        target = 4
        stop = 2
        [risk.live]
        max_margin = 5000
        severities = { price_band = "warning" }
        [risk.live.future]
        max_quantity = 5
        [roll]
        auto_roots = ["ES"]
        [stream]
        heartbeat_timeout_s = 20
        [chart]
        sma_period = 50
        """
    )
    parse_settings(every_section)  # valid
    assert unknown_keys(every_section) == []

    typos = {**every_section, "thme": "x", "risk": {"paper": {}}, "chart": {"sma": 5}}
    typos["stream"] = {"heartbeat_timeout": 3}
    assert sorted(unknown_keys(typos)) == [
        "chart.sma",
        "risk.paper",
        "stream.heartbeat_timeout",
        "thme",
    ]
