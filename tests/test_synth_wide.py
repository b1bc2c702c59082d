"""The ``wide`` synthetic set (tools/synth/make.py): split by body, its ranges, determinism.

The spec-list tests are pure numpy and always run; the ones that pose or draw a body need
the ``synth`` optional dependencies (anny, torch, pyrender) and skip without them.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tools.synth.make import (
    WIDE_FAULTS,
    ClipSpec,
    animation_key,
    bench_set,
    manifest,
    place_camera,
    wide_bodies,
    wide_set,
)

SPECS = wide_set()
POSES = ("warrior1", "tree", "half_moon", "bridge")


def _values(pose: str, param: str) -> np.ndarray:
    """``param``'s value in each animation (not each view) of ``pose`` that sets it."""
    per_anim = {
        animation_key(s): s.params[param] for s in SPECS if s.pose == pose and param in s.params
    }
    return np.array(list(per_anim.values()))


# --------------------------------------------------------------------------- the split


def test_split_is_by_body() -> None:
    split_of: dict[str, set[str | None]] = defaultdict(set)
    for s in SPECS:
        split_of[s.body].add(s.split)
    assert all(len(v) == 1 for v in split_of.values()), "a body in both splits"
    bodies = wide_bodies()
    assert set(split_of) == set(bodies)
    for name, wb in bodies.items():
        assert split_of[name] == {wb.split}
    test = [b for b in bodies.values() if b.split == "test"]
    train = [b for b in bodies.values() if b.split == "train"]
    assert len(bodies) >= 16 and len(test) >= 4 and len(train) >= 2 * len(test)
    for group in (test, train):  # both sexes on each side of the split
        genders = [b.phenotype["gender"] for b in group]
        assert min(genders) < 0.2 and max(genders) > 0.8


def test_views_of_one_animation_share_body_and_split() -> None:
    by_anim: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for s in SPECS:
        by_anim[animation_key(s)].add((s.body, s.split))
    assert all(len(v) == 1 for v in by_anim.values())
    assert len(by_anim) < len(SPECS)  # views share their animation (posed once)


def test_manifest_records_the_split() -> None:
    m = manifest("wide", SPECS)
    assert [c["stem"] for c in m["clips"]] == [s.stem for s in SPECS]
    for c in m["clips"]:
        assert c["split"] == m["bodies"][c["body"]]["split"]
        assert c["kind"] == ("aligned" if c["stem"].split("_v")[0].endswith("a") else "fault")
    json.dumps(m)  # plain JSON


# --------------------------------------------------------------------------- coverage


def test_bodies_cover_the_phenotype_space() -> None:
    ph = [b.phenotype for b in wide_bodies().values()]
    age = [p["age"] for p in ph]
    assert min(age) < 0.56 and max(age) > 0.9  # teenagers to old
    for k in ("height", "weight", "muscle"):
        v = [p[k] for p in ph]
        assert min(v) < 0.2 and max(v) > 0.8, k
    assert len({tuple(sorted(p.items())) for p in ph}) == len(ph)


def test_cameras_cover_heights_distances_lenses_and_views() -> None:
    standing = [s for s in SPECS if s.pose != "bridge"]
    h = np.array([s.camera_height_m for s in standing])
    assert h.min() >= 0.4 and h.max() <= 1.6 and h.min() < 0.5 and h.max() > 1.5
    d = np.array([s.distance_m for s in SPECS])
    assert d.min() >= 2.0 and d.max() <= 5.0 and d.min() < 2.3 and d.max() > 4.7
    portrait = [s for s in SPECS if s.image_wh[1] > s.image_wh[0]]
    landscape = [s for s in SPECS if s.image_wh[0] > s.image_wh[1]]
    assert len(portrait) > 0.3 * len(SPECS) and len(landscape) > 0.2 * len(SPECS)
    vfov = np.array([s.vfov_deg for s in portrait])
    assert (vfov >= 70).sum() > 0.3 * len(portrait)  # phone-wide
    assert ((vfov >= 40) & (vfov <= 50)).sum() > 0.2 * len(portrait)  # normal
    az = np.array([s.azimuth_deg for s in SPECS])
    assert np.abs(az).max() <= 95.0
    for centre in (0.0, 15.0, -15.0, 30.0, -30.0, 45.0, -45.0, 60.0, -60.0, 90.0, -90.0):
        assert (np.abs(az - centre) <= 5.0).sum() >= 5, centre
    for pose in POSES:  # each animation's first view within +-45 deg of the front
        first = [s for s in SPECS if s.pose == pose and s.stem.endswith("_v0")]
        assert first and all(abs(s.azimuth_deg) <= 50.0 for s in first)


