"""The Pain and load section: did back pain follow the flagged weeks?"""

from __future__ import annotations

import pandas as pd

from .charts import _forest_chart
from .format import _e
from .method_tables import _METHOD_VIEWS, _method_table
from .parameters import _association_options


def _associations_section(associations: pd.DataFrame | None,
                          episodes: pd.DataFrame | None, units: str = "km") -> str:
    head = '<section id="associations"><h2>Did back pain follow the flagged weeks?</h2>'
    if episodes is None:
        return head + ("<p>No pain log was given. Add one (<code>--pain pain.csv</code>) to see "
                       "whether back-pain episodes followed flagged weeks.</p></section>")
    if associations is None or len(associations) == 0:
        return head + ("<p>No association could be estimated: there are too few episodes or "
                       "flagged weeks.</p></section>")
    options = _association_options(associations)
    alpha = float(options.get("alpha", 0.05))
    level = f"{100 * (1 - alpha):g}%"
    ci_method = str(options.get("ci_method", "mid-p"))
    several = associations["athlete"].nunique() > 1 if "athlete" in associations else False
    records = associations.to_dict("records")
    methods = [m for m in _METHOD_VIEWS if any(r.get("method") == m for r in records)]
    others = [r for r in records if r.get("method") not in _METHOD_VIEWS]
    intro = (
        "<p>One table per method, because each method counts something different; the "
        "sentence under each table says each row in words. <b>Which p to read:</b> every "
        "p-value column is named for its test (p (permutation), p (Fisher exact), p (mid-p), "
        "p (Wald)); the headline p of each row, the one chosen for the method (explained above "
        "its table), is printed in <strong>bold</strong>; a dash means the row has no such "
        "p-value. With many rows some p-values fall below 0.05 by chance: look at the size of "
        "the estimate and its interval too.</p>")
    parts = [head, intro, _forest_chart(associations) or ""]
    for method in methods:
        rows = [r for r in records if r.get("method") == method]
        parts.append(_method_table(rows, method, several=several, level=level,
                                   ci_method=ci_method, units=units))
    if others:  # a method this report does not know yet: its sentences only
        parts.append('<h3>Other results</h3><ul class="lines">' + "".join(
            f"<li>{_e(r.get('summary'))}</li>" for r in others) + "</ul>")
    note = ("A squad's pooled rows hold more onsets than one runner's, but say something only "
            "about the squad" if several else
            "One runner's history holds few episodes, so intervals are wide")
    parts.append(f"<p class=note>{note}: an association is not proof that the load caused "
                 "the pain, and no association is not proof of safety. See the methods "
                 "below.</p></section>")
    return "".join(parts)
