"""The instance format: every example validates against docs/instance.schema.json and loads, and the
reader refuses what the schema refuses (both follow what a market accepts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from seqmarket.clearing.io import load_instance, parse_instance
from seqmarket.errors import InvalidInstance

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = Draft202012Validator(json.loads((ROOT / "docs" / "instance.schema.json").read_text()))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def test_there_is_more_than_one_example():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_follow_the_schema_and_load(path):
    data = json.loads(path.read_text())
    assert not list(VALIDATOR.iter_errors(data))
    book = load_instance(path)
    assert book.instance.n == len(data["reserves"]) and len(book.bids) == len(data.get("bids", []))


@pytest.mark.parametrize(
    "document",
    [
        {"reserves": [2**128]},
        {"reserves": [-1]},
        {"reserves": ["١٢"]},
        {"reserves": ["0x10"]},
        {"reserves": [0], "bids": [{"bundle": [0], "amount": "1" + "0" * 39}]},
        {"reserves": [0], "bids": [{"bundle": [], "amount": 1}]},
        {"reserves": [0], "bids": [{"bundle": [0]}]},
        {"reserves": [0], "bids": [{"bundle": [0], "amount": True}]},
        {"reserves": [0], "format": "other/1"},
        {"bids": []},
    ],
)
def test_what_the_schema_refuses_the_reader_refuses(document):
    assert list(VALIDATOR.iter_errors(document))
    with pytest.raises(InvalidInstance):
        parse_instance(document)


def test_strings_past_the_limit_are_refused():
    """A 39-digit string can pass the schema's length bound and still be 2**128 or more: the reader checks."""
    for document in (
        {"reserves": [str(2**128)]},
        {"reserves": [0], "bids": [{"bundle": [0], "amount": "9" * 39}]},
    ):
        with pytest.raises(InvalidInstance, match="2\\*\\*128 - 1"):
            parse_instance(document)


def test_the_largest_amounts_a_market_accepts_are_read_exactly():
    largest = 2**128 - 1
    document = {"reserves": [str(largest), 0], "bids": [{"bundle": [0, 1], "amount": str(largest)}]}
    assert not list(VALIDATOR.iter_errors(document))
    book = parse_instance(document)
    assert book.instance.reserves[0] == largest and book.instance.bids[0b11] == largest
