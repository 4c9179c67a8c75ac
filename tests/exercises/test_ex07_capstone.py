"""exercises/07_capstone.ipynb: what the shared contract (test_contract.py) does not cover."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import anthropic
import httpx2

from lessonkit import models
from lessonkit.checks import Status
from lessonkit.exercises import ex07_capstone as module

RETRYABLE = {408, 409, 429}


def ask_flat(client, prompt, *, sleep, records, max_attempts=4, max_continuations=2):  # type: ignore[no-untyped-def]
    """A correct ask written differently: one function, uniform jitter, blocks as content."""
    conversation = [{"role": "user", "content": prompt}]
    parts: list[str] = []
    for _continuation in range(max_continuations + 1):
        for attempt in range(1, max_attempts + 1):
            record = {"timestamp": datetime.now(UTC), "model": models.DEFAULT}
            start = time.monotonic()
            stream_id = None
            try:
                with client.messages.stream(model=models.DEFAULT, max_tokens=1024,
                                            messages=conversation) as stream:
                    stream_id = stream.request_id
                    message = stream.get_final_message()
            except (anthropic.APIError, httpx2.TransportError) as error:
                status = getattr(error, "status_code", None)
                record.update(request_id=getattr(error, "request_id", None) or stream_id,
                              error=getattr(error, "type", None) or type(error).__name__,
                              status=status, latency=time.monotonic() - start)
                records.append(record)
                retryable = status is None or status == 200 or status in RETRYABLE
                if not (retryable or status >= 500) or attempt == max_attempts:
                    raise
                response = getattr(error, "response", None)
                header = response.headers.get("retry-after") if response is not None else None
                base = min(8, 0.5 * 2 ** (attempt - 1))
                sleep(float(header) if header else base * random.uniform(0.75, 1.0))
                continue
            record.update(request_id=stream_id, stop_reason=message.stop_reason,
                          input_tokens=message.usage.input_tokens,
                          output_tokens=message.usage.output_tokens,
                          latency=time.monotonic() - start)
            records.append(record)
            break
        parts.extend(block.text for block in message.content if block.type == "text")
        if message.stop_reason != "max_tokens":
            return "".join(parts)
        conversation = [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": [{"type": "text", "text": "".join(parts)}]},
            {"role": "user", "content": "Please continue."},
        ]
    raise RuntimeError(f"gave up: still at max_tokens after {max_continuations} continuations")


def health_report_loop(records):  # type: ignore[no-untyped-def]
    """A correct health_report written differently: one loop, no Counter."""
    report = {"requests": 0, "failed": 0, "errors": {}, "input_tokens": 0, "output_tokens": 0,
              "failed_request_ids": []}
    for record in records:
        report["requests"] += 1
        report["input_tokens"] += record.get("input_tokens", 0)
        report["output_tokens"] += record.get("output_tokens", 0)
        if "error" in record:
            report["failed"] += 1
            report["errors"][record["error"]] = report["errors"].get(record["error"], 0) + 1
            if record["request_id"] is not None:
                report["failed_request_ids"].append(record["request_id"])
    return report


def test_differently_written_correct_answers_pass() -> None:
    result = module.Ask.evaluate(ask_flat)
    assert result.status is Status.CORRECT, str(result)
    result = module.HealthReport.evaluate(health_report_loop)
    assert result.status is Status.CORRECT, str(result)


def test_the_chaos_session_leaves_the_global_random_state_as_it_found_it() -> None:
    random.seed(7)
    want = random.random()
    random.seed(7)
    module.run_chaos(module.ask)
    assert random.random() == want


def test_an_error_wrapped_in_another_is_shown_as_the_learners_own() -> None:
    """"Raise any other error at once" means that error: a wrapper is not it."""

    def ask(client, prompt, *, sleep, records, max_attempts=4, max_continuations=2):  # type: ignore[no-untyped-def]
        try:
            return ask_flat(client, prompt, sleep=sleep, records=records,
                            max_attempts=max_attempts, max_continuations=max_continuations)
        except anthropic.BadRequestError as error:
            raise ValueError(f"bad question: {error.message}") from error

    result = module.Ask.evaluate(ask)
    assert result.status is Status.INCORRECT, str(result)
    assert result.message.startswith("Your code raised ValueError: bad question"), str(result)
    assert "Scenario: a 400 invalid_request_error" in result.details
