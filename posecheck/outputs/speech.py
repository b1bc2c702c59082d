"""Spoken cues for ``posecheck live --voice``: an offline TTS engine in its own thread.

* :func:`find_speech_engine` - ``espeak-ng`` (or the older ``espeak``) on ``PATH``.
* :class:`SpeechLimiter` - pure: which cue to say now, if any. At most one utterance per
  :data:`MIN_GAP_S` seconds, the same cue not again within :data:`REPEAT_S` seconds,
  warnings and faults only, the worst first.
* :class:`Speaker` - runs the engine (``subprocess``) in a background thread fed by a
  small queue, so the live loop never waits for speech. If the engine is busy the new
  utterance is dropped rather than queued behind it (a stale cue is worse than none).

Nothing here prints.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from posecheck.io.closing import ClosesOnExit
from posecheck.io.stage import Stage
from posecheck.result import Cue
from posecheck.vocab import Severity

#: Engines tried, in order.
ENGINES = ("espeak-ng", "espeak")
#: At most one utterance per this many seconds.
MIN_GAP_S = 4.0
#: The same cue (check id) is not spoken again within this many seconds.
REPEAT_S = 15.0
#: Words per minute: a little slower than espeak's 175, for someone balancing.
RATE_WPM = 160

_SPOKEN = (Severity.WARN, Severity.FAULT)


def find_speech_engine() -> str | None:
    """The full path of the first engine of :data:`ENGINES` found on ``PATH``, or None."""
    for name in ENGINES:
        found = shutil.which(name)
        if found:
            return found
    return None


class SpeechLimiter:
    """Decides which cue to speak, if any (pure; times are seconds, increasing).

    Args:
        min_gap_s: at most one utterance per ``min_gap_s``.
        repeat_s: a cue (by its check id) is not spoken again within ``repeat_s`` of
            the last time it was spoken.
    """

    def __init__(self, min_gap_s: float = MIN_GAP_S, repeat_s: float = REPEAT_S) -> None:
        self.min_gap_s = min_gap_s
        self.repeat_s = repeat_s
        self._last_any: float | None = None
        self._last: dict[str, float] = {}

    def choose(self, time_s: float, cues: Sequence[Cue]) -> Cue | None:
        """The cue to say at ``time_s`` among those shown (``cues``), or None; a cue
        returned counts as spoken. Only ``warn`` and ``fault`` cues are spoken, the worst
        first (ties: in the given order)."""
        if self._last_any is not None and time_s - self._last_any < self.min_gap_s:
            return None
        ranked = sorted((c for c in cues if c.severity in _SPOKEN), key=lambda c: -c.severity.rank)
        for cue in ranked:
            last = self._last.get(cue.check)
            if last is None or time_s - last >= self.repeat_s:
                self._last_any = time_s
                self._last[cue.check] = time_s
                return cue
        return None


class Speaker(ClosesOnExit):
    """Speaks text with an offline engine in a background thread (non-blocking).

    Use as a context manager, or call :meth:`close`. :meth:`offer` applies a
    :class:`SpeechLimiter`; :meth:`say` queues text directly.

    Args:
        engine: path of ``espeak-ng``/``espeak`` (see :func:`find_speech_engine`).
        limiter: the rate limits (default: :data:`MIN_GAP_S`, :data:`REPEAT_S`).
        rate_wpm: speaking rate in words per minute.
        wav_dir: if given, each utterance is written to ``wav_dir/utterance-NNN.wav``
            instead of being played (for tests and for machines without audio).

    Attributes:
        spoken: the texts handed to the engine so far, in order.
    """

    def __init__(
        self,
        engine: str,
        limiter: SpeechLimiter | None = None,
        rate_wpm: int = RATE_WPM,
        wav_dir: Path | None = None,
    ) -> None:
        self.engine = engine
        self.limiter = limiter or SpeechLimiter()
        self.rate_wpm = rate_wpm
        self.wav_dir = wav_dir
        if wav_dir is not None:
            wav_dir.mkdir(parents=True, exist_ok=True)
        self.spoken: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._closed = False
        # one utterance waits at most: a newer cue is dropped rather than queued behind it
        self._stage: Stage[str] = Stage(self._speak, name="posecheck-speaker", size=1).start()

    def offer(self, time_s: float, cues: Sequence[Cue]) -> str | None:
        """Speak the cue the limiter picks among ``cues`` at ``time_s``; returns its
        message if one was queued."""
        cue = self.limiter.choose(time_s, cues)
        if cue is None:
            return None
        return cue.message if self.say(cue.message) else None

    def say(self, text: str) -> bool:
        """Queue ``text``; False (and dropped) when the engine is still busy.

        Raises:
            the exception that stopped the speaker's thread, if one did.
        """
        if self._closed:
            return False
        return self._stage.offer(text)

    def close(self, timeout_s: float = 1.0) -> None:
        """Let the current utterance finish (at most ``timeout_s``, then stop it), drop
        what is queued and stop the thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stage.cancel()
        self._stage.join(timeout_s)
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait()
        self._stage.abort()

    def _command(self, text: str) -> list[str]:
        cmd = [self.engine, "-s", str(self.rate_wpm)]
        if self.wav_dir is not None:
            cmd += ["-w", str(self.wav_dir / f"utterance-{len(self.spoken):03d}.wav")]
        return [*cmd, "--", text]

    def _speak(self, text: str) -> None:
        cmd = self._command(text)
        self.spoken.append(text)
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return  # the engine vanished: stay silent
        with self._lock:
            self._proc = proc
        proc.wait()
        with self._lock:
            self._proc = None
