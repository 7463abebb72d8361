// A focus request for an element that has already left the page does nothing.
//
// Blazor's ElementReference.FocusAsync throws "Unable to focus an invalid element" when the element is gone by the
// time the call reaches the browser. MudBlazor's dialogs ask for focus from OnAfterRenderAsync (MudFocusTrap), so on a
// busy server a dialog that closes as the page navigates (New project → the project page) can be removed before its
// focus call lands; the exception then escapes OnAfterRenderAsync and ends the whole circuit (MudBlazor #8746, #9882).
// Focus on a vanished element has nothing to do, so it is answered as done. Every other call is passed on unchanged.
(function () {
    const dom = window.Blazor && window.Blazor._internal && window.Blazor._internal.domWrapper;
    if (!dom || typeof dom.focus !== "function") {
        console.warn("studio: Blazor's focus function was not found; focus on a removed element will end the circuit");
        return;
    }
    const focus = dom.focus;
    dom.focus = function (element, preventScroll) {
        if (element === null || element === undefined || (element instanceof Node && !element.isConnected)) {
            return;
        }
        return focus.call(this, element, preventScroll);
    };
    dom.focus.studioGuard = true;
})();
