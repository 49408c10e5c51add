"""The rendered-text cache: a prose edit renders only the edited text again, a
change of figures or of the rendering code renders everything, and a damaged
cache file is discarded with one warning."""
from __future__ import annotations

import pytest

from walkthrough import textcache
from walkthrough.textcache import TextCache


@pytest.fixture
def cache_file(tmp_path):
    return tmp_path / "text.json"


def renders(cache: TextCache, texts: list[str]) -> list[str]:
    made = []
    for text in texts:
        cache.get("markdown", text, lambda t: made.append(t) or f"<p>{t}</p>")
    return made


def test_only_new_texts_are_rendered_again(cache_file):
    warnings: list[str] = []
    first = TextCache(cache_file, {"params": 7256}, warnings.append)
    assert renders(first, ["a", "b", "c"]) == ["a", "b", "c"]
    first.save()
    second = TextCache(cache_file, {"params": 7256}, warnings.append)
    assert renders(second, ["a", "b edited", "c"]) == ["b edited"]
    assert second.get("markdown", "a", lambda t: "never") == "<p>a</p>"
    second.save()
    third = TextCache(cache_file, {"params": 7256}, warnings.append)
    assert renders(third, ["b"]) == ["b"]           # entries unused by the last build are gone
    assert warnings == []


def test_other_figures_or_other_engine_code_render_everything(cache_file, monkeypatch):
    cache = TextCache(cache_file, {"params": 7256}, print)
    renders(cache, ["a"])
    cache.save()
    assert renders(TextCache(cache_file, {"params": 1064}, print), ["a"]) == ["a"]
    monkeypatch.setattr(textcache, "RENDERERS", textcache.RENDERERS[:-1])   # other code
    assert renders(TextCache(cache_file, {"params": 7256}, print), ["a"]) == ["a"]


@pytest.mark.parametrize("damage", ["truncated", "emptied", "garbage", "digest line"])
def test_a_damaged_cache_is_discarded_with_one_warning(cache_file, damage):
    cache = TextCache(cache_file, {}, print)
    renders(cache, ["a", "b"])
    cache.save()
    data = cache_file.read_bytes()
    cache_file.write_bytes({"truncated": data[: len(data) // 2], "emptied": b"",
                            "garbage": bytes(255 - b for b in data),
                            "digest line": data.partition(b"\n")[2]}[damage])
    warnings: list[str] = []
    again = TextCache(cache_file, {}, warnings.append)
    assert renders(again, ["a", "b"]) == ["a", "b"]
    assert len(warnings) == 1 and "damaged text cache" in warnings[0] and "\n" not in warnings[0]
