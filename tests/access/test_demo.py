"""`make demo`'s accounts: one per role, idempotent, each able to log in."""

from __future__ import annotations

from sqlalchemy import Engine

from lantern.access.roles import Role
from lantern.access.users import authenticate
from lantern.demo import create_demo_accounts


def test_one_account_per_role(engine: Engine) -> None:
    first = create_demo_accounts(engine, local_areas=["AAA1"])
    again = create_demo_accounts(engine, local_areas=["AAA1"])
    assert [a.username for a in first] == [a.username for a in again]
    assert {a.role for a in first} == {r.value for r in Role}
    for account in first:
        principal = authenticate(engine, username=account.username, password=account.password)
        assert principal.role.value == account.role
        if account.role == "practitioner":
            assert principal.areas == {"AAA1"} and not principal.all_areas
        if account.role == "national_analyst":
            assert principal.all_areas and not principal.identifiable
