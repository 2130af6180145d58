"""An SEO and structured-data site auditor.

Public API::

    from audit import load_config, run_audit
    outcome = run_audit(load_config(Path("config.yaml")))

Names are imported on first use, so ``audit check`` on a local file does not
pay for the crawler (httpx) or the reporting layer (pandas).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "AuditConfig": "audit.config",
    "AuditError": "audit.errors",
    "ConfigError": "audit.errors",
    "Engine": "audit.engine",
    "FetchResult": "audit.models",
    "Finding": "audit.models",
    "Page": "audit.page",
    "PageSummary": "audit.models",
    "RunOutcome": "audit.runner",
    "Severity": "audit.models",
    "load_config": "audit.config",
    "run_audit": "audit.runner",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'audit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
