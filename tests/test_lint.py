"""SQL style: sqlfluff (dbt templater, Snowflake dialect, the committed
.sqlfluff) reports nothing, and hand-written SQL keeps to 80 columns.

sqlfluff itself runs in the background from the start of the session (see
`SqlfluffRun` in conftest.py); the test here reads its report."""

from __future__ import annotations

import json
from pathlib import Path

from snowledger.project import project_dir

SQL_PATHS = ("models", "macros", "snapshots", "tests/data_tests", "analyses")
MAX_COLUMNS = 80


def _existing(paths: tuple[str, ...]) -> list[str]:
    return [path for path in paths if (project_dir() / path).is_dir()]


def _sql_files() -> list[Path]:
    root = project_dir()
    return sorted(
        file for path in _existing(SQL_PATHS) for file in (root / path).rglob("*.sql")
    )


def test_sqlfluff_reports_no_violations(sqlfluff_run) -> None:
    result = sqlfluff_run
    # A file dbt cannot compile is skipped with a warning, not a violation:
    # treat it as a failure, or a broken model would pass the lint.
    skipped = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "Skipped file" in line and "is a macro" not in line
    ]
    assert not skipped, "sqlfluff could not lint:\n" + "\n".join(skipped)
    assert result.returncode in (0, 1), result.stderr[-4000:]
    reports = json.loads(result.stdout.strip().splitlines()[-1])
    violations = [
        f"{report['filepath']}:{item['start_line_no']}:{item['start_line_pos']} "
        f"{item['code']} {item['description']}"
        for report in reports
        for item in report["violations"]
    ]
    assert not violations, f"{len(violations)} sqlfluff violations:\n" + "\n".join(
        violations
    )
    assert result.returncode == 0, result.stderr[-4000:]


def test_sql_lines_fit_in_80_columns() -> None:
    # sqlfluff's LT05 is off because it measures compiled SQL, where macros
    # expand past 80 columns; this measures what people write.
    root = project_dir()
    too_long = [
        f"{path.relative_to(root)}:{number}: {len(line)} columns"
        for path in _sql_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > MAX_COLUMNS
    ]
    assert _sql_files(), "no SQL files found; is the project layout intact?"
    assert not too_long, "lines over 80 columns:\n" + "\n".join(too_long)
