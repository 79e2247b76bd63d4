"""The sweep's figures for people: targets on the outcome boxes, the asked length marked."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from pipsim.analysis import duration, levers, stats
from pipsim.plots import sweep


@pytest.fixture(scope="module")
def runs():
    rng = np.random.default_rng(1)
    n = 30
    months = np.repeat([12, 24, 36], n)
    frame = pd.DataFrame(
        {
            "point": np.repeat([0, 1, 2], n),
            "project_months": months,
            "sales_growth": rng.normal(0.1, 0.05, 3 * n),
            "productivity_growth": rng.normal(0.02, 0.01, 3 * n),
            "firms_in_joint_projects": rng.integers(0, 10, 3 * n),
            "participants": rng.integers(5, 20, 3 * n),
            "mean_trust": rng.uniform(0.2, 0.5, 3 * n),
            "strong_ties": rng.integers(0, 20, 3 * n),
            "target_sales_growth": 0.05,
            "target_productivity_growth": 0.10,
            "target_firms_in_joint_projects": 6,
            "target_participants": 10,
        }
    )
    frame["success"] = rng.random(3 * n) < months / 40
    for flag in ("met_sales", "met_productivity", "met_joint_projects", "met_participants"):
        frame[flag] = frame["success"]
    frame["sustained"] = frame["success"]
    return frame


def gids(fig):
    return [a.get_gid() for a in fig.findobj() if a.get_gid()]


def test_outcome_boxes_include_productivity_and_carry_every_target(runs):
    fig = sweep.distributions(runs, "project_months", "outcomes", asked=22)
    labels = [ax.get_ylabel().replace("\n", " ") for ax in fig.axes]
    assert any("productivity growth" in label for label in labels)
    found = set(gids(fig))
    for name in ("sales_growth", "productivity_growth", "firms_in_joint_projects", "participants"):
        assert f"target:{name}" in found
    line = next(a for a in fig.findobj() if a.get_gid() == "target:productivity_growth")
    assert set(line.get_ydata()) == {0.10}  # at the target's value
    marks = [a for ax in fig.axes for a in ax.lines if a.get_gid() == sweep.MARK_GID]
    assert len(marks) == 6  # every panel over length
    assert 1 < marks[0].get_xdata()[0] < 2  # 22 months: between the 12 and 24 boxes


def test_every_figure_over_length_marks_the_asked_length(runs):
    prob = stats.probabilities(runs, ["project_months"])
    curve = sweep.success_curve(prob, "project_months", "odds", asked=22)
    answer = duration.analyse(runs, 0.5, draws=50)
    for fig in (curve, duration.figure(answer, 22)):
        marks = [a for ax in fig.axes for a in ax.lines if a.get_gid() == sweep.MARK_GID]
        assert len(marks) == 1 and marks[0].get_xdata()[0] == 22


def test_no_label_is_clipped_or_overlaps_the_next_panel(runs):
    fig = sweep.distributions(runs, "project_months", "outcomes", asked=22)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    page = fig.bbox
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    for box in boxes:
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1
    for a, b in zip(boxes, boxes[1:], strict=False):  # neighbours in a row do not overlap
        if abs(a.y0 - b.y0) < 5:
            assert a.x1 <= b.x0 + 1


def test_no_text_is_cut_off_at_the_figures_edges(runs):
    long = "productivity growth 10% → 3.6%, firms in joint projects 25 firms → 10 firms, sales"
    table = pd.DataFrame(
        {
            "label": ["as designed", "lower targets"],
            "setting": ["the scenario's own settings", long + " growth 15% → 9.0%"],
            "probability": [0.0, 0.18],
            "lower": [0.0, 0.09],
            "upper": [0.09, 0.32],
        }
    )
    answer = duration.analyse(runs, 0.5, draws=50)
    figures = [
        levers.figure(table, 22, 0.8),
        sweep.distributions(runs, "project_months", "outcomes", asked=22),
        duration.figure(answer, 22),
    ]
    for fig in figures:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        drawn, page = fig.get_tightbbox(renderer), fig.bbox_inches  # what is drawn, the page
        assert page.x0 - 0.02 <= drawn.x0 and drawn.x1 <= page.x1 + 0.02, fig.get_suptitle()
        assert page.y0 - 0.02 <= drawn.y0 and drawn.y1 <= page.y1 + 0.02, fig.get_suptitle()


def test_an_asked_length_outside_the_sweep_is_still_marked_where_it_stands(runs):
    values = np.array([12.0, 24.0, 36.0])
    assert sweep.box_position(18, values) == 1.5
    assert sweep.box_position(6, values) == 0.5 and sweep.box_position(48, values) == 4.0
    fig = sweep.distributions(runs, "project_months", "outcomes", asked=48)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] >= 4.0  # in view
