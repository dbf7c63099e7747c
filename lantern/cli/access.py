"""``lantern users ...`` and ``lantern audit ...``: accounts, API tokens, the audit log."""

from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from lantern.access import audit, users
from lantern.access.audit import Actor
from lantern.access.roles import Role
from lantern.cli.common import CliError, DbOption, JsonOption, console
from lantern.store.db import open_store

users_app = typer.Typer(help="Manage user accounts and their API tokens.", no_args_is_help=True)
audit_app = typer.Typer(
    help="Check and read the hash-chained audit log of every read and write of "
    "identifiable data.",
    no_args_is_help=True,
)


def _cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "unknown"
    return Actor(f"cli:{who}", "cli")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    env = os.environ.get("LANTERN_PASSWORD")
    if env:
        return env
    first = typer.prompt("Password", hide_input=True)
    second = typer.prompt("Repeat password", hide_input=True)
    if first != second:
        raise CliError("the passwords differ")
    return str(first)


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name: letters, digits, '.', '_', '-'.")],
    role: Annotated[
        Role, typer.Option("--role", help="practitioner, analyst, area_manager, "
                           "national_analyst, auditor or admin.")
    ],
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="An area the user may see (repeat for several). "
                     "National analysts, auditors and admins see all areas."),
    ] = None,
    display_name: Annotated[str | None, typer.Option("--name", help="Full name shown.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input "
                           "(else LANTERN_PASSWORD, else a prompt).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a user with a role and the areas they may see (deny by default)."""
    engine = open_store(db)
    try:
        users.add_user(engine, username=username, password=_password(password_stdin),
                       role=role, areas=area or [], display_name=display_name)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    audit.record(engine, actor=_cli_actor(), action="users.add", subject=username,
                 detail={"role": role.value, "areas": area or []})
    console.print(f"added {username} ({role.value})")


@users_app.command("list")
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List users with role, areas and state."""
    found = users.list_users(open_store(db))
    if as_json:
        print(json.dumps([asdict(u) for u in found], default=str, indent=2))
        return
    table = Table("username", "name", "role", "areas", "state")
    for u in found:
        state = "disabled" if u.disabled else (
            f"locked until {u.locked_until:%H:%M}" if u.locked_until and
            u.locked_until > users.utcnow() else "active")
        table.add_row(u.username, u.display_name or "", u.role,
                      "all" if u.all_areas else ",".join(u.areas) or "(none)", state)
    console.print(table)


@users_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="The account to disable.")],
    db: DbOption = None,
) -> None:
    """Disable an account and revoke all its sessions and API tokens."""
    engine = open_store(db)
    try:
        users.disable_user(engine, username=username)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    audit.record(engine, actor=_cli_actor(), action="users.disable", subject=username)
    console.print(f"disabled {username}")


@users_app.command("unlock")
def unlock(
    username: Annotated[str, typer.Argument(help="The locked account.")], db: DbOption = None
) -> None:
    """Clear a lockout after repeated failed logins."""
    engine = open_store(db)
    users.unlock_user(engine, username=username)
    audit.record(engine, actor=_cli_actor(), action="users.unlock", subject=username)
    console.print(f"unlocked {username}")


@users_app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="The account the token acts as.")],
    name: Annotated[str | None, typer.Option("--name", help="What the token is for.")] = None,
    days: Annotated[int | None, typer.Option("--days", help="Expire after N days "
                                             "(default: never; revoke instead).")] = None,
    db: DbOption = None,
) -> None:
    """Issue an API token (printed once; only its hash is stored)."""
    from datetime import timedelta

    engine = open_store(db)
    try:
        secret = users.issue_token(engine, username=username, kind="api", name=name,
                                   ttl=timedelta(days=days) if days else None)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    audit.record(engine, actor=_cli_actor(), action="tokens.issue", subject=username)
    print(secret)


@users_app.command("tokens")
def tokens(
    username: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List API tokens and whether they are live, expired or revoked."""
    found = users.list_tokens(open_store(db), username=username)
    if as_json:
        print(json.dumps([asdict(t) for t in found], default=str, indent=2))
        return
    table = Table("id", "user", "name", "created", "state")
    for t in found:
        state = "revoked" if t.revoked_at else (
            "expired" if t.expires_at and t.expires_at <= users.utcnow() else "live")
        table.add_row(str(t.id), t.username, t.name or "", f"{t.created_at:%Y-%m-%d %H:%M}",
                      state)
    console.print(table)


@users_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token id from `lantern users tokens`.")],
    db: DbOption = None,
) -> None:
    """Revoke an API token at once."""
    engine = open_store(db)
    if not users.revoke_token(engine, token_id=token_id):
        raise CliError(f"no live token {token_id}")
    audit.record(engine, actor=_cli_actor(), action="tokens.revoke", subject=str(token_id))
    console.print(f"revoked token {token_id}")


@audit_app.command("verify")
def verify(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Walk the hash chain; report every edited, removed or reordered row (exit 1 if any)."""
    result = audit.verify(open_store(db))
    if as_json:
        print(json.dumps({"ok": result.ok, "rows": result.rows, "head_seq": result.head_seq,
                          "head_hash": result.head_hash,
                          "problems": [asdict(p) for p in result.problems]}, indent=2))
    else:
        for p in result.problems:
            console.print(f"row {p.seq}: {p.kind}: {p.message}", highlight=False)
        console.print(f"{result.rows} rows; head {result.head_seq} {result.head_hash}",
                      highlight=False)
    if not result.ok:
        raise CliError(f"audit log fails verification: {len(result.problems)} problem(s)")
    if not as_json:
        console.print("audit log intact")


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"not an ISO date or date-time: {value!r}") from exc


@audit_app.command("show")
def show(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's actions.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Only entries about this "
                                               "person_id (as subject or in the results).")]
    = None,
    since: Annotated[str | None, typer.Option("--since", help="From this UTC date/time.")]
    = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this UTC date/time.")]
    = None,
    limit: Annotated[int, typer.Option("--limit", help="At most N entries, newest first.")]
    = 200,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show audit entries filtered by user, person and time."""
    engine = open_store(db)
    entries = audit.show(engine, user=user, person=person, since=_when(since),
                         until=_when(until), limit=limit)
    audit.record(engine, actor=_cli_actor(), action="audit.read",
                 detail={"user": user, "person": person, "since": since, "until": until},
                 result_ids=[str(e.seq) for e in entries])
    if as_json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return
    table = Table("seq", "at (UTC)", "user", "action", "outcome", "purpose", "subject",
                  "results")
    for e in entries:
        results = ",".join(e.result_ids[:3]) + ("…" if len(e.result_ids) > 3 else "")
        table.add_row(str(e.seq), e.at[:19], e.username, e.action, e.outcome,
                      e.purpose or "", e.subject or "", results)
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add the ``users`` and ``audit`` command groups."""
    root.add_typer(users_app, name="users")
    root.add_typer(audit_app, name="audit")
