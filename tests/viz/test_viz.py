"""The trainers' view without a browser: its figures, words, models, layout and command line.

The browser itself is exercised in test_browser.py; these run in a second.
"""

from __future__ import annotations

import re
import socket

import numpy as np
import pytest

from pipsim.cli import main
from pipsim.rules.measures import STRONG_TIE
from pipsim.viz import components

pytest.importorskip("solara", reason="pipsim viz needs Solara: pip install -e '.[viz]'")

from pipsim.viz import app  # noqa: E402  (needs Solara)


def run(months: int = 0, **settings) -> app.OneRun:
    model = app.OneRun(**settings)
    for _ in range(months):
        model.step()
    return model


def test_the_panels_draw_a_run_at_any_month_as_html() -> None:
    for model in (run(0), run(7, typology="horizontal network"), run(40, project_months=24)):
        assert components.network_html(model).startswith('<svg class="pv-network"')
        for chart in (components.trust_chart_html, components.participation_chart_html):
            drawn = chart([model])
            assert drawn.startswith('<div class="pv-chart">')
            assert "<polyline" in drawn or model.steps == 0
            assert 'class="pv-tick"' in drawn  # tick labels are DOM text, sized by CSS


def test_compare_overlays_runs_and_draws_b_on_a_layout() -> None:
    pair = app.Comparison(seed=2)
    for _ in range(8):
        pair.step()
    chart = components.trust_chart_html([pair.a, pair.b])
    assert chart.count("<polyline") == 2 and 'stroke-dasharray="10 7"' in chart
    components.network_html(pair.b, layout_of=pair.a)
    assert getattr(pair.b, components.LAYOUT_ATTRIBUTE, None) is None  # A's layout, not its own


def test_the_network_layout_is_kept_per_model_and_moves_month_by_month() -> None:
    model, other = run(3), run(3)
    first = components.network_positions(model)
    assert components.network_positions(model) is first  # a second render: the same layout
    assert components.network_positions(other) is not first  # another session's own layout
    model.step()
    moved = components.network_positions(model)
    assert set(moved) >= set(range(model.n))
    shift = np.mean([np.linalg.norm(moved[i] - first[i]) for i in range(model.n)])
    assert 0 < shift < 0.5  # it relaxes from where it was rather than jumping


def test_only_strong_ties_are_drawn_as_the_model_counts_them() -> None:
    model = run(10)
    threshold = STRONG_TIE  # the one threshold: the model's strong_ties count it too
    members = model.participating()
    for a, b, strength in components.trust_ties(model):
        assert a < b
        assert strength == pytest.approx((model.trust[a, b] + model.trust[b, a]) / 2)
        assert strength >= threshold
        assert members[a] and members[b]
    drawn = len(components.trust_ties(model))
    strong = sum(
        (float(model.trust[a, b]) + float(model.trust[b, a])) / 2 >= STRONG_TIE
        for a in range(model.n)
        for b in range(a + 1, model.n)
        if members[a] and members[b]
    )
    assert drawn == strong


def test_the_event_log_shows_what_matters_newest_first_coloured_and_escaped() -> None:
    model = run(0)
    assert "Nothing notable yet" in components.event_log_html(model)
    model.event_log[:] = [(m, f"a technician left; <{m}> & more") for m in range(20)]
    model.event_log.append((20, "design validated with the firms: pilots can start"))
    model.event_log.append((21, "3 firms formed a collective project: joint marketing"))
    html = components.event_log_html(model)
    assert html.count("<li") == components.EVENTS_SHOWN
    assert "design validated" not in html  # not what a room needs
    assert html.index("Month 21") < html.index("Month 19") < html.index("Month 10")
    assert 'class="pv-good"><b>Month 21' in html and 'class="pv-bad"><b>Month 19' in html
    assert "&lt;19&gt; &amp; more" in html


@pytest.mark.parametrize(
    ("text", "tone"),
    [
        ("collective project (joint marketing) dissolved: the members fell out", "bad"),
        ("the public agency did not carry out an agreed action", "bad"),
        ("the project ended: the agency and its team left", "bad"),
        ("firms formalised a project on their own, without the agency", "good"),
        ("a demand shock hit the sector", None),
    ],
)
def test_events_are_told_good_or_bad(text: str, tone: str | None) -> None:
    assert components.event_tone(text) == tone


