"""``lantern child``, ``lantern screen`` and ``lantern alerts``: the screening commands."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lantern.cli.common import CliError, DbOption, JsonOption, console
from lantern.store.db import open_store

alerts_app = typer.Typer(
    help="The alerts work queue: missed opportunities and responses due, by area. "
    "With no subcommand, lists the open alerts.",
    no_args_is_help=False,
    invoke_without_command=True,
)

AreaOption = Annotated[
    str | None, typer.Option("--area", help="Only this area's alerts (area code).")
]


def register(root: typer.Typer) -> None:
    root.command("child")(child)
    root.command("screen")(screen)
    root.add_typer(alerts_app, name="alerts")


def child(
    person_id: Annotated[str, typer.Argument(help="The resolved person_id (see persons.csv).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the single view of a child: every agency's events in date order.

    For each event: the agency, the kind, the indicators, the child's role, the adults,
    vehicles and places linked to it, and the intelligence grading. The screening's risk
    level and reasons come first (run `lantern screen` or `lantern run` to compute them).
    """
    from lantern.screen.timeline import ChildNotFound, child_view

    engine = open_store(db)
    try:
        view = child_view(engine, person_id)
    except ChildNotFound as exc:
        raise CliError(f"{exc} (person ids are in persons.csv of a run)") from exc
    if as_json:
        typer.echo(view.model_dump_json(indent=2))
        return
    console.print(f"[bold]{view.person_id}[/]", highlight=False)
    for agency, names in view.names_by_agency.items():
        console.print(f"  known to {agency} as {', '.join(names)}", highlight=False)
    console.print(f"  dates of birth recorded: {', '.join(view.dates_of_birth) or 'none'}; "
                  f"areas: {', '.join(view.areas)}", highlight=False)
    if view.risk:
        victim = " (identified victim)" if view.risk.identified_victim else ""
        console.print(f"[bold]Risk: {view.risk.risk}[/]{victim}, since {view.risk.risk_date}",
                      highlight=False)
        console.print(f"  {view.risk.reasons}", highlight=False)
    else:
        console.print("Risk: not screened (not a child, or `lantern screen` not run yet)")
    if view.missed:
        console.print(f"[bold]Missed opportunity ({view.missed.status})[/]: "
                      f"{view.missed.reason}", highlight=False)
    table = Table("date", "agency", "kind", "indicators", "role", "linked", "grading")
    for ev in view.events:
        linked = "; ".join(f"{x.role}: {x.label}" for x in ev.linked)
        table.add_row(str(ev.occurred_on), ev.agency, ev.kind, ", ".join(ev.indicators),
                      ", ".join(ev.child_roles), linked, ev.grading or "")
    console.print(table)


def screen(
    db: DbOption = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A screening YAML instead of the packaged one.",
                     exists=True, dir_okay=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Screen as on this date (YYYY-MM-DD) instead of the "
                     "latest extract date."),
    ] = None,
) -> None:
    """Screen every resolved child: risk level, score, reasons, missed opportunities.

    Reads the store (after `lantern resolve`), writes the results back and refreshes the
    alerts work queue. `lantern run` does this as one of its stages.
    """
    from lantern.screen import stage
    from lantern.screen.config import ConfigError

    on: date | None = None
    if as_of is not None:
        try:
            on = date.fromisoformat(as_of)
        except ValueError as exc:
            raise CliError(f"--as-of: {as_of!r} is not a YYYY-MM-DD date") from exc
    engine = open_store(db)
    try:
        stage.run(engine, config=config, as_of=on)
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    risk = stage.risk_frame(engine)
    counts = risk["risk"].value_counts()
    missed = len(stage.outputs(engine)["missed_opportunities.csv"])
    console.print(
        f"screened {len(risk)} children: "
        + ", ".join(f"{level} {int(counts.get(level, 0))}"
                    for level in ("high", "medium", "low", "none"))
        + f"; {missed} missed opportunities", highlight=False)


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    area: AreaOption = None,
    include_acknowledged: Annotated[
        bool, typer.Option("--all", help="Include alerts already acknowledged.")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the open alerts (oldest first), optionally for one area."""
    if ctx.invoked_subcommand is not None:
        return
    from lantern.screen.alerts import list_alerts

    engine = open_store(db)
    found = list_alerts(engine, area=area, include_acknowledged=include_acknowledged)
    if as_json:
        typer.echo(json.dumps([a.model_dump(mode="json") for a in found], indent=2))
        return
    if not found:
        console.print("no open alerts" + (f" in {area}" if area else ""), highlight=False)
        return
    for alert in found:
        kind = alert.kind.replace("_", " ")
        seen = f", acknowledged {len(alert.acknowledgements)}x" if alert.acknowledged else ""
        console.print(f"[bold]{alert.alert_id}[/] {alert.area or '-'}  {kind}, raised "
                      f"{alert.raised_on}, child {alert.person_id}{seen}", highlight=False)
        console.print(f"  {alert.reason}", highlight=False)
        for ack in alert.acknowledgements:
            console.print(f"  [dim]{ack.acknowledged_at:%Y-%m-%d %H:%M} "
                          f"{ack.acknowledged_by}: {ack.note}[/]", highlight=False)
    console.print(f"{len(found)} alert(s)", highlight=False)


@alerts_app.command("ack")
def ack(
    alert_id: Annotated[str, typer.Argument(help="The alert's id, as `lantern alerts` lists.")],
    note: Annotated[str, typer.Option("--note", help="What was done or decided (kept).")],
    by: Annotated[str, typer.Option("--by", help="Who acknowledges the alert.")],
    db: DbOption = None,
) -> None:
    """Acknowledge an alert with a note; acknowledgements are kept, never overwritten."""
    from lantern.screen.alerts import AlertNotFound, acknowledge

    engine = open_store(db)
    try:
        done = acknowledge(engine, alert_id, note=note, by=by)
    except (AlertNotFound, ValueError) as exc:
        raise CliError(str(exc).strip("'\"")) from exc
    console.print(f"acknowledged {done.alert_id} by {done.acknowledged_by} at "
                  f"{done.acknowledged_at:%Y-%m-%d %H:%M}", highlight=False)
