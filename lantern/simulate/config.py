"""The world's parameters and their calibration (sources in docs/simulation.md)."""

from __future__ import annotations

from dataclasses import dataclass

# England: about 12 million children aged 0-17 in about 150 local authorities (ONS mid-year
# estimates; DfE lists 153 LAs). ``scale`` multiplies the number of children.
ENGLAND_CHILDREN = 12_000_000
ENGLAND_AREAS = 150
AREAS_PER_FORCE = 3.5  # 43 police forces (39 in England) over ~150 LAs

# True victims of group-based CSE active in a year, per 10,000 children, nationally.
# Children in Need census 2024/25: 12,120 assessments with CSE as a factor (~10 per 10,000);
# the simulated agencies identify about 60% of true victims, so ~17 per 10,000 are true.
VICTIMS_PER_10K = 17.0
# Areas' prevalence multipliers: lognormal spread, plus a few areas far above the rest.
AREA_SPREAD_SIGMA = 0.35
HOT_AREA_SHARE = 0.04
HOT_AREA_FACTOR = 4.0

# Children with ordinary safeguarding-relevant contact (a fixed cohort "known to services")
# and the chance, per year, that each agency's extract holds such a child.
KNOWN_CHILD_SHARE = 0.035
ORDINARY_CONTACT = {
    "police": 0.22,
    "social_care": 0.45,
    "health": 0.20,
    "education": 0.35,
    "voluntary": 0.06,
}
# Hard negatives: warning signs but no exploitation (16,500 high-risk children a year,
# Children's Commissioner 2012, most of them not confirmed victims).
HARD_NEGATIVE_SHARE = 0.0018
FALSE_CONCERN_RATE = 0.02  # hard negatives wrongly recorded as CSE victims once

# Offender groups (CEOP 2012: 2-25 suspects; issue: 1-15 victims, median ~3).
GROUP_OFFENDERS = (2, 25, 4.0, 0.6)  # min, max, median, lognormal sigma
GROUP_VICTIMS = (1, 15, 3.0, 0.7)
CROSS_AREA_SHARE = 0.15
HIERARCHICAL_SHARE = 0.4  # the rest are flat networks with no single ringleader
VICTIM_GIRL_SHARE = 0.67  # about two thirds girls
VICTIM_AGE_P = {11: 0.04, 12: 0.08, 13: 0.2, 14: 0.25, 15: 0.23, 16: 0.15, 17: 0.05}
VICTIM_MISSING_SHARE = 0.5  # about half of exploited children go missing

# Agency visibility of a victim in a year: logit(p_seen) = base + SLOPE * z, z ~ N(0, 1)
# per victim (the same z for every agency: correlated, heterogeneous capture).
VISIBILITY_SLOPE = 1.2
SEEN_BASE = {
    "police": -0.1,
    "social_care": 0.1,
    "health": -0.7,
    "education": -0.4,
    "voluntary": -1.4,
}
IDENTIFY_GIVEN_SEEN = {
    "police": 0.5,
    "social_care": 0.6,
    "health": 0.3,
    "education": 0.25,
    "voluntary": 0.65,
}
AGENCY_TYPES = ("police", "social_care", "health", "education", "voluntary")
AGENCY_PREFIX = {
    "police": "P",
    "social_care": "S",
    "health": "H",
    "education": "E",
    "voluntary": "V",
}


@dataclass(frozen=True)
class NoiseProfile:
    """How one agency type records a person (probabilities per record)."""

    duplicate: float
    dob_missing: float
    dob_partial: float
    dob_swap: float
    dob_off: float
    nickname: float
    typo: float
    middle: float
    sex_blank: float
    address: float
    postcode: float
    phone: float
    email: float
    nhs: float
    upn: float
    ethnicity: float


NOISE = {
    "police": NoiseProfile(
        0.04, 0.08, 0.05, 0.02, 0.03, 0.15, 0.05, 0.2, 0.03, 0.6, 0.6, 0.35, 0.0, 0.0, 0.0, 0.6
    ),
    "social_care": NoiseProfile(
        0.03, 0.02, 0.01, 0.01, 0.02, 0.05, 0.03, 0.5, 0.01, 0.9, 0.9, 0.4, 0.05, 0.4, 0.15, 0.85
    ),
    "health": NoiseProfile(
        0.02, 0.0, 0.0, 0.005, 0.01, 0.03, 0.03, 0.7, 0.0, 0.95, 0.95, 0.6, 0.05, 0.95, 0.0, 0.7
    ),
    "education": NoiseProfile(
        0.01, 0.0, 0.0, 0.005, 0.005, 0.02, 0.02, 0.6, 0.0, 0.95, 0.95, 0.3, 0.1, 0.0, 0.98, 0.9
    ),
    "voluntary": NoiseProfile(
        0.05, 0.4, 0.2, 0.03, 0.05, 0.3, 0.08, 0.05, 0.1, 0.3, 0.3, 0.5, 0.2, 0.0, 0.0, 0.3
    ),
}

ETHNICITY_CODES = (
    "W1",
    "W2",
    "W3",
    "W9",
    "M1",
    "M2",
    "M3",
    "M9",
    "A1",
    "A2",
    "A3",
    "A4",
    "A9",
    "B1",
    "B2",
    "B9",
    "O1",
    "O9",
)
# Roughly England 2011 shares; assigned independently of every other attribute.
ETHNICITY_P = (
    0.78,
    0.01,
    0.001,
    0.04,
    0.008,
    0.003,
    0.006,
    0.005,
    0.026,
    0.021,
    0.008,
    0.007,
    0.015,
    0.018,
    0.011,
    0.005,
    0.01,
    0.014,
)


@dataclass(frozen=True)
class WorldConfig:
    """What ``lantern simulate`` was asked for."""

    scale: float = 0.02
    areas: int | None = None
    seed: int = 0
    years: tuple[int, ...] = (2012, 2013)
    bad_rows: float = 0.0
    prevalence: float = 1.0  # multiplies VICTIMS_PER_10K (tiny test worlds raise it)

    @property
    def n_areas(self) -> int:
        if self.areas is not None:
            return max(1, self.areas)
        return max(2, round(ENGLAND_AREAS * self.scale))

    @property
    def total_children(self) -> int:
        return max(1000 * self.n_areas, round(ENGLAND_CHILDREN * self.scale))
