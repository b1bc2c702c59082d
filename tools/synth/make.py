"""Render sets of synthetic clips: an mp4 and a ``<stem>.truth.json`` per clip.

    python -m tools.synth.make samples                 # the curated set -> samples/synth/
    python -m tools.synth.make bench --out ~/.cache/posecheck-synth/bench --jobs 2
    python -m tools.synth.make bench --list            # what would be rendered
    python -m tools.synth.make samples --only 'tree_*'
    python -m tools.synth.make wide --out ~/.cache/posecheck-synth/wide --jobs 2
    python -m tools.synth.make cues                    # held-out clips for judging cues
    python -m tools.synth.make crowd --jobs 2          # 60 more bodies, 8 clips each

``wide`` is the set for learning a correction (issue 13): many bodies drawn over anny's
phenotype space, split by body into train and test (``split`` in each truth file and in
``manifest.json`` beside the clips), continuous faults, many cameras, outfits and lights
(:func:`wide_set`).

A clip is a :class:`ClipSpec`: pose and fault parameters, body (phenotype), camera
(azimuth and elevation relative to the BODY's facing, distance or "fill the picture"),
timing and outfit. :func:`render_clip` poses the body with ``poses.animate``, frames the
whole animation, renders it (``render.Renderer``), encodes H.264 and writes the truth file
(schema in ``README.md``). Both files are written to temporary names and renamed into
place, the truth file last: a clip whose truth file carries the spec's hash is complete,
and is skipped when asked for again. The hash covers the spec and :data:`GENERATOR_VERSION`,
not the code: after changing body/poses/render/truth, bump it or pass ``--force``.

Cost (2 shared cores, 640x480): rendering + encoding ~55-75 ms a frame (one job), posing
~15-20 ms a frame for Warrior 1 and Tree, ~90 for Half Moon, ~200 for Bridge (contacts
re-solved each hold frame). ``samples`` (12 clips x 120 frames) takes ~4.5 min with one
job; ``bench`` (222 clips x 45 frames, the views of one animation posed once) ~4 s a clip
with ``--jobs 2``, about 15-20 min.

Frames: world metres (+Z up, floor z = 0, -Y the unrotated body's front); camera OpenCV.
"""

from __future__ import annotations

import argparse
import colorsys
import fnmatch
import hashlib
import json
import math
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from importlib.util import find_spec
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tools.synth.camera import Camera, orbit_camera

FloatArray = NDArray[np.float64]

#: Bump when the rendering or truth changes in a way that makes old clips stale.
GENERATOR_VERSION = 1
SCHEMA = 1
REPO = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO / "samples" / "synth"
DEFAULT_BENCH_DIR = Path("~/.cache/posecheck-synth/bench")
DEFAULT_WIDE_DIR = Path("~/.cache/posecheck-synth/wide")

#: Named bodies (anny phenotype values, 0..1). In anny gender 0 = male, 1 = female, and age
#: runs newborn (-1/3), baby (0), child (1/3), young adult (2/3), old (1). Standing
#: heights: f_avg 1.66 m, m_heavy 1.80 m, tall_slim ~1.80 m (height 0.1 ~ 11 cm).
BODIES: dict[str, dict[str, float]] = {
    "f_avg": {
        "gender": 1.0,
        "age": 0.7,
        "muscle": 0.5,
        "weight": 0.5,
        "height": 0.4,
        "proportions": 0.5,
    },
    "m_heavy": {
        "gender": 0.0,
        "age": 0.78,
        "muscle": 0.7,
        "weight": 0.75,
        "height": 0.4,
        "proportions": 0.5,
    },
    "tall_slim": {
        "gender": 0.8,
        "age": 0.68,
        "muscle": 0.4,
        "weight": 0.2,
        "height": 0.5,
        "proportions": 0.7,
    },
}


