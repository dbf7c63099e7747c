"""The Splink 5 person-linkage model: comparisons, blocking, unsupervised training, scoring.

Training is unsupervised (random-sampling u, then EM) and never blocks on postcode or
address: those blocks are dominated by households, where EM learns that a shared address
outweighs a different forename (the sibling/twin trap). The m-probability of "different
forename" is fixed for the same reason. Ethnicity is not a column here at all.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from lantern.resolve.backends import database_api, dialect_of, register
from lantern.resolve.features import ARRAY_COLUMNS, FEATURE_COLUMNS
from lantern.resolve.households import has_households

MODEL_VERSION = "lantern-person-v2"
logging.getLogger("splink").setLevel(logging.WARNING)


def _null_or_empty(column: str) -> cll.NullLevel:
    return cll.NullLevel(column)


def _fixed_m(m: float) -> dict[str, Any]:
    """An m-probability set from what is known rather than learnt (EM rarely sees the
    level: street names are recorded on few records, and never in its training blocks)."""
    return {"m_probability": m, "fix_m_probability": True}


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
            cll.And(
                cll.AbsoluteDateDifferenceLevel("dob", threshold=367, metric="day",
                                                input_is_string=True),
                cll.Not(cll.AbsoluteDateDifferenceLevel("dob", threshold=362, metric="day",
                                                        input_is_string=True)),
            ).configure(label_for_charts="a year out (within a day or two)"),
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

    alias = cl.CustomComparison(
        output_column_name="alias",
        comparison_description="street names and other aliases recorded",
        comparison_levels=[
            cll.NullLevel("alias_keys"),
            cll.ExactMatchLevel("alias1", term_frequency_adjustments=True).configure(
                label_for_charts="same alias", **_fixed_m(0.8)),
            cll.ArrayIntersectLevel("alias_keys", 1).configure(
                label_for_charts="an alias shared", **_fixed_m(0.1)),
            cll.ElseLevel().configure(**_fixed_m(0.1)),
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
    area = cl.CustomComparison(
        output_column_name="area",
        comparison_description="the area of the agency that recorded each record",
        comparison_levels=[cll.NullLevel("area"), cll.ExactMatchLevel("area"), cll.ElseLevel()],
    )
    return [
        forename, surname, dob, sex, residence, area, alias,
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
        # Any shared name variant (a nickname, a middle or alias forename) with the
        # surname, with the surname's sound and the birth year, or with the date of birth:
        # "Steph Simth" (1996) meets "Stephen Smith" (1996-04-21).
        block_on("forename_keys", "surname", arrays_to_explode=["forename_keys"]),
        block_on("forename_keys", "surname_sx", "dob_year", arrays_to_explode=["forename_keys"]),
        block_on("forename", "surname_sx"),
        block_on("surname", "dob"),
        block_on("forename_keys", "dob", arrays_to_explode=["forename_keys"]),
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


# --------------------------------------------------------------------------- training


@dataclass
class TrainedModel:
    """A Splink model as JSON, with the version of Lantern's settings it came from."""

    settings: dict[str, Any]
    version: str = MODEL_VERSION
    households: bool = True  # the data holds families: the household guard applies

    def to_json(self) -> str:
        return json.dumps({"lantern_model": self.version, "households": self.households,
                           "splink": self.settings}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> TrainedModel:
        data = json.loads(text)
        return cls(settings=data["splink"], version=data.get("lantern_model", "?"),
                   households=bool(data.get("households", True)))

    def fresh_settings(self) -> dict[str, Any]:
        """A copy Splink may mutate (it stamps a linker uid on it)."""
        result = copy.deepcopy(self.settings)
        result.pop("linker_uid", None)
        return result


def train(
    features: pd.DataFrame,
    *,
    backend: str = "duckdb",
    seed: int = 42,
    max_pairs_u: float = 2e6,
    max_pairs_em: float | None = 5e6,
    households: bool | None = None,
    **backend_options: Any,
) -> TrainedModel:
    """Estimate the model without labels: prior from sure rules, u by sampling, m by EM.

    ``households`` None detects from the data whether records come from families.
    """
    with database_api(backend, **backend_options) as db_api:
        table = register(db_api, features, "lantern_persons")
        return _train(table, features, seed=seed, max_pairs_u=max_pairs_u,
                      max_pairs_em=max_pairs_em, households=households)


def train_and_score(
    features: pd.DataFrame, *, floor: float = 0.05, backend: str = "duckdb",
    households: bool | None = None, **backend_options: Any,
) -> tuple[TrainedModel, pd.DataFrame]:
    """Train, then score every candidate pair, in one backend session (one load of data)."""
    with database_api(backend, **backend_options) as db_api:
        table = register(db_api, features, "lantern_persons")
        model = _train(table, features, households=households)
        linker = Linker(table, _settings_for_scoring(model, dialect_of(db_api)),
                        log_level=logging.ERROR)
        predictions = linker.inference.predict(
            threshold_match_probability=floor, warning_mode="never")
        return model, _pairs_frame(predictions, model)


def _train(table: Any, features: pd.DataFrame, *, seed: int = 42, max_pairs_u: float = 2e6,
           max_pairs_em: float | None = 5e6, households: bool | None = None) -> TrainedModel:
    families = has_households(features) if households is None else households
    linker = Linker(table, settings(households=families), log_level=logging.ERROR)
    training = linker.training
    with contextlib.suppress(ValueError):  # tiny or odd data: keep the default prior
        training.estimate_probability_two_random_records_match(
            [
                block_on("forename", "surname", "dob"),
                block_on("nhs_number"),
                block_on("upn"),
            ],
            recall=0.7,
        )
    training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
    for rule in (block_on("forename", "surname"), block_on("dob")):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=max_pairs_em
            )
        except Exception as exc:  # noqa: BLE001 - EM can fail on tiny blocks
            # Expected on a handful of records; on real volumes it leaves comparisons at
            # their starting values, which an operator must hear about.
            level = logging.INFO if len(features) < 1000 else logging.WARNING
            logging.getLogger(__name__).log(
                level, "EM on %s skipped (its comparisons keep their previous estimates): %s",
                rule.get_blocking_rule("duckdb").blocking_rule_sql, exc)
            # A failed session can leave the comparisons it blocked on out of the
            # settings: carry on from the model as it was before the session.
            before.pop("linker_uid", None)
            linker = Linker(table, before, log_level=logging.ERROR)
    return TrainedModel(settings=clamp(linker.misc.save_model_to_json()),
                        households=families)


