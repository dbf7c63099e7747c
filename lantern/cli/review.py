"""``lantern review``: the clerical review of uncertain pairs, and unmerging."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from rich.table import Table

from lantern.cli.common import CliError, DbOption, JsonOption, console
from lantern.store.db import open_store

app = typer.Typer(help="Clerical review of uncertain person links: list, accept, reject, "
                  "unmerge. Decisions are logged (who, when, why) and honoured by every "
                  "later run.", no_args_is_help=True)

ByOption = Annotated[str, typer.Option(
    "--by", help="Who decides (default: the login name).")]
ReasonOption = Annotated[str, typer.Option(
    "--reason", "-r", help="Why (required; kept in the judgement log).", show_default=False)]


def _who(by: str | None) -> str:
    return by or getpass.getuser()


@app.command("list")
def list_pairs(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="Show at most this many pairs.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Pending pairs, most probable first, both records side by side."""
    from lantern.resolve import review

    frame = review.pending(open_store(db), limit=limit)
    if as_json:
        console.print_json(json.dumps(frame.astype(object).where(frame.notna(), None)
                                      .to_dict("records"), default=str))
        return
    if frame.empty:
        console.print("no pairs waiting for review")
        return
    for row in frame.to_dict("records"):
        table = Table(f"pair {row['id']}", f"{row['agency_l']}:{row['ref_l']}",
                      f"{row['agency_r']}:{row['ref_r']}",
                      title=f"p={row['match_probability']:.3f} — {row['reason']}")
        for field in review.SHOWN:
            left, right = row.get(f"{field}_l"), row.get(f"{field}_r")
            if left is None and right is None:
                continue
            table.add_row(field, "" if left is None else str(left),
                          "" if right is None else str(right))
        console.print(table)


def _decide(db: str | None, pair: int, decision: str, by: str | None, reason: str) -> None:
    from lantern.resolve import review

    try:
        review.decide(open_store(db), pair, decision=decision, by=_who(by), reason=reason)
    except review.ReviewError as exc:
        raise CliError(str(exc)) from exc
    console.print(f"pair {pair}: {decision}ed by {_who(by)}")


@app.command("accept")
def accept(
    pair: Annotated[int, typer.Argument(help="The pair number shown by 'review list'.")],
    reason: ReasonOption,
    db: DbOption = None,
    by: ByOption = "",
) -> None:
    """The two records are the same person: keep them together on every run."""
    _decide(db, pair, "accept", by or None, reason)


@app.command("reject")
def reject(
    pair: Annotated[int, typer.Argument(help="The pair number shown by 'review list'.")],
    reason: ReasonOption,
    db: DbOption = None,
    by: ByOption = "",
) -> None:
    """The two records are different people: never merge them again."""
    _decide(db, pair, "reject", by or None, reason)


@app.command("unmerge")
def unmerge(
    record: Annotated[str, typer.Argument(help="The record to take out: AGENCY:PERSON_REF.")],
    reason: ReasonOption,
    db: DbOption = None,
    by: ByOption = "",
) -> None:
    """Take one record out of the person it was merged into (logged as rejections)."""
    from lantern.resolve import review

    agency, sep, ref = record.partition(":")
    if not sep or not agency or not ref:
        raise CliError("give the record as AGENCY:PERSON_REF")
    try:
        n = review.unmerge(open_store(db), (agency, ref), by=_who(by), reason=reason)
    except review.ReviewError as exc:
        raise CliError(str(exc)) from exc
    console.print(f"{record} separated from {n} record(s)")


@app.command("log")
def log(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The append-only judgement log: every decision with who, when and why."""
    from lantern.resolve import review

    frame = review.history(open_store(db))
    if as_json:
        console.print_json(json.dumps(frame.astype(str).to_dict("records")))
        return
    table = Table("#", "decision", "source", "left", "right", "by", "at", "reason")
    for row in frame.itertuples():
        table.add_row(*(str(v) for v in (
            row.id, row.decision, row.source, f"{row.agency_l}:{row.ref_l}",
            f"{row.agency_r}:{row.ref_r}", row.decided_by, row.decided_at, row.reason)))
    console.print(table)
