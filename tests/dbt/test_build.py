"""The full `dbt build` on a simulated organisation: every node succeeds, every
data test and unit test passes, the docs are generated, and the public marts
carry the documentation and contracts that finance and the dashboard rely on."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.dbt

# Tests allowed to end in `warn`, each with the reason. A warning hides a
# problem unless someone has decided it is expected; keep this empty if you can.
ACCEPTED_WARNINGS: dict[str, str] = {}


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }


def _marts(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        unique_id: node
        for unique_id, node in _models(manifest).items()
        if node["original_file_path"].startswith("models/marts/")
    }


def test_every_node_succeeds(built_project) -> None:
    results = built_project.run_results["results"]
    assert results, "dbt build ran nothing"
    problems = [
        f"{result['unique_id']}: {result['status']}: {result.get('message')}"
        for result in results
        if result["status"] not in {"success", "pass"}
        and not (
            result["status"] == "warn" and result["unique_id"] in ACCEPTED_WARNINGS
        )
    ]
    assert not problems, "\n".join(problems)


def test_every_model_seed_and_snapshot_was_built(built_project) -> None:
    manifest = built_project.artifact("manifest.json")
    expected = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "seed", "snapshot"}
        and node["config"]["enabled"]
        and node["config"]["materialized"] != "ephemeral"
    }
    built = {result["unique_id"] for result in built_project.run_results["results"]}
    assert expected <= built, f"not built: {sorted(expected - built)}"


def test_data_tests_ran(built_project) -> None:
    kinds = {
        result["unique_id"].split(".")[0]
        for result in built_project.run_results["results"]
    }
    assert "test" in kinds, "dbt build ran no data tests"


def test_docs_catalog_lists_every_model(built_project) -> None:
    catalog = built_project.artifact("catalog.json")
    manifest = built_project.artifact("manifest.json")
    models = {
        unique_id
        for unique_id, node in _models(manifest).items()
        if node["config"]["materialized"] != "ephemeral"
    }
    missing = models - set(catalog["nodes"])
    assert not missing, f"models missing from the docs catalog: {sorted(missing)}"
    assert catalog["sources"], "the docs catalog lists no sources"


def test_every_model_has_a_description(built_project) -> None:
    manifest = built_project.artifact("manifest.json")
    undocumented = [
        node["original_file_path"]
        for node in _models(manifest).values()
        if not node["description"].strip()
    ]
    assert not undocumented, f"models without a description: {undocumented}"


def test_there_are_public_marts(built_project) -> None:
    assert _marts(built_project.artifact("manifest.json")), "no model in models/marts"


def test_sql_marts_enforce_their_contract(built_project) -> None:
    # dbt enforces contracts on SQL models only; Python marts are held to their
    # documented columns by test_mart_columns_are_documented_and_real.
    manifest = built_project.artifact("manifest.json")
    unenforced = [
        node["original_file_path"]
        for node in _marts(manifest).values()
        if node["language"] == "sql" and not node["config"]["contract"]["enforced"]
    ]
    assert not unenforced, f"marts without an enforced contract: {unenforced}"


def test_mart_columns_are_documented_and_real(built_project) -> None:
    manifest = built_project.artifact("manifest.json")
    catalog = built_project.artifact("catalog.json")
    problems = []
    for unique_id, node in _marts(manifest).items():
        documented = {name.lower(): column for name, column in node["columns"].items()}
        path = node["original_file_path"]
        problems += [
            f"{path}: column {name} has no description"
            for name, column in documented.items()
            if not column["description"].strip()
        ]
        built = {name.lower() for name in catalog["nodes"][unique_id]["columns"]}
        if built != set(documented):
            problems.append(
                f"{path}: undocumented columns {sorted(built - set(documented))}, "
                f"documented but absent {sorted(set(documented) - built)}"
            )
    assert not problems, "\n".join(problems)
