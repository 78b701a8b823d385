"""The Back-pain episodes section: the pain timeline and the table of episodes."""

from __future__ import annotations

import pandas as pd

from .charts import _timeline_chart
from .format import _date, _dcell, _e, _num, _plural, _table


def _episodes_section(weekly: pd.DataFrame, episodes: pd.DataFrame | None, units: str,
                      *, left_out: int = 0) -> str:
    if episodes is None:
        return ""
    head = '<section id="pain"><h2>Back-pain episodes</h2>'
    if left_out:
        head += (f"<p class=note>{_plural(left_out, 'episode')} of the pain log "
                 f"{'belongs' if left_out == 1 else 'belong'} to no athlete of this report "
                 "(another athlete, or no athlete named in a log of several) and "
                 f"{'is' if left_out == 1 else 'are'} left out.</p>")
    if len(episodes) == 0:
        return head + "<p>The pain log holds no episode.</p></section>"
    several = "athlete" in episodes.columns and episodes["athlete"].nunique() > 1
    headers = (["athlete"] if several else []) + [
        "onset", "end", "worst pain (0-10)", "days lost", "where", "notes"]
    rows = [
        ([_e(r.get("athlete"))] if several else []) + [
            _dcell(r.get("onset")),
            _date(r.get("end")) if not pd.isna(r.get("end")) else "ongoing / unknown",
            _num(r.get("max_severity"), "{:.0f}"),
            _num(r.get("time_lost_days"), "{:.0f}"),
            _e(r.get("location")),
            _e(r.get("notes")),
        ]
        for r in episodes.sort_values("onset").to_dict("records")
    ]
    timeline = _timeline_chart(weekly, episodes, units)
    return head + timeline + _table(headers, rows, numeric=[2 + several, 3 + several]) + "</section>"
