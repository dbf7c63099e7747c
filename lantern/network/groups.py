"""Suspected offender groups: Leiden communities (CPM objective) kept when they hold suspects.

Why CPM: modularity compares a community with what a random graph of the *whole* network
would give, so as the network grows it prefers to merge small dense groups (its resolution
limit). The Constant Potts Model keeps a community together when its internal tie density
exceeds a fixed resolution, whatever the network's size, which is what small offender
groups in a national graph need. The measurements are in docs/network.md.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig
import leidenalg
import numpy as np
import pandas as pd

from lantern.network.config import NetworkConfig


def to_igraph(nodes: pd.DataFrame, edges: pd.DataFrame) -> ig.Graph:
    """An undirected weighted igraph with vertices in ``nodes`` order (names = node_id)."""
    index = pd.Index(nodes["node_id"])
    source = index.get_indexer(edges["source"])
    target = index.get_indexer(edges["target"])
    keep = (source >= 0) & (target >= 0)
    graph = ig.Graph(n=len(index), edges=np.column_stack([source[keep], target[keep]]),
                     directed=False)
    graph.vs["name"] = list(index)
    graph.es["weight"] = edges["weight"].to_numpy(dtype=float)[keep]
    return graph


def graph_from_ends(names: np.ndarray, ends: np.ndarray, weights: np.ndarray) -> ig.Graph:
    """The same graph as :func:`to_igraph`, from edges already given as vertex numbers."""
    graph = ig.Graph(n=len(names), directed=False)
    graph.add_edges(np.asarray(ends, dtype=np.int64).reshape(-1, 2))  # fast from numpy
    graph.vs["name"] = list(names)
    graph.es["weight"] = np.asarray(weights, dtype=float)
    return graph


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph draws from a process-wide generator: give it a seeded one, then put it back."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def entity_sizes(nodes: pd.DataFrame, config: NetworkConfig) -> np.ndarray:
    """CPM node sizes: 1 for a person, ``groups.entity_size`` for a vehicle, phone, place.

    CPM asks that a community's ties exceed resolution x (its size squared / 2); counting
    only people (entity_size 0) makes that a density of ties per pair of *people*, so a
    group's cars, phones and flats do not make it look sparser than it is. (leidenalg takes
    whole sizes only; igraph's Leiden, the default, takes any.)"""
    return np.where((nodes["kind"] == "person").to_numpy(), 1.0, config.groups.entity_size)


def communities(graph: ig.Graph, config: NetworkConfig,
                node_weights: np.ndarray | None = None) -> np.ndarray:
    """Community number of each vertex (Leiden, fixed seed: the same input, the same answer).

    ``implementation: igraph`` runs igraph's own C Leiden (the default: 15-25 times faster
    here than leidenalg's on the same graphs); ``leidenalg`` runs the reference package
    that the published benchmark figures used.
    """
    if graph.vcount() == 0:
        return np.zeros(0, dtype=int)
    settings = config.groups
    if settings.implementation == "igraph":
        objective = "CPM" if settings.objective == "cpm" else "modularity"
        with seeded(settings.seed):
            found = graph.community_leiden(
                objective_function=objective, weights="weight",
                resolution=settings.resolution if objective == "CPM" else 1.0,
                n_iterations=settings.n_iterations,
                node_weights=list(node_weights) if node_weights is not None
                and objective == "CPM" else None)
        return np.asarray(found.membership, dtype=int)
    if settings.objective == "cpm":
        partition = leidenalg.find_partition(
            graph, leidenalg.CPMVertexPartition, weights="weight",
            node_sizes=list(node_weights) if node_weights is not None else None,
            resolution_parameter=settings.resolution, seed=settings.seed,
            n_iterations=settings.n_iterations)
    else:
        partition = leidenalg.find_partition(
            graph, leidenalg.ModularityVertexPartition, weights="weight",
            seed=settings.seed, n_iterations=settings.n_iterations)
    return np.asarray(partition.membership, dtype=int)


def offender_groups(nodes: pd.DataFrame, membership: np.ndarray,
                    config: NetworkConfig) -> pd.DataFrame:
    """Person members of the communities that hold enough suspects.

    Returns ``community, person_id, role``; only people are members (vehicles and places
    are the group's entities, listed separately).
    """
    frame = pd.DataFrame({"community": membership, "person_id": nodes["node_id"].to_numpy(),
                          "kind": nodes["kind"].to_numpy(), "role": nodes["role"].to_numpy()})
    people = frame[frame["kind"] == "person"]
    stats = people.assign(suspect=people["role"] == "suspect").groupby("community").agg(
        members=("person_id", "size"), suspects=("suspect", "sum"))
    keep = stats[(stats["suspects"] >= config.groups.min_suspects)
                 & (stats["members"] >= config.groups.min_members)].index
    return people[people["community"].isin(keep)][["community", "person_id", "role"]]


def stable_ids(members: pd.DataFrame, previous: pd.DataFrame, *,
               next_number: int, prefix: str = "G") -> pd.Series:
    """Group id of each community, keeping ids from the previous run by overlap.

    ``members``: community, person_id. ``previous``: group_id, person_id of the last run.
    A community takes the id of the previous group it shares most people with, unless a
    community sharing more people claims that id first; the rest get new ids numbered from
    ``next_number`` in order of size (then smallest person id), so ids never get reused.
    Returns a Series community -> group_id.
    """
    ordered = members.sort_values("person_id")
    comms = pd.DataFrame({"size": ordered.groupby("community").size(),
                          "min": ordered.drop_duplicates("community").set_index(
                              "community")["person_id"]})
    comms = comms.sort_values(["size", "min"], ascending=[False, True])
    assigned = pd.Series(dtype=object)
    if not previous.empty:
        overlap = members.merge(previous[["group_id", "person_id"]], on="person_id")
        counts = overlap.groupby(["community", "group_id"]).size().rename("n").reset_index()
        counts = counts.sort_values(["n", "group_id", "community"],
                                    ascending=[False, True, True])
        best = counts.drop_duplicates("community").drop_duplicates("group_id")
        assigned = best.set_index("community")["group_id"]
    fresh = [c for c in comms.index if c not in assigned.index]
    numbers = range(next_number, next_number + len(fresh))
    new = pd.Series([f"{prefix}{n:06d}" for n in numbers], index=fresh, dtype=object)
    parts = [p.astype(object) for p in (assigned, new) if not p.empty]
    combined = pd.concat(parts) if parts else pd.Series(dtype=object)
    return combined.reindex(comms.index)


def id_number(group_ids: pd.Series, prefix: str = "G") -> int:
    """The next free number after the highest id ever issued."""
    numbers = pd.to_numeric(group_ids.astype(str).str.removeprefix(prefix), errors="coerce")
    return int(numbers.max()) + 1 if numbers.notna().any() else 1
