"""Fault injection: the disk, the caches, the input files or the process itself
fail under a build.

Every fault goes through the real command (build.py in a subprocess, on the
throwaway project with the fake run, so nothing trains) and must end in one
`build failed:` problem naming the path, exit status 1, no traceback, the
published site byte for byte as it was, nothing left beside it, and a correct
site from the next build once the fault is gone.

The tests run as root, where chmod stops nothing. A path is made unwritable by
putting a file where a folder must be (or a folder where a file must be), by a
read-only tmpfs mounted over it (when the tests may mount; skipped otherwise),
or by making the OS call raise PermissionError or ENOSPC in the build's process
(the ``prelude`` of ``Project.command``).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from engine_fixtures import METHOD_SECTION, SECTION
from filelock import FileLock

from runner import rundir
from walkthrough import output
from walkthrough.errors import BuildError


@pytest.fixture
def published(project) -> dict[str, bytes]:
    """The project with its site built once: the files every fault must leave alone."""
    project.build()
    return project.files()


def leftovers(project, out: Path | None = None) -> list[str]:
    folder = (out or project.out).parent
    name = (out or project.out).name
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith((f".{name}.new-", f".{name}.old-")))


def refused(project, *args: str, names: str, prelude: str = "", out: Path | None = None) -> str:
    """Build with a fault in place: exit 1, a problem that names ``names`` (first,
    and on one line with its fix below), no traceback, and the output folder
    exactly as it was. Returns the message."""
    out = out or project.out
    before = project.files(out) if out.exists() else None
    result = project.cli(*args, prelude=prelude)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == "build failed:", result.stderr
    assert names in lines[1], result.stderr
    assert all(len(line) < 300 for line in lines), result.stderr
    assert before is None or project.files(out) == before
    assert leftovers(project, out) == []
    return result.stderr


def rebuilt(project, expected: dict[str, bytes]) -> None:
    """Once the fault is gone, the next build publishes the right site."""
    project.build()
    assert project.files() == expected
    assert leftovers(project) == []


def private_chart_cache(project) -> Path:
    """Replace the session's shared chart cache with this project's own copy."""
    link = project.root / ".cache" / "charts"
    link.unlink()
    shutil.copytree(project.chart_cache, link)
    return link


# ---------------------------------------------------------------------------
# 1. The chart cache: a damaged entry is never published

def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x20   # same size, different content
    path.write_bytes(bytes(data))


def _drop_digest_line(path: Path) -> None:
    path.write_bytes(path.read_bytes().partition(b"\n")[2])


DAMAGE = {"truncated": _truncate, "emptied": lambda p: p.write_bytes(b""),
          "deleted": Path.unlink, "garbage": lambda p: p.write_bytes(os.urandom(3000)),
          "one byte changed": _flip_a_byte, "digest line missing": _drop_digest_line}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_chart_is_discarded_and_drawn_again(project, published, damage):
    charts = private_chart_cache(project)
    entries = sorted(charts.glob("*.svg"))   # whichever the build reads
    for path in entries:
        DAMAGE[damage](path)
    outcome = project.build()
    assert project.files() == published
    damaged = [w for w in outcome.warnings if "damaged chart cache entry" in w]
    # the demo's one chart, drawn for the reading column and for a phone
    assert len(damaged) == (0 if damage == "deleted" else 2)
    assert all(".cache/charts/" in w and "\n" not in w for w in damaged)
    assert not any("damaged chart" in w for w in project.build().warnings)   # sound again


def test_the_warning_about_a_damaged_chart_is_one_line(project, published):
    charts = private_chart_cache(project)
    for path in charts.glob("*.svg"):
        _truncate(path)
    result = project.cli()
    assert result.returncode == 0 and "Traceback" not in result.stderr
    warning = next(line for line in result.stderr.splitlines() if "damaged chart" in line)
    assert warning.startswith("warning: .cache/charts/") and " bytes)" in warning
    assert project.files() == published


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_compiled_template_is_compiled_again(project, published, damage):
    entries = sorted((project.root / ".cache" / "templates").glob("*.bin"))
    assert entries   # the page templates and the ones they include
    for path in entries:
        DAMAGE[damage](path)
    result = project.cli()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert project.files() == published
    warned = [line for line in result.stderr.splitlines() if "damaged compiled template" in line]
    assert len(warned) == (0 if damage == "deleted" else len(entries))
    assert all(line.startswith("warning: .cache/templates/") for line in warned)
    assert "damaged" not in project.cli().stderr   # written again, sound


# ---------------------------------------------------------------------------
# 2. Errors from the operating system

def test_an_output_folder_under_a_file(project, published):
    blocker = project.root / "blocker"
    blocker.write_text("a file where a folder must be")
    message = refused(project, "--out", "blocker/site", out=blocker / "site",
                      names="blocker/site: cannot write the site: File exists (blocker)")
    assert "a file stands where the path needs a folder" in message
    blocker.unlink()
    project.build(out=blocker / "site")
    assert project.files(blocker / "site") == published


def test_an_output_folder_that_refuses_writes(project, published):
    prelude = """
        import errno, tempfile
        def mkdtemp(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", kwargs.get("dir"))
        tempfile.mkdtemp = mkdtemp
    """
    message = refused(project, names="_site: cannot write the site: Permission denied",
                      prelude=prelude)
    assert "fix: make it readable and writable" in message
    rebuilt(project, published)


def test_the_output_lock_is_a_folder(project, published):
    (project.root / "._site.lock").unlink()
    (project.root / "._site.lock").mkdir()
    refused(project, names="_site: cannot write the site: Is a directory (._site.lock)")
    (project.root / "._site.lock").rmdir()
    rebuilt(project, published)


@pytest.mark.parametrize("writes_before_the_disk_fills", [0, 3])
def test_a_full_disk_while_the_site_is_written(project, published, writes_before_the_disk_fills):
    prelude = f"""
        import errno, pathlib
        write_bytes, written = pathlib.Path.write_bytes, []
        def full(self, data):
            if ".new-" in str(self):
                if len(written) >= {writes_before_the_disk_fills}:
                    raise OSError(errno.ENOSPC, "No space left on device", str(self))
                written.append(self)
            return write_bytes(self, data)
        pathlib.Path.write_bytes = full
    """
    message = refused(project, names="_site: cannot write the site: No space left on device",
                      prelude=prelude)
    assert "free some space" in message
    rebuilt(project, published)


def test_a_full_disk_while_a_chart_is_cached(project, published):
    charts = private_chart_cache(project)
    for path in charts.glob("*.svg"):
        path.unlink()
    prelude = """
        import errno, pathlib
        write_bytes = pathlib.Path.write_bytes
        def full(self, data):
            if "charts" in self.parts:   # half the entry fits, then the disk is full
                write_bytes(self, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return write_bytes(self, data)
        pathlib.Path.write_bytes = full
    """
    message = refused(project, names="cannot write the chart cache: No space left on device",
                      prelude=prelude)
    assert message.splitlines()[1].startswith(".cache/charts/")
    assert list(charts.iterdir()) == []   # no half-written entry either
    rebuilt(project, published)


def test_a_chart_cache_under_a_file(project, published):
    link = project.root / ".cache" / "charts"
    link.unlink()
    link.write_text("a file where the chart cache must be")
    message = refused(project, names="cannot read the chart cache: Not a directory")
    assert ".cache/charts/" in message
    link.unlink()
    link.symlink_to(project.chart_cache)
    rebuilt(project, published)


def test_a_lock_file_that_cannot_be_written(project, published):
    lock = project.site_src / "walkthrough.lock"
    lock.mkdir()
    message = refused(project, "--accept", names="site_src/walkthrough.lock: cannot record")
    assert "Is a directory" in message
    lock.rmdir()
    rebuilt(project, published)


# ---------------------------------------------------------------------------
# 2. Files that do not decode, names that no file can have

def test_a_section_that_is_not_utf8(project, published):
    path = project.site_src / "sections" / "01-squares.yaml"
    text = path.read_bytes()
    path.write_bytes(text.replace(b"Squares", b"Squ\xe4res"))   # Latin-1, not UTF-8
    message = refused(project, names="site_src/sections/01-squares.yaml:4: is not UTF-8 text")
    assert "save the file as UTF-8" in message
    path.write_bytes(text)
    rebuilt(project, published)


def test_site_yaml_that_is_not_utf8(project, published):
    path = project.site_src / "site.yaml"
    text = path.read_bytes()
    path.write_bytes(b"\xff\xfe" + text)
    refused(project, names="site_src/site.yaml:1: is not UTF-8 text (byte 0xff")
    path.write_bytes(text)
    rebuilt(project, published)


def test_a_source_file_that_is_not_utf8(project, published):
    path = project.package / "demo.py"
    text = path.read_bytes()
    path.write_bytes(text.replace(b"Square.", b"Squ\xe4re."))
    refused(project, names="section 'squares': file 'demo.py' is not UTF-8 text (line 13)")
    path.write_bytes(text)
    rebuilt(project, published)


def test_a_template_that_is_not_utf8(project, published):
    path = project.site_src / "templates" / "base.html"
    text = path.read_bytes()
    path.write_bytes(b"\xc0" + text)
    refused(project, names="site_src/templates/base.html:1: is not UTF-8 text")
    path.write_bytes(text)
    rebuilt(project, published)


@pytest.mark.parametrize("name", ['"de\\0mo.py"', '"demo.py\\n"', '"de\\x1bmo.py"'])
def test_a_control_character_in_a_file_name(project, published, name):
    project.section("01-squares", SECTION.replace("file: demo.py", f"file: {name}"))
    message = refused(project, names="has a control character")
    assert "01-squares.yaml: section 'squares': file 'de" in message
    project.section("01-squares", SECTION)
    rebuilt(project, published)


def test_a_section_file_that_is_a_folder(project, published):
    folder = project.site_src / "sections" / "03-folder.yaml"
    folder.mkdir()
    refused(project, names="site_src/sections/03-folder.yaml: cannot read it: Is a directory")
    folder.rmdir()
    rebuilt(project, published)


@pytest.mark.parametrize("content, names", [
    (b"", "is not valid JSON"),
    (b"{\"sections\": {", "is not valid JSON"),
    (b"\x00\xff\xfe garbage", "is not UTF-8 text"),
    (b"[1, 2, 3]", "is not a lock file"),
    (b'{"sections": []}', "is not a lock file"),
    (b'{"sections": {"squares": 5}}', "the entry of section 'squares' is not a code hash"),
    (b'{"sections": {"squares": "sha256:beef"}}', "is not a code hash: 'sha256:beef'"),
    (b"[" * 100_000, "is not valid JSON"),
])
def test_a_damaged_lock_file(project, published, content, names):
    lock = project.site_src / "walkthrough.lock"
    lock.write_bytes(content)
    message = refused(project, names="site_src/walkthrough.lock")
    assert names in message and "--accept" in message
    lock.unlink()
    rebuilt(project, published)


def test_a_damaged_chart_theme(project, published):
    theme = project.site_src / "chart-theme.json"
    text = theme.read_bytes()
    theme.write_bytes(text[: len(text) // 2])
    refused(project, names="site_src/chart-theme.json")
    theme.write_bytes(text)
    rebuilt(project, published)


# ---------------------------------------------------------------------------
# Real file systems: a tmpfs that is full, or mounted read-only

@pytest.fixture
def tmpfs():
    """Mount a small tmpfs (root only; the tests that need one skip without it)."""
    mounted = []

    def mount(path: Path, kilobytes: int) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs",
                                 str(path)], capture_output=True)
        if result.returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        mounted.append(path)
        return path

    yield mount
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def pages_of(files: dict[str, bytes]) -> int:
    """Kilobytes the site takes on a tmpfs: whole 4 KB pages per file."""
    return sum(-(-len(content) // 4096) for content in files.values()) * 4


def test_a_really_full_disk(project, published, tmpfs):
    disk = tmpfs(project.root / "disk", kilobytes=pages_of(published) * 3 // 2)
    shutil.copytree(project.out, disk / "site")   # the published site fits, a second does not
    message = refused(project, "--out", "disk/site", out=disk / "site",
                      names="disk/site: cannot write the site: No space left on device")
    assert "free some space" in message


def test_a_really_read_only_output(project, published, tmpfs):
    disk = tmpfs(project.root / "disk", kilobytes=pages_of(published) * 3)
    shutil.copytree(project.out, disk / "site")
    remount(disk, "ro")
    message = refused(project, "--out", "disk/site", out=disk / "site",
                      names="disk/site: cannot write the site: Read-only file system")
    assert "read-only" in message
    remount(disk, "rw")
    project.build(out=disk / "site")
    assert project.files(disk / "site") == published


def test_a_really_read_only_chart_cache(project, published, tmpfs):
    link = project.root / ".cache" / "charts"
    link.unlink()
    remount(tmpfs(link, kilobytes=1024), "ro")    # empty: every chart is a miss
    refused(project, names="cannot write the chart cache: Read-only file system")
    remount(link, "rw")
    rebuilt(project, published)


# ---------------------------------------------------------------------------
# 3. Leftovers of killed builds, and builds that race

def test_leftovers_of_killed_builds_are_cleared_and_never_in_the_way(project, published):
    for name in ("._site.new-abc123", f"._site.old-{os.getpid()}", "._site.old-1"):
        (project.root / name / "sections").mkdir(parents=True)
        (project.root / name / "sections" / "half.html").write_text("<p>half")
    rebuilt(project, published)


def test_a_site_lost_between_two_renames_is_put_back_first(project, published):
    old = project.root / "._site.old-4242"
    project.out.rename(old)
    project.section("01-squares", SECTION.replace("symbol: square", "symbol: cube"))
    with pytest.raises(BuildError):   # even a build that fails restores it
        project.build()
    assert project.files() == published and leftovers(project) == []


def test_a_second_build_waits_for_the_first(project, published):
    lock = FileLock(project.root / "._site.lock")
    with lock:
        child = subprocess.Popen(project.command(), cwd=project.root, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = child.stderr.readline()   # blocks until the build says something
    assert first == "waiting: another build is writing _site\n"
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    assert project.files() == published


def test_a_build_that_waits_too_long_says_so(project, published, monkeypatch):
    monkeypatch.setattr(output, "LOCK_WAIT", 0.3)
    lock = FileLock(project.root / "._site.lock")
    with lock:
        message = project.fail()
    assert "another build has been writing it for 0.3 s" in message
    assert project.files() == published


def test_builds_that_race_all_succeed(project, published):
    project.section("02-forward", METHOD_SECTION.replace("A loop over", "A loop of"))
    project.build(out=project.root / "expected")
    expected = project.files(project.root / "expected")
    children = [subprocess.Popen(project.command(), cwd=project.root, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(3)]
    for child in children:
        _, stderr = child.communicate(timeout=300)
        assert child.returncode == 0 and "Traceback" not in stderr, stderr
    assert project.files() == expected and leftovers(project) == []


PAUSE = """
    import os, time
    from pathlib import Path
    def pause():
        Path({mark!r}).write_text(str(os.getpid()))
        time.sleep(600)
"""

# Where a build is stopped by SIGKILL: code run before the engine is imported
# that makes the build call pause() at that moment.
KILL_POINTS = {
    "while rendering": """
        import walkthrough.output as output
        output.write_site = lambda *args, **kwargs: pause()
    """,
    "while writing the new folder": """
        import pathlib
        write_bytes, written = pathlib.Path.write_bytes, []
        def slow(self, data):
            if ".new-" in str(self):
                written.append(self)
                if len(written) == 3:
                    pause()
            return write_bytes(self, data)
        pathlib.Path.write_bytes = slow
    """,
    "just after the swap": """
        import runner.atomic as atomic
        swap = atomic.swap_folder
        def swapped(new, out):
            old = swap(new, out)
            pause()
        atomic.swap_folder = swapped
    """,
    "while deleting the old site": """
        import shutil
        def half(path, *args, **kwargs):
            files = sorted(p for p in Path(path).rglob("*") if p.is_file())
            for file in files[: len(files) // 2]:
                file.unlink()
            pause()
        shutil.rmtree = half
    """,
}


def killed(project, prelude: str) -> None:
    """Run a build that pauses where ``prelude`` says, then SIGKILL it there."""
    mark = project.root / "reached"
    prelude = textwrap.dedent(PAUSE.format(mark=str(mark))) + textwrap.dedent(prelude)
    child = subprocess.Popen(project.command(prelude=prelude),
                             cwd=project.root, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not mark.exists():
        assert child.poll() is None, child.stderr.read()
        assert time.monotonic() < deadline, "the build never reached the kill point"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    mark.unlink()


@pytest.fixture
def edited(project, published) -> dict[str, bytes]:
    """After publishing, an edit: the site the next build should publish."""
    project.section("02-forward", METHOD_SECTION.replace("A loop over", "A loop of"))
    project.build(out=project.root / "expected")
    expected = project.files(project.root / "expected")
    assert expected != published
    return expected


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_leaves_a_complete_site(project, published, edited, point):
    killed(project, KILL_POINTS[point])
    assert project.files() in (published, edited)       # the old site or the new, whole
    rebuilt(project, edited)


def test_killed_between_the_two_renames_of_the_fallback_swap(project, published, edited):
    """Where the system cannot exchange two folders in one step, a build killed
    between its two renames leaves no site, but a whole old one beside it that
    the next build puts back, even a build that fails."""
    killed(project, """
        import pathlib
        import runner.atomic as atomic
        atomic._exchange = lambda a, b: False
        rename = pathlib.Path.rename
        def paused(self, target):
            result = rename(self, target)
            if ".old-" in str(target):
                pause()
            return result
        pathlib.Path.rename = paused
    """)
    assert not project.out.exists()
    old = [p for p in project.root.iterdir() if p.name.startswith("._site.old-")]
    assert len(old) == 1 and project.files(old[0]) == published
    project.section("01-squares", SECTION.replace("symbol: square", "symbol: cube"))
    with pytest.raises(BuildError):
        project.build()
    assert project.files() == published
    project.section("01-squares", SECTION)
    rebuilt(project, edited)


@pytest.mark.parametrize("seconds", [0.5, 1.0, 1.5, 2.0, 2.5])
def test_a_build_killed_at_any_moment_leaves_a_complete_site(project, published, edited, seconds):
    child = subprocess.Popen(project.command(), cwd=project.root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert project.files() in (published, edited)
    rebuilt(project, edited)


# --- a damaged run directory ---------------------------------------------------------

RUN_DAMAGE = {"truncated": lambda p: p.write_bytes(p.read_bytes()[: max(1, p.stat().st_size // 2)]),
              "emptied": lambda p: p.write_bytes(b""), "deleted": Path.unlink,
              "garbage": lambda p: p.write_bytes(bytes(255 - b for b in p.read_bytes()))}


@pytest.mark.parametrize("damage", RUN_DAMAGE)
@pytest.mark.parametrize("name", sorted(rundir.FILES))
def test_a_damaged_run_is_one_problem_naming_its_folder_and_file(project, published, fake_run,
                                                                tmp_path, name, damage):
    """Any file of a run given with --run, damaged any way: one problem that names
    the run's folder and the file and says to delete it; the site stays as it was."""
    run = tmp_path / "run"
    shutil.copytree(fake_run, run)
    RUN_DAMAGE[damage](run / name)
    message = project.fail(run=run)
    assert len(message.splitlines()) == 2 and name in message and "damaged run" in message
    assert message.startswith(str(run)) and "delete the folder" in message
    assert project.files() == published
    project.build()                                   # the intact run builds again
    assert project.files() == published


def test_a_run_without_its_manifest_is_unfinished(project, published, fake_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(fake_run, run)
    (run / rundir.MANIFEST).unlink()
    message = project.fail(run=run)
    assert "not a finished run" in message and len(message.splitlines()) == 2
    assert project.files() == published
