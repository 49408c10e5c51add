import json
import math

import numpy as np
import pytest
from training import train_into

from charrnn.data import Vocab, split
from charrnn.model import CharRNN
from charrnn.record import snapshot_steps
from charrnn.train import TrainConfig, forward_chunks, learning_rate, load_corpus, validation_loss
from runner import rundir
from runner.console import Console
from runner.runfiles import load_checkpoint

SHORT = dict(steps=240, hidden_size=16, val_every=60, sample_every=120, num_sentences=60)


def run(tmp_path, name="run", **kw):
    cfg = TrainConfig(**(SHORT | kw))
    summary = train_into(tmp_path / name, cfg)
    return summary, tmp_path / name


def test_corpus_txt_is_the_text_the_run_trained_and_validated_on(tmp_path):
    summary, run_dir = run(tmp_path)
    cfg = TrainConfig(**SHORT)
    text, _, _ = load_corpus(cfg)
    written = (run_dir / "corpus.txt").read_text(encoding="utf-8")
    assert written == text and len(written) == summary["corpus_chars"]
    train_part, val_part = split(Vocab.from_text(written).encode(written), cfg.val_fraction)
    assert (len(train_part), len(val_part)) == (summary["train_chars"], summary["val_chars"])


def test_learning_rate_schedule_matches_the_reference():
    cfg = TrainConfig()
    truncated = {s: math.floor(learning_rate(s, cfg) * 1e4) / 1e4 for s in (1, 5_000, 15_000, 30_000)}
    assert truncated == {1: 0.0100, 5_000: 0.0098, 15_000: 0.0095, 30_000: 0.0091}
    assert learning_rate(4_999, cfg) == cfg.lr


def test_same_seed_gives_bit_identical_runs(tmp_path):
    _, dir_a = run(tmp_path, "a")
    _, dir_b = run(tmp_path, "b")
    with np.load(dir_a / "curves.npz") as ca, np.load(dir_b / "curves.npz") as cb:
        assert np.array_equal(ca["loss"], cb["loss"])
    with np.load(dir_a / "checkpoint.npz") as wa, np.load(dir_b / "checkpoint.npz") as wb:
        for key in wa.files:
            assert np.array_equal(wa[key], wb[key]), key
    _, dir_c = run(tmp_path, "c", seed=7)
    with np.load(dir_a / "curves.npz") as ca, np.load(dir_c / "curves.npz") as cc:
        assert not np.array_equal(ca["loss"], cc["loss"])


def test_run_directory_has_every_documented_file(tmp_path):
    summary, run_dir = run(tmp_path)
    names = {p.name for p in run_dir.iterdir()}
    # every file of the format but the analysis, which is a second step, and the manifest
    assert names == (set(rundir.FILES) - {"analysis.json"}) | {rundir.MANIFEST}
    assert json.loads((run_dir / "summary.json").read_text()) == summary
    assert tuple(summary) == rundir.SUMMARY_FIELDS
    rundir.check(run_dir)
    with np.load(run_dir / "snapshots.npz") as s:
        steps = list(s["step"])
        assert steps == snapshot_steps(SHORT["steps"]) and steps[0] == 1 and steps[-1] == SHORT["steps"]
        S, T, H = s["hidden"].shape
        assert (T, H) == (25, 16) and s["probs"].shape == (S, T, summary["vocab_size"])
        assert np.allclose(s["probs"].sum(axis=2), 1, atol=1e-5)
        assert s["eigenvalues"].shape == (S, 16)
    with np.load(run_dir / "jacobians.npz") as j:
        assert j["product_norm"].shape == (len(steps), 10)
    # nothing temporary left beside it
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_training_learns(tmp_path):
    summary, run_dir = run(tmp_path, steps=600)
    with np.load(run_dir / "curves.npz") as c:
        assert c["loss"][-100:].mean() < c["loss"][:20].mean() - 0.5
        assert c["loss"][0] == pytest.approx(math.log(summary["vocab_size"]), rel=0.1)  # uniform guess


