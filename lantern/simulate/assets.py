"""What offender groups use: phones, vehicles and places (houses, flats, hotels, takeaways)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lantern.simulate import formats

PLACE_KINDS = ("house", "flat", "hotel", "takeaway", "car_park", "park", "taxi_rank")
PLACE_P = (0.25, 0.2, 0.15, 0.2, 0.1, 0.05, 0.05)
PLACE_SUFFIX = {
    "hotel": ("Hotel", "Lodge", "Inn"),
    "takeaway": ("Grill", "Pizza", "Kebab House", "Chicken"),
    "car_park": ("Street Car Park",),
    "park": ("Park", "Recreation Ground"),
    "taxi_rank": ("Taxi Rank",),
}
COLOURS = ("silver", "black", "white", "grey", "blue", "red")
MODELS = (
    "Vauxhall Astra",
    "Ford Focus",
    "Toyota Prius",
    "Volkswagen Golf",
    "BMW 3 Series",
    "Skoda Octavia",
    "Ford Transit",
    "Audi A3",
)


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def build_assets(
    rng: np.random.Generator, groups: pd.DataFrame, persons: pd.DataFrame, areas: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Objects (phones, vehicles) and places, each tied to a group (and an owner for objects)."""
    off = persons[persons.kind == "offender"]
    g_first = np.searchsorted(off.group.to_numpy(), groups.group.to_numpy())
    n_off = groups.n_offenders.to_numpy()
    # Phones: every offender's own mobile, plus a second handset for some.
    phones1 = pd.DataFrame(
        {"kind": "phone", "group": off.group, "owner": off.tid, "value": off.mobile}
    )
    phones2 = off[off.mobile2.notna()]
    phones2 = pd.DataFrame(
        {"kind": "phone", "group": phones2.group, "owner": phones2.tid, "value": phones2.mobile2}
    )
    # Vehicles: a few per group, each owned by one of its offenders.
    n_veh = np.minimum(rng.poisson(1.0, len(groups)), 4)
    vg = np.repeat(groups.group.to_numpy(), n_veh)
    owner_pos = g_first[vg] + (rng.random(vg.size) * n_off[vg]).astype(int)
    vehicles = pd.DataFrame(
        {
            "kind": "vehicle",
            "group": vg,
            "owner": off.tid.to_numpy()[owner_pos] if vg.size else np.zeros(0, np.int64),
            "value": formats.draw_vrms(rng, vg.size),
            "description": _pick(rng, COLOURS, vg.size) + " " + _pick(rng, MODELS, vg.size),
        }
    )
    objects = pd.concat([phones1, phones2, vehicles], ignore_index=True)
    objects = objects.sort_values(["group", "kind", "owner"], kind="stable", ignore_index=True)
    objects["oid"] = np.arange(len(objects))
    objects["true_object_id"] = "TO" + objects.oid.astype(str).str.zfill(7)

    n_pl = np.minimum(1 + rng.poisson(1.2, len(groups)), 5)
    pg = np.repeat(groups.group.to_numpy(), n_pl)
    n = pg.size
    second = groups.second_area.to_numpy()[pg]
    area = np.where((second >= 0) & (rng.random(n) < 0.4), second, groups.area.to_numpy()[pg])
    kind = np.array(PLACE_KINDS, dtype=object)[rng.choice(len(PLACE_KINDS), n, p=PLACE_P)]
    word = _pick(rng, tuple(formats.STREET_WORDS), n)
    name = np.full(n, None, dtype=object)
    for k, suffixes in PLACE_SUFFIX.items():
        mask = kind == k
        name[mask] = word[mask] + " " + _pick(rng, suffixes, int(mask.sum()))
    centre_lat = rng.uniform(50.8, 54.8, len(areas))
    centre_lon = rng.uniform(-3.0, 0.3, len(areas))
    places = pd.DataFrame(
        {
            "lid": np.arange(n),
            "group": pg,
            "area": area,
            "kind": kind,
            "name": name,
            "address": formats.draw_addresses(rng, n, areas.name.to_numpy()[area]),
            "postcode": formats.draw_postcodes(rng, area),
            "latitude": np.round(centre_lat[area] + rng.normal(0, 0.03, n), 5),
            "longitude": np.round(centre_lon[area] + rng.normal(0, 0.05, n), 5),
        }
    )
    places["true_location_id"] = "TL" + places.lid.astype(str).str.zfill(7)
    return objects, places
