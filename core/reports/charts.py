"""Charts drawn on the server: SVG for pages and PDFs, PNG for Word.

A :class:`~core.exports.document.Chart` carries its own data, so drawing it needs no
database. The SVG keeps its text as text (``svg.fonttype = "none"``): it stays sharp,
searchable and selectable, and the browser or WeasyPrint sets it in the page's font.

Every chart must read in greyscale print and for people who cannot tell the colours
apart, so colour is never the only difference between series: bars carry hatching,
lines carry their own marker and dash, and the palette steps in lightness.

Drawing goes through matplotlib's object-oriented API (a ``Figure`` of its own per
chart, never pyplot's global figure list), so nothing is left open after a call. The
few settings matplotlib only reads from its global ``rcParams`` are applied under a
lock, which also keeps two threads from drawing at once (matplotlib is not
thread-safe). Pages draw the same charts again and again, so the output is cached by
the chart's data (charts are frozen dataclasses, hashable by value): in the process, and
inside an app in the instance folder too, for the server's other processes.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import textwrap
import threading
from collections.abc import Callable
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import matplotlib
from flask import current_app, has_app_context
from matplotlib.figure import Figure

from core.exports.document import Chart

#: Colours that step in lightness (dark blue, orange, light blue, dark pink, grey, ...),
#: from the Government Analysis Function's accessible palette, so series differ in
#: greyscale as well as in hue.
PALETTE = ("#12436d", "#f46a25", "#a6cee3", "#801650", "#707070", "#28a197", "#3d3d3d")
#: Hatching per series (bars): the difference that survives a black-and-white printer.
HATCHES = ("", "//", "xx", "\\\\", "--", "||", "++")
#: Marker and dash per series (lines).
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DASHES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))

#: matplotlib reads these from rcParams only. ``svg.hashsalt`` makes its generated
#: ids the same from run to run; ``svg.fonttype = "none"`` writes text as text.
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "hatch.linewidth": 0.8,
    "axes.titlesize": 11,
}

_LOCK = threading.Lock()
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')


def svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element to put inline in HTML.

    It has ``role="img"`` and is labelled by its ``<title>`` (the chart's title) and
    ``<desc>`` (its description); every id in it starts with a prefix of this chart's
    own, so several charts on one page never clash. Same data, same text.
    """
    return _svg(chart)


def png(chart: Chart, dpi: int = 150) -> bytes:
    """The chart as a PNG image (for Word, which does not take SVG everywhere)."""
    return _png(chart, dpi)


def chart_id(chart: Chart) -> str:
    """A short id for the chart, the same for the same data."""
    digest = hashlib.sha256(repr(chart).encode()).hexdigest()[:10]
    key = re.sub(r"[^A-Za-z0-9_-]+", "-", chart.key).strip("-")
    return f"chart-{key}-{digest}" if key else f"chart-{digest}"


@lru_cache(maxsize=256)
def _svg(chart: Chart) -> str:
    def draw() -> bytes:
        prefix = chart_id(chart)
        raw = _render(chart, "svg", salt=prefix, dpi=72).decode("utf-8")
        return _accessible(raw, chart, prefix).encode("utf-8")

    return _shared(chart, "svg", 72, draw).decode("utf-8")


@lru_cache(maxsize=32)
def _png(chart: Chart, dpi: int) -> bytes:
    return _shared(chart, "png", dpi, lambda: _render(chart, "png", salt=chart_id(chart), dpi=dpi))


# -- drawn once per server -----------------------------------------------------------------
#
# Each gunicorn worker, and the job runner that writes committee packs, is a process of
# its own with its own cache above: a trend page of 35 charts took each of them four
# seconds to draw the first time. Inside an app the drawn chart is also written to the
# instance folder, where every process on the server finds it. The file is named by a
# digest of the chart's data and of everything else that shapes the drawing, so a
# chart with other data, or drawn by another matplotlib or another version of this
# module's drawing, is a different file. Files are written whole (a temporary file
# renamed), and the oldest go when there are more than :data:`SHARED_FILES`.

#: Bump when the drawing changes (colours, sizes, the accessible markup): new names.
DRAWING_VERSION = 1
#: Charts kept in the instance folder (each some 10-40 KB).
SHARED_FILES = 5000
_written = 0


def _shared_folder() -> Path | None:
    if not has_app_context():
        return None
    return Path(current_app.instance_path) / "chart-cache"


