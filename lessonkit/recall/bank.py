"""Recall banks: one TOML file of questions and predictions per lesson, read and validated.

A bank is data written by lesson authors (``lessonkit/recall/01_streaming.toml``);
this module turns it into frozen values and refuses a malformed one with an
error that names the file and the question, so a typo fails in the test suite
(``tests/test_recall_bank.py`` validates every committed bank), not in front of
a learner. What is checked: ids unique, the answer among the options, every
wrong option with its own ``why``, every short question with a ``hint`` (shown
after a wrong answer, so it must help without giving the answer away), every
``accept`` regex compiling and accepting the stated ``answer``, and no unknown
keys (a misspelt ``explain`` would otherwise vanish silently).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["BANKS", "Bank", "BankError", "Option", "Prediction", "Question", "load", "stems"]

#: Where the committed banks live: beside this module, one ``<notebook stem>.toml`` each.
BANKS = Path(__file__).resolve().parent

_QUESTION_KEYS: dict[str, tuple[set[str], set[str]]] = {
    "choice": ({"id", "kind", "prompt", "answer", "explain", "options"}, set()),
    "short": ({"id", "kind", "prompt", "answer", "explain", "accept", "hint"}, set()),
}
_PREDICT_KEYS = {"id", "prompt", "options", "answer", "explain"}
_TEXTS = ("id", "prompt", "answer", "explain")
_OPTION_KEYS = ({"key", "text"}, {"why"})


class BankError(ValueError):
    """A recall bank that cannot be used, with the file and question it concerns."""


@dataclass(frozen=True)
class Option:
    """One choice of a multiple-choice question; ``why`` explains it (required when wrong)."""

    key: str
    text: str
    why: str = ""


@dataclass(frozen=True)
class Question:
    """A "Check yourself" question: ``choice`` (``options``) or ``short`` (``accept`` regexes)."""

    id: str
    kind: str
    prompt: str
    answer: str
    explain: str
    options: tuple[Option, ...] = ()
    accept: tuple[re.Pattern[str], ...] = ()
    hint: str = ""  #: a short question's nudge after a wrong answer (a wrong option has its why)

    def option(self, key: str) -> Option | None:
        """The option with this key, or None."""
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Prediction:
    """A "predict, then run" prompt shown before a demo cell."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: str
    explain: str


@dataclass(frozen=True)
class Bank:
    """The questions and predictions of one lesson, in file order."""

    stem: str
    questions: tuple[Question, ...]
    predictions: tuple[Prediction, ...]

    def question(self, qid: str) -> Question:
        """The question ``qid``; a KeyError listing the ids there are."""
        found = next((q for q in self.questions if q.id == qid), None)
        if found is None:
            ids = ", ".join(q.id for q in self.questions)
            raise KeyError(f"{self.stem} has no question {qid!r}; its questions: {ids}")
        return found

    def prediction(self, pid: str) -> Prediction:
        """The prediction ``pid``; a KeyError listing the ids there are."""
        found = next((p for p in self.predictions if p.id == pid), None)
        if found is None:
            ids = ", ".join(p.id for p in self.predictions) or "none"
            raise KeyError(f"{self.stem} has no prediction {pid!r}; its predictions: {ids}")
        return found


def stems(folder: Path = BANKS) -> list[str]:
    """The lessons that have a bank in ``folder``, sorted."""
    return sorted(p.stem for p in folder.glob("*.toml"))


