"""The Methods section of the pages and the references it cites.

:data:`REFERENCES` holds the citations (key -> text), numbered in their order;
``_ref`` links a citation number to its entry in the list at the end of the section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .format import _dist, _e

#: The references of the methods section: key -> citation.
REFERENCES = {
    "buist2008": (
        "Buist I, Bredeweg SW, van Mechelen W, Lemmink KAPM, Pepping GJ, Diercks RL. No effect "
        "of a graded training program on the number of running-related injuries in novice "
        "runners: a randomized controlled trial. Am J Sports Med. 2008;36(1):33-39."
    ),
    "nielsen2014": (
        "Nielsen RØ, Parner ET, Nohr EA, Sørensen H, Lind M, Rasmussen S. Excessive progression "
        "in weekly running distance and risk of running-related injuries: an association which "
        "varies according to type of injury. J Orthop Sports Phys Ther. 2014;44(10):739-747."
    ),
    "frandsen2025": (
        "Frandsen JSB, et al. How much running is too much? Identifying high-risk running "
        "sessions in a 5200-person cohort study. Br J Sports Med. 2025;59:1203."
    ),
    "gabbett2016": (
        "Gabbett TJ. The training-injury prevention paradox: should athletes be training "
        "smarter and harder? Br J Sports Med. 2016;50(5):273-280."
    ),
    "hulin2016": (
        "Hulin BT, Gabbett TJ, Lawson DW, Caputi P, Sampson JA. The acute:chronic workload "
        "ratio predicts injury: high chronic workload may decrease injury risk in elite rugby "
        "league players. Br J Sports Med. 2016;50(4):231-236."
    ),
    "williams2017": (
        "Williams S, West S, Cross MJ, Stokes KA. Better way to determine the acute:chronic "
        "workload ratio? Br J Sports Med. 2017;51(3):209-210."
    ),
    "lolli2019": (
        "Lolli L, Batterham AM, Hawkins R, et al. Mathematical coupling causes spurious "
        "correlation within the conventional acute-to-chronic workload ratio calculations. "
        "Br J Sports Med. 2019;53(15):921-922."
    ),
    "impellizzeri2020": (
        "Impellizzeri FM, Tenan MS, Kempton T, Novak A, Coutts AJ. Acute:chronic workload "
        "ratio: conceptual issues and fundamental pitfalls. Int J Sports Physiol Perform. "
        "2020;15(6):907-913."
    ),
    "impellizzeri2021": (
        "Impellizzeri FM, Woodcock S, Coutts AJ, et al. What role do chronic workloads play in "
        "the acute to chronic workload ratio? Time to dismiss ACWR and its underlying theory. "
        "Sports Med. 2021;51(3):581-592."
    ),
    "foster1998": (
        "Foster C. Monitoring training in athletes with reference to overtraining syndrome. "
        "Med Sci Sports Exerc. 1998;30(7):1164-1168."
    ),
    "maclure1991": (
        "Maclure M. The case-crossover design: a method for studying transient effects on the "
        "risk of acute events. Am J Epidemiol. 1991;133(2):144-153."
    ),
    "janes2005": (
        "Janes H, Sheppard L, Lumley T. Case-crossover analyses of air pollution exposure data: "
        "referent selection strategies and their implications for bias. Epidemiology. "
        "2005;16(6):717-726."
    ),
    "devet2002": (
        "de Vet HCW, Heymans MW, Dunn KM, et al. Episodes of low back pain: a proposal for "
        "uniform definitions to be used in research. Spine. 2002;27(21):2409-2416."
    ),
    # the two articles the habit and coaching rules come from; the evidence labels call
    # them "article A" and "article B" (runload.habits.EVIDENCE, docs/sources.md)
    "article_a": (
        "Article A: Low Back Pain in Runners: Prevention & Treatment. Blog article for "
        "runners, author not named, undated; expert opinion, not a study. Source of the "
        "recovery-week rule and of the cross-training, strength, strides, shoe-rotation, sleep "
        "and trail habits (quoted in runload's docs/sources.md)."
    ),
    "article_b": (
        "Article B: Alina (physiotherapist). Low Back Pain: Rehab For Runners. Blog article, "
        "20 June 2019; expert opinion, not a study. Source of the full 8-week rehab and "
        "weekly core habits after back pain (quoted in runload's docs/sources.md)."
    ),
}

_REF_NUMBER = {key: i for i, key in enumerate(REFERENCES, start=1)}


def _ref(*keys: str) -> str:
    return "[" + ", ".join(f'<a href="#ref-{k}">{_REF_NUMBER[k]}</a>' for k in keys) + "]"


def _methods_section(params: Mapping[str, Any], *, squad: bool = False,
                     audit: bool = False, units: str = "km") -> str:
    """The methods with their references.

    ``squad=True`` words them for several athletes (a pooled estimate across the
    athletes); ``audit=True`` for the coach's audit page, which shows no association;
    distances are given in ``units``.
    """
    whose = "each athlete's" if squad else "the runner's"
    design = ("lagged risk ratios (onsets after flagged vs other weeks) and the case-crossover "
              f"design, in which each episode is its own control {_ref('maclure1991')}, with "
              f"time-stratified referent weeks {_ref('janes2005')}")
    if audit:
        association = (
            "<p><b>Association.</b> This page does not test whether back pain followed the "
            "flagged weeks; a report of the squad (<code>runload report</code> with every "
            "athlete's folder and the pain log) does, per athlete and pooled across the "
            f"athletes (Mantel–Haenszel, stratified by athlete), with {design}. ")
    elif squad:
        association = (
            "<p><b>Association.</b> Whether episodes followed flagged weeks is estimated per "
            "athlete and pooled across the athletes (Mantel–Haenszel, stratified by athlete), "
            f"with {design}. ")
    else:
        association = ("<p><b>Association.</b> Whether episodes followed flagged weeks is "
                       f"estimated with {design}. ")
    if squad:
        association += ("The pooled estimate rests on all the squad's episodes, so its interval "
                        "is narrower than one athlete's, but it speaks about the squad, not "
                        "about any one athlete; an association does not show that the load "
                        "caused the pain.</p>")
    else:
        association += ("With one runner's few episodes, intervals are wide; an association "
                        "does not show that the load caused the pain.</p>")
    inc = params.get("max_increase", 0.10)
    drop = params.get("recovery_drop", 0.20)
    base = params.get("min_base_m", 10_000)
    builds = params.get("max_build_weeks", 4)
    spike = params.get("spike", 0.10)
    acwr = params.get("acwr_threshold", 1.5)
    refs = "".join(f'<li id="ref-{k}">{_e(text)}</li>' for k, text in REFERENCES.items())
    return f"""<section id="methods"><h2>Methods</h2>
