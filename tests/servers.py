"""Start a server subprocess for a test, wait until it answers, and stop it whatever happens.

Every test that needs a real server (``lessonkit lab``, plain JupyterLab,
JupyterHub) does the same three things: start it with its output in a log
file, poll until it answers (failing early, with the log's tail, if it
exits), and at the end stop it — SIGTERM, then SIGTERM again (``lessonkit lab``
and Jupyter stop at once on a second one), then SIGKILL — so no test leaves
a server or its kernels behind. They all use :func:`running`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

#: How long a loaded 2-core machine may take to import and start JupyterLab or JupyterHub.
START_TIMEOUT = 120.0
#: Seconds between two "does it answer yet?" checks: a busy poll would slow the start.
POLL = 0.25


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def answers(url: str, **request: object) -> Callable[[], bool]:
    """A readiness check: a GET of `url` (httpx keyword arguments in `request`) gives 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=5, **request).status_code == 200  # type: ignore[arg-type]
        except httpx.TransportError:
            return False

    return check


def log_tail(log: Path, chars: int = 3000) -> str:
    """The end of a server's log, for a failure message."""
    return log.read_text(errors="replace")[-chars:] if log.exists() else "(no log)"


def wait_until(
    ready: Callable[[], bool],
    process: subprocess.Popen[bytes],
    log: Path,
    *,
    name: str,
    timeout: float = START_TIMEOUT,
) -> None:
    """Return once `ready()` is true; fail with the log's tail if `process` exits or time is up."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} exited {process.returncode}:\n{log_tail(log)}")
        if ready():
            return
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer in {timeout:.0f} s:\n{log_tail(log)}")
        time.sleep(POLL)


def stop(process: subprocess.Popen[bytes], *, grace: float = 30.0) -> int:
    """Stop `process` as a process manager would; its exit status.

    SIGTERM and `grace` seconds to shut down its kernels; then a second SIGTERM
    (which ``lessonkit lab`` and Jupyter take as "stop now"); then SIGKILL.
    """
    for signum in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        process.send_signal(signum)
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    return process.wait(timeout=grace)


@contextmanager
def running(
    argv: Sequence[str],
    *,
    log: Path,
    ready: Callable[[], bool],
    name: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = START_TIMEOUT,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` (output to `log`) until the block ends; enter once `ready()` is true.

    The block may stop the process itself (to test how it stops); otherwise
    :func:`stop` does on the way out, also when the start failed.
    """
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(os.environ if env is None else env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(ready, process, log, name=name, timeout=timeout)
        yield process
    finally:
        stop(process)
