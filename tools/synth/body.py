"""A posable anny body: mesh, true MediaPipe-order landmarks and the mesh's centre of mass.

Frames (see ``README.md``): world metres, +Z up, the floor at z = 0, -Y the body's front
(the way it faces with no rotation), +X the body's left. MediaPipe's LEFT_* landmarks are
the person's left = anny's ``.L`` bones = +X in the unrotated body.

Rotations (``Body.pose``'s ``rotations``): bone label -> ``(3, 3)`` rotation, anny's
``local-ref`` parameterisation: each is the bone's rotation relative to its parent, about
its own head, in axes that are world-aligned when every bone is unrotated. So with only
the thigh rotated, ``Rx(-a)`` on ``upperleg01.L`` flexes the left hip by ``a``; a child's
world rotation is its parent's world rotation times its own (``G_c = G_p D_c``). Bones
not named stay aligned with their parent. The pseudo-bone ``"root"`` rotates the whole
body about the root bone's head (the centre of the pelvis); ``root_offset_m`` then places
that head in the world.

"Unrotated" is anny's reference pose: standing, legs straight and slightly apart, arms
hanging obliquely (an A pose), facing -Y.

The numpy skeleton (:meth:`Body.skeleton`) repeats anny's forward kinematics and linear
blend skinning for a few vertices, so the pose solvers can evaluate many candidate poses
cheaply (~0.3 ms instead of ~10 ms); ``tests/test_synth_poses.py`` checks it matches anny.

anny and torch are imported lazily, inside; everything returned is float64 numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: anny's phenotype labels, each in 0..1 (0.5 = average).
PHENOTYPE_LABELS = ("gender", "age", "muscle", "weight", "height", "proportions")

#: MediaPipe joint landmarks -> the anny bone whose head is that joint's centre.
JOINT_BONES: dict[int, str] = {
    11: "upperarm01.L",  # LEFT_SHOULDER
    12: "upperarm01.R",
    13: "lowerarm01.L",  # LEFT_ELBOW
    14: "lowerarm01.R",
    15: "wrist.L",  # LEFT_WRIST
    16: "wrist.R",
    23: "upperleg01.L",  # LEFT_HIP
    24: "upperleg01.R",
    25: "lowerleg01.L",  # LEFT_KNEE
    26: "lowerleg01.R",
    27: "foot.L",  # LEFT_ANKLE
    28: "foot.R",
}

#: Hand landmarks: the surface vertex nearest this bone's head (MediaPipe's pinky and
#: index points are the knuckles at the fingers' bases, the thumb's its middle joint).
HAND_BONES: dict[int, str] = {
    17: "finger5-1.L",  # LEFT_PINKY
    18: "finger5-1.R",
    19: "finger2-1.L",  # LEFT_INDEX
    20: "finger2-1.R",
    21: "finger1-3.L",  # LEFT_THUMB
    22: "finger1-3.R",
}

_MODEL: Any = None


def anny_model() -> Any:
    """The anny model (``anny.Anny()``, default rig and topology), built once per process
    and shared by every :class:`Body`. The first build ever takes about a minute and
    caches ~790 MB under ``~/.cache/anny``; later loads take ~0.3 s."""
    global _MODEL
    if _MODEL is None:
        import anny  # type: ignore[import-not-found, import-untyped, unused-ignore]

        _MODEL = anny.Anny()
        _MODEL.eval()
    return _MODEL


def rot_x(deg: float) -> FloatArray:
    """``(3, 3)`` right-handed rotation by ``deg`` degrees about +X."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(deg: float) -> FloatArray:
    """``(3, 3)`` right-handed rotation by ``deg`` degrees about +Y."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(deg: float) -> FloatArray:
    """``(3, 3)`` right-handed rotation by ``deg`` degrees about +Z."""
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass(frozen=True)
class Posed:
    """One posed body, in world metres (+Z up, floor z = 0).

    Attributes:
        vertices_m: ``(V, 3)`` mesh vertices (faces: ``Body.faces``).
        landmarks_m: ``(33, 3)`` true landmarks in MediaPipe's order: joint centres from
            anny bone heads, surface points (face, hands, heels, toes) from mesh vertices.
        com_m: ``(3,)`` centre of mass of the body mesh at uniform density.
        bone_heads_m: bone label -> ``(3,)`` head (joint centre) of every anny bone.
    """

    vertices_m: FloatArray
    landmarks_m: FloatArray
    com_m: FloatArray
    bone_heads_m: dict[str, FloatArray]


@dataclass(frozen=True)
class Skeleton:
    """A cheap pose evaluation (:meth:`Body.skeleton`), world metres.

    Attributes:
        heads_m: ``(n_bones, 3)`` bone heads, rows in ``Body.bone_labels`` order.
        world_rot: ``(n_bones, 3, 3)`` each bone's world rotation relative to the
            unrotated body (``G_c``: a bone's direction is ``G_c`` times its unrotated
            direction).
        points_m: ``(k, 3)`` the requested mesh vertices, skinned.
    """

    heads_m: FloatArray
    world_rot: FloatArray
    points_m: FloatArray


def _volume_centroid(vertices: FloatArray, faces: IntArray) -> FloatArray:
    """``(3,)`` centroid of the solid a closed, outward-oriented triangle mesh bounds:
    signed volumes of the tetrahedra (origin, triangle), weighted tetrahedron centroids."""
    tri = vertices[faces]  # (F, 3, 3)
    vol = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])) / 6.0
    centroids = tri.sum(axis=1) / 4.0
    return np.asarray((vol[:, None] * centroids).sum(axis=0) / vol.sum(), dtype=np.float64)


def _main_component_faces(faces: IntArray, n_vertices: int) -> IntArray:
    """Faces of the largest connected component (the skin; drops the eyeballs and the
    teeth, separate closed shells inside the head)."""
    parent = np.arange(n_vertices)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    for f in faces:
        ra, rb, rc = find(int(f[0])), find(int(f[1])), find(int(f[2]))
        parent[rb] = ra
        parent[rc] = ra
    roots = np.array([find(i) for i in range(n_vertices)])
    main = np.bincount(roots).argmax()
    return np.asarray(faces[roots[faces[:, 0]] == main], dtype=np.int64)


class Body:
    """One anny body of a given phenotype, posable many times.

    Args:
        phenotype: anny phenotype values, each 0..1 (labels: :data:`PHENOTYPE_LABELS`);
            missing ones default to 0.5.

    Attributes:
        phenotype: the full phenotype used.
        model: the shared anny model (:func:`anny_model`).
        faces: ``(F, 3)`` triangle vertex indices (outward-oriented, closed mesh).
        bone_labels: the anny bone labels, in the skinning weights' column order.
        bone_parents: ``(n_bones,)`` parent index of each bone (-1 for the root).
        vertex_bone_indices, vertex_bone_weights: ``(V, 9)`` sparse skinning weights.
        dominant_bone: ``(V,)`` index into ``bone_labels`` of each vertex's heaviest bone
            (for colouring clothes).
        rest_vertices_m: ``(V, 3)`` the unrotated body standing on the floor, world metres.
        root_height_m: height of the root bone's head (pelvis centre) when standing
            unrotated with the lowest vertex at z = 0.
        landmark_vertex: MediaPipe index -> mesh vertex for the surface landmarks.

    Timing (2 shared CPU cores, torch 2.13 CPU): building a Body ~0.1 s once the model
    is loaded (~2.5 s with the landmark picking); :meth:`pose` ~12 ms measured (anny forward
    ~8 ms, COM and landmarks ~4 ms);
    :meth:`skeleton` ~0.3 ms.
    """

    def __init__(self, phenotype: Mapping[str, float] | None = None) -> None:
        import torch  # type: ignore[import-not-found, unused-ignore]

        ph = dict.fromkeys(PHENOTYPE_LABELS, 0.5)
        for k, v in (phenotype or {}).items():
            if k not in ph:
                raise ValueError(f"unknown phenotype {k!r}; expected one of {PHENOTYPE_LABELS}")
            ph[k] = float(v)
        self.phenotype: dict[str, float] = ph
        self.model = anny_model()
        m = self.model
        self.bone_labels: list[str] = list(m.bone_labels)
        self._index = {b: i for i, b in enumerate(self.bone_labels)}
        self.bone_parents = np.asarray([int(p) for p in m.bone_parents], dtype=np.int64)
        self.bone_parents[0] = -1
        self.faces: IntArray = m.faces.detach().cpu().numpy().astype(np.int64)
        self._com_faces = _main_component_faces(self.faces, int(m.template_vertices.shape[0]))
        self.vertex_bone_indices: IntArray = (
            m.vertex_bone_indices.detach().cpu().numpy().astype(np.int64)
        )
        self.vertex_bone_weights: FloatArray = (
            m.vertex_bone_weights.detach().cpu().numpy().astype(np.float64)
        )
        rows = np.arange(len(self.vertex_bone_indices))
        self.dominant_bone: IntArray = self.vertex_bone_indices[
            rows, self.vertex_bone_weights.argmax(axis=1)
        ]
        self._torch_ph = {k: torch.tensor([v], dtype=m.dtype) for k, v in ph.items()}
        with torch.no_grad():
            out = m(phenotype_kwargs=self._torch_ph)
        rest = out["rest_bone_poses"][0].detach().cpu().numpy().astype(np.float64)
        self._rest_rot = rest[:, :3, :3]
        self._rest_head = rest[:, :3, 3]
        u = m.reference_bone_orientations
        self._ref_rot = (
            self._rest_rot.copy() if u is None else u.detach().cpu().numpy().astype(np.float64)
        )
        self._rest_vertices_anny = out["rest_vertices"][0].detach().cpu().numpy().astype(np.float64)
        # anny's unrotated output puts the root head at the origin.
        verts0 = out["vertices"][0].detach().cpu().numpy().astype(np.float64)
        self.root_height_m: float = float(-verts0[:, 2].min())
        self.rest_vertices_m: FloatArray = verts0 + np.array([0.0, 0.0, self.root_height_m])
        self._prepare_fk()
        self.landmark_vertex: dict[int, int] = self._pick_landmark_vertices()

    # ------------------------------------------------------------------ helpers

    def bone_index(self, label: str) -> int:
        """Row of ``label`` in ``bone_labels`` (KeyError if unknown)."""
        return self._index[label]

    def bone_weight(self, labels: Iterable[str]) -> FloatArray:
        """``(V,)`` each vertex's total skinning weight on the given bones (0..1)."""
        wanted = np.zeros(len(self.bone_labels), dtype=bool)
        for lab in labels:
            wanted[self._index[lab]] = True
        return np.asarray(
            (self.vertex_bone_weights * wanted[self.vertex_bone_indices]).sum(axis=1),
            dtype=np.float64,
        )

    def bones_matching(self, *prefixes: str) -> list[str]:
        """Bone labels starting with any of ``prefixes`` (e.g. ``"finger"``, ``"toe"``)."""
        return [b for b in self.bone_labels if b.startswith(prefixes)]

    def _prepare_fk(self) -> None:
        """Constants of anny's ``local-ref`` forward kinematics (see
        ``anny.utils.kinematics.forward_kinematic``)."""
        r, h, u, par = self._rest_rot, self._rest_head, self._ref_rot, self.bone_parents
        p = np.where(par < 0, 0, par)
        a = np.einsum("bij,bkj->bik", u, r)  # U_c R_c^T: rest -> reference orientation
        a[0] = np.eye(3)
        self._q_offset = np.einsum("bij,bj->bi", a[p], h - h[p])
        self._q_offset[0] = 0.0
        self._p = p
        # Depth order: parents before children.
        self._order = sorted(range(len(par)), key=self._depth)

    def _depth(self, i: int) -> int:
        d = 0
        while self.bone_parents[i] >= 0:
            i = int(self.bone_parents[i])
            d += 1
        return d

    def _split_root(
        self, rotations: Mapping[str, FloatArray], root_offset_m: FloatArray | None
    ) -> tuple[FloatArray, FloatArray]:
        rot = np.asarray(rotations.get("root", np.eye(3)), dtype=np.float64)
        off = (
            np.array([0.0, 0.0, self.root_height_m])
            if root_offset_m is None
            else np.asarray(root_offset_m, dtype=np.float64).reshape(3)
        )
        return rot, off

    def _fk(self, rotations: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
        """numpy forward kinematics, root unrotated at the origin: posed bone poses'
        rotations ``(B, 3, 3)`` and heads ``(B, 3)``."""
        n = len(self.bone_labels)
        d = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
        for lab, r in rotations.items():
            if lab != "root":
                d[self._index[lab]] = r
        u = self._ref_rot
        m_rot = d @ u  # D_c U_c
        w_rot = np.empty((n, 3, 3))
        w_pos = np.empty((n, 3))
        for i in self._order:
            if i == 0:
                w_rot[0] = u[0].T @ m_rot[0]
                w_pos[0] = 0.0
                continue
            pi = self._p[i]
            upt = u[pi].T
            k_rot = upt @ m_rot[i]
            k_pos = upt @ self._q_offset[i]
            w_rot[i] = w_rot[pi] @ k_rot
            w_pos[i] = w_rot[pi] @ k_pos + w_pos[pi]
        return w_rot, w_pos

    def skeleton(
        self,
        rotations: Mapping[str, FloatArray],
        root_offset_m: FloatArray | None = None,
        vertex_ids: IntArray | None = None,
    ) -> Skeleton:
        """Cheap pose evaluation (numpy): bone heads, bone world rotations and the given
        mesh vertices, in world metres, for the same arguments as :meth:`pose`.

        Args:
            rotations: as for :meth:`pose`.
            root_offset_m: as for :meth:`pose`.
            vertex_ids: ``(k,)`` mesh vertex indices to skin (default none).
        """
        root_rot, off = self._split_root(rotations, root_offset_m)
        w_rot, w_pos = self._fk(rotations)
        world_rot = np.einsum("ij,bjk,blk->bil", root_rot, w_rot, self._ref_rot)
        heads = w_pos @ root_rot.T + off
        if vertex_ids is None or len(vertex_ids) == 0:
            pts = np.zeros((0, 3))
        else:
            ids = np.asarray(vertex_ids, dtype=np.int64)
            t_rot = np.einsum("bij,bkj->bik", w_rot, self._rest_rot)  # V_c R_c^T
            t_pos = w_pos - np.einsum("bij,bj->bi", t_rot, self._rest_head)
            bi = self.vertex_bone_indices[ids]  # (k, 9)
            bw = self.vertex_bone_weights[ids]
            v = self._rest_vertices_anny[ids]
            moved = np.einsum("kjab,kb->kja", t_rot[bi], v) + t_pos[bi]
            pts = np.einsum("kj,kja->ka", bw, moved) @ root_rot.T + off
        return Skeleton(heads_m=heads, world_rot=world_rot, points_m=pts)

    # ------------------------------------------------------------------ posing

    def pose(
        self,
        rotations: Mapping[str, FloatArray],
        root_offset_m: FloatArray | None = None,
    ) -> Posed:
        """Pose the body with anny.

        Args:
            rotations: bone label -> ``(3, 3)`` rotation (see the module docstring);
                ``"root"`` rotates the whole body about the pelvis centre.
            root_offset_m: ``(3,)`` world position of the root bone's head (the pelvis
                centre); default ``(0, 0, root_height_m)``, which stands the unrotated
                body on the floor.

        Returns:
            :class:`Posed`, world metres. ``com_m`` is the volume centroid of the skin
            (the closed main mesh component; eyeballs and teeth are left out). Where the
            posed skin interpenetrates itself (a deeply bent knee), the overlap counts
            twice: a few millimetres at most.

        Takes ~12 ms (see the class docstring).
        """
        import torch  # type: ignore[import-not-found, unused-ignore]

        m = self.model
        root_rot, off = self._split_root(rotations, root_offset_m)
        params: dict[str, Any] = {}
        for lab, r in rotations.items():
            if lab == "root":
                continue
            if lab not in self._index:
                raise KeyError(f"unknown bone {lab!r}")
            t = torch.eye(4, dtype=m.dtype)
            t[:3, :3] = torch.as_tensor(np.asarray(r, dtype=np.float64), dtype=m.dtype)
            params[lab] = t[None]
        with torch.no_grad():
            out = m(pose_parameters=params or None, phenotype_kwargs=self._torch_ph)
        verts = out["vertices"][0].detach().cpu().numpy().astype(np.float64)
        heads = out["bone_poses"][0, :, :3, 3].detach().cpu().numpy().astype(np.float64)
        verts = verts @ root_rot.T + off
        heads = heads @ root_rot.T + off
        return Posed(
            vertices_m=verts,
            landmarks_m=self.landmarks_from(verts, heads),
            com_m=_volume_centroid(verts, self._com_faces),
            bone_heads_m={b: heads[i] for i, b in enumerate(self.bone_labels)},
        )

    def landmarks_from(self, vertices_m: FloatArray, heads_m: FloatArray) -> FloatArray:
        """``(33, 3)`` MediaPipe-order landmarks from posed ``(V, 3)`` vertices and
        ``(n_bones, 3)`` bone heads (same frame in, same frame out)."""
        lm = np.zeros((33, 3))
        for idx, bone in JOINT_BONES.items():
            lm[idx] = heads_m[self._index[bone]]
        for idx, v in self.landmark_vertex.items():
            lm[idx] = vertices_m[v]
        return lm

    # ------------------------------------------------------------------ landmarks

    def _pick_landmark_vertices(self) -> dict[int, int]:
        """Mesh vertices for the surface landmarks, chosen on the unrotated body."""
        v = self.rest_vertices_m
        heads = self._rest_head + np.array([0.0, 0.0, self.root_height_m])
        w_dom = self.dominant_bone
        picks: dict[int, int] = {}

        def verts_of(prefixes: tuple[str, ...]) -> IntArray:
            ids = [self._index[b] for b in self.bones_matching(*prefixes)]
            return np.flatnonzero(np.isin(w_dom, ids))

        for side, heel_i, toe_i in (("L", 29, 31), ("R", 30, 32)):
            foot = verts_of((f"foot.{side}", *[f"toe{k}-" for k in range(1, 6)]))
            foot = foot[np.array([self.bone_labels[w_dom[i]].endswith(side) for i in foot])]
            sole = foot[v[foot, 2] < v[foot, 2].min() + 0.015]
            picks[heel_i] = int(sole[np.argmax(v[sole, 1])])  # back of the heel, on the sole
            toe2 = verts_of((f"toe2-3.{side}", f"toe2-2.{side}"))
            low = toe2[v[toe2, 2] < v[toe2, 2].min() + 0.01]
            picks[toe_i] = int(low[np.argmin(v[low, 1])])  # tip of the 2nd toe, underneath
        for idx, bone in HAND_BONES.items():
            side = bone[-1]
            hand = verts_of(("wrist.", "finger", "metacarpal"))
            hand = hand[np.array([self.bone_labels[w_dom[i]].endswith(side) for i in hand])]
            h = heads[self._index[bone]]
            picks[idx] = int(hand[np.argmin(np.linalg.norm(v[hand] - h, axis=1))])
        head = verts_of(("head",))
        seg = self._face_segments()
        pupil_z = float(v[seg["eye_front.L"], 2].mean())
        # Nose tip: the most forward midline point between the eyes and the mouth.
        mid = head[np.abs(v[head, 0]) < 0.006]
        face = mid[(v[mid, 2] < pupil_z - 0.01) & (v[mid, 2] > pupil_z - 0.07)]
        picks[0] = int(face[np.argmin(v[face, 1])])
        mouth = seg["mouth_cavity"]
        front = mouth[v[mouth, 1] < v[mouth, 1].min() + 0.015]  # the cavity's front: the lips
        lip_z = float(np.median(v[front[np.abs(v[front, 0]) < 0.006], 2]))
        lips = front[np.abs(v[front, 2] - lip_z) < 0.006]
        for side, sgn, inner_i, eye_i, outer_i, ear_i, mouth_i in (
            ("L", 1.0, 1, 2, 3, 7, 9),
            ("R", -1.0, 4, 5, 6, 8, 10),
        ):
            eyeball = seg[f"eye_front.{side}"]
            picks[eye_i] = int(eyeball[np.argmin(v[eyeball, 1])])  # pupil
            cav = seg[f"eye_cavity.{side}"]
            picks[inner_i] = int(cav[np.argmin(sgn * v[cav, 0])])
            picks[outer_i] = int(cav[np.argmax(sgn * v[cav, 0])])
            ez = v[picks[eye_i], 2]
            band = head[(v[head, 2] < ez) & (v[head, 2] > ez - 0.04)]
            picks[ear_i] = int(band[np.argmax(sgn * v[band, 0])])
            picks[mouth_i] = int(lips[np.argmax(sgn * v[lips, 0])])  # mouth corner
        return picks

    def _face_segments(self) -> dict[str, IntArray]:
        """Vertex indices of anny's face segmentation regions (eyes, mouth)."""
        from anny.face_segmentation import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
            get_face_segmentation_mask,
        )

        out: dict[str, IntArray] = {}
        labels = [
            "eye_front.L",
            "eye_front.R",
            "eye_cavity.L",
            "eye_cavity.R",
            "mouth_cavity",
        ]
        for lab in labels:
            mask = get_face_segmentation_mask(self.model, [lab]).cpu().numpy()
            out[lab] = np.unique(self.faces[mask])
        return out