def test_the_status_and_settings_lines_say_where_the_run_stands() -> None:
    model = run(5, staff_turnover=0.3, seed=4)
    assert components.status_line(model).startswith("Month 5 of 60 · joint work")
    assert "of 120 firms taking part" in components.status_line(model)
    settings = components.settings_line(model)
    assert "staff turnover 30% a year" in settings and "seed 4" in settings


def test_the_page_model_takes_the_controls_and_nothing_else() -> None:
    model = app.OneRun(**{name: spec["value"] for name, spec in app.CONTROLS.items()})
    assert model.p.typology == "cluster" and model.seed == app.DEFAULT_SEED
    assert app.OneRun(typology="horizontal network").p.typology == "horizontal_network"
    with pytest.raises(TypeError):  # SolaraViz's reset must not slip a scenario through
        app.OneRun(scenario=None)
    same = app.OneRun(seed=3), app.OneRun(seed=3)
    assert np.array_equal(same[0].trust, same[1].trust)


@pytest.mark.parametrize("change", list(app.CONTRASTS))
def test_a_comparison_runs_the_same_firms_with_one_setting_changed(change: str) -> None:
    pair = app.Comparison(run_b=change, project_months=36, seed=2)
    a, b = pair.a.p.to_dict(), pair.b.p.to_dict()
    assert 1 <= sum(a[k] != b[k] for k in a) <= 1  # exactly one setting differs
    assert "→" in pair.differences()
    assert np.array_equal(pair.a.size_class, pair.b.size_class)  # the same firms
    for _ in range(3):
        pair.step()
    assert pair.a.steps == pair.b.steps == 3


def test_a_comparison_keeps_going_until_the_longer_run_ends() -> None:
    pair = app.Comparison(run_b="a project 12 months shorter", project_months=24)
    while pair.running:
        pair.step()
    assert pair.a.steps == pair.a.p.total_months
    assert pair.b.steps == pair.b.p.total_months < pair.a.steps


def test_the_comparison_refuses_an_unknown_change() -> None:
    with pytest.raises(ValueError, match="run_b="):
        app.Comparison(run_b="a new minister")


def test_the_header_says_month_and_phase_in_large_type() -> None:
    header = components.header_html(run(5))
    assert '<span class="pv-month">Month 5 of 60</span>' in header and "Joint work" in header


def test_viz_is_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--compare" in out and "127.0.0.1" in out


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_viz_refuses_a_bad_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz", "--port", port]) == 2
    assert "invalid port" in capsys.readouterr().err


