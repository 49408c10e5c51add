"""The sandbox that author text renders in: Jinja's, with a budget.

Prose, annotations and the overview intro are Jinja templates (figures.py).
Jinja's ImmutableSandboxedEnvironment keeps them away from Python's insides and
from changing the run, but not from work: nested loops, ``"x" * 10**10``,
``'%999999999d' % 1`` or a filter with a huge width would hang the build or
exhaust memory. Here every text renders under a budget, and an operation that
would build something too big is refused before Python builds it:

- steps: every loop iteration, call, filter and operator costs one; a text has
  STEPS of them and SECONDS of wall time;
- size: no value a text makes may hold more than MAX_SIZE characters or items,
  nor may all it outputs (blocks captured by ``set`` or ``filter`` included)
  exceed MAX_OUTPUT characters; an operation whose cost grows with the product
  of its inputs (padding, repeating, joining, replacing) must stay under
  MAX_WORK, and a number under MAX_INT_BITS bits;
- include, import, extends and recursive loops are not available.

The budget is counted by hooks the sandbox offers (calls, operators, the
``finalize`` of every ``{{ }}``) and by two filters put into the parsed
template: one around the iterable of each loop, one for each ``~``.
"""
from __future__ import annotations

import functools
import itertools
import re
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from .errors import Refusal

STEPS = 100_000
SECONDS = 2.0
MAX_SIZE = 100_000        # characters or items in one value
MAX_OUTPUT = 1_000_000    # characters one text outputs, captured blocks included
MAX_WORK = 10_000_000     # characters an operation may touch
MAX_INT_BITS = 10_000     # about 3,000 decimal digits
MAX_WIDTH = 1_000         # a printf-style field width or precision

# str methods that pad or format: filters do all of that (and are budgeted).
PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map"})
HINT = ("author text is for run figures and short conditions: loop over less, or record "
        "the value in the run (charrnn) instead of computing it in the text")


class OverBudget(Refusal):
    """An author's text that would take too long or make too much to render."""

    default_hint = HINT


class _Budget:
    def __init__(self):
        self.steps, self.output = STEPS, MAX_OUTPUT
        self.deadline = time.monotonic() + SECONDS

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise OverBudget(f"the text takes more than {STEPS:,} steps (loop iterations, "
                             "calls, filters, operators) to render")
        if time.monotonic() > self.deadline:
            raise OverBudget(f"the text takes more than {SECONDS:g} s to render")

    def emit(self, size: int) -> None:
        self.output -= size
        if self.output < 0:
            raise OverBudget(f"the text outputs more than {MAX_OUTPUT:,} characters")


_budget: ContextVar[_Budget] = ContextVar("budget")


