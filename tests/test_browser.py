"""The report and the audit page in a real browser (headless Chromium).

Each page is opened on a phone-sized and a desktop viewport. A copy of the page with a
tiny probe script (the report itself has no JavaScript, and its Content-Security-Policy
forbids scripts and network access) records every chart image's load state, script
errors, console errors and policy violations into the DOM, which ``--dump-dom`` prints.
A screenshot of the real page must not be blank. Skipped only when Chromium is not
installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from runload.audit import squad_audit
from runload.columns import ACTIVITIES, conform
from runload.habits import weekly_habits
from runload.load import weekly_load
from runload.report import write_audit, write_report
from runload.stats import associate

CHROMIUM = next((p for p in (os.environ.get("RUNLOAD_CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).is_file()), None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None,
                       reason="Chromium is not installed (apt-get install chromium)"),
]

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--disable-extensions")
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}

PROBE = """<script>
window.__errors = [];
addEventListener('error', function (e) {
  var t = e.target || {};
  window.__errors.push('error: ' + (e.message || t.src || t.href || t.tagName));
}, true);
document.addEventListener('securitypolicyviolation', function (e) {
  window.__errors.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI);
});
['error', 'warn'].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__errors.push('console.' + level + ': ' + Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
});
addEventListener('load', function () {
  var images = Array.prototype.slice.call(document.images);
  var out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({
    images: images.length,
    broken: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                  .map(function (i) { return i.alt; }),
    errors: window.__errors,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    sections: document.querySelectorAll('section').length,
    checklist: document.querySelectorAll('#checklist img').length
  });
  document.body.appendChild(out);
});
</script>"""

WORKED = [30, 32, 35, 39, 30, 39, 42, 45, 48, 50, 0, 0, 20, 22, 24, 26, 21, 27, 30, 33]
FIRST = pd.Timestamp("2024-01-01")


def activities(athlete: str, kms) -> pd.DataFrame:
    rows = [
        {"athlete": athlete, "activity_id": f"{athlete}-{i}-{j}", "source": f"{athlete}/{i}.fit",
         "format": "fit", "sport": "running",
         "start_time": (FIRST + pd.Timedelta(days=7 * i + day, hours=7)).tz_localize("UTC"),
         "utc_offset_s": 0, "distance_m": km * share * 1000.0,
         "moving_time_s": km * share * 330.0, "elapsed_time_s": km * share * 340.0}
        for i, km in enumerate(kms) if km
        for j, (day, share) in enumerate(((1, 0.25), (3, 0.3), (6, 0.45)))
    ]
    return conform(pd.DataFrame(rows), ACTIVITIES)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """A runner's report (with pain and habits) and a squad audit, by the real pipeline."""
    out = tmp_path_factory.mktemp("browser")
    acts = activities("alex", WORKED)
    episodes = pd.DataFrame({
        "athlete": ["alex", "alex"],
        "onset": pd.to_datetime(["2024-01-27", "2024-03-09"]),
        "end": pd.to_datetime(["2024-02-02", "2024-03-20"]),
        "max_severity": [5.0, 7.0], "time_lost_days": [3.0, 6.0],
        "location": ["lower back", "lower back"], "notes": ["after <b>hills</b>", ""],
    })
    weekly = weekly_habits(weekly_load(acts), acts, episodes=episodes)
    report = write_report(acts, weekly, episodes=episodes,
                          associations=associate(weekly, episodes, n_permutations=99),
                          path=out / "report.html")
    squad = pd.concat([acts, activities("bea", [20, 22, 24, 19, 25, 27, 30, 24] * 2)],
                      ignore_index=True)
    squad_weekly = weekly_load(squad)
    audit = write_audit(squad_audit(squad_weekly, episodes), squad_weekly, episodes=episodes,
                        path=out / "audit.html")
    return {"report": report, "audit": audit}


def chromium(*args: str, profile: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout)


def probe(page: Path, size: tuple[int, int], tmp_path: Path) -> dict:
    """Open a probed copy of ``page``; return what the probe wrote into the DOM."""
    text = page.read_text(encoding="utf-8")
    text = text.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    text = text.replace("<head>", "<head>\n" + PROBE, 1)
    copy = tmp_path / f"probed-{page.name}"
    copy.write_text(text, encoding="utf-8")
    done = chromium("--dump-dom", f"--window-size={size[0]},{size[1]}", copy.as_uri(),
                    profile=tmp_path / "profile-dom")
    match = re.search(r'<pre id="__probe">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the probe did not run; chromium said: {done.stderr[-2000:]}"
    return json.loads(html.unescape(match.group(1)))


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["report", "audit"])
def test_page_loads_without_errors(pages, name, viewport, tmp_path):
    result = probe(pages[name], VIEWPORTS[viewport], tmp_path)
    expected = pages[name].read_text(encoding="utf-8").count('src="data:image/png;base64,')
    assert result["images"] == expected > 0
    assert result["broken"] == []
    assert result["errors"] == []
    assert result["sections"] >= 4
    assert result["checklist"] == (1 if name == "report" else 0)  # the prevention checklist
    # responsive: nothing wider than the screen (wide tables scroll inside their box)
    assert result["scrollWidth"] <= result["innerWidth"] + 1


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["report", "audit"])
def test_screenshot_is_not_blank(pages, name, viewport, tmp_path):
    from PIL import Image, ImageStat

    shot = tmp_path / f"{name}-{viewport}.png"
    width, height = VIEWPORTS[viewport]
    done = chromium(f"--screenshot={shot}", f"--window-size={width},{height}",
                    pages[name].as_uri(), profile=tmp_path / "profile-shot")
    assert shot.is_file(), done.stderr[-2000:]
    target = os.environ.get("RUNLOAD_SCREENSHOTS")
    if target:  # keep them to look at
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (width, height)
        assert len(rgb.getcolors(maxcolors=1 << 20) or []) > 20
        assert max(ImageStat.Stat(rgb).stddev) > 10
        background = rgb.getpixel((width - 2, height - 2))
        grey = rgb.convert("L").point(lambda v: 255 if v < 200 else 0)
        assert background == (255, 255, 255)
        assert ImageStat.Stat(grey).mean[0] / 255 > 0.01  # some ink on the page
