"""The Jinja2 environment: sandboxed, autoescaped, strict, project templates before the
built-in ones.

A project's `templates/print.html` may `{% extends "quire/print.html" %}` and override
single blocks; a file of the same name replaces the built-in one outright. Templates run in
Jinja2's ImmutableSandboxedEnvironment with no globals but what quire passes: a template
from someone else's manuscript folder cannot reach Python's internals, and a template file
that is a link to outside the project is refused before it is read.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from .errors import OutputError
from .language import print_lang
from .resources import inside, templates_dir


def css_string(value: str) -> Markup:
    """A CSS string literal for any text, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-–—_'()/«»" else f"\\{ord(c):x} "
                      for c in value)
    return Markup(f'"{escaped}"')


class _ProjectLoader(jinja2.FileSystemLoader):
    """The project's templates/ folder: a file whose real path leaves the project is
    refused before it is read."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.folder = folder
        self.root = folder.parent

    def get_source(self, environment, template):
        path = self.folder.joinpath(*split_template_path(template))
        if (path.exists() or path.is_symlink()) and not inside(path, self.root):
            raise OutputError(f"templates/{template}: a link to a file outside the project "
                              "folder; refused (quire reads only the project)")
        return super().get_source(environment, template)


def environment(project_templates: Path | None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(templates_dir())
    loaders = [_ProjectLoader(project_templates)] if project_templates else []
    loaders += [jinja2.PrefixLoader({"quire": builtin}), builtin]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,                  # every template is HTML or XHTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.clear()                   # only what quire passes
    env.filters["css_string"] = css_string
    env.quire_project = project_templates.parent if project_templates else None
    env.filters["print_lang"] = print_lang         # the tag WeasyPrint hyphenates by
    return env


def _where(err: BaseException, env) -> str | None:
    """'templates/x.html:3' for the template line an error was raised at (Jinja2 gives
    the template's frames the template's file name and line)."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if frame.filename.endswith((".html", ".xhtml")):
            path = Path(frame.filename)
            root = getattr(env, "quire_project", None)
            if root is not None and inside(path, root):
                name = path.resolve().relative_to(root.resolve()).as_posix()
            else:
                name = "quire/" + path.name
            return f"{name}:{frame.lineno}"
    return None


def render(env: jinja2.Environment, name: str, **context) -> str:
    """Render a template; a broken project template is an OutputError naming file and line."""
    try:
        return env.get_template(name).render(**context)
    except OutputError:
        raise
    except jinja2.TemplateSyntaxError as err:
        where = f"{err.filename or err.name}:{err.lineno}"
        raise OutputError(f"{where}: template error: {err.message}") from None
    except SecurityError as err:
        where = _where(err, env) or f"template {name}"
        raise OutputError(f"{where}: template refused: {err} (templates run sandboxed)") \
            from None
    except jinja2.TemplateError as err:
        where = _where(err, env) or f"template {name}"
        raise OutputError(f"{where}: template error: {err}") from None
    except Exception as err:            # a project template's own mistake ({{ 1 / 0 }})
        where = _where(err, env)
        if where is None or getattr(env, "quire_project", None) is None:
            raise
        raise OutputError(f"{where}: template error: {type(err).__name__}: {err}") from None
