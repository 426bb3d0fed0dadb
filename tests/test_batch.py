"""quire batch: a folder of small projects and a broken one, on the local pool, a Dask
scheduler and workers on 127.0.0.1 and a local Ray instance: the same bytes from each,
the report, the exit codes, nothing rebuilt the second time, a worker that dies (on each
engine: killed by a test hook in the worker, QUIRE_TEST_KILL_WORKER), and the progress
shown on a terminal and in a pipe."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import epubcheck, make_project, problems, run_quire

EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}
GOOD = [f"art{n}" for n in range(1, 31)]


def _article(n: int) -> dict:
    return {"content/article.md": f"---\ntitle: Article {n}\nlang: en\nauthors: [A. Writer]\n"
                                  f"---\n\n# Findings {n}\n\nThe result number {n} holds.[^1]\n\n"
                                  f"[^1]: A note on {n}.\n"}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch") / "articles"
    for n, name in enumerate(GOOD, 1):
        make_project(root / name, _article(n))
    make_project(root / "broken", {"content/article.md": "---\ntitle: Broken\nlang: en\n---\n\n"
                                                         "Text.\n\n![A plot](plot.png)\n"})
    return root


@pytest.fixture(scope="module")
def local(source, tmp_path_factory):
    """The first local batch: (outputs folder, its process, its report)."""
    out = tmp_path_factory.mktemp("local")
    done = run_quire("batch", source, "--out", out, "--format", "epub", "--jobs", "2",
                     "--report", out / "report.json", env=EPOCH)
    return out, done, json.loads((out / "report.json").read_text())


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*.epub"))}


def test_local_batch_builds_the_rest_reports_the_broken_file_and_exits_1(local):
    out, done, report = local
    assert done.returncode == 1, done.stderr
    assert "31 projects: 30 built, 0 up to date, 1 failed" in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == 30 and "built: art7 (1 files," in done.stdout  # broken: stderr
    assert all(re.match(r"\[\d+/31\] built: art\d+ \(1 files, ", line) for line in lines)
    items = {item["name"]: item for item in report["items"]}
    assert sorted(items) == sorted(GOOD + ["broken"])
    broken = items["broken"]
    assert broken["status"] == "failed" and broken["files"] == []
    assert broken["errors"][0]["path"] == "content/article.md"
    assert broken["errors"][0]["line"] == 8 and "plot.png" in broken["errors"][0]["message"]
    assert "error: broken: content/article.md:8: image 'plot.png' not found" in done.stderr
    for name in GOOD:
        assert items[name]["status"] == "built" and items[name]["errors"] == []
        assert items[name]["peak_memory"] > 10 * 2**20 and items[name]["seconds"] > 0
    assert sorted(_files(out)) == sorted(f"{name}/article-{n}.epub"
                                         for n, name in enumerate(GOOD, 1))
    assert problems(epubcheck(out / "art3" / "article-3.epub")) == []


def test_second_local_batch_rebuilds_nothing(local, source):
    out, _, _ = local
    before = {path: os.stat(out / path).st_mtime_ns for path in _files(out)}
    again = run_quire("batch", source, "--out", out, "--format", "epub", "--jobs", "2",
                      "--report", out / "again.json", env=EPOCH)
    assert again.returncode == 1
    assert "0 built, 30 up to date, 1 failed" in again.stdout
    report = json.loads((out / "again.json").read_text())
    assert {i["name"]: i["status"] for i in report["items"]} == {
        **{name: "up to date" for name in GOOD}, "broken": "failed"}
    assert {path: os.stat(out / path).st_mtime_ns for path in _files(out)} == before


def test_manifest_with_overrides_exits_0_and_names_its_errors(source, tmp_path):
    manifest = tmp_path / "batch.toml"
    manifest.write_text(f'[[project]]\npath = "{source / "art1"}"\nname = "first"\n\n'
                        f'[[project]]\npath = "{source / "art2"}"\nformat = "epub"\n'
                        'variant = "screen"\n', encoding="utf-8")
    done = run_quire("batch", manifest, "--out", tmp_path / "out", "--format", "epub",
                     env=EPOCH)
    assert done.returncode == 0, done.stderr
    assert sorted(_files(tmp_path / "out")) == ["art2/article-2.epub", "first/article-1.epub"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"projects:\n  - path: {source / 'art1'}\n    formt: epub\n"
                   "  - path: nowhere\n", encoding="utf-8")
    done = run_quire("batch", bad, env=EPOCH)
    assert done.returncode == 1
    assert "bad.yaml:2: projects[0].formt: unknown key" in done.stderr
    assert "bad.yaml:4: projects[1].path: project folder 'nowhere' not found" in done.stderr
    assert "Traceback" not in done.stderr


def _manifest(source: Path, folder: Path, names: list[str]) -> Path:
    manifest = folder / "some.toml"
    manifest.write_text("".join(f'[[project]]\npath = "{source / name}"\n\n' for name in names),
                        encoding="utf-8")
    return manifest


def test_a_worker_that_dies_fails_its_project_only_and_is_tried_once_more(source, tmp_path,
                                                                          monkeypatch):
    from quire import batch, executors

    build_here = executors.build_here

    def dying(project, *args):          # runs in the forked process of each project
        name = Path(project).name
        marker = tmp_path / f"{name}.tried"
        if name == "art2" or (name == "art3" and not marker.exists()):
            marker.touch()
            os.kill(os.getpid(), 9)
        return build_here(project, *args)

    monkeypatch.setattr(executors, "build_here", dying)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    report = batch.run(_manifest(source, tmp_path, ["art1", "art2", "art3", "art4"]),
                       tmp_path / "out", jobs=2, formats=("epub",))
    items = {item["name"]: item for item in report.items}
    assert items["art2"]["status"] == "failed" and items["art2"]["attempts"] == 2
    assert items["art2"]["errors"][0]["message"].startswith("worker died: signal 9")
    assert items["art3"]["status"] == "built" and items["art3"]["attempts"] == 2
    assert items["art1"]["status"] == items["art4"]["status"] == "built"
    assert items["art1"]["attempts"] == 1
    assert report.failed == 1


def _kill(marks: Path, name: str, how: str) -> None:
    """Arm the worker-side test hook (executors._test_kill): `once` or `always`."""
    marks.mkdir(exist_ok=True)
    (marks / f"{name}.{how}").touch()


def _dying_again(out: Path, marks: Path) -> None:
    """Make art2 due again (its output gone) and make every worker that builds it die."""
    for path in (out / "art2").glob("*.epub"):
        path.unlink()
    _kill(marks, "art2", "always")


def _check_deaths(done, report_path: Path, engine: str) -> None:
    """After a batch where art2's worker always dies: art2 failed after 2 attempts with
    the reason, everything else up to date."""
    assert done.returncode == 1, done.stderr
    assert "0 built, 29 up to date, 2 failed" in done.stdout
    items = {item["name"]: item for item in json.loads(report_path.read_text())["items"]}
    art2 = items["art2"]
    assert art2["status"] == "failed" and art2["attempts"] == 2 and art2["files"] == []
    assert art2["errors"][0]["message"].startswith(f"worker died: the {engine} worker "
                                                   "running it died")
    assert f"error: art2: worker died: the {engine} worker running it died" in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                    reason="Dask is not installed: pip install -e '.[dask]'")
def test_dask_scheduler_and_worker_on_localhost_give_the_same_bytes(local, source, tmp_path):
    """The same bytes as the local pool, though art3's worker is killed the first time
    (retried once, on a new worker); then art2's worker dies every time: art2 fails."""
    out, _, _ = local
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    marks = tmp_path / "marks"
    _kill(marks, "art3", "once")
    # quire's one retry is the only one (a scheduler of one's own: see the README)
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
           "QUIRE_TEST_KILL_WORKER": str(marks)}
    started = []
    try:
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
             "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        _wait_for_workers(address, 2)
        batch = ["batch", source, "--out", tmp_path / "dask", "--format", "epub",
                 "--executor", "dask", "--address", address]
        done = run_quire(*batch, "--report", tmp_path / "dask.json", env=EPOCH)
        dask_files = _files(tmp_path / "dask")
        _dying_again(tmp_path / "dask", marks)
        _wait_for_workers(address, 2)
        again = run_quire(*batch, "--report", tmp_path / "again.json", env=EPOCH)
    finally:
        _stop(started)
    assert done.returncode == 1, done.stderr
    assert "30 built, 0 up to date, 1 failed" in done.stdout
    assert (marks / "art3.killed").exists()
    report = json.loads((tmp_path / "dask.json").read_text())
    items = {item["name"]: item for item in report["items"]}
    assert items["art3"]["status"] == "built" and items["art3"]["attempts"] == 2
    assert items["art1"]["attempts"] == 1
    assert items["broken"]["errors"][0]["path"] == "content/article.md"
    assert dask_files == _files(out)
    _check_deaths(again, tmp_path / "again.json", "Dask")


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout="60s") as client:
        client.wait_for_workers(count, timeout=120)


@pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                    reason="Ray is not installed: pip install -e '.[ray]'")
def test_local_ray_instance_gives_the_same_bytes_and_stops(local, source, tmp_path):
    """The same bytes as the local pool, though art3's worker is killed the first time;
    then nothing rebuilt but art2, whose worker dies every time; no Ray process left."""
    out, _, _ = local
    marks = tmp_path / "marks"
    _kill(marks, "art3", "once")
    env = {**EPOCH, "QUIRE_TEST_KILL_WORKER": str(marks)}
    batch = ["batch", source, "--out", tmp_path / "ray", "--format", "epub",
             "--executor", "ray", "--jobs", "2"]
    done = run_quire(*batch, "--report", tmp_path / "ray.json", env=env)
    assert done.returncode == 1, done.stderr
    assert "30 built, 0 up to date, 1 failed" in done.stdout
    assert _files(tmp_path / "ray") == _files(out)
    assert (marks / "art3.killed").exists()
    items = {item["name"]: item for item in json.loads((tmp_path / "ray.json").read_text())["items"]}
    assert items["art3"]["status"] == "built" and items["art3"]["attempts"] == 2
    _dying_again(tmp_path / "ray", marks)
    again = run_quire(*batch, "--report", tmp_path / "again.json", env=env)
    _check_deaths(again, tmp_path / "again.json", "Ray")
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", "ray::|raylet|gcs_server"], check=False,
                          capture_output=True,
                          text=True).stdout.split()
    assert left == [], "Ray processes left running"


