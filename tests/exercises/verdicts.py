"""The shape of every Incorrect verdict: the scenario, the mistake, the fix, in two sentences.

A verdict is read by a learner who just ran a check, so it must say *where*
(the scenario line under the message), *what went wrong* (what their code did,
with the value it produced) and *what to do instead*. The rule is checkable
without reading minds:

* **scenario**: a ``Scenario: …`` detail line;
* **mistake**: the message opens with a clause of at least two words saying
  what the code did (before the first ``:``, ``;`` or `` — ``);
* **fix**: a later clause opens with an imperative from :data:`FIX_VERBS`
  ("return …", "raise …", "wait …", "send …"), possibly after "then", "so",
  "and" or "or"; or says what the code "should", "must" or "has to" do, or
  what to do "instead";
* **short**: at most two sentences and :data:`MAX_CHARS` characters, counted
  with quoted learner values masked (their full stops are not ours).

Expectations such as "expected X" alone are *not* a fix: they say what, not how.
"""

from __future__ import annotations

import re

#: Verbs a fix clause may open with: what the learner should do.
FIX_VERBS = frozenset(
    """
    add append await build call cap catch check close collect compare continue count
    dispatch double give handle iterate keep leave log make match move open parse pass
    put raise re-raise read record resubmit retry return run send set spend start stop
    stream submit subtract treat try use wait wrap yield accept answer ask convert
    create look reuse skip sum turn write join list sleep back poll let derive key name mark
    """.split()
)
#: Words that may stand before the imperative in a fix clause.
_LEADS = frozenset({"then", "so", "and", "or", "instead", "only", "always", "just", "first"})
MAX_CHARS = 320
_QUOTED = re.compile(  # closed spans first; a value `describe` cut short ends in "…"
    r"(?<![A-Za-z])'[^'…]*'|\"[^\"…]*\"|`[^`…]*`|\[[^\]…]*\]|\{[^}…]*\}|\([^)…]*\)"
    r"|['\"\[{(][^…]*…"
)
_MAJOR = re.compile(r":\s|;\s|\s—\s|\.\s")
_CLAUSES = re.compile(r":\s|;\s|\s—\s|\.\s|,\s")
_MODAL = re.compile(r"\b(should|must|has to|have to)\b")
_SENTENCES = re.compile(r"[.!?](?:\s+|$)")


def masked(message: str) -> str:
    """`message` with quoted values, brackets and parentheses replaced by a placeholder."""
    return _QUOTED.sub("X", message)


def problems(message: str, details: tuple[str, ...]) -> list[str]:
    """What `message` (with its `details`) lacks of the verdict shape; empty when it has it all."""
    found = []
    if not any(line.startswith("Scenario: ") for line in details):
        found.append("no scenario")
    text = masked(message).strip()
    sentences = len(_SENTENCES.findall(text)) or 1
    if sentences > 2:
        found.append(f"{sentences} sentences")
    if len(message) > MAX_CHARS:
        found.append(f"{len(message)} characters")
    mistake, *rest = _MAJOR.split(text, maxsplit=1)
    if len(mistake.split()) < 2:
        found.append("no mistake clause")
    clauses = [c.strip() for c in _CLAUSES.split(" ".join(rest)) if c.strip()]
    if not _has_fix(clauses) and not _MODAL.search(" ".join(rest)) and " instead" not in text:
        found.append("no fix clause")
    return found


def _has_fix(clauses: list[str]) -> bool:
    for clause in clauses:
        words = [w.strip("`'\"()").lower() for w in clause.split()]
        while words and words[0] in _LEADS:
            words = words[1:]
        if words and words[0] in FIX_VERBS:
            return True
    return False
