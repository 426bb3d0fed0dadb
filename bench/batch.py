"""quire batch on N generated articles (plus a few real manuscripts), per executor.

    python bench/batch.py --count 100 [--configs local:1,local:2,dask:2,ray:2] [--real]
                          [--sequential] [--json FILE]

For each configuration (executor:jobs) a fresh output folder: the first batch's time and
articles per minute, the peak memory of the whole process tree (the quire client, its
forked processes or the Dask/Ray processes it started, sampled every 0.2 s from /proc),
the largest per-project peak from the batch's report (VmHWM of the building process), and
the time of a second batch with nothing changed. `--real` adds the seed article, mkdocs'
docs and "up & going" from ../shared/corpus (where it is beside the clone).
`--sequential` also times one `quire build` process per project, one after another.
Timings on a shared machine are noisy: run more than once and compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
PARAGRAPH = ("The cohort was followed for a median of {n} months; the outcome was recorded "
             "by two observers who did not know the allocation. ")


def article(root: Path, n: int) -> None:
    (root / "content").mkdir(parents=True)
    body = "\n\n".join(PARAGRAPH.format(n=n + k) * (3 + k % 4) for k in range(8))
    (root / "content" / "article.md").write_text(
        f"---\ntitle: Article {n}\nlang: en\nauthors: [A. Writer, B. Reader]\n---\n\n"
        f"# Background\n\n{body}\n\n# Results\n\n{body}\n", encoding="utf-8")


def real(source: Path) -> list[str]:
    """The seed article and two corpus folders, where they are; their names."""
    names = []
    seed = REPO / "tests" / "data" / "seed-article.txt"
    if seed.is_file():
        (source / "real-seed" / "content").mkdir(parents=True)
        shutil.copy(seed, source / "real-seed" / "content" / "article.md")
        names.append("real-seed")
    for name, folder in (("real-mkdocs", CORPUS / "mkdocs-docs"),
                         ("real-up-going", CORPUS / "ydkjs-1st-ed" / "up & going")):
        if folder.is_dir():
            shutil.copytree(folder, source / name)
            names.append(name)
    return names


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    stat = handle.read()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds and the peak resident memory of the process tree (summed over processes)."""
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], sum(_rss(pid) for pid in _tree(process.pid)))
            time.sleep(0.2)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    seconds = time.perf_counter() - start
    sampler.join()
    return seconds, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--configs", default="local:1,local:2,dask:2,ray:2",
                        help="executor:jobs, comma-separated")
    parser.add_argument("--real", action="store_true", help="add three real manuscripts")
    parser.add_argument("--sequential", action="store_true",
                        help="also one `quire build` process per project")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    quire = [sys.executable, "-m", "quire"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as temp:
        source = Path(temp) / "articles"
        for n in range(args.count):
            article(source / f"a{n:04}", n)
        extra = real(source) if args.real else []
        total = args.count + len(extra)
        print(f"{args.count} generated articles{f' + {extra}' if extra else ''}, PDF + EPUB",
              flush=True)
        if args.sequential:
            seconds = sum(timed([*quire, "build", str(p), "--out",
                                 str(Path(temp) / "seq" / p.name), "-j", "1", "-q"])[0]
                          for p in sorted(source.iterdir()))
            rows.append({"config": "sequential quire build", "seconds": round(seconds, 1),
                         "per_minute": round(total * 60 / seconds)})
            print(rows[-1], flush=True)
        for config in args.configs.split(","):
            executor, _, jobs = config.partition(":")
            out = Path(temp) / f"out-{executor}-{jobs}"
            report = out / "report.json"
            batch = [*quire, "batch", str(source), "--out", str(out), "-q", "--executor",
                     executor, "--jobs", jobs or "2", "--report", str(report)]
            first, memory = timed(batch)
            items = json.loads(report.read_text())["items"] if report.is_file() else []
            failed = [i["name"] for i in items if i["status"] == "failed"]
            project_peak = max((i["peak_memory"] or 0 for i in items), default=0)
            second, _ = timed(batch)
            rows.append({"config": f"batch --executor {executor} -j {jobs or 2}",
                         "seconds": round(first, 1), "per_minute": round(total * 60 / first),
                         "tree_peak_mib": round(memory / 2**20),
                         "project_peak_mib": round(project_peak / 2**20),
                         "nothing_changed_s": round(second, 1), "failed": failed})
            print(rows[-1], flush=True)
            shutil.rmtree(out, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"count": args.count, "real": extra, "rows": rows},
                                        indent=1) + "\n")


if __name__ == "__main__":
    main()