def test_a_missing_extra_is_one_line_naming_the_pip_command(source, tmp_path):
    code = ("import sys; sys.modules['ray'] = None; sys.modules['dask'] = None; "
            "from quire.cli import main; sys.exit(main(sys.argv[1:]))")
    for engine in ("ray", "dask"):
        done = subprocess.run([sys.executable, "-c", code, "batch", str(source), "--out",
                               str(tmp_path / engine), "--executor", engine, "--format", "epub"],
                              check=False, capture_output=True, text=True)
        assert done.returncode == 1
        assert done.stderr == (f"error: --executor {engine} needs {engine.capitalize()}: "
                               f"pip install 'quire[{engine}]'\n")


def _in_a_terminal(*args, env: dict) -> tuple[int, str]:
    """Run quire with stdout and stderr on a pseudo-terminal, as a person would."""
    import pty

    leader, follower = pty.openpty()
    environment = {k: v for k, v in {**os.environ, **env}.items() if k != "CI"}
    process = subprocess.Popen([sys.executable, "-m", "quire", *map(str, args)],
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                               env=environment)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:             # EIO: the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_progress_on_a_terminal_is_one_updating_line(source, tmp_path):
    import re

    manifest = _manifest(source, tmp_path, ["art1", "art2", "art3", "broken"])
    code, screen = _in_a_terminal("batch", manifest, "--out", tmp_path / "out", "--format",
                                  "epub", "-j", "1", env=EPOCH)
    assert code == 1, screen
    assert "\r\x1b[K0/4 done, 0 failed, 1 running" in screen
    assert re.search(r"\r\x1b\[K2/4 done, 0 failed, 1 running, \d+ a minute, "
                     r"about \d+:\d\d left", screen), screen
    assert "error: broken: content/article.md:8: image 'plot.png' not found" in screen
    assert "4 projects: 3 built, 0 up to date, 1 failed" in screen
    assert "built: art1" not in screen and "[1/4]" not in screen     # no per-project lines
    assert screen.rstrip().endswith("local)")       # the line was erased before the summary
    assert sorted(_files(tmp_path / "out")) == [f"art{n}/article-{n}.epub" for n in (1, 2, 3)]


def test_progress_in_a_pipe_is_plain_lines_and_quiet_means_a_count_every_n():
    import io

    from quire.batch_progress import Progress

    ticks = iter(range(0, 1000, 6))
    out, errors = io.StringIO(), io.StringIO()
    progress = Progress(5, out, errors, terminal=False, quiet=True, every=2,
                        clock=lambda: next(ticks))
    for n in range(5):
        progress.running(1)
        progress.finished({"name": f"p{n}", "status": "failed" if n == 3 else "built",
                           "files": [], "seconds": 1.0, "peak_memory": None,
                           "errors": [{"message": "x.md:1: bad"}] if n == 3 else []})
    progress.close()
    assert out.getvalue().splitlines() == [
        "[2/5] 2/5 done, 0 failed, 1 running, 20 a minute, about 0:09 left",
        "[4/5] 4/5 done, 1 failed, 1 running, 15 a minute, about 0:04 left"]
    assert errors.getvalue() == "error: p3: x.md:1: bad\n"      # no terminal codes in a pipe
