"""The pages as a person sees them: ``index.html`` of a batch over real samples and one
``report.html`` with its annotated video, rendered by headless Chromium at a desktop
(1280 px) and a phone (390 px) width.

For each page and width: a screenshot is taken (kept under the test's temporary folder,
or in ``$POSECHECK_SCREENSHOTS`` when set), and the page is loaded with a probe script
injected first in its ``<head>`` that records script errors, failed resources and
``console.error`` calls, then writes into the DOM (read with ``--dump-dom``) the
viewport, the page's scroll width and where the score and the top cue are. The test
asserts no error, no horizontal scroll, and the score and the top cue inside the first
screen.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from posecheck.apps.cli import app

CHROMIUM = Path("/usr/bin/chromium")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# a fault with a cue, a score covering few checks, and clips with no hold for two reasons
# (band squats: none of the four poses; one-legged balance: Warrior 1 never held)
CLIPS = (
    "synth/warrior1_knee_in_front.mp4",
    "synth/half_moon_hips_rolled_front.mp4",
    "clips/squats_front.mp4",
    "clips/one_leg_balance.mp4",
)
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

# Injected first in <head>: collects errors, then reports layout facts into the DOM.
PROBE = """<script>
(function () {
  var errors = [];
  var out = {errors: errors};
  function show() {
    var pre = document.getElementById('__probe');
    if (!pre) { pre = document.createElement('pre'); pre.id = '__probe';
      pre.style.display = 'none'; document.body.appendChild(pre); }
    pre.textContent = JSON.stringify(out);
  }
  window.addEventListener('error', function (e) {
    var t = e.target || {};
    errors.push(e.message ? 'error: ' + e.message : 'failed to load: ' + (t.src || t.href));
    if (document.body) { show(); }
  }, true);
  var log = console.error;
  console.error = function () {
    errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    log.apply(console, arguments);
  };
  function box(selector) {
    var el = document.querySelector(selector);
    if (!el) { return null; }
    var r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
            text: el.textContent.trim()};
  }
  window.addEventListener('load', function () {
    out.vw = window.innerWidth; out.vh = window.innerHeight;
    out.scroll_width = document.documentElement.scrollWidth;
    out.score = box('#score, .clip .score');
    out.cue = box('.cue-text, .good-news, .clip .answer');
    show();
    var video = document.getElementById('player');
    var seek = document.querySelector('a.seek[data-t]');
    if (video && seek) {
      setTimeout(function () {
        seek.click();
        out.seek = {wanted: Number(seek.getAttribute('data-t')), at: video.currentTime,
                    duration: video.duration, error: video.error && video.error.code};
        show();
      }, 500);
    }
  });
})();
</script>"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a throwaway profile and no network chatter."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    return subprocess.run(
        [str(CHROMIUM), *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


# Headless Chromium lays a --dump-dom page out at least 500 px wide, so the probed page
# is measured inside an iframe of the exact size; the wrapper copies out what it found.
WRAPPER = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="page" src="{src}" style="width:{w}px;height:{h}px;border:0"></iframe>
<pre id="__facts"></pre><script>
function copy() {{
  var probe = document.getElementById('page').contentDocument.getElementById('__probe');
  document.getElementById('__facts').textContent = probe ? probe.textContent : '';
}}
window.addEventListener('load', function () {{ copy(); setTimeout(copy, 2000); }});
</script></body></html>"""


def probe(page: Path, size: tuple[int, int], profile: Path) -> dict[str, object]:
    """Load ``page`` (a probed copy next to it, in an iframe of ``size``) and return
    what the probe recorded."""
    text = page.read_text(encoding="utf-8")
    probed = page.with_name(f".probe-{page.name}")
    probed.write_text(text.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    wrapper = page.with_name(f".wrap-{page.name}")
    wrapper.write_text(WRAPPER.format(src=probed.name, w=size[0], h=size[1]), encoding="utf-8")
    try:
        result = chromium(
            "--window-size=1400,1000",
            "--allow-file-access-from-files",
            "--virtual-time-budget=4000",
            "--dump-dom",
            wrapper.as_uri(),
            profile=profile,
        )
    finally:
        probed.unlink()
        wrapper.unlink()
    uncaught = [line for line in result.stderr.splitlines() if "Uncaught" in line]
    assert not uncaught, uncaught
    match = re.search(r'<pre id="__facts">(.+?)</pre>', result.stdout, re.S)
    assert match, f"the probe did not run: {result.stderr[-2000:]}"
    facts: dict[str, object] = json.loads(_unescape(match.group(1)))
    return facts


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def screenshot(page: Path, size: tuple[int, int], target: Path, profile: Path) -> Path:
    result = chromium(
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={target}",
        page.as_uri(),
        profile=profile,
    )
    assert target.is_file() and target.stat().st_size > 5000, result.stderr[-2000:]
    return target


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``index.html`` of a batch over a few samples, and one clip's ``report.html``
    analysed with its annotated video."""
    root = tmp_path_factory.mktemp("pages")
    clips = root / "clips"
    clips.mkdir()
    for clip in CLIPS:
        shutil.copy(SAMPLES / clip, clips / Path(clip).name)
    runner = CliRunner()
    batch = runner.invoke(app, ["batch", str(clips), "--out", str(root / "batch"), "--no-video"])
    assert batch.exit_code == 0, batch.output
    one = runner.invoke(app, ["analyze", str(SAMPLES / CLIPS[0]), "--out", str(root / "report")])
    assert one.exit_code == 0, one.output
    assert (root / "report" / "annotated.mp4").is_file()
    return {"index": root / "batch" / "index.html", "report": root / "report" / "report.html"}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", ["index", "report"])
def test_page_reads_well(pages: dict[str, Path], name: str, width: str, tmp_path: Path) -> None:
    page, size = pages[name], WIDTHS[width]
    shots = Path(os.environ.get("POSECHECK_SCREENSHOTS") or page.parent)
    shots.mkdir(parents=True, exist_ok=True)
    screenshot(page, size, shots / f"{name}-{size[0]}.png", tmp_path / "profile")

    facts = probe(page, size, tmp_path / "profile")
    assert facts["errors"] == [], facts["errors"]
    vw, vh = facts["vw"], facts["vh"]
    assert isinstance(vw, int) and isinstance(vh, int) and vw == size[0]
    assert facts["scroll_width"] == vw, "the page scrolls sideways"
    for what in ("score", "cue"):
        found = facts[what]
        assert isinstance(found, dict), f"no {what} on the page"
        assert 0 <= found["left"] and found["right"] <= vw, (what, found)
        assert 0 <= found["top"] and found["bottom"] <= vh, f"{what} below the first screen"
    if name == "report":  # clicking a cue's time seeks the embedded annotated video there
        seek = facts["seek"]
        assert isinstance(seek, dict) and seek["error"] is None, seek
        assert seek["duration"] == pytest.approx(4.0, abs=0.1)
        assert seek["at"] == pytest.approx(seek["wanted"], abs=0.05), seek


def test_report_page_shows_what_report_json_says(pages: dict[str, Path]) -> None:
    """The score at the top of report.html is report.json's, with its coverage."""
    folder = pages["report"].parent
    report = json.loads((folder / "report.json").read_text())
    doc = pages["report"].read_text()
    (hold,) = report["holds"]
    assert re.search(rf'id="score" data-score="{hold["score"]:.1f}">{hold["score"]:.0f}<', doc)
    assert f"{hold['checks_judged']} of {hold['checks_total']} checks judged" in doc
    assert '<video id="player"' in doc and 'src="annotated.mp4"' in doc


def test_index_page_shows_what_the_reports_say(pages: dict[str, Path]) -> None:
    """Each card's score is results.csv's and its coverage is its report.json's; clips
    with no hold say why."""
    out = pages["index"].parent
    doc = pages["index"].read_text()
    cards = dict(re.findall(r'<li class="clip" data-name="([^"]*)"(.*?)</li>', doc, re.S))
    assert set(cards) == {Path(c).stem for c in CLIPS}
    for clip_id, card in cards.items():
        report = json.loads((out / clip_id / "report.json").read_text())
        scores = [h["score"] for h in report["holds"] if h["score"] is not None]
        if scores:
            shown = re.search(r'class="score [a-z]+">(\d+)<', card)
            assert shown and int(shown.group(1)) == round(sum(scores) / len(scores))
            checks = {(h["pose"], c["check"]) for h in report["holds"] for c in h["checks"]}
            judged = {
                (h["pose"], c["check"])
                for h in report["holds"]
                for c in h["checks"]
                if c["score"] is not None
            }
            assert f"{len(judged)} of {len(checks)} checks judged" in card
        else:
            assert 'class="why"' in card and "not scored" in card
    # not "hold longer": band squats are none of the four poses
    assert "none of the four poses" in cards["squats_front"]
    assert "Warrior 1 was recognised, but never held still" in cards["one_leg_balance"]
    assert "data:image/jpeg;base64," in cards["warrior1_knee_in_front"]  # its worst moment
