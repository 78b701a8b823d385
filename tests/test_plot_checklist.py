"""The prevention-checklist chart: no blank band under the grid, labels readable on phones.

The report embeds the chart as a PNG in ``<figure class="wide">``, which its stylesheet
shows 700 CSS px wide on a phone (scrolling sideways inside a 360 px screen). These
tests read that width from the stylesheet, render the chart through the public
:func:`runload.report.render_report`, and check the pixels users get.
"""

from __future__ import annotations

import base64
import io
import re
from importlib import resources

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from runload import report  # noqa: E402
from runload.columns import ACTIVITIES, conform  # noqa: E402
from runload.errors import ParameterError  # noqa: E402
from runload.habits import HABIT_NAMES, prevention_checklist, weekly_habits  # noqa: E402
from runload.load import weekly_load  # noqa: E402
from runload.plot.habits import ROW_IN, checklist_figsize, plot_checklist  # noqa: E402

FIRST = pd.Timestamp("2024-01-01")  # a Monday
KMS = [30, 32, 35, 39, 30, 39, 42, 45, 48, 50, 0, 0, 20, 22, 25, 28, 30, 33, 35, 36]
#: Smallest row label a phone may show, CSS px (body text on phones is 15 px).
MIN_LABEL_CSS_PX = 11.0
#: Largest run of empty pixel rows inside the chart, inches (the old chart left 1 inch).
MAX_GAP_IN = 0.2


def phone_width_css_px() -> float:
    """The width the report's stylesheet gives a wide figure on a phone, CSS px."""
    css = resources.files("runload").joinpath("templates/report.css").read_text(encoding="utf-8")
    match = re.search(r"figure\.wide img\s*\{[^}]*?width:\s*(\d+)px", css)
    assert match, "report.css no longer sets the phone width of wide figures"
    return float(match.group(1))


def blank_runs(png: bytes, *, threshold: int = 250) -> tuple[int, int, int]:
    """Empty pixel rows (all near-white) at the top, inside (longest run) and at the bottom."""
    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    inked = np.flatnonzero((grey < threshold).any(axis=1))
    assert inked.size, "the image is blank"
    inside = int(np.diff(inked).max() - 1) if inked.size > 1 else 0
    return int(inked[0]), inside, int(grey.shape[0] - 1 - inked[-1])


def weekly_with_habits() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [{"athlete": "ann", "activity_id": f"ann-{i}", "source": f"ann/{i}.fit",
             "format": "fit", "sport": "running",
             "start_time": (FIRST + pd.Timedelta(days=7 * i + 2, hours=8)).tz_localize("UTC"),
             "utc_offset_s": 0, "distance_m": km * 1000.0, "moving_time_s": km * 330.0,
             "elapsed_time_s": km * 340.0}
            for i, km in enumerate(KMS) if km]
    acts = conform(pd.DataFrame(rows), ACTIVITIES)
    weekly = weekly_load(acts, as_of=FIRST + pd.Timedelta(days=7 * len(KMS) - 1))
    habits = pd.DataFrame({"date": ["2024-01-09", "2024-01-11", "2024-02-14"],
                           "kind": ["strength", "strength", "sleep"],
                           "minutes": ["25", "30", ""], "value": ["", "", "6.5"]})
    return acts, weekly_habits(weekly, acts, habits=habits)


@pytest.fixture(scope="module")
def data():
    """Activities and their weekly table with the habit flags."""
    return weekly_with_habits()


@pytest.fixture(scope="module")
def embedded(data):
    """The checklist chart of a rendered report: (PNG bytes, width attribute, figure tag)."""
    acts, weekly = data
    text = report.render_report(acts, weekly)
    section = text[text.index('<section id="checklist">'):]
    section = section[:section.index("</section>")]
    match = re.search(r'<figure([^>]*)><div class="scroll"><img src="data:image/png;base64,'
                      r'([^"]+)"[^>]*width="(\d+)"', section)
    assert match, "the checklist section has no embedded PNG"
    return base64.b64decode(match.group(2)), int(match.group(3)), match.group(1), weekly


