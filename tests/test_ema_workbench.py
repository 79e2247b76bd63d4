"""The README's EMA Workbench block runs: PIPModel as an EMA model, outcomes as ScalarOutcomes."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).parent.parent / "README.md"


def readme_block() -> str:
    text = README.read_text()
    found = re.search(
        r"<!-- ema-workbench:begin -->\n```python\n(.*?)```\n<!-- ema-workbench:end -->", text, re.S
    )
    assert found, "README.md lacks the ema-workbench:begin/end block"
    return found.group(1)


@pytest.mark.slow
def test_readme_drives_pipmodel_from_ema_workbench():
    pytest.importorskip("ema_workbench")
    space: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA Workbench's own (ipyparallel is not installed)
        exec(compile(readme_block(), str(README), "exec"), space)  # noqa: S102
    experiments, outcomes = space["experiments"], space["outcomes"]
    assert len(experiments) == 6
    assert experiments["project_months"].between(18, 60).all()
    assert experiments["public_commitment"].between(0.2, 1.0).all()
    assert set(outcomes) == {"success", "trust_partners"}
    odds = np.asarray(outcomes["success"])
    assert odds.shape == (6,) and ((odds >= 0) & (odds <= 1)).all()
    # a mean over 4 seeds: a multiple of 1/4
    assert np.allclose(odds * 4, np.round(odds * 4))
    trust = np.asarray(outcomes["trust_partners"])
    assert ((trust > 0) & (trust < 1)).all()
