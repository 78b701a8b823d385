"""The prevention checklist (✓ / ✗ / –) and its plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from runload.errors import ParameterError  # noqa: E402
from runload.flags import EVIDENCE as LOAD_EVIDENCE  # noqa: E402
from runload.habits import EVIDENCE, HABIT_NAMES, prevention_checklist  # noqa: E402
from runload.plot.habits import plot_checklist  # noqa: E402


def weeks(athletes=("me",)):
    rows = []
    for athlete in athletes:
        for i, (raised, complete) in enumerate([(pd.NA, False), (True, True), (False, True),
                                                (pd.NA, True)]):
            row = {"athlete": athlete, "week_start": pd.Timestamp("2024-03-04") + pd.Timedelta(weeks=i),
                   "complete": complete, "flag_ramp": i == 1}
            for flag in HABIT_NAMES:
                row[flag] = raised
            rows.append(row)
    frame = pd.DataFrame(rows)
    for flag in HABIT_NAMES:
        frame[flag] = frame[flag].astype("boolean")
    return frame.set_axis([f"r{i}" for i in range(len(frame))])


def test_symbols_and_evidence_header():
    table = weeks()
    got = prevention_checklist(table)
    assert got.index.tolist() == table.index.tolist()
    assert list(got.columns) == ["athlete", "week_start", "complete", *HABIT_NAMES.values()]
    assert got["strength"].tolist() == ["–", "✗", "✓", "–"]
    assert got.attrs["evidence"] == {HABIT_NAMES[f]: EVIDENCE[f] for f in HABIT_NAMES}
    assert got.attrs["flags"]["sleep"] == "flag_short_sleep"


def test_mileage_flags_side_by_side():
    got = prevention_checklist(weeks(), load_flags=True)
    assert got["no ramp"].tolist() == ["–", "✗", "✓", "✓"]  # the first week is incomplete
    assert got.attrs["evidence"]["no ramp"] == LOAD_EVIDENCE["flag_ramp"]


def test_needs_habit_flags():
    with pytest.raises(ParameterError):
        prevention_checklist(weeks().drop(columns=list(HABIT_NAMES)))


def test_plot_returns_axes_with_a_row_per_habit():
    ax = plot_checklist(weeks())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(HABIT_NAMES)
    assert labels[0].startswith("cross-training — expert advice")
    assert "expert advice" in ax.get_title()
    plt.close(ax.figure)
    fig, given = plt.subplots()
    assert plot_checklist(prevention_checklist(weeks(), load_flags=True), ax=given,
                          evidence=False) is given
    assert len(given.get_yticklabels()) == len(HABIT_NAMES) + 1
    plt.close(fig)


def test_plot_several_athletes_needs_one():
    table = weeks(("ann", "bob"))
    with pytest.raises(ParameterError, match="athlete"):
        plot_checklist(table)
    ax = plot_checklist(table, athlete="bob", last_weeks=2)
    assert len(ax.get_xticklabels()) == 2 and "bob" in ax.get_title()
    plt.close(ax.figure)
    with pytest.raises(ParameterError):
        plot_checklist(table, athlete="cy")
