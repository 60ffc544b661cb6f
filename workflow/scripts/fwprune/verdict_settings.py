"""config.yaml's `verdicts` section: its one declaration of defaults (`Settings`), which the
workflow's schema takes (`config_schema`) as it takes each method's declared settings. No
scipy here: the Snakefile imports it when it validates the config."""

import copy
import dataclasses
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Settings:
    """config.yaml's `verdicts` section (its comments say why these values)."""

    alpha: float = 0.05
    equivalence_margin: float = 0.005
    collapsed_below: float = 0.2

    @classmethod
    def of(cls, settings: "Mapping | Settings | None") -> "Settings":
        """Settings from the config section (None: the defaults); unknown keys are refused."""
        if settings is None:
            return cls()
        if isinstance(settings, Settings):
            return settings
        unknown = set(settings) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown verdict settings: {sorted(unknown)}")
        made = cls(**settings)
        if not 0 < made.alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), not {made.alpha}")
        if made.equivalence_margin < 0:
            raise ValueError(f"equivalence_margin must be >= 0, not {made.equivalence_margin}")
        return made


def config_schema(schema: dict) -> dict:
    """The workflow's config `schema` with `Settings`'s defaults in its `verdicts` section."""
    schema = copy.deepcopy(schema)
    properties = schema["properties"]["verdicts"]["properties"]
    for field in dataclasses.fields(Settings):
        properties[field.name]["default"] = field.default
    return schema
