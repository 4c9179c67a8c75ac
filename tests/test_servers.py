"""The shared server helper: it fails early with the log when a server dies, and always stops it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import running, stop

#: A "server" that ignores SIGTERM (as a hung one would) and says when it is up.
STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('up', flush=True)\n"
    "time.sleep(120)\n"
)


def test_a_server_that_ignores_sigterm_is_killed(tmp_path: Path) -> None:
    log = tmp_path / "log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=out)
    while b"up" not in log.read_bytes():
        assert process.poll() is None
        time.sleep(0.05)
    assert stop(process, grace=0.5) == -signal.SIGKILL


def test_running_yields_once_ready_and_stops_the_server_after(tmp_path: Path) -> None:
    log = tmp_path / "log"

    def ready() -> bool:
        return b"up" in log.read_bytes()

    argv = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"]
    with running(argv, log=log, ready=ready, name="sleeper") as process:
        assert process.poll() is None
    assert process.returncode == -signal.SIGTERM


def test_a_server_that_exits_fails_the_test_with_its_log(tmp_path: Path) -> None:
    argv = [sys.executable, "-c", "print('port already in use'); raise SystemExit(3)"]
    with (
        pytest.raises(pytest.fail.Exception, match=r"(?s)sleeper exited 3:.*port already in use"),
        running(argv, log=tmp_path / "log", ready=lambda: False, name="sleeper"),
    ):
        pass  # never entered: the server exited before it was ready