@dataclass(frozen=True)
class ClipSpec:
    """Everything that decides one clip's pixels and truth.

    Attributes:
        stem: file name without extension (``<stem>.mp4``, ``<stem>.truth.json``).
        pose: ``warrior1`` | ``tree`` | ``half_moon`` | ``bridge``.
        params: keyword arguments of the pose's parameter dataclass in ``poses.py``
            (degrees, metres), e.g. ``{"knee_in_deg": 10.0}``; unnamed ones take defaults.
        side: posecheck's side (W1 front leg, Tree/Half Moon standing leg; None for Bridge).
        body: a key of :data:`BODIES`.
        azimuth_deg: camera azimuth relative to the body's facing (0 = in front of it,
            +90 = on its left, 180 = behind); see ``camera.orbit_camera``.
        elevation_deg: camera height angle above the framing centre (+ looks down).
        distance_m: camera distance; None = fit the whole animation to ``fill`` of the
            picture.
        fill: with ``distance_m`` None, the fraction of the picture's height or width
            (whichever binds) the body's extent takes.
        fps, entry_s, hold_s: timing: an entry from standing, then a hold.
        sway_deg: amplitude of the natural sway during the hold.
        seed: sway randomness.
        palette: a key of ``render.PALETTES``.
        image_wh: picture size in pixels (even).
        vfov_deg: the lens's vertical field of view (portrait phones ~70-80).
        camera_height_m: with ``distance_m``, place the camera by its height above the
            floor and its horizontal distance from the framing centre (a phone on a stand)
            instead of by ``elevation_deg``; pushed back when the body would not fit
            (:func:`place_camera`). None: ``elevation_deg`` as before.
        outfit: a full ``render.Palette`` as a dict (colours, sleeves, looseness),
            overriding ``palette``; None: ``palette``.
        light: ``render.Lighting`` fields as a dict; None: the default lighting.
        split: ``"train"`` / ``"test"`` for the sets split by body; None elsewhere.

    The fields after ``image_wh`` came later: at their defaults they are left out of
    :meth:`to_json` and so of :meth:`digest`, and older clips keep their hashes.
    """

    stem: str
    pose: str
    params: dict[str, Any] = field(default_factory=dict)
    side: str | None = "left"
    body: str = "f_avg"
    azimuth_deg: float = 0.0
    elevation_deg: float = 5.0
    distance_m: float | None = None
    fill: float = 0.7
    fps: float = 30.0
    entry_s: float = 1.0
    hold_s: float = 3.0
    sway_deg: float = 1.5
    seed: int = 0
    palette: str = "teal"
    image_wh: tuple[int, int] = (640, 480)
    vfov_deg: float = 50.0
    camera_height_m: float | None = None
    outfit: dict[str, Any] | None = None
    light: dict[str, float] | None = None
    split: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON dict (the later fields only when they differ from their defaults)."""
        d = asdict(self)
        d["image_wh"] = list(self.image_wh)
        for k, default in _LATER_FIELDS.items():
            if d[k] == default:
                del d[k]
        return d

    def digest(self) -> str:
        """12 hex digits identifying this spec and :data:`GENERATOR_VERSION`."""
        text = json.dumps([GENERATOR_VERSION, self.to_json()], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


#: :class:`ClipSpec` fields added after the bench set was rendered, with their defaults.
_LATER_FIELDS: dict[str, Any] = {
    "vfov_deg": 50.0,
    "camera_height_m": None,
    "outfit": None,
    "light": None,
    "split": None,
}


# --------------------------------------------------------------------------- poses


#: Each pose's parameter dataclass in ``poses.py``.
POSE_CLASSES = {"warrior1": "Warrior1", "tree": "Tree", "half_moon": "HalfMoon", "bridge": "Bridge"}

#: World azimuth (``orbit_camera``) of each pose's "front" (see ``poses.VIEW_AZIMUTH_DEG``);
#: :class:`ClipSpec` azimuths are relative to it. Warrior 1 and Tree face -Y; Half Moon's
#: chest faces -Y; Bridge lies head toward +X, so its front (posecheck's front view, where
#: the knees' gap shows) is from the feet, world -90, and relative +90 is its left side.
FACING_AZIMUTH_DEG = {"warrior1": 0.0, "tree": 0.0, "half_moon": 0.0, "bridge": -90.0}


def _poses() -> Any:
    """``tools.synth.poses`` (imported lazily: it pulls in anny/torch through body)."""
    from tools.synth import poses

    return poses


def pose_params(spec: ClipSpec) -> Any:
    """The ``poses.py`` parameter dataclass for ``spec`` (Bridge's unused side: left)."""
    if spec.pose not in POSE_CLASSES:
        raise ValueError(f"unknown pose {spec.pose!r}; expected one of {sorted(POSE_CLASSES)}")
    cls = getattr(_poses(), POSE_CLASSES[spec.pose])
    return cls(side=spec.side or "left", **spec.params)


# --------------------------------------------------------------------------- framing


def fit_camera(
    points_m: FloatArray,
    *,
    azimuth_deg: float,
    elevation_deg: float,
    image_wh: tuple[int, int],
    fill: float = 0.7,
    distance_m: float | None = None,
    vfov_deg: float = 50.0,
) -> Camera:
    """A camera at the given world azimuth/elevation that frames ``points_m``.

    Args:
        points_m: ``(N, 3)`` world points to frame (vertices over the whole animation).
        azimuth_deg, elevation_deg: ``orbit_camera`` placement, world azimuth.
        image_wh: picture size.
        fill: fraction of the picture's height or width (whichever binds) the points'
            projected extent takes, when ``distance_m`` is None.
        distance_m: fixed distance (the framing then only centres the points).
        vfov_deg: the lens's vertical field of view.
    Returns:
        The camera; its target is moved so the points' projected box is centred.
    """
    pts = np.asarray(points_m, dtype=np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    target = (lo + hi) / 2.0
    dist = distance_m if distance_m is not None else 2.0 * float(np.linalg.norm(hi - lo))
    w, h = image_wh
    cam = orbit_camera(
        target,
        azimuth_deg=azimuth_deg,
        elevation_deg=elevation_deg,
        distance_m=dist,
        image_wh=image_wh,
        vfov_deg=vfov_deg,
    )
    for _ in range(6):
        px = cam.project(pts)
        (x0, y0), (x1, y1) = px.min(axis=0), px.max(axis=0)
        # Re-centre: move the target across the view by the box centre's offset.
        du, dv = (x0 + x1) / 2.0 - cam.cx_px, (y0 + y1) / 2.0 - cam.cy_px
        r = cam.rotation
        target = target + (du / cam.fx_px) * dist * r[0] + (dv / cam.fy_px) * dist * r[1]
        if distance_m is None:
            scale = max((x1 - x0) / (fill * w), (y1 - y0) / (fill * h))
            dist *= float(scale)
        cam = orbit_camera(
            target,
            azimuth_deg=azimuth_deg,
            elevation_deg=elevation_deg,
            distance_m=dist,
            image_wh=image_wh,
            vfov_deg=vfov_deg,
        )
    return cam


def place_camera(
    points_m: FloatArray,
    *,
    azimuth_deg: float,
    height_m: float,
    distance_m: float,
    image_wh: tuple[int, int],
    vfov_deg: float,
    max_fill: float = 0.9,
) -> Camera:
    """A camera ``height_m`` above the floor, ``distance_m`` horizontally from the centre
    of ``points_m``'s box at world ``azimuth_deg``, aimed so the points' projected box is
    centred (a phone on a stand pointed at the person).

    When the points would take more than ``max_fill`` of the picture's height or width,
    the camera moves back (same height) until they fit; ``Camera.distance_m`` is then the
    3D distance to the aim point and ``elevation_deg`` the resulting downward look.
    """
    pts = np.asarray(points_m, dtype=np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    target = (lo + hi) / 2.0
    horiz = float(distance_m)
    w, h = image_wh
    cam: Camera | None = None
    for _ in range(8):
        dz = height_m - float(target[2])
        cam = orbit_camera(
            target,
            azimuth_deg=azimuth_deg,
            elevation_deg=math.degrees(math.atan2(dz, horiz)),
            distance_m=math.hypot(horiz, dz),
            image_wh=image_wh,
            vfov_deg=vfov_deg,
        )
        c = cam.to_cam(pts)
        if float(c[:, 2].min()) < 0.3:  # points behind or at the lens: back off
            horiz *= 1.3
            continue
        px = cam.project(pts)
        (x0, y0), (x1, y1) = px.min(axis=0), px.max(axis=0)
        du, dv = (x0 + x1) / 2.0 - cam.cx_px, (y0 + y1) / 2.0 - cam.cy_px
        r, dist = cam.rotation, cam.distance_m
        target = target + (du / cam.fx_px) * dist * r[0] + (dv / cam.fy_px) * dist * r[1]
        target[2] = min(max(float(target[2]), float(lo[2])), float(hi[2]))
        scale = max((x1 - x0) / (max_fill * w), (y1 - y0) / (max_fill * h))
        if scale > 1.0:
            horiz *= float(scale)
    assert cam is not None
    dz = height_m - float(target[2])
    return orbit_camera(
        target,
        azimuth_deg=azimuth_deg,
        elevation_deg=math.degrees(math.atan2(dz, horiz)),
        distance_m=math.hypot(horiz, dz),
        image_wh=image_wh,
        vfov_deg=vfov_deg,
    )


def mat_for(landmarks_m: FloatArray) -> tuple[tuple[float, float], float]:
    """Mat centre ``(x, y)`` metres and long-axis yaw (degrees from +X) for a pose's
    ``(33, 3)`` landmarks: along the longest floor-plane spread of the landmarks near the
    floor (z < 0.25 m) when over 0.5 m (a lunge's feet, a lying body), else of all
    landmarks when over 1.2 m (Half Moon), else along Y (the unrotated body's front)."""
    lm = np.asarray(landmarks_m, dtype=np.float64)
    low = lm[lm[:, 2] < 0.25, :2]
    for xy, min_spread in ((low, 0.5), (lm[:, :2], 1.2)):
        if len(xy) < 2:
            continue
        _, evecs = np.linalg.eigh(np.cov((xy - xy.mean(axis=0)).T))
        axis = evecs[:, -1]
        along = xy @ axis
        if float(np.ptp(along)) > min_spread:
            centre = (xy.min(axis=0) + xy.max(axis=0)) / 2.0
            return (float(centre[0]), float(centre[1])), math.degrees(math.atan2(axis[1], axis[0]))
    xy = low if len(low) else lm[:, :2]
    centre = (xy.min(axis=0) + xy.max(axis=0)) / 2.0
    return (float(centre[0]), float(centre[1])), 90.0


# --------------------------------------------------------------------------- one clip

_BODY_CACHE: dict[str, Any] = {}


def phenotype(name: str) -> dict[str, float]:
    """anny phenotype of a named body: a :data:`BODIES` key or a ``wide`` set body."""
    if name in BODIES:
        return BODIES[name]
    drawn = {**wide_bodies(), **crowd_bodies()}
    if name in drawn:
        return drawn[name].phenotype
    raise ValueError(
        f"unknown body {name!r}; expected one of {sorted(BODIES)} or a wide/crowd set body"
    )


def _body(name: str) -> Any:
    """The ``body.Body`` for a named body (:func:`phenotype`), built once per process."""
    ph = phenotype(name)
    if name not in _BODY_CACHE:
        from tools.synth.body import Body

        _BODY_CACHE[name] = Body(ph)
    return _BODY_CACHE[name]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_done(spec: ClipSpec, out_dir: Path) -> bool:
    """True when ``out_dir`` holds this spec's mp4 and a truth file with its hash."""
    mp4, truth = out_dir / f"{spec.stem}.mp4", out_dir / f"{spec.stem}.truth.json"
    if not (mp4.is_file() and truth.is_file()):
        return False
    try:
        with truth.open() as f:
            return bool(json.load(f).get("spec_hash") == spec.digest())
    except (OSError, ValueError):
        return False


def animation_key(spec: ClipSpec) -> str:
    """What decides a clip's animation (not its camera or outfit): clips with equal keys
    share one ``poses.animate`` run."""
    d = spec.to_json()
    keep = ("pose", "params", "side", "body", "fps", "entry_s", "hold_s", "sway_deg", "seed")
    return json.dumps({k: d[k] for k in keep}, sort_keys=True)


_ANIM_CACHE: dict[str, list[Any]] = {}


def _animation(spec: ClipSpec, body: Any, params: Any) -> list[Any]:
    """``poses.animate`` for ``spec``, remembering the last one (views of one pose)."""
    key = animation_key(spec)
    if key not in _ANIM_CACHE:
        _ANIM_CACHE.clear()
        _ANIM_CACHE[key] = _poses().animate(
            params,
            body,
            fps=spec.fps,
            entry_s=spec.entry_s,
            hold_s=spec.hold_s,
            sway_deg=spec.sway_deg,
            seed=spec.seed,
        )
    return _ANIM_CACHE[key]


def _r(values: FloatArray, decimals: int) -> list[Any]:
    """Nested lists of rounded floats (keeps the truth files small)."""
    out: list[Any] = np.round(np.asarray(values, dtype=np.float64), decimals).tolist()
    return out


def render_clip(
    spec: ClipSpec, out_dir: Path, *, crf: int = 23, preset: str = "medium"
) -> tuple[Path, Path, dict[str, float]]:
    """Render one clip.

    Returns:
        ``(mp4 path, truth path, timing)``; timing has ``frames``, ``pose_s``,
        ``render_s`` (render + encode) and ``ms_per_frame`` (render + encode).
    """
    from posecheck.io.video import VideoWriter
    from tools.synth.render import Lighting, MatPlacement, Palette, Renderer

    poses = _poses()
    out_dir.mkdir(parents=True, exist_ok=True)
    mp4, truth_path = out_dir / f"{spec.stem}.mp4", out_dir / f"{spec.stem}.truth.json"
    body = _body(spec.body)
    params = pose_params(spec)

    t0 = time.perf_counter()
    frames = _animation(spec, body, params)
    if not frames:
        raise ValueError(f"{spec.stem}: poses.animate returned no frames")
    t_pose = time.perf_counter() - t0

    verts = np.stack([f.vertices_m for f in frames])  # (T, V, 3)
    landmarks = np.stack([f.landmarks_m for f in frames])  # (T, 33, 3)
    com = np.stack([f.com_m for f in frames])  # (T, 3)
    facing = FACING_AZIMUTH_DEG[spec.pose]
    if spec.camera_height_m is not None and spec.distance_m is not None:
        camera = place_camera(
            verts[::3, ::7].reshape(-1, 3),
            azimuth_deg=facing + spec.azimuth_deg,
            height_m=spec.camera_height_m,
            distance_m=spec.distance_m,
            image_wh=spec.image_wh,
            vfov_deg=spec.vfov_deg,
        )
    else:
        camera = fit_camera(
            verts[::3, ::7].reshape(-1, 3),
            azimuth_deg=facing + spec.azimuth_deg,
            elevation_deg=spec.elevation_deg,
            image_wh=spec.image_wh,
            fill=spec.fill,
            distance_m=spec.distance_m,
            vfov_deg=spec.vfov_deg,
        )
    centre, yaw = mat_for(landmarks[-1])
    mat = MatPlacement(center_xy_m=centre, yaw_deg=yaw)

    t1 = time.perf_counter()
    with (
        Renderer(
            body,
            camera,
            palette=spec.palette if spec.outfit is None else Palette.from_json(spec.outfit),
            mat=mat,
            room_center_xy_m=centre,
            room_yaw_deg=facing,
            lighting=None if spec.light is None else Lighting(**spec.light),
        ) as renderer,
        VideoWriter(mp4, spec.fps, spec.image_wh, crf=crf, preset=preset) as writer,
    ):
        for i, f in enumerate(frames):
            rgb = renderer.render(f)
            writer.write(np.ascontiguousarray(rgb[:, :, ::-1]), time_s=i / spec.fps)
    t_render = time.perf_counter() - t1

    metrics = _true_metrics(landmarks, camera, com)
    px = camera.project(landmarks)
    truth = {
        "schema": SCHEMA,
        "clip": mp4.name,
        "pose": spec.pose,
        "side": spec.side,
        "params": poses.params_json(params),
        "body": dict(body.phenotype),
        "camera": camera.to_json(),
        "fps": spec.fps,
        "hold_from_s": spec.entry_s,
        "split": spec.split,
        "spec": spec.to_json(),
        "spec_hash": spec.digest(),
        "generator_version": GENERATOR_VERSION,
        "frames": [
            {
                "t_s": round(i / spec.fps, 6),
                "landmarks_world_m": _r(landmarks[i], 5),
                "landmarks_px": _r(px[i], 2),
                "com_world_m": _r(com[i], 5),
            }
            for i in range(len(frames))
        ],
        "metrics": metrics,
    }
    _write_atomic(truth_path, json.dumps(truth, separators=(",", ":")) + "\n")
    n = len(frames)
    timing = {
        "frames": float(n),
        "pose_s": t_pose,
        "render_s": t_render,
        "ms_per_frame": 1000.0 * t_render / n,
    }
    return mp4, truth_path, timing


def _true_metrics(
    landmarks: FloatArray, camera: Camera, com: FloatArray | None
) -> dict[str, list[float | None]]:
    """``truth.true_metrics``, values rounded to 4 decimals."""
    from tools.synth.truth import true_metrics

    raw = true_metrics(landmarks, camera, com)
    return {k: [None if v is None else round(float(v), 4) for v in vals] for k, vals in raw.items()}


def refresh_truth(truth_path: Path) -> bool:
    """Recompute a truth file's ``metrics`` from its stored landmarks, camera and COM
    with the current ``truth.py`` (after a metric's definition changes; no rendering).
    Returns whether the file changed."""
    from tools.synth.truth import stored_inputs

    d = json.loads(truth_path.read_text())
    metrics = _true_metrics(*stored_inputs(d))
    if metrics == d.get("metrics"):
        return False
    d["metrics"] = metrics
    _write_atomic(truth_path, json.dumps(d, separators=(",", ":")) + "\n")
    return True


# --------------------------------------------------------------------------- sets


@dataclass(frozen=True)
class Fault:
    """One fault of a pose for the clip sets.

    Attributes:
        param: the ``poses.py`` parameter that sets it.
        strong: its value giving at least ~1.5x posecheck's cue (warn) threshold in the
            truth (or past the fault threshold for "below" checks).
        near: its value giving just past the warn threshold (None: one size only).
        check: the posecheck check it should fire.
        truth: the true value measured at ``strong`` / ``near`` (f_avg body, exact pose),
            for reference; the truth files hold the real per-frame values.
        seed: the first sway seed of this fault's bench clips. None: the next seeds in
            order. Faults added after the bench set was first rendered carry their own,
            so the clips before them keep their seeds (and spec hashes: no re-render).
    """

    param: str
    strong: float | str
    near: float | str | None
    check: str
    truth: str
    seed: int | None = None


#: Faults per pose, calibrated against the warn thresholds in ``posecheck/poses/*.py`` with
#: ``truth.true_metrics`` on the solved pose (no sway, bodies f_avg and m_heavy) seen by
#: ``benchmarks/accuracy.py``'s ideal camera (level, 40 m away, front or side); "strong"
#: is a clear fault there (``accuracy.is_clear_fault``: 1.5x the warn threshold's distance
#: from the aligned reference), "near" just past the warn threshold.
FAULTS: dict[str, dict[str, Fault]] = {
    "warrior1": {
        "knee_in": Fault("knee_midline_deg", 9.0, 4.5, "front_knee_midline", "9.3 / ~4.7 %"),
        "back_hip": Fault("back_hip_flexed_deg", 52.0, 40.0, "back_hip_extended", "~0-2 / 12-14"),
        "pelvis_tilt": Fault("pelvis_tilt_deg", 8.5, 5.5, "hips_level", "8.4 / 5.4 deg"),
        "weight_front": Fault("weight_front_shift", 0.24, 0.1, "weight_not_on_front", "83 / 71 %"),
        # the back knee bends toward the back toes, 45 deg out of the side camera's view:
        # a 50 deg bend (true 3D knee 130 deg) shows as 154 from the front leg's side
        "back_knee": Fault(
            "back_knee_bend_deg", 50.0, 35.0, "back_knee_straight", "154 / 163 deg", seed=1001
        ),
    },
    "tree": {
        "knee_in": Fault("knee_midline_deg", 9.5, 6.5, "standing_knee_midline", "9.7 / 6.8 deg"),
        "pelvis_tilt": Fault("pelvis_tilt_deg", 24.0, 16.0, "pelvis_level", "24 / 16 deg"),
        "com_off": Fault("com_shift_foot_lengths", 0.56, 0.37, "com_over_foot", "0.55 / 0.37"),
        # "on the knee": the foot's centre 1-2 % of a leg from the knee (its heel 16.5 %)
        "foot_on_knee": Fault("foot_on", "knee", None, "foot_off_knee", "1-2 %"),
        # the lifted thigh out of the frontal plane (ideal front camera): 19 deg opened 70
        "knee_closed": Fault(
            "lifted_knee_open_deg", 15.0, 40.0, "lifted_knee_open", "~72 / 48 deg"
        ),
        "knee_bent": Fault(
            "standing_knee_bend_deg",
            20.0,
            12.0,
            "standing_leg_straight",
            "160 / 168 deg",
            seed=1101,
        ),
    },
    "half_moon": {
        "hips_rolled": Fault("hips_rolled_deg", 47.0, 32.0, "hips_stacked", "47 / 32 deg"),
        "leg_low": Fault("lifted_leg_drop_deg", 24.0, 16.0, "lifted_leg_level", "-24 / -16 deg"),
        "hand_fwd": Fault("hand_offset_m", 0.28, 0.19, "hand_under_shoulder", "24-26 / 16-17 %"),
        "knee_bent": Fault(
            "standing_knee_bend_deg", 25.0, 17.0, "standing_leg_straight", "155 / 163"
        ),
        # the pelvis sags over the standing leg (its own frontal plane): the standing
        # hip's abduction falls only ~0.5 deg per deg, as the trunk re-pitches to keep the
        # hand down (solved poses, no sway: f_avg 112.2 aligned, 107.0 at 11 deg, 100.2 at
        # 26, 94.4 at 40; m_heavy 109.6, 103.8, 96.1, 89.3)
        "hip_sag": Fault(
            "pelvis_tilt_deg",
            40.0,
            28.0,
            "standing_hip_abducted",
            "94 / 89, ~99 / ~95 deg",
            seed=1201,
        ),
    },
    "bridge": {
        "hips_low": Fault("hip_lift_deg", 140.0, 157.0, "hips_lifted", "140-143 / 157-160 deg"),
        "knees_in": Fault("knee_gap_ratio", 0.68, 0.78, "knees_not_caving", "0.68 / 0.78"),
        "knees_out": Fault("knee_gap_ratio", 1.32, 1.22, "knees_not_splaying", "1.32 / 1.22"),
        "pelvis_tilt": Fault("pelvis_tilt_deg", 9.5, 6.5, "hips_level", "8.0-8.2 / 5.5-5.6 deg"),
        "weight_left": Fault("weight_shift", 0.7, 0.45, "weight_even", "74-76 / 66-67 %"),
    },
}


def _fault(pose: str, name: str, strong: bool = True) -> dict[str, Any]:
    """The params dict for ``pose``'s fault ``name`` (strong: ~1.5x the cue threshold)."""
    f = FAULTS[pose][name]
    return {f.param: f.strong if strong else f.near}


def samples_set() -> list[ClipSpec]:
    """The curated set committed under ``samples/synth/`` (640x480, 30 fps, 1 s entry +
    3 s hold): each pose aligned and with its typical fault, seen from the view that shows
    it, plus off-angle views. Working side left (W1 front leg, Tree/Half Moon standing leg).
    """
    b = ClipSpec(stem="", pose="", fps=30.0, entry_s=1.0, hold_s=3.0)
    return [
        replace(
            b,
            stem="warrior1_aligned_side",
            pose="warrior1",
            azimuth_deg=90.0,
            body="f_avg",
            palette="teal",
            seed=1,
        ),
        replace(
            b,
            stem="warrior1_back_hip_flexed_side",
            pose="warrior1",
            params=_fault("warrior1", "back_hip"),
            azimuth_deg=90.0,
            body="m_heavy",
            palette="grey",
            seed=2,
        ),
        replace(
            b,
            stem="warrior1_knee_in_front",
            pose="warrior1",
            params=_fault("warrior1", "knee_in"),
            azimuth_deg=0.0,
            body="f_avg",
            palette="coral",
            seed=3,
        ),
        replace(
            b,
            stem="warrior1_aligned_oblique_high",
            pose="warrior1",
            azimuth_deg=40.0,
            elevation_deg=20.0,
            body="tall_slim",
            palette="olive",
            seed=4,
        ),
        replace(
            b,
            stem="tree_aligned_front",
            pose="tree",
            azimuth_deg=0.0,
            body="f_avg",
            palette="coral",
            seed=5,
        ),
        replace(
            b,
            stem="tree_knee_in_front",
            pose="tree",
            params=_fault("tree", "knee_in"),
            azimuth_deg=0.0,
            body="tall_slim",
            palette="teal",
            seed=6,
        ),
        replace(
            b,
            stem="tree_aligned_oblique",
            pose="tree",
            azimuth_deg=35.0,
            elevation_deg=10.0,
            body="m_heavy",
            palette="olive",
            seed=7,
        ),
        replace(
            b,
            stem="half_moon_aligned_front",
            pose="half_moon",
            azimuth_deg=0.0,
            body="tall_slim",
            palette="grey",
            seed=8,
        ),
        replace(
            b,
            stem="half_moon_hips_rolled_front",
            pose="half_moon",
            params=_fault("half_moon", "hips_rolled"),
            azimuth_deg=0.0,
            body="f_avg",
            palette="teal",
            seed=9,
        ),
        replace(
            b,
            stem="bridge_aligned_side",
            pose="bridge",
            side=None,
            azimuth_deg=90.0,
            elevation_deg=10.0,
            body="f_avg",
            palette="olive",
            seed=10,
        ),
        replace(
            b,
            stem="bridge_hips_low_side",
            pose="bridge",
            side=None,
            params=_fault("bridge", "hips_low"),
            azimuth_deg=90.0,
            elevation_deg=10.0,
            body="m_heavy",
            palette="coral",
            seed=11,
        ),
        replace(
            b,
            stem="bridge_knees_in_front",
            pose="bridge",
            side=None,
            params=_fault("bridge", "knees_in"),
            azimuth_deg=0.0,
            elevation_deg=55.0,
            body="tall_slim",
            palette="grey",
            seed=12,
        ),
    ]


#: Bench views: name -> (azimuth relative to the pose's front, elevation), degrees.
BENCH_VIEWS: dict[str, tuple[float, float]] = {
    "front": (0.0, 5.0),
    "oblique": (40.0, 10.0),
    "side": (90.0, 5.0),
}
#: Bridge lies on the floor: its views look down more. From the feet at 20 deg MediaPipe
#: found the body in 53 of 120 frames (the knees hide the trunk), at 35 deg in 39 of 40.
#: From 35 deg the bent knees read straight and the pose is not recognised; ``high`` (from
#: the feet, 55 deg up, as the committed sample) is where the knees' gap can be judged.
BRIDGE_VIEWS: dict[str, tuple[float, float]] = {
    "front": (0.0, 35.0),
    "oblique": (40.0, 25.0),
    "side": (90.0, 15.0),
    "high": (0.0, 55.0),
}
BENCH_BODIES = ("f_avg", "m_heavy")


def bench_set() -> list[ClipSpec]:
    """Each pose aligned and each fault at two sizes (:data:`FAULTS`), from the three
    :data:`BENCH_VIEWS`, on two bodies; 15 fps, 1 s entry + 2 s hold, 640x480. The views
    of one (variant, body) share the animation (same side and seed), so it is posed once.
    The working side alternates left/right between variants and bodies."""
    base = ClipSpec(stem="", pose="", fps=15.0, entry_s=1.0, hold_s=2.0)
    specs: list[ClipSpec] = []
    seed = 100
    for pose in ("warrior1", "tree", "half_moon", "bridge"):
        # (variant, params, own first seed or None)
        variants: list[tuple[str, dict[str, Any], int | None]] = [("aligned", {}, None)]
        for name, f in FAULTS[pose].items():
            sizes = [f.strong] if f.near is None else [f.strong, f.near]
            for k, size in enumerate(sizes):
                own = None if f.seed is None else f.seed + k * len(BENCH_BODIES)
                variants.append((f"{name}{_num(size)}", {f.param: size}, own))
        for variant, params, own_seed in variants:
            for j, body in enumerate(BENCH_BODIES):
                if own_seed is None:
                    seed += 1
                clip_seed = seed if own_seed is None else own_seed + j
                side = None if pose == "bridge" else ("left" if clip_seed % 2 else "right")
                views = BRIDGE_VIEWS if pose == "bridge" else BENCH_VIEWS
                for k, (view, (az, el)) in enumerate(views.items()):
                    specs.append(
                        replace(
                            base,
                            stem=f"{pose}_{variant}_{view}_{body}",
                            pose=pose,
                            params=params,
                            side=side,
                            body=body,
                            azimuth_deg=az,
                            elevation_deg=el,
                            palette=PALETTE_NAMES[(clip_seed + k) % len(PALETTE_NAMES)],
                            seed=clip_seed,
                        )
                    )
    return specs


def _num(v: float | str) -> str:
    """``0.65`` -> ``"0p65"`` for file stems."""
    return f"{v:g}".replace("-", "m").replace(".", "p") if isinstance(v, float) else ""


#: ``render.PALETTES``' names (repeated here so listing a set needs no pyrender).
PALETTE_NAMES = ("teal", "coral", "grey", "olive")


# --------------------------------------------------------------------------- the wide set

#: Master seed of the ``wide`` set: every draw (bodies, faults, cameras, outfits, lights)
#: comes from generators seeded by it and the draw's place, so the set is the same on
#: every machine and growing it (more animations per body and pose) keeps the clips before.
WIDE_SEED = 13_2026
#: Bodies of the ``wide`` set, and which of them (by index) are held out for testing.
WIDE_N_BODIES = 20
WIDE_TEST_INDEX = (1, 4, 7, 10, 14, 17)
#: Rounds: animations per (body, pose) by default (``make wide --rounds N`` for more; a
#: round is 160 clips), and views (clips) per animation.
WIDE_ROUNDS = 1
WIDE_VIEWS_PER_ANIM = 2
#: Timing: a short entry (a transition from standing or lying) and a short hold.
WIDE_FPS, WIDE_ENTRY_S, WIDE_HOLD_S = 15.0, 0.5, 1.0
#: Phenotype ranges (anny, 0..1) the bodies are drawn over (stratified: each range is cut
#: into WIDE_N_BODIES bins and each bin used once). Gender alternates female (0.8-1) and
#: male (0-0.2); age 0.5 = teenager, 0.67 = young adult, 1 = old.
WIDE_PHENOTYPE_RANGES: dict[str, tuple[float, float]] = {
    "age": (0.5, 1.0),
    "height": (0.05, 0.95),
    "weight": (0.1, 0.9),
    "muscle": (0.1, 0.9),
    "proportions": (0.3, 0.7),
}


@dataclass(frozen=True)
class WideBody:
    """One body of the ``wide`` set: its name, anny phenotype and split."""

    name: str
    phenotype: dict[str, float]
    split: str


_BODY_DRAWS: dict[tuple[int, int, tuple[int, ...], str], dict[str, WideBody]] = {}


def draw_bodies(seed: int, n: int, test_index: Sequence[int], prefix: str) -> dict[str, WideBody]:
    """``n`` bodies ``<prefix>00`` ... drawn over :data:`WIDE_PHENOTYPE_RANGES`
    (stratified: each range cut into ``n`` bins, each bin used once; gender alternates
    female and male), those at ``test_index`` held out for testing. Deterministic in
    ``seed``; built once per process."""
    key = (seed, n, tuple(test_index), prefix)
    if key not in _BODY_DRAWS:
        rng = np.random.default_rng([seed, 0])
        cols = {
            k: lo + (hi - lo) * (rng.permutation(n) + rng.uniform(0.0, 1.0, n)) / n
            for k, (lo, hi) in WIDE_PHENOTYPE_RANGES.items()
        }
        drawn: dict[str, WideBody] = {}
        for i in range(n):
            female = i % 2 == 0
            g = rng.uniform(0.8, 1.0) if female else rng.uniform(0.0, 0.2)
            ph = {"gender": round(float(g), 3)}
            ph.update({k: round(float(v[i]), 3) for k, v in cols.items()})
            split = "test" if i in test_index else "train"
            drawn[f"{prefix}{i:02d}"] = WideBody(f"{prefix}{i:02d}", ph, split)
        _BODY_DRAWS[key] = drawn
    return _BODY_DRAWS[key]


def wide_bodies() -> dict[str, WideBody]:
    """The ``wide`` set's bodies ``w00`` ... (:func:`draw_bodies`)."""
    return draw_bodies(WIDE_SEED, WIDE_N_BODIES, WIDE_TEST_INDEX, "w")


def crowd_bodies() -> dict[str, WideBody]:
    """The ``crowd`` set's bodies ``c00`` ... (:func:`draw_bodies`)."""
    return draw_bodies(CROWD_SEED, CROWD_N_BODIES, CROWD_TEST_INDEX, "c")


#: Fault ranges of the ``wide`` set: ``poses.py`` parameter -> (low, high, chance a
#: non-aligned animation draws it; the rest keep the aligned value). Signed ranges cover
#: both directions (hip drop and hike, knee in and out, weight either way).
WIDE_FAULTS: dict[str, dict[str, tuple[float, float, float]]] = {
    "warrior1": {
        "pelvis_tilt_deg": (-10.0, 10.0, 0.8),
        "hips_open_deg": (-10.0, 40.0, 0.5),
        "knee_midline_deg": (-8.0, 15.0, 0.5),
        "weight_front_shift": (-0.15, 0.25, 0.5),
        "back_hip_flexed_deg": (0.0, 45.0, 0.25),
        "back_knee_bend_deg": (0.0, 40.0, 0.2),
    },
    "tree": {
        "pelvis_tilt_deg": (-15.0, 15.0, 0.8),
        "knee_midline_deg": (-6.0, 14.0, 0.5),
        "com_shift_foot_lengths": (-0.5, 0.6, 0.5),
        "standing_knee_bend_deg": (0.0, 20.0, 0.25),
        "lifted_knee_open_deg": (15.0, 85.0, 0.3),
    },
    "half_moon": {
        "pelvis_tilt_deg": (-10.0, 10.0, 0.8),
        "hips_rolled_deg": (-10.0, 45.0, 0.5),
        "knee_midline_deg": (-6.0, 12.0, 0.5),
        "com_shift_m": (-0.12, 0.12, 0.5),
        "lifted_leg_drop_deg": (-10.0, 25.0, 0.3),
        "hand_offset_m": (-0.1, 0.25, 0.25),
        "standing_knee_bend_deg": (0.0, 20.0, 0.2),
    },
    "bridge": {
        "pelvis_tilt_deg": (-10.0, 10.0, 0.8),
        "knee_gap_ratio": (0.65, 1.35, 0.9),
        "knee_gap_skew": (-0.25, 0.25, 0.5),
        "weight_shift": (-0.7, 0.7, 0.5),
        "hip_lift_deg": (135.0, 175.0, 0.3),
    },
}
#: One animation in this many is aligned (no fault; only the posture varies): in each
#: round and pose, the bodies whose (index + pose index + round) is a multiple (so train
#: and test bodies both have aligned clips of every pose).
WIDE_ALIGNED_EVERY = 4
#: Camera azimuths (relative to the pose's front), jittered by up to 5 degrees: front
#: +-45 in 15-degree steps, oblique +-60, side +-90. The first view of each animation is
#: drawn from the front +-45.
WIDE_AZIMUTHS = (-90.0, -60.0, -45.0, -30.0, -15.0, 0.0, 15.0, 30.0, 45.0, 60.0, 90.0)
#: Camera heights above the floor (m), jittered by up to 0.15 m; Bridge lies on the floor
#: and is lost from low cameras (see the README), so its cameras stand 0.8-2.0 m high.
WIDE_HEIGHTS = (0.4, 0.7, 1.0, 1.3, 1.6)
WIDE_BRIDGE_HEIGHTS = (0.8, 1.2, 1.6, 2.0)
WIDE_DISTANCE_M = (2.0, 5.0)
WIDE_BRIDGE_DISTANCE_M = (2.0, 3.5)  # a lying body 5 m away is a few dozen pixels
#: Lenses: the long side's field of view (degrees), phone-wide and normal.
WIDE_LENSES: dict[str, tuple[float, float]] = {"wide": (70.0, 80.0), "normal": (40.0, 50.0)}
#: Picture sizes: portrait and landscape 16:9.
WIDE_PORTRAIT_WH, WIDE_LANDSCAPE_WH = (360, 640), (640, 360)

_SKIN_TONES = (
    (0.92, 0.76, 0.65),
    (0.86, 0.66, 0.54),
    (0.76, 0.57, 0.44),
    (0.60, 0.42, 0.30),
    (0.45, 0.30, 0.21),
    (0.30, 0.20, 0.14),
)
_HAIR = ((0.06, 0.05, 0.05), (0.20, 0.12, 0.07), (0.45, 0.30, 0.15), (0.70, 0.60, 0.40))
_WALLS = (
    (0.90, 0.88, 0.84),
    (0.80, 0.84, 0.86),
    (0.86, 0.80, 0.70),
    (0.55, 0.60, 0.55),
    (0.35, 0.36, 0.40),
    (0.92, 0.92, 0.92),
)
_FLOORS = (
    (0.72, 0.62, 0.50),
    (0.60, 0.50, 0.42),
    (0.40, 0.30, 0.22),
    (0.78, 0.74, 0.68),
    (0.30, 0.30, 0.32),
    (0.55, 0.55, 0.58),
)


def _rgb(
    rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]
) -> list[float]:
    """A random colour: any hue, saturation and value in the given ranges."""
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(*sat), rng.uniform(*val))
    return [round(r, 3), round(g, 3), round(b, 3)]


def _wide_outfit(rng: np.random.Generator) -> dict[str, Any]:
    """A random outfit and room (``render.Palette`` fields)."""
    loose_top = rng.uniform() < 0.45
    loose_trousers = rng.uniform() < 0.4
    skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))]
    return {
        "name": "wide",
        "skin_rgb": list(skin),
        "top_rgb": _rgb(rng, (0.0, 0.8), (0.08, 0.9)),
        "leggings_rgb": _rgb(rng, (0.0, 0.7), (0.05, 0.6)),
        "hair_rgb": None if rng.uniform() < 0.15 else list(_HAIR[rng.integers(len(_HAIR))]),
        "mat_rgb": _rgb(rng, (0.2, 0.7), (0.2, 0.8)),
        "floor_rgb": list(_FLOORS[rng.integers(len(_FLOORS))]),
        "wall_rgb": list(_WALLS[rng.integers(len(_WALLS))]),
        "sleeves": str(rng.choice(["none", "short", "long"])),
        "top_loose_m": round(float(rng.uniform(0.02, 0.05)), 3) if loose_top else 0.0,
        "trousers_loose_m": round(float(rng.uniform(0.02, 0.06)), 3) if loose_trousers else 0.0,
    }


