"""What the person-linkage model compares and how it blocks: Splink 5 settings.

Most specific level first in each comparison. Ethnicity is not a column here at all.
"""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on


def _null_or_empty(column: str) -> cll.NullLevel:
    return cll.NullLevel(column)


def comparisons(*, households: bool = True) -> list[Any]:
    """The comparisons, most specific level first in each.

    With ``households`` (the data holds families: siblings, twins), the m-probability of
    "different forename" is fixed low instead of learnt, so that EM cannot learn from
    family members that a different forename hardly matters.
    """
    different_forename = cll.ElseLevel().configure(label_for_charts="different forename")
    if households:
        different_forename = cll.ElseLevel().configure(
            label_for_charts="different forename", m_probability=0.01, fix_m_probability=True)
    # Forename and surname recorded the wrong way round (one of them may also be mistyped).
    swapped = "(forename_l = surname_r or surname_l = forename_r)"
    forename = cl.CustomComparison(
        output_column_name="forename",
        comparison_description="forename with nicknames, aliases and middle names",
        comparison_levels=[
            _null_or_empty("forename_keys"),
            cll.ExactMatchLevel("forename", term_frequency_adjustments=True),
            cll.CustomLevel(swapped, label_for_charts="forename and surname swapped"),
            cll.ArrayIntersectLevel("forename_keys", 1).configure(
                label_for_charts="nickname, alias or middle name"
            ),
            cll.Or(cll.JaroWinklerLevel("forename", 0.88),
                   cll.DamerauLevenshteinLevel("forename", 1)).configure(
                label_for_charts="forename mistyped"),
            different_forename,
        ],
    )
    surname = cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            _null_or_empty("surname_keys"),
            cll.ExactMatchLevel("surname", term_frequency_adjustments=True),
            cll.CustomLevel(swapped, label_for_charts="forename and surname swapped"),
            cll.ArrayIntersectLevel("surname_keys", 1).configure(
                label_for_charts="alias surname or part of a double-barrelled name"
            ),
            cll.JaroWinklerLevel("surname", 0.88),
            cll.ElseLevel(),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            _null_or_empty("dob_partial"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel("dob_swapped_l = dob_r", label_for_charts="day and month swapped"),
            cll.CustomLevel(
                "(dob_l is null or dob_r is null) and ("
                "substr(dob_partial_l, 1, length(dob_partial_r)) = dob_partial_r or "
                "substr(dob_partial_r, 1, length(dob_partial_l)) = dob_partial_l)",
                label_for_charts="partial date consistent",
            ),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="one digit differs"),
            cll.AbsoluteDateDifferenceLevel("dob", threshold=2, metric="day",
                                            input_is_string=True).configure(
                label_for_charts="a day or two out"),
            # The year mistyped (or the age worked back wrongly): same day, a year out.
            cll.CustomLevel(
                "substr(dob_l, 6, 2) = substr(dob_r, 6, 2) and "
                "abs(cast(substr(dob_l, 9, 2) as int) - cast(substr(dob_r, 9, 2) as int)) <= 1"
                " and abs(cast(substr(dob_l, 1, 4) as int) - cast(substr(dob_r, 1, 4) as int))"
                " = 1", label_for_charts="a year out", base_dialect_str="duckdb"),
            cll.ElseLevel(),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()],
    )
    residence = cl.CustomComparison(
        output_column_name="residence",
        comparison_description="postcode and address text together (one piece of evidence)",
        comparison_levels=[
            cll.CustomLevel(
                "(postcode_l is null or postcode_r is null) and "
                "(address_tokens_l is null or address_tokens_r is null)"
            ).configure(is_null_level=True),
            cll.And(cll.ExactMatchLevel("postcode"), cll.ExactMatchLevel("addr_key")).configure(
                label_for_charts="same postcode and house number"
            ),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
            cll.ExactMatchLevel("address").configure(label_for_charts="same address text"),
            cll.ArrayIntersectLevel("address_tokens", 5),
            cll.ArrayIntersectLevel("address_tokens", 3),
            cll.ExactMatchLevel("pc_sector"),
            cll.ElseLevel(),
        ],
    )

    middle = cl.CustomComparison(
        output_column_name="middle",
        comparison_description="first middle name (siblings often differ only here)",
        comparison_levels=[
            cll.NullLevel("middle"),
            cll.ExactMatchLevel("middle"),
            cll.JaroWinklerLevel("middle", 0.88),
            cll.ElseLevel().configure(label_for_charts="different middle name"),
        ],
    )
    alias = cl.CustomComparison(
        output_column_name="alias",
        comparison_description="street names and other aliases recorded",
        comparison_levels=[
            cll.NullLevel("alias_keys"),
            cll.ExactMatchLevel("alias1", term_frequency_adjustments=True).configure(
                label_for_charts="same alias"),
            cll.ArrayIntersectLevel("alias_keys", 1).configure(label_for_charts="an alias shared"),
            cll.ElseLevel(),
        ],
    )

    def identifier(column: str) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.NullLevel(column), cll.ExactMatchLevel(column), cll.ElseLevel()
            ],
        )

    def shared(column: str) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_levels=[
                cll.NullLevel(column), cll.ArrayIntersectLevel(column, 1), cll.ElseLevel()
            ],
        )

    phones = cl.CustomComparison(
        output_column_name="phones",
        comparison_description="a shared mobile is personal; a landline may be the family's",
        comparison_levels=[
            cll.NullLevel("phones"),
            cll.ArrayIntersectLevel("mobiles", 1).configure(label_for_charts="shared mobile"),
            cll.ArrayIntersectLevel("phones", 1).configure(label_for_charts="shared number"),
            cll.ElseLevel(),
        ],
    )
    return [
        forename, middle, surname, dob, sex, residence, alias,
        phones, shared("emails"), identifier("nhs_number"), identifier("upn"),
    ]


def blocking_rules() -> list[Any]:
    """Equi-join rules only (each scales as the sum of squared block sizes)."""
    return [
        block_on("nhs_number"),
        block_on("upn"),
        block_on("phone1"),
        block_on("email1"),
        block_on("forename", "surname"),
        block_on("name_key", "surname"),
        block_on("surname", "dob"),
        block_on("name_key", "dob"),
        block_on("dob", "postcode"),
        block_on("surname", "postcode"),
        block_on("name_key", "postcode"),
        block_on("forename", "addr_key"),
        block_on("surname", "addr_key"),
        block_on("name_key", "dob_year", "pc_district"),
        block_on("forename_sx", "surname_sx", "dob_year"),
        block_on("forename", "substr(surname, 1, 1)", "dob_year"),
        block_on("surname", "substr(forename, 1, 1)", "dob_year"),
        block_on("surname", "forename_sx"),
        block_on("substr(surname, 1, 2)", "addr_first"),
        block_on("alias1"),
        block_on("dob", "addr_first"),
        block_on("dob", "addr_last"),
        block_on("surname", "addr_last"),
        block_on("forename", "addr_last"),
        "l.dob_swapped = r.dob and l.name_key = r.name_key",
        "l.forename = r.surname and l.dob = r.dob",
    ]


def settings(*, households: bool = True,
             probability_two_random_records_match: float = 1e-4) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(households=households),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=probability_two_random_records_match,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=["agency"],
    )
