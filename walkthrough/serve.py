"""``build.py --serve``: build, serve the output on localhost, rebuild on change.

Standard library only. A thread polls the watched folders; on a change it runs
the build again in a fresh process (so edits to the engine itself take effect),
and on success bumps a version number that the injected livereload.js polls.
A failed rebuild prints its problems and leaves the last good site served.
"""
from __future__ import annotations

import functools
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LIVE_RELOAD = Path(__file__).with_name("livereload.js")
SNIPPET = b'<script src="/__livereload.js"></script>\n</body>'
POLL_SECONDS = 0.5


class Handler(SimpleHTTPRequestHandler):
    version = 0   # bumped by each successful rebuild (a class attribute, shared)

    def do_GET(self):
        if self.path == "/__version":
            return self._send(str(Handler.version).encode(), "text/plain")
        if self.path == "/__livereload.js":
            return self._send(LIVE_RELOAD.read_bytes(), "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes().replace(b"</body>", SNIPPET, 1)
            return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):   # quiet: the build output is what matters
        pass


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts \
                    and not path.name.startswith("."):
                stat = path.stat()
                state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def rebuild(command: list[str]) -> None:
    started = time.perf_counter()
    if subprocess.run(command).returncode == 0:
        Handler.version += 1
        print(f"rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    else:
        print("rebuild failed; still serving the last good site", file=sys.stderr)


def watch(folders: list[Path], command: list[str]) -> None:
    seen = snapshot(folders)
    while True:
        time.sleep(POLL_SECONDS)
        now = snapshot(folders)
        if now != seen:
            time.sleep(0.2)   # let an editor finish writing
            seen = snapshot(folders)
            rebuild(command)


def serve(script: str, args: list[str], out: Path, folders: list[Path], port: int) -> int:
    command = [sys.executable, script, *args]
    rebuild(command)
    handler = functools.partial(Handler, directory=str(out))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as error:
        print(f"cannot listen on port {port}: {error.strerror}; try --port", file=sys.stderr)
        return 1
    threading.Thread(target=watch, args=(folders, command), daemon=True).start()
    print(f"serving {out} at http://127.0.0.1:{port}/ (Ctrl-C stops)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
