"""Recall banks: every committed bank validates, and a malformed one is refused by name."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from lessonkit.recall.bank import BANKS, BankError, load, parse, stems

FIXTURES = Path(__file__).parent / "recall_banks"
LESSONS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("stem", stems())
def test_every_committed_bank_validates(stem: str) -> None:
    bank = load(stem)
    assert (LESSONS / f"{stem}.ipynb").is_file(), f"{stem}.toml names no lesson notebook"
    assert 6 <= len(bank.questions) <= 10, "a lesson's 'Check yourself' has 6–10 questions"


def test_banks_live_beside_the_recall_package() -> None:
    assert BANKS == Path(__file__).resolve().parents[1] / "lessonkit" / "recall"


def test_the_fixture_bank_loads() -> None:
    bank = load("99_fixture", FIXTURES)
    assert [q.id for q in bank.questions] == ["q1", "q2"]
    assert bank.question("q1").option("b") is not None
    assert bank.question("q1").option("z") is None
    assert bank.prediction("p1").answer == "max_tokens"
    assert bank.question("q2").accept[0].fullmatch("529")


def test_unknown_ids_and_lessons_list_what_there_is() -> None:
    bank = load("99_fixture", FIXTURES)
    with pytest.raises(KeyError, match="its questions: q1, q2"):
        bank.question("q9")
    with pytest.raises(KeyError, match="its predictions: p1"):
        bank.prediction("p9")
    with pytest.raises(FileNotFoundError, match=r"no recall bank '01_nope'.*banks: 99_fixture"):
        load("01_nope", FIXTURES)


def _fixture() -> dict[str, Any]:
    return tomllib.loads((FIXTURES / "99_fixture.toml").read_text(encoding="utf-8"))


def _broken(change: str) -> dict[str, Any]:
    data = _fixture()
    choice, short, predict = data["question"][0], data["question"][1], data["predict"][0]
    if change == "duplicate id":
        short["id"] = "q1"
    elif change == "answer not an option":
        choice["answer"] = "d"
    elif change == "wrong option without why":
        del choice["options"][0]["why"]
    elif change == "regex does not compile":
        short["accept"] = ["(529"]
    elif change == "regex rejects its answer":
        short["accept"] = ["^429$"]
    elif change == "misspelt key":
        choice["explaination"] = choice.pop("explain")
    elif change == "unknown kind":
        choice["kind"] = "essay"
    elif change == "one option":
        choice["options"] = choice["options"][1:2]
    elif change == "repeated option key":
        choice["options"][2]["key"] = "a"
    elif change == "prediction answer missing":
        predict["answer"] = "pause_turn"
    elif change == "empty prompt":
        choice["prompt"] = "  "
    elif change == "no questions":
        del data["question"]
    elif change == "question is a table":
        data["question"] = {"id": "q1"}
    elif change == "question is a string":
        data["question"][0] = "q1"
    elif change == "why is a number":
        choice["options"][0]["why"] = 3
    elif change == "accept is a string":
        short["accept"] = "^529$"
    elif change == "prediction options repeat":
        predict["options"] = ["max_tokens", "max_tokens"]
    elif change == "option is a string":
        choice["options"][0] = "a"
    elif change == "prediction without id":
        del predict["id"]
    elif change == "short answer without hint":
        del short["hint"]
    elif change == "hint gives the answer away":
        short["hint"] = "It is 529."
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate id", "x.toml: id 'q1' is used twice"),
        ("answer not an option", "x.toml: question 'q1': answer 'd' is not an option key"),
        ("wrong option without why", "x.toml: question 'q1': wrong option 'a' has no why"),
        ("regex does not compile", "x.toml: question 'q2': accept pattern '(529' does not compile"),
        ("regex rejects its answer", "x.toml: question 'q2': no accept pattern matches its own"),
        ("misspelt key", "x.toml: question 'q1': missing explain"),
        ("unknown kind", "x.toml: question 'q1': kind must be 'choice' or 'short', got 'essay'"),
        ("one option", "x.toml: question 'q1': options must list at least two choices"),
        ("repeated option key", "x.toml: question 'q1': option keys repeat"),
        ("prediction answer missing", "x.toml: predict 'p1': answer 'pause_turn' is not among"),
        ("empty prompt", "x.toml: question 'q1': prompt must be a non-empty string"),
        ("no questions", "x.toml: no [[question]]"),
        ("question is a table", "x.toml: [question] must be an array of tables"),
        ("question is a string", "x.toml: question 1: kind must be 'choice' or 'short'"),
        ("why is a number", "x.toml: question 'q1': option 'a': why must be a string"),
        ("accept is a string", "x.toml: question 'q2': accept must be a non-empty list"),
        ("prediction options repeat", "x.toml: predict 'p1': options must be at least two"),
        ("prediction without id", "x.toml: predict 1: missing id"),
        ("option is a string", "x.toml: question 'q1': option 'a': expected a table, got 'a'"),
        ("short answer without hint", "x.toml: question 'q2': missing hint"),
        ("hint gives the answer away", "x.toml: question 'q2': hint gives the answer '529' away"),
    ],
)
def test_a_malformed_bank_names_file_and_question(change: str, message: str) -> None:
    with pytest.raises(BankError) as caught:
        parse(_broken(change), "x", where="x.toml")
    assert str(caught.value).startswith(message)


def test_unknown_keys_are_refused() -> None:
    data = _fixture()
    data["question"][0]["hint"] = "extra"  # a choice question's wrong options have a why instead
    with pytest.raises(BankError, match="question 'q1': unknown key\\(s\\) hint"):
        parse(data, "x", where="x.toml")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "01_bad.toml").write_text("[[question]\n", encoding="utf-8")
    with pytest.raises(BankError, match="^01_bad.toml: not valid TOML"):
        load("01_bad", tmp_path)
