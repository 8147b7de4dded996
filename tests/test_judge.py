"""The judge's channel: plain data only, checked on arrival, and the test-cell semantics it keeps.

The codec tests need no kernel. The judge tests run the agent in a thread of this process (the
kernel's side of the socket) and the judge in the test, so each behaviour is checked in
milliseconds; the adversarial grading batch checks the same with real sandboxed kernels.
"""
import math
import struct
import threading

import numpy as np
import pytest
import torch

from mlpapers.diffusiongemma.toy_denoiser import RecordingToy
from mlpapers.judge import wire
from mlpapers.judge.agent import Agent
from mlpapers.judge.judge import Judge, StudentError


def roundtrip(value):
    node, buffers = wire.encode(value)
    return wire.decode(node, buffers)


def same(a, b) -> bool:
    """Equal with exact types all the way down (NaN equal to NaN, -0.0 unequal to 0.0)."""
    if type(a) is not type(b):
        return False
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is np.ndarray:
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, np.generic):
        return a.dtype == b.dtype and (a == b or (np.isnan(a) and np.isnan(b)))
    return a == b


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 2 ** 200, 1.5, -0.0, float("nan"), float("inf"), -float("inf"), 1e-310,
    complex(1, -0.0), "", "héllo\n", b"\x00\xff", [1, [2.0, (3, "x")]], (), (1,), [True, 1, 1.0],
    {"a": 1, 2: [3], (1, "b"): None, None: 0.5},
    np.arange(6, dtype=np.int64).reshape(2, 3), np.array(3.25), np.zeros((0, 4)), np.array([True, False]),
    np.arange(12, dtype=np.float32).reshape(3, 4).T, np.arange(4, dtype=">f8"), np.array([1 + 2j, np.nan]),
    np.uint8(200), np.float64(-0.0), np.int32(-5), np.bool_(True), np.complex128(1j),
])
def test_plain_values_round_trip_exactly(value):
    back = roundtrip(value)
    if isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and back.flags.writeable and back.flags.c_contiguous
        assert np.array_equal(back, value, equal_nan=True) and back.shape == value.shape
        assert back.dtype == value.dtype.newbyteorder("<")
    else:
        assert same(back, value), (value, back)


def test_generators_keep_their_draw_order():
    for gen in (np.random.default_rng(5), np.random.Generator(np.random.MT19937(3))):
        gen.random(3)
        back = roundtrip(gen)
        assert type(back) is np.random.Generator and back is not gen
        assert np.array_equal(back.random(5), gen.random(5))
    t = torch.Generator().manual_seed(7)
    torch.rand(3, generator=t)
    back = roundtrip(t)
    assert torch.equal(torch.rand(4, generator=back), torch.rand(4, generator=t))


def test_tensors_round_trip_with_their_dtype():
    for x in (torch.randn(3, 4), torch.arange(5), torch.randn(2, 3, dtype=torch.bfloat16), torch.zeros(0, 2),
              torch.tensor(True), torch.randn(4, 4).t()):
        back = roundtrip(x)
        assert type(back) is torch.Tensor and back.dtype == x.dtype and back.shape == x.shape
        assert torch.equal(back, x)


class Sneaky(list):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [
    np.array([object()], dtype=object), np.zeros(2, dtype=[("a", "<f8")]), np.array(["text"]),
    np.zeros(2).view(type("Sub", (np.ndarray,), {})), Sneaky([1]), {1, 2}, object(), lambda: 0, np.datetime64("2026-01-01"),
])
def test_anything_else_is_refused_on_sending(value):
    with pytest.raises(wire.WireError):
        wire.encode(value)


@pytest.mark.parametrize("node, buffers", [
    (["a", "|O8", [1], 0], [b"\x00" * 8]),               # object dtype
    (["a", ">f8", [1], 0], [b"\x00" * 8]),               # big-endian dtype string
    (["a", "<V8", [1], 0], [b"\x00" * 8]),               # void
    (["a", "<f8", [2], 0], [b"\x00" * 8]),               # size and data disagree
    (["a", "<f8", [-1], 0], [b"\x00" * 8]),              # negative dimension
    (["a", "<f8", [2 ** 40, 2 ** 40], 0], [b""]),        # would allocate before reading: refused first
    (["a", "<f8", [1], 3], [b"\x00" * 8]),               # no such buffer
    (["i", "1e5"], []), (["f", "0x1p+1; import os"], []), (["s", 5], []), (["x"], []), ("n", []),
    (["d", [[["s", "a"], ["n"]], [["s", "a"], ["n"]]]], []),   # repeated key
    (["d", [[["l", []], ["n"]]]], []),                          # unhashable key
    (["d", [[["f", "nan"], ["n"]]]], []),                       # NaN key
    (["g", "os.system", ["d", []]], []),                        # no bit generator of that name
    (["g", "PCG64", ["d", []]], []),                            # bad state
])
def test_malformed_values_are_refused_on_arrival(node, buffers):
    with pytest.raises(wire.WireError):
        wire.decode(node, buffers)


