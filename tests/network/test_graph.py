"""The graph builder: ties from events, vehicles and homes; weights; who is a suspect."""

from __future__ import annotations

import pandas as pd
import pytest

from lantern.network.config import load_config
from lantern.network.graph import NetworkInputs, build_network, event_weights, grading_factor


def _tie(edges: pd.DataFrame, a: str, b: str) -> pd.Series | None:
    key = (min(a, b), max(a, b))
    hit = edges[(edges["source"] == key[0]) & (edges["target"] == key[1])]
    return None if hit.empty else hit.iloc[0]


def test_shared_event_ties_people_and_professionals_make_none(frames: NetworkInputs) -> None:
    net = build_network(frames, load_config())
    assert _tie(net.edges, "S1", "S2") is not None
    assert _tie(net.edges, "C1", "S1") is not None
    assert not ((net.edges["source"] == "W1") | (net.edges["target"] == "W1")).any()
    assert net.edges["weight"].min() > 0 and net.edges["weight"].max() < 1


def test_child_reaches_suspect_through_vehicle_and_home(frames: NetworkInputs) -> None:
    net = build_network(frames, load_config())
    # C2 was stopped in V1 without its user; S1 uses V1 (intelligence)
    assert _tie(net.edges, "C2", "vehicle:AB12CDE") is not None
    assert _tie(net.edges, "S1", "vehicle:AB12CDE") is not None
    assert _tie(net.edges, "C2", "S1") is None
    # C3 was found at 12 Mill Lane, S2's home address: the place ties them
    assert _tie(net.edges, "C3", "location:P1/L1") is not None
    home = _tie(net.edges, "S2", "location:P1/L1")
    assert home is not None and home["weight"] == pytest.approx(0.8)


def test_roles_children_and_suspects(frames: NetworkInputs) -> None:
    nodes = build_network(frames, load_config()).nodes.set_index("node_id")
    assert nodes.loc["S1", "role"] == "suspect"  # driver at a stop check, and intelligence
    assert nodes.loc["C1", "role"] == "victim" and nodes.loc["C1", "is_child"]
    assert nodes.loc["W1", "role"] == "other"
    assert nodes.loc["C4", "areas"] == "AA1;AA2"


def test_a_child_linked_as_suspect_stays_a_victim(frames: NetworkInputs) -> None:
    links = pd.concat([frames.links, pd.DataFrame([{
        "agency": "P1", "area": "AA1", "event_ref": "E1", "entity": "person", "ref": "C1",
        "role": "suspect"}])], ignore_index=True)
    changed = NetworkInputs(frames.persons, frames.events, links, frames.objects,
                            frames.locations)
    nodes = build_network(changed, load_config()).nodes.set_index("node_id")
    assert nodes.loc["C1", "role"] == "victim"


def test_grading_and_recency_lower_weights() -> None:
    config = load_config()
    events = pd.DataFrame({
        "kind": ["intelligence_report"] * 4 + ["stop_check"],
        "grading": ["1AP", "3EP", None, "A12", None],
        "grading_scheme": [None, "3x5x2", None, "5x5x5", None],
        "occurred_on": pd.to_datetime(["2013-01-01"] * 5),
    })
    factor = grading_factor(events, config)
    assert factor.tolist() == pytest.approx([1.0, 0.03, 0.24, 1.0, 1.0])
    dated = events.assign(occurred_on=pd.to_datetime(
        ["2013-01-01", "2013-01-01", "2013-01-01", "2008-01-01", "2003-01-01"]))
    weights = event_weights(dated, config)
    # five years old halves the weight; the floor stops older records vanishing
    assert weights[3] == pytest.approx(0.5, rel=0.01)
    assert weights[4] == pytest.approx(0.25)


def test_ethnicity_is_not_an_input(frames: NetworkInputs) -> None:
    """Shuffling (or blanking) ethnicity changes nothing the stage computes."""
    config = load_config()
    base = build_network(frames, config)
    codes = ["A2", "B2", "M3", "O9", "NS", None, "W1", "A1", "B1", "W2"]
    shuffled = frames.persons.assign(ethnicity=[codes[i % len(codes)] for i in
                                                range(len(frames.persons))][::-1])
    other = build_network(NetworkInputs(shuffled, frames.events, frames.links,
                                        frames.objects, frames.locations), config)
    pd.testing.assert_frame_equal(base.edges, other.edges)
    pd.testing.assert_frame_equal(base.nodes, other.nodes)


def test_home_area_from_postcode_district() -> None:
    from lantern.network.graph import district_areas

    postcodes = pd.Series(["S60 1AA"] * 6 + ["S61 2BB"] * 6 + ["S62 3CC"] * 2)
    areas = pd.Series(["AA1"] * 6 + ["AA2"] * 4 + ["AA1"] * 2 + ["AA2"] * 2)
    mapping = district_areas(postcodes, areas, min_records=5, min_share=0.8)
    assert mapping.to_dict() == {"S60": "AA1"}  # S61 is mixed, S62 too rare


def test_home_area_from_the_town_named_in_the_address() -> None:
    from lantern.network.graph import town_areas

    names = pd.Series(["AA1", "AA2"], index=["Marrowmere", "Quillmere"])
    addresses = pd.Series(["140 Bramble St, Quillmere", "9 ELM ROAD, MARROWMERE",
                           "3 Oak Way, Elsewhere", "12 Quillmere Road", None])
    assert town_areas(addresses, names).tolist() == ["AA2", "AA1", None, None, None]
