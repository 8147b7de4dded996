"""The grading guard: runs inside the student's kernel and keeps the checks honest.

The grader inserts four kinds of cells around the student's notebook (``N`` is a fresh random
nonce per notebook, so student code cannot name the guard in advance):

1. first of all: ``_mlp_guard_N = install(...)`` snapshots the attributes of the modules the tests
   rely on (NumPy, math, builtins, the course's check helpers, IPython's shell) and adds a Python
   audit hook, which cannot be removed, recording network, process and file activity;
2. after the locked setup cell: ``bind_names`` records the helper names the tests use;
3. before every graded cell: ``before`` puts back anything the student patched, so the tests run
   with the real helpers;
4. after every graded cell: ``after`` reports anything patched while the cell ran, which voids it.

Each call prints one JSON line that the grader reads. This stops the patching a student can do
without reading the grader's code; the namespace and uid sandbox (``sandbox.py``) is what protects
the gradebook and other students' files.
"""
from __future__ import annotations

import builtins
import json
import os
import sys

WATCHED_MODULES = ("numpy", "numpy.testing", "numpy.linalg", "math", "builtins", "mlpapers.checks")
SHELL_METHODS = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback",
                 "_showtraceback", "showsyntaxerror", "should_run_async", "transform_cell")
AUDITED = {"socket.connect": "opened a network connection", "socket.bind": "opened a network socket",
           "socket.sendto": "sent network data", "subprocess.Popen": "started a process",
           "os.system": "started a process", "os.exec": "started a process",
           "os.posix_spawn": "started a process", "os.kill": "signalled a process"}
# ipykernel rebinds ``input`` for every execution and IPython keeps its output cache in ``_``.
VOLATILE = {"builtins": {"input", "_", "__", "___", "_ih", "_oh", "_dh"}}
_MISSING = object()
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class Guard:
    """Snapshot, audit log and restore for one graded notebook (see the module docstring)."""

    def __init__(self, nonce: str, scratch: str, course_paths: tuple[str, ...]):
        import IPython.core.interactiveshell as interactiveshell
        import numpy  # noqa: F401  (the snapshot needs the real modules loaded)
        import numpy.linalg  # noqa: F401
        import numpy.testing  # noqa: F401

        import mlpapers.checks  # noqa: F401

        self.nonce = nonce
        self.scratch = os.path.realpath(scratch)
        self.course_paths = tuple(os.path.realpath(p) for p in course_paths)
        self.events: list[str] = []
        self.modules = {name: sys.modules[name] for name in WATCHED_MODULES}
        self.targets = [(name, module) for name, module in self.modules.items()]
        self.targets.append(("InteractiveShell", interactiveshell.InteractiveShell))
        self.snapshot = [(name, obj, {k: v for k, v in vars(obj).items() if k not in VOLATILE.get(name, ())})
                         for name, obj in self.targets]
        self.shell = interactiveshell.InteractiveShell.instance()
        self.shell_attrs = {m: self.shell.__dict__.get(m, _MISSING) for m in SHELL_METHODS}
        self.names: dict = {}
        self._print, self._dumps, self._sorted, self._set = builtins.print, json.dumps, sorted, set
        sys.addaudithook(self._audit)

    # -- audit ---------------------------------------------------------------------------------
    def _is_course(self, path: str) -> bool:
        return any(path == p or path.startswith(p + os.sep) for p in self.course_paths)

    def _audit(self, event: str, args: tuple) -> None:
        try:
            if event in AUDITED:
                self.events.append(AUDITED[event])
            elif event in ("open", "sqlite3.connect") and args and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.realpath(os.fsdecode(args[0]))
                mode = args[1] if len(args) > 1 else None
                flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
                writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & _WRITE_FLAGS)
                if self._is_course(path):
                    self.events.append(f"touched course files ({path})")
                elif writes and not (path.startswith(self.scratch) or path.startswith("/dev/")):
                    self.events.append(f"wrote outside its scratch folder ({path})")
            elif event in ("os.remove", "os.rename", "os.rmdir", "shutil.rmtree") and args \
                    and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.realpath(os.fsdecode(args[0]))
                if not path.startswith(self.scratch):
                    self.events.append(f"deleted or moved files outside its scratch folder ({path})")
        except Exception:  # an audit hook must never break the student's program
            pass

    # -- restore -------------------------------------------------------------------------------
    def _restore(self) -> list[str]:
        patched = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                patched.append(f"sys.modules[{name!r}]")
        for name, obj, saved in self.snapshot:
            current = vars(obj)
            for attr, value in saved.items():
                if current.get(attr, _MISSING) is not value:
                    patched.append(f"{name}.{attr}")
                    try:
                        setattr(obj, attr, value)
                    except (TypeError, AttributeError):
                        pass
        for method, value in self.shell_attrs.items():
            if self.shell.__dict__.get(method, _MISSING) is not value:
                patched.append(f"get_ipython().{method}")
                if value is _MISSING:
                    self.shell.__dict__.pop(method, None)
                else:
                    self.shell.__dict__[method] = value
        return patched

    def _report(self, phase: str, cell: str, patched: list[str]) -> None:
        self._print(self._dumps({"guard": self.nonce, "phase": phase, "cell": cell,
                                 "patched": self._sorted(self._set(patched)),
                                 "events": self._sorted(self._set(self.events))}))

    # -- the calls the grader inserts ----------------------------------------------------------
    def bind_names(self, main_ns: dict) -> None:
        """Record the names the locked setup cell bound (restoring patched modules first)."""
        self._restore()
        self.main_ns = main_ns
        self.names = {k: v for k, v in main_ns.items() if not k.startswith("_") and _is_helper(v)}
        self._report("setup", "setup", [])

    def before(self, cell: str) -> None:
        """Restore patched helpers and the setup cell's names, then report what was patched."""
        patched = self._restore()
        ns = getattr(self, "main_ns", None)
        if ns is not None:
            for key, value in self.names.items():
                if ns.get(key, _MISSING) is not value:
                    patched.append(f"the name {key!r}")
                    ns[key] = value
        self._report("before", cell, patched)

    def after(self, cell: str) -> None:
        """Report (and undo) anything patched while the graded cell ran."""
        self._report("after", cell, self._restore())


def _is_helper(value) -> bool:
    """Modules and the check helpers: the names a test cell trusts (a student's own variables are not)."""
    if isinstance(value, type(sys)):
        return True
    return getattr(value, "__module__", "") in ("mlpapers.checks",)


def install(nonce: str, scratch: str, course_paths: tuple[str, ...] = ()) -> Guard:
    """Create the guard; the grader calls this before any student code runs."""
    return Guard(nonce, scratch, course_paths)
