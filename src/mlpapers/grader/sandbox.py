"""Launching a student's kernel in a sandbox: no network, hidden course files, bounded resources.

The kernelspec made by :func:`kernelspec` starts ``unshare --net --mount --pid --fork --kill-child
--mount-proc`` (when running as root), which runs ``python -m mlpapers.grader.sandbox`` as process 1
of a new PID namespace: every process the kernel starts, double-forked daemons included, lives in
that namespace and is killed with it, and no other process of the machine is visible in its
``/proc``. The launcher, still root inside the new namespaces, mounts private size-limited tmpfs
over ``/tmp``, ``/var/tmp`` and ``/dev/shm``, hides the folders a student must never see (the
instructor source, the gradebook and
other submissions, the git history) behind empty read-only mounts, hands the kernel's connection
file to an unprivileged uid of its own, sets resource limits, drops privileges and ``exec``s the
ipykernel (:func:`enter` is all of it but the ``exec``; a warm kernel, ``warm.py``, is a fork that
calls it in the same namespaces and runs the ipykernel in place). The kernel talks to the grader
over unix sockets in its scratch folder, which work across network namespaces. Without root (an
instructor's laptop), the same launcher runs without the namespaces and the uid change;
:func:`isolation_level` says which one is in force.

The kernel's environment is rebuilt from an allow-list (nothing of the grader's, such as
``COURSE_DB_URL``, reaches it), its stdin and stdout are ``/dev/null`` and its stderr a capped file
in its scratch, so no process it starts can hold the grader's pipes open. Each kernel runs under a
uid of its own, unique on this host while it runs (:func:`unique_uid`: a lock file per uid, and no
process of that uid alive), and every process of that uid is killed when its notebook ends.

Limits: memory (address space), CPU seconds, file size, open files, processes. Run as a module:
``python -m mlpapers.grader.sandbox --scratch DIR --uid N [--hide PATH ...] -- KERNEL ARGV``.
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlpapers.blas import SINGLE_THREADED_BLAS

MiB = 1024 * 1024
UID_BASE, UID_SPAN = 200_000, 100_000  # far above any account a distribution creates
UID_LOCKS = Path("/run/mlpapers-uids")
PRIVATE_TMP = {"/tmp": "256m", "/var/tmp": "64m", "/dev/shm": "64m"}
MAX_PROCESSES = 128  # threads count too: a kernel runs about ten
KEPT_ENV = ("LANG", "LC_ALL", "TZ")


def scratch_base() -> Path:
    """Where kernels' scratch folders go: outside the folders the sandbox replaces by its own tmpfs."""
    if os.environ.get("MLPAPERS_SCRATCH"):
        return Path(os.environ["MLPAPERS_SCRATCH"])
    if isolation_level() == "namespaces":
        base = Path("/var/lib/mlpapers/scratch")
        base.mkdir(parents=True, exist_ok=True)
        os.chmod(base, 0o711)
        return base
    return Path(tempfile.gettempdir())


