"""The run cache trains only when the sources or the training settings changed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from engine_fixtures import DEMO

from walkthrough import cache


def test_key_follows_sources_and_settings(project):
    key = cache.run_key(project.package, {})
    assert cache.run_key(project.package, {}) == key
    assert cache.run_key(project.package, {"steps": 10}) != key
    assert cache.run_key(project.package, {"steps": 10, "lr": 0.1}) == \
        cache.run_key(project.package, {"lr": 0.1, "steps": 10})
    project.source(DEMO + "\n# a comment\n")
    assert cache.run_key(project.package, {}) != key
    (project.package / "other.py").write_text("x = 1\n")
    assert len({key, cache.run_key(project.package, {})}) == 2


def test_trains_on_a_miss_only(project, monkeypatch):
    calls = []

    def fake_train(package, settings, run_dir):
        calls.append(("train", dict(settings)))
        shutil.copytree(project.run, run_dir)

    monkeypatch.setattr(cache, "train_run", fake_train)
    monkeypatch.setattr(cache, "analyze_run", lambda package, run_dir: calls.append("analyze"))
    root = project.root / ".cache"
    first = cache.ensure_run(project.package, {"steps": 5}, root, log=lambda m: None)
    again = cache.ensure_run(project.package, {"steps": 5}, root, log=lambda m: None)
    assert first == again == root / "runs" / cache.run_key(project.package, {"steps": 5})
    assert calls == [("train", {"steps": 5})]        # analysis.json came with the run
    cache.ensure_run(project.package, {"steps": 6}, root, log=lambda m: None)
    assert calls[-1] == ("train", {"steps": 6})


def test_analyses_a_run_without_analysis(project, monkeypatch):
    calls = []
    root = project.root / ".cache"
    run_dir = root / "runs" / cache.run_key(project.package, {})
    shutil.copytree(project.run, run_dir)
    (run_dir / "analysis.json").unlink()
    monkeypatch.setattr(cache, "train_run", lambda *a: calls.append("train"))
    monkeypatch.setattr(cache, "analyze_run", lambda package, d: calls.append("analyze"))
    cache.ensure_run(project.package, {}, root, log=lambda m: None)
    assert calls == ["analyze"]


def test_an_unfinished_run_is_not_taken_for_a_cached_one(project):
    root = project.root / ".cache"
    run_dir = root / "runs" / cache.run_key(project.package, {})
    run_dir.mkdir(parents=True)                     # no summary.json: not finished
    assert cache.cached_run(root, cache.run_key(project.package, {})) is None


def test_training_failure_is_one_clear_error(project, monkeypatch):
    def broken(package, settings, run_dir):
        raise ValueError("lr must be > 0, got -1")

    monkeypatch.setattr(cache, "train_run", broken)
    message = project.fail(run=None, settings={"lr": -1})
    assert "training failed: ValueError: lr must be > 0, got -1" in message


def test_a_diverged_run_is_an_error_and_is_not_cached(tmp_path):
    """Real training with a learning rate that blows up: ensure_run stops, names the
    step, and the next build does not mistake the records for a finished run."""
    settings = {"steps": 50, "lr": 1e6, "clip": 0.0, "momentum": 0.0, "activation": "relu",
                "hidden_size": 8, "num_sentences": 40}
    real_package = Path(__file__).resolve().parents[1] / "charrnn"
    with pytest.raises(cache.Diverged, match="diverged at step"):
        cache.ensure_run(real_package, settings, tmp_path / "cache", log=lambda m: None)
    assert cache.cached_run(tmp_path / "cache", cache.run_key(real_package, settings)) is None
