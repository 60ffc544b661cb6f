"""Every figure in docs/figures is drawn by the library's code from data committed under
docs/runs, and the doc that shows it names the command that draws it."""

from pathlib import Path

import pytest

from fwprune import docfigures

REPO = Path(__file__).resolve().parents[1]
COMMITTED = sorted(str(p.relative_to(REPO)) for p in (REPO / "docs/figures").rglob("*.png"))
DOCS = {doc: doc.read_text() for doc in sorted((REPO / "docs").glob("*.md"))}


def test_every_committed_figure_has_a_drawing_and_every_drawing_a_file():
    assert COMMITTED == sorted(docfigures.FIGURES)


@pytest.mark.parametrize("name", sorted(docfigures.FIGURES))
def test_a_figure_is_shown_beside_the_command_that_draws_it(name):
    shown = f"]({name.removeprefix('docs/')})"
    showing = [doc for doc, text in DOCS.items() if shown in text]
    assert showing, f"no doc shows {name}"
    for doc in showing:
        assert f"python -m fwprune.docfigures {name}" in DOCS[doc], doc.name


@pytest.mark.parametrize("name", sorted(docfigures.FIGURES))
def test_a_figure_draws_from_the_committed_data(name, tmp_path):
    output = tmp_path / "figure.png"
    docfigures.draw(name, REPO, output)
    assert output.stat().st_size > 10_000