def _wide_light(rng: np.random.Generator) -> dict[str, float]:
    """Random key and fill lights (``render.Lighting`` fields)."""
    key_az = float(rng.uniform(-90.0, 90.0))
    return {
        "key_azimuth_deg": round(key_az, 1),
        "key_elevation_deg": round(float(rng.uniform(20.0, 75.0)), 1),
        "key_intensity": round(float(rng.uniform(1.5, 4.0)), 2),
        "fill_azimuth_deg": round(key_az - float(rng.uniform(80.0, 140.0)), 1),
        "fill_elevation_deg": round(float(rng.uniform(10.0, 40.0)), 1),
        "fill_intensity": round(float(rng.uniform(0.3, 1.5)), 2),
        "ambient": round(float(rng.uniform(0.15, 0.5)), 2),
    }


def _wide_posture(pose: str, rng: np.random.Generator) -> dict[str, Any]:
    """Aligned variety that is no fault: arms, Tree's foot place, W1's knee and stance."""
    if pose == "warrior1":
        return {
            "arms": str(rng.choice(["overhead", "hips"])),
            "front_knee_deg": round(float(rng.uniform(82.0, 98.0)), 1),
            "back_foot_out_deg": round(float(rng.uniform(30.0, 60.0)), 1),
            "stance_width_m": round(float(rng.uniform(0.12, 0.3)), 3),
        }
    if pose == "tree":
        return {
            "arms": str(rng.choice(["chest", "overhead"])),
            "foot_on": str(rng.choice(["thigh", "thigh", "calf"])),
        }
    return {}


