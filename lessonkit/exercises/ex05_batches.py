"""Checkers for exercises/05_batches.ipynb: a batch runner on the virtual clock, and resubmission.

The learner's ``sleep`` is a :class:`SleepLog` that moves ``api.clock``, so a
batch that takes half an hour finishes after a few polls and no wall time.
Results come back in an order unrelated to submission (the fake hashes
custom_ids), which is what makes matching by position visible.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import anthropic
from anthropic.types import Message
from anthropic.types.messages.batch_create_params import Request

from .. import models
from ..fakeapi.app import FakeAPI
from .harness import BehaviourExercise, Outcome, SleepLog, attempt, describe, fresh, used_time_sleep

__all__ = ["EXERCISES", "RunBatch", "RunUntilDone", "run_batch", "run_until_done"]

BATCHES = "/v1/messages/batches"


def run_batch(
    client: anthropic.Anthropic,
    requests: list[Request],
    *,
    sleep: Callable[[float], object],
    first_wait: float = 30.0,
    max_wait: float = 600.0,
) -> tuple[dict[str, Message], list[Request]]:
    """Run `requests` as one Message Batch; return (messages by custom_id, requests to resubmit).

    Polls until processing_status is "ended": waits `first_wait` seconds, then
    twice as long each time, never more than `max_wait`. Requests whose result
    errored, expired or was canceled come back unchanged in the second list.
    """
    batch = client.messages.batches.create(requests=requests)
    wait = first_wait
    while batch.processing_status != "ended":
        sleep(wait)
        wait = min(wait * 2, max_wait)
        batch = client.messages.batches.retrieve(batch.id)
    by_id = {request["custom_id"]: request for request in requests}
    answers: dict[str, Message] = {}
    resubmit: list[Request] = []
    for entry in client.messages.batches.results(batch.id):  # in any order: match by custom_id
        if entry.result.type == "succeeded":
            answers[entry.custom_id] = entry.result.message
        else:
            resubmit.append(by_id[entry.custom_id])
    return answers, resubmit


def requests_for(ids: tuple[str, ...], invalid: str = "") -> list[dict[str, Any]]:
    """One small request per custom_id (`invalid`'s has max_tokens=0: it errors every time)."""
    return [
        {
            "custom_id": custom_id,
            "params": {
                "model": models.FAST,
                "max_tokens": 0 if custom_id == invalid else 200,
                "messages": [{"role": "user", "content": f"Summarise document {custom_id}."}],
            },
        }
        for custom_id in ids
    ]


_IDS = ("doc-a", "doc-b", "doc-c", "doc-d")
_ALL_GOOD = "four requests, all succeed (results come back in another order)"
_FAILURES = "doc-b errors, doc-c expires and doc-d is canceled (the batch runs 24 h)"


def _answer_of(custom_id: str) -> str:
    return f"Summary of {custom_id}."


def _created(api: FakeAPI) -> list[list[str]]:
    """The custom_ids of every batch created, in order."""
    return [
        [entry["custom_id"] for entry in r.json["requests"]]
        for r in api.requests
        if r.method == "POST" and r.path == BATCHES and r.status == 200
    ]


class RunBatch(BehaviourExercise):
    """Exercise 1: create, poll with backoff, match results by custom_id, collect failures."""

    name = "ex05_run_batch"
    title = "A batch runner"
    entry = "run_batch"
    timeout = 10.0
    reference = staticmethod(run_batch)
    hints = (
        "`client.messages.batches.create(requests=requests)`, then loop while "
        "`batch.processing_status != 'ended'`: `sleep(wait)`, double `wait` up to `max_wait`, "
        "`batch = client.messages.batches.retrieve(batch.id)`.",
        "`client.messages.batches.results(batch.id)` yields entries in any order. Each has a "
        "`custom_id` and a `result` whose `type` is 'succeeded', 'errored', 'canceled' or "
        "'expired'. Build a dict of your requests by custom_id to find the original.",
    )
    scenarios = (_ALL_GOOD, _FAILURES)
    misconceptions = {
        "bad_shape": "returned {value}: return (dict of Message by custom_id, list of requests "
        "to resubmit).",
        "mutated": "changed the `requests` list you were given ({how}): build new lists and "
        "leave the caller's requests as they were, they may be resubmitted.",
        "batch_count": "created {got} batches for one run: submit all requests in one batch.",
        "busy_poll": "polled the batch {got} times without waiting in between: sleep between "
        "polls, or you burn your rate limit asking the same question.",
        "time_sleep": "called time.sleep {got} time(s) and the given `sleep` never: wait "
        "only with the `sleep` you were given, so the check (and your tests) need not wait.",
        "results_early": "asked for the results before processing_status was 'ended': poll "
        "(retrieve the batch again) until it is, then read the results.",
        "no_backoff": "waited the same {wait:g} s before every poll: back off (double the wait) "
        "so a long batch costs a few polls, not hundreds.",
        "no_cap": "waited {got:g} s between two polls, more than max_wait={cap:g}: cap the "
        "backoff, or you notice the end of the batch hours late.",
        "first_wait": "waited {got:g} s before the first poll; start with first_wait={want:g}.",
        "doubling": "waited {got:g} s before poll {n}, after {before:g} s: wait twice as "
        "long each time ({want:g} s here), never more than max_wait.",
        "by_position": "matched results by position, so {custom_id} got another request's "
        "answer: the results come back in any order, so match each by its custom_id.",
        "not_messages": "the answer for {custom_id} is {value}: keep the result's Message "
        "(entry.result.message).",
        "missing_answers": "the answers lack {ids}, which succeeded: put every 'succeeded' "
        "result in the answers, by its custom_id.",
        "failures_as_answers": "put {ids} in the answers although their results were not "
        "'succeeded': return those requests for resubmission instead.",
        "dropped_failures": "did not return {ids} for resubmission, whose result is {kinds}: "
        "return every request that did not succeed, or it is lost.",
        "resubmit_ids_only": "returned {value} for resubmission: return the original request "
        "dicts (custom_id and params), ready to send again.",
        "resubmitted_success": "returned {ids} for resubmission although they succeeded: "
        "resubmit only what errored, expired or was canceled.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario(_ALL_GOOD):  # the defaults: first_wait=30, max_wait=600
            self._run(answer, _IDS, failing={}, limits={})
        with self.scenario(_FAILURES):
            failing = {"doc-b": "errored", "doc-c": "expired", "doc-d": "canceled"}
            self._run(answer, _IDS, failing=failing,
                      limits={"first_wait": 45.0, "max_wait": 3600.0})

    def _run(self, answer: Any, ids: tuple[str, ...], *, failing: dict[str, str],
             limits: dict[str, float]) -> None:
        requests = requests_for(ids)
        given = copy.deepcopy(requests)
        with fresh(budget=120) as (api, client):
            for custom_id in ids:
                if custom_id in failing:
                    api.batch_outcome(custom_id, failing[custom_id])
                else:
                    api.batch_outcome(custom_id, "succeeded", text=_answer_of(custom_id))
            log = SleepLog(api)
            outcome = attempt(answer, client, given, sleep=log, **limits)
            self._polling(api, outcome, log, limits.get("first_wait", 30.0),
                          limits.get("max_wait", 600.0))
        if given != requests:
            self.wrong("mutated", how=_change(requests, given))
        value = outcome.value
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)
                and isinstance(value[1], list)):
            self.wrong("bad_shape", value=describe(value))
        answers, resubmit = value
        self._answers(answers, ids, failing)
        self._resubmit(resubmit, requests, failing)

    def _polling(self, api: FakeAPI, outcome: Outcome, log: SleepLog, first_wait: float,
                 max_wait: float) -> None:
        polls = sum(1 for r in api.requests if r.method == "GET" and r.path.count("/") == 4)
        if outcome.runaway:
            self.wrong("busy_poll", got=polls)
        # The SDK refuses results without a results_url (AnthropicError) before asking.
        refused = isinstance(outcome.error, anthropic.AnthropicError) and "results_url" in str(
            outcome.error
        )
        early = [r for r in api.requests if r.path.endswith("/results") and r.status != 200]
        if refused or early:
            self.wrong("results_early")
        if outcome.raised:  # the learner's own exception, with their lines
            outcome.reraise()
        if len(_created(api)) != 1:
            self.wrong("batch_count", got=len(_created(api)))
        if not log.waits and used_time_sleep(api):
            self.wrong("time_sleep", got=sum(1 for s in api.clock.sleeps
                                             if s.source == "time.sleep"))
        waits = log.waits
        if waits and abs(waits[0] - first_wait) > 1e-6:
            self.wrong("first_wait", got=waits[0], want=first_wait)
        if len(waits) >= 3 and max(waits) <= min(waits) * 1.01:
            self.wrong("no_backoff", wait=waits[0])
        if waits and max(waits) > max_wait + 1e-6:
            self.wrong("no_cap", got=max(waits), cap=max_wait)
        for n, (before, got) in enumerate(zip(waits, waits[1:], strict=False), start=2):
            want = min(before * 2, max_wait)
            if abs(got - want) > 1e-6:
                self.wrong("doubling", got=got, n=n, before=before, want=want)

    def _answers(self, answers: dict[Any, Any], ids: tuple[str, ...],
                 failing: dict[str, str]) -> None:
        extra = sorted(str(k) for k in answers if k in failing)
        if extra:
            self.wrong("failures_as_answers", ids=", ".join(extra))
        missing = [i for i in ids if i not in failing and i not in answers]
        if missing:
            self.wrong("missing_answers", ids=", ".join(missing))
        for custom_id, message in answers.items():
            if not isinstance(message, Message):
                self.wrong("not_messages", custom_id=custom_id, value=describe(message, 60))
            text = "".join(b.text for b in message.content if b.type == "text")
            if text != _answer_of(str(custom_id)):
                self.wrong("by_position", custom_id=custom_id)

    def _resubmit(self, resubmit: list[Any], requests: list[dict[str, Any]],
                  failing: dict[str, str]) -> None:
        if any(not isinstance(item, dict) for item in resubmit):
            self.wrong("resubmit_ids_only", value=describe(resubmit, 60))
        got = {item.get("custom_id") for item in resubmit}
        dropped = sorted(set(failing) - got)
        if dropped:
            kinds = " or ".join(sorted({failing[i] for i in dropped}))
            self.wrong("dropped_failures", ids=", ".join(dropped), kinds=kinds)
        succeeded = sorted(str(i) for i in got - set(failing))
        if succeeded:
            self.wrong("resubmitted_success", ids=", ".join(succeeded))
        originals = {r["custom_id"]: r for r in requests}
        if any(item != originals.get(item.get("custom_id")) for item in resubmit):
            self.wrong("resubmit_ids_only", value=describe(resubmit, 60))


