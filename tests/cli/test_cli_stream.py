"""`tstui stream ...`: the real CLI against the simulator.

Ends cleanly on --count, --seconds, ctrl+c and a server that closes the stream (no traceback,
no "Task exception was never retrieved", exit status by outcome); `--json` is every frame as
sent (NDJSON, control frames included, --count counting data frames); without it, one
readable line per frame.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from cli_support import MARGIN, export_seed, ndjson

from tstui.cli import main
from tstui.cli.demo_sims import child_environ

if TYPE_CHECKING:
    from tstui.sim.server import SimServer

# What a stream's end must never print.
NOISE = ("Traceback", "Task exception was never retrieved", "RuntimeError", "cancel scope")


@pytest.fixture
def url(sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> str:
    export_seed(sim, monkeypatch)
    return sim.url


def tstui(*argv: str, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "tstui", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_environ(),
    )


def tstui_then(
    *argv: str, once: Callable[[str], bool], then: Callable[[], object], timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """The CLI, with ``then()`` done once it printed a line for which ``once`` holds: a fault
    timed on what the stream shows, not on a clock a loaded machine can outrun."""
    env = {**child_environ(), "PYTHONUNBUFFERED": "1"}  # each line as printed, as on a tty
    proc = subprocess.Popen(
        [sys.executable, "-m", "tstui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(timeout, proc.kill)  # a hang fails instead of blocking
    watchdog.start()
    try:
        assert proc.stdout is not None
        seen: list[str] = []
        for line in proc.stdout:
            seen.append(line)
            if once(line):
                then()
                break
        out, err = proc.communicate(timeout=timeout)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(seen) + out, err)


def assert_clean(stderr: str) -> None:
    for noise in NOISE:
        assert noise not in stderr, stderr


def test_count_and_seconds_end_cleanly(url: str) -> None:
    """The reported case: ended by --count while --seconds is still running."""
    done = tstui("stream", "orders", "--count", "1", "--seconds", "8", "--base-url", url)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)
    (line,) = done.stdout.splitlines()
    assert "order" in line and MARGIN in line
    for repr_noise in ("OrderLeg(", "Decimal(", "legs=", "datetime("):
        assert repr_noise not in line


def test_seconds_without_enough_events_says_so(url: str) -> None:
    started = time.monotonic()
    done = tstui("stream", "orders", "--count", "1000", "--seconds", "1.5", "--base-url", url)
    assert time.monotonic() - started < 20
    assert done.returncode == 1  # asked for 1000 events, got fewer: not a success
    assert_clean(done.stderr)
    assert "of 1000 events in 1.5 s" in done.stderr


def test_seconds_alone_is_a_normal_end(url: str) -> None:
    done = tstui("stream", "positions", "--seconds", "1", "--json", "--base-url", url)
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)
    assert ndjson(done.stdout)


def test_ctrl_c_ends_with_130_and_no_traceback(url: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tstui", "stream", "orders", "--json", "--base-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_environ(),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # streaming: the snapshot is out
        assert first.startswith("{")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert_clean(err)
    assert "interrupted" in err


def test_reader_going_away_ends_quietly(url: str) -> None:
    """`tstui stream ... --json | head -1`: the pipe closes; no traceback, exit 141."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tstui", "stream", "orders", "--json", "--base-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_environ(),
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"{")
        proc.stdout.close()  # what `head -1` does after its line
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=20) == 141
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_clean(err)
    assert "BrokenPipe" not in err


def test_server_closing_the_stream_is_survived(sim: SimServer, url: str) -> None:
    """GoAway closes the connection: the stream reconnects and still ends cleanly."""
    # the GoAway once the first connection's snapshot is through; then 3 s more to reconnect
    done = tstui_then(
        *("stream", "orders", "--json", "--seconds", "6", "--base-url", url),
        once=lambda line: "EndSnapshot" in line,
        then=lambda: sim.control().post("faults/goaway", {}),
    )
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)
    frames = ndjson(done.stdout)
    assert {"StreamStatus": "GoAway"} in frames  # the server's frame, as sent
    assert "# orders: reconnecting" in done.stderr
    snapshots = [f for f in frames if f.get("StreamStatus") == "EndSnapshot"]
    assert len(snapshots) == 2  # one per connection: the reconnect happened


