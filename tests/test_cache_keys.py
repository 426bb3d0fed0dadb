"""The build cache's keys and digests (cache.py): what changes a key, what does not."""

from __future__ import annotations

import pytest

from conftest import make_project
from quire import cache as cache_module
from quire.cache import BuildCache, digests


@pytest.fixture
def root(tmp_path):
    return make_project(tmp_path / "p", {
        "quire.toml": 'title = "T"\n', "content/a.md": "# A\n\nText.\n",
        "styles/custom.css": "p { color: red }\n", "content/pic.png": b"\x89PNG fake"})


def test_a_manuscript_changes_the_inputs_digest_but_not_the_settings(root):
    before = digests(root)
    (root / "content/a.md").write_text("# A\n\nOther text.\n")
    after = digests(root)
    assert after.inputs != before.inputs and after.settings == before.settings


@pytest.mark.parametrize("path", ["quire.toml", "styles/custom.css", "content/pic.png"])
def test_everything_else_changes_both(root, path):
    before = digests(root)
    with open(root / path, "ab") as out:
        out.write(b"\n")
    after = digests(root)
    assert after.inputs != before.inputs and after.settings != before.settings


def test_hidden_files_and_outputs_change_nothing(root):
    before = digests(root)
    (root / "content/.a.md.swp").write_text("editor")
    (root / "content/dist").mkdir()
    (root / "content/dist/x.pdf").write_text("an output")
    assert digests(root) == before


def test_the_epoch_and_quires_code_change_both(root, monkeypatch):
    before = digests(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert digests(root).inputs != before.inputs
    assert digests(root).settings != before.settings
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setattr(cache_module, "_versions", lambda: "another quire")
    assert digests(root).inputs != before.inputs


def test_a_renamed_file_changes_the_digest(root):
    before = digests(root)
    (root / "styles/custom.css").rename(root / "styles/other.css")
    assert digests(root).settings != before.settings


def test_store_keys_depend_on_every_part_and_the_store(tmp_path):
    cache = BuildCache(tmp_path)
    chunks, derived = cache.store("chunks"), cache.store("derived")
    key = chunks.key("context", 3, "<html>")
    assert key == chunks.key("context", 3, "<html>")
    assert key != chunks.key("context", 4, "<html>")
    assert key != chunks.key("context", None, "<html>")
    assert key != derived.key("context", 3, "<html>")          # the store is part of it
    assert chunks.key("ab", "c") != chunks.key("a", "bc")      # parts are not just joined
    assert derived.key("cmyk", b"data") != derived.key("fonts", b"data")
    with pytest.raises(ValueError):
        cache.store("no such store")


def test_markdown_is_keyed_by_its_text_only(tmp_path):
    calls = []

    def convert(text):
        calls.append(text)
        return f"<p>{text}</p>"
    cached = BuildCache(tmp_path).markdown(convert)
    assert cached("a") == cached("a") == "<p>a</p>" and calls == ["a"]
    assert cached.known("a") and not cached.known("b")
    assert BuildCache(tmp_path).markdown(convert)("a") == "<p>a</p>" and calls == ["a"]


def test_a_damaged_entry_is_a_miss_and_is_deleted(tmp_path):
    store = BuildCache(tmp_path).store("layout")
    store.put_json("k", {"inputs": "d", "starts": []})
    assert store.get_json("k", lambda v: isinstance(v, dict)) == {"inputs": "d", "starts": []}
    assert store.get_json("k", lambda v: False) is None        # wrong shape: discarded
    assert not store.has("k")
    store.put("k", b"data")
    path = store.dir / "k"
    path.write_bytes(path.read_bytes()[:-1] + b"X")
    assert store.get("k") is None and not path.exists()


def test_page_starts_are_kept_per_inputs_and_variant(tmp_path):
    cache = BuildCache(tmp_path)
    cache.store_page_starts("digest", "print", [["1", "a", 0, 0]])
    assert cache.page_starts("digest", "print") == [["1", "a", 0, 0]]
    assert cache.page_starts("digest", "screen") is None
    assert cache.page_starts("other", "print") is None
