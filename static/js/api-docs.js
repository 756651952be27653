// The API reference: Swagger UI (installed with drf-spectacular-sidecar, served from our
// static files) over the schema the page names; a static file, so the CSP needs no inline
// script.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui");
  if (!container || typeof window.SwaggerUIBundle !== "function") {
    return;
  }

  // Swagger UI draws parameter choices without a name and code samples that scroll but
  // cannot be reached from the keyboard; name and reach them as it draws them.
  function mend(root) {
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
    root.querySelectorAll(".microlight, .example, .curl, .highlight-code pre").forEach(function (block) {
      if (!block.hasAttribute("tabindex")) {
        block.setAttribute("tabindex", "0");
      }
    });
  }
  new MutationObserver(function () {
    mend(container);
  }).observe(container, { childList: true, subtree: true });

  window.SwaggerUIBundle({
    url: container.getAttribute("data-schema-url"),
    domNode: container,
    deepLinking: true,
    defaultModelsExpandDepth: 0,
    // Reading, not editing: "Try it out" sends real requests against the rate limit.
    supportedSubmitMethods: ["get"],
  });
})();
