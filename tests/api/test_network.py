"""Groups through the API: list, detail, Cytoscape graph with dates, exports, scope."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_group_list_and_detail(clients: dict[str, TestClient], group_id: str,
                               person_ids: dict[str, str]) -> None:
    groups = clients["analyst"].get("/api/v1/network/groups").json()
    assert [g["group_id"] for g in groups] == [group_id]
    detail = clients["practitioner"].get(f"/api/v1/network/groups/{group_id}").json()
    members = {m["person_id"]: m for m in detail["members"]}
    assert members[person_ids["mark"]]["role"] == "suspect"
    assert members[person_ids["mark"]]["name"] == "Mark Smith"
    assert members[person_ids["amy"]]["role"] == "victim"
    assert any("AB12CDE" in (e["label"] or e["node_id"]) for e in detail["entities"])
    assert all(e["agency"] and e["occurred_on"] for e in detail["events"])
    assert clients["analyst"].get("/api/v1/network/groups/G999999").status_code == 404
    assert clients["analyst"].get("/api/v1/network/groups",
                                  params={"area": "BBB2"}).status_code == 403


def test_graph_elements_and_date_filter(clients: dict[str, TestClient], group_id: str,
                                        person_ids: dict[str, str]) -> None:
    url = f"/api/v1/network/groups/{group_id}/graph"
    full = clients["analyst"].get(url).json()["elements"]
    ids = {n["data"]["id"] for n in full["nodes"]}
    assert {person_ids["mark"], person_ids["amy"]} <= ids
    labels = {n["data"]["label"] for n in full["nodes"]}
    assert "Mark Smith" in labels
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids
               for e in full["edges"])
    assert full["edges"] and all(e["data"]["first_seen"] for e in full["edges"])
    later = clients["analyst"].get(url, params={"since": "2024-05-16"}).json()["elements"]
    assert 0 < len(later["edges"]) < len(full["edges"])
    none = clients["analyst"].get(url, params={"until": "2000-01-01"}).json()["elements"]
    assert none["edges"] == []


def test_exports(clients: dict[str, TestClient], group_id: str) -> None:
    client = clients["analyst"]
    graphml = client.get("/api/v1/network/export", params={"format": "graphml"})
    assert graphml.status_code == 200 and "<graphml" in graphml.text
    one = client.get("/api/v1/network/export", params={"format": "json", "group": group_id})
    assert one.json()["elements"]["nodes"]
    assert client.get("/api/v1/network/export", params={"format": "dot"}).status_code == 422
    assert clients["practitioner"].get("/api/v1/network/export").status_code == 403
