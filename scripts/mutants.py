"""Mutation testing of the exercise checkers: every mutant of a model solution must fail.

    .venv/bin/python scripts/mutants.py                # every exercise: `make mutants`
    .venv/bin/python scripts/mutants.py ex03           # one notebook: `make mutants EX=ex03`
    .venv/bin/python scripts/mutants.py ex04_run_tool  # one exercise

For each exercise, mutmut's mutation operators rewrite its reference solution
(the function ``sourcing.marked_cell`` puts in the notebook) one change at a
time. Each mutant is executed as notebook code (a ``<mutant …>`` cell, so the
checker sees learner frames) and checked through the notebooks' own path,
``bind(namespace, Exercise)`` then ``q.result()``. A mutant is

* **killed** when the verdict is Incorrect (or Error, listed apart: a lessonkit bug);
* **equivalent** when it is listed, with the reason it cannot change what the
  exercise text asks for, in ``tests/exercises/mutants-equivalent.toml``;
* **surviving** otherwise: a wrong answer the checker accepts. The goal is none.

The report goes to ``test-artifacts/mutants.json`` (merged per exercise, so one
exercise can be re-run alone) and ``test-artifacts/mutants.md``; the exit code
is 1 while any mutant survives.

Why mutmut's operators as a library rather than ``mutmut run``: ``mutmut run``
mutates whole files (the checkers beside the solutions too), copies the project
into ``mutants/`` and judges mutants by the pytest outcome. Here only the
reference function may change, and the judge must be the verdict a learner
would see. mutmut's ``MutationVisitor`` and operator table produce exactly the
mutants ``mutmut run`` would make inside that function; this script runs them.
"""

from __future__ import annotations

import argparse
import difflib
import json
import linecache
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper
from mutmut.mutation.file_mutation import MutationVisitor, deep_replace
from mutmut.mutation.mutators import mutation_operators
from mutmut.mutation.pragma_handling import IgnoredCode

from lessonkit.checks import Status, bind
from lessonkit.exercises import ALL
from lessonkit.exercises.harness import BehaviourExercise
from lessonkit.exercises.sourcing import solution_source

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "exercises" / "mutants-equivalent.toml"
ARTIFACTS = ROOT / "test-artifacts"


@dataclass(frozen=True)
class Mutant:
    """One mutated copy of a reference solution."""

    exercise: str
    key: str  #: "before → after" of the changed lines, stable while the solution's text is
    line: int  #: first changed line, counted from the ``def``
    source: str


@dataclass(frozen=True)
class Verdict:
    """What the checker said about one mutant, and how that counts."""

    exercise: str
    key: str
    line: int
    outcome: str  #: "killed", "equivalent" or "surviving"
    status: str  #: the checker's verdict (Status value)
    message: str
    why: str = ""  #: for equivalent mutants: why no checker can tell


def mutants(exercise: type[BehaviourExercise]) -> list[Mutant]:
    """Every mutant mutmut's operators make of `exercise`'s reference solution, in order."""
    source = solution_source(exercise.reference)
    visitor = MutationVisitor(mutation_operators, IgnoredCode(set(), set(), set()))
    module = MetadataWrapper(cst.parse_module(source)).visit(visitor)
    made: list[Mutant] = []
    seen: Counter[str] = Counter()
    for mutation in visitor.mutations:
        mutated = deep_replace(module, mutation.original_node, mutation.mutated_node)
        assert isinstance(mutated, cst.Module)
        line, key = _change(source, mutated.code)
        seen[key] += 1
        if seen[key] > 1:  # the same text change at two places of one line
            key = f"{key} #{seen[key]}"
        made.append(Mutant(exercise.name, key, line, mutated.code))
    return made


def _change(before: str, after: str) -> tuple[int, str]:
    """The first changed line and a one-line "old → new" description of the change."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    changed = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    _, i1, i2, j1, j2 = changed[0]
    i2, j2 = changed[-1][2], changed[-1][4]
    removed = " / ".join(line.strip() for line in old[i1:i2])
    added = " / ".join(line.strip() for line in new[j1:j2])
    return i1 + 1, f"{removed} → {added or '(removed)'}"


def judge(
    mutant: Mutant,
    exercise: type[BehaviourExercise],
    equivalent: Mapping[str, str],
) -> Verdict:
    """Run `mutant` as notebook code through ``bind`` and ``q.result()``; classify the verdict."""
    namespace: dict[str, Any] = {
        k: v for k, v in exercise.reference.__globals__.items() if not k.startswith("__")
    }
    namespace.pop(exercise.entry, None)
    cell = f"<mutant {mutant.exercise} line {mutant.line}>"
    lines = mutant.source.splitlines(keepends=True)  # as IPython does for a cell's tracebacks
    linecache.cache[cell] = (len(mutant.source), None, lines, cell)
    exec(compile(mutant.source, cell, "exec"), namespace)
    (question,) = bind(namespace, exercise)
    result = question.result()
    if result.status is Status.CORRECT:
        why = equivalent.get(mutant.key, "")
        outcome = "equivalent" if why else "surviving"
    else:
        why, outcome = "", "killed"
    return Verdict(
        mutant.exercise, mutant.key, mutant.line, outcome, result.status.value, str(result), why
    )


def load_equivalent(path: Path = EQUIVALENT) -> dict[str, dict[str, str]]:
    """The committed equivalent mutants: exercise name -> mutant key -> why it is equivalent."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        name: {entry["mutant"]: entry["why"] for entry in entries} for name, entries in data.items()
    }


