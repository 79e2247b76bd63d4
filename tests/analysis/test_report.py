"""`pipsim report`: one self-contained, well-formed HTML file of a result directory."""

import base64
import json
import re
from html.parser import HTMLParser

import pytest

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
    assert main(["duration", str(path), "--target", "0.5", *map(str, common)]) == 0
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
    assert "The shortest swept length reaching P = 0.5" in page
    for heading in ("Duration", "Probability of meeting each target", "Key outcomes", "Noise"):
        assert f"<h2>{heading}" in page
    digest = json.loads((out / "manifest.json").read_text())["scenario_digest"]
    assert digest in page and "total runs" in page
    assert '<td class="text">success</td><td>0.25</td>' in page  # noise.csv's row


def test_report_of_a_folder_without_results_is_a_usage_error(tmp_path, capsys):
    status = main(["report", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 2 and "holds no pipsim results" in err and err.count("\n") == 1
    assert main(["report", str(tmp_path / "missing")]) == 2
