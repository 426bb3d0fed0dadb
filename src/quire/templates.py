"""The Jinja2 environment: autoescaped, strict, project templates before the built-in ones.

A project's `templates/print.html` may `{% extends "quire/print.html" %}` and override
single blocks; a file of the same name replaces the built-in one outright.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from .errors import OutputError
from .language import print_lang
from .resources import templates_dir


def css_string(value: str) -> Markup:
    """A CSS string literal for any text, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;-–—_'()/«»" else f"\\{ord(c):x} "
                      for c in value)
    return Markup(f'"{escaped}"')


def environment(project_templates: Path | None) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(templates_dir())
    loaders = [jinja2.FileSystemLoader(project_templates)] if project_templates else []
    loaders += [jinja2.PrefixLoader({"quire": builtin}), builtin]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,                  # every template is HTML or XHTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["print_lang"] = print_lang         # the tag WeasyPrint hyphenates by
    return env


def render(env: jinja2.Environment, name: str, **context) -> str:
    """Render a template; a broken project template is an OutputError naming file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as err:
        where = f"{err.filename or err.name}:{err.lineno}"
        raise OutputError(f"{where}: template error: {err.message}") from None
    except jinja2.TemplateError as err:
        raise OutputError(f"template {name}: {err}") from None
