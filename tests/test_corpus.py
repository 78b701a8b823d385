"""The whole shared corpus through read_activities, against GROUND_TRUTH.tsv.

One call reads every file of the corpus folder (fit/, gpx/, tcx/, broken/, exports/*.zip,
the .fit.gz); each file's distance, start time and sport are compared with the figures
other tools read (fitdecode for FIT, gpxpy for GPX, lap sums for TCX).
"""

from __future__ import annotations

import random
import shutil
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload import columns
from runload.errors import RunloadWarning
from runload.io import inventory, problems, read_activities
from runload.io.dedupe import mark_duplicates
from runload.io.sports import fit_sport, sport_from_text

pytest.importorskip("runload.io.fit")
pytest.importorskip("runload.io.gpx")
pytest.importorskip("runload.io.tcx")

#: The problem kind each broken/ file must give; None: read in full (see note).
BROKEN = {
    "broken/fitparse__activity-filecrc.fit": {"bad_crc"},
    "broken/fitparse__activity-unexpected-eof.fit": {"truncated"},
    "broken/fitparse__activity-settings-corruptheader.fit": {"malformed", "truncated"},
    "broken/fitparse__activity-settings-nodata.fit": {"truncated"},
    "broken/fitparse__activity-activity-filecrc.fit": {"bad_crc"},
    "broken/fitparse__nick.fit": {"truncated"},
    "broken/fitparse__strava-android-app-201.10-b1218918.fit": {"truncated", "malformed"},
    "broken/goldencheetah__2012_02_05_09_03_59.fit": {"no_data"},
    "broken/goldencheetah__MetadataOnly.gpx": {"empty"},
    "broken/runpandas__malformed.tcx": {"malformed_xml"},
    # a developer_data_id without application_id only concerns developer fields: fitdecode
    # files it as invalid, but the activity itself decodes in full
    "broken/fitparse__elemnt-bolt-no-application-id-inside-developer-data-id.fit": None,
}


@pytest.fixture(scope="module")
def whole(corpus):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_activities(corpus)
    prefix = str(corpus) + "/"
    keyed = df.assign(key=df["source"].str.removeprefix(prefix).str.replace("!", "::"))
    probs = problems(df)
    probs = probs.assign(key=probs["source"].str.removeprefix(prefix).str.replace("!", "::"))
    return df, keyed, probs, caught


def test_one_summary_warning(whole):
    df, _, probs, caught = whole
    runload_warnings = [w for w in caught if issubclass(w.category, RunloadWarning)]
    assert len(runload_warnings) == 1
    n_files = probs["source"].nunique()
    assert str(runload_warnings[0].message).startswith(
        f"{n_files} of {inventory(df)['files_seen']} files had problems")


def test_every_file_accounted_for(whole, corpus, manifest):
    df, keyed, probs, _ = whole
    inv = inventory(df)
    assert inv["files_seen"] == inv["activity_files"] + inv["non_activity_files"] \
        + inv["problem_files"]
    # every manifest file is seen once (zips count their one member, not themselves)
    assert inv["files_seen"] == len(manifest)
    assert inv["activities"] == len(df)
    # the README, TSVs, SHA256SUMS and licence texts are not activity files
    n_other = sum(1 for p in corpus.rglob("*") if p.is_file()
                  and p.suffix.lower() not in (".fit", ".gpx", ".tcx", ".gz", ".zip"))
    assert inv["ignored_files"] == n_other
    seen = set(keyed["key"]) | set(probs["key"])
    non_activity = {"fit/fitparse__MonitoringFile.fit", "fit/fitparse__Settings.fit",
                    "gpx/gpxpy__route.gpx", "gpx/gpxpy__unicode_with_bom.gpx"}
    assert inv["non_activity_files"] == len(non_activity)
    assert not (non_activity & seen)
    for row in manifest:
        path = row["local_path"]
        if path.startswith("exports/"):
            assert any(k.startswith(path + "::") for k in seen), path
        elif path not in non_activity:
            assert path in seen, path
    assert inv["salvaged_files"] == probs.loc[probs["salvaged"], "source"].nunique()
    assert inv["problem_files"] == probs.loc[~probs["salvaged"], "source"].nunique()