<p><b>Weekly distance.</b> Running distance (road, trail and treadmill) is summed per local
calendar week; weeks without running count as 0. Two kinds of week are <i>partial</i> (hatched on
the charts): {whose} first week of data, always, even when it starts on the first day of a
week, because the training before it is unknown; and a week that ends after the end of the data (still in
progress). They are shown but judged by no rule: no flag, no recovery week, and the first week
is no reference for the second.</p>
<p><b>10% rule.</b> A week is flagged when its distance is more than {inc:.0%} above the week it
builds on (after a single recovery week, the last build week before it: "start back from where
you left off"), provided that reference is at least {_dist(base, units)} {units}. A randomised trial of
a 10%-rule programme found no fewer injuries (20.8% vs 20.3%) {_ref('buist2008')}: the rule is a
heuristic. Week-to-week progression is also shown in the categories of Nielsen et al.
(&lt;10%, 10-30%, &gt;30%) {_ref('nielsen2014')}.</p>
<p><b>Recovery weeks.</b> A recovery week is at least {drop:.0%} below its reference. More than
{builds} build weeks in a row without one raises “no recovery week”.</p>
<p><b>Session spike.</b> A run more than {spike:.0%} longer than the longest run of the 30 days
before it. In a cohort of 5200 runners such runs carried a higher injury hazard (hazard ratio
1.64 for 10-30% longer, 1.52 for 30-100%, 2.28 for more than 100%), while weekly ratios and the
ACWR were not associated {_ref('frandsen2025')}.</p>
<p><b>Acute:chronic workload ratio.</b> The rolling 7-day over 28-day ratio (coupled and
uncoupled) {_ref('gabbett2016', 'hulin2016')} and its exponentially weighted form with
λ = 2/(N+1) {_ref('williams2017')}; flagged above {acwr}. The ratio is criticised for
mathematical coupling and ratio scaling {_ref('lolli2019', 'impellizzeri2020', 'impellizzeri2021')};
treat it as descriptive. Monotony (weekly mean ÷ standard deviation of daily load) and strain
(weekly load × monotony) follow Foster {_ref('foster1998')}.</p>
<p><b>Back-pain episodes.</b> A pain diary is grouped into episodes following de Vet et al.:
pain lasting at least 24 hours, separated by at least a month pain-free {_ref('devet2002')}.</p>
{association}
<h3>References</h3><ol class="refs">{refs}</ol></section>"""