def _change(before: list[dict[str, Any]], after: object) -> str:
    """How a learner changed the request list they were given, in a few words."""
    if not isinstance(after, list) or len(after) != len(before):
        return f"it now holds {describe(after, 60)}"
    changed = [b.get("custom_id") for b, a in zip(before, after, strict=True) if a != b]
    return f"the request for {', '.join(map(str, changed))} changed"


def run_until_done(
    client: anthropic.Anthropic,
    requests: list[Request],
    *,
    sleep: Callable[[float], object],
    max_rounds: int = 3,
) -> tuple[dict[str, Message], list[str]]:
    """Run batches until every request succeeded or `max_rounds` batches were spent.

    Each round after the first resubmits only the requests that did not succeed.
    Returns (messages by custom_id, custom_ids that never succeeded).
    """
    answers: dict[str, Message] = {}
    pending = list(requests)
    for _ in range(max_rounds):
        done, pending = run_batch(client, pending, sleep=sleep)
        answers.update(done)
        if not pending:
            break
    return answers, [request["custom_id"] for request in pending]


_ONCE = "doc-b errors in the first batch only"
_ALWAYS = "doc-c is invalid and errors every round (max_rounds left at its default, 3)"
_TWO = "doc-c is invalid and errors every round (max_rounds=2)"


