"""Bulk reads of current, non-withdrawn agency records as pandas DataFrames.

Analytical stages (resolve, screen, network, national) read through these, never through
per-row ORM objects. Column lists are documented in ``docs/architecture.md``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, func, select

from lantern.store.tables.core import (
    agencies,
    event_indicators,
    event_records,
    links,
    location_records,
    object_records,
    person_records,
    submissions,
)


def read_frame(engine: Engine | Connection, query: Any) -> pd.DataFrame:
    """One query's rows as a DataFrame, on an engine or inside an open connection."""
    if isinstance(engine, Connection):
        return pd.read_sql(query, engine)
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def read_persons(engine: Engine) -> pd.DataFrame:
    p = person_records
    query = (
        select(
            p.c.id.label("record_id"),
            p.c.agency,
            agencies.c.type.label("agency_type"),
            p.c.area,
            p.c.person_ref,
            p.c.forename,
            p.c.middle_names,
            p.c.surname,
            p.c.aliases,
            p.c.dob,
            p.c.dob_precision,
            p.c.dob_raw,
            p.c.sex,
            p.c.address,
            p.c.postcode,
            p.c.phones,
            p.c.emails,
            p.c.nhs_number,
            p.c.upn,
            p.c.ethnicity,
            submissions.c.extracted_at,
        )
        .join(agencies, agencies.c.code == p.c.agency)
        .join(submissions, submissions.c.id == p.c.submission_pk)
        .where(p.c.is_current.is_(True), p.c.withdrawn.is_(False))
        .order_by(p.c.id)
    )
    return read_frame(engine, query)


def read_events(engine: Engine) -> pd.DataFrame:
    e = event_records
    concat = func.string_agg if engine.dialect.name == "postgresql" else func.group_concat
    indicators = (
        select(
            event_indicators.c.event_record_id,
            concat(event_indicators.c.indicator, ";").label("indicators"),
        )
        .group_by(event_indicators.c.event_record_id)
        .subquery()
    )
    query = (
        select(
            e.c.id.label("record_id"),
            e.c.agency,
            agencies.c.type.label("agency_type"),
            e.c.area,
            e.c.event_ref,
            e.c.kind,
            e.c.occurred_on,
            e.c.location_ref,
            indicators.c.indicators,
            e.c.grading_raw.label("grading"),
            e.c.grading_scheme,
            e.c.grading_handling.label("handling"),
            e.c.summary,
            submissions.c.extracted_at,
        )
        .join(agencies, agencies.c.code == e.c.agency)
        .join(submissions, submissions.c.id == e.c.submission_pk)
        .outerjoin(indicators, indicators.c.event_record_id == e.c.id)
        .where(e.c.is_current.is_(True), e.c.withdrawn.is_(False))
        .order_by(e.c.id)
    )
    frame = read_frame(engine, query)
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def read_links(engine: Engine) -> pd.DataFrame:
    """Links of current, non-withdrawn events (an event's links come with its version)."""
    e = event_records
    query = (
        select(links.c.agency, e.c.area, links.c.event_ref, links.c.entity, links.c.ref,
               links.c.role)
        .join(e, and_(e.c.id == links.c.event_record_id))
        .where(e.c.is_current.is_(True), e.c.withdrawn.is_(False))
        .order_by(links.c.id)
    )
    return read_frame(engine, query)


def read_objects(engine: Engine) -> pd.DataFrame:
    o = object_records
    query = (
        select(o.c.id.label("record_id"), o.c.agency, o.c.area, o.c.object_ref, o.c.kind,
               o.c.value, o.c.value_raw, o.c.description)
        .where(o.c.is_current.is_(True), o.c.withdrawn.is_(False))
        .order_by(o.c.id)
    )
    return read_frame(engine, query)


def read_locations(engine: Engine) -> pd.DataFrame:
    loc = location_records
    query = (
        select(loc.c.id.label("record_id"), loc.c.agency, loc.c.area, loc.c.location_ref,
               loc.c.kind, loc.c.name, loc.c.address, loc.c.postcode, loc.c.latitude,
               loc.c.longitude)
        .where(loc.c.is_current.is_(True), loc.c.withdrawn.is_(False))
        .order_by(loc.c.id)
    )
    return read_frame(engine, query)
