"""Graph exports: Cytoscape.js JSON (for the web view), GraphML and GEXF (analysts' tools).

Pure on frames: ``nodes`` and ``edges`` as stored by the network stage. Dates travel on
every edge (first_seen, last_seen) so a viewer can filter the graph by time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lantern.network.groups import to_igraph

NODE_ATTRS = ["kind", "label", "role", "is_child", "areas", "group_id"]
EDGE_ATTRS = ["weight", "n_events", "first_seen", "last_seen"]
FORMATS = ("json", "graphml", "gexf")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, missing values as empty text, numbers as Python numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]) or column in (
                "first_seen", "last_seen"):
            out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    return out.astype(object).where(out.notna(), "")


def cytoscape(nodes: pd.DataFrame, edges: pd.DataFrame,
              scores: pd.DataFrame | None = None) -> dict[str, Any]:
    """``{"elements": {"nodes": [{"data": ...}], "edges": [{"data": ...}]}}``.

    ``scores`` (person_id, key_actor_score) adds each member's score to its node.
    """
    n = _plain(nodes.reindex(columns=["node_id", *NODE_ATTRS]))
    if scores is not None and len(scores):
        score = scores.drop_duplicates("person_id").set_index("person_id")["key_actor_score"]
        n["key_actor_score"] = nodes["node_id"].map(score).astype(object).where(
            nodes["node_id"].isin(score.index), "").to_numpy()
    n = n.rename(columns={"node_id": "id"})
    e = _plain(edges.reindex(columns=["source", "target", *EDGE_ATTRS]))
    e.insert(0, "id", "e" + pd.Series(np.arange(len(e)), index=e.index).astype(str))
    return {"elements": {
        "nodes": [{"data": row} for row in n.to_dict("records")],
        "edges": [{"data": row} for row in e.to_dict("records")],
    }}


def write_graph(nodes: pd.DataFrame, edges: pd.DataFrame, path: Path | str, fmt: str, *,
                scores: pd.DataFrame | None = None) -> None:
    """Write the graph as ``json`` (Cytoscape.js), ``graphml`` (igraph) or ``gexf``."""
    path = Path(path)
    if fmt == "json":
        path.write_text(json.dumps(cytoscape(nodes, edges, scores)), encoding="utf-8")
        return
    n = _plain(nodes.reindex(columns=["node_id", *NODE_ATTRS]))
    e = _plain(edges.reindex(columns=["source", "target", *EDGE_ATTRS]))
    if fmt == "graphml":
        graph = to_igraph(nodes.reset_index(drop=True), edges.reset_index(drop=True))
        for attr in NODE_ATTRS:
            graph.vs[attr] = [str(v) for v in n[attr]]
        for attr in ("n_events", "first_seen", "last_seen"):
            values = e[attr].tolist()
            graph.es[attr] = [str(v) for v in values] if attr != "n_events" else [
                int(v or 0) for v in values]
        graph.write_graphml(str(path))
        return
    if fmt == "gexf":
        import networkx as nx

        graph = nx.from_pandas_edgelist(e, "source", "target", edge_attr=EDGE_ATTRS)
        graph.add_nodes_from(
            (row["node_id"], {k: str(row[k]) for k in NODE_ATTRS}) for row in
            n.to_dict("records"))
        nx.write_gexf(graph, str(path))
        return
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
