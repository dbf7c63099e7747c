"""The alerts work queue: missed opportunities and responses due, by area; acknowledgements.

Acknowledgements are append-only: a note is never edited or removed, a later note is added.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, func, insert, select

from lantern.store.tables.screen import screen_alert_acks, screen_alerts


class AlertNotFound(LookupError):
    """No alert has this id."""


class Acknowledgement(BaseModel):
    alert_id: str
    acknowledged_at: datetime
    acknowledged_by: str
    note: str


class Alert(BaseModel):
    alert_id: str
    person_id: str
    area: str | None
    kind: str  # missed_opportunity | response_due
    raised_on: date
    reason: str
    active: bool
    acknowledgements: list[Acknowledgement]

    @property
    def acknowledged(self) -> bool:
        return bool(self.acknowledgements)


def list_alerts(engine: Engine, *, area: str | None = None, include_acknowledged: bool = False,
                include_inactive: bool = False) -> list[Alert]:
    """The work queue, oldest first: open alerts of ``area`` (all areas when None)."""
    a = screen_alerts
    query = select(a).order_by(a.c.raised_on, a.c.alert_id)
    if area is not None:
        query = query.where(a.c.area == area)
    if not include_inactive:
        query = query.where(a.c.active.is_(True))
    acked = select(screen_alert_acks.c.alert_id).distinct()
    if not include_acknowledged:
        query = query.where(a.c.alert_id.not_in(acked))
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
        ids = [row["alert_id"] for row in rows]
        acks: dict[str, list[Acknowledgement]] = {}
        if ids and include_acknowledged:
            k = screen_alert_acks
            for ack in connection.execute(
                select(k).where(k.c.alert_id.in_(ids)).order_by(k.c.id)
            ).mappings():
                acks.setdefault(ack["alert_id"], []).append(Acknowledgement(**{
                    key: ack[key] for key in Acknowledgement.model_fields}))
    return [Alert(**{**dict(row), "acknowledgements": acks.get(row["alert_id"], [])})
            for row in rows]


def acknowledge(engine: Engine, alert_id: str, *, note: str, by: str,
                at: datetime | None = None) -> Acknowledgement:
    """Record that ``by`` has seen the alert, with a note (kept; never overwritten)."""
    if not note.strip():
        raise ValueError("an acknowledgement needs a note")
    if not by.strip():
        raise ValueError("an acknowledgement needs the name of who made it")
    ack = Acknowledgement(alert_id=alert_id, acknowledged_at=at or datetime.now(),
                          acknowledged_by=by.strip(), note=note.strip())
    with engine.begin() as connection:
        found = connection.execute(
            select(func.count()).where(screen_alerts.c.alert_id == alert_id)).scalar_one()
        if not found:
            raise AlertNotFound(f"no alert {alert_id!r}")
        connection.execute(insert(screen_alert_acks).values(**ack.model_dump()))
    return ack
