"""The Dask engine gives the same tables as the in-process ingest, per athlete."""

from __future__ import annotations

import shutil
import warnings

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from runload import columns  # noqa: E402
from runload.cluster import (  # noqa: E402
    dask_map,
    load_cohort,
    map_athletes,
    read_cohort,
    weekly_cohort,
)
from runload.errors import ParameterError  # noqa: E402
from runload.io import read_activities  # noqa: E402
from runload.load import weekly_load  # noqa: E402

FILES = {
    "ann": ["fit/fitparse__Activity.fit", "fit/fitparse__garmin-fenix-5-run.fit"],
    "bo/b": [
        "fit/fitparse__2013-02-06-12-11-14.fit",
        "fit/goldencheetah__10kUNLP2014-Garmin15.fit",
        "broken/fitparse__activity-filecrc.fit",
    ],
}


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
        )
        with distributed.Client(cluster) as c:
            yield c
        cluster.close()


@pytest.fixture(scope="module")
def cohort(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    sources = {}
    for athlete, files in FILES.items():
        folder = root / athlete.replace("/", "_")
        folder.mkdir()
        for name in files:
            shutil.copy(corpus / name, folder / name.split("/")[-1])
        sources[athlete] = str(folder)
    return sources


def _square(x):
    return x * x


def test_dask_map_keeps_order(client):
    assert dask_map(_square, range(50), client=client, batch_size=7) == [x * x for x in range(50)]
    assert dask_map(_square, [], client=client) == []
    with pytest.raises(ParameterError):
        dask_map(_square, [1], client=client, batch_size=0)


def _sorted(frame):
    return frame.sort_values(["athlete", "start_time", "source"]).reset_index(drop=True)


def test_read_cohort_equals_read_activities(cohort, client, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inventory = read_cohort(cohort, tmp_path, client=client, batch_size=1)
        expected = pd.concat(
            [read_activities(path, athlete=name) for name, path in cohort.items()],
            ignore_index=True,
        )
    assert sorted(inventory["athlete"]) == sorted(FILES)
    assert inventory.set_index("athlete").loc["bo/b", "salvaged_files"] == 1
    assert (tmp_path / "activities" / "athlete=bo%2Fb" / "part-0.parquet").is_file()
    got = load_cohort(tmp_path)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(expected))
    only = load_cohort(tmp_path, athletes=["ann"])
    assert set(only["athlete"]) == {"ann"}
    problems = load_cohort(tmp_path, table="problems")
    assert list(problems["kind"]) == ["bad_crc"]
    assert list(problems["athlete"]) == ["bo/b"]

    weekly = weekly_cohort(tmp_path, client=client)
    per_athlete = pd.concat(
        [
            weekly_load(columns.conform(got[got["athlete"] == a], columns.ACTIVITIES, extra=False))
            for a in sorted(FILES)
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(weekly.reset_index(drop=True), per_athlete)
    counts = map_athletes(_count, tmp_path, client=client)
    assert counts.set_index("athlete")["n"].to_dict() == got.groupby("athlete").size().to_dict()


def _count(frame):
    return pd.DataFrame({"athlete": [frame["athlete"].iloc[0]], "n": [len(frame)]})
