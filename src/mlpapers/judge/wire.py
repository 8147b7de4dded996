"""The judge's wire format: plain data as a tagged JSON tree plus raw buffers, never pickle.

Both ends use it: the judge (trusted) and the agent in the student's kernel (assume compromised).
Encoding dispatches on the *exact* type of each value, so a subclass that overrides ``__eq__`` or
``__array__`` is never taken for plain data. Decoding checks every node before it allocates: tags
from a fixed set, array dtypes of kind b/i/u/f/c only, ``prod(shape) * itemsize == len(buffer)``,
limits on depth, node count and bytes, and no name is ever looked up from what arrives.

A node is a JSON list ``[tag, ...]``:

===========  =============================================  =====================================
tag          payload                                        value
===========  =============================================  =====================================
``n``        -                                              None
``b``        true/false                                     bool
``i``        decimal string                                 int (any size)
``f``        ``float.hex`` string (nan, inf, -0.0 exact)    float
``c``        two ``float.hex`` strings                      complex
``s``        string                                         str
``y``        buffer index                                   bytes
``l`` ``t``  list of nodes                                  list, tuple
``d``        list of [key node, value node]                 dict (hashable plain keys, no repeats)
``a``        dtype string, shape, buffer index              NumPy array (a copy, writeable)
``a0``       dtype string, buffer index                     NumPy scalar (np.float64, np.int64, ...)
``g``        bit generator name, state node                 np.random.Generator in that state
``T``        dtype name, shape, buffer index                torch tensor (CPU copy)
``G``        buffer index                                   torch.Generator in that state
``=``        -                                              "unchanged" (write-back only)
others       handed to the side's ``extra`` hook            handles, callbacks, course objects
===========  =============================================  =====================================

A frame is ``>II`` (header length, buffer count), one ``>Q`` length per buffer, the UTF-8 JSON
header, then the buffers.
"""
from __future__ import annotations

import json
import math
import re
import socket
import struct
import sys
from typing import Any, Callable

import numpy as np

MAX_HEADER = 16 * 2**20        # bytes of JSON in one frame
MAX_FRAME = 128 * 2**20        # bytes in one frame, buffers included
MAX_BUFFERS = 100_000
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_DIMS = 32

_DTYPE = re.compile(r"^[<|][biufc](1|2|4|8|16|32)$")
_INT = re.compile(r"^-?[0-9]{1,4000}$")
BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "MT19937": np.random.MT19937,
                  "Philox": np.random.Philox, "SFC64": np.random.SFC64}
TORCH_DTYPES = ("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
                "bool", "complex64", "complex128")
_SCALARS = (np.bool_, np.integer, np.floating, np.complexfloating)


class WireError(ValueError):
    """Something that cannot be sent, or a frame or node that breaks the format or its limits."""


# -- frames ----------------------------------------------------------------------------------------

def send_frame(sock: socket.socket, header: dict, buffers: list[bytes] = ()) -> None:
    """Send one frame: the JSON header (no NaN, no Infinity) and its raw buffers."""
    head = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    sizes = [len(b) for b in buffers]
    if len(head) > MAX_HEADER or len(head) + sum(sizes) > MAX_FRAME or len(sizes) > MAX_BUFFERS:
        raise WireError(f"a message of {len(head) + sum(sizes)} bytes is over the channel's limit "
                        f"of {MAX_FRAME // 2**20} MiB")
    prefix = struct.pack(f">II{len(sizes)}Q", len(head), len(sizes), *sizes)
    sock.sendall(b"".join([prefix, head, *[bytes(memoryview(b)) for b in buffers]]))


