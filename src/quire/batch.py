"""quire batch: many projects at once, on this machine's cores or on a Dask or Ray cluster.

    run(source, out, executor, address, jobs, formats, variant, strict) -> Report

`source` is a folder of project folders or a manifest (TOML or YAML) listing project paths
with optional per-item `format`, `variant`, `strict` and `name`. Each project is built by
the one build path (build.build) into OUT/<name>/, with its own cache there. What is up to
date is answered here from that cache (digests only) and sent nowhere; the rest goes to
an executor (executors.py). Outputs sent back by content are written here, each to a
temporary file renamed into place, and recorded in the project's cache as a local build
would, so the next batch finds them up to date. A failing project never stops the others.
The report (per item: status, files, warnings, errors, seconds, peak memory) is plain
data for JSON; printing it is the CLI's business.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import atomic
from .build import FORMATS, BuildWarning, cache_key, cores, last_build
from .errors import ConfigError, QuireError
from .model import PDF_VARIANTS as VARIANTS

EXECUTORS = ("local", "dask", "ray")
_ITEM_KEYS = {"path", "name", "format", "variant", "strict"}


@dataclass(frozen=True)
class Item:
    """One project of a batch and the options it is built with."""

    name: str                   # its folder under OUT
    project: Path
    formats: tuple[str, ...]
    variant: str | None
    strict: bool


@dataclass
class Report:
    executor: str
    items: list[dict] = field(default_factory=list)     # in the order of the source
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item["status"] == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def summary(self) -> str:
        rate = len(self.items) / self.seconds * 60 if self.seconds else 0
        return (f"{len(self.items)} projects: {self.count('built')} built, "
                f"{self.count('up to date')} up to date, {self.failed} failed "
                f"in {self.seconds:.1f} s ({rate:.0f} a minute, {self.executor})")

    def to_json(self) -> dict:
        return {"executor": self.executor, "seconds": round(self.seconds, 3),
                "built": self.count("built"), "up_to_date": self.count("up to date"),
                "failed": self.failed, "items": self.items}


def write_report(report: Report, path: Path) -> None:
    atomic.write_bytes(Path(path), json.dumps(report.to_json(), indent=1, ensure_ascii=False)
                       .encode("utf-8") + b"\n")


# -- what to build ---------------------------------------------------------------------------
def _formats(value) -> tuple[str, ...] | None:
    if value == "all":
        return FORMATS
    values = [value] if isinstance(value, str) else value
    if isinstance(values, list) and values and all(v in FORMATS for v in values):
        return tuple(f for f in FORMATS if f in values)
    return None


def _is_project(folder: Path) -> bool:
    return ((folder / "content").is_dir() or (folder / "quire.toml").is_file()
            or any(folder.rglob("*.md")))


def items_of(source: Path, formats=FORMATS, variant: str | None = None,
             strict: bool = False, out: Path | None = None) -> list[Item]:
    """The projects of `source` (a folder of project folders, or a manifest), with the
    given options unless an item of a manifest says otherwise."""
    source = Path(source)
    if source.is_dir():
        skip = {out.resolve()} if out else set()
        found = [Item(folder.name, folder, tuple(formats), variant, strict)
                 for folder in sorted(source.iterdir())
                 if folder.is_dir() and not folder.name.startswith(".")
                 and folder.name != "dist" and folder.resolve() not in skip
                 and _is_project(folder)]
        if not found:
            raise QuireError(f"{source}: no projects in it (folders with content/, a "
                             "quire.toml or Markdown files)")
        return found
    if not source.is_file():
        raise QuireError(f"{source}: no such folder or manifest")
    return _manifest(source, tuple(formats), variant, strict)


def _manifest(path: Path, formats, variant, strict) -> list[Item]:
    label = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QuireError(f"{label}: cannot be read ({err})") from None
    entries, lines = _entries(text, label, path.suffix.lower())
    problems: list[tuple[int | None, str]] = []
    found: list[Item] = []
    for number, (entry, line) in enumerate(zip(entries, lines)):
        where = f"projects[{number}]"
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            problems.append((line, f"{where}: expected a path or a table with `path`"))
            continue
        for key in sorted(set(entry) - _ITEM_KEYS):
            problems.append((line, (f"{where}.{key}: unknown key (known: "
                                   f"{', '.join(sorted(_ITEM_KEYS))})")))
        project = (path.parent / entry["path"]).resolve()
        item_formats = _formats(entry.get("format", list(formats)))
        item_variant = entry.get("variant", variant)
        item_strict = entry.get("strict", strict)
        if not project.is_dir():
            problems.append((line, f"{where}.path: project folder '{entry['path']}' not found"))
        if item_formats is None:
            problems.append((line, (f"{where}.format: expected pdf, epub, all or a list of "
                                   f"them; got {entry.get('format')!r}")))
        if item_variant is not None and item_variant not in VARIANTS:
            problems.append((line, (f"{where}.variant: expected one of {', '.join(VARIANTS)}; "
                                   f"got {item_variant!r}")))
        if not isinstance(item_strict, bool):
            problems.append((line, f"{where}.strict: expected true or false"))
        name = entry.get("name", project.name)
        if not isinstance(name, str) or not name or name.startswith(".") or "/" in name:
            problems.append((line, f"{where}.name: expected a folder name; got {name!r}"))
        elif name in {item.name for item in found}:
            problems.append((line, (f"{where}: a second project named '{name}' (give it a "
                                   "`name`: each gets OUT/<name>/)")))
        found.append(Item(str(name), project, item_formats or (), item_variant, item_strict))
    if not entries:
        problems.append((None, "lists no projects (`projects = [...]` or [[project]] tables)"))
    if problems:
        raise ConfigError(label, problems)
    return found


def _entries(text: str, label: str, suffix: str) -> tuple[list, list[int | None]]:
    """The manifest's items and, where known, the line of each."""
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(label, [(None, f"invalid TOML: {err}")]) from None
        entries = data.get("project", data.get("projects", []))
        heads = [n for n, line in enumerate(text.splitlines(), 1)
                 if line.strip().startswith("[[project")]
        lines = heads if len(heads) == len(entries) else [None] * len(entries)
        unknown = sorted(set(data) - {"project", "projects"})
        if unknown:
            raise ConfigError(label, [(None, (f"{key}: unknown key (a manifest has `projects` "
                                             "or [[project]] tables)")) for key in unknown])
        return (entries if isinstance(entries, list) else [entries]), lines
    if suffix in (".yaml", ".yml"):
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ConfigError(label, [(None, f"invalid YAML: {err}".replace("\n", " "))]) from None
        if isinstance(data, dict):
            node = next((v for k, v in node.value if k.value in ("projects", "project")), None)
            data = data.get("projects", data.get("project", []))
        if not isinstance(data, list):
            raise ConfigError(label, [(None, "expected a list of projects")])
        lines = [n.start_mark.line + 1 for n in node.value] if node is not None else []
        return data, lines + [None] * (len(data) - len(lines))
    raise QuireError(f"{label}: a manifest is a .toml or .yaml file")


