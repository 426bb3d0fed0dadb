"""Assemble a quire project from Pro Git, 1st edition (CC BY-NC-SA 3.0): a real 80k-word
technical book in 9 chapters with 98 PNG figures, the benchmark's book with many raster
figures.

    git clone https://github.com/progit/progit /tmp/progit      # (2017-09-14, 61833a5)
    python bench/progit.py /tmp/progit /tmp/progit-book          # then quire build it

The source is not in this repository. The book's own figure lines ("Insert 18333fig0101.png"
then "Figure 1-1. caption") become Markdown images with that caption as alt text, the way
its Rakefile turns them into LaTeX figures; nothing else is changed.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

INSERT = re.compile(r"^Insert (18333fig\d+)\.png\s*\n(Figure [^\n]*)$", re.MULTILINE)


def assemble(source: Path, target: Path) -> Path:
    """Writes the project for `source` (a checkout of progit/progit) into `target`."""
    chapters = sorted((source / "en").glob("*/*.markdown"))
    if len(chapters) != 9:
        raise SystemExit(f"{source}: expected 9 chapters in en/*/, found {len(chapters)}")
    content = target / "content"
    shutil.rmtree(target, ignore_errors=True)
    (content / "figures").mkdir(parents=True)
    for png in sorted((source / "figures").glob("18333fig*-tn.png")):
        shutil.copy(png, content / "figures" / png.name)
    for chapter in chapters:
        text = chapter.read_text(encoding="utf-8")
        text = INSERT.sub(lambda m: f"![{m[2]}](figures/{m[1]}-tn.png)", text)
        (content / f"{chapter.parent.name}.md").write_text(text, encoding="utf-8")
    (target / "quire.toml").write_text(
        'name = "progit"\ntitle = "Pro Git"\nauthors = ["Scott Chacon"]\nlang = "en"\n'
        'rights = "CC BY-NC-SA 3.0"\n', encoding="utf-8")
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(assemble(Path(sys.argv[1]), Path(sys.argv[2])))
