"""MediaPipe PoseLandmarker behind a small context manager: the only module importing mediapipe.

MediaPipe is imported lazily (inside :meth:`PoseEstimator.__enter__`), so importing
posecheck or running ``posecheck --help`` does not pay for it. Results are converted to
:class:`posecheck.landmarks.Landmarks` at this boundary; nothing else sees a MediaPipe
object.

MediaPipe facts this module relies on (mediapipe 1.2.3):

* The Tasks API needs a ``.task`` bundle. The one in ``models/`` is built from the
  ``mediapipe==0.10.21`` wheel by ``tools/build_model.py``; Google's official
  ``pose_landmarker_{lite,full,heavy}.task`` files work as drop-in ``model_path``.
* A ``PoseLandmarker`` left to the garbage collector at interpreter exit prints a
  traceback from ``__del__``: it is always closed explicitly here.
* Loading and the first inference print INFO/WARNING lines from C++ straight to file
  descriptor 2 ("Creating LiteRT environment", "Sparsity tensors may not yet be fully
  supported", ...). They are swallowed at the fd level while MediaPipe runs.
* VIDEO mode needs strictly increasing timestamps; this class enforces that.
* In VIDEO mode the landmarker skips its person detector only while it tracks as many
  people as ``num_poses`` allows: with room for two it detects on every frame (30 ms a
  frame on a 1080x1920 clip against 17.5 ms tracking one), which measures the knees
  slightly better. ``track_one`` trades that for speed (see :class:`PoseEstimator`).
* Visibility stays ~0.99 for many hidden joints: callers must not gate on it alone.
* ``import mediapipe`` imports every task package, and with them matplotlib's pyplot (for
  ``vision.drawing_utils``) and sounddevice (for ``audio``): 0.6-0.8 s of CPU on this
  machine, paid by every ``posecheck image``, ``analyze`` and batch worker, for modules
  posecheck never uses. :func:`import_mediapipe` leaves those three out while MediaPipe
  loads (0.11 s) and forgets them after, so a later ``from mediapipe.tasks.python.vision
  import drawing_utils`` still gets the real module.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Self

import numpy as np
from numpy.typing import NDArray

from posecheck.errors import ModelError
from posecheck.io.closing import ClosesOnExit
from posecheck.io.model_files import CORRECTION_FILENAME, load_correction
from posecheck.io.paths import sha256_file
from posecheck.landmarks import N_LANDMARKS, Landmarks
from posecheck.measure.correction import PoseCorrection
from posecheck.measure.pelvis_pixels import read_hip_line
from posecheck.measure.silhouette import silhouette_edges

RunningMode = Literal["image", "video"]

#: With ``track_one``, how often (ms of the stream's timestamps) an IMAGE-mode look
#: counts the people while MediaPipe tracks one; the first frame is always looked at.
PEOPLE_LOOK_MS = 2000

#: With ``track_one`` and ``detect_while``, how often (ms of the stream's timestamps) the
#: tracked landmarks are tested (the lying-body rule costs ~0.6 ms in the inference
#: thread; a body lies down for seconds, not for a frame).
DETECT_WHILE_EVERY_MS = 200

MODEL_FILENAME = "pose_landmarker_full.task"
MODEL_ENV = "POSECHECK_MODEL"
HOW_TO_GET_A_MODEL = (
    "build it with `python tools/build_model.py`, or pass --model with an official "
    "pose_landmarker_{lite,full,heavy}.task"
)


def shipped_model_path(filename: str) -> Path | None:
    """A model file shipped with posecheck (the ``posecheck.models`` package: ``models/``
    of a checkout, or the copy inside an installed wheel), or None when absent."""
    try:
        from importlib.resources import files

        path = Path(str(files("posecheck.models").joinpath(filename)))
    except (ModuleNotFoundError, TypeError):
        return None
    return path if path.is_file() else None


def default_model_path() -> Path:
    """The model used when none is given.

    ``$POSECHECK_MODEL`` if set, else the shipped ``pose_landmarker_full.task``
    (:func:`shipped_model_path`), else ``models/pose_landmarker_full.task`` under the
    current directory (whose absence gives a clear error later).
    """
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    return shipped_model_path(MODEL_FILENAME) or Path("models") / MODEL_FILENAME


def check_model_file(path: Path) -> None:
    """Raise :class:`ModelError` (one line, naming ``path``) unless it looks like a model.

    A ``.task`` bundle is a zip file; ``.tflite`` files are not accepted (the Tasks API
    needs the bundle).
    """
    if not path.exists():
        raise ModelError(f"{path}: model file not found; {HOW_TO_GET_A_MODEL}")
    if path.is_dir():
        raise ModelError(f"{path}: is a directory, expected a .task model file")
    if not zipfile.is_zipfile(path):
        raise ModelError(
            f"{path}: not a MediaPipe .task model (not a zip bundle); {HOW_TO_GET_A_MODEL}"
        )


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file while MediaPipe's C++ code runs.

    Python-level ``sys.stderr`` writes are flushed first so nothing of ours is lost.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


#: MediaPipe modules that ``import mediapipe`` loads and posecheck never uses, left out
#: while it loads (:func:`import_mediapipe`): audio tasks (sounddevice) and the drawing
#: helpers (matplotlib.pyplot).
UNUSED_MEDIAPIPE_MODULES = (
    "mediapipe.tasks.python.audio",
    "mediapipe.tasks.python.vision.drawing_utils",
    "mediapipe.tasks.python.vision.drawing_styles",
)


class _EmptyModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds :data:`UNUSED_MEDIAPIPE_MODULES` first and loads each as an empty module."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in UNUSED_MEDIAPIPE_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        return None


def import_mediapipe() -> ModuleType:
    """``import mediapipe`` without the modules posecheck does not use (about 0.7 s less).

    While MediaPipe loads, :data:`UNUSED_MEDIAPIPE_MODULES` load as empty modules; after,
    they are removed from ``sys.modules`` and from their packages, so that importing one
    later loads the real thing. Once MediaPipe is loaded this is a plain import. Should a
    MediaPipe version need one of them while it loads, the partial import is dropped and
    MediaPipe is imported whole, as before.
    """
    if "mediapipe" in sys.modules:
        import mediapipe

        loaded: ModuleType = mediapipe
        return loaded
    finder = _EmptyModules()
    sys.meta_path.insert(0, finder)
    try:
        import mediapipe
    except Exception:  # noqa: BLE001 - any failure: drop the partial import, load it whole
        sys.meta_path.remove(finder)
        for name in [m for m in sys.modules if m == "mediapipe" or m.startswith("mediapipe.")]:
            del sys.modules[name]
        import mediapipe

        whole: ModuleType = mediapipe
        return whole
    finally:
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name in UNUSED_MEDIAPIPE_MODULES:
            module = sys.modules.get(name)
            if module is None or module.__spec__ is None or module.__spec__.loader is not finder:
                continue
            del sys.modules[name]
            parent, _, child = name.rpartition(".")
            package = sys.modules.get(parent)
            if package is not None and getattr(package, child, None) is module:
                delattr(package, child)
    fresh: ModuleType = mediapipe
    return fresh


class PoseEstimator(ClosesOnExit):
    """Finds one person's landmarks in BGR frames with MediaPipe's PoseLandmarker.

    Use as a context manager (the landmarker is closed on exit)::

        with PoseEstimator() as est:
            landmarks = est.detect(image_bgr)            # IMAGE mode
        with PoseEstimator(mode="video") as est:
            landmarks = est.detect(frame_bgr, timestamp_ms=40)

    When several people are found, the largest (by landmark bounding-box area) is
    returned and :attr:`last_people` says how many there were.

    Args:
        model_path: a ``.task`` bundle; default :func:`default_model_path`.
        mode: ``"image"`` (each call independent) or ``"video"`` (tracking between calls;
            timestamps must increase).
        max_people: how many people MediaPipe may return per frame.
        min_detection_confidence: MediaPipe's person-detector threshold.
        retry_detection_confidence: in image mode, when nobody is found, try once more
            with this lower threshold (None: don't). Small, blurred or unusual pictures
            (224 px scraper photos, a person upside down) often score 0.3-0.5; on the
            real photo set this recovers 2 of 3 missed people, while an empty scene
            still gives nobody.
        segmentation: also ask MediaPipe for the person's segmentation mask and keep its
            outline across the trunk (:attr:`Landmarks.silhouette`), the signal the pelvis
            correction uses. Costs inference time: see the README's speed figures.
        correction: a :class:`~posecheck.measure.correction.PoseCorrection` (turns
            ``segmentation`` on), ``"auto"`` for the shipped
            ``models/landmark_correction.npz`` when the landmarker is the very bundle it
            was trained for (same sha256; any other model gets no correction, since it
            errs differently), or None. The estimator only loads it
            (:attr:`correction`) and returns MediaPipe's landmarks as they are; the
            judge applies it per frame once it knows the pose being checked
            (:func:`posecheck.judge.assess.assess`).
        track_one: in video mode without ``person``, let MediaPipe track one person
            from the last frame's landmarks (:attr:`tracking` is 1), and count the people
            with a look in IMAGE mode (room for ``max_people``, no mask) on the first
            frame and every :data:`PEOPLE_LOOK_MS` after; the first look that finds more
            than one switches to tracking ``max_people`` from that frame on, as without
            ``track_one``. About half the inference (MediaPipe's person detector then
            runs only when the track is lost; with room for more people than it tracks
            it runs on every frame), but the joints are read in a region placed by the
            last frame rather than a fresh detection, and measured slightly worse
            (docs/measurements.md, MediaPipe pitfalls): ``analyze --fast``.
        detect_while: with ``track_one``, the first frame whose landmarks this returns
            True for switches to detecting in every frame, as without ``track_one``, for
            the rest of the stream. ``analyze --fast`` and ``live --fast`` pass the
            recognition's lying-body rule: a tracked lying body (Bridge) is kept where the
            detector would drop it and read poorly (docs/measurements.md).
        person: None follows the largest person in every frame. ``N`` (1, 2, ...) picks
            the N-th person counted left to right (by mid-hip, in the picture) in the
            first frame where anybody is found, and in video mode then follows whoever
            is nearest to where that person was (MediaPipe does not keep identities).
            Frames before the first with at least N people give nobody.

    Either way the people are numbered once, for a still that shows the numbers: with
    ``person``, in the frame the person is picked in; without, in the first frame with
    more than one person. :attr:`people_first_seen` holds their mid-hips left to right,
    :attr:`followed_first_seen` the number followed there, and
    :attr:`numbered_this_frame` is True right after the call that numbered them.
    """

    def __init__(
        self,
        model_path: Path | str | None = None,
        mode: RunningMode = "image",
        max_people: int = 2,
        min_detection_confidence: float = 0.5,
        retry_detection_confidence: float | None = 0.3,
        segmentation: bool = False,
        correction: PoseCorrection | Literal["auto"] | None = None,
        person: int | None = None,
        track_one: bool = False,
        detect_while: Callable[[Landmarks], bool] | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.mode: RunningMode = mode
        self.max_people = max_people
        self.min_detection_confidence = min_detection_confidence
        self.retry_detection_confidence = retry_detection_confidence
        self.correction = self._resolve_correction(correction)
        self.segmentation = segmentation or self.correction is not None
        self.last_people = 0
        self._landmarker: Any = None
        self._retry_landmarker: Any = None
        self._look_landmarker: Any = None
        self._next_look_ms: int | None = None
        self._mp: Any = None
        self._last_ts_ms = -1
        if person is not None and person < 1:
            raise ValueError(f"person counts from 1, got {person}")
        self.person = person
        #: Whether it was asked to track one person (``track_one``) in video mode.
        self.track_one = track_one and mode == "video" and person is None
        self.detect_while = detect_while
        self._next_detect_check_ms = 0
        #: How many people the landmarker looks for: ``max_people``, or with
        #: ``track_one`` 1 until a look finds several.
        self.tracking = 1 if self.track_one else max_people
        #: The people of the frame where they were numbered (with ``person``: where the
        #: person was picked; without: the first frame with more than one person), left
        #: to right, as (x, y) mid-hips in that frame's pixels; None until then.
        self.people_first_seen: list[tuple[float, float]] | None = None
        #: The number (1 = leftmost) of the person followed in :attr:`people_first_seen`:
        #: ``person``, or without it the largest; None while ``person`` exceeds the count.
        self.followed_first_seen: int | None = None
        #: True after the detect call whose frame numbered the people (show that frame).
        self.numbered_this_frame = False
        self._followed: np.ndarray | None = None  # mid-hip (normalised) of the person followed
        self._quiet_calls = 3

    def __enter__(self) -> Self:
        self.open()
        return self

    def _resolve_correction(
        self, correction: PoseCorrection | Literal["auto"] | None
    ) -> PoseCorrection | None:
        if correction != "auto":
            return correction
        path = shipped_model_path(CORRECTION_FILENAME)
        if path is None or not self.model_path.is_file():
            return None
        model, trained_for = load_correction(path)
        return model if trained_for == sha256_file(self.model_path) else None

    def open(self) -> None:
        """Load the model. Raises :class:`ModelError` with a one-line message on failure."""
        if self._landmarker is not None:
            return
        check_model_file(self.model_path)
        self._mp = import_mediapipe()  # deliberately lazy, see module docstring
        self._landmarker = self._create(self.min_detection_confidence, self.tracking)

    def _create(
        self,
        min_detection_confidence: float,
        num_poses: int,
        mode: RunningMode | None = None,
        segmentation: bool | None = None,
    ) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        running_mode = (
            vision.RunningMode.VIDEO if (mode or self.mode) == "video" else vision.RunningMode.IMAGE
        )
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=running_mode,
            num_poses=num_poses,
            min_pose_detection_confidence=min_detection_confidence,
            output_segmentation_masks=self.segmentation if segmentation is None else segmentation,
        )
        try:
            with quiet_stderr():
                return vision.PoseLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError variants
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            raise ModelError(
                f"{self.model_path}: cannot load pose model ({first_line[:160]}); "
                f"{HOW_TO_GET_A_MODEL}"
            ) from exc

    def close(self) -> None:
        """Release the landmarker (safe to call twice)."""
        for landmarker in (self._landmarker, self._retry_landmarker, self._look_landmarker):
            if landmarker is not None:
                with quiet_stderr():
                    landmarker.close()
        self._landmarker = None
        self._retry_landmarker = None
        self._look_landmarker = None

    def detect(
        self, image_bgr: NDArray[np.uint8], timestamp_ms: int | None = None
    ) -> Landmarks | None:
        """Landmarks of the largest person in ``image_bgr``, or None if nobody is found.

        Args:
            image_bgr: ``(H, W, 3)`` uint8, OpenCV's BGR channel order.
            timestamp_ms: required in video mode; values that do not increase are bumped
                by 1 ms past the previous one (MediaPipe rejects repeats).
        """
        _check_frame(image_bgr)
        # Reversing the channels of a 1080p frame with numpy costs ~7 ms; callers with
        # many frames should hand RGB to detect_rgb (the video reader makes it with
        # OpenCV in its own thread, ~1 ms).
        return self.detect_rgb(np.ascontiguousarray(image_bgr[:, :, ::-1]), timestamp_ms)

    def detect_rgb(
        self, image_rgb: NDArray[np.uint8], timestamp_ms: int | None = None
    ) -> Landmarks | None:
        """As :meth:`detect`, for an ``(H, W, 3)`` uint8 RGB, C-contiguous image."""
        if self._landmarker is None:
            self.open()
        _check_frame(image_rgb)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=image_rgb)
        # MediaPipe's C++ chatter comes at load and on the first inferences only; keeping
        # fd 2 quiet costs syscalls, so it is done for the first few calls.
        quiet = quiet_stderr() if self._quiet_calls > 0 else contextlib.nullcontext()
        self._quiet_calls = max(0, self._quiet_calls - 1)
        with quiet:
            if self.mode == "video":
                ts = int(timestamp_ms if timestamp_ms is not None else self._last_ts_ms + 1)
                ts = max(ts, self._last_ts_ms + 1)
                self._last_ts_ms = ts
                if self.tracking < self.max_people and self._look_is_due(ts):
                    self._look_for_people(image)
                result = self._landmarker.detect_for_video(image, ts)
            else:
                result = self._landmarker.detect(image)
                if not result.pose_landmarks and self.retry_detection_confidence is not None:
                    if self._retry_landmarker is None:
                        self._retry_landmarker = self._create(
                            self.retry_detection_confidence, self.max_people
                        )
                    with quiet_stderr():
                        result = self._retry_landmarker.detect(image)
        height, width = image_rgb.shape[:2]
        picked = self._pick_person(result, (width, height), image_rgb)
        if (
            picked is not None
            and self.detect_while is not None
            and self.tracking < self.max_people
            and self._last_ts_ms >= self._next_detect_check_ms
        ):
            self._next_detect_check_ms = self._last_ts_ms + DETECT_WHILE_EVERY_MS
            if self.detect_while(picked):
                self._detect_from_now_on()
        return picked

    def _look_is_due(self, ts_ms: int) -> bool:
        if self._next_look_ms is not None and ts_ms < self._next_look_ms:
            return False
        self._next_look_ms = ts_ms + PEOPLE_LOOK_MS
        return True

    def _look_for_people(self, image: Any) -> None:
        """Count the people in ``image`` (IMAGE mode, room for :attr:`max_people`, no
        mask); when there are several, track :attr:`max_people` from this frame on."""
        if self._look_landmarker is None:
            self._look_landmarker = self._create(
                self.min_detection_confidence, self.max_people, mode="image", segmentation=False
            )
        if len(self._look_landmarker.detect(image).pose_landmarks or []) < 2:
            return
        self._detect_from_now_on()

    def _detect_from_now_on(self) -> None:
        """Stop tracking one person: look for :attr:`max_people` in every frame."""
        with quiet_stderr():
            self._landmarker.close()
            if self._look_landmarker is not None:
                self._look_landmarker.close()
        self._look_landmarker = None
        self.tracking = self.max_people
        self._landmarker = self._create(self.min_detection_confidence, self.tracking)
        self._quiet_calls = 3  # a new landmarker chatters on its first inferences

    def _pick_person(
        self, result: Any, image_wh: tuple[int, int], image_rgb: NDArray[np.uint8]
    ) -> Landmarks | None:
        self.numbered_this_frame = False
        people = list(result.pose_landmarks or [])
        self.last_people = len(people)
        if not people:
            return None
        candidates = [
            _to_landmarks(p, w, image_wh)
            for p, w in zip(people, _world_or_none(result, len(people)), strict=True)
        ]
        best = self._choose(candidates)
        if best is None:
            return None
        chosen = candidates[best]
        masks = list(getattr(result, "segmentation_masks", None) or [])
        if self.segmentation and len(masks) == len(candidates):
            edges = silhouette_edges(masks[best].numpy_view(), chosen.xy_px)
            chosen = dataclasses.replace(chosen, silhouette=edges)
        if self.correction is not None and self.correction.pixels is not None:
            line = read_hip_line(self.correction.pixels, image_rgb, chosen.xy_px, rgb=True)
            chosen = dataclasses.replace(chosen, hip_line_px=line)
        return chosen

    def _choose(self, candidates: list[Landmarks]) -> int | None:
        """Index of the person to return: the largest, or with :attr:`person` the one
        numbered so in the first frame and the nearest to it after (None: not yet).

        Numbers the people (:meth:`_number`) in the first frame with more than one
        person, or with :attr:`person` in each frame until the person is picked."""
        hips = [_mid_hip(c) for c in candidates]
        if self.person is None:
            largest = max(range(len(candidates)), key=lambda i: _bbox_area(candidates[i]))
            if self.people_first_seen is None and len(candidates) > 1:
                self._number(candidates, hips, largest)
            return largest
        followed = self._followed
        if followed is None or self.mode != "video":
            order = _left_to_right(hips)
            pick = order[self.person - 1] if self.person <= len(order) else None
            self._number(candidates, hips, pick)
            if pick is None:
                return None
        else:
            pick = min(
                range(len(candidates)), key=lambda i: float(np.linalg.norm(hips[i] - followed))
            )
        if self.mode == "video":
            self._followed = hips[pick]
        return pick

    def _number(
        self, candidates: list[Landmarks], hips: list[np.ndarray], followed: int | None
    ) -> None:
        """Record this frame's people left to right (mid-hips in pixels) and the number
        of ``followed`` (an index into ``candidates``) among them."""
        order = _left_to_right(hips)
        wh = np.asarray(candidates[0].image_wh, dtype=np.float64)
        self.people_first_seen = [
            (float(hips[i][0] * wh[0]), float(hips[i][1] * wh[1])) for i in order
        ]
        self.followed_first_seen = None if followed is None else order.index(followed) + 1
        self.numbered_this_frame = True


def _check_frame(image: NDArray[np.uint8]) -> None:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")


def _world_or_none(result: Any, n: int) -> list[Any]:
    worlds = list(result.pose_world_landmarks or [])
    return worlds if len(worlds) == n else [None] * n


def _to_landmarks(points: Any, world: Any, image_wh: tuple[int, int]) -> Landmarks:
    if len(points) != N_LANDMARKS:
        raise ValueError(f"model returned {len(points)} landmarks, expected {N_LANDMARKS}")
    xy = np.array([[p.x, p.y] for p in points], dtype=np.float64)
    vis = np.array([p.visibility if p.visibility is not None else 0.0 for p in points])
    world_xyz = None
    if world is not None:
        world_xyz = np.array([[p.x, p.y, p.z] for p in world], dtype=np.float64)
    return Landmarks(xy=xy, visibility=vis, image_wh=image_wh, world=world_xyz)


def _left_to_right(hips: list[np.ndarray]) -> list[int]:
    """Indices of ``hips`` (normalised (x, y) mid-hips) sorted by x, left first."""
    return sorted(range(len(hips)), key=lambda i: float(hips[i][0]))


def _mid_hip(lm: Landmarks) -> np.ndarray:
    return np.asarray((lm.xy[23] + lm.xy[24]) / 2.0)


def _bbox_area(lm: Landmarks) -> float:
    span = np.ptp(np.clip(lm.xy, 0.0, 1.0), axis=0) * np.asarray(lm.image_wh)
    return float(span[0] * span[1])