def test_report_chart_has_no_blank_band(embedded):
    png, _, _, _ = embedded
    top, inside, bottom = blank_runs(png)
    limit = MAX_GAP_IN * report._DPI
    assert inside <= limit, f"a band of {inside} empty pixel rows inside the chart"
    assert top <= limit and bottom <= limit


def test_report_chart_labels_are_readable_at_phone_width(embedded):
    png, width_px, figure_attrs, weekly = embedded
    assert 'class="wide"' in figure_attrs  # shown at the phone width, scrolling sideways
    assert Image.open(io.BytesIO(png)).width == width_px
    ax = plot_checklist(weekly, athlete="ann", last_weeks=report.CHECKLIST_WEEKS, load_flags=True)
    label_pt = min(t.get_fontsize() for t in ax.get_yticklabels())
    plt.close(ax.figure)
    # points -> image pixels (at the report's dpi) -> CSS px at the phone width
    css_px = label_pt * report._DPI / 72 * phone_width_css_px() / width_px
    assert css_px >= MIN_LABEL_CSS_PX, f"row labels are {css_px:.1f} CSS px on a phone"


def test_a_new_figure_is_exactly_as_tall_as_its_rows(data):
    _, weekly = data
    for last_weeks, load_flags in [(4, False), (None, True)]:
        ax = plot_checklist(weekly, last_weeks=last_weeks, load_flags=load_flags)
        fig = ax.figure
        n_rows = len(ax.get_yticks())
        fig.draw_without_rendering()
        rows_in = ax.get_position().height * fig.get_figheight()
        assert rows_in == pytest.approx(ROW_IN * n_rows, rel=0.02)
        # the ticks and their label reach the bottom of the figure, the title its top
        renderer = fig.canvas.get_renderer()
        tight = ax.get_tightbbox(renderer)
        assert tight.y0 / fig.dpi <= 0.15
        assert fig.get_figheight() - tight.y1 / fig.dpi <= 0.15
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, facecolor="white")  # no cropping
        plt.close(fig)
        top, inside, bottom = blank_runs(buffer.getvalue())
        assert max(top, inside, bottom) <= MAX_GAP_IN * 100, (last_weeks, top, inside, bottom)


def test_legend_sits_between_title_and_grid_without_overlap(data):
    _, weekly = data
    for rows in (1, len(HABIT_NAMES)):
        table = prevention_checklist(weekly)
        names = list(table.attrs["flags"])[:rows]
        table.attrs["flags"] = {n: table.attrs["flags"][n] for n in names}
        ax = plot_checklist(table)
        fig = ax.figure
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        grid = ax.get_window_extent(renderer)
        legend = ax.get_legend().get_window_extent(renderer)
        title = ax.title.get_window_extent(renderer)
        assert grid.y1 <= legend.y0 + 1 and legend.y1 <= title.y0 + 1
        plt.close(fig)


def test_long_labels_wrap_after_the_dash_and_keep_the_evidence_kind(data):
    _, weekly = data
    ax = plot_checklist(weekly, load_flags=True)
    labels = {t.get_text().split(" —")[0]: t.get_text() for t in ax.get_yticklabels()}
    plt.close(ax.figure)
    assert labels["cross-training"] == "cross-training — expert advice"
    assert labels["core after pain"] == "core after pain —\nphysiotherapist advice"
    assert labels["no ramp"] == "no ramp — heuristic"
    assert all(len(line) <= 30 for text in labels.values() for line in text.split("\n"))


def test_a_given_axes_is_drawn_on_and_its_figure_left_alone(data):
    _, weekly = data
    fig = Figure(figsize=checklist_figsize(16, 9))
    ax = fig.subplots()
    size = tuple(fig.get_size_inches())
    assert plot_checklist(weekly, last_weeks=16, ax=ax) is ax
    assert tuple(fig.get_size_inches()) == size and fig.get_layout_engine() is None


@pytest.mark.parametrize("fontsize", [0, -3, float("nan")])
def test_fontsize_must_be_positive(data, fontsize):
    _, weekly = data
    with pytest.raises(ParameterError, match="fontsize"):
        plot_checklist(weekly, fontsize=fontsize)
