"""`build.py --serve`, as an author uses it: a one-line change to a taught
function reloads the walked run's pages (a preview that says the rest of the
matrix is retraining) before the matrix has finished, then the whole site.
The real server, in its own process, on a project whose package is a copy of
charrnn and whose matrix is small enough to retrain in seconds."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from engine_fixtures import make_trainable_project

REPO = Path(__file__).resolve().parent.parent
MATRIX = """\
seeds: [42, 1, 2]
defaults: {steps: 120, hidden_size: 8, num_sentences: 40, val_every: 60}
variants:
  - {name: default, about: The walked variant., settings: {}}
  - {name: wider, about: More units., settings: {hidden_size: 12}}
"""
NOTICE = "The rest of the experiment"
EDIT = ("recent = recorder.mean_recent_loss(DIVERGENCE_WINDOW)",
        "recent = recorder.mean_recent_loss(DIVERGENCE_WINDOW + 0)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode()


def version(port: int) -> int:
    try:
        return int(get(port, "/__version"))
    except OSError:   # not listening yet
        return -1


def wait_for(port: int, at_least: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = version(port)
        if now >= at_least:
            return now
        time.sleep(0.01)
    raise AssertionError(f"no version {at_least} after {seconds} s")


def test_a_taught_code_edit_reloads_the_walked_pages_before_the_matrix(tmp_path, fake_run,
                                                                         chart_cache):
    project = make_trainable_project(tmp_path / "project", fake_run, chart_cache)
    (project.site_src / "experiments.yaml").write_text(MATRIX, encoding="utf-8")
    shutil.copy(REPO / "build.py", project.root / "build.py")
    runs = project.root / ".cache" / "sweep" / "runs"
    env = {**os.environ, "PYTHONPATH": str(REPO)}   # the engine and runner; charrnn is the copy
    first = subprocess.run([sys.executable, "build.py"], cwd=project.root, env=env,
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr   # the matrix, trained once
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "build.py", "--serve", "--port", str(port)],
                              cwd=project.root, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        before = {p.name for p in runs.iterdir()}
        assert len(before) == 6
        train = project.package / "train.py"
        text = train.read_text(encoding="utf-8")
        assert EDIT[0] in text
        wait_for(port, 1, 120)                      # the first build: every run cached
        # saved the moment the first site is out: the watcher must not miss it
        train.write_text(text.replace(EDIT[0], EDIT[1]), encoding="utf-8")
        assert NOTICE not in get(port, "/index.html")

        wait_for(port, 2, 120)                      # the preview: the walked run alone
        preview = get(port, "/index.html")
        new_runs = {p.name for p in runs.iterdir()} - before
        assert NOTICE in preview, preview[:2000]
        done = re.search(r"<span data-runs-done>(\d+)</span> of\s+(\d+) runs done", preview)
        assert done and done.groups() == ("1", "6"), preview[:2000]
        assert len(new_runs) < 6                    # the matrix has not finished retraining
        assert json.loads(get(port, "/__progress")).keys() <= {"done", "of", "left"}
        for section in ("squares", "forward-pass"):
            assert NOTICE in get(port, f"/sections/{section}.html")

        wait_for(port, 3, 300)                      # then the whole site
        final = get(port, "/index.html")
        assert NOTICE not in final
        assert len({p.name for p in runs.iterdir()} - before) == 6
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