def _wide_strata(
    pose: str, rnd: int, n: int = WIDE_N_BODIES, seed: int = WIDE_SEED
) -> dict[str, NDArray[np.float64]]:
    """For one round of one pose: each fault's value for each of ``n`` bodies, stratified
    over the bodies (the range cut into one bin per body, each bin used once, a random
    place in it), so every round spans every range whatever the draws of which faults
    are on."""
    out: dict[str, NDArray[np.float64]] = {}
    for j, (name, (lo, hi, _)) in enumerate(WIDE_FAULTS[pose].items()):
        rng = np.random.default_rng([seed, 2, rnd, list(WIDE_FAULTS).index(pose), j])
        out[name] = lo + (hi - lo) * (rng.permutation(n) + rng.uniform(0.0, 1.0, n)) / n
    return out


def _wide_params(
    pose: str, rng: np.random.Generator, values: dict[str, float], aligned: bool
) -> tuple[str, dict[str, Any]]:
    """``(kind, params)``: ``"aligned"`` or ``"fault"``, and the pose's parameters, each
    fault (when on: its chance in :data:`WIDE_FAULTS`) at its value in ``values``."""
    params = _wide_posture(pose, rng)
    if aligned:
        return "aligned", params
    drawn = False
    for name, (_, _, chance) in WIDE_FAULTS[pose].items():
        if rng.uniform() < chance:
            params[name] = round(float(values[name]), 3)
            drawn = True
    if pose == "tree" and rng.uniform() < 0.15:
        params["foot_on"] = "knee"
        drawn = True
    if not drawn:  # at least the pelvis
        params["pelvis_tilt_deg"] = round(float(values["pelvis_tilt_deg"]), 3)
    return "fault", params