def test_broken_files_give_expected_problems(whole):
    _, keyed, probs, _ = whole
    for path, kinds in BROKEN.items():
        got = set(probs.loc[probs["key"] == path, "kind"])
        if kinds is None:
            assert path in set(keyed["key"]), path
        else:
            assert got & kinds, (path, got)
    assert set(probs["kind"]) <= set(columns.PROBLEM_KINDS)


def _truth_sports(text: str, fmt: str) -> list[str]:
    out = []
    for part in text.split("+"):
        if fmt == "fit":
            sport, _, sub = part.partition("/")
            out.append(fit_sport(sport, sub or None))
        else:
            out.append(sport_from_text(part))
    return out


def _gpx_unfiltered_m(corpus, path: str) -> float:
    """The GPX reader's distance with its GPS-jump filter off (as gpxpy reads)."""
    from runload.io.gpx import parse_gpx

    parsed = parse_gpx((corpus / path).read_bytes(), source=path, max_speed_m_s=None)
    return sum(a.get("distance_m") or 0.0 for a in parsed.activities)


def test_against_ground_truth(whole, ground_truth, corpus):
    _, keyed, probs, _ = whole
    rows = [r for r in ground_truth
            if r["tool"].split()[0] in ("fitdecode", "gpxpy", "xml.etree.ElementTree")]
    by_file = {k: g for k, g in keyed.groupby("key", sort=False)}
    kinds = probs.groupby("key")["kind"].agg(set).to_dict()
    checked = 0
    for r in rows:
        path, fmt = r["local_path"], r["format"]
        got = by_file.get(path)
        if got is None:
            continue  # non-activity or problem files, checked above
        checked += 1
        issues = kinds.get(path, set())
        if r["distance_m"] and float(r["distance_m"]) > 0 and "duplicate" not in issues:
            truth = float(r["distance_m"])
            mine = got["distance_m"].fillna(0).sum()
            if fmt == "gpx":
                # gpxpy's length_2d reads ~0.11% long against the mean-radius haversine
                if abs(mine - truth) > 0.003 * truth:
                    mine = _gpx_unfiltered_m(corpus, path)  # a GPS jump was filtered out
                assert mine == pytest.approx(truth, rel=0.003), path
            else:
                assert mine == pytest.approx(truth, rel=1e-6, abs=0.01), path
        if r["start_time_utc"].startswith("raw:"):  # device-relative times only
            assert "bad_time" in issues, path
        elif r["start_time_utc"]:
            truth = pd.Timestamp(r["start_time_utc"])
            start = got["start_time"].min()
            if pd.isna(start) or truth.year < 1980:
                assert "bad_time" in issues, path
            elif "bad_time" not in issues:
                assert abs((start - truth).total_seconds()) < 1.0, path
        if r["sport"] and "duplicate" not in issues:
            assert list(got["sport"]) == _truth_sports(r["sport"], fmt), path
    assert checked >= 60


def test_corpus_duplicates(whole):
    df, keyed, _, _ = whole
    ids = keyed.set_index("key")
    pairs = [("tcx/goldencheetah__10kUNLP2014-Garmin15.tcx",
              "fit/goldencheetah__10kUNLP2014-Garmin15.fit"),
             ("gpx/runpandas__run.gpx", "tcx/runpandas__run.tcx")]
    for copy, kept in pairs:
        assert ids.loc[copy, "duplicate_of"] == ids.loc[kept, "activity_id"]
        assert pd.isna(ids.loc[kept, "duplicate_of"])
    # every duplicate points at a kept row of the same table
    kept_ids = set(df.loc[df["duplicate_of"].isna(), "activity_id"])
    assert set(df["duplicate_of"].dropna()) <= kept_ids
    assert inventory(df)["duplicates"] == df["duplicate_of"].notna().sum()


