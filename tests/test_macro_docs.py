"""Macro documentation: macros/_macros.yml documents every macro and generic test
of macros/**/*.sql, each with exactly the arguments its signature takes, and
nothing else.

Generic tests appear in the yml as `test_<name>`, the name dbt gives their macro.
Signatures are read with a regular expression, so the check needs no dbt run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from snowledger.project import project_dir

MACRO_DOCS = Path("macros") / "_macros.yml"

# `{% macro name(params) %}` or `{% test name(params) %}`, with optional
# whitespace control; the parameter list may span lines.
SIGNATURE = re.compile(
    r"\{%-?\s*(?P<kind>macro|test)\s+(?P<name>\w+)\s*\((?P<params>.*?)\)\s*-?%\}",
    re.DOTALL,
)
# A commented-out macro is not a macro.
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
OPENING = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class Macro:
    """A macro as dbt names it, with its parameter names and source file."""

    name: str
    params: tuple[str, ...]
    path: Path


def _split_params(params: str) -> list[str]:
    """The parameters of a signature, split at top-level commas only, so that a
    default such as `types={'a': 1, 'b': 2}` stays whole."""
    parts: list[str] = []
    current: list[str] = []
    closing: list[str] = []
    quote = ""
    for char in params:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in OPENING:
            closing.append(OPENING[char])
        elif closing and char == closing[-1]:
            closing.pop()
        elif char == "," and not closing:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.split("=", 1)[0].strip() for part in parts if part.strip()]


@cache
def _macros() -> tuple[Macro, ...]:
    root = project_dir()
    found = []
    for path in sorted((root / "macros").rglob("*.sql")):
        text = JINJA_COMMENT.sub("", path.read_text(encoding="utf-8"))
        for match in SIGNATURE.finditer(text):
            prefix = "test_" if match["kind"] == "test" else ""
            found.append(
                Macro(
                    name=prefix + match["name"],
                    params=tuple(_split_params(match["params"])),
                    path=path.relative_to(root),
                )
            )
    return tuple(found)


@cache
def _docs() -> tuple[dict[str, Any], ...]:
    with (project_dir() / MACRO_DOCS).open(encoding="utf-8") as file:
        return tuple(yaml.safe_load(file)["macros"])


def _documented_args(entry: dict[str, Any]) -> set[str]:
    return {argument["name"] for argument in entry.get("arguments") or []}


def test_the_macro_files_are_read() -> None:
    # Guards the regex: if it stopped matching, every other test would pass
    # on an empty list.
    names = {macro.name for macro in _macros()}
    assert {"union_account_usage", "test_unique_combination"} <= names


def test_every_macro_is_documented() -> None:
    documented = {entry["name"] for entry in _docs()}
    missing = [
        f"{macro.name} ({macro.path}) has no entry in {MACRO_DOCS}"
        for macro in _macros()
        if macro.name not in documented
    ]
    assert not missing, "\n".join(missing)


def test_documented_arguments_match_the_signature() -> None:
    entries = {entry["name"]: entry for entry in _docs()}
    mismatched = []
    for macro in _macros():
        entry = entries.get(macro.name)
        if entry is None:
            continue  # reported by test_every_macro_is_documented
        documented = _documented_args(entry)
        params = set(macro.params)
        problems = []
        if params - documented:
            problems.append(f"undocumented {sorted(params - documented)}")
        if documented - params:
            problems.append(f"not parameters {sorted(documented - params)}")
        if problems:
            mismatched.append(
                f"{macro.name} ({macro.path}): arguments in {MACRO_DOCS} "
                + ", ".join(problems)
            )
    assert not mismatched, "\n".join(mismatched)


def test_every_entry_names_a_macro() -> None:
    defined = {macro.name for macro in _macros()}
    unknown = [
        f"{MACRO_DOCS} documents {entry['name']}, which no file of macros/ defines"
        for entry in _docs()
        if entry["name"] not in defined
    ]
    assert not unknown, "\n".join(unknown)
