"""``lantern network ...``: offender groups, key actors, hotspots, cross-area alerts, exports."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from lantern.cli.common import CliError, DbOption, JsonOption, console
from lantern.store.db import open_store

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="Offender networks: suspected groups (suspects and the children they touch), the "
    "most connected members, places and vehicles linked to many children, and groups that "
    "cross area boundaries. `lantern network run` (or `lantern run`) computes them.",
    no_args_is_help=True,
)

AreaOption = Annotated[
    list[str] | None,
    typer.Option("--area", help="Only what touches this area (repeat for several)."),
]


def _no_run(engine: object) -> None:
    from lantern.network.service import last_run

    if last_run(engine) is None:  # type: ignore[arg-type]
        raise CliError("no network results yet: run `lantern network run` or `lantern run`")


def _print_frame(frame: pd.DataFrame, columns: list[str], *, title: str | None = None) -> None:
    table = Table(*columns, title=title)
    for row in frame[columns].astype(object).where(frame[columns].notna(), "").itertuples(
            index=False):
        table.add_row(*(str(v) for v in row))
    console.print(table)


def _json(frame: pd.DataFrame) -> str:
    return frame.to_json(orient="records", date_format="iso", indent=2)


@app.command("run")
def run(
    db: DbOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="A network settings YAML (default: the packaged "
        "lantern/network/config.yaml).", exists=True, dir_okay=False)] = None,
    resolution: Annotated[float | None, typer.Option(
        "--resolution", help="CPM resolution: the tie density a group must exceed "
        "(overrides the settings file).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress output.")] = False,
) -> None:
    """Run the network stage alone on the store: graph, groups, key actors, hotspots.

    Reads the resolved people, objects and places and their events; replaces the previous
    results (group ids are kept where the membership overlaps).
    """
    from lantern.network import stage
    from lantern.network.service import last_run

    options: dict[str, object] = {}
    if config is not None:
        options["config"] = config
    if resolution is not None:
        if resolution <= 0:
            raise CliError("--resolution must be above 0")
        options["groups__resolution"] = resolution
    engine = open_store(db)
    stage.run(engine, progress=not quiet, **options)
    summary = last_run(engine) or {}
    console.print(f"{summary.get('groups', 0)} groups from {summary.get('nodes', 0)} nodes "
                  f"and {summary.get('edges', 0)} ties in {summary.get('seconds', 0):.1f}s",
                  highlight=False)


@app.command("groups")
def groups(
    db: DbOption = None,
    area: AreaOption = None,
    cross_area: Annotated[bool, typer.Option(
        "--cross-area", help="Only groups touching two or more areas.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List the suspected offender groups, most children first.

    Each row: group id, members, suspects, children, other adults, the areas it touches,
    its first and last event, and its most connected member (highest key_actor_score:
    the most connected in the evidence, not necessarily a leader).
    """
    from lantern.network.service import list_groups

    engine = open_store(db)
    _no_run(engine)
    frame = list_groups(engine, areas=area, cross_area_only=cross_area)
    if as_json:
        typer.echo(_json(frame))
        return
    _print_frame(frame, ["group_id", "n_members", "n_suspects", "n_victims", "n_other",
                         "areas", "first_seen", "last_seen", "most_connected"],
                 title=f"{len(frame)} suspected offender groups")


