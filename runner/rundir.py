"""The run directory: the one contract between `charrnn` and the site engine.

Training writes everything it learned and saw into one directory, analysis adds
to it, and the engine reads it; all three go through this module, and
docs/run-format.md describes the same files (a test holds the two together).
It imports only the standard library and NumPy, so a reader of runs never
loads PyTorch.

Three promises:
- **Atomic.** A run is written into a temporary sibling and renamed into place,
  so a reader sees the old directory or the complete new one, never half.
- **Verified.** `manifest.json`, written last, lists every file with its size
  and SHA-256. A directory without it is unfinished; a file that no longer
  matches it is damaged, and reading it raises RunError, which names the
  directory and says what to do, instead of a decoder's traceback.
- **Keyed.** `run_key` names a run by the code that made it (training,
  analysis and what they import) and its settings. The code is hashed as
  syntax trees without docstrings, so rewording a comment or a docstring keeps
  every cached run.

A run can also travel as plain bytes (`read_all` -> `write`): that is how a
sweep's worker on another machine hands a finished run back to the client.
"""
from __future__ import annotations

import ast
import hashlib
import io
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from .atomic import write_atomic, write_folder

FORMAT = 1
MANIFEST = "manifest.json"

# Every file of a finished run and what it holds; docs/run-format.md has the
# long form. Files marked optional may be absent (analysis is a second step).
FILES = {
    "config.json": "every training setting (TrainConfig's fields)",
    "vocab.json": "the vocabulary, in index order",
    "corpus.json": "corpus statistics and the entropy floor",
    "corpus.txt": "the text the run read, training then validation, as the loader normalised it",
    "curves.npz": "per-step loss, learning rate, gradient norm, clipping; validation loss",
    "snapshots.npz": "the network's inner state at the recorded steps",
    "snapshots.json": "parameter names and one short sample per recorded step",
    "weights.npz": "the weights at a subset of the recorded steps",
    "jacobians.npz": "Jacobian products over the last steps of a chunk",
    "checkpoint.npz": "the final weights and what it takes to rebuild the model",
    "best_checkpoint.npz": "the same, with the weights of the lowest validation loss",
    "console.txt": "what training printed",
    "summary.json": "the headline numbers of training",
    "timing.json": "how long training (and analysis) took: the only numbers that vary between repeats",
    "analysis.json": "phase 4, written by `charrnn analyze`",
}
# corpus.txt came later: a run made before it still reads, without it.
OPTIONAL = frozenset({"analysis.json", "corpus.txt"})

# The keys of summary.json, in the order docs/run-format.md explains them.
SUMMARY_FIELDS = (
    "params", "vocab_size", "corpus_chars", "train_chars", "val_chars", "num_sentences",
    "steps", "final_loss", "final_val_loss", "best_val_loss", "best_val_step",
    "entropy_floor", "uniform_loss", "spectral_radius_init", "spectral_radius_final",
    "clipped_share", "grad_norm_median", "grad_norm_min", "grad_norm_max", "chunks_per_pass",
    "final_lr", "recording",
    "diverged", "diverged_reason",
)


class RunError(Exception):
    """A run directory that is missing, unfinished or damaged: ``path``, what the
    ``problem`` is, and the ``fix``; the message is one line with all three."""

    def __init__(self, path: Path | str, problem: str, fix: str = ""):
        super().__init__(f"{path}: {problem}" + (f"; {fix}" if fix else ""))
        self.path, self.problem, self.fix = Path(path), problem, fix


# ---------------------------------------------------------------------------
# Encoding: everything in a run is bytes of a known kind

def json_bytes(data, compact: bool = False) -> bytes:
    """UTF-8 JSON with sorted keys, so that the same data gives the same bytes: one
    space of indent, or ``compact`` on one line for a file that is mostly numbers."""
    layout = {"separators": (",", ":")} if compact else {"indent": 1}
    return (json.dumps(data, sort_keys=True, allow_nan=False, **layout) + "\n").encode("utf-8")


def npz_bytes(compress: bool = True, **arrays) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buffer, **arrays)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Writing

