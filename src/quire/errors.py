"""The errors a user can cause. The CLI prints their message alone; anything else is a bug."""

from __future__ import annotations

from pathlib import Path


class QuireError(Exception):
    """A build cannot be done as asked. The message is complete and fit to print."""


class ConfigError(QuireError):
    """One or more problems in quire.toml or in front matter, reported all at once."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]):
        """`problems` are (line or None, "dotted.key: what is wrong") pairs."""
        self.source = source
        self.problems = problems
        noun = "error" if len(problems) == 1 else "errors"
        lines = [f"{source}:{line}: {text}" if line else f"{source}: {text}"
                 for line, text in problems]
        lines.append(f"{len(problems)} {noun} in {source}; nothing was built.")
        super().__init__("\n".join(lines))


class ContentError(QuireError):
    """A problem in a manuscript file, at a line where known."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class OutputError(QuireError):
    """An output could not be written."""


class ManyErrors(QuireError):
    """Every problem a build found in the manuscripts, one line each, and a summary."""

    def __init__(self, errors: list[QuireError]):
        self.errors = errors
        lines, files = [], set()
        for err in errors:
            if isinstance(err, ConfigError):
                lines += [f"{err.source}:{line}: {text}" if line else f"{err.source}: {text}"
                          for line, text in err.problems]
                files.add(err.source)
            else:
                lines.append(str(err))
                files.add(getattr(err, "path", str(err).split(":")[0]))
        count = len(lines)
        noun = "error" if count == 1 else "errors"
        where = next(iter(files)) if len(files) == 1 else f"{len(files)} files"
        lines.append(f"{count} {noun} in {where}; nothing was built.")
        super().__init__("\n".join(lines))
