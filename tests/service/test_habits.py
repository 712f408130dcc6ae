"""Two habits that hold for every route and command, including those added later: each Flask
route says in one line what it answers (flaskr's habit), and each `hakam` command shows an
example in its --help (sqlite-utils' habit) that names the command and only options it has."""

from __future__ import annotations

import inspect
import shlex

import click
import pytest

from hakam.service.cli import main


def _commands(command: click.Command, path: tuple[str, ...] = ("hakam",)):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(main))


def test_every_route_has_a_one_line_summary(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if view.__module__.startswith("flask"):  # Flask's own static files
            continue
        lines = (inspect.getdoc(view) or "").splitlines()
        # a summary on the first line, and anything more after a blank line (PEP 257)
        if not lines or not lines[0].strip() or (len(lines) > 1 and lines[1].strip()):
            missing.append(f"{rule.rule} ({view.__module__}.{view.__name__})")
    assert missing == []


def _examples(command: click.Command) -> list[str]:
    """The lines of the help's Example: paragraph (after click's \\b no-rewrap marker)."""
    help_text = command.help or ""
    if "Example:" not in help_text:
        return []
    after = help_text.split("Example:", 1)[1]
    return [line.strip() for line in after.splitlines()
            if line.strip() and line.strip() != "\b"]


@pytest.mark.parametrize("path, command", COMMANDS, ids=lambda value: " ".join(value)
                         if isinstance(value, tuple) else "")
def test_every_command_shows_an_example_of_itself(path, command):
    examples = _examples(command)
    assert examples, f"`{' '.join(path)} --help` shows no Example:"
    options = {opt for param in command.params for opt in param.opts + param.secondary_opts}
    for example in examples:
        words = shlex.split(example.rpartition("|")[2] if "|" in example else example)
        words = words[:words.index(">")] if ">" in words else words
        if isinstance(command, click.Group):  # a group's example runs one of its commands
            assert tuple(words[:len(path)]) == path and words[len(path)] in command.commands
            continue
        assert tuple(words[:len(path)]) == path, example
        unknown = [w.split("=")[0] for w in words if w.startswith("-")
                   and w.split("=")[0] not in options]
        assert unknown == [], example
