"""The dev server injects live reload into pages, and only there."""
from __future__ import annotations

import functools
import threading
import urllib.request
from http.server import ThreadingHTTPServer

from walkthrough.serve import Handler, snapshot


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
