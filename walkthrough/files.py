"""Small files the engine reads and writes for itself (the lock file, the chart
theme, cached charts): read with errors an author can act on, written so that
a crash or a full disk never leaves half a file behind.

Cache entries are *sealed*: a first line holds the SHA-256 and the length of
what follows, so a truncated, damaged or foreign entry is recognised and
discarded, never used."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.atomic import write_atomic

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


SEAL = re.compile(rb"<!-- sha256:([0-9a-f]{64}) bytes:([0-9]{1,12}) -->\Z")


def write_sealed(path: Path, body: bytes) -> None:
    """Write ``body`` atomically behind its seal line. Raises OSError."""
    seal = b"<!-- sha256:%s bytes:%d -->" % (hashlib.sha256(body).hexdigest().encode(), len(body))
    write_atomic(path, seal + b"\n" + body)


def unseal(data: bytes) -> tuple[bytes | None, str]:
    """What a sealed file holds, and "" when it is sound; otherwise None and what
    is wrong with it, in words a warning can quote."""
    first, _, body = data.partition(b"\n")
    match = SEAL.match(first)
    if match is None:
        return None, "it is empty" if not data else "its digest line is missing"
    if int(match.group(2)) != len(body):
        return None, f"it holds {len(body):,} of its {int(match.group(2)):,} bytes"
    if hashlib.sha256(body).hexdigest() != match.group(1).decode():
        return None, "its content does not match its digest"
    return body, ""
