"""Dress the body, light a plain room and render it headless with pyrender (EGL).

Frames: vertices and the room are in the world frame (metres, +Z up, floor at z = 0; see
``camera.py``). :class:`Renderer` is built once per clip for one body, camera and palette;
``render(posed)`` returns an ``(H, W, 3)`` uint8 RGB picture.

Clothes are per-vertex colours chosen from the skinning weights (no textures): skin on the
head, neck, forearms, hands and feet, a top on the trunk (and the upper arms if it has
sleeves), leggings on the pelvis and legs, and optional hair on the top and back of the
head. The room is a floor, a yoga mat and four walls seen from inside (back faces are
culled, so a camera outside the room sees through the near wall).

Speed (2 shared CPU cores, Mesa llvmpipe on EGL, 640x480): ~55 ms a frame without
shadows (of which ~5 ms vertex normals), ~150 ms with directional shadows.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from posecheck.io.closing import ClosesOnExit
from tools.synth.camera import Camera

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
if not hasattr(np, "infty"):  # pyrender 0.1.45 still uses np.infty, gone in numpy 2
    np.infty = np.inf  # type: ignore[attr-defined]

import pyrender  # type: ignore  # noqa: E402  (untyped; needs the lines above first)

FloatArray = NDArray[np.float64]
UInt8Array = NDArray[np.uint8]
RGB = tuple[float, float, float]

# Vertex regions (rows of the colour table :func:`vertex_colours` builds per palette).
# Upper arms and forearms are skin or top depending on the palette's sleeves.
SKIN, TOP, LEGGINGS, HAIR, EYES, UPPER_ARM, FOREARM = 0, 1, 2, 3, 4, 5, 6


@dataclass(frozen=True)
class Palette:
    """Colours (linear 0..1 RGB) of one outfit and room.

    ``sleeves``: ``"none"`` (a tank top: bare arms), ``"short"`` (upper arms covered) or
    ``"long"`` (forearms too). ``hair_rgb`` None leaves the head bare (skin coloured).
    ``top_loose_m``, ``trousers_loose_m``: how far (metres) a loose top or loose trousers
    stand off the skin (0 = skin tight); see :func:`vertex_looseness`.
    """

    name: str
    skin_rgb: RGB
    top_rgb: RGB
    leggings_rgb: RGB
    hair_rgb: RGB | None
    mat_rgb: RGB
    floor_rgb: RGB
    wall_rgb: RGB
    sleeves: str = "short"
    top_loose_m: float = 0.0
    trousers_loose_m: float = 0.0

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Palette:
        """A palette from a plain dict (lists for the colours), e.g. a clip spec's outfit."""
        kw: dict[str, Any] = {}
        for k, v in d.items():
            kw[k] = tuple(float(c) for c in v) if isinstance(v, (list, tuple)) else v
        return cls(**kw)


@dataclass(frozen=True)
class Lighting:
    """A key and a fill directional light, placed relative to the camera's heading
    (azimuth offset about +Z, elevation above the floor), and the ambient level. The
    defaults are the lighting every clip had before this class (key over the camera's
    shoulder, a weak fill from the other side)."""

    key_azimuth_deg: float = 35.0
    key_elevation_deg: float = 55.0
    key_intensity: float = 2.6
    fill_azimuth_deg: float = -60.0
    fill_elevation_deg: float = 25.0
    fill_intensity: float = 1.0
    ambient: float = 0.35


PALETTES: dict[str, Palette] = {
    p.name: p
    for p in (
        Palette(
            "teal",
            (0.80, 0.60, 0.48),
            (0.10, 0.50, 0.55),
            (0.12, 0.12, 0.16),
            (0.20, 0.12, 0.07),
            (0.45, 0.25, 0.55),
            (0.72, 0.62, 0.50),
            (0.86, 0.85, 0.80),
            "short",
        ),
        Palette(
            "coral",
            (0.55, 0.38, 0.27),
            (0.90, 0.42, 0.36),
            (0.20, 0.24, 0.38),
            (0.06, 0.05, 0.05),
            (0.25, 0.45, 0.35),
            (0.60, 0.50, 0.42),
            (0.80, 0.84, 0.86),
            "none",
        ),
        Palette(
            "grey",
            (0.88, 0.70, 0.58),
            (0.55, 0.56, 0.58),
            (0.08, 0.08, 0.09),
            (0.55, 0.38, 0.18),
            (0.20, 0.35, 0.60),
            (0.78, 0.74, 0.68),
            (0.90, 0.88, 0.84),
            "long",
        ),
        Palette(
            "olive",
            (0.36, 0.24, 0.17),
            (0.42, 0.45, 0.22),
            (0.35, 0.18, 0.22),
            None,
            (0.60, 0.30, 0.25),
            (0.66, 0.58, 0.48),
            (0.82, 0.80, 0.76),
            "none",
        ),
    )
}