def test_outfits_rooms_and_lights_vary() -> None:
    outfits = [s.outfit for s in SPECS]
    assert all(o is not None for o in outfits)
    loose_top = sum(o["top_loose_m"] > 0 for o in outfits if o)
    loose_trousers = sum(o["trousers_loose_m"] > 0 for o in outfits if o)
    tight = sum(o["top_loose_m"] == 0 and o["trousers_loose_m"] == 0 for o in outfits if o)
    assert min(loose_top, loose_trousers, tight) > 0.2 * len(SPECS)
    for key in ("skin_rgb", "wall_rgb", "floor_rgb"):
        assert len({tuple(o[key]) for o in outfits if o}) >= 5, key
    assert len({tuple(o["top_rgb"]) for o in outfits if o}) > 0.9 * len(SPECS)
    assert {o["sleeves"] for o in outfits if o} == {"none", "short", "long"}
    key = np.array([s.light["key_azimuth_deg"] for s in SPECS if s.light])
    power = np.array([s.light["key_intensity"] for s in SPECS if s.light])
    assert len(key) == len(SPECS) and np.ptp(key) > 120 and np.ptp(power) > 2


@pytest.mark.parametrize("pose", POSES)
def test_faults_are_continuous_and_pelvis_tilts_both_ways(pose: str) -> None:
    tilt = _values(pose, "pelvis_tilt_deg")
    lo, hi, _ = WIDE_FAULTS[pose]["pelvis_tilt_deg"]
    assert tilt.min() < 0.6 * lo and tilt.max() > 0.6 * hi  # drop and hike
    assert len(set(tilt.round(2))) == len(tilt) >= 8  # a range, not a few sizes
    aligned = [s for s in SPECS if s.pose == pose and s.stem.split("_v")[0].endswith("a")]
    assert {s.split for s in aligned} == {"train", "test"}
    assert all(
        not set(s.params) & set(WIDE_FAULTS[pose]) and s.params.get("foot_on") != "knee"
        for s in aligned
    )


@pytest.mark.parametrize(
    ("pose", "param"),
    [
        ("warrior1", "knee_midline_deg"),  # front knee in and out
        ("tree", "knee_midline_deg"),  # standing knee in and out
        ("half_moon", "knee_midline_deg"),
        ("bridge", "knee_gap_skew"),  # one knee in, the other out
        ("warrior1", "hips_open_deg"),  # hips square
        ("half_moon", "hips_rolled_deg"),  # hips stacked
        ("warrior1", "weight_front_shift"),  # weight between the feet
        ("bridge", "weight_shift"),
        ("tree", "com_shift_foot_lengths"),  # COM offset
        ("half_moon", "com_shift_m"),
    ],
)
def test_signed_faults_go_both_ways(pose: str, param: str) -> None:
    v = _values(pose, param)
    assert len(v) >= 5 and v.min() < 0 < v.max()


def test_bridge_knee_gap_ratio_caves_and_splays() -> None:
    v = _values("bridge", "knee_gap_ratio")
    assert v.min() < 0.8 and v.max() > 1.2


def test_clips_are_short_and_seeded() -> None:
    assert all(1.0 <= s.hold_s <= 2.0 and 15.0 <= s.fps <= 30.0 for s in SPECS)
    seeds = defaultdict(set)
    for s in SPECS:
        seeds[animation_key(s)].add(s.seed)
    assert all(len(v) == 1 for v in seeds.values())
    assert len({next(iter(v)) for v in seeds.values()}) == len(seeds)  # one seed each
    assert len({s.stem for s in SPECS}) == len(SPECS)
    assert all(s.image_wh[0] % 2 == 0 and s.image_wh[1] % 2 == 0 for s in SPECS)


# --------------------------------------------------------------------------- determinism


def _digests() -> list[str]:
    return [s.digest() for s in wide_set()]


def test_set_is_deterministic_across_processes() -> None:
    here = _digests()
    assert here == [s.digest() for s in SPECS]
    code = "import json; from tools.synth.make import wide_set; "
    code += "print(json.dumps([s.digest() for s in wide_set()]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == here


