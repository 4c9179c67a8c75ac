"""A few inline-SVG primitives for the diagrams: strings in, strings out, always escaped.

The diagrams are drawn from data as text, so the same data gives the same
bytes (nbval compares them) and they render in any static notebook viewer
without a kernel or JavaScript. Coordinates are rounded to one decimal.
"""

from __future__ import annotations

from html import escape

__all__ = ["FONT", "MUTED", "STRONG", "arrow", "box", "curve", "figure", "label", "line"]

FONT = "font-family:system-ui,sans-serif;font-size:12px"
STRONG = "#cf222e"  #: the highlighted path / the first token
MUTED = "#6e7781"
_HEADS = {MUTED: "lk-arrow", STRONG: "lk-arrow-strong"}
_ARROW = (
    "<defs>"
    + "".join(
        f"<marker id='{name}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
        f"markerHeight='7' orient='auto'><path d='M0,0L10,5L0,10z' fill='{colour}'/></marker>"
        for colour, name in _HEADS.items()
    )
    + "</defs>"
)


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def figure(width: float, height: float, parts: list[str], title: str) -> str:
    """An ``<svg>`` of ``parts``; ``title`` is its accessible name (screen readers, tooltips)."""
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{_n(width)}' height='{_n(height)}' "
        f"viewBox='0 0 {_n(width)} {_n(height)}' role='img' style='{FONT};max-width:100%'>"
        f"<title>{escape(title)}</title>{_ARROW}{''.join(parts)}</svg>"
    )


def label(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    colour: str = "#24292f",
    bold: bool = False,
) -> str:
    """Text at (x, y); ``anchor`` is ``start``, ``middle`` or ``end``."""
    weight = " font-weight='bold'" if bold else ""
    return (
        f"<text x='{_n(x)}' y='{_n(y)}' text-anchor='{anchor}' fill='{colour}'{weight}>"
        f"{escape(text)}</text>"
    )


def line(
    x1: float, y1: float, x2: float, y2: float, *, colour: str = MUTED, dashed: bool = False
) -> str:
    """A plain line."""
    dash = " stroke-dasharray='4 3'" if dashed else ""
    return (
        f"<line x1='{_n(x1)}' y1='{_n(y1)}' x2='{_n(x2)}' y2='{_n(y2)}' stroke='{colour}'{dash}/>"
    )


def arrow(
    x1: float, y1: float, x2: float, y2: float, *, colour: str = MUTED, width: float = 1
) -> str:
    """A line with an arrow head at (x2, y2); ``colour`` is ``MUTED`` or ``STRONG``."""
    return (
        f"<line x1='{_n(x1)}' y1='{_n(y1)}' x2='{_n(x2)}' y2='{_n(y2)}' stroke='{colour}' "
        f"stroke-width='{_n(width)}' marker-end='url(#{_HEADS[colour]})'/>"
    )


def box(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str = "#f6f8fa",
    stroke: str = MUTED,
    stroke_width: float = 1,
    radius: float = 4,
) -> str:
    """A rounded rectangle."""
    return (
        f"<rect x='{_n(x)}' y='{_n(y)}' width='{_n(width)}' height='{_n(height)}' "
        f"rx='{_n(radius)}' fill='{fill}' stroke='{stroke}' stroke-width='{_n(stroke_width)}'/>"
    )


def curve(
    x1: float, y1: float, x2: float, y2: float, dip: float, *, colour: str = MUTED, width: float = 1
) -> str:
    """An arrow from (x1, y1) to (x2, y2) bowing ``dip`` pixels below the straight line."""
    mx, my = (x1 + x2) / 2, max(y1, y2) + dip
    return (
        f"<path d='M{_n(x1)},{_n(y1)} Q{_n(mx)},{_n(my)} {_n(x2)},{_n(y2)}' fill='none' "
        f"stroke='{colour}' stroke-width='{_n(width)}' marker-end='url(#{_HEADS[colour]})'/>"
    )