@app.command("group")
def group(
    group_id: Annotated[str, typer.Argument(help="A group id from `lantern network groups`.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one group: members and roles, areas, vehicles, places and a timeline."""
    import pandas as pd

    from lantern.network.service import GroupNotFound, group_detail

    engine = open_store(db)
    _no_run(engine)
    try:
        detail = group_detail(engine, group_id)
    except GroupNotFound as exc:
        raise CliError(str(exc)) from exc
    if as_json:
        payload = {"group": json.loads(pd.Series(detail.group).to_json(date_format="iso")),
                   "members": json.loads(_json(detail.members)),
                   "entities": json.loads(_json(detail.entities)),
                   "events": json.loads(_json(detail.events))}
        typer.echo(json.dumps(payload, indent=2))
        return
    g = detail.group
    console.print(f"[bold]{g['group_id']}[/]: {g['n_suspects']} suspects, {g['n_victims']} "
                  f"children, {g['n_other']} others; areas {g['areas'] or '-'}; "
                  f"{g['first_seen']} to {g['last_seen']}", highlight=False)
    console.print("key_actor_score = most connected in the evidence, not 'the leader'.")
    _print_frame(detail.members, ["person_id", "role", "key_actor_score", "person_areas"],
                 title="members")
    if len(detail.entities):
        _print_frame(detail.entities, ["node_id", "kind", "label", "members_linked",
                                       "first_seen", "last_seen"],
                     title="vehicles, phones and places")
    _print_frame(detail.events, ["occurred_on", "agency", "area", "kind", "grading",
                                 "persons", "entities"], title="timeline")


@app.command("hotspots")
def hotspots(
    db: DbOption = None,
    area: AreaOption = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Only this kind: place, vehicle, phone or online_account.")] = None,
    min_children: Annotated[int | None, typer.Option(
        "--min-children", help="Only those linked to at least this many children.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Places and vehicles linked to many different children, with the time span."""
    from lantern.network.service import hotspots as find

    engine = open_store(db)
    _no_run(engine)
    frame = find(engine, areas=area, kind=kind, min_children=min_children)
    if as_json:
        typer.echo(_json(frame))
        return
    _print_frame(frame, ["node_id", "kind", "label", "n_children", "n_suspects",
                         "first_seen", "last_seen", "areas", "group_ids"],
                 title=f"{len(frame)} hotspots")


@app.command("cross-area")
def cross_area(
    db: DbOption = None,
    area: AreaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Alert list: groups that cross area boundaries (no single area sees them whole)."""
    from lantern.network.service import cross_area_alerts

    engine = open_store(db)
    _no_run(engine)
    frame = cross_area_alerts(engine, areas=area)
    if as_json:
        typer.echo(_json(frame))
        return
    if frame.empty:
        console.print("no group crosses an area boundary")
        return
    for line in frame["alert"]:
        console.print(line, highlight=False)


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option(
        "--format", help="graphml or gexf (for Gephi and other tools), or json "
        "(Cytoscape.js elements, as the web view reads).")] = "json",
    out: Annotated[Path | None, typer.Option(
        "--out", help="File to write (default: standard output, json only).")] = None,
    group_id: Annotated[str | None, typer.Option(
        "--group", help="Only this group's members, vehicles and places.")] = None,
    area: AreaOption = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only ties still seen on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only ties first seen on or before this date (YYYY-MM-DD).")] = None,
    db: DbOption = None,
) -> None:
    """Export the network (or one group) with dates on every tie."""
    import pandas as pd

    from lantern.network.export import FORMATS, write_graph
    from lantern.network.service import GroupNotFound, graph, member_scores

    if fmt not in FORMATS:
        raise CliError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if out is None and fmt != "json":
        raise CliError(f"--format {fmt} needs --out FILE")
    for label, value in (("--since", since), ("--until", until)):
        if value is not None:
            try:
                pd.Timestamp(value)
            except ValueError as exc:
                raise CliError(f"{label} must be a date like 2013-06-30, not {value!r}") from exc
    engine = open_store(db)
    _no_run(engine)
    try:
        nodes, edges = graph(engine, group_id=group_id, areas=area, since=since, until=until)
    except GroupNotFound as exc:
        raise CliError(str(exc)) from exc
    if out is None:
        from lantern.network.export import cytoscape

        json.dump(cytoscape(nodes, edges, member_scores(engine)), sys.stdout)
        sys.stdout.write("\n")
        return
    write_graph(nodes, edges, out, fmt, scores=member_scores(engine))
    console.print(f"wrote {out} ({len(nodes)} nodes, {len(edges)} ties)", highlight=False)
