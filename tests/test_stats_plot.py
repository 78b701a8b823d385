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
    shown = table["estimate"].between(0, np.inf, inclusive="neither").sum()
    assert len(ax.get_yticklabels()) == shown
    assert ax.get_xscale() == "log"
    assert ax.get_title()
    one = plot.forest(table, athlete="pooled", ax=plt.subplots()[1])
    assert all("pooled" in t.get_text() for t in one.get_yticklabels())
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
