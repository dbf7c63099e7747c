"""Roles, permissions, area scope and purposes: the pure rules, no I/O.

Deny by default: a permission not listed for a role is refused, and a user with no
areas (and no national scope) sees no area's data. See ``docs/web.md`` for the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    ANALYST = "analyst"
    AREA_MANAGER = "area_manager"
    NATIONAL_ANALYST = "national_analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    PERSON_SEARCH = "person.search"
    PERSON_READ = "person.read"  # identifiable: needs a stated purpose
    INTEL_RESTRICTED = "intel.restricted"  # intelligence with handling conditions (C)
    ALERTS_READ = "alerts.read"
    ALERTS_ACK = "alerts.ack"
    NETWORK_READ = "network.read"
    NETWORK_EXPORT = "network.export"
    REVIEW_READ = "review.read"
    REVIEW_DECIDE = "review.decide"
    SUBMISSIONS_READ = "submissions.read"
    SUBMISSIONS_UPLOAD = "submissions.upload"
    NATIONAL_READ = "national.read"  # aggregates only, disclosure-controlled
    USERS_MANAGE = "users.manage"
    AUDIT_READ = "audit.read"


P = Permission
_IDENTIFIABLE_WORK = {
    P.PERSON_SEARCH,
    P.PERSON_READ,
    P.ALERTS_READ,
    P.ALERTS_ACK,
    P.NETWORK_READ,
    P.NATIONAL_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PRACTITIONER: frozenset(_IDENTIFIABLE_WORK),
    Role.ANALYST: frozenset(
        _IDENTIFIABLE_WORK
        | {
            P.INTEL_RESTRICTED,
            P.NETWORK_EXPORT,
            P.REVIEW_READ,
            P.REVIEW_DECIDE,
            P.SUBMISSIONS_READ,
            P.SUBMISSIONS_UPLOAD,
        }
    ),
    Role.AREA_MANAGER: frozenset(
        _IDENTIFIABLE_WORK | {P.INTEL_RESTRICTED, P.NETWORK_EXPORT, P.SUBMISSIONS_READ}
    ),
    Role.NATIONAL_ANALYST: frozenset({P.NATIONAL_READ}),
    Role.AUDITOR: frozenset({P.AUDIT_READ}),
    Role.ADMIN: frozenset({P.USERS_MANAGE, P.SUBMISSIONS_READ, P.SUBMISSIONS_UPLOAD}),
}

# Roles that may receive identifiable person data at all (names, dates of birth,
# postcodes, free text). Everyone else gets ids, codes and aggregates only.
IDENTIFIABLE_ROLES = frozenset({Role.PRACTITIONER, Role.ANALYST, Role.AREA_MANAGER})

# Why an identifiable record is being opened; recorded in the audit log.
PURPOSES: dict[str, str] = {
    "safeguarding": "Safeguarding assessment of this child",
    "strategy_meeting": "Preparing for or holding a strategy meeting",
    "investigation": "Criminal investigation",
    "alert_triage": "Triage of a missed-opportunity alert",
    "match_review": "Checking a possible record match",
    "data_quality": "Correcting the data an agency sent",
}


def is_restricted_handling(scheme: str | None, handling: str | None) -> bool:
    """Handling codes that carry conditions on sharing.

    3x5x2: ``C`` (permitted with conditions). 5x5x5: ``4`` and ``5`` (originator's
    conditions; no dissemination without the originator's agreement).
    """
    if not handling:
        return False
    code = handling.strip().upper()
    if (scheme or "3x5x2") == "5x5x5":
        return code in {"4", "5"}
    return code == "C"


class AccessDenied(Exception):
    """Refused by policy; the reason is safe to show and is written to the audit log."""


@dataclass(frozen=True)
class Principal:
    """An authenticated user as the services see them."""

    user_id: int
    username: str
    role: Role
    areas: frozenset[str] = field(default_factory=frozenset)
    all_areas: bool = False
    display_name: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return ROLE_PERMISSIONS.get(self.role, frozenset())

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise AccessDenied(f"role {self.role} may not {permission}")

    @property
    def identifiable(self) -> bool:
        """Whether this user may ever receive names, dates of birth, postcodes, free text."""
        return self.role in IDENTIFIABLE_ROLES

    def in_scope(self, area: str | None) -> bool:
        return self.all_areas or (area is not None and area in self.areas)

    def any_in_scope(self, areas: set[str] | frozenset[str] | list[str]) -> bool:
        return self.all_areas or bool(self.areas.intersection(areas))

    def require_scope(self, areas: set[str] | frozenset[str] | list[str]) -> None:
        if not self.any_in_scope(areas):
            raise AccessDenied("outside your areas")

    def scope_filter(self) -> frozenset[str] | None:
        """Areas to filter on, or ``None`` for every area."""
        return None if self.all_areas else self.areas


def require_purpose(purpose: str | None) -> str:
    """A stated, known purpose; anything else refuses the read."""
    if not purpose or purpose not in PURPOSES:
        raise AccessDenied("state a purpose to open an identifiable record")
    return purpose
