"""The command line: every command and option documented, and user errors
reported in one clear line with exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from snowledger.cli import main


def _commands(
    command: click.Command, path: tuple[str, ...] = ("snowledger",)
) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path), command
    if isinstance(command, click.Group):
        for name, child in command.commands.items():
            yield from _commands(child, (*path, name))


COMMANDS = dict(_commands(main))


def test_the_cli_has_commands() -> None:
    assert {"simulate", "verify", "summary", "demo"} <= set(main.commands)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_has_help(name: str) -> None:
    command = COMMANDS[name]
    assert (command.help or "").strip(), f"`{name}` has no help text"
    undocumented = [
        "/".join(param.opts)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert not undocumented, f"`{name}` options without help: {undocumented}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_renders(name: str) -> None:
    args = [*name.split()[1:], "--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert (COMMANDS[name].help or "").split()[0] in result.output


def _snowledger(
    *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it; default files under
    `cwd` when given."""
    env = dict(os.environ)
    if cwd is not None:
        env["SNOWLEDGER_SOURCE_DB"] = str(cwd / "snowflake.duckdb")
        env["SNOWLEDGER_TARGET_DB"] = str(cwd / "snowledger.duckdb")
    executable = Path(sys.executable).parent / "snowledger"
    return subprocess.run(
        [str(executable), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )


def test_installed_command_prints_help() -> None:
    result = _snowledger("--help")
    assert result.returncode == 0, result.stderr
    for name in main.commands:
        assert name in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no-such-command"], "No such command 'no-such-command'"),
        (["simulate", "--days", "0"], "Invalid value for '--days'"),
        (["simulate", "--accounts", "4"], "Invalid value for '--accounts'"),
        (
            ["simulate", "--start-date", "01/11/2026"],
            "Invalid value for '--start-date'",
        ),
        (["verify", "--source-db", "does/not/exist.duckdb"], "does not exist"),
        (["summary", "--target-db", "does/not/exist.duckdb"], "does not exist"),
        (["simulate", "--scenario", "no_such_scenario"], "no_such_scenario"),
    ],
    ids=["command", "days", "accounts", "date", "source-db", "target-db", "scenario"],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    result = _snowledger(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not list(tmp_path.iterdir()), "a rejected command wrote files"