def load(stem: str, folder: Path = BANKS) -> Bank:
    """Read and validate ``<folder>/<stem>.toml``.

    >>> load("01_streaming").question("q1").answer   # doctest: +SKIP
    'b'
    """
    path = folder / f"{stem}.toml"
    if not path.is_file():
        known = ", ".join(stems(folder)) or "none"
        raise FileNotFoundError(f"no recall bank {stem!r} in {folder} (banks: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise BankError(f"{path.name}: not valid TOML: {error}") from None
    return parse(data, stem, where=path.name)


def parse(data: dict[str, Any], stem: str, *, where: str) -> Bank:
    """A :class:`Bank` from parsed TOML; :class:`BankError` names ``where`` and the question."""
    _keys(data, (set(), {"question", "predict"}), where)
    questions = tuple(
        _question(raw, f"{where}: question {n}")
        for n, raw in enumerate(_list(data, "question", where), 1)
    )
    predictions = tuple(
        _prediction(raw, f"{where}: predict {n}")
        for n, raw in enumerate(_list(data, "predict", where), 1)
    )
    seen: set[str] = set()
    for qid in [q.id for q in questions] + [p.id for p in predictions]:
        if qid in seen:
            raise BankError(f"{where}: id {qid!r} is used twice (ids must be unique)")
        seen.add(qid)
    if not questions:
        raise BankError(f"{where}: no [[question]]")
    return Bank(stem, questions, predictions)


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise BankError(f"{where}: [{key}] must be an array of tables: write [[{key}]]")
    return value


def _keys(raw: Any, keys: tuple[set[str], set[str]], where: str) -> None:
    """``raw`` is a table with every required key and no unknown one."""
    required, optional = keys
    if not isinstance(raw, dict):
        raise BankError(f"{where}: expected a table, got {raw!r}")
    missing = sorted(required - raw.keys())
    unknown = sorted(raw.keys() - required - optional)
    if missing:
        raise BankError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise BankError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value.strip():
        raise BankError(f"{where}: {key} must be a non-empty string, got {value!r}")
    return value.strip()


def _question(raw: Any, where: str) -> Question:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"{where.rsplit(':', 1)[0]}: question {raw['id']!r}"
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in _QUESTION_KEYS:
        raise BankError(f"{where}: kind must be 'choice' or 'short', got {kind!r}")
    _keys(raw, _QUESTION_KEYS[kind], where)
    qid, prompt, answer, explain = (_text(raw, k, where) for k in _TEXTS)
    if kind == "choice":
        options = _options(raw["options"], where)
        if answer not in {o.key for o in options}:
            keys = ", ".join(o.key for o in options)
            raise BankError(f"{where}: answer {answer!r} is not an option key ({keys})")
        for option in options:
            if option.key != answer and not option.why:
                raise BankError(f"{where}: wrong option {option.key!r} has no why")
        return Question(qid, kind, prompt, answer, explain, options=options)
    accept = _patterns(raw["accept"], where)
    if not any(p.fullmatch(answer) for p in accept):
        raise BankError(f"{where}: no accept pattern matches its own answer {answer!r}")
    hint = _text(raw, "hint", where)
    if answer.casefold() in hint.casefold():
        raise BankError(f"{where}: hint gives the answer {answer!r} away")
    return Question(qid, kind, prompt, answer, explain, accept=accept, hint=hint)


def _options(raw: Any, where: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise BankError(f"{where}: options must list at least two choices")
    options = []
    for item in raw:
        _keys(item, _OPTION_KEYS, f"{where}: option {item!r}")
        why = item.get("why", "")
        if not isinstance(why, str):
            raise BankError(f"{where}: option {item['key']!r}: why must be a string")
        options.append(Option(_text(item, "key", where), _text(item, "text", where), why.strip()))
    keys = [o.key for o in options]
    if len(set(keys)) != len(keys):
        raise BankError(f"{where}: option keys repeat: {keys}")
    return tuple(options)


def _patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, str) for r in raw):
        raise BankError(f"{where}: accept must be a non-empty list of regex strings")
    patterns = []
    for text in raw:
        try:
            patterns.append(re.compile(text, re.IGNORECASE))
        except re.error as error:
            raise BankError(f"{where}: accept pattern {text!r} does not compile: {error}") from None
    return tuple(patterns)


def _prediction(raw: Any, where: str) -> Prediction:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"{where.rsplit(':', 1)[0]}: predict {raw['id']!r}"
    _keys(raw, (_PREDICT_KEYS, set()), where)
    pid, prompt, answer, explain = (_text(raw, k, where) for k in _TEXTS)
    options = raw["options"]
    if (
        not isinstance(options, list)
        or len(options) < 2
        or not all(isinstance(o, str) and o.strip() for o in options)
        or len(set(options)) != len(options)
    ):
        raise BankError(f"{where}: options must be at least two different strings")
    if answer not in options:
        raise BankError(f"{where}: answer {answer!r} is not among the options")
    return Prediction(pid, prompt, tuple(options), answer, explain)
