"""The suite's forked kernels (tests/forked_kernels.py) behave as kernels started directly.

The module starts a zygote of its own, so what it asserts does not depend on the
one the run started (conftest.py).
"""

from __future__ import annotations

import gc
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel

from tests import forked_kernels

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="the zygote runs on Linux"),
    pytest.mark.no_cover,  # drives other processes
    # jupyter_client's blocking manager leaves its event loop's sockets to the collector
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture(scope="module")
def zygote() -> Iterator[int]:
    """A zygote of this module's own, its spec alone on ``JUPYTER_PATH``; yields its pid."""
    directory = Path(tempfile.mkdtemp(prefix="lk-zygote-"))  # a short Unix socket path
    process = forked_kernels.start(directory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(directory))
        yield process.pid
    process.terminate()
    process.wait()
    shutil.rmtree(directory)
    with warnings.catch_warnings():  # the sockets jupyter_client left (see pytestmark)
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def run(client: BlockingKernelClient, code: str) -> str:
    """Execute ``code``; its printed output, or ``error: NAME`` if it raised."""
    reply = client.execute_interactive(code, timeout=120, output_hook=lambda _: None)
    if reply["content"]["status"] == "error":
        return "error: " + reply["content"]["ename"]
    return ""


def printed(client: BlockingKernelClient, code: str) -> str:
    out: list[str] = []

    def hook(message: dict) -> None:
        if message["msg_type"] == "stream":
            out.append(message["content"]["text"])

    client.execute_interactive(code, timeout=120, output_hook=hook)
    return "".join(out).strip()


@contextmanager
def kernel(
    cwd: Path | None = None, **env: str
) -> Iterator[tuple[KernelManager, BlockingKernelClient]]:
    """A ``python3`` kernel with ``env`` added to this process's environment; shut down after."""
    manager, client = start_new_kernel(
        kernel_name="python3", cwd=str(cwd or Path.cwd()), env={**os.environ, **env}
    )
    try:
        yield manager, client
    finally:
        client.stop_channels()
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
        manager.cleanup_resources()


def ended(pid: int) -> bool:
    """Whether process ``pid`` ends within two minutes (a bound for a hung test, not a speed)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([handle], [], [], 120)[0])
    finally:
        os.close(handle)


def test_a_kernel_is_a_fork_that_takes_its_starters_directory_and_environment(
    zygote: int, tmp_path: Path
) -> None:
    with kernel(tmp_path, LESSONKIT_PROBE="from-the-test") as (_, client):
        facts = printed(
            client,
            "import os, sys; print(os.getppid(), os.getcwd(), sys.path[0],"
            " os.environ['LESSONKIT_PROBE'], 'anthropic' in sys.modules,"
            " any(m.startswith('lessonkit') for m in sys.modules), os.getpgid(0) == os.getpid())",
        )
    parent, cwd, path0, probe, sdk, lessonkit, own_group = facts.split(" ")
    assert int(parent) == zygote
    assert cwd == path0 == str(tmp_path)
    assert probe == "from-the-test"
    assert sdk == "True"  # imported once, in the zygote
    assert lessonkit == "False"  # lessonkit reads settings on import: never preloaded
    assert own_group == "True"


def test_an_interrupt_reaches_the_forked_kernel(zygote: int) -> None:
    with kernel() as (manager, client):
        threading.Timer(0.5, manager.interrupt_kernel).start()
        assert run(client, "while True: pass") == "error: KeyboardInterrupt"
        assert printed(client, "print(6 * 7)") == "42"


def test_the_client_ends_with_the_kernels_exit_status(zygote: int) -> None:
    with kernel() as (manager, client):
        stand_in = manager.provisioner.process  # type: ignore[union-attr]
        client.execute("import os; os._exit(3)")
        assert stand_in.wait(timeout=120) == 3


def test_killing_the_client_kills_the_kernel(zygote: int) -> None:
    with kernel() as (manager, client):
        pid = int(printed(client, "import os; print(os.getpid())"))
        assert pid != manager.provisioner.pid  # type: ignore[union-attr]
        manager.shutdown_kernel(now=True)  # SIGKILL to the client's process group
        assert ended(pid)


def test_a_kernel_that_fails_is_logged_beside_the_zygote(zygote: int, tmp_path: Path) -> None:
    """(nbval sends a kernel's stderr to /dev/null: the run's summary shows this log.)"""
    directory = Path(os.environ["JUPYTER_PATH"])
    argv = forked_kernels.kernel_spec(str(directory / "zygote.sock"))["argv"]
    argv = [a.replace("{connection_file}", str(tmp_path / "c.json")) for a in argv]
    done = subprocess.run(
        [*argv, "--IPKernelApp.ip=256.0.0.1"], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert done.returncode != 0
    [logged] = [entry for entry in forked_kernels.failures(directory).split("\nkernel ")
                if str(tmp_path) in entry]  # fmt: skip
    assert "Traceback" in logged and "ZMQError" in logged


def test_a_request_a_fork_cannot_honour_execs_the_kernel(zygote: int) -> None:
    with kernel(PYTHONHASHSEED="0") as (manager, client):  # read by the interpreter at start
        facts = printed(client, "import os, sys; print(os.getpid(), 'anthropic' in sys.modules)")
        assert facts == f"{manager.provisioner.pid} False"  # type: ignore[union-attr]


def test_without_a_zygote_the_client_execs_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    directory = Path(tempfile.mkdtemp(prefix="lk-zygote-"))
    forked_kernels.write_kernel_spec(directory, str(directory / "nobody.sock"))
    monkeypatch.setenv("JUPYTER_PATH", str(directory))
    try:
        with kernel() as (_, client):
            assert printed(client, "print(6 * 7)") == "42"
    finally:
        shutil.rmtree(directory)


REQUEST = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"], "env": {}}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"argv": ["/usr/bin/env", "-m", "ipykernel_launcher"]}, "another interpreter"),
        ({"argv": [sys.executable, "-m", "other_launcher"]}, "not `-m ipykernel_launcher`"),
        ({"env": {"PYTHONPATH": "/elsewhere"}}, "other settings read on import"),
        ({"env": {"JUPYTER_WIDGETS_ECHO": "0"}}, "other settings read on import"),
    ],
)
def test_refusal_names_what_a_fork_would_get_wrong(change: dict, reason: str) -> None:
    why = forked_kernels.refusal({**REQUEST, **change}, [0, 1, 2], base_env={})
    assert why is not None and why.startswith(reason)


def test_refusal_accepts_the_kernel_it_can_fork() -> None:
    assert forked_kernels.refusal(REQUEST, [0, 1, 2], base_env={"HOME": "/x"}) is None
    assert forked_kernels.refusal(REQUEST, [0], base_env={}) == "no standard streams"
