"""How many generated cases each property test of the build ran, and how they
ended, printed in the run's summary (tests/conftest.py): a property test that
ends every case the same way is worth a second look at its strategy."""
from __future__ import annotations

counted: dict[str, dict[str, int]] = {}


def record(test: str, result: str) -> None:
    counted.setdefault(test, {"ok": 0, "problems": 0})[result] += 1


def lines() -> list[str]:
    return [f"hypothesis {test}: {sum(results.values())} cases "
            f"({results['ok']} built clean, {results['problems']} refused)"
            for test, results in sorted(counted.items())]