def _shared(chart: Chart, fmt: str, dpi: int, draw: Callable[[], bytes]) -> bytes:
    folder = _shared_folder()
    if folder is None:
        return draw()
    key = f"{DRAWING_VERSION}|{matplotlib.__version__}|{fmt}|{dpi}|{chart!r}"
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()}.{fmt}"
    try:
        return path.read_bytes()
    except OSError:
        pass  # not drawn yet on this server (or unreadable: draw it)
    drawn = draw()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as part:
            try:
                part.write(drawn)
                part.close()
                os.replace(part.name, path)
            except OSError:
                Path(part.name).unlink(missing_ok=True)
                raise
        _prune(folder)
    except OSError:
        pass  # a read-only or full instance folder: the chart is still shown
    return drawn


def _prune(folder: Path) -> None:
    """Every 100 writes of this process, remove the oldest charts beyond the limit."""
    global _written
    _written += 1
    if _written % 100:
        return
    dated = []
    for chart_file in [*folder.glob("*.svg"), *folder.glob("*.png")]:
        try:
            dated.append((chart_file.stat().st_mtime, chart_file))
        except FileNotFoundError:
            continue  # another process pruned it first
    dated.sort(reverse=True)
    for _, old in dated[SHARED_FILES:]:
        old.unlink(missing_ok=True)


def _render(chart: Chart, fmt: str, salt: str, dpi: int) -> bytes:
    _check(chart)
    with _LOCK, matplotlib.rc_context({**_RC, "svg.hashsalt": salt}):
        figure = Figure(figsize=_size(chart), layout="constrained")
        try:
            axes = figure.add_subplot()
            _DRAW[chart.kind](axes, chart)
            _finish(axes, chart)
            out = io.BytesIO()
            # No date in the file: the same chart gives the same bytes.
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            figure.savefig(out, format=fmt, dpi=dpi, metadata=metadata)
        finally:
            # Drop the drawing at once (nothing holds it: it was never in pyplot's list).
            figure.clear()
    return out.getvalue()


def _check(chart: Chart) -> None:
    if chart.kind not in _DRAW:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    for series in chart.series:
        if len(series.values) != len(chart.categories):
            raise ValueError(
                f"series {series.name!r} has {len(series.values)} values "
                f"for {len(chart.categories)} categories"
            )


def _size(chart: Chart) -> tuple[float, float]:
    if chart.kind == "stacked_bar":
        # One row per category; long standard names wrap onto two or three lines.
        return (7.0, max(2.6, 1.4 + 0.42 * len(chart.categories)))
    return (7.0, 3.8)


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def value_axis_label(chart: Chart) -> str:
    """The value axis's title, with its unit ("Share of audits (%)")."""
    if chart.unit == "%":
        return "Share of audits (%)"
    return chart.unit[:1].upper() + chart.unit[1:] if chart.unit else "Value"


def _category_label(chart: Chart) -> str:
    # The data table's first column header names the categories ("Standard", "Quarter").
    return chart.table.columns[0] if chart.table.columns else ""


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _draw_stacked_bar(axes: Any, chart: Chart) -> None:
    positions = range(len(chart.categories))
    left = [0.0] * len(chart.categories)
    for index, series in enumerate(chart.series):
        # A None is a gap: no segment, and the next one starts where this one would have.
        widths = [0.0 if v is None else float(v) for v in series.values]
        bars = axes.barh(
            positions,
            widths,
            left=left,
            height=0.62,
            label=series.name,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor="#0b0c0c",
            linewidth=0.6,
        )
        labels = [_short(v) if v is not None and v >= 8 else "" for v in series.values]
        axes.bar_label(
            bars,
            labels=labels,
            label_type="center",
            fontsize=8,
            color="#0b0c0c",
            # A white box keeps the figure legible over the hatching.
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "#ffffff", "edgecolor": "none"},
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(list(positions), [_wrap(c) for c in chart.categories])
    axes.invert_yaxis()  # the first category at the top, as in the table
    if chart.unit == "%":
        axes.set_xlim(0, 100)
    axes.set_xlabel(value_axis_label(chart))
    axes.set_ylabel(_category_label(chart))
    axes.grid(axis="x", color="#b1b4b6", linewidth=0.5)


