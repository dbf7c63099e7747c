"""A perfect run made from the truth: scoring it must give 1.0 on every measure.

Tests use it as the reference run and damage it on purpose (mis-linked records, missed
victims) to check that the scores fall.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.evaluate.io import Truth


def truth_as_run(truth: Truth) -> dict[str, pd.DataFrame]:
    """The contract output files a flawless pipeline would write for this world."""
    rec = truth.records
    persons = pd.DataFrame(
        {
            "agency": rec.agency,
            "person_ref": rec.person_ref,
            "person_id": rec.true_person_id,
            "match_probability": 1.0,
        }
    )
    p = truth.persons[
        truth.persons.in_records & truth.persons.kind.isin(["child", "hard_negative", "victim"])
    ]
    identified = set(truth.identified.true_person_id)
    risk = pd.DataFrame(
        {
            "person_id": p.true_person_id,
            "area": p.area,
            "risk": np.select(
                [p.kind == "victim", p.kind == "hard_negative"], ["high", "low"], default="none"
            ),
            "score": np.select(
                [p.kind == "victim", p.kind == "hard_negative"], [1.0, 0.3], default=0.0
            ),
            "identified_victim": np.where(p.true_person_id.isin(identified), "true", "false"),
            "reasons": "truth",
        }
    )
    g = truth.groups[truth.groups.in_records]
    groups = pd.DataFrame(
        {
            "group_id": g.group_id,
            "person_id": g.true_person_id,
            "role": g.role,
            "areas": g.areas,
            "key_actor_score": np.where(g.key_actor, 1.0, 0.5),
        }
    )
    m = truth.missed
    missed = pd.DataFrame(
        {
            "person_id": m.true_person_id,
            "first_sign_on": m.first_sign_on,
            "agencies": m.agencies,
            "contacts": m.contacts,
            "responded_on": m.responded_on,
            "reason": "truth",
        }
    )
    a = truth.area_year
    stats = pd.DataFrame(
        {
            "area": a.area,
            "year": a.year,
            "children_identified": a.identified_children,
            "children_high_risk": a.seen_victims,
            "rate_per_10k": (a.identified_children / a.child_population * 1e4).round(2),
            "funnel": "within",
            "estimated_total": a.true_victims,
            "estimated_low": a.true_victims,
            "estimated_high": a.true_victims,
        }
    )
    return {
        "persons.csv": persons,
        "risk.csv": risk,
        "groups.csv": groups,
        "missed_opportunities.csv": missed,
        "area_stats.csv": stats,
    }


def mislink(
    run: dict[str, pd.DataFrame], *, share: float, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """A copy of ``run`` where ``share`` of the records get another record's person_id."""
    rng = np.random.default_rng(seed)
    persons = run["persons.csv"].copy()
    n = len(persons)
    pick = rng.random(n) < share
    donors = rng.integers(0, n, int(pick.sum()))
    persons.loc[pick, "person_id"] = persons.person_id.to_numpy()[donors]
    return {**run, "persons.csv": persons}