def test_more_rounds_keep_the_first_ones() -> None:
    more = {s.stem: s.digest() for s in wide_set(2)}
    assert len(more) == 2 * len(SPECS)
    assert all(more[s.stem] == s.digest() for s in SPECS)


def test_later_fields_leave_older_hashes_alone() -> None:
    d = ClipSpec(stem="x", pose="tree").to_json()
    assert not {"vfov_deg", "camera_height_m", "outfit", "light", "split"} & set(d)
    assert all("split" not in s.to_json() for s in bench_set())
    assert "split" in SPECS[0].to_json()


# --------------------------------------------------------------------------- placement


def test_place_camera_height_distance_and_fit() -> None:
    g = np.stack(
        np.meshgrid(*[np.linspace(a, b, 5) for a, b in ((-0.3, 0.3), (-0.2, 0.2), (0, 1.7))])
    )
    pts = g.reshape(3, -1).T
    cam = place_camera(
        pts, azimuth_deg=30.0, height_m=0.5, distance_m=3.0, image_wh=(480, 854), vfov_deg=75.0
    )
    assert cam.position_m[2] == pytest.approx(0.5, abs=1e-6)
    px = cam.project(pts)
    assert px.min() > 0 and px[:, 0].max() < 480 and px[:, 1].max() < 854
    assert (px[:, 1].min() + px[:, 1].max()) / 2 == pytest.approx(427, abs=5)
    horiz = math.hypot(*(cam.position_m[:2] - np.array([0.0, 0.0])))
    assert horiz == pytest.approx(3.0, abs=0.05)
    # a long lens too close: pushed back until the body fits
    near = place_camera(
        pts, azimuth_deg=0.0, height_m=1.0, distance_m=1.0, image_wh=(480, 854), vfov_deg=40.0
    )
    px = near.project(pts)
    assert px[:, 1].max() - px[:, 1].min() <= 0.9 * 854 + 1


# --------------------------------------------------------------------------- anny


@pytest.fixture(scope="module")
def test_body() -> Any:
    for module in ("torch", "anny", "pyrender"):
        pytest.importorskip(module)
    from tools.synth.body import Body

    wb = next(b for b in wide_bodies().values() if b.split == "test")
    return Body(wb.phenotype)


def test_new_faults_move_the_true_joints(test_body: Any) -> None:
    from posecheck.landmarks import Landmark as L
    from tools.synth import poses as P

    def lm(p: Any) -> np.ndarray:
        return np.asarray(P.solve(p, test_body).pose(test_body).landmarks_m)

    def tilt(x: np.ndarray) -> float:
        """Hip line against the shoulder line, in the chest's plane (world x-z): the
        trunk's pitch is re-solved so the hand still reaches the floor, so the hip line
        turns against the floor by less than against the trunk."""
        h = x[L.LEFT_HIP] - x[L.RIGHT_HIP]
        s = x[L.LEFT_SHOULDER] - x[L.RIGHT_SHOULDER]
        return math.degrees(math.atan2(h[0], -h[2]) - math.atan2(s[0], -s[2]))

    hm0, hm = lm(P.HalfMoon()), lm(P.HalfMoon(pelvis_tilt_deg=8.0))
    assert tilt(hm) - tilt(hm0) == pytest.approx(8.0, abs=1.5)
    knee_in = lm(P.HalfMoon(knee_midline_deg=10.0))
    assert knee_in[L.LEFT_KNEE, 1] < hm0[L.LEFT_KNEE, 1] - 0.02  # toward the chest side
    lean = lm(P.HalfMoon(com_shift_m=0.1))
    assert lean[L.LEFT_HIP, 1] - hm0[L.LEFT_HIP, 1] == pytest.approx(-0.1, abs=0.01)
    assert abs(lean[L.LEFT_ANKLE] - hm0[L.LEFT_ANKLE]).max() < 1e-6  # the foot stays
    b0, skew = lm(P.Bridge()), lm(P.Bridge(knee_gap_skew=0.3))
    for k in (L.LEFT_KNEE, L.RIGHT_KNEE):  # both knees toward the body's left (-Y)
        assert skew[k, 1] < b0[k, 1] - 0.01
    t0, out = lm(P.Tree()), lm(P.Tree(knee_midline_deg=-8.0))
    assert out[L.LEFT_KNEE, 0] > t0[L.LEFT_KNEE, 0] + 0.02  # the standing knee bows out


