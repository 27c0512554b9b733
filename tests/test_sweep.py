"""bench/sweep.py on the Lee corpus with --smoke: the table's structure, the one-at-a-time design, intervals that
contain their point estimates, the command and an independently computed checksum in the description, and
one-line errors that stop it before anything is read or written."""

import csv
import hashlib
import importlib.util
from pathlib import Path

import pytest
from gensim.test.utils import datapath

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "sweep.py"
LEE = Path(datapath("lee_background.cor"))


@pytest.fixture(scope="module")
def sweep():
    spec = importlib.util.spec_from_file_location("sweep", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke_run(sweep, tmp_path_factory):
    output = tmp_path_factory.mktemp("sweep") / "table.csv"
    assert sweep.main(["--smoke", "--corpus", str(LEE), "--output", str(output), "--words", "40000"]) == 0
    with open(output, newline="") as file:
        rows = list(csv.DictReader(file))
    return output, rows


def test_one_row_per_run_each_varying_one_setting(sweep, smoke_run):
    _, rows = smoke_run
    assert list(rows[0]) == sweep.COLUMNS
    defaults = {name: str(value) for name, value in {**sweep.SMOKE_DEFAULTS, "sample": 0.001}.items()}
    assert rows[0]["varied"] == "default"
    assert {name: rows[0][name] for name in defaults} == defaults
    expected_runs = 1 + sum(len(values) - 1 for values in sweep.SMOKE_GRID.values())
    assert len(rows) == expected_runs
    for row in rows[1:]:
        differing = [name for name in defaults if float(row[name]) != float(defaults[name])]
        assert differing == [row["varied"]]
    varied_values = {(row["varied"], float(row[row["varied"]])) for row in rows[1:]}
    assert varied_values == {(name, float(value)) for name, values in sweep.SMOKE_GRID.items()
                             for value in values if value != sweep.SMOKE_DEFAULTS[name]}


def test_intervals_contain_the_point_estimates(smoke_run):
    _, rows = smoke_run
    for row in rows:
        for score in ("wordsim353", "simlex999", "analogy_percent"):
            low, point, high = (float(row[f"{score}{end}"]) for end in ("_low", "", "_high"))
            assert low <= point <= high, (row["varied"], score)
        correct, total = int(row["analogy_correct"]), int(row["analogy_total"])
        assert 0 < total and float(row["analogy_percent"]) == pytest.approx(100 * correct / total, rel=1e-5)
        assert int(row["wordsim353_pairs"]) >= 2 and int(row["simlex999_pairs"]) >= 2
        assert float(row["seconds"]) > 0 and float(row["cpu_seconds"]) > 0


def test_description_holds_the_command_the_checksum_and_the_slice(smoke_run):
    output, _ = smoke_run
    text = output.with_suffix(".md").read_text()
    assert f"python bench/sweep.py --smoke --corpus {LEE} --output {output} --words 40000" in text
    assert hashlib.sha256(LEE.read_bytes()).hexdigest() in text
    assert "the first 40,000 tokens" in text
    assert not list(output.parent.glob(".*.tmp"))  # the temporary files were renamed, none left behind


@pytest.mark.parametrize("arguments, words", [
    (["--words", "0"], "--words must be a positive number"),
    (["--corpus", "missing.txt"], "--corpus 'missing.txt' does not exist"),
    (["--output", "table.txt"], "must end in .csv"),
    (["--resamples", "10"], "--resamples must be at least 100"),
])
def test_bad_input_is_one_line_before_any_work(sweep, tmp_path, capsys, monkeypatch, arguments, words):
    monkeypatch.chdir(tmp_path)
    defaults = ["--corpus", str(LEE), "--output", "table.csv"]
    assert sweep.main(defaults + arguments) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and words in error
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_the_corpus_is_refused(sweep, tmp_path, capsys):
    corpus = tmp_path / "corpus.csv"
    corpus.write_text("a b c\n")
    assert sweep.main(["--corpus", str(corpus), "--output", str(corpus)]) == 2
    assert "is the same file as --corpus" in capsys.readouterr().err
    assert corpus.read_text() == "a b c\n"
