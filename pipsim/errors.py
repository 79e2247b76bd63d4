"""Errors the command line reports in one line (shared by `pipsim.cli` and its subcommands)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input the user can fix: reported in one line, exit status 2."""