# -- running -----------------------------------------------------------------------------------
def run(source: Path | str, out: Path | str | None = None, executor: str = "local",
        address: str | None = None, jobs: int | None = None, formats=FORMATS,
        variant: str | None = None, strict: bool = False,
        on_item: Callable[[dict], None] | None = None) -> Report:
    """Build every project of `source` into OUT/<name>/ (default: SOURCE/dist, or dist/
    beside a manifest). `on_item(result)` hears each project as it finishes."""
    from . import executors

    if executor not in EXECUTORS:
        raise QuireError(f"unknown executor '{executor}'; known: {', '.join(EXECUTORS)}")
    source = Path(source)
    out = Path(out) if out else (source if source.is_dir() else source.parent) / "dist"
    items = items_of(source, formats, variant, strict, out)
    jobs = jobs or cores()
    report = Report(executor, [None] * len(items))
    start = time.perf_counter()

    def finish(index: int, result: dict) -> None:
        report.items[index] = result
        if on_item:
            on_item(result)

    todo = []
    for index, item in enumerate(items):
        checked = time.perf_counter()
        record = last_build(item.project, item.formats, out / item.name, item.variant,
                            item.strict)
        if record is None:
            todo.append(index)
            continue
        finish(index, _result(item, {
            "status": "up to date", "written": list(record["outputs"]), "errors": [],
            "warnings": [_where(BuildWarning.of(m)) for m in record["warnings"]],
            "seconds": round(time.perf_counter() - checked, 3), "peak_memory": None,
            "attempts": 0}))
    if todo and executor == "local":
        _preload({f for i in todo for f in items[i].formats})
        works = [(str(items[i].project), str(out / items[i].name), items[i].formats,
                  items[i].variant, items[i].strict) for i in todo]
        executors.local(works, jobs, lambda k, outcome: finish(todo[k],
                                                              _result(items[todo[k]], outcome)))
    elif todo:
        run_remote = executors.dask if executor == "dask" else executors.ray
        packages = [_package(items[i]) for i in todo]

        def received(k: int, outcome: dict) -> None:
            item = items[todo[k]]
            finish(todo[k], _result(item, _store(item, out / item.name, outcome)))
        run_remote(packages, address, jobs, received)
    report.seconds = time.perf_counter() - start
    return report