def test_checkpoint_restores_the_trained_model(tmp_path):
    summary, run_dir = run(tmp_path)
    model, vocab = load_checkpoint(run_dir)
    cfg = TrainConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
    assert model.hidden_size == cfg.hidden_size and len(vocab) == 24
    # The last validation ran after the final update, on the weights the checkpoint holds.
    from charrnn.data import split
    from charrnn.train import load_corpus
    text, _, _ = load_corpus(cfg)
    train_data, val_data = split(vocab.encode(text), cfg.val_fraction)
    assert validation_loss(model, val_data, train_data[-200:]) == \
        pytest.approx(summary["final_val_loss"], rel=1e-12)


def test_divergence_stops_with_a_message_and_keeps_records(tmp_path, capsys):
    cfg = TrainConfig(**(SHORT | dict(lr=1e6, clip=0.0, momentum=0.0, activation="relu")))
    summary = train_into(tmp_path / "boom", cfg, Console("plain"))
    out = capsys.readouterr().out
    assert summary["diverged"] is not None
    assert f"diverged at step {summary['diverged']:,}" in out and "smaller learning rate" in out
    with np.load(tmp_path / "boom" / "curves.npz") as c:
        assert len(c["loss"]) == summary["diverged"] - 1
        assert not np.any(np.isnan(c["loss"]))  # (float32 may round a huge finite loss to inf)


def test_interrupted_write_leaves_no_complete_looking_run(tmp_path, monkeypatch):
    def explode(*a, **k):
        raise RuntimeError("disk full")

    # The manifest is written after every other file: fail there, at the last moment.
    monkeypatch.setattr(rundir, "_manifest", explode)
    with pytest.raises(RuntimeError):
        run(tmp_path)
    assert not (tmp_path / "run").exists()
    assert not any((p / "summary.json").exists() for p in tmp_path.iterdir())


def test_hidden_state_carries_forward_and_resets_at_wrap_around():
    model = CharRNN(10, 4, init="xavier", seed=3)
    stream = forward_chunks(model, np.arange(10), 3)      # three chunks per pass
    passes = [next(stream) for _ in range(7)]
    assert [list(f.inputs) for f in passes[:4]] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 1, 2]]
    for before, after, new_pass in zip(passes[:-1], passes[1:], [0, 0, 1, 0, 0, 1], strict=True):
        if new_pass:
            assert not after.h[0].any()                   # a pass starts from zeros
        else:
            assert np.array_equal(after.h[0], before.last_hidden)
            assert after.h[0].any()


def test_freeze_whh_keeps_w_hh_fixed(tmp_path):
    _, run_dir = run(tmp_path, freeze_whh=True)
    initial = CharRNN(24, 16, seed=42).arrays["W_hh"]
    model, _ = load_checkpoint(run_dir)
    assert np.array_equal(model.arrays["W_hh"], initial)
    assert not np.array_equal(model.arrays["W_hy"], CharRNN(24, 16, seed=42).arrays["W_hy"])


@pytest.mark.parametrize("kw", [dict(embedding_dim=8), dict(activation="sigmoid", init="xavier"),
                                dict(activation="relu", init="random")])
def test_every_option_trains(tmp_path, kw):
    summary, _ = run(tmp_path, **kw)
    assert summary["diverged"] is None and np.isfinite(summary["final_val_loss"])


def test_validation_loss_is_mean_nats_per_char():
    model = CharRNN(5, 4)
    for p in model.arrays.values():
        p[...] = 0.0  # uniform predictions
    loss = validation_loss(model, np.array([1, 2, 3, 4]), np.array([0, 1]))
    assert loss == pytest.approx(math.log(5))


def test_snapshot_schedule_is_dense_early_sparse_late():
    steps = snapshot_steps(30_000)
    assert steps[0] == 1 and steps[-1] == 30_000 and steps == sorted(set(steps))
    early = sum(s <= 1_000 for s in steps)
    late = sum(s > 1_000 for s in steps)
    assert early > late / 2 and len(steps) < 100
    assert snapshot_steps(1) == [1]
