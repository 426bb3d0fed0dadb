"""Benchmarks: quire against pandoc on the same machine, in the same run, as ratios.

    python bench/run.py                     # the seed article and an 80k-word book
    python bench/run.py --sizes 80000,320000,1300000 --runs 3

Each case runs in a fresh process; the table gives the median wall time of --runs runs and
the peak memory (the summed resident memory of the process tree, workers included). pandoc
is measured where it is installed (`apt-get install pandoc`; never a dependency of quire):
`pandoc -o book.epub` and `pandoc --pdf-engine=weasyprint -o book.pdf`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from books import write_book  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# Runs a command; prints its wall time, the peak of the summed resident memory of its whole
# process tree (sampled every 20 ms: quire's workers count together) and its exit code.
MEASURE = """
import os, subprocess, sys, time

def tree_rss(root):
    parents, rss = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(pid)], rss[int(pid)] = int(fields[1]), int(fields[21]) * 4096
        except (OSError, IndexError):
            pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return total

start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while process.poll() is None:
    peak = max(peak, tree_rss(process.pid))
    time.sleep(0.02)
print(time.perf_counter() - start, peak // 1024, process.returncode)
"""


def measure(command: list[str], runs: int, prepare=None) -> tuple[float, float]:
    """(median seconds, peak MiB of the process tree) over `runs` runs of `command`, each in
    a fresh process."""
    times, peaks = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                             text=True, check=True).stdout.split()
        seconds, peak_kib, code = float(out[0]), int(out[1]), int(out[2])
        if code != 0:
            raise SystemExit(f"failed ({code}): {' '.join(command)}")
        times.append(seconds)
        peaks.append(peak_kib / 1024)
    return statistics.median(times), max(peaks)


def edit(chapter: Path, original: str):
    """A preparation that changes `chapter` anew before each run."""
    def prepare():
        chapter.write_text(original + f"\nEn ny setning {time.perf_counter_ns()}.\n",
                           encoding="utf-8")
    return prepare


def quire(*args: str) -> list[str]:
    return [sys.executable, "-m", "quire", *args]


def markdown_files(root: Path) -> list[str]:
    return sorted(str(p) for p in (root / "content").glob("*.md"))


def weasyprint_alone(root: Path, work: Path) -> list[str]:
    """A command that has WeasyPrint alone (imported the usual way) lay out and write quire's
    print HTML and stylesheet for `root`: the floor under quire's own PDF."""
    from quire.load import load
    from quire.outputs import pdf

    theme = work / "theme"
    shutil.copytree(REPO / "styles", theme, dirs_exist_ok=True)
    html = pdf.render_print_html(load(root))
    html = html.replace(pdf.THEME_URL, theme.as_uri() + "/").replace(
        pdf.PROJECT_URL, root.resolve().as_uri() + "/")
    (work / "alone.html").write_text(html, encoding="utf-8")
    return [sys.executable, "-c", "import sys, weasyprint; weasyprint.HTML(sys.argv[1])"
            ".write_pdf(sys.argv[2], pdf_variant='pdf/x-4')",
            str(work / "alone.html"), str(work / "alone.pdf")]


def cases(sizes: list[int], work: Path):
    seed = work / "seed"
    shutil.copytree(REPO / "content", seed / "content")
    shutil.copy(REPO / "quire.toml", seed / "quire.toml")
    yield "seed article", seed
    for words in sizes:
        yield f"book, {words // 1000}k words", write_book(work / f"book{words}", words)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80000", help="book sizes in words, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    pandoc = shutil.which("pandoc")
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        for name, root in cases(sizes, work):
            out = work / "out"

            def clean():
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(root / "dist", ignore_errors=True)

            files = markdown_files(root)
            results = {
                "quire pdf+epub": measure(quire("build", str(root), "--out", str(out)), args.runs, clean),
                "quire epub": measure(quire("build", str(root), "--format", "epub", "--out", str(out)),
                                      args.runs, clean),
                "quire pdf": measure(quire("build", str(root), "--format", "pdf", "--out", str(out)),
                                     args.runs, clean),
            }
            # A rebuild with nothing changed, and after one chapter changed (EPUB only).
            subprocess.run(quire("build", str(root), "--out", str(out)), capture_output=True)
            results["quire rebuild, nothing changed"] = measure(
                quire("build", str(root), "--out", str(out)), args.runs)
            last = Path(files[-1])
            original = last.read_text(encoding="utf-8")

            results["quire epub, one chapter changed"] = measure(
                quire("build", str(root), "--format", "epub", "--out", str(out)), args.runs,
                edit(last, original))
            results["quire pdf, one chapter changed"] = measure(
                quire("build", str(root), "--format", "pdf", "--out", str(out)), args.runs,
                edit(last, original))
            last.write_text(original, encoding="utf-8")
            # The EPUB without the print layout its page list needs.
            plain = work / f"{root.name}-no-page-list"
            shutil.copytree(root, plain)
            with open(plain / "quire.toml", "a", encoding="utf-8") as config:
                config.write("\n[epub]\npage_list = false\n")
            results["quire epub, no page list"] = measure(
                quire("build", str(plain), "--format", "epub", "--out", str(out)), args.runs, clean)
            # What `quire serve` rebuilds after an edit: that EPUB, one chapter changed.
            results["quire epub, no page list, one chapter changed"] = measure(
                quire("build", str(plain), "--format", "epub", "--out", str(out)), args.runs,
                edit(plain / "content" / last.name, original))
            if name == "seed article":
                results["weasyprint alone, quire's html and css"] = measure(
                    weasyprint_alone(root, work), args.runs)
            if pandoc:
                common = [pandoc, *files, "--resource-path", str(root / "content"),
                          "--metadata", "title=Benchmark"]
                results["pandoc epub"] = measure([*common, "-o", str(work / "p.epub")], args.runs)
                results["pandoc+weasyprint pdf"] = measure(
                    [*common, "--pdf-engine=weasyprint", "-o", str(work / "p.pdf")], args.runs)
            rows.append((name, results))
    print_table(rows, args.runs)


def print_table(rows, runs: int) -> None:
    print(f"Median of {runs} runs; peak = the process tree's summed resident memory. "
          f"{os.cpu_count()} cores.\n")
    print("| case | measure | seconds | peak MiB | ratio |")
    print("|---|---|---:|---:|---|")
    for name, results in rows:
        pandoc_pdf = results.get("pandoc+weasyprint pdf", (None, None))[0]
        pandoc_epub = results.get("pandoc epub", (None, None))[0]
        for measure_name, (seconds, peak) in results.items():
            ratio = ""
            if pandoc_pdf and measure_name.startswith(("quire pdf", "weasyprint")):
                ratio = f"{seconds / pandoc_pdf:.2f}× pandoc pdf"
            elif pandoc_epub and measure_name.startswith("quire epub"):
                ratio = f"{seconds / pandoc_epub:.2f}× pandoc epub"
            print(f"| {name} | {measure_name} | {seconds:.2f} | {peak:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
