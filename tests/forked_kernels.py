"""Notebook kernels forked from one warm process: the test suite's kernel start-up, paid once.

The suite starts about thirty kernels (nbval's, nbclient's, JupyterLab's), and
each spent most of its CPU importing the same modules: ipykernel and, at its
first cell, the SDK (about 2.5 s on a 2-core machine, twice that when it is
busy). Here one process, the *zygote*, imports them once; each kernel start
asks it for a fork that has them already.

:func:`kernel_spec` is a ``python3`` kernel spec whose command runs this file's
client (``python -I -S forked_kernels.py connect SOCKET -- KERNEL-ARGV``). The
client hands the kernel's argv, environment, working directory and standard
streams to the zygote, then stands in for the kernel towards whoever started
it: it forwards signals to the kernel and ends as the kernel ends. Where a fork
would not start the kernel that argv describes (another interpreter or module,
other settings read on import) or no zygote answers, the client execs that argv.

A forked kernel differs from an exec'd one in what a test could notice: its
modules were imported before its environment was set (the zygote imports no
lessonkit module, which reads settings on import), and all share one hash seed.
Each starts a session of its own, as jupyter_client's kernels do; when its
client is killed, the zygote kills the kernel's process group.

The client runs with ``-S`` (no site-packages): this file imports only the
standard library at module level.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

#: Beside the zygote's socket: how each forked kernel that failed ended (nbval, for one,
#: sends a kernel's stderr to /dev/null, so a kernel that dies at start says nothing there).
LOG = "failed-kernels.log"
#: What every kernel would import on its own: ipykernel, and what the lessons
#: import in their first cells. Third-party only (see the module docstring).
PRELOAD = ("ipykernel.kernelapp", "anthropic", "httpx", "respx", "ipywidgets", "pydantic")
#: The module a kernel spec runs, and so the only one a fork can stand in for.
LAUNCHER = "ipykernel_launcher"
#: Signals the client passes on; SIGKILL cannot be caught: the zygote sees the client go.
FORWARDED = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)


def kernel_spec(socket_path: str, python: str = sys.executable) -> dict[str, Any]:
    """The ``kernel.json`` of a ``python3`` kernel forked by the zygote at ``socket_path``."""
    launcher = [python, "-m", LAUNCHER, "-f", "{connection_file}"]
    return {
        "argv": [python, "-I", "-S", __file__, "connect", socket_path, "--", *launcher],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": True},
    }


def failures(directory: Path) -> str:
    """What the zygote in ``directory`` logged of the forked kernels that failed ("" if none)."""
    try:
        return (directory / LOG).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def write_kernel_spec(jupyter_dir: Path, socket_path: str) -> Path:
    """Write the spec as ``jupyter_dir/kernels/python3``, for a ``JUPYTER_PATH`` entry."""
    directory = jupyter_dir / "kernels" / "python3"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kernel.json").write_text(json.dumps(kernel_spec(socket_path), indent=1))
    return directory


def start(directory: Path) -> subprocess.Popen[bytes]:
    """Start a zygote listening in ``directory`` and put its kernel spec there.

    Returns once it listens (its imports still running); ``directory`` then goes
    first on ``JUPYTER_PATH``. The zygote ends with the process that started it.
    """
    socket_path = directory / "zygote.sock"
    zygote = subprocess.Popen(
        [sys.executable, __file__, "serve", str(socket_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
    )
    assert zygote.stdout is not None
    zygote.stdout.readline()  # listening: a kernel started from now on finds it
    zygote.stdout.close()
    write_kernel_spec(directory, str(socket_path))
    return zygote


# --- the client: stands in for one kernel ----------------------------------------------


def connect(socket_path: str, argv: list[str]) -> None:
    """Have the zygote fork the kernel ``argv`` describes, or exec it; return never."""
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(socket_path)
        request = {"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}
        _send(client, request, fds=[0, 1, 2])
        reply = _receive(client)
    except OSError:
        reply = {}
    if "pid" not in reply:
        os.execv(argv[0], argv)
    pid = reply["pid"]
    for number in FORWARDED:
        signal.signal(number, lambda number, _frame: _forward(pid, number))
    ending = _receive(client)
    if "exit" not in ending:  # the zygote is gone: wait for the kernel itself
        _wait_for_exit(pid)
        ending = {"exit": 1}
    _end_like(ending["exit"])


def _forward(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)  # the kernel's group, as jupyter_client signals a kernel's
    except ProcessLookupError:
        pass


def _wait_for_exit(pid: int) -> None:
    import select

    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    select.select([handle], [], [])


def _end_like(code: int) -> None:
    """Exit with the kernel's status; for a kernel killed by a signal, by the same signal."""
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def _send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode() + b"\n"
    sent = socket.send_fds(sock, [data], fds) if fds else 0
    sock.sendall(data[sent:])


def _receive(sock: socket.socket, data: bytes = b"") -> dict[str, Any]:
    """One newline-ended JSON message, or ``{}`` if the other end closed first."""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1 << 16)
        if not chunk:
            return {}
        data += chunk
    message: dict[str, Any] = json.loads(data)
    return message


# --- the zygote: imports once, forks kernels ---------------------------------------------


