// Small page helpers that need no round trip to the server.

// The storyboard timeline: bring a shot's card into view and put the keyboard there.
window.studioShowShot = function (number) {
    const item = document.querySelector('[data-testid=shot-item][data-shot="' + number + '"]');
    if (!item) return;
    item.scrollIntoView({ behavior: "smooth", block: "start" });
    item.focus({ preventScroll: true });
};
