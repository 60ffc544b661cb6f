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


def two_sweeps(folder):
    """fw in a.tsv, gmp_x in b.tsv: one cell, three seeds, fw ahead by 0.011 on average."""
    import pandas as pd

    rows = lambda method, values: [  # noqa: E731
        {"budget": 1, "target_sparsity": 0.9, "seed": s, "method": method, "test_accuracy": v}
        for s, v in enumerate(values)
    ]
    pd.DataFrame(rows("fw", [0.950, 0.952, 0.954])).to_csv(folder / "a.tsv", sep="\t")
    pd.DataFrame(rows("gmp_x", [0.940, 0.941, 0.943])).to_csv(folder / "b.tsv", sep="\t")


def test_best_names_the_best_method_of_a_cell_and_its_verdict(tmp_path):
    two_sweeps(tmp_path)
    text = "<!-- table: best a.tsv b.tsv -->\n<!-- end table -->\n"
    table, _ = doctables.regenerate(text, tmp_path)
    (row,) = [line for line in table.splitlines() if line.startswith("| 1 |")]
    assert "| fw | gmp_x | +0.011 [" in row and row.endswith("| better | better |")
    assert "Frank-Wolfe against" not in table  # only the which-method table


def test_pairs_read_several_sweeps_as_one(tmp_path):
    """A method of one sweep is compared with a method of another, paired by seed."""
    two_sweeps(tmp_path)
    text = "<!-- table: pairs:fw:gmp_x a.tsv b.tsv -->\n<!-- end table -->\n"
    table, changed = doctables.regenerate(text, tmp_path)
    assert changed == ["pairs:fw:gmp_x a.tsv b.tsv"]
    (row,) = [line for line in table.splitlines() if line.startswith("| 1 |")]
    assert "| fw − gmp_x | 3 | +0.011 [" in row and "**better**" in row


def test_latency_gives_each_ratio_over_seeds_and_the_runtime(tmp_path):
    import pandas as pd

    rows = [
        {"budget": 10, "target_sparsity": 0.9, "method": "fw", "seed": seed, "runtime": "litert",
         "inference_time_ratio": ratio, "inference_time_control_ratio": 1.0,
         "inference_time_ratio_large_batch": ratio / 2,
         "inference_time_control_ratio_large_batch": 1.01}
        for seed, ratio in enumerate([0.40, 0.42, 0.44])
    ]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "t.tsv", sep="\t")
    text = "<!-- table: latency t.tsv -->\n<!-- end table -->\n"
    table, _ = doctables.regenerate(text, tmp_path)
    assert "Runtime: litert." in table
    (row,) = [line for line in table.splitlines() if line.startswith("| 10 |")]
    assert row.startswith("| 10 | 0.9 | fw | 3 | 0.420 [")
    assert "| 0.210 [" in row and "| 1.000 [1.000, 1.000] |" in row


def test_rounds_flags_a_control_that_more_rounds_would_not_bring_to_one(tmp_path):
    import pandas as pd

    quartiles = {"": (0.98, 1.02), "_large_batch": (0.96, 1.04)}
    row = {}
    for suffix, (q25, q75) in quartiles.items():
        for ratio in ("inference_time_ratio", "inference_time_control_ratio"):
            column = ratio + suffix
            row |= {column: 1.0, f"{column}_q25": q25, f"{column}_q75": q75}
    rows = [row, row | {"inference_time_control_ratio_large_batch": 0.95}]
    pd.DataFrame(rows).to_csv(tmp_path / "t.tsv", sep="\t")
    text = "<!-- table: rounds:100 t.tsv -->\n<!-- end table -->\n"
    table, _ = doctables.regenerate(text, tmp_path)
    lines = {line.split(" | ")[0]: line for line in table.splitlines() if line.startswith("| `")}
    # spread 0.04 / 1.349: (1.96 × 1.2533 × 0.02965 / 0.02)² = 13.3 rounds; 0.08: 53.2
    assert lines["| `inference_time_ratio`"].endswith("| 2 | 14 | 14 | – | – |")
    # 0.05 from 1 with a standard error of 1.2533 × 0.0593 / √100 = 0.00743: 6.7 of them
    control = lines["| `inference_time_control_ratio_large_batch`"]
    assert control.endswith("| 2 | 54 | 54 | 1 | 6.7 |")