def test_depth_and_frame_limits():
    deep = ["n"]
    for _ in range(wire.MAX_DEPTH + 2):
        deep = ["l", [deep]]
    with pytest.raises(wire.WireError):
        wire.decode(deep, [])
    chunks = [struct.pack(">II", wire.MAX_HEADER + 1, 0)]
    with pytest.raises(wire.WireError):
        wire.read_frame(lambda n: chunks.pop(0) if chunks else b"")
    frame = struct.pack(">II", 4, 1) + struct.pack(">Q", wire.MAX_FRAME) + b"{}  "
    with pytest.raises(wire.WireError):
        wire.read_frame(_reader(frame))
    with pytest.raises(wire.WireError):  # Python's json would accept NaN; the wire does not
        wire.read_frame(_reader(struct.pack(">II", 12, 0) + b'{"a": NaN}  '))


def _reader(data: bytes):
    view = memoryview(data)
    pos = [0]

    def read(n):
        chunk = bytes(view[pos[0]:pos[0] + n])
        pos[0] += len(chunk)
        return chunk
    return read


# -- the judge against an agent in a thread ----------------------------------------------------------

class Harness:
    """A judge and an agent serving it from a thread; ``run(code)`` runs one test cell."""

    def __init__(self, tmp_path, student_ns: dict, cell_timeout: float = 5.0):
        path = str(tmp_path / "judge.sock")
        self.judge = Judge(path, tmp_path, cell_timeout=cell_timeout)
        self.index = 0

        def kernel():
            agent = Agent(path, student_ns, str(tmp_path), (), audit=False)
            student_ns["AGENT"] = agent  # what hostile student code can reach in a real kernel
            for session in range(1000):  # one serve request per test cell, as the grader sends them
                try:
                    agent.serve(session)
                except (FileNotFoundError, ConnectionRefusedError):
                    return  # the judge closed
                except Exception:  # noqa: BLE001  (the cell's connection was dropped: on to the next)
                    pass
        threading.Thread(target=kernel, daemon=True).start()

    def run(self, code: str):
        verdict = self.judge.run_test(code, self.index, f"test{self.index}")
        self.index += 1
        return verdict

    def close(self):
        self.judge.close()


@pytest.fixture
def harness(tmp_path):
    made = []

    def make(student_code: str, **kw) -> Harness:
        ns: dict = {}
        exec(student_code, ns)
        h = Harness(tmp_path, ns, **kw)
        made.append(h)
        return h
    yield make
    for h in made:
        h.close()


def test_results_come_back_as_plain_data_and_inputs_changed_in_place_are_seen(harness):
    h = harness("import numpy as np\ndef double(x):\n    x *= 2\n    return x.sum(), x.dtype.str\n"
                "def fine(x):\n    return (x * 2, [1, 2.0], {'k': None})\n")
    v = h.run("import numpy as np\nx = np.arange(4.0)\ns, d = double(x)\n"
              "assert type(s) is np.float64 and s == 12.0 and d == '<f8'\n"
              "assert np.array_equal(x, [0, 2, 4, 6]), x\n"
              "y = np.arange(3)\nout = fine(y)\nassert type(out) is tuple and np.array_equal(out[0], [0, 2, 4])\n"
              "assert out[1] == [1, 2.0] and type(out[1][1]) is float and out[2] == {'k': None}\n"
              "assert np.array_equal(y, [0, 1, 2])\n")
    assert v.error is None, v.error
    assert v.calls >= 3


def test_generators_advance_as_if_the_call_were_local(harness):
    h = harness("def draw(rng, n):\n    return rng.random(n)\n")
    v = h.run("import numpy as np\ng = np.random.default_rng(3)\na = draw(g, 2)\nb = g.random(2)\n"
              "ref = np.random.default_rng(3).random(4)\nassert np.array_equal(np.r_[a, b], ref)\n")
    assert v.error is None, v.error


def test_torch_generators_and_tensors_come_back_changed(harness):
    h = harness("import torch\ndef draw(g, n):\n    return torch.rand(n, generator=g)\n"
                "def bump(t):\n    t.add_(1)\n")
    v = h.run("import torch\ng = torch.Generator().manual_seed(3)\na = draw(g, 2)\nb = torch.rand(2, generator=g)\n"
              "ref = torch.rand(4, generator=torch.Generator().manual_seed(3))\nassert torch.equal(torch.cat([a, b]), ref)\n"
              "t = torch.zeros(3)\nbump(t)\nassert torch.equal(t, torch.ones(3))\n")
    assert v.error is None, v.error


