// Two takes played as one: play, pause and scrub both videos together, so a difference in motion shows at the same
// moment in each. Either video's own controls work too: playing, pausing or seeking one does the same to the other.
export function link(left, right, scrub) {
  const videos = [left, right];
  let echo = false; // set while we drive the other video, so its events do not drive back
  const longest = () => Math.max(...videos.map(v => (isFinite(v.duration) ? v.duration : 0)));

  const together = action => {
    echo = true;
    try {
      action();
    } finally {
      setTimeout(() => { echo = false; }, 0);
    }
  };

  const seek = seconds => together(() => videos.forEach(v => {
    if (isFinite(v.duration)) {
      v.currentTime = Math.min(seconds, Math.max(0, v.duration - 0.05));
    }
  }));

  const play = () => together(() => {
    // Start both from the same moment.
    const at = Math.min(...videos.map(v => v.currentTime));
    videos.forEach(v => {
      if (v.ended) {
        v.currentTime = 0;
      } else {
        v.currentTime = at;
      }
      v.play().catch(() => {});
    });
  });

  const pause = () => together(() => videos.forEach(v => v.pause()));

  const listeners = [];
  const on = (target, type, handler) => {
    target.addEventListener(type, handler);
    listeners.push(() => target.removeEventListener(type, handler));
  };

  for (const video of videos) {
    const other = video === left ? right : left;
    on(video, 'play', () => { if (!echo && other.paused) { play(); } });
    on(video, 'pause', () => { if (!echo && !other.paused && !video.ended) { pause(); } });
    on(video, 'seeked', () => { if (!echo && Math.abs(other.currentTime - video.currentTime) > 0.15) { seek(video.currentTime); } });
    on(video, 'timeupdate', () => {
      if (video === left || !isFinite(left.duration)) {
        const total = longest();
        if (total > 0 && scrub && document.activeElement !== scrub) {
          scrub.value = String(Math.round((video.currentTime / total) * 1000));
        }
      }
    });
  }
  if (scrub) {
    on(scrub, 'input', () => {
      const total = longest();
      if (total > 0) {
        seek((Number(scrub.value) / 1000) * total);
      }
    });
  }

  return {
    play,
    pause,
    // Plays when either is paused, else pauses; answers whether they now play.
    toggle() {
      if (videos.some(v => v.paused)) {
        play();
        return true;
      }
      pause();
      return false;
    },
    dispose() {
      listeners.forEach(off => off());
      videos.forEach(v => v.pause());
    },
  };
}
