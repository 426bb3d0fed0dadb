"""Benchmarks: quire against pandoc on the same machine, in the same run, as ratios.

    python bench/run.py                     # the seed article and an 80k-word book
    python bench/run.py --sizes 80000,320000,1300000 --runs 3
    python bench/run.py --real --runs 3     # real books (see below)
    python bench/run.py --real --books progit,six --growth 1,4 --runs 1

Each measure runs in a fresh process, and the runs are interleaved (run 1 of every command
of a case, then run 2, ...), so that the load of a shared machine falls alike on quire and on
what it is compared with. The table gives the median wall time of --runs runs, the median
CPU time (user + system of the whole process tree: less sensitive to other load than the
wall time) and the peak memory (the summed resident memory of the process tree, workers
included). pandoc is measured where it is installed (`apt-get install pandoc`; never a
dependency of quire).

Generated books (`--sizes`): `pandoc -o book.epub` and `pandoc --pdf-engine=weasyprint -o
book.pdf`. Real books (`--real`): each book of ../shared/corpus/ydkjs-1st-ed/ ("ydkjs:
NAME"; skipped with a note when the corpus is not there), the six as one publication
("six", about 1,000 pages), and Pro Git 1st edition with 98 PNG figures ("progit", when
--progit names a checkout of github.com/progit/progit: see bench/progit.py). Their
comparison is what a user would run: `pandoc FILES -s --toc --css bench/pandoc-print.css -o
book.html` (the same Markdown files in quire's order, quire's fonts) then `weasyprint
book.html book.pdf` with WeasyPrint 70. "limit" is one plain WeasyPrint render of quire's own
print HTML and stylesheet, its layout (`render()`) plus drawing (`write_pdf()`) seconds
without start-up, divided by the cores: what a perfect parallel layout would take.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from books import write_book  # noqa: E402
from progit import assemble  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "ydkjs-1st-ed"
BOOKS = ("up & going", "scope & closures", "this & object prototypes", "types & grammar",
         "async & performance", "es6 & beyond")
# Runs a command; prints its wall time, the peak of the summed resident memory of its whole
# process tree (sampled every 20 ms: quire's workers count together), the CPU seconds of
# that tree (its children are reaped by it, so they count) and its exit code.
MEASURE = """
import os, resource, subprocess, sys, time

def tree(root):
    parents, rss = {}, {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(pid)], rss[int(pid)] = int(fields[1]), int(fields[21]) * 4096
        except (OSError, IndexError):
            pass
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        found[pid] = rss.get(pid, 0)
        todo += [child for child, parent in parents.items() if parent == pid]
    return found

