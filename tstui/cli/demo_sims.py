"""The demo's simulators, started in a child process (see :mod:`tstui.sim.demo_pair`).

``spawn`` returns at once, so the child boots while this process imports the UI; ``ready``
waits for its one JSON line, which comes as soon as its sockets listen (tens of milliseconds):
a request sent before a simulator serves waits in the backlog. Closing the child's stdin stops
it; so does our death.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


def child_environ() -> dict[str, str]:
    """This environment for a child interpreter that must import the same modules as we do
    (an editable install or a checkout on sys.path)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


class DemoStartError(RuntimeError):
    """The demo simulators did not come up; the message says why and where the log is."""


@dataclass(frozen=True, slots=True)
class DemoEndpoints:
    sim_url: str
    live_url: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never show the secret, even the simulator's
        return f"DemoEndpoints(sim_url={self.sim_url!r}, live_url={self.live_url!r})"


class DemoSimulators:
    """``with DemoSimulators(log) as sims: ... sims.ready()`` (stopped on exit)."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self._endpoints: DemoEndpoints | None = None
        self._ready_lock = threading.Lock()  # a second caller waits for the first's answer

    def spawn(self) -> DemoSimulators:
        if self._proc is not None:
            return self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # Its stderr goes to a file: the TUI draws on our terminal's stderr.
        self._log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tstui.sim.demo_pair"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=child_environ(),
        )
        return self

    def ready(self, timeout: float = READY_TIMEOUT_S) -> DemoEndpoints:
        """Block until both simulators listen (spawning them if needed). Thread-safe."""
        with self._ready_lock:
            return self._ready(timeout)

    def _ready(self, timeout: float) -> DemoEndpoints:
        if self._endpoints is not None:
            return self._endpoints
        proc = self.spawn()._proc
        assert proc is not None and proc.stdout is not None
        line = _read_line(proc.stdout, timeout)
        try:
            answer = json.loads(line) if line else {}
        except ValueError:
            answer = {}
        if "sim" not in answer:
            if line == "":  # EOF: the child is exiting
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=STOP_TIMEOUT_S)
            problem = answer.get("error") or (
                "no answer in time" if proc.poll() is None else f"exited ({proc.returncode})"
            )
            self.stop()
            raise DemoStartError(f"demo simulators did not start: {problem} (log: {self.log_path})")
        self._endpoints = DemoEndpoints(
            answer["sim"], answer["live"], answer["client_id"], answer["client_secret"]
        )
        return self._endpoints

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()  # the child's cue to send GoAway and stop
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> DemoSimulators:
        return self.spawn()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """One line from a child's stdout; "" at EOF, None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if selector.select(left):
                return stream.readline()
    return None
