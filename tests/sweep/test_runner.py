import json
import urllib.request

import pandas as pd
import pytest

from pipsim.sweep import files, results
from pipsim.sweep.runner import open_engine, run_sweep
from pipsim.sweep.scenario import parse_scenario
from tests.strategies import InterruptedAfter

SMALL = """
[scenario]
name = "small"
seed = 11
replications = 4
block_size = {block}
[model]
typology = "horizontal_network"
project_months = 18
post_project_months = 6
[sweep]
initial_trust = [0.1, 0.4]
staff_turnover = [0.0, 0.5]
[output]
time_series = {ts}
"""


def scenario(time_series=False, block=4, **changes):
    """The small sweep, ``block`` replications a block (1: each run its own block)."""
    text = SMALL.format(ts=str(time_series).lower(), block=block)
    return parse_scenario(text).replace(**changes)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep run in this process: what every other engine must reproduce."""
    out = tmp_path_factory.mktemp("inline")
    return run_sweep(scenario(time_series=True), out, workers=1, chunk_size=3, progress=False)


def test_rows_ids_and_design_values(reference):
    runs = reference.runs
    assert len(runs) == 16 and list(runs["run"]) == list(range(16))
    assert runs.groupby("point").size().tolist() == [4, 4, 4, 4]
    assert set(runs["initial_trust"]) == {0.1, 0.4} and set(runs["staff_turnover"]) == {0.0, 0.5}
    # each run is its block's seed and its place in the block: the 4 replicates of a point
    assert not runs.duplicated(["seed", "place"]).any()
    assert (runs.groupby("point")["seed"].nunique() == 1).all() and (runs["block_runs"] == 4).all()
    assert {"success", "sustained", "mean_trust", "participants"} <= set(runs.columns)


def test_timeseries_has_a_row_per_run_and_month(reference):
    series = reference.timeseries
    assert len(series) == 16 * (18 + 6 + 1)  # month 0 .. 24
    assert series.groupby("run")["month"].agg(list).map(lambda m: m == list(range(25))).all()


@pytest.mark.slow  # a process pool of forkserver workers takes seconds to start
def test_process_pool_equals_inline(reference, tmp_path):
    pooled = run_sweep(
        scenario(time_series=True), tmp_path, workers=2, chunk_size=3, progress=False
    )
    pd.testing.assert_frame_equal(pooled.runs, reference.runs)
    pd.testing.assert_frame_equal(pooled.timeseries, reference.timeseries)


def test_chunk_size_does_not_change_results(reference, tmp_path):
    other = run_sweep(scenario(time_series=True), tmp_path, workers=1, chunk_size=5, progress=False)
    pd.testing.assert_frame_equal(other.runs, reference.runs)


@pytest.mark.slow  # a local Dask cluster takes seconds to start
def test_dask_local_cluster_equals_inline(reference, tmp_path):
    pytest.importorskip("dask.distributed")
    dasked = run_sweep(
        scenario(time_series=True), tmp_path, workers=2, dask="local", chunk_size=3, progress=False
    )
    pd.testing.assert_frame_equal(dasked.runs, reference.runs)


@pytest.mark.slow  # a local Dask cluster takes seconds to start
def test_dask_local_serves_its_dashboard_on_this_machine():
    pytest.importorskip("dask.distributed")
    engine = open_engine(1, "local")
    try:
        assert engine.dashboard is not None
        assert engine.dashboard.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(engine.dashboard, timeout=10) as page:
            assert page.status == 200
    finally:
        engine.close()


def test_interrupted_sweep_resumes_to_the_same_rows(reference, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        run_sweep(
            scenario(time_series=True),
            tmp_path,
            executor=InterruptedAfter(2),
            workers=1,
            chunk_size=3,
            progress=False,
        )
    assert 0 < len(results.done_chunks(tmp_path)) < 6
    resumed = run_sweep(scenario(time_series=True), tmp_path, workers=1, progress=False)
    assert resumed.resumed_runs > 0 and resumed.runs_done_now < 16
    pd.testing.assert_frame_equal(resumed.runs, reference.runs)
    pd.testing.assert_frame_equal(resumed.timeseries, reference.timeseries)


def test_leftover_temporary_files_are_ignored_and_cleaned(reference, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        run_sweep(
            scenario(time_series=True),
            tmp_path,
            executor=InterruptedAfter(1),
            workers=1,
            chunk_size=3,
            progress=False,
        )
    # what a kill during a write leaves: a temporary file, recorded before it was made
    left = "runs/.chunk-000004.parquet.0badf00d.tmp"
    files._append(tmp_path, [{"path": "runs/chunk-000004.parquet", "tmp": left}])
    (tmp_path / left).write_bytes(b"half a file")
    (tmp_path / "runs" / ".my_notes.tmp").write_text("not pipsim's")  # left alone
    resumed = run_sweep(scenario(time_series=True), tmp_path, workers=1, progress=False)
    pd.testing.assert_frame_equal(resumed.runs, reference.runs)
    assert [p.name for p in tmp_path.rglob("*.tmp")] == [".my_notes.tmp"]


def test_edited_comments_and_description_resume_the_same_results(tmp_path):
    run_sweep(scenario(), tmp_path, workers=1, progress=False)
    text = scenario().text.replace("seed = 11", 'description = "new words"\nseed = 11  # kept')
    edited = parse_scenario("# a comment\n" + text)
    again = run_sweep(edited, tmp_path, workers=1, progress=False)
    assert again.runs_done_now == 0 and again.resumed_runs == 16


def test_another_design_is_refused_naming_what_changed(tmp_path):
    run_sweep(scenario(), tmp_path, workers=1, progress=False)
    other = scenario().replace(replications=5, sweep={"initial_trust": (0.1, 0.5)})
    with pytest.raises(results.ResultsError, match=r"another design.*replications 4 → 5") as err:
        run_sweep(other, tmp_path, workers=1, progress=False)
    assert "sweep.initial_trust [0.1, 0.4] → [0.1, 0.5]" in str(err.value)
    assert "sweep.staff_turnover" in str(err.value)  # an axis dropped
    replaced = run_sweep(other, tmp_path, workers=1, progress=False, overwrite=True)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["design_digest"] == other.design_digest and len(replaced.runs) == 10


def test_foreign_directory_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "thesis.tex").write_text("precious")
    for overwrite in (False, True):
        with pytest.raises(results.ResultsError, match="did not write") as err:
            run_sweep(scenario(), tmp_path, workers=1, progress=False, overwrite=overwrite)
        assert "pass --overwrite" not in str(err.value)
    assert (tmp_path / "thesis.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.tex"]


def test_manifest_records_versions_and_scenario(reference):
    manifest = json.loads((reference.out / "manifest.json").read_text())
    assert manifest["scenario_name"] == "small" and manifest["total_runs"] == 16
    assert manifest["versions"]["mesa"].startswith("3.5")
    assert manifest["finished"] is not None
    assert (reference.out / "scenario.toml").read_text() == scenario(time_series=True).text