def processes_of(uid: int) -> list[int]:
    """Pids of the live processes (zombies aside) whose real or effective uid is ``uid``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            with open(f"/proc/{entry.name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            if str(uid) in fields.get("Uid", "").split()[:2] and not fields.get("State", "").strip().startswith("Z"):
                found.append(int(entry.name))
    return found


def kill_uid(uid: int, wait: float = 5.0) -> int:
    """SIGKILL every process of ``uid`` and wait (up to ``wait`` s) until none is left; return how many."""
    pids = processes_of(uid)
    deadline = time.monotonic() + wait
    left = pids
    while left and time.monotonic() < deadline:
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)
        left = processes_of(uid)
    return len(pids)


def sweep() -> int:
    """Kill what a crashed batch left behind: processes of sandbox uids that no grader holds.

    A running batch holds the lock of every uid it uses, so its kernels are never touched.
    Returns how many uids were swept.
    """
    if isolation_level() != "namespaces" or not UID_LOCKS.is_dir():
        return 0
    uids = set()
    for entry in os.scandir("/proc"):
        with contextlib.suppress(OSError, ValueError):
            if entry.name.isdigit():
                uid = os.stat(entry.path).st_uid
                if UID_BASE <= uid < UID_BASE + UID_SPAN:
                    uids.add(uid)
    swept = 0
    for uid in sorted(uids):
        fd = os.open(UID_LOCKS / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live batch's kernel
        else:
            kill_uid(uid)
            swept += 1
        finally:
            os.close(fd)
    return swept


def batch_uids(count: int) -> list[int]:
    """Preferred uids for the ``count`` kernels of one batch: consecutive from a random offset, so
    a batch never repeats one and two batches rarely meet (when they do, the lock moves one on)."""
    offset = secrets.randbelow(UID_SPAN)
    return [UID_BASE + (offset + i) % UID_SPAN for i in range(count)]


@contextlib.contextmanager
def unique_uid(prefer: int | None = None):
    """A uid that no other kernel on this host uses while the block runs (any batch, any worker).

    Starts from ``prefer`` (see :func:`batch_uids`) and takes the first uid whose lock is free and
    under which no process runs. Yields the uid; on leaving, kills whatever still runs under it and
    frees it. Without root the sandbox uses no uid of its own and this yields None.
    """
    if isolation_level() != "namespaces":
        yield None
        return
    UID_LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
    start = (prefer - UID_BASE) % UID_SPAN if prefer else secrets.randbelow(UID_SPAN)
    for k in range(UID_SPAN):
        uid = UID_BASE + (start + k) % UID_SPAN
        fd = os.open(UID_LOCKS / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if processes_of(uid):  # left over by something else: never share it
            os.close(fd)
            continue
        try:
            yield uid
        finally:
            kill_uid(uid)
            os.close(fd)
        return
    raise RuntimeError("no free sandbox uid")


def preflight() -> None:
    """Raise if this root process cannot make the sandbox (a container without ``CAP_SYS_ADMIN``),
    before a batch turns every notebook into an error row."""
    if isolation_level() != "namespaces":
        return
    probe = subprocess.run([*UNSHARE, "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise RuntimeError("the grading sandbox cannot be made here: creating mount, network and PID namespaces "
                           f"failed ({probe.stderr.strip()[:200]}). Grade as root with CAP_SYS_ADMIN (a privileged "
                           "container); see deploy/grading/README.md")


def isolation_level() -> str:
    """``"namespaces"`` when grading as root with unshare available, else ``"none"``."""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare"):
        return "namespaces"
    return "none"


#: the namespaces a cold kernel's launcher starts in (the launcher becomes their process 1)
UNSHARE = ["unshare", "--net", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation",
           "private", "--"]
HIDDEN = ("solutions", "grading", ".git", "tests", "build", "notebooks")  # course folders no kernel sees


def hidden_paths(names: tuple[str, ...] = HIDDEN) -> list[Path]:
    """The folders ``names`` of the course root and of the checkout the package runs from (the
    same folder, except on a grading machine whose course root is its own, see ``paths.CHECKOUT``)."""
    from mlpapers.paths import CHECKOUT, ROOT
    return [base / name for base in dict.fromkeys([ROOT, CHECKOUT]) for name in names]


def command(scratch: Path, uid: int | None, hide: list[Path], program: list[str], *, memory_mib: int = 3072,
            cpu_seconds: int = 600, keep_stdio: bool = False, warm: str = "") -> list[str]:
    """The argv that runs ``program`` in the sandbox (namespaces and the uid change only as root).

    With ``warm`` (a warm server's socket, see ``warm.py``) the program is not started: a fork of
    that server enters the same sandbox and runs IPython's kernel.
    """
    options = ["--scratch", str(scratch), "--uid", str(uid or 0),
               "--memory-mib", str(memory_mib), "--cpu-seconds", str(cpu_seconds)]
    options += ["--keep-stdio"] if keep_stdio else []
    for path in hide:
        options += ["--hide", str(path)]
    options += ["--", *program]
    if warm:
        argv = [sys.executable, "-m", "mlpapers.grader.warm", "connect", "--socket", warm, "--", *options]
    else:
        argv = [sys.executable, "-m", "mlpapers.grader.sandbox", *options]
        if isolation_level() == "namespaces":
            argv = UNSHARE + argv
    if isolation_level() == "namespaces" and shutil.which("setpriv"):
        # a grading worker killed outright takes its kernel with it
        argv = ["setpriv", "--pdeathsig", "KILL", "--"] + argv
    return argv


def hand_over(scratch: Path, uid: int | None) -> None:
    """Give the scratch folder and everything in it to the sandbox uid, and to nobody else."""
    if uid is None or isolation_level() != "namespaces":
        return
    for path in [scratch, *scratch.rglob("*")]:
        os.chown(path, uid, uid)
    os.chmod(scratch, 0o700)


def kernelspec(folder: Path, scratch: Path, uid: int, hide: list[Path], memory_mib: int,
               cpu_seconds: int, warm: str = "") -> Path:
    """Write a kernelspec named ``mlpapers-sandbox`` into ``folder/kernels`` and return its dir."""
    argv = command(scratch, uid, hide, [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                   memory_mib=memory_mib, cpu_seconds=cpu_seconds, warm=warm)
    spec_dir = folder / "kernels" / "mlpapers-sandbox"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": argv, "display_name": "mlpapers grading sandbox", "language": "python",
        "interrupt_mode": "signal"}))
    return spec_dir


def _hide(paths: list[str]) -> None:
    """Mount an empty, read-only folder over each path (inside our private mount namespace)."""
    empty = Path("/var/empty-mlpapers")
    empty.mkdir(mode=0o555, exist_ok=True)
    for path in paths:
        if os.path.exists(path):
            subprocess.run(["mount", "--bind", "-o", "ro", str(empty), path], check=True)


def _blocked_ancestor(path: Path) -> Path | None:
    """The outermost folder on ``path`` that others may not enter (e.g. ``/root``), if any."""
    for ancestor in [*reversed(path.parents)][1:] + [path]:
        if not os.stat(ancestor).st_mode & 0o001:
            return ancestor
    return None


def _cover(path: Path, options: str, keep: list[Path], read_only: bool) -> None:
    """Mount a fresh tmpfs (``options``) over ``path``, then mount each of ``keep`` (paths below it)
    back in from the real folder, read-only if asked. Inside our private mount namespace only."""
    real = None
    if keep:
        real = Path(tempfile.mkdtemp(prefix="mlpapers-real-", dir="/run"))
        subprocess.run(["mount", "--rbind", str(path), str(real)], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], check=True)
    for k in keep:
        rel = k.relative_to(path)
        (path / rel).mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "--rbind", str(real / rel), str(path / rel)], check=True)
        if read_only:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(path / rel)], check=True)
    if real is not None:
        subprocess.run(["umount", "-l", str(real)], check=True)
        real.rmdir()


def _expose(paths: list[Path]) -> None:
    """Make ``paths`` reachable for an unprivileged uid, and nothing else beside them.

    Interpreters and checkouts often live below a folder only root may enter (``/root``). Inside
    our private mount namespace such a folder is replaced by an empty tmpfs into which just the
    needed subtrees are bind-mounted read-only from the real one.
    """
    groups: dict[Path, set[str]] = {}
    for path in paths:
        blocked = _blocked_ancestor(path)
        if blocked is not None and blocked != path:
            groups.setdefault(blocked, set()).add(path.relative_to(blocked).parts[0])
    for ancestor, children in groups.items():
        _cover(ancestor, "mode=0755,size=1m", [ancestor / c for c in sorted(children)], read_only=True)


def needed_paths() -> list[Path]:
    """What a kernel must reach: the interpreter, the virtual environment and this package."""
    import mlpapers
    return [Path(os.path.realpath(p)) for p in
            (sys.base_prefix, sys.prefix, Path(mlpapers.__file__).parent.parent)]


def _private_tmp(keep: list[Path]) -> None:
    """A fresh, size-limited tmpfs over each shared temporary folder (inside our mount namespace).

    Paths in ``keep`` below such a folder (a checkout or venv under /tmp, the scratch) are mounted
    back into the new tmpfs from the real folder, so they stay reachable.
    """
    for folder, size in PRIVATE_TMP.items():
        path = Path(folder)
        if path.is_dir():
            below = [k for k in keep if k.is_relative_to(path) and k != path]
            _cover(path, f"size={size},mode=1777,nosuid,nodev", below, read_only=False)


def _limit(memory_mib: int, cpu_seconds: int, processes: bool) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * MiB, 256 * MiB))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if processes:  # counted per uid, so only where the kernel has a uid of its own
        resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))


def _environment(scratch: Path, private_tmp: bool) -> dict[str, str]:
    """The kernel's whole environment: an allow-list, nothing inherited from the grader."""
    env = {k: os.environ[k] for k in KEPT_ENV if k in os.environ}
    env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
               HOME=str(scratch), TMPDIR="/tmp" if private_tmp else str(scratch),
               IPYTHONDIR=str(scratch / ".ipython"), MPLCONFIGDIR=str(scratch / ".matplotlib"),
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", NBGRADER_EXECUTION="autograde",
               **SINGLE_THREADED_BLAS)
    return env