def test_weekly_never_double_counts(whole):
    load = pytest.importorskip("runload.load")
    df, _, _, _ = whole
    week = df[(df["start_time"] >= "2014-10-06") & (df["start_time"] < "2014-10-13")]
    assert len(week) == 2  # the FIT and the TCX of the 10 km race
    weekly = load.weekly_load(week, tz="UTC")
    assert weekly["distance_m"].sum() == pytest.approx(10010.82)


SMALL = ["fit/fitparse__Activity.fit", "fit/fitparse__garmin-fenix-5-run.fit",
         "fit/fitparse__garmin-fenix-5-walk.fit", "fit/fitparse__MonitoringFile.fit",
         "gpx/runpandas__garmin_connect.gpx", "gpx/gpxpy__track-with-empty-segment.gpx",
         "gpx/gpxpy__route.gpx", "broken/fitparse__activity-filecrc.fit",
         "broken/goldencheetah__MetadataOnly.gpx", "tcx/runpandas__run_garmin.tcx"]


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    out = df.sort_values(["start_time", "source", "activity_id"]).drop(
        columns=["source", "athlete"]).reset_index(drop=True)
    out.attrs = {}
    return out


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.sampled_from(SMALL), min_size=1, max_size=5), seed=st.integers(0, 999))
def test_folder_equals_concat_of_files(corpus, tmp_path_factory, picks, seed):
    """Reading a folder = deduplicating the concatenation of the reads of its files."""
    folder = tmp_path_factory.mktemp("corpus_prop")
    rng = random.Random(seed)
    paths = []
    for n, rel in enumerate(picks):
        target = folder / rng.choice(["", "x", "x/y"]) / f"{rng.randrange(1000)}_{n}_{rel[4:]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / rel, target)
        paths.append(target)
    rng.shuffle(paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        whole = read_activities(folder, athlete="a")
        parts = [read_activities(p, athlete="a") for p in paths]
    frames = [p for p in parts if len(p)]
    concat = pd.concat(frames, ignore_index=True) if frames else columns.empty(columns.ACTIVITIES)
    damaged = {s for p in parts for s in problems(p)["source"]}
    expected = mark_duplicates(columns.conform(concat, columns.ACTIVITIES), damaged=damaged)
    pd.testing.assert_frame_equal(_canon(whole), _canon(expected), check_dtype=False)
    assert inventory(whole)["files_seen"] == len(paths)
    assert sorted(problems(whole)["kind"]) == sorted(k for p in parts for k in problems(p)["kind"])
    shutil.rmtree(folder)


def test_read_track_members_and_gzip(corpus, ground_truth):
    from runload.io import read_track

    truth = {r["local_path"]: int(r["n_points"]) for r in ground_truth
             if r["tool"].startswith("fitdecode") and r["n_points"]}
    for key in ["exports/goldencheetah__4077461142.zip::4077461142.fit",
                "fit/goldencheetah__14582164182.fit.gz"]:
        track = read_track(str(corpus / key.replace("::", "!")))
        assert list(track.columns) == list(columns.TRACK)
        assert len(track) == truth[key]


def test_entries_read_in_a_process_pool(corpus):
    """read_entry is pure and picklable: a pool gives the same results as the loop."""
    from concurrent.futures import ProcessPoolExecutor

    from runload.io.archives import Limits, WalkLog, walk
    from runload.io.ingest import read_entry

    entries = list(walk(str(corpus / "exports"), limits=Limits(), log=WalkLog()))
    entries += list(walk(str(corpus / "broken"), limits=Limits(), log=WalkLog()))
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = sorted(map(repr, pool.map(read_entry, entries, chunksize=4)))
    assert pooled == sorted(repr(read_entry(e)) for e in entries)  # repr: NaN == NaN
    assert len(pooled) == 15
