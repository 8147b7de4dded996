"""The judge: runs a notebook's test cells in the grader's process, never in the student's kernel.

A test cell's code runs here, in a namespace of its own: the notebook's provided definition cells
(imports, the course's check helpers, the given module from the instructor's release folder, the
provided functions) run here too, so every name a test trusts is the grader's. A name the namespace
lacks (``qjl_quantize``, ``seed``) is asked of the kernel: plain data comes back as a copy, anything
else as a :class:`Remote` proxy. Calling a proxy sends the arguments as plain data (``wire.py``),
the agent in the kernel calls the student's function, and the result comes back as plain data;
arrays, lists, generators and course objects the call changed are written back into the test's own
objects, so input-mutation checks and random draw order keep working. A callable the test passes
is run here when the student's code calls it. Exceptions come back as builtin types with their
message; anything else as :class:`StudentError`.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import os
import select
import socket
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlpapers.judge import wire
from mlpapers.judge.agent import course_class, course_object, course_state

RERAISED = ("ArithmeticError", "AssertionError", "AttributeError", "FloatingPointError", "IndexError",
            "KeyError", "LookupError", "MemoryError", "NameError", "NotImplementedError", "OverflowError",
            "RecursionError", "RuntimeError", "TypeError", "UnboundLocalError", "ValueError",
            "ZeroDivisionError")
MAX_CALLBACKS = 1_000_000  # callbacks answered during one call
BUILTIN_NAMES = frozenset(dir(builtins))


class StudentError(Exception):
    """The student's code raised an exception that is not re-raised as its own (builtin) type."""


class ChannelLost(BaseException):
    """The kernel stopped answering: it died, it stopped serving, or it broke the protocol.

    A ``BaseException``, so no ``except Exception`` in a test cell can swallow it.
    """


class JudgeTimeout(BaseException):
    """The test cell used up its time budget while the student's code was running."""


@dataclass
class Verdict:
    """What running one test cell in the judge gave."""
    outputs: list = field(default_factory=list)  # nbformat outputs: what the test printed, its error
    error: tuple[str, str, int | None] | None = None  # (ename, evalue, line of the cell) when it failed
    seconds: float = 0.0
    calls: int = 0  # requests sent to the kernel
    timed_out: bool = False
    lost: str = ""  # why the channel was lost ("" while it works)