def test_loose_clothes_stand_off_the_trunk_not_the_hands(test_body: Any) -> None:
    from tools.synth.render import PALETTES, vertex_looseness

    tight = vertex_looseness(test_body.model, PALETTES["teal"])
    assert not tight.any()
    from dataclasses import replace

    loose = vertex_looseness(
        test_body.model, replace(PALETTES["teal"], top_loose_m=0.04, trousers_loose_m=0.05)
    )

    def mean_on(*prefixes: str) -> float:
        ids = [test_body.bone_index(b) for b in test_body.bones_matching(*prefixes)]
        return float(loose[np.isin(test_body.dominant_bone, ids)].mean())

    assert mean_on("spine02", "spine03") == pytest.approx(0.04, abs=0.005)
    assert mean_on("lowerleg") == pytest.approx(0.05, abs=0.008)
    assert mean_on("finger", "toe") < 0.005


def test_cues_set_is_held_out_and_filmed_from_the_front() -> None:
    """The ``cues`` set: only the wide set's test bodies, Tree and Half Moon filmed within
    25 degrees of the front and Warrior 1 from 45 degrees on the back leg's side, enough
    aligned clips and faults for the bar (30 and 10) in each pose, every stem unique, the
    same on every call."""
    from tools.synth.make import (
        CUES_ALIGNED_PER_SIDE,
        CUES_FAULTS_PER_SIDE,
        CUES_HM_ALIGNED_PER_SIDE,
        CUES_HM_SAG_DEG,
        CUES_HM_SAGS_PER_SIDE,
        CUES_KNEE_FORWARD_DEG,
        CUES_W1_ALIGNED_PER_SIDE,
        CUES_W1_BACK_HIP_FLEXED_DEG,
        CUES_W1_FAULTS_PER_SIDE,
        CUES_W1_KNEE_MIDLINE_DEG,
        cues_set,
    )

    cues = cues_set()
    test_bodies = {b.name for b in wide_bodies().values() if b.split == "test"}
    assert {s.body for s in cues} == test_bodies and {s.split for s in cues} == {"test"}
    assert {s.pose for s in cues} == {"tree", "half_moon", "warrior1"}
    assert all(abs(s.azimuth_deg) <= 25 for s in cues if s.pose != "warrior1")  # W1: below
    trees = [s for s in cues if s.pose == "tree"]
    faults = [s for s in trees if "lifted_knee_open_deg" in s.params]
    aligned = [s for s in trees if s not in faults]
    assert len(aligned) == 2 * len(test_bodies) * CUES_ALIGNED_PER_SIDE >= 30
    assert len(faults) == 2 * len(test_bodies) * CUES_FAULTS_PER_SIDE >= 10
    lo, hi = CUES_KNEE_FORWARD_DEG
    assert all(lo <= s.params["lifted_knee_open_deg"] <= hi for s in faults)
    moons = [s for s in cues if s.pose == "half_moon"]
    sags = [s for s in moons if s.params]
    assert len(moons) - len(sags) == 2 * len(test_bodies) * CUES_HM_ALIGNED_PER_SIDE >= 30
    assert len(sags) == 2 * len(test_bodies) * CUES_HM_SAGS_PER_SIDE >= 10
    lo, hi = CUES_HM_SAG_DEG
    assert all(set(s.params) == {"pelvis_tilt_deg"} for s in sags)
    assert all(lo <= s.params["pelvis_tilt_deg"] <= hi for s in sags)
    assert {s.side for s in moons} == {"left", "right"}
    fronts = [s for s in cues if s.pose == "warrior1" and s.stem.endswith("_front")]
    caved = [s for s in fronts if "knee_midline_deg" in s.params]
    assert len(fronts) - len(caved) == 2 * len(test_bodies) * CUES_W1_ALIGNED_PER_SIDE
    assert len(caved) == 2 * len(test_bodies) * CUES_W1_FAULTS_PER_SIDE
    lo, hi = CUES_W1_KNEE_MIDLINE_DEG
    assert all(lo <= s.params["knee_midline_deg"] <= hi for s in caved)
    assert all(abs(s.azimuth_deg) <= 25 for s in fronts)
    warriors = [s for s in cues if s.pose == "warrior1" and s not in fronts]
    flexed = [s for s in warriors if "back_hip_flexed_deg" in s.params]
    assert len(warriors) - len(flexed) == 2 * len(test_bodies) * CUES_W1_ALIGNED_PER_SIDE >= 30
    assert len(flexed) == 2 * len(test_bodies) * CUES_W1_FAULTS_PER_SIDE >= 10
    lo, hi = CUES_W1_BACK_HIP_FLEXED_DEG
    assert all(lo <= s.params["back_hip_flexed_deg"] <= hi for s in flexed)
    for s in warriors:  # 45 deg toward the back leg's side: + for a left front leg
        sign = 1 if s.side == "left" else -1
        assert 30 <= sign * s.azimuth_deg <= 60, (s.stem, s.azimuth_deg)
    assert len({s.stem for s in cues}) == len(cues)
    assert [s.digest() for s in cues] == [s.digest() for s in cues_set()]


