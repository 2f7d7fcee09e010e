"""Charts are drawn on the server as SVG with real text, readable in greyscale and by
screen readers, the same bytes for the same data (core/reports/charts.py)."""

from __future__ import annotations

import os
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from core.exports.document import Chart, Series
from core.reports import charts
from tests.core.exports.sample import STANDARDS, ratings_chart, standards_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def all_text(root: ET.Element) -> str:
    """Every word the chart shows as text, on one line (wrapped labels joined up)."""
    words = [" ".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    return " ".join(" ".join(words).split())


@pytest.mark.parametrize("make", [standards_chart, trend_chart, ratings_chart])
def test_svg_is_an_inline_labelled_image(make) -> None:
    """An <svg> element (no XML prolog) with role="img", labelled by its title and description."""
    chart = make()
    markup = charts.svg(chart)
    assert markup.startswith("<svg ")
    assert "<?xml" not in markup and "<!DOCTYPE" not in markup
    root = parse(markup)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == chart.title
    labelled_by = root.get("aria-labelledby", "").split()
    assert labelled_by[0] == title.get("id")
    if chart.description:
        desc = root.find(f"{SVG}desc")
        assert desc is not None and desc.text == chart.description
        assert labelled_by[1] == desc.get("id")


def test_labels_are_real_text() -> None:
    """Category labels, legend and axis titles are text, not paths (svg.fonttype none)."""
    text = all_text(parse(charts.svg(standards_chart())))
    for standard in STANDARDS:
        assert standard in text
    for name in ("Met", "Partially met", "Not met", "Share of audits (%)", "Standard"):
        assert name in text


def test_figures_are_written_on_the_bars() -> None:
    text = all_text(parse(charts.svg(standards_chart())))
    assert "12.5" in text and "62.5" in text and "80" in text


def test_same_data_same_bytes() -> None:
    """Identical output for identical data, even when drawn afresh (no dates, salted ids)."""
    first = charts.svg(standards_chart())
    charts._svg.cache_clear()
    assert charts.svg(standards_chart()) == first


def test_drawn_once_then_cached_by_data() -> None:
    chart = trend_chart()
    charts.svg(chart)
    hits = charts._svg.cache_info().hits
    assert charts.svg(trend_chart()) is charts.svg(chart)
    assert charts._svg.cache_info().hits >= hits + 2


def test_ids_do_not_clash_between_charts() -> None:
    """Several charts on one page: no id twice, and every reference stays inside its chart."""
    seen: set[str] = set()
    for make in (standards_chart, trend_chart, ratings_chart):
        markup = charts.svg(make())
        ids = re.findall(r'\bid="([^"]+)"', markup)
        assert len(ids) == len(set(ids))
        assert not seen & set(ids)
        seen |= set(ids)
        for target in re.findall(r'(?:href="#|url\(#)([^")]+)', markup):
            assert target in ids


def test_no_page_wide_style() -> None:
    """matplotlib's <style>*{...}</style> would restyle the whole page: it is left out."""
    assert "<style" not in charts.svg(standards_chart())


@pytest.mark.parametrize("make", [standards_chart, trend_chart])
def test_colours_survive_the_content_security_policy(make) -> None:
    """Pages allow no inline styles (style-src 'self'): a browser would ignore ``style``
    attributes and paint every shape black, so fills and fonts are SVG attributes."""
    drawn = charts.svg(make())
    assert " style=" not in drawn
    root = ET.fromstring(drawn)
    fills = {e.get("fill") for e in root.iter() if e.get("fill")}
    assert "#ffffff" in fills and len(fills) >= 3
    assert any(e.get("font-family") for e in root.iter())


def test_a_missing_value_is_a_gap_in_the_line() -> None:
    """None is drawn as a break in the line (two pieces), never as a fall to zero."""
    root = parse(charts.svg(trend_chart()))
    independent = next(g for g in root.iter(f"{SVG}g") if g.get("id", "").endswith("series-2"))
    complete = next(g for g in root.iter(f"{SVG}g") if g.get("id", "").endswith("series-1"))
    path = independent.find(f"{SVG}path").get("d")  # type: ignore[union-attr]
    assert path.count("M") == 2  # Q1 alone, then Q3 to Q4
    assert complete.find(f"{SVG}path").get("d").count("M") == 1  # type: ignore[union-attr]


def test_series_differ_without_colour() -> None:
    """Bars are hatched and lines marked and dashed differently; colours step in lightness."""
    assert len(set(charts.HATCHES)) == len(charts.HATCHES)
    assert len(set(charts.MARKERS)) == len(charts.MARKERS)
    assert len({str(d) for d in charts.DASHES}) == len(charts.DASHES)

    def lightness(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    first_three = sorted(lightness(c) for c in charts.PALETTE[:3])
    assert first_three[1] - first_three[0] > 0.15 and first_three[2] - first_three[1] > 0.15
    markup = charts.svg(standards_chart())
    assert markup.count("<pattern") == 2  # "Partially met" and "Not met" are hatched


def test_png_for_word() -> None:
    chart = standards_chart()
    small, large = charts.png(chart, dpi=72), charts.png(chart, dpi=150)
    assert small.startswith(b"\x89PNG") and large.startswith(b"\x89PNG")
    assert len(large) > len(small)


def test_no_figure_is_left_open() -> None:
    """Figures are not pyplot's: drawing many leaves nothing in pyplot's figure list."""
    from matplotlib._pylab_helpers import Gcf

    for value in range(5):
        charts.svg(replace(trend_chart(), title=f"Trend {value}"))
    assert Gcf.get_num_fig_managers() == 0


def test_threads_draw_the_same_chart() -> None:
    charts._svg.cache_clear()
    expected = charts.svg(ratings_chart())
    results: list[str] = []

    def draw(index: int) -> None:
        results.append(
            charts._render(replace(ratings_chart(), key=f"t{index}"), "svg", "s", 72).decode()
        )

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert charts.svg(ratings_chart()) == expected


def test_no_data_says_so() -> None:
    chart = Chart(
        title="Nothing yet",
        kind="bar",
        categories=("Q1",),
        series=(Series("Line management", (None,)),),
        table=ratings_chart().table,
    )
    assert "No data for this period" in all_text(parse(charts.svg(chart)))


def test_a_series_must_match_the_categories() -> None:
    chart = replace(trend_chart(), series=(Series("Short", (1.0,)),))
    with pytest.raises(ValueError, match="1 values for 4 categories"):
        charts.svg(chart)


def test_an_issued_report_read_back_from_json_draws_the_same() -> None:
    """A stored (JSON) document's charts are equal by value: same drawing, from the cache."""
    from core.exports.document import Document
    from tests.core.exports.sample import sample_document

    original = sample_document()
    again = Document.from_json(original.to_json())
    for before, after in zip(original.sections, again.sections, strict=True):
        for one, two in zip(before.blocks, after.blocks, strict=True):
            if isinstance(one, Chart):
                assert charts.svg(two) == charts.svg(one)


def test_a_chart_is_drawn_once_per_server(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside an app the drawing is kept in the instance folder: another process (here,
    this one with its own cache emptied) reads it instead of drawing it again."""
    chart = replace(trend_chart(), key="drawn-once-per-server")
    first = charts.svg(chart)
    assert list((Path(app.instance_path) / "chart-cache").glob("*.svg"))

    charts._svg.cache_clear()
    monkeypatch.setattr(charts, "_render", lambda *a, **k: pytest.fail("drawn again"))
    assert charts.svg(chart) == first
    # Other data is another chart, drawn afresh.
    with pytest.raises(pytest.fail.Exception):
        charts.svg(replace(chart, title="Another title"))


def test_an_unwritable_instance_folder_still_draws(
    app, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setattr(charts, "_shared_folder", lambda: blocked / "chart-cache")
    charts._svg.cache_clear()
    assert charts.svg(standards_chart()).startswith("<svg")


def test_only_the_newest_charts_are_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for age, name in enumerate(["e", "d", "c", "b", "a"]):
        drawn = tmp_path / f"{name}.svg"
        drawn.write_text("<svg/>")
        os.utime(drawn, (1_000_000 - age, 1_000_000 - age))  # "e" newest
    (tmp_path / "half-written.part").write_text("<sv")
    monkeypatch.setattr(charts, "SHARED_FILES", 2)
    monkeypatch.setattr(charts, "_written", 99)  # the hundredth write prunes
    charts._prune(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.svg", "e.svg", "half-written.part"]
