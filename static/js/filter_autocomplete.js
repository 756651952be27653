/* Choosing a record in an autocomplete list filter (core/admin_filters.py) applies it at
 * once. Select2 announces the choice through jQuery, not a native event. */
(function () {
  "use strict";
  function start() {
    if (!window.django || !window.django.jQuery) { return; }
    window.django.jQuery(document).on("change", "form.autocomplete-filter select", function () {
      this.form.submit();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
