"""`seqmarket clear` and `seqmarket generate`: output, round trip, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from seqmarket.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed_last_look.json"


def test_clear_prints_partition_value_time_and_vcg_payments() -> None:
    result = CliRunner().invoke(main, ["clear", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Bidder 3" in result.output and " ms" in result.output
    assert "VCG payments" in result.output and "249" in result.output  # 24.9 in tenths


def test_generate_writes_an_instance_clear_reads(tmp_path: Path) -> None:
    out = tmp_path / "round.json"
    made = CliRunner().invoke(
        main,
        [
            "generate",
            "rollup-synergy",
            "--goods",
            "12",
            "--bids",
            "40",
            "--unit",
            "1000000000000",
            "-o",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    data = json.loads(out.read_text())
    assert data["format"] == "seqmarket-instance/1" and len(data["bids"]) == 40
    assert data["meta"]["distribution"] == "rollup-synergy"
    cleared = CliRunner().invoke(main, ["clear", str(out)])
    assert cleared.exit_code == 0, cleared.output
    assert "value" in cleared.output


def test_bad_input_gives_a_clear_error(tmp_path: Path) -> None:
    cases = {
        "bad_format.json": json.dumps({"format": "other/2", "reserves": [0], "bids": []}),
        "negative.json": json.dumps({"reserves": [-1], "bids": []}),
        "not_decimal.json": json.dumps({"reserves": [0], "bids": [{"bundle": [0], "amount": "1e18"}]}),
        "bids_not_list.json": json.dumps({"reserves": [0], "bids": {}}),
        "binary.json": None,
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is None:
            path.write_bytes(b"\xff\xfe\x00")
        else:
            path.write_text(text)
        result = CliRunner().invoke(main, ["clear", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error: "), (name, result.output)
    missing_dir = tmp_path / "no" / "such" / "dir.json"
    bad = CliRunner().invoke(main, ["generate", "L3", "--goods", "5", "--bids", "5", "-o", str(missing_dir)])
    assert bad.exit_code == 1 and bad.output.startswith("Error: ") and "Traceback" not in bad.output


def test_time_limit_hit_is_an_error_not_an_answer(tmp_path: Path) -> None:
    out = tmp_path / "hard.json"
    CliRunner().invoke(
        main, ["generate", "L3", "--goods", "70", "--bids", "1000", "--seed", "3", "-o", str(out)]
    )
    result = CliRunner().invoke(main, ["clear", str(out), "--time-limit", "0.05", "--no-vcg"])
    assert result.exit_code == 1
    assert "time limit hit" in result.output and "gap" in result.output


def test_clear_prints_the_seed_partition():
    result = CliRunner().invoke(main, ["clear", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Bidder 3" in result.output and "250" in result.output


def test_clear_reports_bad_input_without_traceback(tmp_path):
    cases = {
        "missing.json": None,
        "not_json.json": "{",
        "no_reserves.json": json.dumps({"bids": []}),
        "bad_index.json": json.dumps({"reserves": [0], "bids": [{"bundle": [4], "amount": 1}]}),
        "bad_amount.json": json.dumps({"reserves": [0], "bids": [{"bundle": [0], "amount": "x"}]}),
        "no_amount.json": json.dumps({"reserves": [0], "bids": [{"bundle": [0]}]}),
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        result = CliRunner().invoke(main, ["clear", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("Error: "), (name, result.output)
        assert "Traceback" not in result.output


def test_amounts_a_market_refuses_are_refused(tmp_path: Path) -> None:
    """Reserves and bids from 2**128 wei on, and digits other than ASCII, are one-line errors."""
    cases = {
        "reserve": ({"reserves": [2**128], "bids": []}, "reserve 0 must be between 0 and 2**128 - 1"),
        "bid": ({"reserves": [0], "bids": [{"bundle": [0], "amount": str(2**128)}]}, "bid 0: amount must be"),
        "digits": ({"reserves": ["١٢"], "bids": []}, "reserve 0 must be an integer"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data))
        result = CliRunner().invoke(main, ["clear", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output and "Traceback" not in result.output
    largest = tmp_path / "largest.json"
    largest.write_text(json.dumps({"reserves": [str(2**128 - 1)], "bids": []}))
    assert CliRunner().invoke(main, ["clear", str(largest)]).exit_code == 0


def test_json_parses_and_matches_the_table(tmp_path: Path) -> None:
    table = CliRunner().invoke(main, ["clear", str(EXAMPLE)])
    as_json = CliRunner().invoke(main, ["clear", str(EXAMPLE), "--json"])
    assert table.exit_code == as_json.exit_code == 0
    document = json.loads(as_json.output)
    assert document["value"] == "250" and document["method"] in table.output
    [part] = document["partition"]
    assert (part["bundle"], part["value"], part["kind"], part["holder"]) == (
        [0, 1],
        "250",
        "listed",
        "Bidder 3",
    )
    [payment] = document["vcg"]
    assert (payment["bid"], payment["welfare_without"], payment["payment"]) == ("250", "249", "249")
    for cell in ("[0, 1]", "250", "Bidder 3", "249"):
        assert cell in table.output


def test_piped_tables_are_never_cut(tmp_path: Path) -> None:
    """Output that is not a terminal keeps every cell whole, however wide the table."""
    bidder = "a bidder whose name is far longer than any terminal is wide " * 3
    amount = str(2**127 + 12345)
    path = tmp_path / "wide.json"
    path.write_text(
        json.dumps({"reserves": [0, 0], "bids": [{"bundle": [0, 1], "amount": amount, "bidder": bidder}]})
    )
    result = CliRunner().invoke(main, ["clear", str(path)])
    assert result.exit_code == 0, result.output
    assert bidder.strip() in result.output and amount in result.output and "…" not in result.output


def test_vcg_progress_reaches_a_log_while_stdout_stays_json(monkeypatch, tmp_path: Path) -> None:
    """Piped stderr gets a line per VCG winner once lines are due (every PROGRESS_EVERY s; 0 here)."""
    monkeypatch.setattr("seqmarket.cli.offline.PROGRESS_EVERY", 0.0)
    result = CliRunner(mix_stderr=False).invoke(main, ["clear", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.stderr
    winners = json.loads(result.stdout)["vcg"]
    lines = [line for line in result.stderr.splitlines() if "VCG payment of winner" in line]
    assert len(winners) >= 1 and len(lines) == len(winners)
    assert lines[-1].endswith(f"winner {len(winners)} of {len(winners)} done")
