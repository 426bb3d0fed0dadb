"""mkdocs snippets (`--8<-- "file.md"`, pymdownx.snippets) expanded inside the project.

pymdown-extensions' own SnippetPreprocessor does the reading (inline and block markers,
line ranges `file.md:3:8`, sections `file.md:name`, nested snippets, `;--8<--` escapes);
quire runs it once per document before Python-Markdown, so that the Markdown cache is
keyed by the expanded text and each snippet file is a build input (a change rebuilds).
What quire adds is the fence around it: a snippet must be a file inside the project
folder (found from the project folder, else from the including file's folder; `docs/x`
also as `x`, since mkdocs reads paths from the folder above docs/); `..` out of it,
absolute paths, links that lead out and URLs are refused (quire never fetches), each as a
`file:line: ...` error, all at once. A snippet not found is a warning (file:line; --strict
fails) and its text is left out, as mkdocs does by default (check_paths false): a docs
folder copied out of its repository still builds. The Markdown files a document includes
are not published as documents of their own (load.py leaves them out).
Not done: line numbers of later problems in a document count the inserted lines.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import SimpleNamespace

from pymdownx.snippets import SnippetPreprocessor

from .errors import ContentError, ManyErrors
from .limits import MAX_DOCUMENT, check_markdown, check_size
from .resources import inside

log = logging.getLogger("quire")
MAX_LINES = 500_000             # lines read from snippets for one document (nesting multiplies)
_CONFIG = {"base_path": [], "restrict_base_path": True, "encoding": "utf-8",
           "check_paths": False, "auto_append": [], "url_download": False,
           "url_max_size": MAX_DOCUMENT, "url_timeout": 0.0, "url_request_headers": {},
           "dedent_subsections": False, "max_retries": 0, "backoff_factor": 0}


def has_snippets(text: str) -> bool:
    return "8<-" in text


class _Snippets(SnippetPreprocessor):
    """The library's preprocessor, finding files only inside `root` and recording them."""

    def __init__(self, root: Path, document: Path, label: str, first_line: int):
        super().__init__(dict(_CONFIG), SimpleNamespace(tab_length=4))
        self.root, self.document, self.label = root, document, label
        self.first_line = first_line
        self.stack: list[tuple[str | None, list[str]]] = []
        self.read: list[Path] = []
        self.problems: list[ContentError] = []
        self.lines_read = 0

    def parse_snippets(self, lines, file_name=None, is_url=False, is_section=False):
        self.stack.append((file_name, lines))
        try:
            return super().parse_snippets(lines, file_name, is_url, is_section)
        finally:
            self.stack.pop()

    def _problem(self, path: str, message: str, fatal: bool = True) -> None:
        file_name, lines = self.stack[-1] if self.stack else (None, [])
        forms = (f'"{path}"', f"'{path}'")
        line = next((n for n, text in enumerate(lines, 1)
                     if text.strip() == path or any(form in text for form in forms)), None)
        if file_name is None:
            label, line = self.label, line and line + self.first_line - 1
        else:
            label = _rel(Path(file_name), self.root)
        if fatal:
            self.problems.append(ContentError(label, message, line))
        else:
            log.warning("%s%s: %s", label, f":{line}" if line else "", message)

    def get_snippet_path(self, path):
        shown = f"snippet '{path}'"
        if "://" in path or path.startswith("//"):
            self._problem(path, f"{shown} is a URL: quire never fetches; copy the file into "
                                "the project folder and name it by its path")
            return None
        if os.path.isabs(path) or path.startswith("~"):
            self._problem(path, f"{shown} is an absolute path; name a file inside the "
                                "project folder by its path from there")
            return None
        file_name = self.stack[-1][0] if self.stack else None
        here = Path(file_name).parent if file_name else self.document.parent
        tried = [self.root / path, here / path]
        if path.startswith("docs/"):                # from mkdocs.yml's folder, above docs/
            tried.append(self.root / path[len("docs/"):])
        for candidate in tried:
            if not (candidate.exists() or candidate.is_symlink()) and inside(candidate, self.root):
                continue
            if not inside(candidate, self.root):            # `..` out, or a link out
                self._problem(path, f"{shown} is outside the project folder; refused")
                return None
            if not candidate.is_file():
                self._problem(path, f"{shown} is not a file")
                return None
            return str(candidate.resolve())
        self._problem(path, f"{shown} not found in the project folder; its text is left out",
                      fatal=False)
        return None

    def read_lines(self, path):
        label = _rel(Path(path), self.root)
        try:
            check_size(Path(path), label)
            lines = super().read_lines(path)
        except ContentError as err:
            self.problems.append(err)
            return []
        except UnicodeDecodeError:
            self.problems.append(ContentError(label, "not valid UTF-8; save the snippet as UTF-8"))
            return []
        except OSError as err:
            self.problems.append(ContentError(label, f"cannot be read: {err.strerror}"))
            return []
        self.read.append(Path(path))
        self.lines_read += len(lines)
        if self.lines_read > MAX_LINES:
            raise ContentError(self.label, f"its snippets add more than {MAX_LINES:,} lines "
                                           "(nested snippets included many times?)")
        return lines


def expand(text: str, root: Path, document: Path, label: str,
           first_line: int = 1) -> tuple[str, tuple[Path, ...]]:
    """`text` (a document's Markdown) with its snippets put in, and the files they came
    from; ContentError (or ManyErrors) for every snippet that cannot be."""
    if not has_snippets(text):
        return text, ()
    reader = _Snippets(root.resolve(), document.resolve(), label, first_line)
    lines = reader.run(text.split("\n"))
    if reader.problems:
        raise reader.problems[0] if len(reader.problems) == 1 else ManyErrors(reader.problems)
    expanded = "\n".join(lines)
    check_markdown(expanded, label, None)           # the limits hold for what was put in
    return expanded, tuple(dict.fromkeys(reader.read))


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name
