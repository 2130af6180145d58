"""Exceptions the auditor raises on purpose, each with a message meant for a person.

```
AuditError                  base: the CLI prints str(error) on one line, never a traceback
├── ConfigError             config.yaml or a CLI flag has an unknown key, wrong type or bad value
├── CrawlAborted            the crawl stopped early (interrupt); what was collected is kept
└── VocabularyDownloadError a schema.org release could not be fetched or is not a release
```
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class: a problem with a message fit to show to a user as is."""


class ConfigError(AuditError):
    """The configuration is invalid; the message names the key, the value and the expectation."""


class CrawlAborted(AuditError):
    """The crawl was interrupted; the partial results are still written."""


class VocabularyDownloadError(AuditError):
    """A schema.org release could not be downloaded, or is not a release file."""