def size_of(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters and items in ``value``, counted through nested containers, but
    only until the count passes ``limit``: the cost of measuring stays bounded."""
    total, todo = 0, [value]
    while todo and total <= limit:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool):
            total += 1
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1   # about its decimal digits
        elif isinstance(item, dict):
            total += len(item)
            if total <= limit:
                todo.extend(item.keys())
                todo.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += len(item)
            if total <= limit:
                todo.extend(item)
        elif isinstance(item, range):
            total += len(item)      # its length, without making its items
        else:
            total += 1
    return total


def _too_big(value: Any) -> Any:
    if size_of(value) > MAX_SIZE:
        raise OverBudget(f"the text makes a value of more than {MAX_SIZE:,} characters or items")
    return value


def _check_work(subject: Any, args: tuple, kwargs: dict, what: str) -> None:
    """Refuse a call or filter whose work could grow with the product of its
    subject and its arguments: a width, a count, a separator repeated per item."""
    load = 1
    for arg in (*args, *kwargs.values()):
        is_int = isinstance(arg, int) and not isinstance(arg, bool)
        load += abs(arg) if is_int else size_of(arg, MAX_WORK)
    if (size_of(subject, MAX_WORK) + 1) * load > MAX_WORK:
        raise OverBudget(f"{what} would build more than {MAX_WORK:,} characters",
                         "use smaller widths and counts in the text")


PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_printf(template: str) -> None:
    for match in PRINTF.finditer(template):
        for number in match.groups():
            if number == "*" or (number is not None and len(number) > 4) or \
                    (number is not None and int(number) > MAX_WIDTH):
                raise OverBudget(f"a %-format in the text asks for a field of "
                                 f"{number if number != '*' else 'any'} characters",
                                 f"use widths and precisions up to {MAX_WIDTH:,}")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    sequences = (str, list, tuple)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, sequences) and isinstance(times, int) and \
                    size_of(seq) * times > MAX_SIZE:
                raise OverBudget(f"repeating a value {times:,} times would make more than "
                                 f"{MAX_SIZE:,} characters or items")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise OverBudget(f"the text makes a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and \
                max(left.bit_length(), 1) * right > MAX_INT_BITS:
            raise OverBudget(f"the text makes a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "%" and isinstance(left, str):
        _check_printf(left)
    elif operator == "+" and isinstance(left, sequences) and \
            size_of(left) + size_of(right) > MAX_SIZE:
        raise OverBudget(f"the text makes a value of more than {MAX_SIZE:,} characters or items")


def _each(iterable: Any, literal: int) -> Iterator[Any]:
    """The iterable of a loop, one step per iteration; ``literal`` is the length of
    the fixed text in the loop's body, output again by every iteration."""
    budget = _budget.get()
    for item in iterable:
        budget.step()
        budget.emit(literal)
        yield item


def _concat(parts: list) -> str:
    """``a ~ b``: refused before it is made if the result would be too big."""
    _budget.get().step()
    texts = [str(part) for part in parts]
    if sum(map(len, texts)) > MAX_SIZE:
        raise OverBudget(f"joining text with '~' would make more than {MAX_SIZE:,} characters")
    return "".join(texts)


def _guarded(name: str, filter_: Callable) -> Callable:
    """``filter_`` with its work checked before and its result after."""
    @functools.wraps(filter_)   # keeps Jinja's pass_context & co. markers
    def guarded(*args, **kwargs):
        _budget.get().step()
        values = [a for a in args if not isinstance(a, (Context, EvalContext, jinja2.Environment))]
        subject, rest = (values[0], tuple(values[1:])) if values else (None, ())
        if name == "join" and not isinstance(subject, str):
            # A separator is written once per item, and the items may come from
            # a generator whose length nothing tells: count them first, up to a cap.
            items = list(itertools.islice(iter(subject), MAX_SIZE + 1))
            if len(items) > MAX_SIZE:
                raise OverBudget(f"the filter 'join' was given more than {MAX_SIZE:,} items")
            args = tuple(items if a is subject else a for a in args)
            subject = items
        _check_work(subject, rest, kwargs, f"the filter '{name}'")
        if name == "format" and isinstance(subject, str):
            _check_printf(subject)
        return _too_big(filter_(*args, **kwargs))
    return guarded


def _emit(value: Any) -> Any:
    """Jinja's finalize: sees every ``{{ value }}`` before it becomes text."""
    if isinstance(value, jinja2.Undefined):
        return value   # let Jinja report it
    size = size_of(value)
    _budget.get().emit(size)
    return _too_big(value)


class _Metered(NodeTransformer):
    """Rewrites a parsed text so that its loops and ``~`` count against the budget."""

    def visit_For(self, node: nodes.For) -> nodes.For:
        if node.recursive:
            raise jinja2.TemplateSyntaxError("recursive loops are not available in author "
                                             "text", node.lineno)
        self.generic_visit(node)
        literal = sum(len(data.data) for part in node.body
                      for data in part.find_all(nodes.TemplateData))
        node.iter = nodes.Filter(node.iter, "_each", [nodes.Const(literal)], [], None, None,
                                 lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_concat", [], [],
                            None, None, lineno=node.lineno)

    def generic_visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> nodes.Node:
        if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            raise jinja2.TemplateSyntaxError(f"'{type(node).__name__.lower()}' is not available "
                                             "in author text: it is one template", node.lineno)
        return super().generic_visit(node, *args, **kwargs)


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose ``render`` keeps each text within the budget."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, filters: dict[str, Callable], **options):
        super().__init__(finalize=_emit, **options)
        self.filters.update(filters)
        self.filters = {name: _guarded(name, f) for name, f in self.filters.items()}
        self.filters.update(_each=_each, _concat=_concat)
        del self.globals["lipsum"]   # nothing for a figure to do, and a way to make text

    def render(self, text: str, **context: Any) -> str:
        """``text`` as a template, rendered with ``context``. Raises OverBudget, or
        the error of Jinja or Python that the text caused."""
        token = _budget.set(_Budget())
        try:
            template = self.from_string(_Metered().visit(self.parse(text)))
            return "".join(template.generate(**context))
        except RecursionError:
            raise OverBudget("the text nests or recurses too deeply") from None
        except MemoryError:
            raise OverBudget("the text needs more memory than there is") from None
        finally:
            _budget.reset(token)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in PADDING:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Any:
        # Jinja hands out a sandboxed str.format before asking is_safe_attribute;
        # widths in "{:999999999}" would still allocate, so it is not handed out.
        if super().wrap_str_format(value) is None:
            return None
        return self.unsafe_undefined(value.__self__, value.__name__)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        _budget.get().step()
        _check_work(getattr(obj, "__self__", None), args, kwargs, "a call")
        return _too_big(super().call(context, obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _budget.get().step()
        _check_binop(operator, left, right)
        return _too_big(super().call_binop(context, operator, left, right))
