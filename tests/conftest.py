"""Shared fixtures: the real model and real sample photos (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from posecheck.estimate.landmarker import PoseEstimator

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "photos"
SHARED_DATA = ROOT.parent / "shared" / "data"
#: The shipped real clips: 13 s of band squats at 5 fps; a 1.7 s one-leg balance at 60 fps.
SQUATS = ROOT / "samples" / "clips" / "squats_front.mp4"
BALANCE = ROOT / "samples" / "clips" / "one_leg_balance.mp4"


@pytest.fixture(scope="session")
def estimator() -> Iterator[PoseEstimator]:
    """One real MediaPipe landmarker (IMAGE mode) for the whole run."""
    with PoseEstimator() as est:
        yield est


@pytest.fixture
def standing_photo() -> Path:
    """A real front-view photo of a person standing (Pexels video 4838220, frame 0)."""
    return SAMPLES / "squat_front_standing.jpg"


def shared_data() -> Path:
    """``../shared/data``, or skip the test when this checkout has none beside it."""
    if not (SHARED_DATA / "poses.csv").is_file():
        pytest.skip(f"needs ../shared/data (not found at {SHARED_DATA})")
    return SHARED_DATA


def faststart_copy(src: Path, dst: Path) -> None:
    """Remux with the index (moov) first, as phones and web uploads usually are, so that
    a cut copy still decodes part-way."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "faststart"}) as o:
        stream = o.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is None:
                continue
            packet.stream = stream
            o.mux(packet)