class BodyLike(Protocol):
    """What the renderer needs of ``body.Body``: the anny model and its triangles."""

    @property
    def model(self) -> Any: ...  # anny.Anny

    @property
    def faces(self) -> Any: ...  # (F, 3) int triangles (numpy or torch)


class PosedLike(Protocol):
    """What the renderer needs of ``body.Posed``."""

    @property
    def vertices_m(self) -> FloatArray: ...  # (V, 3) world metres


@dataclass(frozen=True)
class MatPlacement:
    """A yoga mat on the floor: centre ``(x, y)`` metres, long axis at ``yaw_deg`` from +X
    (counter-clockwise seen from above), ``size_m`` (length, width)."""

    center_xy_m: tuple[float, float] = (0.0, 0.0)
    yaw_deg: float = 90.0
    size_m: tuple[float, float] = (1.83, 0.61)


def _to_numpy(a: Any) -> NDArray[Any]:
    """torch tensor or array-like -> numpy array."""
    if hasattr(a, "detach"):
        return np.asarray(a.detach().cpu().numpy())
    return np.asarray(a)


def vertex_regions(model: Any) -> NDArray[np.int64]:
    """``(V,)`` region per vertex (SKIN, TOP, LEGGINGS, HAIR, EYES, UPPER_ARM, FOREARM)
    from anny's skinning weights.

    Each region sums the weights of its bones and the vertex takes the largest sum (smoother
    borders than the single dominant bone). Hair: head vertices above the brows or behind
    the ears in the template (rest) mesh, which is in the world axes (-Y front, +Z up).
    """
    labels: list[str] = list(model.bone_labels)
    weights = _to_numpy(model.vertex_bone_weights).astype(np.float64)  # (V, K)
    indices = _to_numpy(model.vertex_bone_indices).astype(np.int64)  # (V, K)

    def region_of(label: str) -> int:
        base = label.split(".")[0]
        # anny counts the spine from the top: spine01 under the neck, spine05 at the waist.
        if base.startswith(("spine01", "spine02", "spine03", "spine04", "clavicle", "shoulder01")):
            return TOP
        if base.startswith(("spine05", "pelvis", "upperleg", "lowerleg")):
            return LEGGINGS
        if base.startswith("upperarm"):
            return UPPER_ARM
        if base.startswith("lowerarm"):
            return FOREARM
        if base.startswith("eye"):
            return EYES
        return SKIN  # root, head, neck, hands, fingers, feet, toes

    bone_region = np.array([region_of(b) for b in labels], dtype=np.int64)
    n_regions = 7
    scores = np.zeros((weights.shape[0], n_regions))
    np.add.at(scores, (np.arange(weights.shape[0])[:, None], bone_region[indices]), weights)
    regions = scores.argmax(axis=1)

    # Hair on the template mesh (rest pose; -Y front, +Z up).
    verts = _to_numpy(model.template_vertices).astype(np.float64)
    heads = _to_numpy(model.template_bone_heads).astype(np.float64)
    eye = heads[[labels.index("eye.L"), labels.index("eye.R")]].mean(axis=0)
    head_bone = bone_region[indices[np.arange(len(indices)), weights.argmax(axis=1)]]
    is_head = (head_bone == SKIN) & (verts[:, 2] > eye[2] - 0.12) & (regions == SKIN)
    above_brow = verts[:, 2] > eye[2] + 0.04 - 0.5 * np.maximum(verts[:, 1] - eye[1] - 0.06, 0)
    behind_ears = (verts[:, 1] > eye[1] + 0.10) & (verts[:, 2] > eye[2] - 0.09)
    regions[is_head & (above_brow | behind_ears)] = HAIR
    return np.asarray(regions, dtype=np.int64)


