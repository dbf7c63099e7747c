"""Real Chromium (Debian's) through the main journey, with screenshots to look at:
login -> search -> the child's page -> the network -> the national dashboard -> alert
acknowledgement. Keyboard-only steps check the pages can be used without a mouse."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def _login(page: Any, server: str, username: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")  # keyboard submit
    page.wait_for_load_state("networkidle")


def test_main_journey(page: Any, server: str, world: Any, shots: Path) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server}/login")
    page.screenshot(path=str(shots / "01-login.png"), full_page=True)
    _login(page, server, "ann", world.PASSWORD)
    assert page.url.endswith("/search")

    page.get_by_label("Name").fill("amy jone")
    page.get_by_label("Date of birth").fill("14/03/2009")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "02-search.png"), full_page=True)
    link = page.get_by_role("link", name="Amy Jones")
    assert link.count() == 1

    link.click()
    page.wait_for_load_state("networkidle")
    assert "Why are you opening this record?" in page.content()
    page.screenshot(path=str(shots / "03-purpose.png"), full_page=True)
    page.get_by_label("Safeguarding assessment of this child").check()
    page.get_by_label("Reference or note (optional)").fill("MASH 2024/117")
    page.get_by_role("button", name="Open the record").click()
    page.wait_for_load_state("networkidle")
    text = page.inner_text("main")
    assert "Risk indicated" in text and "Timeline across agencies" in text
    assert "Mark Smith" in text and "NTP" in text and "NTC" in text
    assert "2BC" in text  # provenance: the grading is shown
    page.screenshot(path=str(shots / "04-child.png"), full_page=True)

    page.goto(f"{server}/groups")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "05-groups.png"), full_page=True)
    first_group = page.locator("#groups a[href^='/groups/']").first
    assert first_group.count() == 1
    if first_group.count():
        first_group.click()
        page.wait_for_selector("#graph canvas", timeout=15000)
        page.wait_for_function(
            "document.getElementById('graph-count') && "
            "document.getElementById('graph-count').textContent.includes('nodes')")
        page.screenshot(path=str(shots / "06-network.png"), full_page=True)
        before = page.inner_text("#graph-count")
        page.fill("#since", "2024-05-16")
        page.get_by_role("button", name="Filter by date").click()
        page.wait_for_function(
            "(b) => document.getElementById('graph-count').textContent !== b", arg=before)
        assert page.inner_text("#graph-count") != before
        page.screenshot(path=str(shots / "06b-network-since.png"), full_page=False)

    page.goto(f"{server}/national")
    page.wait_for_load_state("networkidle")
    assert "Funnel plot" in page.inner_text("main")
    page.screenshot(path=str(shots / "07-national.png"), full_page=True)

    page.goto(f"{server}/alerts")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "08-alerts.png"), full_page=True)
    row = page.locator("#alerts tbody tr").filter(has_text="Amy Jones").first
    note = row.get_by_label("Note")
    note.fill("Referred to MASH, strategy meeting booked")
    note.press("Tab")
    page.keyboard.press("Enter")  # the Acknowledge button has focus: keyboard only
    page.wait_for_selector("text=Acknowledged")
    page.screenshot(path=str(shots / "09-alert-acknowledged.png"), full_page=True)
    assert row.locator("text=Referred to MASH").count() == 1 or page.locator(
        "text=Referred to MASH").count() >= 1

    csp_errors = [e for e in errors if re.search(r"Content Security Policy|Refused", e)]
    assert csp_errors == [] and errors == [], errors


def test_practitioner_is_refused_a_child_elsewhere(page: Any, server: str, world: Any,
                                                   shots: Path) -> None:
    _login(page, server, "pat", world.PASSWORD)
    page.get_by_label("Name").fill("bella brown")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    assert "0 people found" in page.inner_text("main")


def test_national_analyst_sees_aggregates_only(page: Any, server: str, world: Any,
                                               shots: Path) -> None:
    _login(page, server, "nat", world.PASSWORD)
    assert page.url.endswith("/national")
    html = page.content()
    for secret in world.SECRETS:
        assert secret not in html
    page.screenshot(path=str(shots / "10-national-analyst.png"), full_page=True)
    page.goto(f"{server}/search")
    assert "Not allowed" in page.inner_text("main")
