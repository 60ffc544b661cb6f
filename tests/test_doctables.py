"""Every marked table in docs/*.md is what the code makes from its committed data."""

import re
from pathlib import Path

import pytest

from fwprune import doctables

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted((REPO / "docs").glob("*.md"))
MARKED = [(doc, spec) for doc in DOCS for spec in doctables.tables(doc.read_text())]


def test_the_results_have_marked_tables():
    specs = [spec for doc, spec in MARKED if doc.name == "results.md"]
    assert "claims docs/runs/mnist-grid/metrics.tsv" in specs
    assert "claims docs/runs/fashion-mnist/metrics.tsv" in specs


@pytest.mark.parametrize("doc", [d for d in DOCS if doctables.tables(d.read_text())])
def test_every_marked_table_matches_the_code(doc):
    _, changed = doctables.regenerate(doc.read_text(), REPO)
    assert changed == [], f"{doc.name}: regenerate with python -m fwprune.doctables --write"


def test_a_changed_digit_fails_the_check(tmp_path, capsys):
    text = (REPO / "docs" / "results.md").read_text()
    start = text.index("<!-- table: claims docs/runs/mnist-grid/metrics.tsv -->")
    digit = re.compile(r"0\.045 \[").search(text, start)
    planted = text[: digit.start()] + "0.046 [" + text[digit.end() :]
    copy = tmp_path / "results.md"
    copy.write_text(planted)
    assert doctables.main([str(copy), "--check", "--root", str(REPO)]) == 1
    assert "table claims docs/runs/mnist-grid/metrics.tsv" in capsys.readouterr().out
    assert copy.read_text() == planted  # --check writes nothing
    assert doctables.main([str(copy), "--write", "--root", str(REPO)]) == 0
    assert copy.read_text() == text
    assert doctables.main([str(copy), "--check", "--root", str(REPO)]) == 0


def test_an_unknown_generator_is_refused(tmp_path):
    copy = tmp_path / "x.md"
    copy.write_text("<!-- table: nonsense a.tsv -->\n| x |\n<!-- end table -->\n")
    with pytest.raises(ValueError, match="unknown table generator 'nonsense'"):
        doctables.main([str(copy), "--check", "--root", str(REPO)])