def pss(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += next(int(line.split()[1]) * 1024 for line in f
                              if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total

start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = peak_pss = samples = 0
while process.poll() is None:
    found = tree(process.pid)
    peak = max(peak, sum(found.values()))
    if samples % 10 == 0:                   # every 0.2 s: reading smaps costs more
        peak_pss = max(peak_pss, pss(found))
    samples += 1
    time.sleep(0.02)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, peak // 1024, process.returncode, usage.ru_utime + usage.ru_stime,
      peak_pss // 1024)
"""
# One plain WeasyPrint render of an HTML file: prints its layout and drawing seconds.
RENDER = """
import sys, time, weasyprint
start = time.perf_counter()
document = weasyprint.HTML(sys.argv[1]).render()
laid_out = time.perf_counter()
document.write_pdf(sys.argv[2])
print(laid_out - start, time.perf_counter() - laid_out, len(document.pages))
"""


def run_once(command: list[str], prepare=None) -> tuple[float, float, float, float]:
    """(wall seconds, peak MiB of the process tree, CPU seconds, peak proportional MiB)
    of one run of `command`."""
    if prepare:
        prepare()
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    if int(out[2]) not in ((0, 1) if "check" in command else (0,)):   # 1: check's findings
        raise SystemExit(f"failed ({out[2]}): {' '.join(command)}")
    return float(out[0]), int(out[1]) / 1024, float(out[3]), int(out[4]) / 1024


def interleaved(commands: dict, runs: int) -> dict:
    """{name: (median seconds, max peak MiB, median CPU seconds, max peak PSS MiB)} of
    `commands` ({name:
    (command, prepare or None)}), run `runs` times in turn: one run of each, then again."""
    samples: dict = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, prepare) in commands.items():
            samples[name].append(run_once(command, prepare))
    return {name: (statistics.median(s[0] for s in got), max(s[1] for s in got),
                   statistics.median(s[2] for s in got), max(s[3] for s in got))
            for name, got in samples.items()}


def measure(command: list[str], runs: int, prepare=None) -> tuple:
    return interleaved({"one": (command, prepare)}, runs)["one"]


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


def print_html(root: Path, work: Path) -> Path:
    """quire's print HTML for `root` as a file WeasyPrint can read alone (theme and project
    files under their real paths)."""
    from quire.load import load
    from quire.outputs import pdf

    theme = work / "theme"
    shutil.copytree(REPO / "styles", theme, dirs_exist_ok=True)
    html = pdf.render_print_html(load(root))
    html = html.replace(pdf.THEME_URL, theme.as_uri() + "/").replace(
        pdf.PROJECT_URL, root.resolve().as_uri() + "/")
    path = work / f"{root.name}-alone.html"
    path.write_text(html, encoding="utf-8")
    return path


def weasyprint_alone(root: Path, work: Path) -> list[str]:
    """A command that has WeasyPrint alone (imported the usual way) lay out and write quire's
    print HTML and stylesheet for `root`: the floor under quire's own PDF."""
    html = print_html(root, work)
    return [sys.executable, "-c", "import sys, weasyprint; weasyprint.HTML(sys.argv[1])"
            ".write_pdf(sys.argv[2], pdf_variant='pdf/x-4')", str(html), str(work / "alone.pdf")]


def limit(root: Path, work: Path) -> tuple[float, float, int]:
    """(layout seconds, drawing seconds, pages) of one plain WeasyPrint render of quire's
    print HTML for `root`, in a fresh process, start-up not counted."""
    html = print_html(root, work)
    out = subprocess.run([sys.executable, "-c", RENDER, str(html), str(work / "limit.pdf")],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def cases(sizes: list[int], work: Path):
    seed = work / "seed"
    shutil.copytree(REPO / "content", seed / "content")
    shutil.copy(REPO / "quire.toml", seed / "quire.toml")
    yield "seed article", seed
    for words in sizes:
        yield f"book, {words // 1000}k words", write_book(work / f"book{words}", words)


def synthetic(args, work: Path) -> list:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    pandoc = shutil.which("pandoc")
    rows = []
    for name, root in cases(sizes, work):
        out = work / "out"

        def clean():
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(root / "dist", ignore_errors=True)

        files = markdown_files(root)
        commands = {
            "quire pdf+epub": (quire("build", str(root), "--out", str(out)), clean),
            "quire epub": (quire("build", str(root), "--format", "epub", "--out", str(out)), clean),
            "quire pdf": (quire("build", str(root), "--format", "pdf", "--out", str(out)), clean),
        }
        if pandoc:
            common = [pandoc, *files, "--resource-path", str(root / "content"),
                      "--metadata", "title=Benchmark"]
            commands["pandoc epub"] = ([*common, "-o", str(work / "p.epub")], None)
            commands["pandoc+weasyprint pdf"] = (
                [*common, "--pdf-engine=weasyprint", "-o", str(work / "p.pdf")], None)
        results = interleaved(commands, args.runs)
        # A rebuild with nothing changed, and after one chapter changed.
        subprocess.run(quire("build", str(root), "--out", str(out)), capture_output=True)
        results["quire rebuild, nothing changed"] = measure(
            quire("build", str(root), "--out", str(out)), args.runs)
        last = Path(files[-1])
        original = last.read_text(encoding="utf-8")
        results["quire pdf+epub, one chapter changed"] = measure(
            quire("build", str(root), "--out", str(out)), args.runs, edit(last, original))
        results["quire epub, one chapter changed"] = measure(
            quire("build", str(root), "--format", "epub", "--out", str(out)), args.runs,
            edit(last, original))
        last.write_text(original, encoding="utf-8")
        # The EPUB without the print layout its page list needs.
        plain = work / f"{root.name}-no-page-list"
        shutil.copytree(root, plain)
        with open(plain / "quire.toml", "a", encoding="utf-8") as config:
            config.write("\n[epub]\npage_list = false\n")
        results["quire epub, no page list"] = measure(
            quire("build", str(plain), "--format", "epub", "--out", str(out)), args.runs, clean)
        subprocess.run(quire("build", str(root)), capture_output=True)
        results["quire check, up to date"] = measure(quire("check", str(root)), args.runs)
        if name == "seed article":
            results["weasyprint alone, quire's html and css"] = measure(
                weasyprint_alone(root, work), args.runs)
        rows.append((name, results))
    return rows


def real_cases(args, work: Path):
    """(name, project folder) of the real books asked for, copied into `work`."""
    wanted = set(args.books.split(","))
    found = CORPUS.is_dir()
    if not found and any(w.startswith(("ydkjs", "six")) for w in wanted):
        print(f"note: {CORPUS} is not here; the ydkjs books are skipped", file=sys.stderr)
    picked = [book for book in BOOKS if "ydkjs" in wanted or f"ydkjs:{book.split()[0]}" in wanted]
    if found and picked:
        for book in picked:
            root = work / "ydkjs" / book
            shutil.copytree(CORPUS / book, root)
            yield f"ydkjs: {book}", root
    if found and "six" in wanted:
        root = work / "six"
        shutil.copytree(CORPUS, root)
        yield "ydkjs: the six as one", root
    if "progit" in wanted:
        if args.progit and Path(args.progit, "en").is_dir():
            yield "progit (98 PNG figures)", assemble(Path(args.progit), work / "progit")
        else:
            print("note: --progit names no progit checkout; Pro Git is skipped", file=sys.stderr)


def pandoc_pdf(root: Path, files: list[Path], work: Path) -> list[str]:
    """pandoc → HTML with bench/pandoc-print.css → weasyprint, as one shell command. The HTML
    is written beside the Markdown files (their relative image paths hold there)."""
    css = work / "pandoc-print.css"
    fonts = (REPO / "styles" / "fonts").as_uri()
    css.write_text((REPO / "bench" / "pandoc-print.css").read_text().replace("FONTS", fonts))
    folder = files[0].parent if len({f.parent for f in files}) == 1 else root
    html = folder / "pandoc-book.html"
    weasyprint = Path(sys.executable).parent / "weasyprint"
    pandoc = [shutil.which("pandoc"), *map(str, files), "-s", "--toc", "--css", css.as_uri(),
              "--metadata", "title=Benchmark", "-o", str(html)]
    weasy = [str(weasyprint), str(html), str(work / "p.pdf")]
    return ["sh", "-c", f"{shlex.join(pandoc)} && {shlex.join(weasy)}"]


def real(args, work: Path) -> list:
    from quire.load import load

    cores = os.cpu_count() or 1
    rows = []
    for name, root in real_cases(args, work):
        publication = load(root)
        files = [root / doc.source for doc in publication.documents]
        out = work / "out"

        def clean():
            shutil.rmtree(out, ignore_errors=True)

        commands = {"quire pdf": (quire("build", str(root), "--format", "pdf", "--out", str(out)),
                                  clean)}
        if shutil.which("pandoc"):
            commands["pandoc+weasyprint pdf"] = (pandoc_pdf(root, files, work), None)
        commands["quire epub"] = (quire("build", str(root), "--format", "epub", "--out", str(out)),
                                  clean)
        if shutil.which("pandoc"):
            commands["pandoc epub"] = ([shutil.which("pandoc"), *map(str, files), "--metadata",
                                        "title=Benchmark", "-o", str(work / "p.epub")], None)
        results = interleaved(commands, args.runs)
        if not args.no_limit:
            layout, drawing, pages = limit(root, work)
            results[f"limit: ({layout:.1f} s layout + {drawing:.1f} s drawing) ÷ {cores} cores, "
                    f"{pages} pages"] = ((layout + drawing) / cores, 0, 0, 0)
        if args.incremental:   # in the project's own dist/, where `quire check` looks
            subprocess.run(quire("build", str(root)), capture_output=True)
            results["quire rebuild, nothing changed"] = measure(quire("build", str(root)),
                                                                args.runs)
            chapter = files[len(files) // 2]
            original = chapter.read_text(encoding="utf-8")
            results["quire pdf+epub, one chapter changed"] = measure(
                quire("build", str(root)), args.runs, edit(chapter, original))
            chapter.write_text(original, encoding="utf-8")
            subprocess.run(quire("build", str(root)), capture_output=True)
            results["quire check, up to date"] = measure(quire("check", str(root)), args.runs)
        rows.append((name, results))
    for times in [int(t) for t in args.growth.split(",") if t]:
        if not CORPUS.is_dir():
            break
        root = work / f"six-x{times}"
        for copy in range(times):
            shutil.copytree(CORPUS, root / f"copy {copy + 1}")
        out = work / "out"
        seconds, peak, cpu, pss = measure(quire("build", str(root), "--format", "pdf", "--out",
                                           str(out)), args.runs,
                                     lambda: shutil.rmtree(out, ignore_errors=True))
        pdf = next(out.glob("*.pdf"))           # the last run's
        pages = int(subprocess.run(["qpdf", "--show-npages", str(pdf)], capture_output=True,
                                   text=True).stdout)
        rows.append((f"growth: the six × {times}", {
            f"quire pdf, {pages} pages, {pages / seconds:.1f} pages/s": (seconds, peak, cpu, pss)}))
        shutil.rmtree(root)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80000", help="book sizes in words, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real", action="store_true", help="real books instead of generated")
    parser.add_argument("--books", default="ydkjs,six,progit",
                        help="with --real: ydkjs (each of the six) or ydkjs:WORD (the one starting "
                             "with WORD: up, scope, this, types, async, es6), six (as one), progit")
    parser.add_argument("--progit", default=os.environ.get("QUIRE_BENCH_PROGIT", ""),
                        help="a checkout of github.com/progit/progit")
    parser.add_argument("--incremental", action="store_true",
                        help="with --real: also rebuilds (nothing changed, one chapter changed)")
    parser.add_argument("--no-limit", action="store_true", help="with --real: skip the limit")
    parser.add_argument("--growth", default="", help="with --real: the six × these, e.g. 1,4,16")
    args = parser.parse_args()
    # quire's bytecode, as an installed package has it: an editable install where
    # PYTHONDONTWRITEBYTECODE is set compiles quire's modules in every measured run.
    compileall.compile_dir(REPO / "src" / "quire", quiet=1)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as temp:
        rows = (real if args.real else synthetic)(args, Path(temp))
    print_table(rows, args.runs, load)


def print_table(rows, runs: int, load) -> None:
    print(f"Median of {runs} runs, interleaved; peak = the process tree's summed resident "
          f"memory (pages the workers share with the parent count in each); PSS = its summed "
          f"proportional set size (shared pages divided among the processes sharing them, "
          f"sampled every 0.2 s); cpu = its user + system seconds. {os.cpu_count()} cores; "
          f"load average "
          f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.\n")
    print("| case | measure | seconds | cpu s | peak MiB | PSS MiB | ratio |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, results in rows:
        pandoc_pdf_s = results.get("pandoc+weasyprint pdf", (None,))[0]
        pandoc_epub = results.get("pandoc epub", (None,))[0]
        limit_s = next((v[0] for k, v in results.items() if k.startswith("limit")), None)
        for measure_name, (seconds, peak, cpu, pss) in results.items():
            ratio = []
            if pandoc_pdf_s and measure_name.startswith(("quire pdf", "weasyprint")):
                ratio.append(f"{seconds / pandoc_pdf_s:.2f}× pandoc pdf")
            if limit_s and measure_name == "quire pdf":
                ratio.append(f"{seconds / limit_s:.2f}× limit")
            if pandoc_epub and measure_name.startswith("quire epub"):
                ratio.append(f"{seconds / pandoc_epub:.2f}× pandoc epub")
            print(f"| {name} | {measure_name} | {seconds:.2f} | {cpu:.2f} | {peak:.0f} | "
                  f"{pss:.0f} | "
                  f"{'; '.join(ratio)} |")


if __name__ == "__main__":
    main()
