"""Real manuscripts nobody on this project wrote (../shared/corpus/): a copy of each folder
builds with no configuration and no edits, and its EPUB passes EPUBCheck 5.3 0/0/0."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO, epubcheck, problems, run_quire

CORPUS = REPO.parent / "shared" / "corpus"
FOLDERS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FOLDERS, reason=f"{CORPUS} is not here")
@pytest.mark.parametrize("folder", FOLDERS)
def test_corpus_folder_builds_clean(tmp_path, folder):
    root = tmp_path / folder
    shutil.copytree(CORPUS / folder, root)
    done = run_quire("build", root)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    epubs = list((root / "dist").glob("*.epub"))
    pdfs = list((root / "dist").glob("*.pdf"))
    assert len(epubs) == 1 and len(pdfs) == 1, done.stdout
    assert problems(epubcheck(epubs[0])) == []