def _wide_lens(
    rng: np.random.Generator, heights: Sequence[float]
) -> tuple[float, tuple[int, int], float]:
    """A camera's height (m; one of ``heights`` jittered by up to 0.15 m, kept within
    them), picture size (portrait 60 %) and vertical field of view (degrees; a phone-wide
    lens 60 %, else a normal one), drawn in this order from ``rng``."""
    height = heights[rng.integers(len(heights))] + rng.uniform(-0.15, 0.15)
    height = min(max(height, heights[0]), heights[-1])
    lens = "wide" if rng.uniform() < 0.6 else "normal"
    long_fov = rng.uniform(*WIDE_LENSES[lens])
    portrait = rng.uniform() < 0.6
    wh = WIDE_PORTRAIT_WH if portrait else WIDE_LANDSCAPE_WH
    t = math.tan(math.radians(long_fov) / 2.0)
    vfov = long_fov if portrait else 2 * math.degrees(math.atan(t * wh[1] / wh[0]))
    return float(height), wh, float(vfov)


def wide_set(rounds: int = WIDE_ROUNDS) -> list[ClipSpec]:
    """Many bodies x views with continuous faults, split by body into train and test.

    :data:`WIDE_N_BODIES` bodies drawn over anny's phenotype space (:func:`wide_bodies`;
    those at :data:`WIDE_TEST_INDEX` are test bodies), each posed in all four poses,
    ``rounds`` animations per (body, pose): aligned (a fifth) or
    with faults drawn from the ranges in :data:`WIDE_FAULTS`. Each animation is filmed
    from :data:`WIDE_VIEWS_PER_ANIM` cameras (the first within +-45 deg of the front),
    each with its own height, distance, lens, orientation, outfit, room and lights. Short
    clips (0.5 s entry + 1 s hold at 15 fps, 23 frames). Every draw is seeded (:data:`WIDE_SEED`).

    Ordered animation round by round (every body and pose's first animation, then every
    second one, ...), so a render stopped part-way still covers all bodies and poses.
    """
    return _animated_set(wide_bodies(), WIDE_SEED, rounds, seed_base=10_000)


