"""``build.py --serve``: build, serve the output on localhost, rebuild on change.

Standard library only. A thread polls the watched folders; on a change it runs
the build again in a fresh process (so edits to the engine itself take effect),
and each time that build publishes a site it bumps a version number that the
injected livereload.js polls. After an edit of the taught code that is twice:
the walked run's pages first, then the whole site when the matrix has trained.
A failed rebuild prints its problems and leaves the last good site served.

The server takes its port before the first build, so a busy port is reported at
once. It serves files and pages only: it never lists a folder, and a request
for a path no file can have (a NUL byte, an encoded surrogate) gets a 400, not a
traceback.
"""
from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from stat import S_ISREG

LIVE_RELOAD = Path(__file__).with_name("livereload.js")
SNIPPET = b'<script src="/__livereload.js"></script>\n</body>'
POLL_SECONDS = 0.5


# The sweep's line for each finished run (runner/sweep.py, Progress.advance).
SWEEP_PROGRESS = re.compile(r"^sweep: (\d+)/(\d+) runs done .*, about (.+) left$")


class Handler(SimpleHTTPRequestHandler):
    version = 0       # bumped by each successful rebuild (a class attribute, shared)
    progress = b"{}"  # the running sweep's last count, for a preview's notice

    def do_GET(self):
        if self.path == "/__version":
            return self._send(str(Handler.version).encode(), "text/plain")
        if self.path == "/__progress":
            return self._send(Handler.progress, "application/json")
        if self.path == "/__livereload.js":
            return self._send(LIVE_RELOAD.read_bytes(), "text/javascript")
        if not _plain(self.translate_path(self.path)):
            return self.send_error(HTTPStatus.BAD_REQUEST, "No file has that name")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            try:
                page = path.read_bytes().replace(b"</body>", SNIPPET, 1)
            except OSError:   # replaced by a rebuild between the two calls
                return self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return self._send(page, "text/html; charset=utf-8")
        return super().do_GET()

    def send_head(self):   # for GET and HEAD alike
        if not _plain(self.translate_path(self.path)):
            self.send_error(HTTPStatus.BAD_REQUEST, "No file has that name")
            return None
        return super().send_head()

    def list_directory(self, path):
        """A folder without index.html is not a page: never show what is in it."""
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):   # quiet: the build output is what matters
        pass


def _plain(path: str) -> bool:
    """Whether ``path`` is a name the file system can hold (no NUL, no lone surrogate)."""
    try:
        return b"\0" not in os.fsencode(path)
    except UnicodeEncodeError:
        return False


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """One line, not a traceback, for a request that failed; nothing at all when
        the browser simply went away."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"a request failed: {type(error).__name__}: {error}", file=sys.stderr)


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if "__pycache__" in path.parts or path.name.startswith("."):
                continue
            try:
                info = path.stat()
            except OSError:   # deleted while we looked: the next poll sees it gone
                continue
            if S_ISREG(info.st_mode):
                state[path] = (info.st_mtime_ns, info.st_size)
    return state


def rebuild(command: list[str]) -> None:
    """Run the build, passing on what it says. Every site it publishes reloads the
    pages: with --walked-first that is a preview from the walked run within
    seconds, then the whole site once the rest of the matrix has trained."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        for line in process.stdout:
            sys.stderr.write(line)
            counted = SWEEP_PROGRESS.match(line.rstrip("\n"))
            if counted:
                done, of, left = counted.groups()
                Handler.progress = json.dumps({"done": int(done), "of": int(of),
                                               "left": left}).encode()
            if line.startswith("built "):   # build.py's word for a site it has published
                Handler.version += 1
                print(f"published after {time.perf_counter() - started:.1f} s", file=sys.stderr)
    Handler.progress = b"{}"
    if process.returncode != 0:
        print("rebuild failed; still serving the last good site", file=sys.stderr)


def watch(folders: list[Path], command: list[str], seen: dict[Path, tuple[int, int]]) -> None:
    """Rebuild whenever the watched files differ from ``seen``, the state the last
    build started from (so an edit saved while a build runs is built next)."""
    while True:
        time.sleep(POLL_SECONDS)
        now = snapshot(folders)
        if now != seen:
            time.sleep(0.2)   # let an editor finish writing
            seen = snapshot(folders)
            rebuild(command)


def serve(script: str, args: list[str], out: Path, folders: list[Path], port: int) -> int:
    command = [sys.executable, script, *args]
    handler = functools.partial(Handler, directory=str(out))
    try:
        server = Server(("127.0.0.1", port), handler)
    except (OSError, OverflowError) as error:   # OverflowError: a port over 65535
        reason = getattr(error, "strerror", None) or error
        print(f"cannot listen on port {port}: {reason}; try another --port", file=sys.stderr)
        return 1
    try:
        seen = snapshot(folders)   # before the first build: an edit during it counts
        rebuild(command)
        threading.Thread(target=watch, args=(folders, command, seen), daemon=True).start()
        print(f"serving {out} at http://127.0.0.1:{port}/ (Ctrl-C stops)", file=sys.stderr)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
