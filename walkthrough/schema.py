"""Plain YAML checked against a table of fields, with messages for authors.

A field table maps each allowed key to (accepted types, required?). Problems
are collected, not raised, so one build reports every mistake at once.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from .errors import Problem, shown

TEXT, NUMBER, LIST, FLAG = (str,), (int,), (list,), (bool,)
KIND = {str: "text", int: "a whole number", list: "a list", dict: "a mapping",
        bool: "true or false"}


def read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except FileNotFoundError:
        problems.append(Problem(shown(path), "file not found", "create it"))
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = " ".join(filter(None, [error.context, error.problem]))
        hint = ("a value with ': ' in it or a ':' at its end, like Python code, must be "
                "quoted ('for x in y:') or written as a block after '|'"
                if "mapping values are not allowed" in what else
                "fix the YAML syntax at that line (indentation, quotes, colons)")
        problems.append(Problem(shown(path), f"invalid YAML: {what}", hint,
                                line=mark.line + 1 if mark else None))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(shown(path), f"invalid YAML: {error}", "fix the YAML syntax"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown(path), "the file must hold a mapping of fields",
                                "write 'field: value' lines, see site_src/sections/README.md"))
        return None
    return data


# libyaml's parser when PyYAML was built with it: the same rules, several times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found a mapping where text was expected: a value that "
                    "starts with '{{' must be quoted, or written as a block after '|'",
                    key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def check_fields(data: dict, fields: dict, path: Path, section: str | None, what: str,
                  problems: list[Problem]) -> bool:
    """Unknown keys, missing keys and wrong types; True when all is well."""
    before = len(problems)
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            problems.append(Problem(
                shown(path), f"unknown field '{key}' in {what}",
                f"did you mean '{close[0]}'?" if close else
                "remove it; allowed fields: " + ", ".join(fields), section))
    for key, (types, required) in fields.items():
        if key not in data or data[key] is None:
            if required:
                problems.append(Problem(shown(path), f"missing field '{key}' in {what}",
                                        f"add '{key}:' ({KIND[types[0]]})", section))
            continue
        value = data[key]
        if types == NUMBER and isinstance(value, str) and value.isdigit():
            data[key] = value = int(value)   # YAML reads 08 and 09 as text
        if not isinstance(value, types) or (isinstance(value, bool) and types != FLAG):
            problems.append(Problem(
                shown(path), f"field '{key}' in {what} must be {KIND[types[0]]}, "
                f"got {type(value).__name__} {value!r}",
                f"write '{key}:' as {KIND[types[0]]}", section))
    return len(problems) == before
