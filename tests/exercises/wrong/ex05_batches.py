"""Wrong answers to exercises/05_batches.ipynb, one per misconception."""

from __future__ import annotations

import time
from typing import Any

from lessonkit.exercises.ex05_batches import RunBatch, RunUntilDone, run_batch

from . import wrong

_GOOD = "four requests, all succeed (results come back in another order)"
_FAILURES = "doc-b errors, doc-c expires and doc-d is canceled (the batch runs 24 h)"


def _runner(flaw: str = "") -> Any:
    """A learner's run_batch with one idea wrong."""

    def run_batch(client, requests, *, sleep, first_wait=30.0, max_wait=600.0):  # type: ignore[no-untyped-def]
        batches = client.messages.batches
        if flaw == "mutated":
            for request in requests:
                request["params"]["max_tokens"] = 100
        created = (
            [batches.create(requests=[r]) for r in requests]
            if flaw == "batch_count"
            else [batches.create(requests=requests)]
        )
        entries = []
        for batch in created:
            wait = 60.0 if flaw == "first_wait" else first_wait
            while batch.processing_status != "ended" and flaw != "results_early":
                if flaw == "time_sleep":
                    time.sleep(wait)
                elif flaw != "busy_poll":
                    sleep(wait)
                if flaw == "no_cap":
                    wait *= 2
                elif flaw == "doubling":
                    wait = min(wait * 3, max_wait)
                elif flaw != "no_backoff":
                    wait = min(wait * 2, max_wait)
                batch = batches.retrieve(batch.id)
            entries.extend(batches.results(batch.id))
        answers, resubmit = {}, []
        by_id = {r["custom_id"]: r for r in requests}
        for position, entry in enumerate(entries):
            kind = entry.result.type
            key = requests[position]["custom_id"] if flaw == "by_position" else entry.custom_id
            if kind == "succeeded":
                answers[key] = entry.result if flaw == "not_messages" else entry.result.message
                continue
            if flaw == "failures_as_answers":
                answers[key] = None
            if flaw == "dropped_failures" and kind == "expired":
                continue
            if flaw == "only_errored_and_expired" and kind == "canceled":
                continue
            resubmit.append(entry.custom_id if flaw == "resubmit_ids_only" else by_id[key])
        if flaw == "missing_answers":
            answers.pop(sorted(answers)[0])
        if flaw == "resubmitted_success" and resubmit:
            resubmit = list(requests)
        if flaw == "bad_shape":
            return answers
        return answers, resubmit

    return run_batch


for key, scenario in [
    ("bad_shape", _GOOD),
    ("mutated", _GOOD),
    ("batch_count", _GOOD),
    ("busy_poll", _GOOD),
    ("time_sleep", _GOOD),
    ("results_early", _GOOD),
    ("no_backoff", _GOOD),
    ("no_cap", _GOOD),
    ("first_wait", _GOOD),
    ("doubling", _GOOD),
    ("by_position", _GOOD),
    ("not_messages", _GOOD),
    ("missing_answers", _GOOD),
    ("failures_as_answers", _FAILURES),
    ("dropped_failures", _FAILURES),
    ("resubmit_ids_only", _FAILURES),
    ("resubmitted_success", _FAILURES),
]:
    wrong(RunBatch, key, scenario=scenario)(_runner(key))
wrong(RunBatch, "dropped_failures", scenario=_FAILURES)(_runner("only_errored_and_expired"))


_ONCE = "doc-b errors in the first batch only"
_ALWAYS = "doc-c is invalid and errors every round (max_rounds left at its default, 3)"
_TWO = "doc-c is invalid and errors every round (max_rounds=2)"


def _rounds(flaw: str = "") -> Any:
    """A learner's run_until_done with one idea wrong."""

    def run_until_done(client, requests, *, sleep, max_rounds=3):  # type: ignore[no-untyped-def]
        answers: dict[str, Any] = {}
        pending = requests if flaw == "mutated" else list(requests)
        rounds = 1 if flaw == "not_resubmitted" else max_rounds + (flaw == "round_count")
        if flaw == "hardcoded_rounds":
            rounds = 3
        for number in range(rounds):
            if flaw == "too_few_rounds" and number == rounds - 1:
                break  # one round too few: range(1, max_rounds)
            done, failed = run_batch(client, pending, sleep=time.sleep if flaw == "time_sleep"
                                     else sleep)
            answers = done if flaw == "lost_answers" else {**answers, **done}
            if flaw == "mutated":
                pending[:] = failed
            else:
                pending = list(requests) if failed and flaw == "resubmitted_all" else failed
            if not failed:
                break
        never = [] if flaw == "unreported" else [r["custom_id"] for r in pending]
        if flaw == "bad_shape":
            return answers
        return answers, never

    return run_until_done


for key, scenario in [
    ("bad_shape", _ONCE),
    ("mutated", _ONCE),
    ("time_sleep", _ONCE),
    ("too_few_rounds", _ALWAYS),
    ("not_resubmitted", _ONCE),
    ("resubmitted_all", _ONCE),
    ("lost_answers", _ONCE),
    ("round_count", _ALWAYS),
    ("unreported", _ALWAYS),
]:
    wrong(RunUntilDone, key, scenario=scenario)(_rounds(key))
wrong(RunUntilDone, "round_count", scenario=_TWO)(_rounds("hardcoded_rounds"))
