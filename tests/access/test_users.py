"""Accounts: argon2 hashes, lockout, disabling, revocable tokens, the roles' rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from lantern.access import users
from lantern.access.roles import (
    AccessDenied,
    Permission,
    Principal,
    Role,
    is_restricted_handling,
    require_purpose,
)
from lantern.store.tables.access import users as users_table

PW = "a long enough password"


def test_passwords_are_stored_as_argon2_hashes(engine: Engine) -> None:
    users.add_user(engine, username="pat", password=PW, role="practitioner", areas=["AAA1"])
    with engine.connect() as conn:
        stored = conn.execute(select(users_table.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PW not in stored
    principal = users.authenticate(engine, username="pat", password=PW)
    assert principal.role is Role.PRACTITIONER and principal.areas == {"AAA1"}


def test_short_passwords_and_duplicates_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError):
        users.add_user(engine, username="pat", password="short", role="analyst")
    users.add_user(engine, username="pat", password=PW, role="analyst")
    with pytest.raises(ValueError):
        users.add_user(engine, username="pat", password=PW, role="analyst")


def test_repeated_failures_lock_the_account(engine: Engine) -> None:
    users.add_user(engine, username="pat", password=PW, role="practitioner")
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(users.LoginFailed):
            users.authenticate(engine, username="pat", password="wrong password!")
    with pytest.raises(users.LoginFailed, match="locked"):
        users.authenticate(engine, username="pat", password=PW)
    later = users.utcnow() + users.LOCKOUT + timedelta(seconds=1)
    assert users.authenticate(engine, username="pat", password=PW, now=later).username == "pat"


def test_tokens_can_be_revoked_and_expire(engine: Engine) -> None:
    users.add_user(engine, username="ann", password=PW, role="analyst", areas=["AAA1"])
    token = users.issue_token(engine, username="ann", name="script")
    assert users.principal_for_token(engine, token, kind="api") is not None
    assert users.principal_for_token(engine, token, kind="session") is None
    assert users.revoke_token(engine, token=token)
    assert users.principal_for_token(engine, token, kind="api") is None
    short = users.issue_token(engine, username="ann", ttl=timedelta(minutes=5))
    live = users.principal_for_token(engine, short, kind="api")
    assert live is not None and live.username == "ann" and live.areas == {"AAA1"}
    future = users.utcnow() + timedelta(minutes=6)
    assert users.principal_for_token(engine, short, kind="api", now=future) is None


def test_disabling_revokes_everything(engine: Engine) -> None:
    users.add_user(engine, username="ann", password=PW, role="analyst")
    token = users.issue_token(engine, username="ann")
    users.disable_user(engine, username="ann")
    assert users.principal_for_token(engine, token, kind="api") is None
    with pytest.raises(users.LoginFailed):
        users.authenticate(engine, username="ann", password=PW)


def test_roles_deny_by_default() -> None:
    nobody = Principal(1, "x", Role.PRACTITIONER)
    assert not nobody.any_in_scope(["AAA1"])
    with pytest.raises(AccessDenied):
        nobody.require_scope(["AAA1"])
    national = Principal(2, "n", Role.NATIONAL_ANALYST, all_areas=True)
    assert not national.can(Permission.PERSON_READ) and not national.identifiable
    assert not Principal(3, "a", Role.AUDITOR).can(Permission.PERSON_SEARCH)
    assert not Principal(4, "p", Role.PRACTITIONER).can(Permission.INTEL_RESTRICTED)
    assert Principal(5, "a", Role.ANALYST).can(Permission.INTEL_RESTRICTED)
    with pytest.raises(AccessDenied):
        require_purpose(None)
    with pytest.raises(AccessDenied):
        require_purpose("curiosity")
    assert require_purpose("safeguarding") == "safeguarding"


def test_handling_codes() -> None:
    assert is_restricted_handling("3x5x2", "C")
    assert not is_restricted_handling("3x5x2", "P")
    assert is_restricted_handling("5x5x5", "4") and not is_restricted_handling("5x5x5", "1")
    assert not is_restricted_handling(None, None)


def test_cli_users_add_list_disable_token(store_url: str, engine: Engine) -> None:
    from lantern.cli.main import app

    runner = CliRunner()
    add = runner.invoke(app, ["users", "add", "pat", "--role", "practitioner", "--area",
                              "AAA1", "--password-stdin", "--db", store_url], input=PW + "\n")
    assert add.exit_code == 0, add.output
    listed = runner.invoke(app, ["users", "list", "--json", "--db", store_url])
    assert '"pat"' in listed.stdout and '"AAA1"' in listed.stdout
    token = runner.invoke(app, ["users", "token", "pat", "--db", store_url]).stdout.strip()
    assert users.principal_for_token(engine, token, kind="api") is not None
    assert runner.invoke(app, ["users", "revoke", "1", "--db", store_url]).exit_code == 0
    assert users.principal_for_token(engine, token, kind="api") is None
    assert runner.invoke(app, ["users", "disable", "pat", "--db", store_url]).exit_code == 0
    dup = runner.invoke(app, ["users", "add", "pat", "--role", "analyst", "--password-stdin",
                              "--db", store_url], input=PW + "\n")
    assert dup.exit_code != 0
