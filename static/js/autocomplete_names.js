/* The admin's autocomplete boxes (select2) draw a combobox beside the hidden <select> but
 * give it no name of its own; name each one after its <select>'s label (WCAG 4.1.2),
 * the boxes on the page and those added with inline rows. */
(function () {
  "use strict";

  function nameOf(select) {
    if (select.getAttribute("aria-label")) { return select.getAttribute("aria-label"); }
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function name(root) {
    (root || document).querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.nextElementSibling;
      var combo = box && box.querySelector(".select2-selection");
      var text = nameOf(select);
      if (combo && text) {
        combo.setAttribute("aria-label", text);
        combo.removeAttribute("aria-labelledby");
        // The chosen value inside it is a read-only textbox: named the same.
        var shown = combo.querySelector(".select2-selection__rendered");
        if (shown) { shown.setAttribute("aria-label", text); }
      }
    });
  }

  function start() {
    name(document);
    document.addEventListener("formset:added", function (event) { name(event.target); });
    if (window.django && window.django.jQuery) {
      // Select2 redraws the box when a choice is made.
      window.django.jQuery(document).on("select2:select select2:clear", function () { name(document); });
    }
  }

  if (document.readyState === "loading") {
    // After the admin's autocomplete.js has drawn the boxes (also on DOMContentLoaded).
    document.addEventListener("DOMContentLoaded", function () { setTimeout(start, 0); });
  } else {
    setTimeout(start, 0);
  }
})();
