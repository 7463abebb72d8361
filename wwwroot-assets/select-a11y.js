// Names MudBlazor's selects for assistive technology.
//
// MudBlazor 8's MudSelect draws its value in a focusable <div> and ties its <label> to a hidden <input>, so a screen
// reader hears "Runway · Sandbox" with no hint that it is a choice, or of which field; its open list is a column of
// paragraphs. This gives the visible field the combobox role, the label's text as its name, whether its list is open,
// and the list the listbox and option roles with the chosen option marked. It only adds ARIA attributes that Blazor
// does not render, so its diffing is untouched; a new or re-rendered select is named on the next animation frame.
(function () {
    let scheduled = false;

    function nameSelects() {
        scheduled = false;
        // The select's outer element; its input control inside carries the mud-select class too.
        document.querySelectorAll("div.mud-select:not(.mud-input-control)").forEach(root => {
            const display = root.querySelector("div.mud-select-input[tabindex]:not(.mud-input-adornment)");
            if (!display) return;
            const label = root.querySelector("label.mud-input-label");
            const anchor = root.querySelector("[id^='popover-']");
            const listId = anchor ? "popovercontent-" + anchor.id.substring("popover-".length) : null;
            const list = listId ? document.getElementById(listId) : null;
            const open = !!list && list.classList.contains("mud-popover-open");
            set(display, "role", "combobox");
            set(display, "aria-haspopup", "listbox");
            set(display, "aria-expanded", open ? "true" : "false");
            if (label) set(display, "aria-label", label.textContent.trim());
            if (listId) set(display, "aria-controls", listId);
            const input = root.querySelector("input.mud-select-input");
            if (input && input.disabled) set(display, "aria-disabled", "true"); else display.removeAttribute("aria-disabled");
            if (list) {
                const items = list.querySelector(".mud-list");
                if (items) {
                    set(items, "role", "listbox");
                    if (label) set(items, "aria-label", label.textContent.trim());
                }
                list.querySelectorAll(".mud-list-item").forEach(item => {
                    set(item, "role", "option");
                    set(item, "aria-selected", item.classList.contains("mud-selected-item") ? "true" : "false");
                });
            }
        });
    }

    function set(element, name, value) {
        if (element.getAttribute(name) !== value) element.setAttribute(name, value);
    }

    function schedule() {
        if (scheduled) return;
        scheduled = true;
        requestAnimationFrame(nameSelects);
    }

    function start() {
        // Our own attribute changes are not observed (only the tree and class changes are), so this cannot loop.
        new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
        schedule();
    }

    if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
