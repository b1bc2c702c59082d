"""The loop that typical MediaPipe yoga repositories run, as a yardstick for posecheck.

Run it with the *legacy* MediaPipe that still has ``mp.solutions`` (0.10.21), in a venv of
its own (posecheck's mediapipe has no ``mp.solutions``)::

    python3 -m venv /work/peerenv && /work/peerenv/bin/pip install mediapipe==0.10.21
    /work/peerenv/bin/python benchmarks/peer_loop.py CLIP.mp4 --out /tmp/peer.mp4

What it does, as those repositories do: OpenCV reads each frame, converts BGR to RGB,
``mp.solutions.pose.Pose(model_complexity=1)`` (the same "full" landmark model posecheck
ships) finds the landmarks, ``mp.solutions.drawing_utils`` draws them, the two knee angles
are computed and written beside the knees, and ``cv2.VideoWriter`` with ``mp4v`` writes the
video (MPEG-4 Part 2: browsers do not play it; posecheck writes H.264).

Prints one JSON object: frames, wall seconds, CPU seconds. Imports nothing of posecheck.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import time


def _angle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    ab = (a[0] - b[0], a[1] - b[1])
    cb = (c[0] - b[0], c[1] - b[1])
    cos = (ab[0] * cb[0] + ab[1] * cb[1]) / max(math.hypot(*ab) * math.hypot(*cb), 1e-9)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clip")
    parser.add_argument("--out", default=os.devnull + ".mp4")
    args = parser.parse_args()

    import cv2
    import mediapipe as mp

    pose_api = mp.solutions.pose
    drawing = mp.solutions.drawing_utils
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    cap = cv2.VideoCapture(args.clip)
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    frames = 0
    with pose_api.Pose(model_complexity=1) as pose:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            frames += 1
            h, w = frame.shape[:2]
            if writer is None:
                writer = cv2.VideoWriter(args.out, cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
            result = pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            if result.pose_landmarks:
                drawing.draw_landmarks(frame, result.pose_landmarks, pose_api.POSE_CONNECTIONS)
                lm = result.pose_landmarks.landmark
                for hip, knee, ankle in ((23, 25, 27), (24, 26, 28)):
                    p = [(lm[i].x * w, lm[i].y * h) for i in (hip, knee, ankle)]
                    angle = _angle(p[0], p[1], p[2])
                    cv2.putText(frame, f"{angle:.0f}", (int(p[1][0]), int(p[1][1])),
                                cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2)  # fmt: skip
            writer.write(frame)
    cap.release()
    if writer is not None:
        writer.release()
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(json.dumps({"frames": frames, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                      "mediapipe": mp.__version__}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
