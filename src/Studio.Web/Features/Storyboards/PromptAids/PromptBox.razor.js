// The prompt box's one browser-side job: know where the writer's caret is, so a chip goes in there.
// A textarea keeps its selection when a chip button takes the focus, and one that was never focused has its caret
// at the end (Blazor sets the value as a property), so a chip then appends.

// The text as it is now (it may be ahead of the server's copy while the input is debounced) and the caret in it.
// A caret at 0 in a field that is not focused is most likely one never placed (prerendered markup starts there):
// report none, and the chip appends, which is what a writer who never clicked in the field expects.
export function read(host) {
  const area = host?.querySelector('textarea');
  if (!area) {
    return null;
  }
  const placed = area.selectionEnd > 0 || document.activeElement === area;
  return { text: area.value, caret: placed ? area.selectionEnd : null };
}

// After an insert the new value moves the caret to the end: put it back just after the inserted phrase, without
// taking the focus from the chip (a keyboard user may press several in a row).
export function placeCaret(host, position) {
  const area = host?.querySelector('textarea');
  if (area && position <= area.value.length) {
    area.setSelectionRange(position, position);
  }
}
