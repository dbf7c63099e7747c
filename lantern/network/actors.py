"""``key_actor_score``: how connected a member is ("most connected", never "the leader").

Research on UK grooming networks found them often flat, with no clear ringleader, and on
the real Montagna network the bosses are not the most central people (docs/network.md), so
the score says who is most connected in the evidence, not who is in charge. It is a
documented combination (weights in config.yaml) of three centralities, each divided by its
maximum over all group members so that the score lies in [0, 1]:

- strength: the sum of the member's tie strengths (weighted degree) in the whole network;
- PageRank on the whole weighted network (ties to well-tied people count more);
- betweenness inside the member's group, distance = 1 / tie strength (who the group's
  shortest paths run through: the broker between its parts).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

from lantern.network.config import NetworkConfig


def _scaled(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def centralities(graph: ig.Graph, membership: np.ndarray, inside: np.ndarray,
                 vertices: np.ndarray) -> pd.DataFrame:
    """strength, pagerank and in-group betweenness of ``vertices`` (indices into graph).

    ``membership``: community of each vertex; ``inside``: vertices of kept groups (their
    people, vehicles and places): betweenness runs over ties between those, within a group.
    """
    weights = graph.es["weight"] if graph.ecount() else None
    strength = np.asarray(graph.strength(weights=weights), dtype=float)
    pagerank = np.asarray(graph.pagerank(weights=weights), dtype=float) \
        if graph.vcount() else np.zeros(0)
    # betweenness on the ties inside groups only: one igraph call, paths never leave a group
    wanted = inside.astype(bool)
    ends = np.asarray(graph.get_edgelist(), dtype=int).reshape(-1, 2)
    inside = (membership[ends[:, 0]] == membership[ends[:, 1]]) & wanted[ends[:, 0]] \
        & wanted[ends[:, 1]] if len(ends) else np.zeros(0, dtype=bool)
    sub = graph.subgraph_edges(np.flatnonzero(inside).tolist(), delete_vertices=False)
    lengths = None
    if sub.ecount():
        sub.es["length"] = 1.0 / np.asarray(sub.es["weight"], dtype=float)
        lengths = "length"
    betweenness = np.asarray(sub.betweenness(weights=lengths, directed=False), dtype=float) \
        if sub.vcount() else np.zeros(0)
    return pd.DataFrame({
        "strength": strength[vertices],
        "pagerank": pagerank[vertices],
        "betweenness": betweenness[vertices],
    })


def key_actor_scores(graph: ig.Graph, membership: np.ndarray, inside: np.ndarray,
                     vertices: np.ndarray, config: NetworkConfig) -> pd.DataFrame:
    """Centralities and the combined ``key_actor_score`` (rounded, in [0, 1])."""
    frame = centralities(graph, membership, inside, vertices)
    weights = config.key_actor
    total = weights.strength + weights.pagerank + weights.betweenness
    score = (weights.strength * _scaled(frame["strength"].to_numpy())
             + weights.pagerank * _scaled(frame["pagerank"].to_numpy())
             + weights.betweenness * _scaled(frame["betweenness"].to_numpy()))
    frame["key_actor_score"] = np.round(score / total, 4) if total > 0 else 0.0
    return frame