def test_viz_says_when_the_port_is_taken(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["viz", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_presets_start_the_controls_where_the_command_line_put_them() -> None:
    from pipsim.viz import presets

    chosen = {"seed": 170, "typology": "vertical_network", "project_months": 22}
    controls = presets.apply(app.CONTROLS, {**chosen, "initial_trust": 0.2, "unknown": 1})
    assert controls["typology"]["value"] == "vertical network"
    assert controls["seed"]["value"] == 170 and controls["seed"]["max"] >= 170  # widened
    assert controls["project_months"]["value"] == 22
    assert controls["initial_trust"]["value"] == 0.2
    assert app.CONTROLS["seed"]["value"] == app.DEFAULT_SEED  # the page's own left alone
    model = app.OneRun(**{name: spec["value"] for name, spec in controls.items()})
    assert model.p.typology == "vertical_network" and model.p.project_months == 22


def test_a_preset_out_of_range_is_refused_before_serving(capsys) -> None:
    assert main(["viz", "--initial-trust", "1.5"]) == 2
    assert "initial_trust" in capsys.readouterr().err


def test_the_designer_answer_reads_the_chance_by_length_with_its_band() -> None:
    from pipsim.viz import designer

    settings = {"typology": "cluster", "initial_trust": 0.2}
    seen: list[tuple[int, int]] = []
    runs = designer.success_runs(settings, (24, 60), 10, lambda d, n: seen.append((d, n)))
    assert seen == [(1, 2), (2, 2)] and len(runs) == 20
    words = designer.answer_words(runs, settings, 24, 0.8)
    assert words.startswith("At 24 months the chance of meeting the whole log frame is")
    assert "binding target" in words
    chart = designer.chart_html(runs, 24, 0.8)
    assert "<polygon" in chart and "<polyline" in chart  # the band and the line
    with pytest.raises(ValueError, match="initial_trust"):
        designer.success_runs({"initial_trust": 2.0}, (24,), 2)


def test_the_designer_answer_draws_across_a_shipped_ensemble(tmp_path, monkeypatch) -> None:
    from pipsim.calibration import ensemble
    from pipsim.viz import designer

    path = tmp_path / "ensemble.csv"
    path.write_text("recruitment_rate,project_trust_threshold,weight\n0.05,0.6,1\n0.5,0.2,1\n")
    monkeypatch.setattr(ensemble, "shipped", lambda: path)
    settings = {"typology": "horizontal_network", "initial_trust": 0.3}
    runs = designer.success_runs(settings, (24, 60), 10)
    assert set(runs["member"]) <= {0, 1} and runs.groupby("seed")["member"].nunique().max() == 1
    words = designer.answer_words(runs, settings, 60, 0.8)
    assert "(runs: " in words and "with what we do not know about the parameters: " in words


def test_viz_refuses_compare_and_designer_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz", "--compare", "--designer", "--port", "1"]) == 2
    assert "--compare or --designer" in capsys.readouterr().err


def test_the_designer_levers_table_has_each_lever_with_its_chance() -> None:
    from pipsim.viz import designer

    settings = {"typology": "vertical_network", "initial_trust": 0.35}
    seen: list[str] = []
    chart, words, table = designer.compute_all(settings, 30, 10, seen.append)
    assert words.startswith("At 30 months the chance")
    rows = re.findall(r"<tr class='[^']*'>(.*?)</tr>", table)
    assert len(rows) == 7  # as designed, then the six levers of pipsim duration --months
    assert all(re.search(r"\d+%", row) for row in rows)
    assert "initial trust 0.35 → 0.55" in table and "no staff turnover" in table
    assert any("levers" in s for s in seen) and any("lengths done" in s for s in seen)
    assert designer.total_runs(10, 30) == (len(designer.LENGTHS) + 1 + 7) * 10


def test_the_designer_page_starts_from_the_command_line_presets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipsim.viz import designer

    monkeypatch.setattr(designer, "PRESETS", {"project_months": 22, "initial_trust": 0.4})
    assert designer._preset("project_months", 36) == 22
    assert designer._preset("staff_turnover", 0.15) == 0.15


def test_the_designer_page_says_how_long_only_when_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipsim.viz import designer

    assert designer.duration_note(40) == ""  # 560 runs: a second or two
    monkeypatch.setattr(designer, "SECONDS_PER_RUN", 0.01)
    assert designer.duration_note(200) == "2800 runs take about 28 s."


def test_the_designer_chart_and_levers_share_their_runs_at_the_planned_length() -> None:
    from pipsim.analysis import duration
    from pipsim.viz import designer

    settings = {"typology": "vertical_network", "initial_trust": 0.35}
    runs = designer.success_runs(settings, (30,), 20)  # 30: not one of the page's lengths
    answer = designer.lever_answer(settings, 30, 20)
    chart = duration.success_by_length(runs)
    assert 0 < chart["probability"].iloc[0] < 1
    assert chart["probability"].iloc[0] == answer.levers["probability"].iloc[0]


def test_the_designer_reads_targets_and_firms_from_the_typology_preset() -> None:
    from pipsim.analysis import levers
    from pipsim.parameters import TYPOLOGY_PRESETS
    from pipsim.viz import designer

    vertical = TYPOLOGY_PRESETS["vertical_network"]
    p = designer.settings_parameters({"typology": "vertical_network"}, 30)
    assert p.target_participants == vertical["target_participants"]
    scenario = designer.lever_scenario({"typology": "vertical_network"}, 10)
    assert levers.parameters(scenario, 30).n_enterprises == vertical["n_enterprises"]
    assert designer.typology_firms("vertical_network") == vertical["n_enterprises"]
