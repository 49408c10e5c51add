"""The page trainer's WebAssembly products (site_src/static/kernels.wat) against NumPy.

They run here in wasmtime, on the same bytes the page loads from kernels.js, for
shapes of every remainder (odd columns, rows and time steps not multiples of four),
and must agree with NumPy to rounding. The browser's fidelity test then holds the
whole trainer, built on them, to charrnn step by step.
"""
from __future__ import annotations

import base64
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

wasmtime = pytest.importorskip("wasmtime")

from scripts.build_kernels import SOURCE, TARGET, compile_kernels, kernels_script  # noqa: E402

TOLERANCE = 1e-13   # relative to the sum of the terms' magnitudes: a few roundings


def shipped_bytes() -> bytes:
    text = TARGET.read_text(encoding="utf-8")
    return base64.b64decode("".join(re.findall(r'"([A-Za-z0-9+/=]+)"', text)))


def test_kernels_js_is_kernels_wat_compiled():
    assert TARGET.read_text(encoding="utf-8") == kernels_script(compile_kernels(SOURCE)), (
        "site_src/static/kernels.js is out of date: run scripts/build_kernels.py")


class Kernels:
    """The module instantiated over one page of memory; arrays are laid out from 0."""

    def __init__(self):
        self.store = wasmtime.Store()
        self.memory = wasmtime.Memory(self.store, wasmtime.MemoryType(wasmtime.Limits(16, 16)))
        module = wasmtime.Module(self.store.engine, shipped_bytes())
        self.exports = wasmtime.Instance(self.store, module, [self.memory]).exports(self.store)

    def place(self, *arrays: np.ndarray) -> list[int]:
        """Write the arrays one after another (at odd multiples of 8 bytes too, so no
        load may assume 16-byte alignment); return their byte addresses."""
        addresses, at = [], 8
        for a in arrays:
            data = np.ascontiguousarray(a, dtype=np.float64).tobytes()
            self.memory.write(self.store, data, at)
            addresses.append(at)
            at += len(data) + 8
        return addresses

    def read(self, address: int, shape) -> np.ndarray:
        n = int(np.prod(shape))
        raw = self.memory.read(self.store, address, address + 8 * n)
        return np.frombuffer(bytes(raw), dtype=np.float64).reshape(shape)

    def __call__(self, name: str, *args: int) -> None:
        self.exports[name](self.store, *args)


@pytest.fixture(scope="module")
def kernels() -> Kernels:
    return Kernels()


def close(got: np.ndarray, want: np.ndarray, scale: np.ndarray) -> None:
    assert np.all(np.abs(got - want) <= TOLERANCE * (scale + 1e-300)), np.max(np.abs(got - want))


sizes = st.integers(1, 13)


@settings(max_examples=60, deadline=None)
@given(rows=sizes, cols=sizes, seed=st.integers(0, 2**32 - 1))
def test_mat_vec(kernels, rows, cols, seed):
    rng = np.random.default_rng(seed)
    W, x, out = rng.normal(size=(rows, cols)), rng.normal(size=cols), rng.normal(size=rows)
    w_at, x_at, out_at = kernels.place(W, x, out)
    kernels("matVec", w_at, rows, cols, x_at, out_at)
    close(kernels.read(out_at, rows), W @ x, np.abs(W) @ np.abs(x))


@settings(max_examples=60, deadline=None)
@given(rows=sizes, cols=sizes, seed=st.integers(0, 2**32 - 1))
def test_add_transposed_mat_vec(kernels, rows, cols, seed):
    rng = np.random.default_rng(seed)
    W, g, out = rng.normal(size=(rows, cols)), rng.normal(size=rows), rng.normal(size=cols)
    w_at, g_at, out_at = kernels.place(W, g, out)
    kernels("addTransposedMatVec", w_at, rows, cols, g_at, out_at)
    close(kernels.read(out_at, cols), out + W.T @ g, np.abs(out) + np.abs(W.T) @ np.abs(g))


@settings(max_examples=60, deadline=None)
@given(rows=sizes, cols=sizes, T=sizes, seed=st.integers(0, 2**32 - 1))
def test_add_outer_products(kernels, rows, cols, T, seed):
    rng = np.random.default_rng(seed)
    G, A, B = rng.normal(size=(rows, cols)), rng.normal(size=(T, rows)), rng.normal(size=(T, cols))
    g_at, a_at, b_at = kernels.place(G, A, B)
    kernels("addOuterProducts", g_at, rows, cols, a_at, b_at, T)
    close(kernels.read(g_at, (rows, cols)), G + A.T @ B, np.abs(G) + np.abs(A.T) @ np.abs(B))


def test_a_kernel_reads_and_writes_only_its_arrays(kernels):
    """The numbers around each array are left as they were: no loop runs past a row."""
    rng = np.random.default_rng(0)
    rows, cols, T = 5, 7, 6
    G, A, B = rng.normal(size=(rows, cols)), rng.normal(size=(T, rows)), rng.normal(size=(T, cols))
    sentinel = np.full(1, 12345.0)
    addresses = kernels.place(sentinel, G, sentinel, A, sentinel, B, sentinel)
    kernels("addOuterProducts", addresses[1], rows, cols, addresses[3], addresses[5], T)
    for at in addresses[0::2]:
        assert kernels.read(at, 1)[0] == 12345.0
