"""Compile site_src/static/kernels.wat into kernels.js, the form the pages load.

    .venv/bin/python scripts/build_kernels.py

A page opened from file:// may not fetch a .wasm file, so the module travels as
base64 inside a plain script; rnn.js compiles it. Run this after editing
kernels.wat: tests/test_kernels.py fails while the two disagree.
"""
from __future__ import annotations

import base64
import textwrap
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "site_src" / "static"
SOURCE, TARGET = STATIC / "kernels.wat", STATIC / "kernels.js"


def compile_kernels(source: Path = SOURCE) -> bytes:
    import wasmtime  # a test extra: only whoever edits the kernels needs it
    return wasmtime.wat2wasm(source.read_text(encoding="utf-8"))


def kernels_script(wasm: bytes) -> str:
    lines = textwrap.wrap(base64.b64encode(wasm).decode("ascii"), 100)
    body = " +\n  ".join(f'"{line}"' for line in lines)
    return ("// kernels.wat compiled to WebAssembly, as base64 (rnn.js compiles it). Written by\n"
            "// scripts/build_kernels.py: edit kernels.wat, then run it.\n"
            f"self.charrnnKernels =\n  {body};\n")


def main() -> None:
    TARGET.write_text(kernels_script(compile_kernels()), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(STATIC.parents[1])}")


if __name__ == "__main__":
    main()
