"""Exercise 04.2: a tool call with a side effect must not run twice when its turn is retried.

The checker plays the whole turn (model asks for ``send_email``, the learner's
`run_tool` runs it, the follow-up request fails with a 529, the turn is
retried and the model asks again with a new tool_use id) and counts the
emails that really went out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic
from anthropic.types import ToolUseBlock

from ..harness import BehaviourExercise, describe, fresh, params

__all__ = ["EMAIL_TOOL", "IdempotentTool", "MailServerDown", "run_tool"]


def run_tool(block: ToolUseBlock, *, send_email: Callable[..., str], sent: dict[str, str]) -> str:
    """Run the model's `send_email` tool call at most once per ticket; return its receipt.

    `sent` outlives retries (think: a database table): it maps your dedup key to
    the receipt `send_email` returned, so a repeated call answers without sending.
    """
    key = f"send_email/{block.input['ticket_id']}"  # the business operation, not block.id
    if key not in sent:
        sent[key] = send_email(
            to=block.input["to"], subject=block.input["subject"], body=block.input["body"]
        )
    return sent[key]


EMAIL_TOOL = {
    "name": "send_email",
    "description": "Email a customer about their support ticket.",
    "input_schema": {
        "type": "object",
        "properties": {
            "ticket_id": {"type": "string"},
            "to": {"type": "string"},
            "subject": {"type": "string"},
            "body": {"type": "string"},
        },
        "required": ["ticket_id", "to", "subject", "body"],
    },
}
_BODIES = ("Your ticket {0} is resolved.", "Good news: ticket {0} has been resolved.")


class MailServerDown(ConnectionError):
    """The checker's mail server, failing once."""


class _Mailbox:
    """The checker's `send_email`: counts real sends, and can make the world fail."""

    def __init__(self, api: Any, fail: str | None = None) -> None:
        self.api, self.fail = api, fail
        self.calls = 0
        self.outbox: list[dict[str, object]] = []

    def send_email(self, *, to: str, subject: str, body: str) -> str:
        """The exact signature the exercise text gives: keyword arguments, nothing else."""
        self.calls += 1
        if self.fail == "mail server" and self.calls == 1:
            raise MailServerDown("mail server unavailable, nothing was sent")
        self.outbox.append({"to": to, "subject": subject, "body": body})
        if self.fail == "api" and len(self.outbox) == 1:
            self.api.fail_next(529)  # the follow-up request of this turn will fail
        return f"email-{len(self.outbox)}"


class IdempotentTool(BehaviourExercise):
    """Exercise 2: a tool call that must not run twice when the turn is retried."""

    name = "ex04_run_tool"
    title = "An idempotent tool call"
    entry = "run_tool"
    timeout = 10.0
    reference = staticmethod(run_tool)
    hints = (
        "A retried turn asks the model again, and the new `tool_use` block has a new `id` "
        "(and may word the email differently). What stays the same is the ticket.",
        "Check `sent` before sending; store the receipt only after `send_email` returned, so a "
        "failed send is tried again next time.",
    )
    scenarios = (
        "529 right after the email was sent; the turn is retried",
        "two tickets for the same customer",
        "the mail server fails once; the turn is retried",
    )
    misconceptions = {
        "never_sent": "never sent the email for ticket T-1: call send_email with the "
        "tool_use block's to, subject and body.",
        "sent_twice": "sent the email for ticket T-1 twice when the turn was retried: use the "
        "ticket (the business operation) as the dedup key, not generated text.",
        "keyed_on_tool_id": "keyed the dedup on the tool_use id, so the retried turn (a new "
        "request, a new id) sent the email again: use the ticket as the key instead.",
        "over_dedup": "sent {got} email(s) for two different tickets of one customer: use the "
        "ticket as the dedup key, so different operations stay apart.",
        "marked_before_sending": "recorded ticket T-1 as sent before send_email succeeded, so "
        "after the failed send the retry skipped it: record it only once send_email returned.",
        "swallowed_send_error": "caught the mail server's error and returned normally, so the "
        "turn was not retried and the email never went out: leave the error uncaught.",
        "wrong_receipt": "returned {value} on {when}; return the receipt send_email gave "
        "({want}), so the model is told the email went out.",
        "wrong_email": "sent {got}, not the model's tool input ({want}): pass `to`, `subject` "
        "and `body` from block.input to send_email unchanged.",
    }

    def check_answer(self, answer: Any) -> None:
        sent: dict[str, str] = {}
        with self.scenario("529 right after the email was sent; the turn is retried"):
            with fresh() as (api, client):
                box = _Mailbox(api, fail="api")
                returned, _ = self._ticket(api, client, answer, "T-1", box, sent)
            if not box.outbox:
                self.wrong("never_sent")
            want = {"to": "kim@example.com", "subject": "Ticket T-1",
                    "body": _BODIES[0].format("T-1")}
            if box.outbox[0] != want:
                self.wrong("wrong_email", got=describe(box.outbox[0], 160), want=describe(want))
            if len(box.outbox) > 1:
                keyed_on_id = any(str(key).find("toolu_") >= 0 for key in sent)
                self.wrong("keyed_on_tool_id" if keyed_on_id else "sent_twice")
            for when, value in zip(("the first call", "the repeated call"), returned, strict=False):
                if value != "email-1":
                    self.wrong("wrong_receipt", value=describe(value), when=when, want="email-1")
        with self.scenario("two tickets for the same customer"):
            with fresh() as (api, client):
                box = _Mailbox(api)
                sent = {}
                for ticket in ("T-1", "T-2"):
                    self._ticket(api, client, answer, ticket, box, sent)
            if len(box.outbox) != 2:
                self.wrong("over_dedup", got=len(box.outbox))
        with self.scenario("the mail server fails once; the turn is retried"):
            with fresh() as (api, client):
                box = _Mailbox(api, fail="mail server")
                _, turns = self._ticket(api, client, answer, "T-1", box, {})
            if not box.outbox:
                self.wrong("swallowed_send_error" if turns == 1 else "marked_before_sending")

    def _ticket(
        self, api: Any, client: anthropic.Anthropic, answer: Any, ticket: str, box: _Mailbox,
        sent: dict[str, str],
    ) -> tuple[list[object], int]:
        """One support turn, retried whole (up to 3 times) on a 529 or a mail server failure."""
        returned: list[object] = []
        ask = [{"role": "user", "content": f"Tell the customer that ticket {ticket} is resolved."}]
        for turn in range(3):
            tool_input = {"ticket_id": ticket, "to": "kim@example.com",
                          "subject": f"Ticket {ticket}", "body": _BODIES[turn % 2].format(ticket)}
            api.reply(tool_use={"name": "send_email", "input": tool_input})
            first = client.messages.create(**params(tools=[EMAIL_TOOL], messages=ask))
            try:
                results = []
                for block in first.content:
                    if isinstance(block, ToolUseBlock):
                        receipt = answer(block, send_email=box.send_email, sent=sent)
                        returned.append(receipt)
                        result = {"type": "tool_result", "tool_use_id": block.id}
                        results.append({**result, "content": str(receipt)})
                follow_up = [*ask, {"role": "assistant", "content": first.content},
                             {"role": "user", "content": results}]
                client.messages.create(**params(tools=[EMAIL_TOOL], messages=follow_up))
                return returned, turn + 1
            except (anthropic.APIStatusError, MailServerDown):
                continue
        return returned, 3
