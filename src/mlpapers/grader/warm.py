"""Warm kernels: the interpreter's start and the big imports are paid once per batch, not per notebook.

A cold kernel is a fresh interpreter that imports IPython, NumPy and, in a torch notebook,
PyTorch (about 1.5 core-seconds alone) before the student's first line runs. A warm server
(``python -m mlpapers.grader.warm serve``) is started once per batch and kind (``plain`` or
``torch``, see :data:`PRELOAD`), as root, with the kernels' own allow-listed environment; it
imports those modules and then only forks. Each notebook's kernel is a fork of it that enters the
sandbox a cold kernel enters (:func:`mlpapers.grader.sandbox.enter`): new network, mount and PID
namespaces, private ``/tmp``, hidden course folders, its own connection file and uid, resource
limits, an allow-listed environment and detached stdio. It then runs IPython's kernel in the
forked process instead of ``exec``-ing a new interpreter.

A fork starts from what its server did before forking, and the server only imports modules: it
never runs student code, reads a submission, a connection file or the grader's environment, and
it serves only root (the socket lives in a folder only root enters, and the peer's uid is
checked). The kernel reseeds the random generators a fresh interpreter seeds from the system, so
two kernels never share a stream. A torch notebook gets the ``torch`` server; every other notebook
the ``plain`` one, so a NumPy kernel's address space (what its memory limit counts) holds no torch.

The processes, for one notebook: jupyter_client starts the kernelspec's argv as usual, a small
client (``python -m mlpapers.grader.warm connect --socket S -- <sandbox arguments>``) that hands
the arguments to the server, forwards SIGINT (an interrupt) and SIGTERM, and exits with the
kernel's status. The server forks a *keeper* for it, which enters new mount and network
namespaces, then a new PID namespace, and forks the kernel as that namespace's process 1. The
keeper kills the kernel (and with it its whole namespace) when the client goes away: killed by
jupyter_client, or with its grading worker (the client dies with its parent). The kernel dies
with its keeper and the keeper with the server, which dies with the batch that started it.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: what each kind of server imports before it forks
PRELOAD = {"plain": ("numpy", "ipykernel.kernelapp"), "torch": ("numpy", "torch", "ipykernel.kernelapp")}
CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x40000000, 0x20000000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4
DISABLE = "MLPAPERS_COLD_KERNELS"  # set to 1: every kernel a fresh interpreter (benchmarks, debugging)


def _libc_call(name: str, *args) -> None:
    if name not in ("prctl", "unshare"):
        raise ValueError(f"not a call this module makes: {name!r}")
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{name}: {os.strerror(errno)}")


def _die_with_parent() -> None:
    """SIGKILL this process when its parent dies (cleared by a uid change: set it after one)."""
    _libc_call("prctl", PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def kind_of(code: str) -> str:
    """The server a notebook's kernel comes from: ``torch`` if ``code`` (its instructor source's
    code cells) imports torch."""
    import re
    return "torch" if re.search(r"^\s*(?:import|from)\s+torch(?:[\s.,]|$)", code, re.M) else "plain"


# --- the client: jupyter_client's kernel process ------------------------------------------------

def _sandbox_options(options) -> list[str]:
    """``options`` if they are the sandbox launcher's arguments (see ``sandbox.command``), else raise:
    the functions here end or replace their process, and must do so only when the grader asks."""
    if not (isinstance(options, list) and options[:1] == ["--scratch"] and all(isinstance(o, str) for o in options)
            and "--" in options and "-f" in options[options.index("--"):]):
        raise ValueError("not the sandbox's arguments: --scratch DIR ... -- KERNEL -f CONNECTION_FILE")
    return options


def connect(path: str, options: list[str]) -> int:
    """Ask the server at ``path`` for a kernel with the sandbox ``options``; return its exit status."""
    _sandbox_options(options)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:  # the server is gone (killed for memory?): this kernel starts cold, as sandboxed
        from mlpapers.grader.sandbox import UNSHARE
        cold = [*UNSHARE, sys.executable, "-m", "mlpapers.grader.sandbox", *options]
        os.execvp(cold[0], cold)
    conn.sendall(json.dumps(options).encode() + b"\n")

    def forward(signum, frame) -> None:
        with contextlib.suppress(OSError):
            conn.sendall(b"INT\n" if signum == signal.SIGINT else b"KILL\n")

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    reply = b""
    while b"\n" not in reply:
        chunk = conn.recv(64)
        if not chunk:
            return 1
        reply += chunk
    return int(reply.split()[1])


# --- the server ----------------------------------------------------------------------------------

def serve(path: str, kind: str, parent: int) -> None:
    """Import the ``kind``'s modules, then fork a keeper for each request on the socket ``path``."""
    if kind not in PRELOAD or not isinstance(path, str) or not isinstance(parent, int):
        raise ValueError(f"serve(path: str, kind: one of {sorted(PRELOAD)}, parent: int)")
    _die_with_parent()
    if os.getppid() != parent:  # the batch is gone already
        os._exit(1)
    if sys.path[0] in ("", os.getcwd()):  # as ipykernel_launcher does: nothing is imported from the cwd
        del sys.path[0]
    for module in PRELOAD[kind]:
        importlib.import_module(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".tmp")
    os.chmod(path + ".tmp", 0o600)
    listener.listen(128)
    os.rename(path + ".tmp", path)  # the socket appears when the server is ready
    while True:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        ready, _, _ = select.select([listener], [], [], 1.0)
        if not ready:
            continue
        conn, _ = listener.accept()
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
        if uid != os.geteuid():
            conn.close()
            continue
        if os.fork() == 0:
            try:
                listener.close()
                _keep(conn)
            finally:
                os._exit(1)
        conn.close()