def test_latency_ranges_give_each_ratios_lowest_and_highest_per_method(tmp_path):
    import pandas as pd

    rows = [
        {"method": "fw", "runtime": "litert", "inference_time_ratio": ratio,
         "inference_time_control_ratio": 1.0 + ratio / 100,
         "inference_time_ratio_large_batch": ratio / 2,
         "inference_time_control_ratio_large_batch": 0.99}
        for ratio in (0.40, 0.44, 0.42)
    ] + [{"method": "base", "runtime": None}]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "t.tsv", sep="\t")
    text = "<!-- table: latency_ranges t.tsv -->\n<!-- end table -->\n"
    table, _ = doctables.regenerate(text, tmp_path)
    assert "Runtime: litert." in table and "| base |" not in table  # untimed rows left out
    (row,) = [line for line in table.splitlines() if line.startswith("| fw |")]
    assert row == "| fw | 3 | 0.400–0.440 | 1.004–1.004 | 0.200–0.220 | 0.990–0.990 |"


def test_a_quoted_report_is_the_file_as_it_is(tmp_path):
    report = tmp_path / "cost.md"
    report.write_text("(jobs' CPU 98 s) = **1.833**\n\n| rule | jobs |\n")
    doc = "<!-- table: quote cost.md -->\nstale\n<!-- end table -->\n"
    text, changed = doctables.regenerate(doc, tmp_path)
    assert changed == ["quote cost.md"]
    assert text == doc.replace("stale\n", report.read_text())
    assert doctables.regenerate(text, tmp_path)[1] == []


def in_short(text: str) -> tuple[int, int]:
    start = text.index("## In short\n")
    return start, text.index("\n## ", start)


def test_a_planted_verdict_word_in_a_generated_summary_fails_the_check(tmp_path, capsys):
    text = (REPO / "docs" / "results.md").read_text()
    start, end = in_short(text)
    line = re.compile(r"^- \*\*inconclusive\*\*: ", re.M).search(text, start, end)
    planted = text[: line.start()] + "- **better**: " + text[line.end() :]
    copy = tmp_path / "results.md"
    copy.write_text(planted)
    assert doctables.main([str(copy), "--check", "--root", str(REPO)]) == 1
    assert "differs from the code: " in capsys.readouterr().out


def test_a_verdict_typed_by_hand_in_the_summary_fails_the_check(tmp_path, capsys):
    text = (REPO / "docs" / "results.md").read_text()
    assert doctables.typed_verdicts(text) == []
    start, end = in_short(text)
    planted = text[:end] + "\nFW is better than gmp: use gmp.\n" + text[end:]
    copy = tmp_path / "results.md"
    copy.write_text(planted)
    assert doctables.main([str(copy), "--check", "--root", str(REPO)]) == 1
    assert "typed by hand in 'In short': " in capsys.readouterr().out
    # The same words inside a generated block are the table's, not typed.
    assert (
        doctables.typed_verdicts(
            "## In short\n<!-- table: x -->\nbetter\n<!-- end table -->\n## B\n"
        )
        == []
    )


def test_the_summary_groups_each_verdict_with_its_rows(tmp_path):
    two_sweeps(tmp_path)
    text = doctables.generate("pairs_summary:fw:gmp_x a.tsv b.tsv", tmp_path)
    table = doctables.generate("pairs:fw:gmp_x a.tsv b.tsv", tmp_path)
    verdict = table.splitlines()[-1].split("|")[-2].strip().strip("*")
    assert text == f"- **{verdict}**: fw − gmp_x at budget 1, 0.9"
