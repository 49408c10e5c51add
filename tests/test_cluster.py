"""`charrnn sweep --scheduler`: every wait on the network is bounded. An address
where some other server listens (silent, or answering garbage), or nothing
listens, ends in one line well within 30 s; a scheduler that vanishes or has no
workers ends the sweep in one line instead of a wait without end."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from runner import cluster, experiments
from runner.sweep import SweepError, run_sweep

REPO = Path(__file__).resolve().parent.parent
MATRIX = "seeds: [1]\ndefaults: {steps: 20, hidden_size: 8, num_sentences: 40}\nvariants: [{name: default}]\n"


class Impostor:
    """A TCP server on a free port that accepts every connection and then says
    nothing, or ``reply`` (and keeps the connection open)."""

    def __init__(self, reply: bytes = b""):
        self.reply, self.connections = reply, []
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:    # closed
                return
            self.connections.append(connection)
            if self.reply:
                connection.sendall(self.reply)

    def close(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()


def sweep_command(tmp_path: Path, address: str) -> list[str]:
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    return [sys.executable, "-m", "charrnn", "sweep", str(path), "--out", str(tmp_path / "out"),
            "--quiet", "--scheduler", address]


@pytest.mark.parametrize("server", ["silent", "garbage", "http", "nothing"])
def test_an_address_that_is_not_a_scheduler_ends_in_one_line_within_30_s(tmp_path, server):
    replies = {"silent": b"", "garbage": bytes(range(256)) * 64,
               "http": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"}
    impostor = Impostor(replies[server]) if server != "nothing" else None
    if impostor is None:
        with socket.socket() as probe:          # a port where nothing listens
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    else:
        port = impostor.port
    started = time.monotonic()
    try:
        result = subprocess.run(sweep_command(tmp_path, f"tcp://127.0.0.1:{port}"), cwd=REPO,
                                capture_output=True, text=True, timeout=60)
    finally:
        if impostor is not None:
            impostor.close()
    seconds = time.monotonic() - started
    assert seconds < 30, seconds
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("charrnn sweep: error: "), result.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "dask scheduler" in lines[0]


@pytest.mark.parametrize("address", ["foo://bar:1", "tcp://host", "host:99999", "", "tcp://:8786"])
def test_an_address_that_cannot_be_one_exits_2_before_anything(tmp_path, address):
    result = subprocess.run(sweep_command(tmp_path, address), cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "is not a scheduler's address" in result.stderr
    build = subprocess.run([sys.executable, str(REPO / "build.py"), "--scheduler", address,
                            "--out", str(tmp_path / "site")], capture_output=True, text=True,
                           timeout=60)
    assert build.returncode == 2 and build.stderr.count("\n") == 1, build.stderr


def test_the_build_ends_in_one_problem_on_a_silent_scheduler(tmp_path, fake_run, chart_cache):
    from engine_fixtures import make_trainable_project
    project = make_trainable_project(tmp_path / "project", fake_run, chart_cache)
    impostor = Impostor()
    try:
        result = subprocess.run(project.command("--scheduler", f"tcp://127.0.0.1:{impostor.port}",
                                                fake_run=False),
                                cwd=project.root, capture_output=True, text=True, timeout=60)
    finally:
        impostor.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    failed = result.stderr[result.stderr.index("build failed:"):].strip().splitlines()
    assert len(failed) == 3 and "no Dask scheduler answered" in failed[1], result.stderr


def outlasting(config: dict) -> dict:
    """A run that takes longer than its scheduler lives."""
    time.sleep(8)
    return {"error": "it slept"}


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(cluster, "POLL", 0.3)
    monkeypatch.setattr(cluster, "NO_WORKERS_WAIT", 1.0)


def test_a_scheduler_without_workers_ends_the_sweep_in_one_line(tmp_path, fast_polls):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None,
                                  silence_logs=50) as empty:
        started = time.monotonic()
        with pytest.raises(SweepError) as caught:
            run_sweep(experiments.load(path), tmp_path / "out", scheduler=empty.scheduler_address,
                      say=lambda line: None, warn=lambda line: None)
    assert time.monotonic() - started < 20
    message = str(caught.value)
    assert "has had no workers for 1 s" in message and "\n" not in message
    assert "dask worker" in message


def test_a_scheduler_that_goes_away_while_runs_train_ends_the_sweep(tmp_path, fast_polls,
                                                                   monkeypatch):
    distributed = pytest.importorskip("distributed")
    import runner.sweep as sweep_module
    path = tmp_path / "experiments.yaml"
    path.write_text(MATRIX)
    monkeypatch.setattr(sweep_module, "_guarded", outlasting)
    monkeypatch.setattr(cluster, "NO_WORKERS_WAIT", 60.0)   # only the scheduler goes
    local = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                     dashboard_address=None, silence_logs=50)
    threading.Timer(2.0, lambda: local.sync(local.scheduler.close)).start()
    started = time.monotonic()
    with pytest.raises(SweepError) as caught:
        run_sweep(experiments.load(path), tmp_path / "out", scheduler=local.scheduler_address,
                  say=lambda line: None, warn=lambda line: None)
    assert time.monotonic() - started < 30
    assert "lost the Dask scheduler" in str(caught.value) and "\n" not in str(caught.value)


def test_the_scheduler_is_reached_from_a_thread_that_runs_an_event_loop(tmp_path):
    """A caller inside a running event loop (a notebook; Playwright's sync API,
    which the browser tests hold open in this very process) still reaches the
    scheduler: the probe runs its own loop on its own thread."""
    import asyncio
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None, silence_logs=50) as local:

        async def from_inside_a_loop() -> dict:
            return cluster.identity(local.scheduler_address)

        # on a thread of the test's own, since this one may run Playwright's loop already
        answers: list = []
        caller = threading.Thread(target=lambda: answers.append(asyncio.run(from_inside_a_loop())))
        caller.start()
        caller.join(30)
        assert answers, "the probe failed inside a running event loop (see the thread's error)"
        answer = answers[0]
    assert answer["type"] == "Scheduler" and len(answer["workers"]) == 1
