"""YAML as the project's files are read: the site's sections and the experiment file.

One loader for both, strict where PyYAML is lenient and bounded where YAML
lets a few lines stand for a huge value:
- a key given twice is an error (PyYAML silently keeps the last);
- an alias (``*name``) is an error, so an "alias bomb" cannot multiply a small
  file into a huge value;
- every failure is a YamlError: what is wrong, the line, and what to do.
Each caller bounds the size of what it reads before it parses.
"""
from __future__ import annotations

import yaml

from charrnn.config import quoted


class YamlError(ValueError):
    def __init__(self, problem: str, hint: str, line: int | None = None):
        super().__init__(problem if line is None else f"line {line}: {problem}")
        self.problem, self.hint, self.line = problem, hint, line


def parse(text: str):
    """The value ``text`` holds; raises YamlError."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = " ".join(filter(None, [error.context, error.problem]))
        hint = ("a value with ': ' in it or a ':' at its end, like Python code, must be "
                "quoted ('for x in y:') or written as a block after '|'"
                if "mapping values are not allowed" in what else
                "fix the YAML syntax at that line (indentation, quotes, colons)")
        raise YamlError(f"invalid YAML: {_one_line(what)}", hint,
                        mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:   # a character YAML does not allow in a file
        raise YamlError(f"invalid YAML: {error.reason} (character #x{error.character:04x})",
                        "delete the character, or write it as an escape inside "
                        'double quotes ("\\t")', text.count("\n", 0, error.position) + 1) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {_one_line(str(error))}", "fix the YAML syntax") from None
    except (ValueError, OverflowError) as error:   # a number or a date Python cannot hold
        raise YamlError(f"a value cannot be read: {_one_line(str(error))}",
                        "check the numbers and dates in the file (a number of "
                        "thousands of digits? a 30th of February?); quote text") from None


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text[:limit * 4].split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


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
                    None, None, f"the key {quoted(key)} is given twice", key_node.start_mark)
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
                None, None, "an alias ('*name') repeats an anchored value: these "
                "YAML files do not use anchors and aliases; write the value out",
                node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(part for pair in node.value for part in pair)
