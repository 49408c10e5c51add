"""Small files the engine reads and writes for itself (the lock file, the chart
theme, cached charts): read with errors an author can act on, written so that
a crash or a full disk never leaves half a file behind."""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import BuildError, Problem, file_problem, shown


def read_json(path: Path, hint: str) -> Any:
    """The JSON in ``path``; a missing, unreadable or invalid file is a BuildError
    whose fix is ``hint`` where the file itself is at fault."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BuildError([file_problem(error, path)]) from None
    except UnicodeDecodeError as error:
        raise BuildError([replace(file_problem(error, path), hint=hint)]) from None
    except json.JSONDecodeError as error:
        raise BuildError([Problem(shown(path), f"is not valid JSON: {error.msg}", hint,
                                  line=error.lineno)]) from None
    except RecursionError:
        raise BuildError([Problem(shown(path), "is not valid JSON: nested too deeply",
                                  hint)]) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: written beside it, then renamed over it, so a
    reader sees the old file or the new one. Raises OSError, leaving no temporary."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):   # the first error is the one worth reporting
            tmp.unlink(missing_ok=True)
        raise