def check_target(path: Path, *, replaced: bool = True) -> None:
    """Refuse, before any work, to write where something else would be lost: a run
    replaces the folder it is written as, so that folder must be new, empty or a
    run holding nothing else; a sweep only writes into its folder, which must not
    be a file."""
    path = Path(path)
    if not path.exists():
        parent = next(p for p in path.parents if p.exists())
        if not parent.is_dir():
            raise RunError(path, f"{parent} is a file, not a folder", "choose another --out")
        return
    if not path.is_dir():
        raise RunError(path, "is a file, not a folder", "choose another --out")
    problem = not_a_run(path) if replaced else not_a_sweep_index(path / INDEX)
    if problem:
        raise RunError(path, problem,
                       "choose a new or empty folder for --out, or move those files away yourself")


# ---------------------------------------------------------------------------
# Replacing a folder deletes it: only what this program wrote may be in it

STRAYS_COUNTED = 1_000   # a folder of many files is refused as soon as this many are found


def strays(folder: Path, known: set[str], limit: int = STRAYS_COUNTED) -> list[str]:
    """What is inside ``folder`` that ``known`` (relative POSIX paths of files) does
    not name: the files, links and empty folders that replacing it would delete
    although its writer never wrote them, sorted, at most ``limit``. A folder
    holding a known file is known; a symbolic link is never followed. Raises
    OSError when part of the folder cannot be read."""
    parents = {str(p) for name in known for p in PurePosixPath(name).parents} - {"."}
    return list(itertools.islice(_strays(Path(folder), "", known, parents), limit))


def _strays(folder: Path, prefix: str, known: set[str], parents: set[str]) -> Iterator[str]:
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            inside = _strays(Path(entry.path), f"{name}/", known, parents)
            first = next(inside, None)
            if first is None and name not in parents:
                yield f"{name}/"            # an empty folder nobody wrote is still someone's
            elif first is not None:
                yield first
                yield from inside
        elif name not in known:
            yield name


def listing(names: list[str], shown_names: int = 3) -> str:
    """'2 files (notes.txt, index.html)': a count and the first few names."""
    count = f"{len(names):,}" + (" or more" if len(names) >= STRAYS_COUNTED else "")
    more = ", ..." if len(names) > shown_names else ""
    return (f"{count} file{'' if len(names) == 1 else 's'} "
            f"({', '.join(map(_printable, names[:shown_names]))}{more})")


def _printable(name: str, limit: int = 40) -> str:
    """A file name fit for a one-line message: invisible characters escaped, cut short."""
    text = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def them(names: list[str]) -> str:
    return "it" if len(names) == 1 else "them"


RUN_NAMES = frozenset({MANIFEST, *FILES})


def not_a_run(run_dir: Path) -> str | None:
    """Why replacing the folder ``run_dir`` would delete what no run wrote, or None
    when it is empty or a run (its manifest, the run's mark, is there) holding only
    the files of the run format and the leftovers of killed writers."""
    run_dir = Path(run_dir)
    try:
        if not (run_dir / MANIFEST).is_file():
            found = strays(run_dir, set())
            return None if not found else (
                f"is not a run (it has no {MANIFEST}) and holds {listing(found)}; "
                f"writing a run here would delete {them(found)}")
        found = [name for name in strays(run_dir, set(RUN_NAMES)) if not STALE.match(name)]
    except OSError as error:
        return f"cannot be read to see what is in it ({error.strerror or error})"
    return None if not found else (
        f"holds {listing(found)} that no run writes; writing a run here would delete {them(found)}")


def write(run_dir: Path, files: Mapping[str, bytes], made_by: Mapping[str, str] | None = None) -> Path:
    """Write a complete run (file name -> content) as ``run_dir``, replacing any
    run already there only once the new one is whole. ``made_by`` names the code
    that made it, step by step ({"train": code_key}); the manifest records it."""
    run_dir = Path(run_dir)
    check_target(run_dir)
    missing = [name for name in FILES if name not in files and name not in OPTIONAL]
    if missing:
        raise ValueError(f"a run needs every documented file; missing {', '.join(missing)}")
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    # Last: the manifest vouches for what is already on disk.
    manifest = json_bytes(_manifest(files, made_by))
    write_folder(run_dir, {**{_file_name(name): content for name, content in files.items()},
                           MANIFEST: manifest})
    return run_dir


