"""The researchers' notebook runs from top to bottom, and shows what it says it shows."""

from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
NOTEBOOK = ROOT / "docs" / "notebooks" / "researcher.ipynb"


@pytest.mark.slow
def test_researcher_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the distributions and the envelopes
    text = "".join(o.get("text", "") for o in outputs)
    assert "happens in" in text or "happens in none" in text  # discovery, in words
    tables = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "samples_needed" in tables  # the Sobol' indices with their flags