def _read_exact(read: Callable[[int], bytes], n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = read(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the channel was closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(read: Callable[[int], bytes]) -> tuple[dict, list[bytes]]:
    """Read one frame with ``read(n)`` (returns at most n bytes, b"" at the end); check the limits first."""
    head_len, count = struct.unpack(">II", _read_exact(read, 8))
    if head_len > MAX_HEADER or count > MAX_BUFFERS:
        raise WireError("frame header over the limits")
    sizes = struct.unpack(f">{count}Q", _read_exact(read, 8 * count)) if count else ()
    if head_len + sum(sizes) > MAX_FRAME:
        raise WireError(f"frame over {MAX_FRAME // 2**20} MiB")
    try:
        header = json.loads(_read_exact(read, head_len), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"frame header is not JSON ({exc})") from None
    if type(header) is not dict:
        raise WireError("frame header is not an object")
    return header, [_read_exact(read, n) for n in sizes]


def _no_constant(name: str):
    raise WireError(f"{name} is not allowed in a frame header")


# -- encoding --------------------------------------------------------------------------------------

class Encoder:
    """Turns plain data into a node tree and a buffer list; ``extra(value, encoder)`` may encode the rest."""

    def __init__(self, extra: Callable[[Any, "Encoder"], list | None] | None = None,
                 unchanged: Callable[[Any], bool] | None = None, lenient: bool = False):
        self.extra = extra
        self.unchanged = unchanged
        self.lenient = lenient  # the agent's side: send subclasses (OrderedDict, namedtuple) as their base
        self.buffers: list[bytes] = []
        self.nodes = 0

    def _buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def encode(self, value: Any, depth: int = 0) -> list:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("the value is nested too deeply or is too large to send")
        t = type(value)
        if value is None:
            return ["n"]
        if t is bool:
            return ["b", value]
        if t is int:
            return ["i", str(value)]
        if t is float:
            return ["f", value.hex()]
        if t is complex:
            return ["c", value.real.hex(), value.imag.hex()]
        if t is str:
            return ["s", value]
        if t is bytes:
            return ["y", self._buffer(value)]
        if self.lenient and t not in (list, tuple, dict, np.ndarray):
            t = next((base for base in (list, tuple, dict, np.ndarray) if isinstance(value, base)), t)
            if t is np.ndarray:
                value = np.asarray(value)
        if t is list or t is tuple:
            return ["l" if t is list else "t", [self.encode(v, depth + 1) for v in value]]
        if t is dict:
            return ["d", [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(value)]]
        if t is np.ndarray and _plain_dtype(value.dtype):
            if self.unchanged is not None and self.unchanged(value):
                return ["="]
            arr = (value if value.flags.c_contiguous else value.copy(order="C")).astype(
                value.dtype.newbyteorder("<"), copy=False)  # not ascontiguousarray: it makes 0-d arrays 1-d
            return ["a", arr.dtype.str, list(arr.shape), self._buffer(arr.tobytes())]
        if isinstance(value, _SCALARS) and t.__module__ == "numpy" and _plain_dtype(value.dtype):
            arr = np.asarray(value).astype(value.dtype.newbyteorder("<"), copy=False)
            return ["a0", arr.dtype.str, self._buffer(arr.tobytes())]
        if t is np.random.Generator and type(value.bit_generator).__name__ in BIT_GENERATORS:
            return ["g", type(value.bit_generator).__name__, self.encode(value.bit_generator.state, depth + 1)]
        torch = sys.modules.get("torch")
        if torch is not None:
            if t is torch.Tensor or t is torch.nn.Parameter:
                return self._tensor(torch, value)
            if t is torch.Generator:
                return ["G", self._buffer(value.get_state().numpy().tobytes())]
        node = self.extra(value, self) if self.extra is not None else None
        if node is None:
            raise WireError(f"a {t.__name__} cannot be sent between the grader and your code")
        return node

    def _tensor(self, torch, value) -> list:
        name = str(value.dtype).removeprefix("torch.")
        if name not in TORCH_DTYPES:
            raise WireError(f"a tensor of dtype {name} cannot be sent")
        cpu = value.detach().to("cpu").contiguous()
        if name == "bfloat16":
            cpu = cpu.view(torch.int16)
        data = cpu.numpy().tobytes() if cpu.numel() else b""
        return ["T", name, list(value.shape), self._buffer(data)]


def _plain_dtype(dtype: np.dtype) -> bool:
    return dtype.kind in "biufc" and dtype.fields is None and dtype.subdtype is None


def encode(value: Any, extra=None) -> tuple[list, list[bytes]]:
    """The node tree and buffers of ``value``."""
    enc = Encoder(extra)
    return enc.encode(value), enc.buffers


# -- decoding --------------------------------------------------------------------------------------

class Decoder:
    """Checks and rebuilds a node tree; ``extra(node, decoder)`` handles the side's own tags."""

    def __init__(self, buffers: list[bytes], extra: Callable[[list, "Decoder"], Any] | None = None):
        self.buffers = buffers
        self.extra = extra
        self.nodes = 0

    def buffer(self, index) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("bad buffer reference")
        return self.buffers[index]

    def decode(self, node, depth: int = 0) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise WireError("value nested too deeply or too large")
        if type(node) is not list or not node or type(node[0]) is not str:
            raise WireError("malformed value")
        tag, args = node[0], node[1:]
        if tag == "n" and not args:
            return None
        if tag == "b" and len(args) == 1 and type(args[0]) is bool:
            return args[0]
        if tag == "i" and len(args) == 1 and type(args[0]) is str and _INT.match(args[0]):
            return int(args[0])
        if tag == "f" and len(args) == 1:
            return _float(args[0])
        if tag == "c" and len(args) == 2:
            return complex(_float(args[0]), _float(args[1]))
        if tag == "s" and len(args) == 1 and type(args[0]) is str:
            return args[0]
        if tag == "y" and len(args) == 1:
            return self.buffer(args[0])
        if tag in ("l", "t") and len(args) == 1 and type(args[0]) is list:
            items = [self.decode(v, depth + 1) for v in args[0]]
            return items if tag == "l" else tuple(items)
        if tag == "d" and len(args) == 1 and type(args[0]) is list:
            out = {}
            for pair in args[0]:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("malformed dict item")
                key = self.decode(pair[0], depth + 1)
                if not _plain_key(key) or key in out:
                    raise WireError("dict key that is not plain data, or repeated")
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if tag == "a" and len(args) == 3:
            return _array(args[0], args[1], self.buffer(args[2]))
        if tag == "a0" and len(args) == 2:
            return _array(args[0], [], self.buffer(args[1]))[()]
        if tag == "g" and len(args) == 2 and args[0] in BIT_GENERATORS:
            state = self.decode(args[1], depth + 1)
            gen = np.random.Generator(BIT_GENERATORS[args[0]]())
            try:
                gen.bit_generator.state = state
            except Exception as exc:
                raise WireError(f"bad generator state ({type(exc).__name__})") from None
            return gen
        if tag == "T" and len(args) == 3:
            return _tensor(args[0], args[1], self.buffer(args[2]))
        if tag == "G" and len(args) == 1:
            torch = _torch()
            gen = torch.Generator()
            try:
                gen.set_state(torch.frombuffer(bytearray(self.buffer(args[0])), dtype=torch.uint8))
            except Exception as exc:
                raise WireError(f"bad torch generator state ({type(exc).__name__})") from None
            return gen
        if self.extra is not None:
            return self.extra(node, self)
        raise WireError(f"unknown value tag {tag[:20]!r}")


def decode(node, buffers: list[bytes], extra=None) -> Any:
    return Decoder(buffers, extra).decode(node)


def _float(text) -> float:
    if type(text) is not str or len(text) > 40:
        raise WireError("malformed float")
    try:
        return float.fromhex(text)
    except ValueError:
        raise WireError("malformed float") from None


def _plain_key(key) -> bool:
    t = type(key)
    if t is tuple:
        return all(_plain_key(k) for k in key)
    return key is None or t in (bool, int, float, complex, str, bytes) and not (t is float and math.isnan(key))


def _shape(shape) -> tuple[int, ...]:
    if type(shape) is not list or len(shape) > MAX_DIMS or any(type(n) is not int or n < 0 for n in shape):
        raise WireError("malformed shape")
    return tuple(shape)


def _array(dtype, shape, data: bytes) -> np.ndarray:
    if type(dtype) is not str or not _DTYPE.match(dtype):
        raise WireError("array dtype that is not plain numeric")
    dt, shape = np.dtype(dtype), _shape(shape)
    if not _plain_dtype(dt) or math.prod(shape) * dt.itemsize != len(data):
        raise WireError("array whose size does not match its data")
    return np.frombuffer(data, dtype=dt).reshape(shape).copy()


def _torch():
    torch = sys.modules.get("torch")
    if torch is None:
        import torch  # noqa: PLC0415  (only when a tensor actually arrives)
    return torch


def _tensor(name, shape, data: bytes):
    torch = _torch()
    if name not in TORCH_DTYPES:
        raise WireError("tensor dtype that is not plain numeric")
    shape = _shape(shape)
    dtype = getattr(torch, name)
    size = torch.empty((), dtype=dtype).element_size()
    if math.prod(shape) * size != len(data):
        raise WireError("tensor whose size does not match its data")
    if not data:
        return torch.empty(shape, dtype=dtype)
    raw = torch.frombuffer(bytearray(data), dtype=torch.int16 if name == "bfloat16" else dtype)
    return (raw.view(torch.bfloat16) if name == "bfloat16" else raw).reshape(shape).clone()
