"""One module per rule set, behind the one interface of ``base.RuleSet``."""

from __future__ import annotations

from functools import cache

from calendars.due import ComputeError
from calendars.rulesets.base import RuleSet

_MODULES = {
    "frcp": ("calendars.rulesets.federal", "Federal"),
    "frap": ("calendars.rulesets.federal", "Appellate"),
    "frcrp": ("calendars.rulesets.federal", "Criminal"),
    "frbp": ("calendars.rulesets.bankruptcy", "Bankruptcy"),
    "tax": ("calendars.rulesets.tax_court", "TaxCourt"),
    "rcfc": ("calendars.rulesets.federal_claims", "FederalClaims"),
    "california": ("calendars.rulesets.california", "California"),
    "new-jersey": ("calendars.rulesets.new_jersey", "NewJersey"),
    "new-york": ("calendars.rulesets.new_york", "NewYork"),
    "texas": ("calendars.rulesets.texas", "Texas"),
    "florida": ("calendars.rulesets.florida", "Florida"),
    "texas-appellate": ("calendars.rulesets.texas_appellate", "TexasAppellate"),
    "california-appellate": ("calendars.rulesets.california_appellate", "CaliforniaAppellate"),
    "florida-appellate": ("calendars.rulesets.florida_appellate", "FloridaAppellate"),
}

RULESET_IDS = tuple(_MODULES)


@cache
def get_ruleset(ruleset_id: str) -> RuleSet:
    """The rule set with this id (one shared instance: it caches its courts' holidays)."""
    import importlib

    try:
        module_name, class_name = _MODULES[ruleset_id]
    except KeyError:
        raise ComputeError(
            f"unknown rule set '{ruleset_id}'; known: {', '.join(_MODULES)}"
        ) from None
    cls = getattr(importlib.import_module(module_name), class_name)
    instance: RuleSet = cls()
    return instance
