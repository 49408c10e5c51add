"""Plain YAML checked against a table of fields, with messages for authors.

A field table maps each allowed key to (accepted types, required?). Problems
are collected, not raised, so one build reports every mistake at once.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from .errors import Problem, clip, file_problem, quote, shown

TEXT, NUMBER, LIST, FLAG = (str,), (int,), (list,), (bool,)
KIND = {str: "text", int: "a whole number", list: "a list", dict: "a mapping",
        bool: "true or false"}


MAX_BYTES = 256 * 1024   # the longest section is about 7 KB


def read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    """The mapping in ``path``, or None after adding a Problem. Bounded work: a file
    over MAX_BYTES is refused unread, and anchors and aliases (``&a`` / ``*a``),
    which let a few lines stand for a value of any size, are refused."""
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = " ".join(filter(None, [error.context, error.problem]))
        hint = ("a value with ': ' in it or a ':' at its end, like Python code, must be "
                "quoted ('for x in y:') or written as a block after '|'"
                if "mapping values are not allowed" in what else
                "fix the YAML syntax at that line (indentation, quotes, colons)")
        problems.append(Problem(shown(path), f"invalid YAML: {clip(what)}", hint,
                                line=mark.line + 1 if mark else None))
        return None
    except yaml.reader.ReaderError as error:   # a character YAML does not allow in a file
        problems.append(Problem(shown(path), f"invalid YAML: {error.reason} "
                                f"(character #x{error.character:04x})",
                                "delete the character, or write it as an escape inside "
                                'double quotes ("\\t")',
                                line=text.count("\n", 0, error.position) + 1))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(shown(path), f"invalid YAML: {clip(str(error))}",
                                "fix the YAML syntax"))
        return None
    except (ValueError, OverflowError) as error:   # a number or a date Python cannot hold
        problems.append(Problem(shown(path), f"a value cannot be read: {clip(str(error))}",
                                "check the numbers and dates in the file (a number of "
                                "thousands of digits? a 30th of February?); quote text"))
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


# libyaml's parser when PyYAML was built with it: the same rules, several times faster.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML silently keeps the last)
    and any alias: a node that appears twice in the document."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return self.construct_document(node)

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
                    None, None, f"the key {quote(key)} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _refuse_aliases(root: yaml.Node) -> None:
    """Walk the node graph (without recursion: it may be deep) and stop at the first
    node reached twice, which only an alias can do."""
    seen, todo = set(), [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "an alias ('*name') repeats an anchored value: the site's "
                "YAML files do not use anchors and aliases; write the value out",
                node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(part for pair in node.value for part in pair)


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