class RunUntilDone(BehaviourExercise):
    """Exercise 2: resubmit only what failed, a bounded number of times."""

    name = "ex05_run_until_done"
    title = "Resubmit what failed"
    entry = "run_until_done"
    timeout = 10.0
    reference = staticmethod(run_until_done)
    hints = (
        "Call your `run_batch` in a loop; its second result is exactly what to send next.",
        "Keep the answers of every round (`answers.update(...)`) and stop after `max_rounds` "
        "batches even if some requests never succeed: an invalid request fails every time.",
    )
    scenarios = (_ONCE, _ALWAYS, _TWO)
    misconceptions = {
        "bad_shape": "returned {value}: return (dict of Message by custom_id, list of "
        "custom_ids that never succeeded).",
        "mutated": "changed the `requests` list you were given ({how}): keep what is still "
        "pending in a list of your own.",
        "time_sleep": "called time.sleep {got} time(s) and the given `sleep` never: pass "
        "`sleep=sleep` on to run_batch.",
        "not_resubmitted": "did not resubmit {ids}, which errored in the first batch: run "
        "another batch with the requests that failed.",
        "resubmitted_all": "resubmitted {ids}, which had already succeeded: you pay for "
        "them twice; resubmit only what failed.",
        "lost_answers": "the final answers lack {ids}, which succeeded in an earlier round: "
        "keep the answers of every round.",
        "round_count": "ran {got} batches with max_rounds={want}: a request that fails every "
        "round must not be resubmitted forever; stop after max_rounds batches.",
        "too_few_rounds": "ran {got} batches with max_rounds={want} while doc-c was still "
        "failing: spend every round (stop early only when nothing is left to resubmit).",
        "unreported": "reported never-succeeded ids {got}; expected {want}: return the "
        "custom_ids still failing after the last round.",
    }

    def check_answer(self, answer: Any) -> None:
        with self.scenario(_ONCE):
            batches, value = self._run(answer, scripted={"doc-b": "errored"}, invalid="",
                                       rounds={"max_rounds": 3})
            answers, failed = self._shape(value)
            if len(batches) < 2:
                self.wrong("not_resubmitted", ids="doc-b")
            again = sorted(set(batches[1]) - {"doc-b"})
            if again:
                self.wrong("resubmitted_all", ids=", ".join(again))
            self._final(answers, failed, want_failed=[])
        for label, rounds in ((_ALWAYS, {}), (_TWO, {"max_rounds": 2})):
            with self.scenario(label):
                want = rounds.get("max_rounds", 3)
                batches, value = self._run(answer, scripted={}, invalid="doc-c", rounds=rounds)
                if len(batches) > want:
                    self.wrong("round_count", got=len(batches), want=want)
                if len(batches) < want:
                    self.wrong("too_few_rounds", got=len(batches), want=want)
                again = sorted({i for later in batches[1:] for i in later} - {"doc-c"})
                if again:
                    self.wrong("resubmitted_all", ids=", ".join(again))
                answers, failed = self._shape(value)
                self._final(answers, failed, want_failed=["doc-c"])

    def _run(self, answer: Any, *, scripted: dict[str, str], invalid: str,
             rounds: dict[str, int]) -> tuple[list[list[str]], object]:
        requests = requests_for(_IDS, invalid)
        given = copy.deepcopy(requests)
        with fresh(budget=300) as (api, client):
            for custom_id, outcome in scripted.items():
                api.batch_outcome(custom_id, outcome)
            log = SleepLog(api)
            outcome_ = attempt(answer, client, given, sleep=log, **rounds)
            batches = _created(api)
            slept = sum(1 for s in api.clock.sleeps if s.source == "time.sleep")
        if outcome_.runaway:
            self.wrong("round_count", got=len(batches), want=rounds.get("max_rounds", 3))
        if outcome_.raised:
            outcome_.reraise()
        if given != requests:
            self.wrong("mutated", how=_change(requests, given))
        if slept and not log.waits:
            self.wrong("time_sleep", got=slept)
        return batches, outcome_.value

    def _shape(self, value: object) -> tuple[dict[Any, Any], list[Any]]:
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)
                and isinstance(value[1], list | tuple | set)):
            self.wrong("bad_shape", value=describe(value))
        return value[0], list(value[1])

    def _final(self, answers: dict[Any, Any], failed: list[Any], *, want_failed: list[str]) -> None:
        lost = [i for i in _IDS if i not in want_failed and i not in answers]
        if lost:
            self.wrong("lost_answers", ids=", ".join(lost))
        if sorted(map(str, failed)) != want_failed:
            self.wrong("unreported", got=describe(sorted(map(str, failed))), want=want_failed)


EXERCISES = (RunBatch, RunUntilDone)
