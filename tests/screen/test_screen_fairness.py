"""Ethnicity, nationality and religion are never inputs: shuffling them changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.screen.config import load_config
from lantern.screen.core import screen
from lantern.screen.inputs import Frames
from tests.screen.screen_world import World, three_agency_child


def busy_world() -> World:
    w = three_agency_child(World(), linked=True)
    codes = ["W1", "A2", "B2", "M3", "O9", "NS", None]
    for i in range(12):
        ref = f"c{i}"
        w.person("S01", ref, person_id=ref, ethnicity=codes[i % len(codes)])
        w.person("H01", ref, person_id=ref, ethnicity=codes[(i + 3) % len(codes)])
        signs = ["missing_from_care", "older_associates;sexual_health", "cse_concern",
                 "school_absence", None, "self_harm;online_risk"][i % 6]
        w.event("S01", f"e{i}", "assessment", f"2013-0{1 + i % 9}-10", indicators=signs,
                people=((ref, "subject"),))
        w.event("H01", f"h{i}", "ae_attendance", f"2013-0{1 + (i * 5) % 9}-12",
                indicators="substance_misuse" if i % 2 else None, people=((ref, "subject"),))
    return w


def shuffled(frames: Frames, seed: int) -> Frames:
    persons = frames.persons.copy()
    rng = np.random.default_rng(seed)
    persons["ethnicity"] = rng.permutation(persons["ethnicity"].to_numpy())
    persons["nationality"] = rng.choice(["GB", "PK", "RO", None], len(persons))
    persons["religion"] = rng.choice(["none", "muslim", "christian", None], len(persons))
    return Frames(persons=persons, events=frames.events, links=frames.links,
                  person_ids=frames.person_ids, objects=frames.objects,
                  locations=frames.locations, object_ids=frames.object_ids,
                  location_ids=frames.location_ids)


def test_shuffling_ethnicity_leaves_risk_and_missed_opportunities_identical() -> None:
    config = load_config()
    frames = busy_world().frames()
    base = screen(frames, config, as_of=pd.Timestamp("2014-01-01"))
    assert set(base.risk["risk"]) >= {"high", "low"}
    assert len(base.missed) > 0
    for seed in range(3):
        other = screen(shuffled(frames, seed), config, as_of=pd.Timestamp("2014-01-01"))
        assert not (shuffled(frames, seed).persons["ethnicity"].to_numpy()
                    == frames.persons["ethnicity"].to_numpy()).all()
        pd.testing.assert_frame_equal(base.risk, other.risk)
        pd.testing.assert_frame_equal(base.missed, other.missed)
