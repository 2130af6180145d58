"""Google Search feature rules, driven by the data file audit/structured/google_features.yaml."""

from __future__ import annotations

from audit.rules.google import (
    google_feature_retired,
    google_recommended_missing,
    google_required_missing,
)

MODULES = (google_required_missing, google_recommended_missing, google_feature_retired)
