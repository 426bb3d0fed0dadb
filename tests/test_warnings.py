"""Warnings people read: grouped by kind with counts, each with file:line; printed once by
watch; never run into the progress line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import make_project, run_quire
from test_loop import Running

from quire.warning_groups import Shown, kind, lines

DOC = "---\nlang: en\n---\n# {title}\n\nSome text here, enough to tell its language.\n\n{images}\n"


def images(*names):
    return "\n\n".join(f"![Alt {n}](https://example.com/{n}.png)" for n in names)


def test_kinds_and_groups():
    messages = ["a.md:8: remote image 'https://x/a.png' is not fetched; its alt text 'A' is printed",
                "b.md:3: remote image 'https://x/b.png' is not fetched; its alt text 'B' is printed",
                "c.md: cannot tell the language of the text (it has only 12 letters)"]
    assert kind(messages[0]) == kind(messages[1]) == "remote image '…' is not fetched"
    assert kind(messages[2]) == "cannot tell the language of the text"
    assert kind("up & going/ch1.md:111: image 'fig1.png' has no alt text") == \
        kind("es6 & beyond/ch2.md:82: image 'fig4.png' has no alt text")
    assert kind("book.pdf: preflight: pages 3, 8 and 9 more: text within 5 mm of the trim") \
        == "text within N mm of the trim"
    assert lines(messages + messages[:1]) == [
        "warnings: 2 × remote image '…' is not fetched",
        f"warning: {messages[0]}", f"warning: {messages[1]}", f"warning: {messages[2]}"]
    shown = Shown()
    assert shown.new(messages[:2]) == (messages[:2], 0)
    assert shown.new(messages) == (messages[2:], 2)


def test_build_groups_warnings_with_their_lines(tmp_path):
    root = make_project(tmp_path, {"a.md": DOC.format(title="A", images=images("a", "b")),
                                   "b.md": DOC.format(title="B", images=images("c"))})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "warnings: 3 × remote image '…' is not fetched",
        "warning: a.md:8: remote image 'https://example.com/a.png' is not fetched; "
        "its alt text 'Alt a' is printed",
        "warning: a.md:10: remote image 'https://example.com/b.png' is not fetched; "
        "its alt text 'Alt b' is printed",
        "warning: b.md:8: remote image 'https://example.com/c.png' is not fetched; "
        "its alt text 'Alt c' is printed"], done.stderr


def test_watch_prints_a_warning_once(tmp_path):
    root = make_project(tmp_path / "p", {"a.md": DOC.format(title="A", images=images("a"))})
    run = Running("watch", root, "--format", "epub")
    try:
        assert "a.md:8: remote image" in run.wait_for("warning:")
        run.wait_for("built")
        time.sleep(0.5)
        (root / "a.md").write_text(DOC.format(title="A", images=images("a")) + "\nMore.\n")
        assert "(1 warning as in the last build, not shown again)" in run.wait_for(r"\(1 warn")
        run.wait_for("rebuilt after a.md")
        (root / "a.md").write_text(DOC.format(title="A", images=images("a", "n")))
        assert "a.md:10: remote image 'https://example.com/n.png'" in run.wait_for("warning:")
        assert "(1 warning as in the last build" in run.wait_for(r"\(1 warn")
        run.wait_for("rebuilt after a.md")
    finally:
        run.stop()
    seen = []
    while not run.lines.empty():
        seen.append(run.lines.get())
    assert not [line for line in seen if "example.com/a.png" in line], seen


def test_progress_line_is_cleared_before_the_first_warning(tmp_path):
    if not shutil.which("script"):
        pytest.skip("util-linux 'script' is needed to give quire a terminal")
    root = make_project(tmp_path, {"a.md": DOC.format(title="A", images=images("a"))})
    local = {k: v for k, v in os.environ.items() if k != "CI"}
    on_tty = subprocess.run(["script", "-qec", f"{sys.executable} -m quire build {root} "
                             "--format epub", "/dev/null"], capture_output=True, text=True,
                            env=local)
    assert on_tty.returncode == 0
    out = on_tty.stdout
    assert "\033[Kreading 1 documents..." in out
    before = out[:out.index("warning: a.md:8")]
    assert before.endswith("\033[K"), repr(before[-80:])     # (\r read as \n)
