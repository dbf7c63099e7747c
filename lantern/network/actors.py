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


def in_group_betweenness(graph: ig.Graph, membership: np.ndarray, inside: np.ndarray, *,
                         batch: int = 4000) -> np.ndarray:
    """Weighted betweenness over the ties inside each group (distance = 1 / tie).

    igraph's weighted betweenness costs about the square of the vertex count even on many
    small components, so the groups go through it in batches of about ``batch`` vertices:
    paths never leave a group, so batching changes nothing but the time.
    """
    out = np.zeros(graph.vcount(), dtype=float)
    if graph.ecount() == 0:
        return out
    ends = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    keep = (membership[ends[:, 0]] == membership[ends[:, 1]]) & inside[ends[:, 0]] \
        & inside[ends[:, 1]]
    ends = ends[keep]
    if not len(ends):
        return out
    lengths = 1.0 / np.asarray(graph.es["weight"], dtype=float)[keep]
    community = membership[ends[:, 0]]
    order = np.argsort(community, kind="stable")
    ends, lengths, community = ends[order], lengths[order], community[order]
    sizes = np.bincount(membership[inside]) if inside.any() else np.zeros(0, dtype=int)
    comms = np.unique(community)
    chunk = np.cumsum(sizes[comms]) // batch
    edge_chunk = chunk[np.searchsorted(comms, community)]
    bounds = np.flatnonzero(np.diff(edge_chunk)) + 1
    for part in np.split(np.arange(len(ends)), bounds):
        vertices, local = np.unique(ends[part], return_inverse=True)
        sub = ig.Graph(n=len(vertices), edges=local.reshape(-1, 2).tolist(), directed=False)
        out[vertices] = sub.betweenness(weights=lengths[part].tolist(), directed=False)
    return out


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
    betweenness = in_group_betweenness(graph, membership, inside.astype(bool))
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
