"""Launching a student's kernel in a sandbox: no network, hidden course files, bounded resources.

The kernelspec made by :func:`kernelspec` starts ``unshare --net --mount`` (when running as root),
which runs ``python -m mlpapers.grader.sandbox``. That launcher, still root inside the new
namespaces, hides the folders a student must never see (the instructor source, the gradebook and
other submissions, the git history) behind empty read-only mounts, hands the kernel's connection
file to an unprivileged uid of its own, sets resource limits, drops privileges and ``exec``s the
ipykernel. The kernel talks to the grader over unix sockets in its scratch folder, which work across
network namespaces. Without root (an instructor's laptop), the same launcher runs without the
namespaces and the uid change; :func:`isolation_level` says which one is in force.

Limits: memory (address space), CPU seconds, file size, open files, processes. Run as a module:
``python -m mlpapers.grader.sandbox --scratch DIR --uid N [--hide PATH ...] -- KERNEL ARGV``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mlpapers.blas import SINGLE_THREADED_BLAS

MiB = 1024 * 1024


def isolation_level() -> str:
    """``"namespaces"`` when grading as root with unshare available, else ``"none"``."""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare"):
        return "namespaces"
    return "none"


def kernelspec(folder: Path, scratch: Path, uid: int, hide: list[Path], memory_mib: int,
               cpu_seconds: int) -> Path:
    """Write a kernelspec named ``mlpapers-sandbox`` into ``folder/kernels`` and return its dir."""
    launcher = [sys.executable, "-m", "mlpapers.grader.sandbox", "--scratch", str(scratch),
                "--uid", str(uid), "--memory-mib", str(memory_mib), "--cpu-seconds", str(cpu_seconds)]
    for path in hide:
        launcher += ["--hide", str(path)]
    launcher += ["--", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    if isolation_level() == "namespaces":
        launcher = ["unshare", "--net", "--mount", "--propagation", "private", "--"] + launcher
    spec_dir = folder / "kernels" / "mlpapers-sandbox"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": launcher, "display_name": "mlpapers grading sandbox", "language": "python",
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
        real = Path(tempfile.mkdtemp(prefix="mlpapers-real-"))
        subprocess.run(["mount", "--bind", str(ancestor), str(real)], check=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=1m", "tmpfs", str(ancestor)], check=True)
        for child in sorted(children):
            (ancestor / child).mkdir()
            subprocess.run(["mount", "--rbind", str(real / child), str(ancestor / child)], check=True)
            subprocess.run(["mount", "-o", "remount,bind,ro", str(ancestor / child)], check=True)
        subprocess.run(["umount", "-l", str(real)], check=True)


def needed_paths() -> list[Path]:
    """What a kernel must reach: the interpreter, the virtual environment and this package."""
    import mlpapers
    return [Path(os.path.realpath(p)) for p in
            (sys.base_prefix, sys.prefix, Path(mlpapers.__file__).parent.parent)]


def _limit(memory_mib: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mib * MiB, memory_mib * MiB))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * MiB, 256 * MiB))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mlpapers.grader.sandbox")
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--uid", type=int, required=True)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--memory-mib", type=int, default=3072)
    parser.add_argument("--cpu-seconds", type=int, default=600)
    parser.add_argument("kernel", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    kernel = args.kernel[1:] if args.kernel[:1] == ["--"] else args.kernel
    scratch = Path(args.scratch)
    root = os.geteuid() == 0
    if root:
        _expose(needed_paths())  # first: hiding must apply on top of what is exposed
        _hide(args.hide)
        # The connection file was written by the grader (root, mode 0600): give the kernel its own copy.
        conn = kernel[kernel.index("-f") + 1]
        own = scratch / "kernel-connection.json"
        shutil.copyfile(conn, own)
        os.chown(own, args.uid, args.uid)
        kernel[kernel.index("-f") + 1] = str(own)
    os.environ.update(HOME=str(scratch), TMPDIR=str(scratch), IPYTHONDIR=str(scratch / ".ipython"),
                      MPLCONFIGDIR=str(scratch / ".matplotlib"), PYTHONDONTWRITEBYTECODE="1",
                      NBGRADER_EXECUTION="autograde", **SINGLE_THREADED_BLAS)
    os.chdir(scratch)
    _limit(args.memory_mib, args.cpu_seconds)
    if root:
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)
    os.execv(kernel[0], kernel)


if __name__ == "__main__":
    main()