def _draw_bar(axes: Any, chart: Chart) -> None:
    count = max(len(chart.series), 1)
    width = 0.8 / count
    for index, series in enumerate(chart.series):
        offset = (index - (count - 1) / 2) * width
        positions = [p + offset for p, v in enumerate(series.values) if v is not None]
        heights = [float(v) for v in series.values if v is not None]
        axes.bar(
            positions,
            heights,
            width=width,
            label=series.name,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor="#0b0c0c",
            linewidth=0.6,
        )
    axes.set_xticks(range(len(chart.categories)), [_wrap(c, 14) for c in chart.categories])
    if chart.unit == "%":
        axes.set_ylim(0, 100)
    axes.set_ylabel(value_axis_label(chart))
    axes.set_xlabel(_category_label(chart))
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)


def _draw_line(axes: Any, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    for index, series in enumerate(chart.series):
        # NaN breaks the line: a period without data is a gap, not a fall to zero.
        axes.plot(
            positions,
            [_number(v) for v in series.values],
            label=series.name,
            gid=f"series-{index + 1}",
            color=PALETTE[index % len(PALETTE)],
            marker=MARKERS[index % len(MARKERS)],
            linestyle=DASHES[index % len(DASHES)],
            markersize=6,
            markeredgecolor="#0b0c0c",
            markeredgewidth=0.6,
            linewidth=1.8,
        )
    axes.set_xticks(positions, [_wrap(c, 12) for c in chart.categories])
    if chart.unit == "%":
        axes.set_ylim(0, 100)
    axes.set_ylabel(value_axis_label(chart))
    axes.set_xlabel(_category_label(chart))
    axes.grid(axis="y", color="#b1b4b6", linewidth=0.5)


_DRAW = {"stacked_bar": _draw_stacked_bar, "bar": _draw_bar, "line": _draw_line}


def _finish(axes: Any, chart: Chart) -> None:
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    has_data = any(v is not None for s in chart.series for v in s.values)
    if not has_data:
        axes.text(
            0.5, 0.5, "No data for this period", transform=axes.transAxes, ha="center", va="center"
        )
    if chart.series:
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16 if chart.kind != "stacked_bar" else -0.08),
            ncols=min(len(chart.series), 4),
            frameon=False,
            handlelength=2.6,
        )
        if chart.kind == "stacked_bar":
            axes.get_legend().set_loc("lower center")
            axes.get_legend().set_bbox_to_anchor((0.5, 1.0))


def _short(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


_STYLE = re.compile(r'\sstyle="([^"]*)"')


def _without_style_attributes(body: str) -> str:
    """Each ``style="fill: #fff; ..."`` as presentation attributes (``fill="#fff"``).

    The pages' content security policy allows no inline styles (``style-src 'self'``),
    so a browser ignores ``style`` attributes and would paint every shape black. SVG's
    presentation attributes carry the same properties and are not styles.
    """

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        found = _STYLE.search(text)
        if found is None:
            return text
        text = text[: found.start()] + text[found.end() :]
        for declaration in found.group(1).split(";"):
            name, _, value = (part.strip() for part in declaration.partition(":"))
            if not name or not value:
                continue
            # The declaration wins over an attribute of the same name, as in CSS.
            text = re.sub(rf'\s{re.escape(name)}="[^"]*"', "", text)
            closing = "/>" if text.endswith("/>") else ">"
            text = f'{text[: -len(closing)].rstrip()} {name}="{value}"{closing}'
        return text

    return re.sub(r"<[a-zA-Z][^<>]*>", tag, body)


def _accessible(raw: str, chart: Chart, prefix: str) -> str:
    """matplotlib's SVG as an inline, labelled, clash-free element."""
    body = raw[raw.index("<svg") :]
    # matplotlib numbers its groups (figure_1, axes_1 ...) the same in every chart.
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = _REF.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body)
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, count=1, flags=re.S)
    # Its <style>*{...}</style> would reach every element of the page it sits in.
    body = re.sub(r"<style[^>]*>.*?</style>\s*", "", body, flags=re.S)
    body = _without_style_attributes(body)
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    labelled = f"{title_id} {desc_id}" if chart.description else title_id
    opening_end = body.index(">") + 1
    opening = body[: opening_end - 1].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{labelled}" class="careaudit-chart__image" '
        # What the removed <style> set for every element, inherited from the root instead.
        'stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )
    title = f'<title id="{title_id}">{escape(chart.title)}</title>'
    desc = f'<desc id="{desc_id}">{escape(chart.description)}</desc>' if chart.description else ""
    return f"{opening}>{title}{desc}{body[opening_end:]}".strip()