def _detach_stdio(scratch: Path) -> None:
    """stdin and stdout from /dev/null, stderr to a file: no child can hold the grader's pipes."""
    null = os.open(os.devnull, os.O_RDWR)
    err = os.open(scratch / ".kernel-stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.dup2(err, 2)
    os.close(null)
    os.close(err)


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The launcher's arguments (see :func:`command`) and the kernel's argv after ``--``."""
    parser = argparse.ArgumentParser(prog="mlpapers.grader.sandbox")
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--memory-mib", type=int, default=3072)
    parser.add_argument("--cpu-seconds", type=int, default=600)
    parser.add_argument("--keep-stdio", action="store_true", help="a command whose stdout is its answer")
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    return args, args.kernel[1:] if args.kernel[:1] == ["--"] else args.kernel


def enter(args: argparse.Namespace, kernel: list[str]) -> dict[str, str]:
    """Turn this process into the sandbox (already inside its namespaces when root): private
    ``/tmp``, hidden course folders, the kernel's own connection file, resource limits, the
    sandbox uid, detached stdio. ``kernel`` is changed to use that connection file; returns the
    environment the kernel must run with."""
    scratch = Path(args.scratch)
    root = os.geteuid() == 0
    if root:
        # The connection file was written by the grader (root, mode 0600, below /tmp): give the kernel
        # its own copy in its scratch before /tmp is replaced.
        conn = kernel[kernel.index("-f") + 1]
        own = scratch / "kernel-connection.json"
        shutil.copyfile(conn, own)
        os.chown(own, args.uid, args.uid)
        kernel[kernel.index("-f") + 1] = str(own)
        _expose(needed_paths())  # before hiding: hiding must apply on top of what is exposed
        _private_tmp(needed_paths() + [scratch.resolve()])
        _hide(args.hide)
    env = _environment(scratch, private_tmp=root)
    os.chdir(scratch)
    _limit(args.memory_mib, args.cpu_seconds, processes=root)
    if root:
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)
    if not args.keep_stdio:
        _detach_stdio(scratch)
    return env


def main(argv: list[str] | None = None) -> None:
    args, kernel = parse(sys.argv[1:] if argv is None else argv)
    env = enter(args, kernel)
    os.execve(kernel[0], kernel, env)


if __name__ == "__main__":
    main()