class Remote:
    """A student's function or object that stays in the kernel; using it sends a request."""

    __slots__ = ("_judge", "_hid", "_kind", "_label")

    def __init__(self, judge: "Judge", hid: int, kind: str, label: str):
        object.__setattr__(self, "_judge", judge)
        object.__setattr__(self, "_hid", hid)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_label", label)

    def __call__(self, *args, **kwargs):
        return self._judge.call(self._hid, args, kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._judge.request({"op": "getattr", "h": self._hid, "name": name})

    def __getitem__(self, key):
        node, buffers = self._judge.encode(key)
        return self._judge.request({"op": "getitem", "h": self._hid, "key": node}, buffers)

    def __len__(self) -> int:
        n = self._judge.request({"op": "len", "h": self._hid})
        if type(n) is not int or n < 0:
            raise StudentError("len() of your object did not give a non-negative int")
        return n

    def __iter__(self):
        items = self._judge.request({"op": "list", "h": self._hid})
        if type(items) is not list:
            raise StudentError("iterating over your object did not give a list")
        return iter(items)

    def __setattr__(self, name, value):
        raise AttributeError("the grader does not change your objects")

    def __repr__(self) -> str:
        return f"<your {self._kind} {self._label}>"


class Namespace(dict):
    """The test cells' globals: the judge's own names first, then the kernel's (fetched per cell)."""

    def __init__(self, judge: "Judge"):
        super().__init__(__name__="__main__", __builtins__=builtins)
        self.judge = judge

    def __missing__(self, name: str):
        if name in BUILTIN_NAMES or name.startswith("__"):
            raise KeyError(name)
        return self.judge.kernel_name(name)


class Judge:
    """One notebook's judge: the listening socket, the channel, the namespace, the test cells."""

    def __init__(self, socket_path: str, folder: str | os.PathLike, cell_timeout: float = 60.0):
        self.path = socket_path
        self.folder = str(Path(folder).resolve())
        self.cell_timeout = cell_timeout
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(socket_path)
        self.listener.listen(4)
        self.conn: socket.socket | None = None
        self._buffer = bytearray()
        self.namespace = Namespace(self)
        self.cache: dict[str, Any] = {}
        self.callbacks: dict[int, Any] = {}
        self.callback_errors: list[BaseException] = []
        self.next_id = 0
        self.calls = 0
        self.deadline = float("inf")
        self.lost = ""
        self.kernel_done = None  # set by the client when the kernel finished the serve request
        self._modules_before = set(sys.modules)
        sys.path.insert(0, self.folder)

    # -- the channel -----------------------------------------------------------------------------
    def _drop(self) -> None:
        """Close this cell's connection (the kernel's agent sees it end and stops serving)."""
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self.conn.close()
            self.conn = None
        self._buffer.clear()

    def _accept(self, index: int) -> None:
        """Take the connection the kernel opens to serve cell ``index`` (one per cell, so a cell that
        timed out or broke the protocol leaves nothing behind for the next)."""
        self._drop()
        while True:
            if time.monotonic() > self.deadline:
                raise JudgeTimeout(f"the kernel did not start serving within {self.cell_timeout:g} s")
            if not _ready(self.listener, 0.1):
                if self.kernel_done is not None and self.kernel_done.is_set():
                    self.lost = "the kernel stopped answering the grader (the serve request ended)"
                    raise ChannelLost(self.lost)
                continue
            self.conn, _ = self.listener.accept()
            header, _ = self._recv()
            if header.get("serving") == index:
                return
            self._drop()  # a connection left over from an earlier cell, or not the agent's

    def _read(self, n: int) -> bytes:
        """Up to ``n`` bytes of this cell's connection, buffered (one system call per frame, mostly)."""
        while not self._buffer:
            if self.lost:
                raise ChannelLost(self.lost)
            if time.monotonic() > self.deadline:
                raise JudgeTimeout(f"the test cell ran longer than {self.cell_timeout:g} s")
            if _ready(self.conn, 0.1):
                try:
                    data = self.conn.recv(1 << 20)
                except OSError as exc:
                    data, self.lost = b"", f"the kernel's channel failed ({exc})"
                if not data:
                    self.lost = self.lost or "the kernel died or closed the grader's channel"
                    raise ChannelLost(self.lost)
                self._buffer += data
            elif self.kernel_done is not None and self.kernel_done.is_set():
                self.lost = "the kernel stopped answering the grader (the serve request ended)"
        chunk = bytes(self._buffer[:n])
        del self._buffer[:n]
        return chunk

    def _recv(self) -> tuple[dict, list[bytes]]:
        try:
            return wire.read_frame(self._read)
        except wire.WireError as exc:
            self.lost = f"the kernel sent a malformed message ({exc})"
            raise ChannelLost(self.lost) from None

    def _send(self, header: dict, buffers: list[bytes] = ()) -> None:
        if self.lost or self.conn is None:
            raise ChannelLost(self.lost or "no connection to the kernel")
        try:
            wire.send_frame(self.conn, header, buffers)
        except OSError as exc:
            self.lost = f"the kernel's channel failed ({exc})"
            raise ChannelLost(self.lost) from None

    # -- values ----------------------------------------------------------------------------------
    def encode(self, value) -> tuple[list, list[bytes]]:
        enc = wire.Encoder(self._encode_extra)
        return enc.encode(value), enc.buffers

    def _encode_extra(self, value, encoder: wire.Encoder) -> list | None:
        if type(value) is Remote:
            return ["h", value._hid]
        if course_class(value):
            cls = type(value)
            return ["o", cls.__module__, cls.__qualname__, encoder.encode(course_state(value))]
        if callable(value):
            cid = len(self.callbacks) + 1
            self.callbacks[cid] = value
            return ["cb", cid]
        return None

    def _decode_extra(self, node: list, decoder: wire.Decoder) -> Any:
        tag = node[0]
        if tag == "h" and len(node) == 4 and type(node[1]) is int and node[2] in ("function", "object") \
                and type(node[3]) is str:
            return Remote(self, node[1], node[2], node[3][:80])
        if tag == "cb" and len(node) == 2 and type(node[1]) is int and node[1] in self.callbacks:
            return self.callbacks[node[1]]  # one of the test's own callables, handed back
        if tag == "o" and len(node) == 4:
            cls = _course_class_named(node[1], node[2])
            state = decoder.decode(node[3])
            if type(state) is not dict or not all(type(k) is str for k in state):
                raise wire.WireError("malformed object state")
            return course_object(cls, state)
        raise wire.WireError(f"unexpected value tag {str(tag)[:20]!r}")

    # -- requests --------------------------------------------------------------------------------
    def request(self, header: dict, buffers: list[bytes] = (), originals=None):
        """Send one request and wait for its answer, running callbacks the student's code makes."""
        self.next_id += 1
        self.calls += 1
        rid = header["id"] = self.next_id
        self._send(header, buffers)
        answered = 0
        while True:
            reply, bufs = self._recv()
            if "cb" in reply:
                answered += 1
                if answered > MAX_CALLBACKS:
                    self.lost = "your code called back the grader too often"
                    raise ChannelLost(self.lost)
                self._callback(reply, bufs)
                continue
            if type(reply.get("re")) is int and reply["re"] < rid:
                continue  # the late answer to a call abandoned at a timeout
            if reply.get("re") != rid:
                self.lost = "the kernel answered out of turn"
                raise ChannelLost(self.lost)
            if "err" in reply:
                raise _exception(reply["err"])
            decoder = wire.Decoder(bufs, self._decode_extra)
            try:
                value = decoder.decode(reply.get("ok"))
                if originals is not None and "back" in reply:
                    back = reply["back"]
                    if type(back) is list and len(back) == 2 and back[0] == "l" and type(back[1]) is list \
                            and len(back[1]) == 2:
                        _write_back(originals, ["t", back[1]], decoder)
            except wire.WireError as exc:
                raise StudentError(f"your code returned something the grader cannot read ({exc})") from None
            return value

    def call(self, hid: int, args: tuple, kwargs: dict):
        """Call the student's function ``hid``; write changed arguments back; re-raise a callback's failure."""
        self.callback_errors = []
        args = list(args)
        enc = wire.Encoder(self._encode_extra)
        try:
            header = {"op": "call", "h": hid, "args": enc.encode(args), "kwargs": enc.encode(kwargs), "back": True}
        except wire.WireError as exc:
            raise TypeError(f"the grader cannot pass this argument to your code: {exc}") from None
        try:
            result = self.request(header, enc.buffers, originals=(args, kwargs))
        except Exception:
            if self.callback_errors:
                raise self.callback_errors[0] from None
            raise
        if self.callback_errors:  # the student's code caught it: the test's verdict stands anyway
            raise self.callback_errors[0]
        return result

    def _callback(self, header: dict, buffers: list[bytes]) -> None:
        cid = header.get("cb")
        fn = self.callbacks.get(cid) if type(cid) is int else None
        try:
            if fn is None:
                raise wire.WireError("unknown callback")
            decoder = wire.Decoder(buffers, self._decode_extra)
            args, kwargs = decoder.decode(header.get("args")), decoder.decode(header.get("kwargs"))
            if type(args) is not list or type(kwargs) is not dict or not all(type(k) is str for k in kwargs):
                raise wire.WireError("malformed callback arguments")
        except wire.WireError as exc:
            self.lost = f"the kernel sent a malformed callback ({exc})"
            raise ChannelLost(self.lost) from None
        try:
            result = fn(*args, **kwargs)
            node, bufs = self.encode(result)
        except Exception as exc:  # the test's own callable failed (a check inside it, say)
            self.callback_errors.append(exc)
            self._send({"op": "cberr", "cid": cid, "msg": f"{type(exc).__name__} in the grader's callable"})
            return
        self._send({"op": "cbret", "cid": cid, "ok": node}, bufs)

    def kernel_name(self, name: str):
        """The kernel's value of ``name`` for the current test cell (KeyError if it has none)."""
        if name not in self.cache:
            try:
                self.cache[name] = self.request({"op": "get", "name": name})
            except NameError:
                raise KeyError(name) from None
        return self.cache[name]

    # -- cells -----------------------------------------------------------------------------------
    def run_definitions(self, source: str, label: str) -> str | None:
        """Run a provided definition cell (imports, functions) here; return an error text or None."""
        try:
            exec(compile(source, f"<{label}>", "exec"), self.namespace)  # noqa: S102  (course code)
        except BaseException as exc:  # noqa: BLE001
            return f"{type(exc).__name__}: {exc}"
        return None

    def start_cell(self, index: int) -> str | None:
        """Wait for the kernel to serve cell ``index``; an error text if it does not."""
        self.deadline = time.monotonic() + self.cell_timeout
        self.cache.clear()
        self.callbacks.clear()
        self.lost = ""
        try:
            self._accept(index)
        except (ChannelLost, JudgeTimeout) as exc:
            self._drop()
            return str(exc) or type(exc).__name__
        return None

    def run_test(self, source: str, index: int, label: str) -> Verdict:
        """Run one test cell's code in the judge's namespace (the kernel is serving ``index``)."""
        start, calls = time.perf_counter(), self.calls
        verdict = Verdict()
        problem = self.start_cell(index)
        printed = io.StringIO()
        if problem:
            verdict.lost = self.lost or problem
            verdict.error = ("GraderError", f"the test could not reach your code: {problem}", None)
        else:
            filename = f"<{label}>"
            try:
                with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                    exec(compile(source, filename, "exec"), self.namespace)  # noqa: S102  (course code)
            except JudgeTimeout as exc:
                verdict.timed_out = True
                verdict.error = ("CellTimeoutError", str(exc), _line_in(exc, filename))
            except ChannelLost as exc:
                verdict.lost = str(exc)
                verdict.error = ("KernelLost", str(exc), _line_in(exc, filename))
            except BaseException as exc:  # noqa: BLE001  (the test failed: record it like IPython would)
                verdict.error = (type(exc).__name__, str(exc), _line_in(exc, filename))
            if verdict.timed_out or verdict.lost:
                self._drop()
            else:
                self.finish(index)
        text = printed.getvalue()
        if text:
            verdict.outputs.append({"output_type": "stream", "name": "stdout", "text": text})
        if verdict.error:
            ename, evalue, line = verdict.error
            verdict.outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                                    "traceback": [f"Cell In[{index}], line {line}" if line else "Cell",
                                                  f"{ename}: {evalue}"]})
        verdict.seconds = time.perf_counter() - start
        verdict.calls = self.calls - calls
        return verdict

    def finish(self, index: int, grace: float = 10.0) -> bool:
        """Tell the kernel cell ``index`` is done, wait until it stops serving, close the connection."""
        if self.lost or self.conn is None:
            self._drop()
            return False
        self.deadline = time.monotonic() + grace
        try:
            self._send({"op": "done", "session": index})
            while True:
                header, _ = self._recv()
                if header.get("bye") == index:
                    return True
        except (ChannelLost, JudgeTimeout):
            return False
        finally:
            self._drop()

    def events(self, index: int) -> list[str]:
        """The audit log the kernel's agent kept, asked while it serves ``index`` (informative only:
        the kernel may have rewritten it)."""
        if self.start_cell(index):
            return []
        try:
            found = self.request({"op": "events"})
        except (Exception, ChannelLost, JudgeTimeout):
            return []
        self.finish(index)
        return [str(e)[:300] for e in found][:50] if type(found) is list else []

    def close(self) -> None:
        """Close the channel and forget the modules this notebook's definitions imported from its folder."""
        self._drop()
        with contextlib.suppress(OSError):
            self.listener.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(ValueError):
            sys.path.remove(self.folder)
        for name in set(sys.modules) - self._modules_before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file.startswith(self.folder + os.sep):
                del sys.modules[name]


