"""tools/synth rendering and clip making: framing, clothes, pixels, mp4 + truth files.

The framing and clip-set tests are pure numpy and always run; the ones that render need
the ``synth`` optional dependencies (anny, torch, pyrender) and skip without them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tools.synth.camera import Camera
from tools.synth.make import (
    BODIES,
    ClipSpec,
    bench_set,
    fit_camera,
    is_done,
    mat_for,
    samples_set,
)


def _needs_synth() -> None:
    for module in ("torch", "anny", "pyrender"):
        pytest.importorskip(module)


@pytest.fixture(scope="module")
def body() -> Any:
    _needs_synth()
    from tools.synth.body import Body

    return Body(BODIES["f_avg"])


# --------------------------------------------------------------------------- pure numpy


def _box_points(lo: tuple[float, ...], hi: tuple[float, ...]) -> np.ndarray:
    g = np.stack(np.meshgrid(*[np.linspace(a, b, 5) for a, b in zip(lo, hi, strict=True)]))
    return g.reshape(3, -1).T


@pytest.mark.parametrize(("azimuth", "elevation"), [(0.0, 5.0), (40.0, 20.0), (90.0, 0.0)])
def test_fit_camera_fills_and_centres(azimuth: float, elevation: float) -> None:
    pts = _box_points((-0.3, -0.2, 0.0), (0.3, 0.2, 1.7))  # a standing body's box
    cam = fit_camera(pts, azimuth_deg=azimuth, elevation_deg=elevation, image_wh=(640, 480))
    px = cam.project(pts)
    (x0, y0), (x1, y1) = px.min(axis=0), px.max(axis=0)
    assert max((x1 - x0) / 640, (y1 - y0) / 480) == pytest.approx(0.7, abs=0.01)
    assert (x0 + x1) / 2 == pytest.approx(320, abs=3)
    assert (y0 + y1) / 2 == pytest.approx(240, abs=3)
    assert cam.azimuth_deg == azimuth and cam.elevation_deg == elevation


def test_fit_camera_lying_body_binds_on_width() -> None:
    pts = _box_points((-0.25, -0.9, 0.0), (0.25, 0.9, 0.5))  # Bridge along Y, seen side on
    cam = fit_camera(pts, azimuth_deg=90.0, elevation_deg=10.0, image_wh=(640, 480))
    px = cam.project(pts)
    assert np.ptp(px[:, 0]) / 640 == pytest.approx(0.7, abs=0.01)
    assert np.ptp(px[:, 1]) / 480 < 0.7


def test_mat_follows_the_feet_of_a_lunge_and_faces_y_when_standing() -> None:
    lm = np.zeros((33, 3))
    lm[:, 2] = np.linspace(0.0, 1.7, 33)
    lm[27:33, 2] = 0.05
    lm[[27, 29, 31], 1] = -0.6  # left foot forward
    lm[[28, 30, 32], 1] = 0.6
    (cx, cy), yaw = mat_for(lm)
    assert abs(np.cos(np.radians(yaw))) < 1e-6 and abs(cx) < 1e-9 and abs(cy) < 1e-9
    lm[[27, 29, 31], 1] = 0.0
    lm[[28, 30, 32], 1] = 0.0
    lm[[28, 30, 32], 0] = 0.2
    assert mat_for(lm)[1] == 90.0  # feet together: along the body's front


def test_spec_digest_changes_with_what_changes_the_clip() -> None:
    a = ClipSpec(stem="x", pose="tree")
    assert a.digest() == ClipSpec(stem="x", pose="tree").digest()
    assert a.digest() != ClipSpec(stem="x", pose="tree", azimuth_deg=10.0).digest()
    assert a.digest() != ClipSpec(stem="x", pose="tree", params={"a": 1.0}).digest()


@pytest.mark.parametrize("make_set", [samples_set, bench_set])
def test_sets_have_unique_stems_and_known_bodies(make_set: Any) -> None:
    specs = make_set()
    assert specs
    assert len({s.stem for s in specs}) == len(specs)
    assert {s.body for s in specs} <= set(BODIES)
    assert {s.pose for s in specs} == {"warrior1", "tree", "half_moon", "bridge"}
    assert all(s.image_wh[0] % 2 == 0 and s.image_wh[1] % 2 == 0 for s in specs)


# --------------------------------------------------------------------------- rendering


def test_palette_names_match_the_renderer() -> None:
    _needs_synth()
    from tools.synth.make import PALETTE_NAMES
    from tools.synth.render import PALETTES

    assert set(PALETTE_NAMES) == set(PALETTES)


def test_clothes_cover_the_right_body_parts(body: Any) -> None:
    from tools.synth.render import HAIR, LEGGINGS, SKIN, TOP, vertex_regions

    regions = vertex_regions(body.model)
    assert regions.shape == (len(body.rest_vertices_m),)

    def share(bones: tuple[str, ...], region: int) -> float:
        ids = [body.bone_index(b) for b in body.bones_matching(*bones)]
        mask = np.isin(body.dominant_bone, ids)
        return float(np.mean(regions[mask] == region))

    assert share(("foot.", "toe"), SKIN) > 0.95
    assert share(("finger", "wrist"), SKIN) > 0.95
    assert share(("lowerleg", "upperleg02"), LEGGINGS) > 0.95
    assert share(("spine02", "spine03"), TOP) > 0.95
    assert 0.05 < share(("head",), HAIR) < 0.6


def test_render_rest_pose_fills_the_frame(body: Any) -> None:
    from tools.synth.body import Posed
    from tools.synth.render import Renderer

    verts = body.rest_vertices_m
    cam = fit_camera(verts, azimuth_deg=0.0, elevation_deg=5.0, image_wh=(320, 240))
    posed = Posed(
        vertices_m=verts, landmarks_m=np.zeros((33, 3)), com_m=np.zeros(3), bone_heads_m={}
    )
    with Renderer(body, cam, palette="teal") as r:
        img = r.render(posed)
        empty = r.render_vertices(verts + np.array([0.0, 50.0, 0.0]))  # body far behind a wall
    assert img.shape == (240, 320, 3) and img.dtype == np.uint8
    diff = np.abs(img.astype(int) - empty.astype(int)).sum(axis=2) > 30
    rows, cols = np.flatnonzero(diff.any(axis=1)), np.flatnonzero(diff.any(axis=0))
    height_frac = (rows[-1] - rows[0] + 1) / 240
    assert height_frac == pytest.approx(0.7, abs=0.04)
    assert (cols[0] + cols[-1]) / 2 == pytest.approx(160, abs=8)


def test_renderer_rejects_a_wrong_vertex_count_and_closes(body: Any) -> None:
    from tools.synth.render import Renderer

    cam = fit_camera(body.rest_vertices_m, azimuth_deg=0.0, elevation_deg=0.0, image_wh=(64, 48))
    r = Renderer(body, cam)
    with pytest.raises(ValueError, match="vertices_m must be"):
        r.render_vertices(np.zeros((10, 3)))
    r.close()
    r.close()
    with pytest.raises(RuntimeError, match="closed"):
        r.render_vertices(body.rest_vertices_m)


def test_render_clip_writes_a_playable_mp4_and_its_truth(tmp_path: Path) -> None:
    _needs_synth()
    pytest.importorskip("tools.synth.poses")
    import av

    from tools.synth.make import render_clip

    spec = ClipSpec(
        stem="tree_tiny",
        pose="tree",
        side="left",
        fps=10.0,
        entry_s=0.3,
        hold_s=0.3,
        image_wh=(160, 120),
        azimuth_deg=20.0,
    )
    mp4, truth_path, timing = render_clip(spec, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree_tiny.mp4", "tree_tiny.truth.json"]
    with av.open(str(mp4)) as container:
        frames = list(container.decode(video=0))
    truth = json.loads(truth_path.read_text())
    n = len(truth["frames"])
    assert n == len(frames) == int(timing["frames"]) >= 6
    assert frames[0].width == 160 and frames[0].height == 120
    assert truth["schema"] == 1 and truth["pose"] == "tree" and truth["side"] == "left"
    assert truth["clip"] == "tree_tiny.mp4" and truth["hold_from_s"] == 0.3
    cam = Camera.from_json(truth["camera"])
    first = truth["frames"][0]
    lm = np.array(first["landmarks_world_m"])
    assert lm.shape == (33, 3) and len(first["com_world_m"]) == 3
    np.testing.assert_allclose(cam.project(lm), first["landmarks_px"], atol=0.02)
    from posecheck.measure.geometry import METRIC_UNITS

    assert list(truth["metrics"]) == list(METRIC_UNITS)
    assert all(len(v) == n for v in truth["metrics"].values())
    assert is_done(spec, tmp_path)
    assert not is_done(ClipSpec(stem="tree_tiny", pose="tree", seed=5), tmp_path)
