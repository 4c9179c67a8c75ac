"""How a bank is shown: a live ipywidgets quiz in JupyterLab, the same as text and HTML elsewhere.

Displaying a view sends three forms at once (``_repr_mimebundle_``): the live
widget, plain text and escaped HTML. JupyterLab draws the widget; nbval
compares only the text and HTML (it skips widget views, whose model ids
``scripts/execute_notebooks.py`` renames to stable ones anyway), and a static
viewer without widget state falls back to the HTML. So the text and HTML must
be deterministic and reveal no answer; the widget gives feedback per option
when the learner presses **Check**, and records the attempt in progress.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from .._codespans import rendered
from .bank import Bank, Prediction, Question
from .verdict import mark

__all__ = ["PredictView", "QuizView"]

_WIDTH = 78
_BOX = "border-left:4px solid #8250df;padding:0.3em 0.8em;margin:0.4em 0"


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def _bundle(view: Any) -> dict[str, Any]:
    """The widget view (when ipywidgets is there), then the text and HTML nbval compares."""
    bundle: dict[str, Any] = {}
    try:
        bundle.update(view.widget()._repr_mimebundle_() or {})
    except ImportError:  # pragma: no cover - ipywidgets is a dependency
        pass
    bundle.update({"text/plain": str(view), "text/html": view._repr_html_()})
    return bundle


def _choices(question: Question) -> list[str]:
    return [f"{o.key}) {o.text}" for o in question.options]


class QuizView:
    """The "Check yourself" block of one lesson: ``recall.quiz("01_streaming")``."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank

    def __str__(self) -> str:
        stem = self.bank.stem
        lines = [f"Check yourself — {stem} ({len(self.bank.questions)} questions)", ""]
        for question in self.bank.questions:
            lines += _wrap(f"{question.id}. {question.prompt}")
            if question.kind == "choice":
                lines += [line for c in _choices(question) for line in _wrap(c, "    ")]
            else:
                lines.append("    (short answer)")
        first = self.bank.questions[0]
        lines += ["", "Answer in a cell, e.g.:", f'  recall.answer("{stem}", "{first.id}", "...")']
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        esc = html.escape
        items = []
        for question in self.bank.questions:
            if question.kind == "choice":
                body = "".join(f"<li>{rendered(c)}</li>" for c in _choices(question))
                body = f"<ul style='list-style:none;margin:0.2em 0'>{body}</ul>"
            else:
                body = "<div><i>short answer</i></div>"
            items.append(f"<li><b>{esc(question.id)}.</b> {rendered(question.prompt)}{body}</li>")
        stem = esc(self.bank.stem)
        call = esc(f'recall.answer("{self.bank.stem}", "{self.bank.questions[0].id}", "...")')
        return (
            f"<div style='{_BOX}'><b>Check yourself — {stem}</b>"
            f"<ol style='list-style:none;padding-left:0'>{''.join(items)}</ol>"
            f"<div>Answer in a cell, e.g. <code>{call}</code></div></div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _bundle(self)

    def widget(self) -> Any:
        """One block per question: choices or a text box, a Check button, the verdict below."""
        import ipywidgets as w

        title = w.HTML(f"<b>Check yourself — {html.escape(self.bank.stem)}</b>")
        return w.VBox([title, *(self._question_widget(q) for q in self.bank.questions)])

    def _question_widget(self, question: Question) -> Any:
        import ipywidgets as w

        prompt = w.HTML(f"<b>{html.escape(question.id)}.</b> {rendered(question.prompt)}")
        control: Any
        if question.kind == "choice":
            options = [
                (c, o.key) for c, o in zip(_choices(question), question.options, strict=True)
            ]
            control = w.RadioButtons(options=options, value=None, layout=w.Layout(width="auto"))
        else:
            control = w.Text(placeholder="your answer")
        button = w.Button(description="Check")
        feedback = w.HTML()

        def check(_: Any) -> None:
            feedback.value = mark(self.bank.stem, question, control.value)._repr_html_()

        button.on_click(check)
        return w.VBox([prompt, control, button, feedback])


class PredictView:
    """A "predict, then run" prompt: ``recall.predict("01_streaming", "p1")`` before a demo."""

    def __init__(self, bank: Bank, prediction: Prediction) -> None:
        self.bank = bank
        self.prediction = prediction

    def __str__(self) -> str:
        p = self.prediction
        lines = _wrap(f"Predict, then run — {p.prompt}")
        lines += [f"    {chr(ord('a') + n)}) {option}" for n, option in enumerate(p.options)]
        lines.append("Commit to one answer, then run the next cell to check.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        p = self.prediction
        options = "".join(f"<li>{rendered(o)}</li>" for o in p.options)
        return (
            f"<div style='{_BOX}'><b>Predict, then run:</b> {rendered(p.prompt)}"
            f"<ol type='a'>{options}</ol>"
            "<div>Commit to one answer, then run the next cell to check.</div></div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return _bundle(self)

    def reveal(self, choice: str) -> str:
        """The HTML shown once the learner has chosen: their pick, the answer, why."""
        p = self.prediction
        verdict = "Right" if choice == p.answer else "Not quite"
        return (
            f"<div style='{_BOX}'><b>{verdict}.</b> You predicted <i>{rendered(choice)}</i>; "
            f"the answer is <i>{rendered(p.answer)}</i>. {rendered(p.explain)} "
            "Now run the next cell and watch it happen.</div>"
        )

    def widget(self) -> Any:
        """Choices without an answer; choosing one locks it and reveals the explanation."""
        import ipywidgets as w

        p = self.prediction
        prompt = w.HTML(f"<b>Predict, then run:</b> {rendered(p.prompt)}")
        choices = w.RadioButtons(options=list(p.options), value=None, layout=w.Layout(width="auto"))
        feedback = w.HTML()

        def chosen(change: dict[str, Any]) -> None:
            if change["new"] is None:
                return
            choices.disabled = True
            feedback.value = self.reveal(change["new"])

        choices.observe(chosen, names="value")
        return w.VBox([prompt, choices, feedback])