def vertex_looseness(model: Any, palette: Palette) -> NDArray[np.float64]:
    """``(V,)`` metres each vertex moves out along its normal to draw loose clothes.

    Skinning weights blend the regions, so the cloth flares smoothly: a loose top stands
    ``top_loose_m`` off the trunk (and the sleeves it has), its hem over the waist and
    hips; loose trousers stand off the pelvis by half ``trousers_loose_m`` and widen to the
    full value at the shins (wide legs). The geometry is only drawn: landmarks, COM and
    truth come from the body, not from the cloth.
    """
    if palette.top_loose_m <= 0.0 and palette.trousers_loose_m <= 0.0:
        return np.zeros(int(_to_numpy(model.vertex_bone_weights).shape[0]))
    labels: list[str] = list(model.bone_labels)
    weights = _to_numpy(model.vertex_bone_weights).astype(np.float64)
    indices = _to_numpy(model.vertex_bone_indices).astype(np.int64)
    sleeves = {"none": (0.0, 0.0), "short": (1.0, 0.0), "long": (1.0, 1.0)}[palette.sleeves]

    def factor(label: str) -> tuple[float, float]:  # (top share, trousers share)
        base = label.split(".")[0]
        if base.startswith(("spine01", "spine02", "spine03", "spine04", "clavicle", "shoulder")):
            return 1.0, 0.0
        if base.startswith("spine05"):
            return 1.0, 0.3
        if base.startswith("pelvis") or base == "root":
            return 0.6, 0.5
        if base.startswith("upperleg"):
            return 0.0, 0.75
        if base.startswith("lowerleg"):
            return 0.0, 1.0
        if base.startswith("upperarm"):
            return 0.7 * sleeves[0], 0.0
        if base.startswith("lowerarm"):
            return 0.7 * sleeves[1], 0.0
        return 0.0, 0.0

    f = np.array([factor(b) for b in labels])  # (B, 2)
    top = (weights * f[indices, 0]).sum(axis=1)
    trousers = (weights * f[indices, 1]).sum(axis=1)
    return np.asarray(palette.top_loose_m * top + palette.trousers_loose_m * trousers)


def vertex_colours(regions: NDArray[np.int64], palette: Palette) -> NDArray[np.float32]:
    """``(V, 4)`` float RGBA per vertex for ``regions`` (from :func:`vertex_regions`)."""
    sleeve_upper = palette.top_rgb if palette.sleeves in ("short", "long") else palette.skin_rgb
    sleeve_lower = palette.top_rgb if palette.sleeves == "long" else palette.skin_rgb
    table = np.array(
        [
            palette.skin_rgb,
            palette.top_rgb,
            palette.leggings_rgb,
            palette.hair_rgb if palette.hair_rgb is not None else palette.skin_rgb,
            (0.08, 0.06, 0.05),
            sleeve_upper,
            sleeve_lower,
        ],
        dtype=np.float32,
    )
    rgb = table[regions]
    return np.concatenate([rgb, np.ones((len(rgb), 1), np.float32)], axis=1)


def vertex_normals(vertices_m: FloatArray, faces: NDArray[np.int64]) -> NDArray[np.float32]:
    """``(V, 3)`` unit normals: area-weighted sum of the adjacent faces' normals."""
    tri = vertices_m[faces]  # (F, 3, 3)
    fn = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])  # (F, 3), |fn| = 2 area
    vn = np.zeros_like(vertices_m)
    for k in range(3):
        np.add.at(vn, faces[:, k], fn)
    norm = np.linalg.norm(vn, axis=1, keepdims=True)
    return np.asarray(vn / np.maximum(norm, 1e-12), dtype=np.float32)


def _box(center: FloatArray, size: FloatArray, yaw_rad: float) -> tuple[FloatArray, NDArray[Any]]:
    """Vertices ``(8, 3)`` and triangles ``(12, 3)`` (outward) of a box turned by yaw."""
    sx, sy, sz = size / 2.0
    corners = np.array(
        [[x, y, z] for z in (-sz, sz) for y in (-sy, sy) for x in (-sx, sx)], dtype=np.float64
    )
    c, s = math.cos(yaw_rad), math.sin(yaw_rad)
    rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    faces = np.array(
        [
            [0, 2, 1],
            [1, 2, 3],
            [4, 5, 6],
            [5, 7, 6],
            [0, 1, 4],
            [1, 5, 4],
            [2, 6, 3],
            [3, 6, 7],
            [0, 4, 2],
            [2, 4, 6],
            [1, 3, 5],
            [3, 7, 5],
        ],
        dtype=np.int64,
    )
    return corners @ rot.T + center, faces


