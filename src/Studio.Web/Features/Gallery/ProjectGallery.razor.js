// The gallery's two browser-side jobs: tell the server how many cards fit in a row (the grid is virtualized by
// rows), and play a card's video muted while the pointer is over it (it loads nothing until then).
export function observe(grid, dotnet, minCardWidth, gap) {
  let columns = 0;
  const measure = () => {
    const next = Math.max(1, Math.floor((grid.clientWidth + gap) / (minCardWidth + gap)));
    if (next !== columns) {
      columns = next;
      dotnet.invokeMethodAsync('SetColumns', next).catch(() => {});
    }
  };
  const resize = new ResizeObserver(measure);
  resize.observe(grid);
  measure();

  const previewOf = e => e.target.closest?.('.take-thumb')?.querySelector('video.take-preview');
  const over = e => {
    const video = previewOf(e);
    if (video && video.paused) {
      video.muted = true;
      video.preload = 'auto';
      video.play().then(() => video.classList.add('playing')).catch(() => {});
    }
  };
  const out = e => {
    const thumb = e.target.closest?.('.take-thumb');
    if (thumb && !thumb.contains(e.relatedTarget)) {
      const video = thumb.querySelector('video.take-preview');
      if (video) {
        video.pause();
        video.classList.remove('playing');
      }
    }
  };
  grid.addEventListener('mouseover', over);
  grid.addEventListener('mouseout', out);
  return {
    dispose() {
      resize.disconnect();
      grid.removeEventListener('mouseover', over);
      grid.removeEventListener('mouseout', out);
    },
  };
}
