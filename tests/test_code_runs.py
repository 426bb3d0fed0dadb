"""Runs of short inline code in print: each piece of code stays whole (typeset.py makes
it nowrap) and the line still breaks between them, inside the text block."""

from __future__ import annotations

import subprocess

from conftest import make_project, run_quire

CODE = ["/proc/cpuinfo", "/proc/meminfo", "/proc/cmdline", "/proc/xxx/cwd",
        "/proc/xxx/exe", "/proc/xxx/fd/", "/proc/xxx/smaps", "/proc/loadavg"]
RUN = ", ".join(f"`{code}`" for code in CODE)
DOC = (f"# Processes\n\nUse {RUN} (where `xxx` is the process id or pid).\n\n"
       f"- Look in {RUN}.\n- Or in **{RUN}**.\n"
       f"- 比如：{'，'.join(f'`{code}`' for code in CODE)}（这里的 `xxx` 表示进程的 id）。\n"
       f"- 例えば、{'、'.join(f'`{code}`' for code in CODE)}。\n")


def test_a_run_of_short_code_breaks_between_the_pieces(tmp_path):
    root = make_project(tmp_path, {"content/a.md": DOC, "quire.toml": 'name = "runs"\n'})
    done = run_quire("check", root, "--strict")
    assert "outside the text block" not in done.stdout + done.stderr, done.stdout
    text = subprocess.run(["pdftotext", str(root / "dist" / "runs.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "\u200b" not in text and "\u00ad" not in text
    lines = [line for line in text.splitlines() if "/proc/" in line]
    assert len(lines) >= 10                     # each run of eight takes two lines or more
    for code in CODE:                           # each piece whole on one line, 5 times
        assert sum(line.count(code) for line in lines) == 5, (code, lines)
    assert ", ".join(CODE[:3]) in lines[0]     # copied as written