def test_crowd_set_adds_bodies_and_leaves_the_wide_set_alone() -> None:
    """The ``crowd`` set: many more bodies than the wide set (none shared, none with the
    same phenotype), split by body with both sexes on each side, every body in every pose
    from a front view, the same spec on every call; and the wide set's bodies and split
    are not moved by it (its digests are checked across processes above)."""
    from tools.synth.make import CROWD_N_BODIES, crowd_bodies, crowd_set, phenotype

    crowd = crowd_set()
    bodies = crowd_bodies()
    assert len(bodies) == CROWD_N_BODIES >= 3 * len(wide_bodies())
    assert not set(bodies) & set(wide_bodies())
    wide_ph = {tuple(sorted(b.phenotype.items())) for b in wide_bodies().values()}
    crowd_ph = {tuple(sorted(b.phenotype.items())) for b in bodies.values()}
    assert len(crowd_ph) == len(bodies) and not crowd_ph & wide_ph
    for split in ("train", "test"):
        genders = [b.phenotype["gender"] for b in bodies.values() if b.split == split]
        assert min(genders) < 0.2 and max(genders) > 0.8, split
    for s in crowd:
        assert s.split == bodies[s.body].split and phenotype(s.body) == bodies[s.body].phenotype
    per_body = defaultdict(set)
    for s in crowd:
        if abs(s.azimuth_deg) <= 50.0:
            per_body[s.body].add(s.pose)
    assert all(per_body[b] == set(POSES) for b in bodies)
    assert len({s.stem for s in crowd}) == len(crowd)
    assert not {s.stem for s in crowd} & {s.stem for s in SPECS}
    assert [s.digest() for s in crowd] == [s.digest() for s in crowd_set()]


def test_pairs_set_films_both_legs_of_a_held_out_body_alike() -> None:
    """The ``pairs`` set: test bodies only (wide and crowd), each pair a left-leg and a
    right-leg Tree that share camera, lens, outfit, light and posture and differ only in
    side and pelvis roll, every roll level or within the drawn range, both kinds present."""
    from dataclasses import replace

    from tools.synth.make import PAIRS_PER_BODY, PAIRS_TILT_DEG, crowd_bodies, pairs_set

    pairs = pairs_set()
    test_bodies = {
        b.name for b in (*wide_bodies().values(), *crowd_bodies().values()) if b.split == "test"
    }
    assert {s.body for s in pairs} == test_bodies and {s.split for s in pairs} == {"test"}
    assert len(pairs) == 2 * PAIRS_PER_BODY * len(test_bodies)
    lo, hi = PAIRS_TILT_DEG
    rolls = [s.params.get("pelvis_tilt_deg", 0.0) for s in pairs]
    assert all(r == 0.0 or lo <= abs(r) <= hi for r in rolls)
    assert any(r > 0 for r in rolls) and any(r < 0 for r in rolls) and 0.0 in rolls
    for left, right in zip(pairs[::2], pairs[1::2], strict=True):
        assert (left.side, right.side) == ("left", "right")
        assert left.stem[:-1] == right.stem[:-1] and left.stem.endswith("l")
        same = replace(right, stem=left.stem, side="left", params=left.params, seed=left.seed)
        assert same == left  # nothing else differs
        posture = {k: v for k, v in left.params.items() if k != "pelvis_tilt_deg"}
        assert posture == {k: v for k, v in right.params.items() if k != "pelvis_tilt_deg"}
    assert [s.digest() for s in pairs] == [s.digest() for s in pairs_set()]
