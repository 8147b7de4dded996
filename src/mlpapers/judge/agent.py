"""The judge's agent: the small server inside the student's kernel that runs requested calls.

The grader inserts one cell before the notebook (``connect``): it tells the agent where the judge's
socket is (in the kernel's private scratch folder) and adds an audit hook that records network,
process and file activity. Where a test cell stands, the grader asks the kernel to run
``serve(index)`` instead: the agent opens a connection for that cell and answers the judge's
requests (read a name, call a function, read an attribute) until the judge says the cell is done.
Student code therefore runs on the kernel's main thread, where an interrupt reaches it; and a cell
that timed out or broke the protocol takes its connection with it.

Nothing here is trusted: student code can replace any of it. The judge only ever receives plain
data (``wire.py``), checks it, and never runs anything that arrives.
"""
from __future__ import annotations

import importlib
import os
import socket
import sys
import traceback
from typing import Any

from mlpapers.judge import wire

AUDITED = {"socket.connect": "opened a network connection", "socket.bind": "opened a network socket",
           "socket.sendto": "sent network data", "subprocess.Popen": "started a process",
           "os.system": "started a process", "os.exec": "started a process",
           "os.posix_spawn": "started a process", "os.kill": "signalled a process"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def course_class(obj) -> bool:
    """An instance of a class from the course package or a chapter's given module."""
    module = getattr(type(obj), "__module__", "") or ""
    if module.startswith(("mlpapers.judge", "mlpapers.grader")):
        return False
    return (module == "mlpapers" or module.startswith("mlpapers.") or module.endswith("_given")) \
        and hasattr(obj, "__dict__") and not isinstance(obj, type)


def course_state(obj) -> dict:
    """What a course object sends of itself: ``__getstate__()`` (a class leaves out its caches there)."""
    state = obj.__getstate__()
    return dict(state) if isinstance(state, dict) else {}


def course_object(cls: type, state: dict):
    """A course object rebuilt from its state, without running ``__init__``."""
    obj = cls.__new__(cls)
    if hasattr(cls, "__setstate__"):
        obj.__setstate__(state)
    else:
        obj.__dict__.update(state)
    return obj


class Agent:
    """One connection to the judge, the objects handed out as handles, and the audit log."""

    def __init__(self, path: str, namespace: dict, scratch: str, course_paths: tuple[str, ...], audit: bool = True):
        self.path = path
        self.sock: socket.socket | None = None
        self.reader = None
        self.namespace = namespace
        self.handles: dict[int, Any] = {}
        self.ids: dict[int, int] = {}
        self.events: set[str] = set()
        self.scratch = os.path.realpath(scratch)
        self.course_paths = tuple(os.path.realpath(p) for p in course_paths)
        self.session = -1
        if audit:
            sys.addaudithook(self._audit)

    # -- audit (a record for the instructor; the sandbox is what blocks) -------------------------
    def _audit(self, event: str, args: tuple) -> None:
        try:
            if event == "socket.connect" and len(args) > 1 and args[1] == self.path:
                return  # the agent's own connection to the judge
            if event in AUDITED:
                self.events.add(AUDITED[event])
            elif event in ("open", "sqlite3.connect") and args and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.realpath(os.fsdecode(args[0]))
                mode = args[1] if len(args) > 1 else None
                flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
                writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(flags & _WRITE_FLAGS)
                if any(path == p or path.startswith(p + os.sep) for p in self.course_paths):
                    self.events.add(f"touched course files ({path})")
                elif writes and not (path.startswith(self.scratch) or path.startswith("/dev/")):
                    self.events.add(f"wrote outside its scratch folder ({path})")
            elif event in ("os.remove", "os.rename", "os.rmdir", "shutil.rmtree") and args \
                    and isinstance(args[0], (str, bytes, os.PathLike)):
                path = os.path.realpath(os.fsdecode(args[0]))
                if not path.startswith(self.scratch):
                    self.events.add(f"deleted or moved files outside its scratch folder ({path})")
        except Exception:  # an audit hook must never break the student's program
            pass

    # -- values ----------------------------------------------------------------------------------
    def _handle(self, obj) -> int:
        hid = self.ids.get(id(obj))
        if hid is None or self.handles.get(hid) is not obj:
            hid = len(self.handles) + 1
            self.handles[hid] = obj
            self.ids[id(obj)] = hid
        return hid

    def _extra(self, value, encoder: wire.Encoder) -> list:
        if type(value) is _Callback:
            return ["cb", value._cid]
        if course_class(value):
            cls = type(value)
            return ["o", cls.__module__, cls.__qualname__, encoder.encode(course_state(value))]
        kind = "function" if callable(value) else "object"
        return ["h", self._handle(value), kind, getattr(value, "__name__", type(value).__name__)[:80]]

    def _decode_extra(self, node, decoder) -> Any:
        tag = node[0]
        if tag == "h" and len(node) >= 2 and node[1] in self.handles:
            return self.handles[node[1]]
        if tag == "cb" and len(node) == 2:
            return _Callback(self, node[1])
        if tag == "o" and len(node) == 4:
            module, qualname = node[1], node[2]
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            return course_object(cls, decoder.decode(node[3]))
        raise wire.WireError(f"unknown tag {tag!r}")

    def send(self, header: dict, value, *, back=None, originals=None) -> None:
        """Send ``value`` as the reply; ``back``: the call's arguments after it, arrays it left alone as '='."""
        enc = wire.Encoder(self._extra, lenient=True)
        header["ok"] = enc.encode(value)
        if back is not None:
            originals = originals or {}
            enc.unchanged = lambda a: id(a) in originals and a.tobytes() == originals[id(a)][1]
            header["back"] = enc.encode(back)
        wire.send_frame(self.sock, header, enc.buffers)

    # -- the request loop ------------------------------------------------------------------------
    def serve(self, session: int) -> None:
        """Answer the judge's requests for the test cell at ``session`` until it is done."""
        self.session = session
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.reader = None
        try:
            self.sock.connect(self.path)
            self.reader = self.sock.makefile("rb", buffering=1 << 16)
            wire.send_frame(self.sock, {"serving": session})
            self._loop(until_reply=None)
        finally:
            if self.reader is not None:
                self.reader.close()
            self.sock.close()

    def _loop(self, until_reply):
        while True:
            header, buffers = wire.read_frame(self.reader.read)
            op = header.get("op")
            if op == "done":
                if header.get("session") == self.session:
                    wire.send_frame(self.sock, {"bye": self.session})
                    return None
                continue
            if op in ("cbret", "cberr") and until_reply is not None and header.get("cid") == until_reply:
                if op == "cberr":
                    raise _CallbackFailed(str(header.get("msg", ""))[:2000])
                return wire.decode(header.get("ok"), buffers, self._decode_extra)
            self._answer(header, buffers)

    def _answer(self, header: dict, buffers: list[bytes]) -> None:
        rid = header.get("id")
        originals: dict[int, tuple[Any, bytes]] = {}
        try:
            op = header.get("op")
            if op == "get":
                name = header.get("name")
                if type(name) is not str or name not in self.namespace:
                    raise NameError(f"name {name!r} is not defined")
                self._reply(rid, self.namespace[name])
            elif op == "call":
                target = self.handles[header["h"]]
                decoder = wire.Decoder(buffers, self._decode_extra)
                args, kwargs = decoder.decode(header["args"]), decoder.decode(header["kwargs"])
                _remember_arrays((args, kwargs), originals)
                result = target(*args, **kwargs)
                self.send({"re": rid}, result, back=[args, kwargs] if header.get("back") else None,
                          originals=originals)
            elif op == "getattr":
                self._reply(rid, getattr(self.handles[header["h"]], str(header["name"])))
            elif op == "getitem":
                key = wire.decode(header["key"], buffers, self._decode_extra)
                self._reply(rid, self.handles[header["h"]][key])
            elif op == "len":
                self._reply(rid, len(self.handles[header["h"]]))
            elif op == "list":
                self._reply(rid, list(self.handles[header["h"]]))
            elif op == "repr":
                self._reply(rid, repr(self.handles[header["h"]])[:2000])
            elif op == "events":
                self._reply(rid, sorted(self.events))
            else:
                raise ValueError(f"unknown request {op!r}")
        except BaseException as exc:  # noqa: BLE001  (an interrupt, too, goes back as the call's error)
            self._error(rid, exc)

    def _reply(self, rid, value) -> None:
        self.send({"re": rid}, value)

    def _error(self, rid, exc: BaseException) -> None:
        bases = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
        text = "".join(traceback.format_exception_only(type(exc), exc))[-4000:]
        try:
            msg = str(exc)[:4000]
        except Exception:  # noqa: BLE001  (a student exception whose __str__ fails)
            msg = ""
        wire.send_frame(self.sock, {"re": rid, "err": {"type": type(exc).__name__[:80], "bases": bases,
                                                       "msg": msg, "text": text}})

    def callback(self, cid: int, args: tuple, kwargs: dict):
        enc = wire.Encoder(self._extra, lenient=True)
        header = {"cb": cid, "args": enc.encode(list(args)), "kwargs": enc.encode(kwargs)}
        wire.send_frame(self.sock, header, enc.buffers)
        return self._loop(until_reply=cid)


class _CallbackFailed(Exception):
    """A callable the test passed in raised; its message comes from the judge."""


class _Callback:
    """Stands for a callable of the judge's: calling it asks the judge to run it."""

    def __init__(self, agent: Agent, cid: int):
        self._agent, self._cid = agent, cid

    def __call__(self, *args, **kwargs):
        return self._agent.callback(self._cid, args, kwargs)


def _remember_arrays(value, out: dict, depth: int = 0) -> None:
    """The arrays among the decoded arguments and their bytes, to send back only what a call changed."""
    import numpy as np
    if depth > wire.MAX_DEPTH:
        return
    if type(value) is np.ndarray:
        out[id(value)] = (value, value.tobytes())
    elif type(value) in (list, tuple):
        for v in value:
            _remember_arrays(v, out, depth + 1)
    elif type(value) is dict:
        for v in value.values():
            _remember_arrays(v, out, depth + 1)


_AGENT: Agent | None = None


def connect(path: str, namespace: dict, scratch: str, course_paths: tuple[str, ...] = ()) -> None:
    """Open the channel to the judge (the grader runs this before any student code)."""
    global _AGENT
    _AGENT = Agent(path, namespace, scratch, course_paths)


def serve(session: int) -> None:
    """Serve the judge for one test cell (the grader's execute request where a test cell stands)."""
    if _AGENT is None:
        raise RuntimeError("the judge's channel is not open")
    _AGENT.serve(session)
