"""Every command module imports on its own, is listed once, and adds the subcommand it names."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys

import pytest

import pipsim.cli
from pipsim.cli import COMMANDS, build_parser

SHARED = {"common", "model_options", "from_results", "runlog"}  # helpers, not commands
MODULES = sorted(m.name for m in pkgutil.iter_modules(pipsim.cli.__path__) if m.name not in SHARED)
ENGINE_OPTIONS = ("--out", "--workers", "--dask", "--overwrite", "--no-progress")


@pytest.mark.parametrize("name", MODULES)
def test_every_command_module_imports(name):
    assert callable(importlib.import_module(f"pipsim.cli.{name}").add)


IMPORT_ALONE = """
import importlib, sys
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "pipsim" or m.startswith("pipsim.")]:
        del sys.modules[loaded]  # pipsim afresh each time; numpy, pandas, Mesa stay loaded
    assert callable(importlib.import_module("pipsim.cli." + name).add), name
"""


def test_every_command_module_imports_alone():
    """Each first of all pipsim's modules, so that an import circle cannot hide behind another."""
    subprocess.run([sys.executable, "-c", IMPORT_ALONE, *MODULES], check=True)


def test_every_command_module_is_listed_once():
    listed = [m.__name__.rsplit(".", 1)[1] for m in COMMANDS]
    assert sorted(listed) == MODULES
    assert len(set(listed)) == len(listed)


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_each_module_adds_the_command_it_is_named_after():
    names = set(_subparsers())
    assert {m.replace("_", "-") for m in MODULES} == names
    for name in MODULES:
        module = importlib.import_module(f"pipsim.cli.{name}")
        assert module.__doc__, name


@pytest.mark.parametrize("command", ["run", "sensitivity", "duration"])
def test_sweep_commands_share_the_engine_options(command):
    parsers = _subparsers()
    reference = {a.option_strings[0]: a.help for a in parsers["run"]._actions if a.option_strings}
    found = {a.option_strings[0]: a.help for a in parsers[command]._actions if a.option_strings}
    for option in ENGINE_OPTIONS:
        assert found[option] == reference[option], (command, option)