def _animated_set(
    bodies: dict[str, WideBody], seed: int, rounds: int, seed_base: int
) -> list[ClipSpec]:
    """The clips of :func:`wide_set` (and :func:`crowd_set`): every body in every pose,
    ``rounds`` animations each, :data:`WIDE_VIEWS_PER_ANIM` views an animation; every
    draw seeded by ``seed``, animation seeds from ``seed_base``."""
    specs: list[tuple[tuple[int, int, int, int], ClipSpec]] = []
    poses_ = ("warrior1", "tree", "half_moon", "bridge")
    n = len(bodies)
    for bi, wb in enumerate(bodies.values()):
        for pi, pose in enumerate(poses_):
            rng = np.random.default_rng([seed, 1, bi, pi])
            for k in range(rounds):
                strata = _wide_strata(pose, k, n, seed)
                aligned = (bi + pi + k) % WIDE_ALIGNED_EVERY == 0
                values = {f: v[bi] for f, v in strata.items()}
                kind, params = _wide_params(pose, rng, values, aligned)
                side = None if pose == "bridge" else str(rng.choice(["left", "right"]))
                anim_seed = seed_base + 1000 * bi + 100 * pi + k
                sway = round(float(rng.uniform(0.5, 2.0)), 2)
                heights = WIDE_BRIDGE_HEIGHTS if pose == "bridge" else WIDE_HEIGHTS
                dist = WIDE_BRIDGE_DISTANCE_M if pose == "bridge" else WIDE_DISTANCE_M
                for v in range(WIDE_VIEWS_PER_ANIM):
                    if v == 0:  # within +-45 of the front, at random
                        front = [a for a in WIDE_AZIMUTHS if abs(a) <= 45.0]
                        az = front[rng.integers(len(front))]
                    else:  # the whole grid in turn, so every azimuth gets its share
                        az = WIDE_AZIMUTHS[(bi + 5 * pi + 7 * k + v) % len(WIDE_AZIMUTHS)]
                    az += rng.uniform(-5.0, 5.0)
                    height, wh, vfov = _wide_lens(rng, heights)
                    order = (k, bi, pi, v)
                    specs.append(
                        (
                            order,
                            ClipSpec(
                                stem=f"{pose}_{wb.name}_{k:02d}{kind[0]}_v{v}",
                                pose=pose,
                                params=params,
                                side=side,
                                body=wb.name,
                                azimuth_deg=round(float(az), 2),
                                elevation_deg=0.0,
                                distance_m=round(float(rng.uniform(*dist)), 3),
                                fps=WIDE_FPS,
                                entry_s=WIDE_ENTRY_S,
                                hold_s=WIDE_HOLD_S,
                                sway_deg=sway,
                                seed=anim_seed,
                                palette="teal",
                                image_wh=wh,
                                vfov_deg=round(float(vfov), 2),
                                camera_height_m=round(float(height), 3),
                                outfit=_wide_outfit(rng),
                                light=_wide_light(rng),
                                split=wb.split,
                            ),
                        )
                    )
    return [spec for _, spec in sorted(specs, key=lambda o: o[0])]


# --------------------------------------------------------------------------- the crowd set

#: Master seed of the ``crowd`` set: many more bodies than the wide set, fewer clips
#: each (the correction learned from the wide set's 14 training bodies fitted those
#: bodies: issue 13). Its own seed and body names (``c00`` ...), so the wide set and its
#: split stay as they are; train on both, test on both sets' test bodies.
CROWD_SEED = 13_2027
CROWD_N_BODIES = 60
#: Every fifth body is held out for testing.
CROWD_TEST_INDEX = tuple(range(2, CROWD_N_BODIES, 5))
CROWD_ROUNDS = 1
DEFAULT_CROWD_DIR = Path("~/.cache/posecheck-synth/crowd")


def crowd_set(rounds: int = CROWD_ROUNDS) -> list[ClipSpec]:
    """:data:`CROWD_N_BODIES` bodies (:func:`crowd_bodies`), each in all four poses,
    ``rounds`` animations per pose filmed from :data:`WIDE_VIEWS_PER_ANIM` cameras:
    faults, cameras, outfits, rooms and lights drawn as in :func:`wide_set` from
    :data:`CROWD_SEED`. Ordered round by round, so a part-way render covers every body."""
    return _animated_set(crowd_bodies(), CROWD_SEED, rounds, seed_base=100_000)


# --------------------------------------------------------------------------- the cues set