def _ready(sock: socket.socket, seconds: float) -> bool:
    """Whether ``sock`` can be read within ``seconds`` (poll, not select: a grading worker that has run
    many kernels holds descriptors above select's limit of 1024)."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(int(seconds * 1000)))


def _exception(err) -> BaseException:
    """The judge-side exception for the student's error (builtin types only; never from the wire)."""
    if type(err) is not dict:
        return StudentError("your code raised an exception")
    name = str(err.get("type", "Exception"))[:80]
    msg = str(err.get("msg", ""))[:4000]
    bases = err.get("bases") if type(err.get("bases")) is list else []
    for base in [name, *[str(b) for b in bases]]:
        if base in RERAISED:
            exc = getattr(builtins, base)(msg)
            if base != name:
                exc.args = (f"{name}: {msg}",)
            return exc
    return StudentError(f"your code raised {name}: {msg}")


def _line_in(exc: BaseException, filename: str) -> int | None:
    """The line of the test cell's own code where ``exc`` surfaced (its outermost frame in the cell)."""
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == filename:
            return line
    return None


def _course_class_named(module: str, qualname: str) -> type:
    """A course class already imported by the judge (never imports anything named on the wire)."""
    if type(module) is not str or type(qualname) is not str:
        raise wire.WireError("malformed class name")
    if not (module == "mlpapers" or module.startswith("mlpapers.") or module.endswith("_given")):
        raise wire.WireError("not a course class")
    obj = sys.modules.get(module)
    for part in qualname.split("."):
        obj = vars(obj).get(part) if obj is not None else None
    if not isinstance(obj, type):
        raise wire.WireError("not a course class")
    return obj


