"""Google Search feature rules, driven by the data file audit/structured/google_features.yaml."""

from __future__ import annotations

MODULES = ()
