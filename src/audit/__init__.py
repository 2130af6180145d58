"""An SEO and structured-data site auditor.

Public API::

    from audit import load_config, run_audit
    outcome = run_audit(load_config(Path("config.yaml")))
"""

from __future__ import annotations

__version__ = "0.1.0"

from audit.config import AuditConfig, load_config
from audit.errors import AuditError, ConfigError
from audit.models import FetchResult, Finding, PageSummary, Severity
from audit.runner import RunOutcome, run_audit

__all__ = [
    "AuditConfig",
    "AuditError",
    "ConfigError",
    "FetchResult",
    "Finding",
    "PageSummary",
    "RunOutcome",
    "Severity",
    "__version__",
    "load_config",
    "run_audit",
]