def add(run_dir: Path, files: Mapping[str, bytes], made_by: Mapping[str, str] | None = None) -> None:
    """Add (or replace) files in a finished run: each file is renamed into place,
    then the manifest is rewritten to include it (and ``made_by``, the code of
    this step, e.g. {"analysis": code_key})."""
    run_dir = Path(run_dir)
    manifest = _read_manifest(run_dir)
    for name, content in files.items():
        write_atomic(run_dir / _file_name(name), content)
    manifest["files"].update(_manifest(files)["files"])
    if made_by:
        manifest["made_by"] = {**_made_by_of(manifest), **made_by}
    write_atomic(run_dir / MANIFEST, json_bytes(manifest))


def _manifest(files: Mapping[str, bytes], made_by: Mapping[str, str] | None = None) -> dict:
    manifest = {"format": FORMAT,
                "files": {name: {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
                          for name, content in sorted(files.items())}}
    if made_by:
        manifest["made_by"] = dict(made_by)
    return manifest


def made_by(run_dir: Path) -> dict[str, str]:
    """The key of the code that made each step of the run ({"train": ...,
    "analysis": ...}); empty for a run written before runs recorded it."""
    return _made_by_of(_read_manifest(Path(run_dir)))


def _made_by_of(manifest: dict) -> dict[str, str]:
    steps = manifest.get("made_by")
    if not isinstance(steps, dict):
        return {}
    return {str(step): key for step, key in steps.items() if isinstance(key, str)}


def _file_name(name: str) -> str:
    if name not in FILES:
        raise ValueError(f"{name!r} is not a file of the run format (see runner/rundir.py FILES)")
    return name


STALE = re.compile(r"^\..+\.(?:tmp|old)-(\d+)(?:-.*)?$")


def clean_stale(folder: Path) -> list[Path]:
    """Delete the temporary folders and files that killed writers left in ``folder``
    (named ``.NAME.tmp-PID...`` or ``.NAME.old-PID``), when their process is gone.
    Returns what was deleted."""
    removed = []
    for path in sorted(Path(folder).glob(".*")) if Path(folder).is_dir() else []:
        match = STALE.match(path.name)
        if match and not _alive(int(match.group(1))):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # it exists, under another user
        return True
    return True


# ---------------------------------------------------------------------------
# Reading, verified

def is_complete(run_dir: Path) -> bool:
    """A finished run whose files still have their recorded sizes (a quick check;
    reading a file checks its digest too)."""
    try:
        check(run_dir, digests=False)
    except RunError:
        return False
    return True


def check(run_dir: Path, digests: bool = True) -> None:
    """Raise RunError unless every file the manifest lists is there, with its size
    (and, with ``digests``, its SHA-256)."""
    run_dir = Path(run_dir)
    for name, entry in _read_manifest(run_dir)["files"].items():
        path = run_dir / name
        try:
            size = path.stat().st_size
        except OSError:
            raise _damaged(run_dir, f"{name} is missing") from None
        if size != entry["bytes"]:
            raise _damaged(run_dir, f"{name} has {size:,} bytes, not the {entry['bytes']:,} "
                                    "it was written with")
        if digests:
            read_bytes(run_dir, name)


def read_bytes(run_dir: Path, name: str) -> bytes:
    """The content of one file of a finished run, checked against the manifest."""
    run_dir = Path(run_dir)
    entry = _read_manifest(run_dir)["files"].get(name)
    if entry is None:
        raise RunError(run_dir, f"the run has no {name}",
                       "run `charrnn analyze` on it" if name == "analysis.json" else "")
    try:
        content = (run_dir / name).read_bytes()
    except OSError as error:
        raise _damaged(run_dir, f"{name} cannot be read ({error.strerror})") from None
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise _damaged(run_dir, f"{name} does not match its manifest (truncated or overwritten)")
    return content


def file_stats(run_dir: Path) -> dict[str, list[int]] | None:
    """Size and modification time of every file of a finished run, the manifest
    included (None when it is not one). A caller that verified a run can keep
    these and tell later, as git does, that nothing has touched it since,
    without reading it again."""
    run_dir = Path(run_dir)
    try:
        names = [MANIFEST, *_read_manifest(run_dir)["files"]]
        return {name: [(s := (run_dir / name).stat()).st_size, s.st_mtime_ns] for name in names}
    except (RunError, OSError):
        return None


def has(run_dir: Path, name: str) -> bool:
    return name in _read_manifest(Path(run_dir))["files"]


def read_json(run_dir: Path, name: str):
    try:
        return json.loads(read_bytes(run_dir, name).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(Path(run_dir), f"{name} is not valid JSON ({error})") from None


def read_text(run_dir: Path, name: str) -> str:
    try:
        return read_bytes(run_dir, name).decode("utf-8")
    except UnicodeDecodeError:
        raise _damaged(Path(run_dir), f"{name} is not UTF-8 text") from None


def read_arrays(run_dir: Path, name: str, keys=None) -> dict[str, np.ndarray]:
    """The arrays of one archive (only ``keys``, when given: the others stay
    compressed), the file checked against the manifest first."""
    return _arrays(read_bytes(run_dir, name), Path(run_dir) / name, keys)


def read_all(run_dir: Path) -> dict[str, bytes]:
    """Every file of a finished run, verified: the run as plain bytes, ready to be
    sent elsewhere and written with `write`."""
    return {name: read_bytes(run_dir, name) for name in _read_manifest(Path(run_dir))["files"]}


def _arrays(content: bytes, where: Path, keys=None) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as archive:
            return {key: archive[key] for key in (archive.files if keys is None else keys)}
    except Exception as error:   # zipfile, zlib and NumPy each raise their own kinds
        raise _damaged(where.parent, f"{where.name} is not a readable NumPy archive "
                                     f"({type(error).__name__})") from None


def _read_manifest(run_dir: Path) -> dict:
    path = run_dir / MANIFEST
    if not run_dir.is_dir():
        raise RunError(run_dir, "no such run directory", "train one with `charrnn train --out DIR`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        if not all(isinstance(e, dict) and isinstance(e.get("bytes"), int)
                   and isinstance(e.get("sha256"), str) for e in files.values()):
            raise ValueError("malformed entry")
    except FileNotFoundError:
        raise RunError(run_dir, f"not a finished run (no {MANIFEST}: training was interrupted, "
                                "or the folder is not a run)", "delete it and train again") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise _damaged(run_dir, f"{MANIFEST} is damaged") from None
    return manifest


def _damaged(run_dir: Path, what: str) -> RunError:
    return RunError(run_dir, f"damaged run: {what}", "delete the folder and train it again")


# ---------------------------------------------------------------------------
# The checkpoint: the final weights and what it takes to rebuild the model

@dataclass
class Checkpoint:
    chars: tuple[str, ...]
    hidden_size: int
    embedding_dim: int
    activation: str
    init: str
    params: dict[str, np.ndarray]   # parameter name -> float64 array


def checkpoint_bytes(checkpoint: Checkpoint) -> bytes:
    return npz_bytes(compress=False, chars=np.asarray(checkpoint.chars),
                     hidden_size=checkpoint.hidden_size, embedding_dim=checkpoint.embedding_dim,
                     activation=checkpoint.activation, init=checkpoint.init,
                     **{f"param_{name}": array for name, array in checkpoint.params.items()})


def read_checkpoint(path: Path, name: str = "checkpoint.npz") -> Checkpoint:
    """From a run directory (verified against its manifest), a sweep's folder (its
    walked-through run) or a checkpoint file. In a directory, ``name`` is
    checkpoint.npz (the final weights) or best_checkpoint.npz."""
    path = walked_run(Path(path))
    if path.is_dir():
        arrays = read_arrays(path, name)
        where = path / name
    elif path.is_file():
        try:
            content = path.read_bytes()
        except OSError as error:
            raise RunError(path, f"cannot be read ({error.strerror})") from None
        where = path
        arrays = _arrays(content, path)
    else:
        raise RunError(path, "no such run directory or checkpoint",
                       "train first: `charrnn train --out RUN_DIR`")
    try:
        return Checkpoint(chars=tuple(str(c) for c in arrays["chars"]),
                          hidden_size=int(arrays["hidden_size"]),
                          embedding_dim=int(arrays["embedding_dim"]),
                          activation=str(arrays["activation"]), init=str(arrays["init"]),
                          params={key[len("param_"):]: arrays[key].astype(np.float64)
                                  for key in sorted(arrays) if key.startswith("param_")})
    except (KeyError, ValueError, TypeError) as error:
        raise _damaged(where.parent, f"{where.name} lacks what a checkpoint holds ({error})") from None


# ---------------------------------------------------------------------------
# Keys: which code and which settings made a run

# The code that makes a run is the subject package, all of it: it holds nothing
# but the program the site teaches. Its entry shim (__main__.py) only hands the
# command line to the runner.
NOT_RUN_CODE = frozenset({"__main__.py"})
CODE_KEY_FORMAT = 3    # what a memo of code_key holds; a memo of another format is not used


def code_key(package: Path, memo: dict | None = None) -> str:
    """A hash of the code that makes a run, as syntax trees without docstrings.

    Comments never reach the tree, and line numbers are left out of the dump,
    so rewording a comment or a docstring, or moving code down a line, keeps
    the key; any change to what the code does changes it. ``memo`` maps a
    file's bytes (by their SHA-256) to the digest of its tree: a caller that
    keeps it between calls parses only the files that changed.
    """
    memo = {} if memo is None else memo
    digest = hashlib.sha256()
    for path in sorted(Path(package).glob("*.py")):
        if path.name in NOT_RUN_CODE:
            continue
        source = path.read_bytes()
        sha = hashlib.sha256(source).hexdigest()
        if sha not in memo:
            memo[sha] = _tree_digest(source, path)
        digest.update(f"{path.name}\0{memo[sha]}\0".encode())
    return digest.hexdigest()[:16]


def _tree_digest(source: bytes, path: Path) -> str:
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise RunError(f"{path}:{error.lineno}", f"the file does not parse ({error.msg})",
                       "fix the syntax error") from None
    _drop_docstrings(tree)
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


def _drop_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]


def run_key(code: str, config: Mapping) -> str:
    """The cache key of one run: the code key and every setting, resolved."""
    canonical = json.dumps(dict(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{code}\n{canonical}".encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------
# A sweep's index: DIR/index.json lists the runs of an experiment matrix

INDEX = "index.json"


def write_index(folder: Path, index: dict) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / INDEX, json_bytes(index))


def not_a_sweep_index(path: Path) -> str | None:
    """Why a sweep must not overwrite ``path`` (DIR/index.json), or None: it is absent
    or the index of a sweep (JSON with the code key and the list of runs)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(index, dict) and isinstance(index.get("runs"), list) and "code_key" in index:
            return None
    except (OSError, ValueError):
        pass
    return f"holds {path.name}, which is not a sweep's index; the sweep would overwrite it"


def walked_run(path: Path) -> Path:
    """``path`` itself, or, when it is a sweep's folder, the run its index names in
    ``walk`` (the run the site's sections read)."""
    if not (path / INDEX).is_file():
        return path
    index = read_index(path)
    walk = index.get("walk", {})
    for entry in index["runs"]:
        if (entry["variant"], entry["seed"]) == (walk.get("variant"), walk.get("seed")):
            return path / entry["dir"]
    raise RunError(path, f"the sweep has no finished run for {walk}", "run the sweep again")


def read_index(folder: Path) -> dict:
    path = Path(folder) / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(index.get("runs"), list):
            raise ValueError("no list of runs")
    except FileNotFoundError:
        raise RunError(path, "no sweep index here", f"run `charrnn sweep FILE --out {folder}`") from None
    except (OSError, ValueError, AttributeError) as error:
        raise RunError(path, f"damaged sweep index ({error})", "delete it and run the sweep again") from None
    return index

