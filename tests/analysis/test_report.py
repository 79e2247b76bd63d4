"""`pipsim report`: one self-contained, well-formed HTML file of a result directory."""

import base64
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from pipsim.analysis import report_words
from pipsim.cli import main
from pipsim.sweep import files

SCENARIO = """# a small duration study for the report's tests
[scenario]
name = "report_test"
description = "Is <18 months> enough for a network of 20 firms & their chamber?"
seed = 5
replications = 4
[model]
typology = "horizontal_network"
post_project_months = 6
[sweep]
project_months = [12, 24, 36]
[targets]
sales_growth = 0.0
productivity_growth = 0.0
firms_in_joint_projects = 2
participants = 5
"""
VOID = {"meta", "img", "br", "hr", "link", "input"}


class Page(HTMLParser):
    """Checks that every element is closed in order; collects images and <pre> text."""

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.pre, self.tags = [], [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "pre":
            self.pre.append(data)


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """A finished duration run with its report (and a sensitivity-like table beside it)."""
    folder = tmp_path_factory.mktemp("report")
    path = folder / "report_test.toml"
    path.write_text(SCENARIO)
    out = folder / "out"
    common = ("--out", out, "--workers", "1", "--no-progress")
    months = ("--target", "0.5", "--months", "18")
    assert main(["duration", str(path), *months, *map(str, common)]) == 0
    noise = b"outcome,share_noise\nsuccess,0.25\n"
    files.write_bytes(out, out / "noise.csv", noise)  # as pipsim sensitivity writes it
    assert main(["report", str(out)]) == 0
    return out, (out / "report.html").read_text(encoding="utf-8")


def test_report_is_well_formed_html(reported):
    _, page = reported
    parser = Page()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert page.startswith("<!DOCTYPE html>")
    assert not parser.tags & {"script", "link", "iframe", "object"}


def test_every_figure_is_embedded_as_a_data_uri(reported):
    out, page = reported
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) >= 3  # duration, success and outcomes figures
    parser = Page()
    parser.feed(page)
    assert len(parser.images) == len(pngs) == page.count("data:image/png;base64,")
    embedded = {base64.b64decode(src.split(",", 1)[1]) for src in parser.images}
    assert embedded == {p.read_bytes() for p in pngs}
    for png in pngs:
        assert f"({png.name})</figcaption>" in page


