"""The simulator in its own process (so its CPU never competes with the measured client for
this interpreter's GIL), plus Settings that reach it with the demo credentials."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType

from tstui.cli.demo_sims import child_environ
from tstui.config import Settings, StreamSettings
from tstui.sim import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN
from tstui.sim.control import SimControl

SIM_START = "2026-12-01T15:00:00+00:00"
ACCOUNTS = ("SIM1000001M", "SIM1000002F", "SIM1000003C")


class SimProcess:
    """``with SimProcess() as sim: sim.url, sim.control, sim.settings()`` (stopped on exit)."""

    def __init__(self, *, heartbeat: float = 1.0, speed: float = 0.0) -> None:
        self.heartbeat = heartbeat
        self.speed = speed
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="tstui-bench-")

    def __enter__(self) -> SimProcess:
        cmd = [
            sys.executable,
            "-m",
            "tstui.sim",
            "--port",
            "0",
            "--speed",
            str(self.speed),
            "--start",
            SIM_START,
            "--heartbeat",
            str(self.heartbeat),
        ]
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_environ()
        )
        assert self._proc.stdout is not None
        first = self._proc.stdout.readline().strip()
        if "listening on " not in first:
            self.__exit__(None, None, None)
            raise RuntimeError(f"simulator did not start: {first!r}")
        self.url = first.rsplit(" ", 1)[-1]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=8)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self._tmp.cleanup()

    @property
    def control(self) -> SimControl:
        return SimControl(self.url, timeout=60.0)

    @property
    def state_dir(self) -> Path:
        return Path(self._tmp.name)

    def settings(self, heartbeat_timeout_s: float = 15.0) -> Settings:
        return Settings(
            env="sim",
            base_url=self.url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            stream=StreamSettings(heartbeat_timeout_s=heartbeat_timeout_s),
            state_dir=self.state_dir / "state",
        )

    @staticmethod
    def environ() -> dict[str, str]:
        """What Session reads when its token store is empty (no login step)."""
        return {"REFRESH_TOKEN": REFRESH_TOKEN}
