"""Leftover-markup rules: what a template, a build step or an editor left visible on the page."""

from __future__ import annotations

MODULES = ()
