"""`quire --help` and each command's help describe quire for its users: they exit 0, say
what every option does, give examples, and quote no module docstring."""

from __future__ import annotations

import ast
import argparse

import pytest
from conftest import REPO, run_quire

from quire import cli

COMMANDS = ["build", "watch", "serve", "batch", "check"]


def _docstring_lines() -> set[str]:
    lines = set()
    for path in (REPO / "src" / "quire").rglob("*.py"):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        for line in (doc or "").splitlines():
            if len(line.strip()) > 30:
                lines.add(line.strip())
    return lines


@pytest.mark.parametrize("args", [[]] + [[name] for name in COMMANDS])
def test_help_is_for_users(args):
    done = run_quire(*args, "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "examples:" in done.stdout
    assert "quire build" in text if not args else f"quire {args[0]}" in text
    leaked = [line for line in _docstring_lines() if " ".join(line.split()) in text]
    assert not leaked, leaked


def test_every_option_says_what_it_does():
    parser = cli._parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(subparsers.choices) == sorted(COMMANDS)
    for name, sub in subparsers.choices.items():
        assert sub.description and sub.epilog, name
        for action in sub._actions:
            assert action.help and len(action.help) > 10, (name, action.dest)
