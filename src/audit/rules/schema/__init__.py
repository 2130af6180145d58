"""schema.org vocabulary rules: unknown terms, domains, ranges, superseded terms, value formats."""

from __future__ import annotations

from audit.rules.schema import (
    schema_enum_value,
    schema_invalid_date,
    schema_invalid_url,
    schema_property_domain,
    schema_superseded,
    schema_unknown_property,
    schema_unknown_type,
    schema_value_type,
)

MODULES = (
    schema_unknown_type,
    schema_unknown_property,
    schema_property_domain,
    schema_value_type,
    schema_superseded,
    schema_enum_value,
    schema_invalid_date,
    schema_invalid_url,
)
