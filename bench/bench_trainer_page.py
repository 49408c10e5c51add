"""The page's trainer against charrnn: steps per second on the default settings.

    python bench/bench_trainer_page.py [--steps 30000]

Trains the default configuration twice on this machine, one after the other:
in headless Chromium, through the Web Worker the site's trainer uses (the
scripts of site_src/static, on the corpus charrnn generates), and in this
process with charrnn.train.train. Both include what each does besides the steps
(validation, samples, the eigenvalues of W_hh; charrnn's recorder). Prints both
rates and their ratio, page over Python: the goal is 1.0 or more.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from charrnn.config import TrainConfig  # noqa: E402
from charrnn.data import Vocab  # noqa: E402
from charrnn.train import load_corpus, train  # noqa: E402
from runner.console import Console  # noqa: E402

SCRIPTS = ("kernels.js", "rnn.js", "eigen.js", "trainer.js", "trainworker.js")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-extensions"]


def page_rate(cfg: TrainConfig, folder: Path) -> tuple[float, float, str]:
    """Steps per second of the page's worker, the seconds it took, how it ended and
    what computed its products (WebAssembly or JavaScript)."""
    from playwright.sync_api import sync_playwright
    for name in SCRIPTS:
        shutil.copy(REPO / "site_src" / "static" / name, folder / name)
    tags = "".join(f'<script src="{name}"></script>' for name in SCRIPTS)
    (folder / "index.html").write_text(f"<!doctype html><title>bench</title>{tags}", encoding="utf-8")
    text, _, _ = load_corpus(cfg)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto((folder / "index.html").as_uri())
        result = page.evaluate("""async ({ config, text, vocab }) => {
            const started = performance.now();
            const r = await window.charrnnTrainerWorker.trainToEnd({ config, text, vocab });
            const seconds = (performance.now() - started) / 1000;
            return { seconds, steps: r.losses.length, status: r.status, kernels: r.kernels };
        }""", {"config": cfg.to_dict(), "text": text, "vocab": list(Vocab.from_text(text).chars)})
        browser.close()
    return result["steps"] / result["seconds"], result["seconds"], f"{result['status']}, {result['kernels']}"


def python_rate(cfg: TrainConfig) -> tuple[float, float]:
    started = time.perf_counter()
    trained = train(cfg, Console("quiet"))
    seconds = time.perf_counter() - started
    return trained.recorder.steps_done / seconds, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30_000)
    args = parser.parse_args()
    cfg = TrainConfig(steps=args.steps)
    with tempfile.TemporaryDirectory() as tmp:
        page, page_seconds, status = page_rate(cfg, Path(tmp))
    python, python_seconds = python_rate(cfg)
    print(f"steps                  {args.steps:,} (default settings)")
    print(f"page trainer           {page:,.0f} steps/s  ({page_seconds:.1f} s, {status})")
    print(f"charrnn, in process    {python:,.0f} steps/s  ({python_seconds:.1f} s)")
    print(f"ratio page / Python    {page / python:.2f}   (goal: 1.0 or more)")


if __name__ == "__main__":
    main()
