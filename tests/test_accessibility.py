"""DAISY Ace (driven by Debian's Chromium) finds no accessibility violations in our EPUBs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import projects
from conftest import REPO, make_project, run_quire

ACE = REPO / "tools" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium") or ""


def ace_violations(epub: Path, work: Path) -> list[dict]:
    if not (ACE.exists() and CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("DAISY Ace is not installed (.ci/run installs it)")
        pytest.skip("DAISY Ace not installed: cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm ci; "
                    "apt-get install chromium")
    # Chromium's profile socket path must stay short: a temporary folder directly in /tmp.
    with tempfile.TemporaryDirectory(prefix="ace") as short:
        env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1",
               "XDG_STATE_HOME": f"{short}/state", "XDG_CONFIG_HOME": f"{short}/config",
               "XDG_CACHE_HOME": f"{short}/cache", "TMPDIR": short}
        done = subprocess.run([str(ACE), "-f", "-s", "-o", str(work / "report"), str(epub)],
                              env=env, capture_output=True, text=True, timeout=300)
    report_path = work / "report" / "report.json"
    assert done.returncode == 0 and report_path.exists(), done.stdout + done.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return [{"rule": a["earl:test"]["dct:title"], "impact": a["earl:test"].get("earl:impact"),
             "file": doc["earl:testSubject"]["url"], "html": a["earl:result"].get("html")}
            for doc in report.get("assertions", []) for a in doc.get("assertions", [])
            if a["earl:result"].get("earl:outcome") == "fail"]


def test_seed_epub_has_no_violations(seed_build, tmp_path):
    assert ace_violations(seed_build["epub"], tmp_path) == []


@pytest.mark.parametrize("name", ["book", "journal_issue"])
def test_publications_have_no_violations(name, tmp_path):
    root = make_project(tmp_path / "p", getattr(projects, name)())
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0, done.stderr
    epub = next((root / "dist").glob("*.epub"))
    assert ace_violations(epub, tmp_path / "ace") == []


def test_accessibility_metadata_is_derived_and_overridable(tmp_path):
    import zipfile

    from conftest import epubcheck, problems
    from projects import image
    root = make_project(tmp_path, {
        "content/a.md": "# Title\n\nText.\n\n![](photo.png)\n",
        "content/photo.png": image("PNG", (60, 40)),
        "quire.toml": 'title = "T"\nlang = "en"\n[accessibility]\n'
                      'summary = "A short test publication."\nhazards = ["noFlashingHazard"]\n'})
    done = run_quire("build", root, "--format", "epub")
    assert done.returncode == 0 and "has no alt text" in done.stderr
    epub = root / "dist" / "t.epub"
    with zipfile.ZipFile(epub) as zf:
        opf = zf.read("EPUB/content.opf").decode()
    assert '<meta property="schema:accessibilitySummary">A short test publication.</meta>' in opf
    assert '<meta property="schema:accessibilityHazard">noFlashingHazard</meta>' in opf
    # An image without alt text: no claim of text alternatives, text alone is not sufficient.
    assert "alternativeText" not in opf
    assert '<meta property="schema:accessModeSufficient">textual,visual</meta>' in opf
    assert problems(epubcheck(epub)) == []