def selected(patterns: Iterable[str]) -> list[type[BehaviourExercise]]:
    """The exercises whose name starts with one of `patterns` (all when none is given)."""
    wanted = tuple(patterns)
    chosen = [e for e in ALL if not wanted or e.name.startswith(wanted)]
    if not chosen:
        raise SystemExit(f"no exercise name starts with {' or '.join(wanted)}")
    return chosen


def run(
    exercises: Iterable[type[BehaviourExercise]],
    equivalent: Mapping[str, Mapping[str, str]],
    progress: Callable[[str], None] = lambda line: None,
) -> list[Verdict]:
    """Judge every mutant of every exercise in `exercises`."""
    verdicts: list[Verdict] = []
    for exercise in exercises:
        exercise.warm_up()
        made = mutants(exercise)
        started = time.perf_counter()
        for mutant in made:
            verdicts.append(judge(mutant, exercise, equivalent.get(exercise.name, {})))
        counts = Counter(v.outcome for v in verdicts if v.exercise == exercise.name)
        progress(
            f"{exercise.name}: {len(made)} mutants, {counts['killed']} killed, "
            f"{counts['equivalent']} equivalent, {counts['surviving']} surviving "
            f"({time.perf_counter() - started:.0f} s)"
        )
    return verdicts


def summary(verdicts: Iterable[Verdict]) -> dict[str, dict[str, int]]:
    """Per exercise: generated, killed, equivalent, surviving (and checker errors)."""
    table: dict[str, dict[str, int]] = {}
    for verdict in verdicts:
        row = table.setdefault(
            verdict.exercise,
            {"generated": 0, "killed": 0, "equivalent": 0, "surviving": 0, "errors": 0},
        )
        row["generated"] += 1
        row[verdict.outcome] += 1
        row["errors"] += verdict.status == Status.ERROR.value
    return table


def markdown(verdicts: list[Verdict]) -> str:
    """The human-readable report: the table, then every surviving and equivalent mutant."""
    lines = [
        "# Mutants of the exercise solutions",
        "",
        "Made by `make mutants` (scripts/mutants.py): mutmut's operators applied to each",
        "reference solution, each mutant checked through `bind(...)` / `q.result()`.",
        "",
        "| exercise | generated | killed | equivalent | surviving | checker errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    table = summary(verdicts)
    for name, row in table.items():
        lines.append(
            f"| {name} | {row['generated']} | {row['killed']} | {row['equivalent']} "
            f"| {row['surviving']} | {row['errors']} |"
        )
    total = Counter[str]()
    for row in table.values():
        total.update(row)
    lines.append(
        f"| **total** | {total['generated']} | {total['killed']} | {total['equivalent']} "
        f"| {total['surviving']} | {total['errors']} |"
    )
    for outcome in ("surviving", "equivalent"):
        chosen = [v for v in verdicts if v.outcome == outcome]
        lines += ["", f"## {outcome.capitalize()} ({len(chosen)})", ""]
        lines += [
            f"- `{v.exercise}` line {v.line}: `{v.key}`" + (f" — {v.why}" if v.why else "")
            for v in chosen
        ] or ["None."]
    errors = [v for v in verdicts if v.status == Status.ERROR.value]
    if errors:
        lines += ["", f"## Checker errors ({len(errors)})", ""]
        lines += [f"- `{v.exercise}` `{v.key}`: {v.message.splitlines()[-1]}" for v in errors]
    return "\n".join(lines) + "\n"


def write_report(verdicts: list[Verdict], directory: Path = ARTIFACTS) -> list[Verdict]:
    """Merge `verdicts` into the JSON report (replacing their exercises); write both files."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "mutants.json"
    fresh_names = {v.exercise for v in verdicts}
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept = [Verdict(**v) for v in old.get("mutants", []) if v["exercise"] not in fresh_names]
    order = {e.name: i for i, e in enumerate(ALL)}
    merged = sorted([*kept, *verdicts], key=lambda v: (order.get(v.exercise, -1), v.line))
    report = {"summary": summary(merged), "mutants": [asdict(v) for v in merged]}
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (directory / "mutants.md").write_text(markdown(merged), encoding="utf-8")
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exercise", nargs="*", help="exercise name prefixes, e.g. ex03")
    args = parser.parse_args(argv)
    verdicts = run(selected(args.exercise), load_equivalent(), progress=print)
    write_report(verdicts)
    surviving = [v for v in verdicts if v.outcome == "surviving"]
    for verdict in surviving:
        print(f"SURVIVED {verdict.exercise} line {verdict.line}: {verdict.key}")
    print(f"report: {(ARTIFACTS / 'mutants.md').relative_to(ROOT)}")
    return 1 if surviving else 0


if __name__ == "__main__":
    raise SystemExit(main())
