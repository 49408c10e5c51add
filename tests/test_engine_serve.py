"""The dev server injects live reload into pages, and only there; it serves
files, never lists a folder, and answers a hostile request without a traceback."""
from __future__ import annotations

import functools
import socket
import threading
import urllib.request
from http.server import ThreadingHTTPServer

import pytest

from walkthrough.serve import Handler, Server, snapshot


def test_pages_get_live_reload_and_files_stay_clean(project):
    project.build()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Handler, directory=str(project.out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        def get(path):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return response.read().decode()
        assert "/__livereload.js" in get("/")
        assert "/__livereload.js" in get("/sections/squares.html")
        assert "location.reload" in get("/__livereload.js")
        assert get("/__version").isdigit()
        assert get("/static/base.css").startswith("/*")
    finally:
        server.shutdown()
        server.server_close()
    assert "livereload" not in (project.out / "index.html").read_text()


def test_snapshot_sees_edits(project):
    before = snapshot([project.site_src])
    (project.site_src / "sections" / "01-squares.yaml").write_text("id: changed\n")
    assert snapshot([project.site_src]) != before


@pytest.fixture
def server(project):
    """The dev server's handler over the project's built site, on a free port."""
    project.build()
    httpd = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(project.out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def status(port: int, request: bytes) -> int:
    """The status code of a raw request, sent as is (urllib would quote it)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        reply = connection.recv(200)
    return int(reply.split()[1])


def test_folders_are_never_listed(server, project):
    assert status(server, b"GET / HTTP/1.0\r\n\r\n") == 200        # index.html
    for folder in ("/sections/", "/static/", "/data/", "/sections"):
        code = status(server, f"GET {folder} HTTP/1.0\r\n\r\n".encode())
        assert code in (301, 404), folder          # /sections redirects to /sections/
        if code == 301:
            assert status(server, f"GET {folder}/ HTTP/1.0\r\n\r\n".encode()) == 404


@pytest.mark.parametrize("path", ["/%00", "/index.html%00", "/sections/%00/x.html",
                                  "/%ED%A0%80", "/static/%00base.css"])
def test_a_path_no_file_can_have_is_a_bad_request(server, capfd, path):
    for method in ("GET", "HEAD"):
        assert status(server, f"{method} {path} HTTP/1.0\r\n\r\n".encode()) == 400
    assert status(server, b"GET /static/base.css HTTP/1.0\r\n\r\n") == 200   # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_a_port_it_cannot_use_is_reported_before_any_build(project):
    """A busy port is the machine's state, not a bad value: exit 1. (A port out of
    range is a bad value, refused by the parser with exit 2: test_build_options.py.)"""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        number = str(busy.getsockname()[1])
        result = project.cli("--serve", "--port", number, "--out", str(project.out))
    assert result.returncode == 1
    assert result.stderr.startswith(f"cannot listen on port {number}: ")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert not project.out.exists()   # it did not build first


def test_the_sweeps_progress_lines_are_what_the_server_counts():
    """The server reads the sweep's line for each finished run to count a preview's
    runs: the two must agree on its shape."""
    from runner.sweep import Progress
    from walkthrough.serve import SWEEP_PROGRESS
    said: list[str] = []
    progress = Progress([3.0, 2.0, 1.0], 2, "lines", said.append)
    progress.advance("default seed 42", 3.0, (2.5, 0.5))
    progress.advance("wider seed 1", 2.0, None)        # a run that failed: no timing
    counted = [SWEEP_PROGRESS.match(line) for line in said]
    assert [m.groups()[:2] for m in counted] == [("1", "3"), ("2", "3")]
    assert all(m.group(3).endswith("s") for m in counted)
