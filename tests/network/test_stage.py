"""The stage on a real store: ingest, run, outputs, stable ids, service, CLI and exports."""

from __future__ import annotations

import json
from pathlib import Path

import igraph as ig
import pandas as pd
import pytest
from sqlalchemy import Engine, inspect, text
from typer.testing import CliRunner

from lantern.cli.network import app
from lantern.network import service, stage
from lantern.network.export import write_graph


def test_run_writes_groups_csv_per_contract(resolved: Engine) -> None:
    stage.run(resolved)
    out = stage.outputs(resolved)["groups.csv"]
    assert list(out.columns[:5]) == ["group_id", "person_id", "role", "areas",
                                     "key_actor_score"]
    assert set(out["role"]) <= {"suspect", "victim", "other"}
    assert out.groupby("group_id")["role"].apply(lambda r: (r == "suspect").sum()).min() >= 2
    assert len(out) == 8  # S1 S2 C1 C2 C3 / S3 S4 C4
    cross = out[out["areas"].str.contains(";")]
    assert cross["group_id"].nunique() == 1 and len(cross) == 3


def test_rerun_keeps_ids_and_ethnicity_changes_nothing(resolved: Engine) -> None:
    stage.run(resolved)
    first = stage.outputs(resolved)["groups.csv"]
    with resolved.begin() as connection:
        connection.execute(text("UPDATE person_records SET ethnicity = 'B2'"))
    stage.run(resolved)
    second = stage.outputs(resolved)["groups.csv"]
    pd.testing.assert_frame_equal(first, second)
    runs = pd.read_sql("SELECT * FROM network_runs", resolved)
    assert len(runs) == 2


def test_service_views(resolved: Engine) -> None:
    stage.run(resolved)
    groups = service.list_groups(resolved)
    assert len(groups) == 2 and groups["active"].all()
    alerts = service.cross_area_alerts(resolved)
    assert len(alerts) == 1 and "AA1, AA2" in alerts["alert"].iloc[0]
    assert len(service.list_groups(resolved, areas=["AA2"])) == 1
    detail = service.group_detail(resolved, alerts["group_id"].iloc[0])
    assert set(detail.members["role"]) == {"suspect", "victim"}
    assert detail.events["occurred_on"].is_monotonic_increasing
    assert len(detail.events) >= 3
    with pytest.raises(service.GroupNotFound):
        service.group_detail(resolved, "G999999")
    elements = service.graph_json(resolved, group_id=groups["group_id"].iloc[0])["elements"]
    assert elements["nodes"] and elements["edges"]
    assert all("first_seen" in e["data"] for e in elements["edges"])
    recent = service.graph(resolved, since="2013-05-01")[1]
    assert len(recent) < len(service.graph(resolved)[1])


def test_exports_read_back(resolved: Engine, tmp_path: Path) -> None:
    stage.run(resolved)
    nodes, edges = service.graph(resolved)
    write_graph(nodes, edges, tmp_path / "g.graphml", "graphml")
    graph = ig.Graph.Read_GraphML(str(tmp_path / "g.graphml"))
    assert graph.vcount() == len(nodes) and graph.ecount() == len(edges)
    assert "first_seen" in graph.es.attributes()
    write_graph(nodes, edges, tmp_path / "g.gexf", "gexf")
    assert "<gexf" in (tmp_path / "g.gexf").read_text()
    write_graph(nodes, edges, tmp_path / "g.json", "json")
    data = json.loads((tmp_path / "g.json").read_text())
    assert len(data["elements"]["edges"]) == len(edges)


def test_cli_commands(resolved: Engine, store_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["groups", "--db", store_url])
    assert before.exit_code != 0  # no run yet: a clear error
    result = runner.invoke(app, ["run", "--db", store_url, "--quiet"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["groups", "--db", store_url, "--json"])
    assert listing.exit_code == 0
    groups = json.loads(listing.output)
    assert len(groups) == 2
    detail = runner.invoke(app, ["group", groups[0]["group_id"], "--db", store_url])
    assert detail.exit_code == 0 and "timeline" in detail.output
    for args in (["hotspots"], ["cross-area"], ["export", "--format", "gexf", "--out",
                                                str(tmp_path / "x.gexf")]):
        done = runner.invoke(app, [*args, "--db", store_url])
        assert done.exit_code == 0, done.output
    bad = runner.invoke(app, ["export", "--format", "dot", "--db", store_url])
    assert bad.exit_code != 0


def test_migration_creates_and_drops_tables(engine: Engine) -> None:
    from alembic import command

    from lantern.store.db import alembic_config

    names = set(inspect(engine).get_table_names())
    assert {"network_groups", "network_members", "network_edges"} <= names
    with engine.begin() as connection:
        config = alembic_config(str(engine.url))
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert not {n for n in inspect(engine).get_table_names() if n.startswith("network_")}
