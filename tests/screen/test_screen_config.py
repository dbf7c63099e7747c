"""The screening configuration: packaged file valid, bad files refused in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lantern.contract import vocabulary
from lantern.screen.config import ConfigError, load_config, parse_config


def raw() -> dict[str, Any]:
    text = (Path(__file__).parents[2] / "lantern/screen/screening.yaml").read_text()
    return yaml.safe_load(text)


def test_packaged_config_is_versioned_and_covers_every_child_indicator() -> None:
    config = load_config()
    assert config.version
    assert set(config.indicators) == set(vocabulary().child_indicators)
    # SERAF: a significant sign weighs 5 when recent, less when older; moderate weighs 1.
    assert config.weight("older_associates", recent=True) == 5
    assert config.weight("older_associates", recent=False) < 5
    assert config.weight("missing_from_home", recent=True) == 1
    assert config.is_decisive("disclosure") and config.is_decisive("cse_concern")
    assert config.levels.high_distinct_signs == 3
    assert config.missed.window_days == 30


def test_a_missing_indicator_is_named() -> None:
    data = raw()
    del data["indicators"]["pregnancy"]
    with pytest.raises(ConfigError, match=r"pregnancy.*no category"):
        parse_config(data)


def test_an_unknown_category_is_named() -> None:
    data = raw()
    data["indicators"]["pregnancy"]["category"] = "severe"
    with pytest.raises(ConfigError, match=r"indicators\.pregnancy: unknown category 'severe'"):
        parse_config(data)


def test_thresholds_must_be_ordered_and_typed() -> None:
    data = raw()
    data["levels"]["medium_score"] = 20
    with pytest.raises(ConfigError, match="medium_score must be below high_score"):
        parse_config(data)
    data = raw()
    data["recent_days"] = "six months"
    with pytest.raises(ConfigError, match=r"^screening.yaml: recent_days: "):
        parse_config(data)


def test_unknown_keys_and_bad_files_give_one_line(tmp_path: Path) -> None:
    data = raw()
    data["levels"]["hihg_score"] = 3
    with pytest.raises(ConfigError, match="levels.hihg_score") as caught:
        parse_config(data)
    assert "\n" not in str(caught.value)
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as caught:
        load_config(broken)
    assert "\n" not in str(caught.value)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")