def _flat_mesh(
    verts: FloatArray, faces: NDArray[Any], rgb: RGB, roughness: float = 0.9
) -> pyrender.Mesh:
    """A flat-shaded single-colour mesh (each triangle gets its own vertices)."""
    tri = verts[faces].reshape(-1, 3)
    fn = np.cross(verts[faces[:, 1]] - verts[faces[:, 0]], verts[faces[:, 2]] - verts[faces[:, 0]])
    fn /= np.linalg.norm(fn, axis=1, keepdims=True)
    normals = np.repeat(fn, 3, axis=0)
    material = pyrender.MetallicRoughnessMaterial(
        baseColorFactor=(*rgb, 1.0), metallicFactor=0.0, roughnessFactor=roughness
    )
    prim = pyrender.Primitive(
        positions=tri.astype(np.float32),
        normals=normals.astype(np.float32),
        indices=np.arange(len(tri), dtype=np.uint32).reshape(-1, 3),
        material=material,
    )
    return pyrender.Mesh(primitives=[prim])


def room_meshes(
    palette: Palette,
    *,
    center_xy_m: tuple[float, float] = (0.0, 0.0),
    yaw_deg: float = 0.0,
    half_size_m: float = 4.5,
    height_m: float = 6.0,
    mat: MatPlacement | None = None,
) -> list[pyrender.Mesh]:
    """Floor (top at z = 0), four walls facing inward and an optional mat (4 mm thick)."""
    yaw = math.radians(yaw_deg)
    cx, cy = center_xy_m
    meshes = []
    floor_v, floor_f = _box(
        np.array([cx, cy, -0.05]), np.array([2 * half_size_m, 2 * half_size_m, 0.1]), yaw
    )
    meshes.append(_flat_mesh(floor_v, floor_f, palette.floor_rgb))
    # Walls: the inside of a tall box (faces reversed so they face inward).
    wall_v, wall_f = _box(
        np.array([cx, cy, height_m / 2.0 - 0.1]),
        np.array([2 * half_size_m, 2 * half_size_m, height_m]),
        yaw,
    )
    sides = wall_f[4:]  # drop bottom/top: 12 triangles -> 8 wall triangles
    shades = [1.0, 0.93, 0.97, 0.9]  # each wall a slightly different tone
    for i in range(4):
        tone = tuple(min(1.0, c * shades[i]) for c in palette.wall_rgb)
        meshes.append(_flat_mesh(wall_v, sides[2 * i : 2 * i + 2, ::-1], tone, 1.0))  # type: ignore[arg-type]
    if mat is not None:
        mat_v, mat_f = _box(
            np.array([mat.center_xy_m[0], mat.center_xy_m[1], 0.002]),
            np.array([mat.size_m[0], mat.size_m[1], 0.004]),
            math.radians(mat.yaw_deg),
        )
        meshes.append(_flat_mesh(mat_v, mat_f, palette.mat_rgb, 0.8))
    return meshes


