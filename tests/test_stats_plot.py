"""Pain pictures: each returns its Axes with the data drawn and labelled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from runload.errors import ParameterError  # noqa: E402
from runload.plot import pain as plot  # noqa: E402
from runload.stats import associate, superposed_epoch  # noqa: E402
from runload.stats.simulate import simulate_squad  # noqa: E402


@pytest.fixture(scope="module")
def data():
    weekly, eps = simulate_squad(3, weeks=60, hazard=0.08, rng=5)
    return weekly, eps


def test_forest(data):
    weekly, eps = data
    table = associate(weekly, eps, methods=("lagged",), n_permutations=0)
    ax = plot.forest(table)
    assert len(ax.get_yticklabels()) == table["method"].eq("lagged_risk_ratio").sum()  # every row
    assert ax.get_xscale() == "log"
    assert ax.get_title()
    one = plot.forest(table, athlete="pooled", ax=plt.subplots()[1])
    assert all("pooled" in t.get_text() for t in one.get_yticklabels())
    plt.close("all")


def test_forest_draws_every_row():
    # flag_ramp RR 0 (95% CI 0-1.8): no onset after a ramp week; the upper limit matters.
    table = pd.DataFrame({
        "athlete": ["me", "me", "me", "pooled"],
        "exposure": ["flag_ramp", "flag_acwr", "flag_session_spike", "flag_ramp"],
        "method": "lagged_risk_ratio",
        "lag_weeks": 1,
        "estimate": [0.0, 2.5, np.nan, 1.2],
        "ci_low": [0.0, 0.8, np.nan, 0.4],
        "ci_high": [1.8, 7.0, np.nan, 3.0],
        "warning": [pd.NA, pd.NA, "not estimable: no exposed weeks at risk", pd.NA],
    })
    ax = plot.forest(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 4
    assert labels[2].endswith("not estimable") and "flag_session_spike" in labels[2]
    assert sum(label.endswith("not estimable") for label in labels) == 1
    rows = dict(zip(labels, ax.get_yticks(), strict=True))
    left, right = ax.get_xlim()
    intervals = {line.get_ydata()[0]: line.get_xdata() for line in ax.lines
                 if len(line.get_xdata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]}
    zero_y = rows[labels[0]]
    assert intervals[zero_y][0] == pytest.approx(left) and intervals[zero_y][1] == pytest.approx(1.8)
    assert rows[labels[1]] in intervals and rows[labels[3]] in intervals
    assert rows[labels[2]] not in intervals  # nothing drawn for the NaN row
    marks = [t for t in ax.texts if t.get_text() == "0"]
    assert len(marks) == 1 and marks[0].xy == pytest.approx((left, zero_y))
    arrows = [t for t in ax.texts if t.arrow_patch is not None and t.xy[1] == zero_y]
    assert arrows and arrows[0].xy[0] == pytest.approx(left)  # points to the left edge
    assert left < 1 < right
    plt.close("all")


def test_forest_with_nothing_to_show():
    empty = pd.DataFrame({"method": [], "athlete": [], "estimate": []})
    ax = plot.forest(empty)
    assert ax.texts[0].get_text() == "no estimate to show"
    plt.close("all")


def test_mileage_with_pain(data):
    weekly, eps = data
    ax = plot.mileage_with_pain(weekly, eps, athlete="r000", units="mi")
    assert len(ax.patches) >= (weekly["athlete"] == "r000").sum()  # bars + bands
    assert "mi" in ax.get_ylabel()
    with pytest.raises(ParameterError):
        plot.mileage_with_pain(weekly, eps)
    plt.close("all")


def test_superposed_epoch_plot(data):
    weekly, eps = data
    epochs = superposed_epoch(weekly, eps, weeks_before=8)
    ax = plot.superposed_epoch(epochs)
    onsets = epochs.groupby(["athlete", "onset"]).ngroups
    assert len(ax.lines) == onsets + 2  # one per onset, the mean, the onset line
    assert f"mean of {onsets} onsets" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_xlabel() == "weeks relative to the pain onset"
    blank = plot.superposed_epoch(epochs.iloc[:0])
    assert blank.texts[0].get_text() == "no pain onsets"
    plt.close("all")


def test_report_names_are_the_same_functions():
    assert plot.plot_forest is plot.forest
    assert plot.plot_pain_timeline is plot.mileage_with_pain
    assert plot.plot_superposed_epoch is plot.superposed_epoch