def _where(warning: BuildWarning) -> dict:
    return {"message": warning.message, "path": warning.path, "line": warning.line}


def _result(item: Item, outcome: dict) -> dict:
    return {"name": item.name, "project": str(item.project), "status": outcome["status"],
            "files": outcome.get("written", []), "warnings": outcome["warnings"],
            "errors": outcome["errors"], "seconds": outcome["seconds"],
            "peak_memory": outcome["peak_memory"], "attempts": outcome.get("attempts", 1)}


def _preload(formats: set[str]) -> None:
    """Build a one-line project once here, before the processes are forked from this one:
    they inherit its imports, fonts and language models warm (a cold process spends some
    seconds on them, more than a short article takes)."""
    from .build import build

    with tempfile.TemporaryDirectory(prefix="quire-warm-") as temp:
        (Path(temp) / "content").mkdir()
        (Path(temp) / "content" / "a.md").write_text(
            "---\ntitle: Warm\nlang: en\n---\n\nA line.\n", encoding="utf-8")
        try:
            build(temp, tuple(f for f in FORMATS if f in formats), Path(temp) / "out", jobs=1)
        except QuireError:
            pass


# -- work sent by content ---------------------------------------------------------------------
def _package(item: Item) -> dict:
    """The project as bytes and its options: what a worker without our file system needs.
    Everything in the folder but hidden files, dist/ and links out of the project."""
    root = item.project.resolve()
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (path.is_file() and not any(p.startswith(".") or p == "dist" for p in parts)
                and path.resolve().is_relative_to(root)):
            files["/".join(parts)] = path.read_bytes()
    return {"folder": root.name, "files": files, "formats": list(item.formats),
            "variant": item.variant, "strict": item.strict,
            "epoch": os.environ.get("SOURCE_DATE_EPOCH")}


def _store(item: Item, out: Path, outcome: dict) -> dict:
    """Write the outputs a worker sent back and record them in the project's cache."""
    from .cache import BuildCache

    files = outcome.pop("files", {}) or {}
    if outcome["status"] == "failed":
        return outcome
    written = []
    for name, data in files.items():
        target = out / name
        atomic.write_bytes(target, data)
        written.append(target)
    root = item.project.resolve()
    extra = [root / name for name in outcome.pop("inputs", [])]
    # The worker's digest of what it built from (names relative to the project, so equal
    # to this machine's when quire and its libraries are the same versions here and there)
    BuildCache(out.resolve()).record(
        cache_key(item.formats, item.variant), outcome.pop("digest", None) or "",
        [p.resolve() for p in written], [w["message"] for w in outcome["warnings"]],
        [str(p) for p in extra])
    return {**outcome, "written": [str(p.resolve()) for p in written]}