class Renderer(ClosesOnExit):
    """Renders one body in one room through one camera, frame after frame.

    Use as a context manager (or call :meth:`close`): it owns an EGL OffscreenRenderer.
    """

    def __init__(
        self,
        body: BodyLike,
        camera: Camera,
        *,
        palette: Palette | str = "teal",
        mat: MatPlacement | None = None,
        room_center_xy_m: tuple[float, float] = (0.0, 0.0),
        room_yaw_deg: float = 0.0,
        shadows: bool = False,
        lighting: Lighting | None = None,
    ) -> None:
        """``mat``: where to lay the mat (None: no mat). ``room_*``: the room's centre and
        turn; the walls stand 4.5 m from its centre. ``shadows``: directional shadows
        (about 2.5x slower). ``lighting``: the lights (default :class:`Lighting`())."""
        self.palette = PALETTES[palette] if isinstance(palette, str) else palette
        light = lighting if lighting is not None else Lighting()
        self.camera = camera
        self._faces = _to_numpy(body.faces).astype(np.int64)
        if self._faces.ndim != 2 or self._faces.shape[1] != 3:
            raise ValueError(f"body.faces must be (F, 3) triangles, got {self._faces.shape}")
        self._indices = self._faces.astype(np.uint32)
        self._colours = vertex_colours(vertex_regions(body.model), self.palette)
        loose = vertex_looseness(body.model, self.palette)
        self._loose: NDArray[np.float64] | None = loose[:, None] if loose.any() else None
        self._material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(1.0, 1.0, 1.0, 1.0), metallicFactor=0.0, roughnessFactor=0.75
        )
        self._flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows else 0

        w, h = camera.image_wh
        bg = (*self.palette.wall_rgb, 1.0)
        self.scene = pyrender.Scene(bg_color=bg, ambient_light=(light.ambient,) * 3)
        for mesh in room_meshes(
            self.palette, center_xy_m=room_center_xy_m, yaw_deg=room_yaw_deg, mat=mat
        ):
            self.scene.add(mesh)
        cam = pyrender.IntrinsicsCamera(
            fx=camera.fx_px,
            fy=camera.fy_px,
            cx=camera.cx_px,
            cy=camera.cy_px,
            znear=0.05,
            zfar=50.0,
        )
        self.scene.add(cam, pose=camera.gl_pose())
        # Key light from above, over the camera's shoulder; a weak fill from the other side.
        self.scene.add(
            pyrender.DirectionalLight(color=np.ones(3), intensity=light.key_intensity),
            pose=_light_pose(
                camera,
                azimuth_offset_deg=light.key_azimuth_deg,
                elevation_deg=light.key_elevation_deg,
            ),
        )
        self.scene.add(
            pyrender.DirectionalLight(color=np.ones(3), intensity=light.fill_intensity),
            pose=_light_pose(
                camera,
                azimuth_offset_deg=light.fill_azimuth_deg,
                elevation_deg=light.fill_elevation_deg,
            ),
        )
        self._body_node: pyrender.Node | None = None
        self._renderer: pyrender.OffscreenRenderer | None = pyrender.OffscreenRenderer(w, h)

    def render(self, posed: PosedLike) -> UInt8Array:
        """``(H, W, 3)`` uint8 RGB picture of the body at ``posed.vertices_m``."""
        return self.render_vertices(np.asarray(posed.vertices_m, dtype=np.float64))

    def render_vertices(self, vertices_m: FloatArray) -> UInt8Array:
        """``(H, W, 3)`` uint8 RGB for body vertices ``(V, 3)`` in world metres."""
        if self._renderer is None:
            raise RuntimeError("Renderer is closed")
        if vertices_m.shape != (len(self._colours), 3):
            raise ValueError(
                f"vertices_m must be ({len(self._colours)}, 3), got {vertices_m.shape}"
            )
        normals = vertex_normals(vertices_m, self._faces)
        if self._loose is not None:  # loose clothes: the cloth stands off the skin
            vertices_m = vertices_m + normals * self._loose
        prim = pyrender.Primitive(
            positions=vertices_m.astype(np.float32),
            normals=normals,
            color_0=self._colours,
            indices=self._indices,
            material=self._material,
        )
        if self._body_node is not None:
            self.scene.remove_node(self._body_node)
        self._body_node = self.scene.add(pyrender.Mesh(primitives=[prim]))
        color, _ = self._renderer.render(self.scene, flags=self._flags)
        return np.ascontiguousarray(color[:, :, :3], dtype=np.uint8)

    def close(self) -> None:
        """Free the EGL context (idempotent)."""
        if self._renderer is not None:
            self._renderer.delete()
            self._renderer = None


def _light_pose(camera: Camera, *, azimuth_offset_deg: float, elevation_deg: float) -> FloatArray:
    """``(4, 4)`` pose of a directional light shining from the camera's side, turned
    ``azimuth_offset_deg`` about +Z and raised ``elevation_deg`` (pyrender lights shine
    along their -z axis)."""
    view = camera.rotation[2]  # camera forward in world
    heading = math.atan2(view[1], view[0]) + math.radians(azimuth_offset_deg)
    el = math.radians(elevation_deg)
    direction = np.array(
        [math.cos(heading) * math.cos(el), math.sin(heading) * math.cos(el), -math.sin(el)]
    )  # where the light travels
    z = -direction
    x = np.cross(np.array([0.0, 0.0, 1.0]), z)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    pose = np.eye(4)
    pose[:3, :3] = np.stack([x, y, z], axis=1)
    return pose


def render_frame(
    body: BodyLike,
    posed: PosedLike,
    camera: Camera,
    *,
    palette: Palette | str = "teal",
    mat: MatPlacement | None = None,
) -> UInt8Array:
    """One-off ``(H, W, 3)`` uint8 RGB render (builds and frees a :class:`Renderer`; use the
    class for a clip)."""
    with Renderer(body, camera, palette=palette, mat=mat) as r:
        return r.render(posed)


def save_png(image: UInt8Array, path: str | os.PathLike[str]) -> None:
    """Write an ``(H, W, 3)`` uint8 RGB picture as PNG (Pillow)."""
    from PIL import Image

    Image.fromarray(image).save(os.fspath(path))