def _holds_state(value) -> bool:
    """Whether a call can change ``value`` in place (so write-back recurses into it, not replaces it)."""
    if type(value) in (np.ndarray, list, dict, tuple, np.random.Generator) or course_class(value):
        return True
    torch = sys.modules.get("torch")
    return torch is not None and type(value) in (torch.Tensor, torch.nn.Parameter, torch.Generator)


def _write_back(orig, node: list, decoder: wire.Decoder, depth: int = 0) -> None:
    """Copy what the student's call changed in an argument into the test's own object."""
    if depth > wire.MAX_DEPTH or type(node) is not list or not node or node[0] == "=":
        return
    t, tag = type(orig), node[0]
    torch = sys.modules.get("torch")
    if t is np.ndarray and tag == "a":
        new = decoder.decode(node)
        if new.shape == orig.shape and new.dtype == orig.dtype and orig.flags.writeable:
            np.copyto(orig, new)
    elif t is list and tag == "l" and type(node[1]) is list:
        if len(node[1]) != len(orig):
            orig[:] = decoder.decode(node)
            return
        for i, sub in enumerate(node[1]):
            if _holds_state(orig[i]):
                _write_back(orig[i], sub, decoder, depth + 1)
            elif type(sub) is list and sub and sub[0] != "=":
                orig[i] = decoder.decode(sub)
    elif t is tuple and tag == "t" and type(node[1]) is list and len(node[1]) == len(orig):
        for item, sub in zip(orig, node[1]):
            _write_back(item, sub, decoder, depth + 1)
    elif t is dict and tag == "d" and type(node[1]) is list:
        pairs = [(decoder.decode(p[0]), p[1]) for p in node[1] if type(p) is list and len(p) == 2]
        if {k for k, _ in pairs} != set(orig):
            orig.clear()
            orig.update(decoder.decode(node))
            return
        for key, sub in pairs:
            if _holds_state(orig[key]):
                _write_back(orig[key], sub, decoder, depth + 1)
            elif type(sub) is list and sub and sub[0] != "=":
                orig[key] = decoder.decode(sub)
    elif t is np.random.Generator and tag == "g":
        new = decoder.decode(node)
        if type(new.bit_generator) is type(orig.bit_generator):
            orig.bit_generator.state = new.bit_generator.state
    elif course_class(orig) and tag == "o" and len(node) == 4:
        state = decoder.decode(node[3])
        if type(state) is dict and all(type(k) is str for k in state):
            if hasattr(type(orig), "__setstate__"):
                orig.__setstate__(state)
            else:
                orig.__dict__.update(state)
    elif torch is not None and t in (torch.Tensor, torch.nn.Parameter) and tag == "T":
        new = decoder.decode(node)
        if new.shape == orig.shape and new.dtype == orig.dtype:
            with torch.no_grad():
                orig.copy_(new)
    elif torch is not None and t is torch.Generator and tag == "G":
        orig.set_state(decoder.decode(node).get_state())