def test_server_going_away_for_good_is_survived(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole server stops mid-stream: reconnect attempts, then --seconds ends it cleanly."""
    from sim_clock import SIM_START

    from tstui.sim.server import SimServer

    server = SimServer(seed=7, start=SIM_START, speed=0.0, heartbeat_seconds=0.5)
    server.start()
    export_seed(server, monkeypatch)
    try:
        # the server stops once a quote is through (not on a clock the CLI's start-up can
        # outrun on a loaded machine); then reconnect attempts until --seconds
        done = tstui_then(
            *("stream", "quotes", "MSFT", "--seconds", "5", "--base-url", server.url),
            once=lambda line: "MSFT" in line,
            then=server.stop,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert_clean(done.stderr)
    assert "MSFT" in done.stdout
    assert "# quotes: reconnecting" in done.stderr


def test_json_is_every_frame_as_sent(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Data, EndSnapshot and Heartbeat frames, one per line (the sim beats every 0.5 s)."""
    assert main(["stream", "orders", "--json", "--seconds", "1.6", "--base-url", url]) == 0
    captured = capsys.readouterr()
    frames = ndjson(captured.out)
    data = [f for f in frames if "OrderID" in f]
    assert data and all("Legs" in f and isinstance(f["Legs"], list) for f in data)
    assert {"StreamStatus": "EndSnapshot"} in frames
    beats = [f for f in frames if "Heartbeat" in f]
    assert beats and all(isinstance(f["Heartbeat"], int) for f in beats)
    assert "StreamState" not in captured.out  # our connection states are not server frames


def test_count_counts_data_frames_only(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["stream", "orders", "--json", "--count", "2", "--account", MARGIN]
    assert main([*argv, "--base-url", url]) == 0
    frames = ndjson(capsys.readouterr().out)
    assert len([f for f in frames if "OrderID" in f]) == 2
    assert all("OrderID" in f or "Heartbeat" in f or "StreamStatus" in f for f in frames)


def test_human_lines_for_each_stream(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--count", "1", "--seconds", "10", "--base-url", url]
    expected = {
        ("positions",): ("MSFT", "Long", "P&L"),
        ("quotes", "MSFT"): ("MSFT", "last", "bid", "ask"),
        ("bars", "MSFT", "--barsback", "1"): (" O ", " H ", " L ", " C "),
    }
    for args, words in expected.items():
        assert main(["stream", *args, *base]) == 0, args
        out = capsys.readouterr().out
        (line,) = out.splitlines()
        for word in words:
            assert word in line, (args, line)
        assert "Decimal(" not in line and "=" not in line


def test_stream_of_given_orders(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["get", "orders", "--account", MARGIN, "--json", "--base-url", url]) == 0
    (body,) = ndjson(capsys.readouterr().out)
    wanted = body["Orders"][0]["OrderID"]
    argv = ["stream", "orders", wanted, "--account", MARGIN, "--json", "--seconds", "1"]
    assert main([*argv, "--base-url", url]) == 0
    frames = ndjson(capsys.readouterr().out)
    assert {f["OrderID"] for f in frames if "OrderID" in f} == {wanted}


def test_stream_failure_is_one_line(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["stream", "bars", "NOSUCHSYMBOL", "--seconds", "5", "--base-url", url, "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert_clean(captured.err)
    (error,) = ndjson(captured.out)  # the API's own error object, not our wrapper's name
    assert error == {"Error": "NotFound", "Message": "Symbol NOSUCHSYMBOL was not found."}
    assert len(captured.err.strip().splitlines()) == 2  # "# bars: connecting" + the error


if os.name != "posix":  # pragma: no cover
    pytestmark = pytest.mark.skip("signals")
