"""The weekly, ACWR and spike pictures: the artists exist (not pixels)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

from runload.columns import ACTIVITIES, conform  # noqa: E402
from runload.errors import ParameterError  # noqa: E402
from runload.flags import EVIDENCE  # noqa: E402
from runload.load import daily_load, session_spikes, weekly_load  # noqa: E402
from runload.plot.weekly import plot_acwr, plot_spikes, plot_weekly  # noqa: E402

MONDAY = pd.Timestamp("2024-01-01")
# ramp at week 3, recovery at 4, missing recovery at 9, zero weeks 10-11, spikes,
# and an incomplete last week (one Tuesday run)
KM = [30, 32, 35, 39, 30, 39, 42, 45, 48, 50, 0, 0, 20, 22, 10]


def _activities(athlete="ann"):
    rows = []
    for w, km in enumerate(KM):
        if km == 0:
            continue
        days = (1,) if w == len(KM) - 1 else (1, 3, 6)
        for day in days:
            start = MONDAY + pd.Timedelta(days=7 * w + day, hours=8)
            rows.append(
                {
                    "athlete": athlete,
                    "activity_id": f"{athlete}{w}-{day}",
                    "sport": "running",
                    "start_time": start.tz_localize("UTC"),
                    "utc_offset_s": 0,
                    "distance_m": km * 1000 / len(days) * (1.3 if day == 6 else 0.85),
                    "moving_time_s": km * 300.0,
                }
            )
    return conform(pd.DataFrame(rows), ACTIVITIES)


@pytest.fixture(scope="module")
def tables():
    acts = _activities()
    return weekly_load(acts), daily_load(acts), session_spikes(acts)


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_weekly_bars_flags_and_legend(tables):
    weekly, _, _ = tables
    assert weekly["flag_ramp"].any() and weekly["flag_missing_recovery"].any()
    assert weekly["flag_session_spike"].any() and weekly["recovery_week"].any()
    ax = plot_weekly(weekly)
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 1 and len(bars[0]) == len(weekly) == len(KM)
    heights = [b.get_height() for b in bars[0]]
    np.testing.assert_allclose(heights, weekly["distance_m"] / 1000)
    assert bars[0][-1].get_hatch() == "//" and bars[0][0].get_hatch() == "//"
    assert bars[0][5].get_hatch() in (None, "")
    texts = _legend_texts(ax)
    assert texts[0] == "running distance"
    assert "recovery week" in texts and any(t.startswith("partial week") for t in texts)
    for flag in ("flag_ramp", "flag_missing_recovery", "flag_session_spike"):
        assert sum(EVIDENCE[flag] in t for t in texts) == 1
    assert len(texts) == 6
    # one marker per flagged week, in its own colour
    assert [len(c.get_offsets()) for c in ax.collections] == [
        int(weekly["flag_ramp"].sum()),
        int(weekly["flag_missing_recovery"].sum()),
        int(weekly["flag_session_spike"].sum()),
    ]
    assert len({tuple(c.get_facecolor()[0]) for c in ax.collections}) == 3
    # recovery weeks shaded
    shaded = [p for p in ax.patches if p not in list(bars[0])]
    assert len(shaded) == int(weekly["recovery_week"].sum())
    assert "km" in ax.get_ylabel() and "ann" in ax.get_title()
    plt.close(ax.figure)


def test_plot_weekly_in_miles_on_given_axes(tables):
    weekly, _, _ = tables
    fig, ax = plt.subplots()
    out = plot_weekly(weekly, units="mi", ax=ax)
    assert out is ax
    heights = [b.get_height() for b in ax.containers[0]]
    np.testing.assert_allclose(heights, weekly["distance_m"] / 1609.344)
    assert "miles" in ax.get_ylabel()
    with pytest.raises(ParameterError):
        plot_weekly(weekly, units="furlong")
    plt.close(fig)


def test_plot_weekly_needs_athlete_for_several():
    acts = pd.concat([_activities("ann"), _activities("bob")], ignore_index=True)
    weekly = weekly_load(acts)
    with pytest.raises(ParameterError, match="athlete"):
        plot_weekly(weekly)
    ax = plot_weekly(weekly, athlete="bob")
    assert len(ax.containers[0]) == len(KM) and "bob" in ax.get_title()
    plt.close(ax.figure)


def test_plot_acwr_from_weekly_and_daily(tables):
    weekly, daily, _ = tables
    ax = plot_acwr(weekly)
    assert len(ax.lines) == 4  # three methods and the threshold
    assert len(ax.lines[0].get_xdata()) == len(weekly)
    texts = _legend_texts(ax)
    assert any("0.8-1.3" in t for t in texts)
    assert any(EVIDENCE["flag_acwr"] in t for t in texts)
    band = [p for p in ax.patches]
    assert len(band) == 1
    plt.close(ax.figure)
    ax = plot_acwr(daily, methods=["acwr_ewma"], ewma="simple")
    assert len(ax.lines) == 2
    assert len(ax.lines[0].get_xdata()) == len(daily)
    plt.close(ax.figure)
    with pytest.raises(ParameterError):
        plot_acwr(weekly, methods=["acwr_magic"])


def test_plot_spikes(tables):
    _, _, spikes = tables
    ax = plot_spikes(spikes)
    points = sum(len(c.get_offsets()) for c in ax.collections)
    assert points == len(spikes)
    texts = _legend_texts(ax)
    assert any("HR 2.28" in t or "HR 1.64" in t or "HR 1.52" in t for t in texts)
    assert "no run in the previous 30 days" in texts
    assert EVIDENCE["flag_session_spike"] in ax.get_legend().get_title().get_text()
    assert len(ax.lines) == 1
    plt.close(ax.figure)