def test_callables_run_in_the_judge_and_their_failures_stand(harness):
    h = harness("def apply(f, xs):\n    return [f(x) for x in xs]\n"
                "def swallow(f):\n    try:\n        f(1)\n    except Exception:\n        pass\n    return 'ok'\n")
    seen = h.run("calls = []\nout = apply(lambda x: calls.append(x) or x * 10, [1, 2])\n"
                 "assert out == [10, 20] and calls == [1, 2]\n")
    assert seen.error is None, seen.error
    caught = h.run("def strict(x):\n    raise AssertionError('the check inside the callback failed')\nswallow(strict)\n")
    assert caught.error[0] == "AssertionError" and "inside the callback" in caught.error[1]


def test_exceptions_come_back_as_builtin_types_only(harness):
    h = harness("import numpy as np\nclass Mine(Exception):\n    pass\n"
                "def bad(kind):\n    if kind == 0:\n        raise ValueError('x must be positive')\n"
                "    if kind == 1:\n        raise Mine('custom')\n    if kind == 2:\n        np.sum(np.zeros(2), axis=3)\n"
                "    raise SystemExit(3)\n")
    v = h.run("try:\n    bad(0)\nexcept ValueError as e:\n    assert str(e) == 'x must be positive'\n"
              "else:\n    raise AssertionError('no error')\n")
    assert v.error is None, v.error
    assert h.run("bad(1)").error[:2] == ("StudentError", "your code raised Mine: custom")
    axis = h.run("bad(2)").error  # numpy's AxisError is a ValueError and an IndexError
    assert axis[0] == "ValueError" and "AxisError" in axis[1]
    assert h.run("bad(3)").error[0] == "StudentError"
    assert h.run("not_defined_anywhere").error[0] == "NameError"


def test_objects_stay_in_the_kernel_behind_handles(harness):
    h = harness("class Box:\n    def __init__(self, v):\n        self.v = v\n    def twice(self):\n        return 2 * self.v\n"
                "    def __eq__(self, other):\n        return True\n"
                "def make(v):\n    return Box(v)\n")
    v = h.run("b = make(21)\nassert b.v == 21 and b.twice() == 42\nassert b != 1\nassert 'your object' in repr(b)\n")
    assert v.error is None, v.error


def test_course_objects_travel_by_import_path_and_their_state_comes_back(harness):
    h = harness("def use(model):\n    model.reset()\n    model.encode(model.encode_text('jumping'))\n    return model.cache_len\n")
    v = h.run("from mlpapers.diffusiongemma.toy_denoiser import RecordingToy\nm = RecordingToy()\n"
              "n = use(m)\nassert n == m.cache_len == 7 and len(m.encoded) == 1, (n, m.cache_len)\n")
    assert v.error is None, v.error
    assert isinstance(RecordingToy(), RecordingToy)


def test_the_judges_names_win_over_the_kernels(harness):
    h = harness("def check(*a):\n    return None\nnp = None\nlen = lambda x: 0\n")
    v = h.run("import numpy as np\ndef check(x):\n    assert x\ncheck(len([1]) == 1)\ncheck(np.ones(1)[0] == 1)\n")
    assert v.error is None, v.error


def test_a_call_past_the_budget_times_out(harness):
    h = harness("import time\ndef slow():\n    time.sleep(3)\n    return 1\n", cell_timeout=1)
    v = h.run("slow()")
    assert v.timed_out and v.error[0] == "CellTimeoutError"


def test_a_forged_reply_breaks_its_cell_only(harness):
    h = harness("import mlpapers.judge.wire as w\n"
                "def forge():\n    w.send_frame(AGENT.sock, {'re': 10 ** 9, 'ok': ['b', True]})\n    return 1\n"
                "def f():\n    return 1\n")
    assert h.run("assert f() == 1").error is None
    v = h.run("forge()")
    assert v.error[0] == "KernelLost" and "out of turn" in v.lost
    later = h.run("assert f() == 1")  # the next cell has a connection of its own
    assert later.error is None, later.error


def test_a_students_torch_module_is_used_through_its_handle(harness):
    h = harness("import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                "        self.lin = torch.nn.Linear(3, 2)\n    def forward(self, x):\n        return self.lin(x)\n"
                "def build(seed):\n    torch.manual_seed(seed)\n    return Net()\n")
    v = h.run("import torch\nnet = build(0)\nstate = net.state_dict()\n"
              "assert type(state) is dict and sorted(state) == ['lin.bias', 'lin.weight']\n"
              "x = torch.ones(4, 3)\ny = net(x)\n"
              "assert type(y) is torch.Tensor and y.shape == (4, 2)\n"
              "torch.testing.assert_close(y, x @ state['lin.weight'].T + state['lin.bias'])\n"
              "net.eval()\nassert net.training is False\n")
    assert v.error is None, v.error
