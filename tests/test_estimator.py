"""The real MediaPipe model on real pixels."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import ModelError
from posecheck.estimate.landmarker import PoseEstimator
from posecheck.io.images import load_image
from posecheck.judge.assess import analyze_image
from posecheck.landmarks import Landmark as L
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.model


def test_finds_the_person_in_a_real_photo(estimator: PoseEstimator, standing_photo: Path) -> None:
    image = load_image(standing_photo)
    lm = estimator.detect(image)
    assert lm is not None
    assert lm.image_wh == (image.shape[1], image.shape[0])
    assert lm.world is not None
    xy = lm.xy_px
    # Upright person: head above hips above knees above ankles, all inside the frame.
    assert xy[L.NOSE, 1] < xy[L.LEFT_HIP, 1] < xy[L.LEFT_KNEE, 1] < xy[L.LEFT_ANKLE, 1]
    assert np.all((lm.xy[:, 1] > 0) & (lm.xy[:, 1] < 1))
    # She faces the camera: her left hip is on the image's right.
    assert xy[L.LEFT_HIP, 0] > xy[L.RIGHT_HIP, 0]


def test_standing_photo_metrics(estimator: PoseEstimator, standing_photo: Path) -> None:
    result = analyze_image(load_image(standing_photo), estimator, source=str(standing_photo))
    assert result.person
    assert result.view.value == "front"
    for side in ("left", "right"):
        m = result.metrics[f"knee_valgus_{side}_deg"]
        assert m.valid, m.reason
        # Standing with straight legs: the knee is within the norms' range of straight.
        assert abs(m.value) < 12.0
    assert result.metrics["pelvic_obliquity_deg"].valid
    assert abs(result.metrics["pelvic_obliquity_deg"].value) < 8.0
    # Hip extension needs a side view: reported as not measurable, not guessed.
    hip = result.metrics["hip_extension_left_deg"]
    assert not hip.valid and math.isnan(hip.value) and hip.reason


def test_one_leg_stance_puts_the_weight_on_the_standing_foot(estimator: PoseEstimator) -> None:
    result = analyze_image(load_image(SAMPLES / "one_leg_balance_front.jpg"), estimator)
    assert result.person
    weights = (result.metrics["weight_left_pct"], result.metrics["weight_right_pct"])
    assert all(w.valid for w in weights)
    assert sorted(w.value for w in weights) == [0.0, 100.0]
    assert result.balance is not None and len(result.balance.grounded) >= 1


def test_photo_without_a_person(estimator: PoseEstimator, standing_photo: Path) -> None:
    # Real pixels without a person: the empty top-right corner of the standing photo.
    image = load_image(standing_photo)
    corner = np.ascontiguousarray(image[: image.shape[0] // 3, 3 * image.shape[1] // 4 :])
    result = analyze_image(corner, estimator, source="corner")
    assert not result.person
    assert result.to_dict()["person"] is False


def test_missing_model_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.task"
    with pytest.raises(ModelError, match=r"nope\.task: model file not found; build it"):
        PoseEstimator(model_path=path).open()


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"PK\x03\x04garbage"])
def test_corrupt_model_is_one_line_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.task"
    path.write_bytes(content)
    with pytest.raises(ModelError) as info:
        PoseEstimator(model_path=path).open()
    message = str(info.value)
    assert message.startswith(str(path)) and "\n" not in message


def test_video_mode_accepts_repeated_timestamps(standing_photo: Path) -> None:
    image = load_image(standing_photo)
    with PoseEstimator(mode="video") as est:
        first = est.detect(image, timestamp_ms=100)
        again = est.detect(image, timestamp_ms=100)  # MediaPipe alone would reject this
    assert first is not None and again is not None


def test_zip_that_is_not_a_pose_model_is_one_line_error(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "other.task"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(ModelError, match=r"other\.task: cannot load pose model") as info:
        PoseEstimator(model_path=path).open()
    assert "\n" not in str(info.value)


@pytest.mark.model
def test_mediapipe_loads_without_the_modules_posecheck_never_uses(standing_photo: Path) -> None:
    """In a fresh interpreter: the estimator works without MediaPipe's audio tasks and
    drawing helpers (matplotlib, sounddevice: ~0.7 s of import), and importing them
    afterwards still gives the real modules."""
    script = f"""
import sys
import cv2
from posecheck.estimate.landmarker import PoseEstimator
with PoseEstimator(mode="image") as est:
    assert est.detect(cv2.imread({str(standing_photo)!r})) is not None
assert "matplotlib" not in sys.modules and "sounddevice" not in sys.modules, "loaded"
from mediapipe.tasks.python.vision import drawing_utils
from mediapipe.tasks.python import audio
assert hasattr(drawing_utils, "draw_landmarks") and hasattr(audio, "AudioClassifier")
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_a_mediapipe_that_needs_a_left_out_module_is_imported_whole() -> None:
    """If MediaPipe needed one of the left-out modules while loading (here: a module it
    really imports from), the partial import is dropped and it loads whole."""
    script = """
import sys
from posecheck.estimate import landmarker
landmarker.UNUSED_MEDIAPIPE_MODULES += ("mediapipe.tasks.python.vision.core.image",)
mp = landmarker.import_mediapipe()
assert hasattr(mp, "Image") and hasattr(mp.tasks.vision, "PoseLandmarker")
assert not any(type(f).__name__ == "_EmptyModules" for f in sys.meta_path)
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@pytest.mark.parametrize(
    ("clip", "lies"),
    [("bridge_aligned_side.mp4", True), ("tree_aligned_front.mp4", False)],
)
def test_tracking_stops_on_a_lying_body(clip: str, lies: bool) -> None:
    """With ``track_one`` and ``detect_while`` (the recognition's lying-body rule, as
    ``--fast`` passes it), a Bridge switches the landmarker to detecting in every frame; a
    standing Tree stays tracked."""
    from posecheck.io.video import VideoReader
    from posecheck.judge.recognition import is_lying

    with (
        PoseEstimator(mode="video", track_one=True, detect_while=is_lying, max_people=4) as est,
        VideoReader(ROOT / "samples" / "synth" / clip, with_rgb=True) as reader,
    ):
        assert est.tracking == 1
        found = 0
        for frame in reader:
            assert frame.image_rgb is not None
            found += est.detect_rgb(frame.image_rgb, int(frame.time_s * 1000)) is not None
    assert found > 0
    assert est.tracking == (4 if lies else 1)
