"""Demo helpers: one account per role for ``make demo`` (synthetic data only).

``make demo`` calls ``python -m lantern.demo --db DB`` after the pipeline has run: it
creates the accounts (idempotent) and prints them, then the web app is served.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from lantern.access.roles import Role
from lantern.access.users import add_user, list_users
from lantern.store.tables.core import areas, person_records

DEMO_PASSWORD_SUFFIX = "-lantern-demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    areas: list[str]


def busiest_areas(engine: Engine, *, n: int = 1) -> list[str]:
    """The areas with the most person records: the demo's local users look at these."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(person_records.c.area, func.count().label("n"))
            .group_by(person_records.c.area).order_by(func.count().desc()).limit(n)
        ).all()
        if not rows:
            rows = conn.execute(select(areas.c.area).order_by(areas.c.area).limit(n)).all()
    return [r[0] for r in rows]


def create_demo_accounts(engine: Engine, *, local_areas: list[str] | None = None
                         ) -> list[DemoAccount]:
    """One account per role (``demo-<role>``); local roles get ``local_areas``."""
    local = local_areas if local_areas is not None else busiest_areas(engine, n=1)
    existing = {u.username for u in list_users(engine)}
    made = []
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        password = f"{role.value}{DEMO_PASSWORD_SUFFIX}"
        scoped = local if role in {Role.PRACTITIONER, Role.ANALYST, Role.AREA_MANAGER} else []
        if username not in existing:
            add_user(engine, username=username, password=password, role=role, areas=scoped,
                     display_name=f"Demo {role.value.replace('_', ' ')}")
        made.append(DemoAccount(username, password, role.value, scoped or ["all"]))
    return made


def main() -> None:
    from lantern.store.db import open_store

    parser = argparse.ArgumentParser(description="Create and print the demo accounts.")
    parser.add_argument("--db", default=None, help="store URL or SQLite path")
    parser.add_argument("--area", action="append", help="area(s) for the local roles")
    args = parser.parse_args()
    accounts = create_demo_accounts(open_store(args.db), local_areas=args.area)
    print("Demo accounts (synthetic data only):")
    for a in accounts:
        print(f"  {a.role:<17} {a.username:<24} password {a.password:<34} "
              f"areas {','.join(a.areas)}")


if __name__ == "__main__":
    main()