def clamp(model: dict[str, Any], *, floor: float = 1e-3, u_floor: float = 1e-5
          ) -> dict[str, Any]:
    """Keep every trained m and u at or above ``floor`` (then renormalised), the prior in (0, 1).

    EM on clean blocks can drive an m-probability to 1e-30 ("true matches never have a
    different surname"), turning one recording error into -100 bits of evidence. A floor
    of 1e-3 caps any single field at about -10 bits, so other fields can still speak.
    """
    result = copy.deepcopy(model)
    # No deterministic pair at all (one agency, nobody recorded twice) estimates a prior of
    # 0, whose log is undefined: keep it inside (0, 1) so scoring still runs.
    prior = float(result.get("probability_two_random_records_match") or 0.0)
    result["probability_two_random_records_match"] = min(max(prior, 1e-9), 0.5)
    for comparison in result["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for key in ("m_probability", "u_probability"):
            known = [lv for lv in levels if lv.get(key) is not None]
            before = sum(float(lv[key]) for lv in known)
            lowest = floor if key == "m_probability" else u_floor
            raised = [max(float(lv[key]), lowest) for lv in known]
            after = sum(raised)
            for level, value in zip(known, raised, strict=True):
                level[key] = value * before / after  # same total mass as before
    return result


# --------------------------------------------------------------------------- scoring

GAMMAS = ["gamma_forename", "gamma_surname", "gamma_dob", "gamma_sex", "gamma_residence",
          "gamma_area", "gamma_alias", "gamma_phones", "gamma_emails", "gamma_nhs_number",
          "gamma_upn"]
PAIR_COLUMNS = ["unique_id_l", "unique_id_r", "match_weight", "match_probability", *GAMMAS]


def level_weights(model: TrainedModel) -> dict[str, list[tuple[str, float | None]]]:
    """Per comparison, its non-null levels (most specific first) and their base weights
    (None for a level never seen in training)."""
    result: dict[str, list[tuple[str, float | None]]] = {}
    for comparison in model.settings["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append((level.get("label_for_charts") or level["sql_condition"], weight))
        result[comparison["output_column_name"]] = levels
    return result


def _gammas(frame: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    """Splink 5 returns per-comparison weights (``mw_*``) rather than level numbers; the
    level is recovered from its weight, numbered as Splink numbers gammas (else = 0)."""
    for name, levels in level_weights(model).items():
        weights = frame.get(f"mw_{name}")
        gamma = np.full(len(frame), -1, dtype="int8")
        if weights is not None:
            values = weights.to_numpy(dtype=float)
            for i, (_label, weight) in enumerate(levels):
                if weight is None:
                    continue
                hit = np.isclose(values, weight, rtol=0, atol=1e-6) & (gamma == -1)
                gamma[hit] = len(levels) - 1 - i
        frame[f"gamma_{name}"] = gamma
    return frame


def _pairs_frame(splink_df: Any, model: TrainedModel) -> pd.DataFrame:
    frame = _gammas(splink_df.as_pandas_dataframe(), model)
    frame = frame.reindex(columns=PAIR_COLUMNS)
    frame["unique_id_l"] = frame["unique_id_l"].astype("int64")
    frame["unique_id_r"] = frame["unique_id_r"].astype("int64")
    low = frame[["unique_id_l", "unique_id_r"]].min(axis=1)
    high = frame[["unique_id_l", "unique_id_r"]].max(axis=1)
    frame["unique_id_l"], frame["unique_id_r"] = low, high
    return frame.reset_index(drop=True)


def for_dialect(model: TrainedModel, dialect: str) -> dict[str, Any]:
    """The trained parameters on settings rendered for ``dialect``.

    A model JSON carries SQL in the dialect it was trained in; rather than translate it,
    the comparisons are rebuilt for the target backend and the trained m, u and prior
    copied across level by level (the level order is Lantern's own, so it matches).
    """
    trained = model.fresh_settings()
    if trained.get("sql_dialect") == dialect:
        return trained
    rendered = settings(households=model.households).get_settings(dialect).as_dict()
    rendered["probability_two_random_records_match"] = trained[
        "probability_two_random_records_match"]
    for target, source in zip(rendered["comparisons"], trained["comparisons"], strict=True):
        for t_level, s_level in zip(target["comparison_levels"], source["comparison_levels"],
                                    strict=True):
            for key in ("m_probability", "u_probability"):
                if s_level.get(key) is not None:
                    t_level[key] = s_level[key]
    rendered.pop("linker_uid", None)
    return rendered


def _settings_for_scoring(model: TrainedModel, dialect: str) -> dict[str, Any]:
    result = for_dialect(model, dialect)
    result["retain_intermediate_calculation_columns"] = True  # gammas feed the guard
    result["retain_matching_columns"] = False
    return result


def score(
    features: pd.DataFrame,
    model: TrainedModel,
    *,
    new_ids: pd.Series | None = None,
    floor: float = 0.05,
    backend: str = "duckdb",
    **backend_options: Any,
) -> pd.DataFrame:
    """Scored candidate pairs at or above ``floor``.

    With ``new_ids``, only pairs involving a new record are scored (new against old, and
    new among themselves): the incremental path. Term frequencies always come from all
    the records, so a score does not depend on which path produced it.
    """
    with database_api(backend, **backend_options) as db_api:
        everything = register(db_api, features, "lantern_persons")
        linker = Linker(everything, _settings_for_scoring(model, dialect_of(db_api)),
                        log_level=logging.ERROR)
        if new_ids is None:
            predictions = linker.inference.predict(
                threshold_match_probability=floor, warning_mode="never"
            )
            return _pairs_frame(predictions, model)
        for column in ("forename", "surname", "postcode", "alias1"):
            linker.table_management.compute_tf_table(column)
        is_new = features["unique_id"].isin(set(new_ids))
        if not is_new.any():
            return pd.DataFrame(columns=PAIR_COLUMNS)
        new = register(db_api, features[is_new], "lantern_new")
        parts = [
            linker.inference.predict_within(
                new, threshold_match_probability=floor, warning_mode="never"
            )
        ]
        if (~is_new).any():
            old = register(db_api, features[~is_new], "lantern_old")
            parts.append(
                linker.inference.predict_between(
                    new, old, threshold_match_probability=floor, warning_mode="never"
                )
            )
        frames = [_pairs_frame(p, model) for p in parts]
        return pd.concat(frames, ignore_index=True).drop_duplicates(
            ["unique_id_l", "unique_id_r"]
        )


__all__ = [
    "ARRAY_COLUMNS", "FEATURE_COLUMNS", "MODEL_VERSION", "TrainedModel", "blocking_rules",
    "comparisons", "score", "settings", "train",
]