#: Master seed of the ``cues`` set (its own draws; the bodies are the wide set's).
CUES_SEED = 17_2026
#: Per test body and side: aligned Trees, and Trees with the lifted knee swung forward
#: (``lifted_knee_open_deg`` drawn from :data:`CUES_KNEE_FORWARD_DEG`: a clear fault of
#: ``tree.lifted_knee_open``, whose thigh opening then reads under 31 deg).
CUES_ALIGNED_PER_SIDE = 3
CUES_FAULTS_PER_SIDE = 1
CUES_KNEE_FORWARD_DEG = (10.0, 30.0)
#: Half Moon, per test body and side: aligned clips, and clips whose pelvis sags over the
#: standing leg by ``pelvis_tilt_deg`` in this range: the standing hip's abduction then
#: falls to ~89-100 deg from ~110-112 aligned (the bench bodies' solved poses: 94-100 at
#: 26-40 deg), a clear fault of ``half_moon.standing_hip_abducted`` (true <= 95) on most.
CUES_HM_ALIGNED_PER_SIDE = 3
CUES_HM_SAGS_PER_SIDE = 2
CUES_HM_SAG_DEG = (34.0, 48.0)
#: Warrior 1 filmed from 45 deg (between the front and the back leg's side), per test
#: body and side: aligned clips, and clips whose back hip is flexed by
#: ``back_hip_flexed_deg`` in this range (true extension ~0-5 deg against ~39 aligned on
#: the bench bodies: a clear fault of ``warrior1.back_hip_extended``, issue 17).
CUES_W1_ALIGNED_PER_SIDE = 3
CUES_W1_FAULTS_PER_SIDE = 2
CUES_W1_BACK_HIP_FLEXED_DEG = (48.0, 60.0)
CUES_W1_AZIMUTHS = (40.0, 45.0, 50.0)
#: Warrior 1 from the front, the same counts: the front knee toward the midline by
#: ``knee_midline_deg`` in this range (~8-14 % of the leg's medial displacement on the
#: bench bodies: a clear fault of ``warrior1.front_knee_midline``, clear >= 6 %).
CUES_W1_KNEE_MIDLINE_DEG = (8.0, 14.0)
#: Front cameras only (jittered by up to 5 degrees): the view the cue is judged from.
CUES_AZIMUTHS = (-20.0, -10.0, 0.0, 10.0, 20.0)
DEFAULT_CUES_DIR = Path("~/.cache/posecheck-synth/cues")


@dataclass(frozen=True)
class CueGroup:
    """Clips of one cue in the ``cues`` set, per test body and side: ``aligned`` aligned
    clips and ``faults`` with ``param`` drawn from ``fault_range``, filmed from
    ``azimuths`` (negated for a right working side when ``mirror_azimuths``); draws
    seeded by ``[CUES_SEED, *rng_key, body]``, animations by ``seed_base``."""

    pose: str
    rng_key: tuple[int, ...]
    param: str
    fault_range: tuple[float, float]
    aligned: int
    faults: int
    seed_base: int
    azimuths: tuple[float, ...] = CUES_AZIMUTHS
    mirror_azimuths: bool = False
    stem_suffix: str = ""


#: The ``cues`` set's groups, in order (see :func:`cues_set`).
CUE_GROUPS = (
    CueGroup("tree", (), "lifted_knee_open_deg", CUES_KNEE_FORWARD_DEG,
             CUES_ALIGNED_PER_SIDE, CUES_FAULTS_PER_SIDE, 20_000),
    CueGroup("half_moon", (1,), "pelvis_tilt_deg", CUES_HM_SAG_DEG,
             CUES_HM_ALIGNED_PER_SIDE, CUES_HM_SAGS_PER_SIDE, 21_000),
    # between the front and the back leg's side camera (+90 for a left front leg,
    # mirrored for the right: benchmarks/accuracy.IDEAL_AZIMUTH_DEG)
    CueGroup("warrior1", (2,), "back_hip_flexed_deg", CUES_W1_BACK_HIP_FLEXED_DEG,
             CUES_W1_ALIGNED_PER_SIDE, CUES_W1_FAULTS_PER_SIDE, 22_000,
             azimuths=CUES_W1_AZIMUTHS, mirror_azimuths=True),
    CueGroup("warrior1", (3,), "knee_midline_deg", CUES_W1_KNEE_MIDLINE_DEG,
             CUES_W1_ALIGNED_PER_SIDE, CUES_W1_FAULTS_PER_SIDE, 23_000, stem_suffix="_front"),
)  # fmt: skip


def _cue_clip(
    stem: str,
    pose: str,
    params: dict[str, Any],
    side: str,
    body: WideBody,
    rng: np.random.Generator,
    seed: int,
    azimuths: Sequence[float] = CUES_AZIMUTHS,
) -> ClipSpec:
    """One ``cues`` clip: camera (one of ``azimuths``, default the front ones, jittered
    by up to 5 deg), lens, distance, sway, outfit, room and lights drawn from ``rng`` in
    this order."""
    az = azimuths[rng.integers(len(azimuths))] + rng.uniform(-5.0, 5.0)
    height, wh, vfov = _wide_lens(rng, WIDE_HEIGHTS)
    return ClipSpec(
        stem=stem,
        pose=pose,
        params=params,
        side=side,
        body=body.name,
        azimuth_deg=round(float(az), 2),
        elevation_deg=0.0,
        distance_m=round(float(rng.uniform(*WIDE_DISTANCE_M)), 3),
        fps=WIDE_FPS,
        entry_s=WIDE_ENTRY_S,
        hold_s=WIDE_HOLD_S,
        sway_deg=round(float(rng.uniform(0.5, 2.0)), 2),
        seed=seed,
        palette="teal",
        image_wh=wh,
        vfov_deg=round(float(vfov), 2),
        camera_height_m=round(float(height), 3),
        outfit=_wide_outfit(rng),
        light=_wide_light(rng),
        split=body.split,
    )


def cues_set() -> list[ClipSpec]:
    """Held-out clips for judging cues: the wide set's TEST bodies only, filmed from the
    view each cue is judged from, aligned or with one clear fault, cameras, outfits,
    rooms and lights drawn as in :func:`wide_set` (its own seed, :data:`CUES_SEED`).

    The wide set draws its faults over their whole range, so a cue judged on its test
    bodies meets few clear faults and few aligned clips from the view it is judged from;
    this set supplies both, per test body and side:

    * for ``tree.lifted_knee_open`` (issue 17), :data:`CUES_ALIGNED_PER_SIDE` aligned
      Trees and :data:`CUES_FAULTS_PER_SIDE` with the lifted knee swung forward;
    * for ``half_moon.standing_hip_abducted``, :data:`CUES_HM_ALIGNED_PER_SIDE` aligned
      Half Moons and :data:`CUES_HM_SAGS_PER_SIDE` with the pelvis sagging over the
      standing leg (``pelvis_tilt_deg`` from :data:`CUES_HM_SAG_DEG`);
    * for ``warrior1.back_hip_extended`` from 45 deg, :data:`CUES_W1_ALIGNED_PER_SIDE`
      aligned Warrior 1s and :data:`CUES_W1_FAULTS_PER_SIDE` with the back hip flexed
      (:data:`CUES_W1_BACK_HIP_FLEXED_DEG`), filmed from :data:`CUES_W1_AZIMUTHS` on the
      back leg's side;
    * for ``warrior1.front_knee_midline`` from the front, as many aligned Warrior 1s and
      with the front knee toward the midline (:data:`CUES_W1_KNEE_MIDLINE_DEG`).

    Nothing here is ever trained or tuned on.
    """
    specs = []
    test_bodies = [b for b in wide_bodies().values() if b.split == "test"]
    for group in CUE_GROUPS:  # each group its own draws: adding one leaves the others
        for bi, wb in enumerate(test_bodies):
            rng = np.random.default_rng([CUES_SEED, *group.rng_key, bi])
            for side in ("left", "right"):
                sign = -1.0 if group.mirror_azimuths and side == "right" else 1.0
                azimuths = tuple(sign * a for a in group.azimuths)
                kinds = ["aligned"] * group.aligned + ["fault"] * group.faults
                for k, kind in enumerate(kinds):
                    params = _wide_posture(group.pose, rng)
                    if kind == "fault":
                        params[group.param] = round(float(rng.uniform(*group.fault_range)), 2)
                    stem = f"{group.pose}_{wb.name}_{side[0]}{k}{kind[0]}{group.stem_suffix}"
                    seed = group.seed_base + 100 * bi + 10 * (side == "right") + k
                    specs.append(_cue_clip(stem, group.pose, params, side, wb, rng, seed, azimuths))
    return specs


#: Seed of the ``pairs`` set (its own draws: no other set changes).
PAIRS_SEED = 8_2026
#: Per test body, this many pairs of Trees (one on each leg) filmed by one camera.
PAIRS_PER_BODY = 4
#: A tilted side's pelvis roll, degrees (either way); the other sides are level.
PAIRS_TILT_DEG = (5.0, 12.0)


