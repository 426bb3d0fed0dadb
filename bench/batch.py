"""quire batch against one `quire build` per project: N generated articles (PDF + EPUB).

    python bench/batch.py --count 20 [--jobs 2] [--executor local]

Prints articles per minute for N sequential `quire build` processes, for `quire batch`
on the chosen executor, and for a second batch with nothing changed; and the batch's
largest per-project peak memory (from its report).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARAGRAPH = ("The cohort was followed for a median of {n} months; the outcome was recorded "
             "by two observers who did not know the allocation. ")


def article(root: Path, n: int) -> None:
    (root / "content").mkdir(parents=True)
    body = "\n\n".join(PARAGRAPH.format(n=n + k) * (3 + k % 4) for k in range(8))
    (root / "content" / "article.md").write_text(
        f"---\ntitle: Article {n}\nlang: en\nauthors: [A. Writer, B. Reader]\n---\n\n"
        f"# Background\n\n{body}\n\n# Results\n\n{body}\n", encoding="utf-8")


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executor", default="local")
    args = parser.parse_args()
    quire = [sys.executable, "-m", "quire"]
    with tempfile.TemporaryDirectory() as temp:
        source = Path(temp) / "articles"
        for n in range(args.count):
            article(source / f"a{n:04}", n)
        sequential = sum(timed([*quire, "build", str(p), "--out", str(Path(temp) / "seq" / p.name),
                                "-j", "1", "-q"]) for p in sorted(source.iterdir()))
        report = Path(temp) / "report.json"
        batch = [*quire, "batch", str(source), "--out", str(Path(temp) / "out"), "-q",
                 "--jobs", str(args.jobs), "--executor", args.executor, "--report", str(report)]
        first = timed(batch)
        peak = max(i["peak_memory"] or 0 for i in json.loads(report.read_text())["items"])
        second = timed(batch)
    rate = args.count * 60
    print(f"{args.count} articles, PDF + EPUB, {args.jobs} jobs")
    print(f"sequential quire build: {sequential:6.1f} s  {rate / sequential:6.0f} a minute")
    print(f"quire batch ({args.executor}): {first:6.1f} s  {rate / first:6.0f} a minute, "
          f"peak {peak / 2**20:.0f} MiB a project")
    print(f"batch, nothing changed: {second:6.1f} s")


if __name__ == "__main__":
    main()
