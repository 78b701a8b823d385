"""Strava activities.csv parsing and export layout detection."""

from __future__ import annotations

from runload.io.exports import (
    is_garmin_archive,
    is_garmin_root,
    is_strava_root,
    strava_metadata,
    strava_roots,
    strava_skipped,
)

HEADER_2023 = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed"
)


def test_english_2023_header_with_repeated_names():
    csv = (
        "\ufeff" + HEADER_2023 + "\n"
        '1,"Dec 19, 2022, 11:37:07 AM","Run, with comma",Run,"multi\nline",1800,1.69,,,'
        "false,,Pegasus,activities/8860310523.gpx.gz,,,1800.0,1700.0,1698.549072265625,4.1\n"
        '2,"Dec 20, 2022, 1:00:00 PM",Ride,Virtual Ride,,3600,30,,,false,,,'
        "activities/1243401459.fit.gz,,,,,,\n"
        '3,"Dec 21, 2022, 1:00:00 PM",Gym,Weight Training,,3600,0,,,false,,,,,,,,,\n'
        '4,"Dec 22, 2022, 1:00:00 PM",Trail,Trail Run,,3600,10,,,false,,,activities/3.tcx\n'
    )
    meta = strava_metadata(csv.encode("utf-8"))
    assert meta == {
        "activities/8860310523.gpx.gz": {"name": "Run, with comma", "gear": "Pegasus",
                                         "sport": "running"},
        "activities/1243401459.fit.gz": {"name": "Ride", "gear": None, "sport": "cycling"},
        "activities/3.tcx": {"name": "Trail", "gear": None, "sport": "trail_running"},
    }


def test_localised_header_found_by_position_and_values():
    csv = (
        "ID de l'activité,Date de l'activité,Nom de l'activité,Type d'activité,Description,"
        "Temps écoulé,Distance,Nom du fichier\n"
        '5,"19 déc. 2022",Sortie du matin,Course à pied,,1800,"33,22",activities/5.fit\n'
        '6,"20 déc. 2022",Vélo,Vélo,,1800,"1,00",activities/6.gpx\n'
    )
    meta = strava_metadata(csv.encode())
    assert set(meta) == {"activities/5.fit", "activities/6.gpx"}
    assert meta["activities/5.fit"]["name"] == "Sortie du matin"


def test_old_ten_column_export():
    csv = (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,"
        "Elapsed Time,Distance,Commute,Activity Gear,Filename\n"
        "7,2017-09-21 07:41:12,Evening Run,Run,,1800,5.0,false,Shoe,activities/7.gpx\n"
    )
    assert strava_metadata(csv.encode()) == {
        "activities/7.gpx": {"name": "Evening Run", "gear": "Shoe", "sport": "running"}}


def test_unusable_csv_gives_nothing():
    assert strava_metadata(b"") == {}
    assert strava_metadata(b"a,b\n1,2\n") == {}
    assert strava_metadata(b"\xff\xfe garbage") == {}


def test_layout_detection():
    names = ["activities.csv", "activities/1.fit", "routes/r.gpx", "media/x.jpg", "profile.csv"]
    assert strava_roots(names) == [""]
    assert strava_roots(["export_1/" + n for n in names]) == ["export_1/"]
    assert strava_roots(["activities.csv", "other/1.fit"]) == []
    assert strava_skipped("routes/r.gpx", [""]) and strava_skipped("media/x.jpg", [""])
    assert not strava_skipped("activities/1.fit", [""])
    assert not strava_skipped("routes/r.gpx", [])
    assert is_strava_root(["activities.csv", "profile.csv"], ["activities", "routes"])
    assert not is_strava_root(["activities.csv"], ["routes"])
    assert is_garmin_archive(["uuid_1/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"])
    assert is_garmin_archive(["DI_CONNECT/DI-Connect-User/user_profile.json"])
    assert not is_garmin_archive(["activities/1.fit"])
    assert is_garmin_root(["DI_CONNECT", "customer_data"])