def _request(conn: socket.socket) -> list[str]:
    if not isinstance(conn, socket.socket):
        raise TypeError("a request comes over a socket")
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            os._exit(1)
        data += chunk
    return json.loads(data.split(b"\n", 1)[0])


def _keep(conn: socket.socket) -> None:
    """The keeper: namespaces, the kernel as their process 1, then relay until either side ends."""
    if not isinstance(conn, socket.socket):
        raise TypeError("the keeper serves one accepted connection")
    _die_with_parent()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    try:
        options = _sandbox_options(_request(conn))
    except ValueError:
        os._exit(1)
    _libc_call("unshare", CLONE_NEWNS | CLONE_NEWNET)
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    _libc_call("unshare", CLONE_NEWPID)  # the next child is process 1 of a new PID namespace
    kernel = os.fork()
    if kernel == 0:
        conn.close()
        _run_kernel(options)
    pidfd = os.pidfd_open(kernel)
    while True:
        ready, _, _ = select.select([conn, pidfd], [], [])
        if pidfd in ready:
            status = os.waitstatus_to_exitcode(os.waitpid(kernel, 0)[1])
            with contextlib.suppress(OSError):
                conn.sendall(f"EXIT {status}\n".encode())
            os._exit(0)
        data = conn.recv(64)
        if not data or b"KILL" in data:  # the client is gone, or asked for the end
            os.kill(kernel, signal.SIGKILL)
            os.waitpid(kernel, 0)
            os._exit(0)
        for _ in range(data.count(b"INT")):
            os.kill(kernel, signal.SIGINT)


def _run_kernel(options: list[str]) -> None:
    """In the new namespaces: enter the sandbox, then run IPython's kernel in this process."""
    _sandbox_options(options)
    try:
        subprocess.run(["mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", "/proc"], check=True)
        from mlpapers.grader import sandbox
        args, program = sandbox.parse(options)
        env = sandbox.enter(args, program)
        _die_with_parent()  # after the uid change, which clears it
        # The uid change without an exec left the process undumpable (its /proc files root's); a cold
        # kernel, exec'd after the change, is dumpable: be the same.
        _libc_call("prctl", PR_SET_DUMPABLE, 1, 0, 0, 0)
        os.environ.clear()
        os.environ.update(env)
        tempfile.tempdir = None
        import importlib.util
        kernel_argv = program[program.index("-f"):]
        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *kernel_argv]
        import random
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        from ipykernel.kernelapp import IPKernelApp
        IPKernelApp.launch_instance(argv=kernel_argv)
    except SystemExit as done:
        os._exit(done.code if isinstance(done.code, int) else 1)
    except BaseException:
        os._exit(1)
    os._exit(0)


# --- the batch's side -----------------------------------------------------------------------------

def server_environment() -> dict[str, str]:
    """The environment a server imports under: the kernels' allow-list (per-kernel folders are set
    again in each kernel)."""
    from mlpapers.grader import sandbox
    return sandbox._environment(Path("/nonexistent"), private_tmp=True)


@contextlib.contextmanager
def servers(kinds: set[str], serving: str, timeout: float = 120.0):
    """Start one server per kind for this batch; yield kind -> socket path ({} where kernels start
    cold: without root, or with ``MLPAPERS_COLD_KERNELS=1``). ``serving`` (the grading folder)
    only names the servers in ``ps``. They are killed when the block ends, or with this process."""
    from mlpapers.grader import sandbox
    if not kinds or sandbox.isolation_level() != "namespaces" or os.environ.get(DISABLE) == "1":
        yield {}
        return
    folder = Path(tempfile.mkdtemp(prefix="mlpapers-warm-", dir="/run"))
    os.chmod(folder, 0o700)
    procs: dict[str, subprocess.Popen] = {}
    try:
        for kind in sorted(kinds):
            log = open(folder / f"{kind}.log", "wb")
            procs[kind] = subprocess.Popen(
                [sys.executable, "-m", "mlpapers.grader.warm", "serve", "--socket", str(folder / kind),
                 "--kind", kind, "--parent", str(os.getpid()), "--serving", serving],
                env=server_environment(), cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=log, close_fds=True)
            log.close()
        deadline = time.monotonic() + timeout
        for kind, proc in procs.items():
            while not (folder / kind).exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {kind} warm server did not start: "
                                       + (folder / f"{kind}.log").read_text(errors="replace")[-2000:])
                time.sleep(0.02)
        yield {kind: str(folder / kind) for kind in procs}
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mlpapers.grader.warm")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--socket", required=True)
    s.add_argument("--kind", choices=sorted(PRELOAD), required=True)
    s.add_argument("--parent", type=int, required=True)
    s.add_argument("--serving", default="")
    c = sub.add_parser("connect")
    c.add_argument("--socket", required=True)
    c.add_argument("options", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.socket, args.kind, args.parent)
    else:
        options = args.options[1:] if args.options[:1] == ["--"] else args.options
        sys.exit(connect(args.socket, options))


if __name__ == "__main__":
    main()