def refusal(request: dict[str, Any], fds: list[int], base_env: dict[str, str]) -> str | None:
    """Why a fork of this process would not be the kernel ``request`` asks for, or None."""
    argv = request["argv"]
    if os.path.abspath(argv[0]) != sys.executable:  # the spec names it as the zygote runs it
        return f"another interpreter: {argv[0]}"
    if argv[1:3] != ["-m", LAUNCHER]:
        return f"not `-m {LAUNCHER}`: {argv[1:3]}"
    if _import_settings(request["env"]) != _import_settings(base_env):
        return "other settings read on import (PYTHON*, JUPYTER_WIDGETS_ECHO, PYZMQ_BACKEND)"
    if len(fds) != 3:
        return "no standard streams"
    return None


def _import_settings(env: dict[str, str]) -> dict[str, str]:
    """The variables that the interpreter, or a :data:`PRELOAD` module on import, reads."""
    return {
        k: v
        for k, v in env.items()
        if k.startswith("PYTHON") or k in ("JUPYTER_WIDGETS_ECHO", "PYZMQ_BACKEND")
    }


def serve(socket_path: str) -> None:
    """Listen at ``socket_path``, import :data:`PRELOAD`, fork kernels until the parent goes.

    Single-threaded on purpose (forking a process with threads is unsafe):
    one selector waits on the listener, each client's connection, and a
    wake-up socket that SIGCHLD writes to.
    """
    import gc
    import importlib
    import selectors

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)  # clients wait in the backlog while the imports run
    os.write(1, b"listening\n")
    for name in PRELOAD:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()  # a fork's collections leave the shared objects (and their pages) alone
    base_env = dict(os.environ)
    parent = os.getppid()
    wake_read, wake_write = socket.socketpair()
    wake_write.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno())
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    log = Path(socket_path).with_name(LOG)
    kernels: dict[int, socket.socket] = {}  # pid -> its client's connection
    while os.getppid() == parent:
        for key, _ in selector.select(timeout=1):
            if key.fileobj is listener:
                own = [listener, wake_read, wake_write, *kernels.values()]
                started = _start(listener, base_env, own, log)
                if started:
                    kernels[started[0]] = started[1]
                    selector.register(started[1], selectors.EVENT_READ, started[0])
            elif key.fileobj is wake_read:
                wake_read.recv(4096)
            else:  # a client went away: its kernel goes too, as with a killed process group
                selector.unregister(key.fileobj)
                kernels.pop(key.data, None)
                key.fileobj.close()  # type: ignore[union-attr]
                _kill_group(key.data)
        for pid, code in _reaped():
            connection = kernels.pop(pid, None)
            if connection is not None:
                selector.unregister(connection)
                try:
                    _send(connection, {"exit": code})
                except OSError:
                    pass
                connection.close()


def _start(
    listener: socket.socket, base_env: dict[str, str], own: list[socket.socket], log: Path
) -> tuple[int, socket.socket] | None:
    """Read one request; fork its kernel, or tell the client to exec it. Returns (pid, conn)."""
    connection, _ = listener.accept()
    connection.settimeout(10)
    try:
        data, fds, _flags, _address = socket.recv_fds(connection, 1 << 16, 3)
        request = _receive(connection, data)
    except (OSError, ValueError):
        connection.close()
        return None
    why = refusal(request, fds, base_env) if request else "no request"
    if why is None:
        pid = os.fork()
        if pid == 0:
            _become_kernel(request, fds, [*own, connection], log)
    for fd in fds:
        os.close(fd)
    try:
        _send(connection, {"refused": why} if why else {"pid": pid})
    except OSError:
        why = why or "client gone"
    if why:
        connection.close()
        return None
    connection.settimeout(None)
    return pid, connection


def _become_kernel(
    request: dict[str, Any], fds: list[int], own: list[socket.socket], log: Path
) -> None:
    """In the fork: take the client's streams, directory and environment, run the kernel.

    A kernel that raises, or exits with a status other than 0, is noted in ``log``.
    """
    import atexit
    import traceback

    code: int = 1
    failure = ""
    try:
        os.setsid()  # its own session and process group, like jupyter_client's kernels
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for sock in own:
            sock.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = os.getcwd()  # what `python -m` puts first, not this file's directory
        sys.argv = [LAUNCHER, *request["argv"][3:]]
        if "JPY_PARENT_PID" in os.environ:  # ipykernel reads it on import, before it was set
            sys.argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=sys.argv[1:])
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        failure = f"exit status {code} ({exit.code!r})\n" if code else ""
    except BaseException:
        failure = traceback.format_exc()
        sys.stderr.write(failure)
    finally:
        try:  # nothing here may raise: the fork must not return into the zygote's loop
            if failure:
                with log.open("a", encoding="utf-8") as file:
                    file.write(f"kernel {os.getpid()} in {request['cwd']}: {failure}\n")
        except OSError:
            pass
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


def _reaped() -> list[tuple[int, int]]:
    """Every child that has ended, with its exit code (negative: the signal that ended it)."""
    ended = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended.append((pid, os.waitstatus_to_exitcode(status)))


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:  # connect SOCKET -- KERNEL-ARGV
        connect(sys.argv[2], sys.argv[4:])
