"""The report's All weeks table: pain onsets counted in the right athlete's week."""

from __future__ import annotations

import re

import pandas as pd
from conftest import FIRST_MONDAY, WORKED, weekly_runs

from runload.load import weekly_load
from runload.report import render_report

FIRST = pd.Timestamp(FIRST_MONDAY)
AS_OF = FIRST + pd.Timedelta(days=7 * len(WORKED) - 1)


def _onset_cells(text: str) -> list[str]:
    """The last cell (pain onsets) of every row of the All weeks table."""
    table = text[text.index('<section id="weeks">'):]
    table = table[:table.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[-1] for row in rows]


def _episodes(athletes: list[str], days: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"athlete": athletes,
                         "onset": [FIRST + pd.Timedelta(days=d) for d in days],
                         "end": [FIRST + pd.Timedelta(days=d + 3) for d in days],
                         "severity": [5.0] * len(days)})


def test_a_log_of_other_athletes_only_gives_no_onsets_and_no_error():
    acts = weekly_runs("ann", WORKED)
    weekly = weekly_load(acts, as_of=AS_OF)
    text = render_report(acts, weekly, episodes=_episodes(["zoe"], [30]))
    cells = _onset_cells(text)
    assert len(cells) == len(WORKED) and set(cells) == {""}


def test_onsets_are_counted_in_their_own_athletes_week():
    acts = pd.concat([weekly_runs("ann", WORKED), weekly_runs("bob", WORKED)],
                     ignore_index=True)
    weekly = weekly_load(acts, as_of=AS_OF)
    # ann: onsets in weeks 4 and 9 (two in week 9); bob: none
    text = render_report(acts, weekly, episodes=_episodes(["ann", "ann", "ann"], [30, 64, 66]))
    cells = _onset_cells(text)
    ann, bob = cells[:len(WORKED)], cells[len(WORKED):]
    assert [i for i, c in enumerate(ann) if c] == [4, 9] and ann[4] == "1" and ann[9] == "2"
    assert set(bob) == {""}


def test_episodes_outside_the_weeks_of_the_data_are_said_to_be():
    from runload.report import headline, summarize

    acts = weekly_runs("ann", WORKED)
    weekly = weekly_load(acts, as_of=AS_OF)
    episodes = _episodes(["ann", "ann"], [-200, 30])  # one long before the first week
    summary = summarize(weekly, episodes)
    assert summary["episodes"] == 2 and summary["episodes_outside"] == 1
    assert headline(summary).endswith("2 pain episodes (1 outside the weeks of the data)")
    assert "back-pain episodes (1 outside the weeks of the data)" in render_report(
        acts, weekly, episodes=episodes)
    assert summarize(weekly, _episodes(["ann"], [30]))["episodes_outside"] == 0
