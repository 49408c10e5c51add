"""Plain YAML checked against a table of fields, with messages for authors.

A field table maps each allowed key to (accepted types, required?). Problems
are collected, not raised, so one build reports every mistake at once.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from runner.yamlfile import YamlError, parse

from .errors import Problem, clip, file_problem, quote, shown

TEXT, NUMBER, LIST, FLAG = (str,), (int,), (list,), (bool,)
KIND = {str: "text", int: "a whole number", list: "a list", dict: "a mapping",
        bool: "true or false"}


MAX_BYTES = 256 * 1024   # the longest section is about 7 KB


def read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    """The mapping in ``path``, or None after adding a Problem. Bounded work: a file
    over MAX_BYTES is refused unread, and the YAML is read by the project's one
    strict loader (runner/yamlfile.py: no aliases, no key given twice)."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        data = parse(text)
    except YamlError as error:
        problems.append(Problem(shown(path), clip(error.problem), error.hint, line=error.line))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown(path), "the file must hold a mapping of fields",
                                "write 'field: value' lines, see site_src/sections/README.md"))
        return None
    return data


def _read_text(path: Path, problems: list[Problem]) -> str | None:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problems.append(Problem(shown(path), f"the file has {size:,} bytes, more than "
                                    f"the {MAX_BYTES:,} a YAML file of the site may have",
                                    "split it, or shorten its text"))
            return None
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)   # it may have grown since
        if len(data) > MAX_BYTES:
            problems.append(Problem(shown(path), "the file grew while it was read",
                                    "build again once it is saved"))
            return None
        return data.decode("utf-8")
    except FileNotFoundError:
        problems.append(Problem(shown(path), "file not found", "create it"))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(file_problem(error, path))
    return None


def check_fields(data: dict, fields: dict, path: Path, section: str | None, what: str,
                  problems: list[Problem]) -> bool:
    """Unknown keys, missing keys and wrong types; True when all is well."""
    before = len(problems)
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key)[:100], fields, n=1)
            problems.append(Problem(
                shown(path), f"unknown field {quote(key)} in {what}",
                f"did you mean '{close[0]}'?" if close else
                "remove it; allowed fields: " + ", ".join(fields), section))
    for key, (types, required) in fields.items():
        if key not in data or data[key] is None:
            if required:
                problems.append(Problem(shown(path), f"missing field '{key}' in {what}",
                                        f"add '{key}:' ({KIND[types[0]]})", section))
            continue
        value = data[key]
        if types == NUMBER and isinstance(value, str) and value.isascii() and value.isdigit() \
                and len(value) < 10:
            data[key] = value = int(value)   # YAML reads 08 and 09 as text
        if not isinstance(value, types) or (isinstance(value, bool) and types != FLAG):
            problems.append(Problem(
                shown(path), f"field '{key}' in {what} must be {KIND[types[0]]}, "
                f"got {type(value).__name__} {quote(value)}",
                f"write '{key}:' as {KIND[types[0]]}", section))
    return len(problems) == before