def test_report_links_nothing_outside(reported):
    _, page = reported
    assert not re.search(r"https?://", page)
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:)""", page)


def test_report_holds_the_scenario_manifest_and_tables(reported):
    out, page = reported
    parser = Page()
    parser.feed(page)
    assert "".join(parser.pre) == SCENARIO  # the file, exactly, once unescaped
    assert "&lt;18 months&gt;" in page and "<18 months>" not in page  # escaped, not markup
    assert "report_test" in page and "The answer" in page
    assert "The shortest length reaching 50% is 12 months" in page
    headings = ("The chance at each project length", "The chance of meeting each target")
    for heading in (*headings, "Key outcomes", "Noise"):
        assert f"<h2>{heading}" in page
    digest = json.loads((out / "manifest.json").read_text())["scenario_digest"]
    assert digest in page and "total runs" in page
    assert "<td>success</td><td>0.25</td>" in page  # noise.csv's row


def test_report_of_a_folder_without_results_is_a_usage_error(tmp_path, capsys):
    status = main(["report", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "holds no pipsim results" in err and err.count("\n") == 1
    assert main(["report", str(tmp_path / "missing")]) == 2


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_first_box_is_the_designers_answer_in_percentages(reported):
    _, page = reported
    body = page[page.index("<body>") :]
    assert body.index('<div class="answer"') < body.index("<table")  # before anything else
    box = _text(body[body.index('<div class="answer"') : body.index("</div>")])
    assert "Is 18 months enough, and how long must the project be to meet the log frame" in box
    assert "with 50% probability?" in box
    assert re.search(
        r"At 18 months the chance of meeting the whole log frame is \d+% "
        r"\(95% interval \d+–\d+%\)\.",
        box,
    )
    assert re.search(r"The binding target is [a-z ]+ \(met in \d+% of runs; median ", box)
    assert "The shortest length reaching 50% is 12 months (95% interval" in box


def test_the_report_says_it_for_people(reported):
    _, page = reported
    text = _text(page[page.index("<body>") : page.index("Appendix")])
    assert "How long must the project be? report_test: project length from 12 to 36" in text
    assert "True" not in text and "False" not in text and "{" not in text
    cells = re.findall(r"<td>([^<]*)</td>", page[: page.index("Appendix")])
    assert not [c for c in cells if re.fullmatch(r"0\.\d{3,}", c)]  # no 0.003539
    assert re.search(r"<td>100% \(51–100%\)</td>", page)  # a chance with its interval
    assert "a venture still operating 6 months after the agency leaves" in text
    assert "at least 5 firms still taking part when the agency leaves" in text
    assert "horizon after the agency leaves: 6 months" in text  # assumptions in words
    levers = page[page.index('<table id="levers">') :]
    assert "initial trust 0.2 → 0.4" in levers[: levers.index("</table>")]


def test_few_runs_and_wide_intervals_are_warned_about(reported):
    _, page = reported
    warnings = re.findall(r'<p class="warning"[^>]*>(.*?)</p>', page, re.S)
    assert any("Few runs: 4 runs per cell" in w for w in warnings)
    assert any("Wide intervals" in w for w in warnings)


def test_duration_json_never_denies_a_length_that_reached_the_target(reported):
    out, _ = reported
    facts = json.loads((out / "duration.json").read_text())
    assert facts["shortest_months"] == 12
    assert "note" not in facts and "no swept length" not in json.dumps(facts)


def test_an_organisations_template_is_rendered(reported, tmp_path):
    out, _ = reported
    mine = tmp_path / "ours.html.j2"
    mine.write_text(
        "<h1>OURS {{ title }}</h1>{% for w in warnings %}<b>{{ w }}</b>{% endfor %}"
        "{{ answer.sentences[0] }}"
    )
    assert main(["report", str(out), "--template", str(mine)]) == 0
    page = (out / "report.html").read_text()
    assert page.startswith("<h1>OURS How long must the project be?")
    assert "<b>Few runs" in page and "At 18 months the chance" in page


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (None, "no such file"),
        ("{% for x in %}", "line 1: not a valid Jinja2 template"),
        (b"\xff\xfe", "not UTF-8"),
        ("{{ answer.nothing[0] }}", "cannot render"),
    ],
)
def test_a_bad_template_is_one_line_and_exit_2(reported, tmp_path, capsys, text, fragment):
    out, _ = reported
    mine = tmp_path / "bad.html.j2"
    if isinstance(text, bytes):
        mine.write_bytes(text)
    elif text is not None:
        mine.write_text(text)
    before = (out / "report.html").read_bytes()
    assert main(["report", str(out), "--template", str(mine)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pipsim: error: --template ") and str(mine) in err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert (out / "report.html").read_bytes() == before  # nothing written


def test_people_tables_say_yes_or_no_for_flags_but_keep_counts():
    table = pd.DataFrame({"point": [0, 1], "kept": [True, False], "rank": [1, 0], "x": [0.5, 1]})
    shown = report_words.people_table(table)
    assert list(shown.columns) == ["kept", "rank", "x"]  # the design point id left out
    assert list(shown["kept"]) == ["yes", "no"] and list(shown["rank"]) == [1, 0]


def test_no_warning_when_intervals_are_narrow_and_runs_many():
    assert report_words.warnings([(0.40, 0.55)], [200]) == []
    assert len(report_words.warnings([(0.1, 0.5)], [200])) == 1