def pairs_set() -> list[ClipSpec]:
    """Trees on both legs, as a person practises them: for each TEST body of the wide and
    crowd sets, :data:`PAIRS_PER_BODY` pairs, each a Tree standing on the left leg and one
    standing on the right, with the same camera, lens, outfit, room, light and posture
    (arms, foot place), the camera drawn among the front ones as in :func:`cues_set`. In
    each pair every side's pelvis is level or rolled by :data:`PAIRS_TILT_DEG` either way,
    drawn independently (a quarter of the pairs have both sides level).

    Made to measure whether comparing the two sides of one person in one video
    (``tools.correction.sides``) cancels MediaPipe's errors: its drag toward the lifted leg
    does, what the landmark correction leaves does not (docs/measurements.md, "Other
    signals tried"). Nothing here is ever trained or tuned on.
    """
    specs = []
    bodies = [b for b in (*wide_bodies().values(), *crowd_bodies().values()) if b.split == "test"]
    for bi, wb in enumerate(bodies):
        rng = np.random.default_rng([PAIRS_SEED, bi])
        for k in range(PAIRS_PER_BODY):
            posture = _wide_posture("tree", rng)
            tilts = []
            for _ in ("left", "right"):
                tilted = rng.uniform() < 0.5
                size = float(rng.uniform(*PAIRS_TILT_DEG)) * (1.0 if rng.uniform() < 0.5 else -1.0)
                tilts.append(round(size, 2) if tilted else 0.0)
            seed = 30_000 + 100 * bi + 10 * k
            left = _cue_clip(
                f"tree_{wb.name}_p{k}l",
                "tree",
                {**posture, "pelvis_tilt_deg": tilts[0]} if tilts[0] else dict(posture),
                "left",
                wb,
                rng,
                seed,
            )
            right = replace(
                left,
                stem=f"tree_{wb.name}_p{k}r",
                side="right",
                params={**posture, "pelvis_tilt_deg": tilts[1]} if tilts[1] else dict(posture),
                seed=seed + 1,
            )
            specs += [left, right]
    return specs


def fault_kind(spec: ClipSpec) -> str:
    """``"aligned"`` when the clip sets none of its pose's :data:`WIDE_FAULTS` (nor Tree's
    foot on the knee), else ``"fault"``."""
    faulty = set(spec.params) & set(WIDE_FAULTS.get(spec.pose, {}))
    return "fault" if faulty or spec.params.get("foot_on") == "knee" else "aligned"


def manifest(name: str, specs: Sequence[ClipSpec]) -> dict[str, Any]:
    """A set's manifest: its bodies (phenotype, split) and clips (stem, split, body, pose,
    kind, params, camera placement), for finding a split without opening truth files."""
    bodies = sorted({s.body for s in specs})
    return {
        "set": name,
        "seed": {"wide": WIDE_SEED, "crowd": CROWD_SEED}.get(name),
        "generator_version": GENERATOR_VERSION,
        "bodies": {
            b: {
                "phenotype": phenotype(b),
                "split": next((s.split for s in specs if s.body == b), None),
            }
            for b in bodies
        },
        "clips": [
            {
                "stem": s.stem,
                "split": s.split,
                "body": s.body,
                "pose": s.pose,
                "side": s.side,
                "kind": fault_kind(s),
                "params": s.params,
                "azimuth_deg": s.azimuth_deg,
                "camera_height_m": s.camera_height_m,
                "distance_m": s.distance_m,
                "vfov_deg": s.vfov_deg,
                "image_wh": list(s.image_wh),
                "spec_hash": s.digest(),
            }
            for s in specs
        ],
    }


SETS: dict[str, Callable[[], list[ClipSpec]]] = {
    "samples": samples_set,
    "bench": bench_set,
    "wide": wide_set,
    "cues": cues_set,
    "crowd": crowd_set,
    "pairs": pairs_set,
}
DEFAULT_PAIRS_DIR = Path("~/.cache/posecheck-synth/pairs")


def default_dir(name: str) -> Path:
    """Where ``make NAME`` renders without ``--out``."""
    return {
        "samples": SAMPLES_DIR,
        "bench": DEFAULT_BENCH_DIR,
        "wide": DEFAULT_WIDE_DIR,
        "crowd": DEFAULT_CROWD_DIR,
        "cues": DEFAULT_CUES_DIR,
        "pairs": DEFAULT_PAIRS_DIR,
    }[name]


#: Sets that grow by rounds (``--rounds N``: animations per body and pose).
ROUND_SETS: dict[str, Callable[[int], list[ClipSpec]]] = {"wide": wide_set, "crowd": crowd_set}


# --------------------------------------------------------------------------- CLI


def _render_group(
    specs: Sequence[ClipSpec], out_dir: Path
) -> list[tuple[str, dict[str, float] | str]]:
    """Render clips sharing one animation; per clip ``(stem, timing)`` or ``(stem, error)``."""
    out: list[tuple[str, dict[str, float] | str]] = []
    for spec in specs:
        try:
            _, _, timing = render_clip(spec, out_dir)
            out.append((spec.stem, timing))
        except Exception as exc:  # noqa: BLE001 - report it and go on with the set
            out.append((spec.stem, f"{type(exc).__name__}: {exc}"))
    return out


def run(
    specs: Sequence[ClipSpec],
    out_dir: Path,
    *,
    jobs: int = 1,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> int:
    """Render ``specs`` into ``out_dir``, skipping finished ones unless ``force``; clips
    sharing an animation go to the same process. Returns the number of failed clips."""
    todo = [s for s in specs if force or not is_done(s, out_dir)]
    log(
        f"{len(specs)} clips, {len(specs) - len(todo)} already done, {len(todo)} to render "
        f"into {out_dir}"
    )
    groups: dict[str, list[ClipSpec]] = {}
    for s in todo:
        groups.setdefault(animation_key(s), []).append(s)
    failed = 0
    done = 0
    t0 = time.perf_counter()

    def report(results: list[tuple[str, dict[str, float] | str]]) -> None:
        nonlocal failed, done
        for stem, res in results:
            done += 1
            head = f"[{done}/{len(todo)}] {stem}:"
            if isinstance(res, str):
                failed += 1
                log(f"{head} FAILED: {res}")
                continue
            size_kb = (out_dir / f"{stem}.mp4").stat().st_size / 1e3
            log(
                f"{head} {int(res['frames'])} frames, {res['ms_per_frame']:.0f} ms/frame "
                f"render+encode, posing {res['pose_s']:.1f} s, {size_kb:.0f} kB "
                f"({time.perf_counter() - t0:.0f} s elapsed)"
            )

    if jobs <= 1:
        for group in groups.values():
            report(_render_group(group, out_dir))
        return failed
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_render_group, g, out_dir) for g in groups.values()]
        for fut in as_completed(futures):
            report(fut.result())
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.synth.make",
        description="Render synthetic posecheck clips (mp4 + truth.json) with known joints.",
    )
    parser.add_argument("set", choices=sorted(SETS), help="which clip set")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"output folder (samples: {SAMPLES_DIR.relative_to(REPO)}; "
        + "; ".join(f"{name}: {default_dir(name)}" for name in sorted(SETS) if name != "samples")
        + ")",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="render only clips whose stem matches this glob (repeatable)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes (default 1)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        metavar="N",
        help=f"wide and crowd sets: animations per body and pose (default {WIDE_ROUNDS}); "
        "more rounds "
        "keep the clips of the first ones",
    )
    parser.add_argument("--force", action="store_true", help="re-render finished clips")
    parser.add_argument("--list", action="store_true", help="list the clips and exit")
    parser.add_argument(
        "--retruth",
        action="store_true",
        help="recompute the metrics of rendered clips' truth files with the current "
        "truth.py (no rendering; numpy only) and exit",
    )
    args = parser.parse_args(argv)

    if args.rounds is not None and args.set not in ROUND_SETS:
        print("error: --rounds is for the wide and crowd sets", file=sys.stderr)
        return 2
    all_specs = specs = ROUND_SETS[args.set](args.rounds) if args.rounds else SETS[args.set]()
    if args.only:
        specs = [s for s in specs if any(fnmatch.fnmatchcase(s.stem, p) for p in args.only)]
        if not specs:
            print(f"error: no {args.set} clip matches {args.only}", file=sys.stderr)
            return 2
    out_dir = (args.out if args.out is not None else default_dir(args.set)).expanduser()
    if args.list:
        for s in specs:
            done = "done" if is_done(s, out_dir) else "todo"
            where = (
                f"az {s.azimuth_deg:g} el {s.elevation_deg:g}"
                if s.camera_height_m is None
                else f"az {s.azimuth_deg:g} h {s.camera_height_m:g} m d {s.distance_m:g} m "
                f"vfov {s.vfov_deg:g} {s.image_wh[0]}x{s.image_wh[1]}"
            )
            split = f"  {s.split}" if s.split else ""
            print(f"{done}  {s.stem}  {json.dumps(s.params)}  {where}  {s.body}{split}")
        return 0
    if args.retruth:
        paths = [out_dir / f"{s.stem}.truth.json" for s in specs]
        changed = sum(refresh_truth(p) for p in paths if p.is_file())
        print(f"{changed} of {sum(p.is_file() for p in paths)} truth files updated in {out_dir}")
        return 0
    if args.jobs < 1:
        print(f"error: --jobs must be >= 1, got {args.jobs}", file=sys.stderr)
        return 2
    missing = [m for m in ("torch", "anny", "pyrender", "trimesh") if find_spec(m) is None]
    if missing:
        print(
            f"error: rendering needs the synth extra ({', '.join(missing)} not installed): "
            "see tools/synth/README.md",
            file=sys.stderr,
        )
        return 2
    if any(s.split for s in all_specs):  # a set split by body: say which clip is which
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(
            out_dir / "manifest.json", json.dumps(manifest(args.set, all_specs), indent=1) + "\n"
        )
    failed = run(specs, out_dir, jobs=args.jobs, force=args.force)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
