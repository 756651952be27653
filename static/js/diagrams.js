// Draws each Mermaid diagram of a wiki page (figure.diagram-mermaid) as SVG in the browser.
// The server sends the diagram's source in pre.diagram-source; without JavaScript, or without
// the library, that source is what the reader sees. Loaded with `defer` after mermaid.min.js.
(function () {
  "use strict";

  const mermaid = window.mermaid;
  if (!mermaid || typeof mermaid.render !== "function") {
    return;
  }
  const figures = document.querySelectorAll("figure.diagram-mermaid");
  if (!figures.length) {
    return;
  }

  mermaid.startOnLoad = false;
  mermaid.initialize({
    startOnLoad: false,
    // Labels are sanitised, click callbacks and HTML in labels are refused.
    securityLevel: "strict",
    // On a syntax error, throw instead of drawing Mermaid's own error picture.
    suppressErrorRendering: true,
    theme: "neutral",
  });

  const prefix = "credence-diagram-" + Date.now().toString(36) + "-";

  // Mermaid draws in a temporary element at the end of the body; after a failure it may be
  // left there (or, for some errors, an error picture). Remove whatever carries the id.
  function removeLeftovers(id) {
    ["d" + id, id, "i" + id].forEach(function (leftover) {
      const element = document.getElementById(leftover);
      if (element && !element.closest("figure.diagram-mermaid")) {
        element.remove();
      }
    });
  }

  function errorText(error) {
    const text = (error && (error.message || error.str)) || String(error || "");
    return text.trim() || "unknown error";
  }

  function drawn(figure, source, svg) {
    const container = document.createElement("div");
    container.className = "diagram-svg";
    container.innerHTML = svg;

    const details = document.createElement("details");
    details.className = "diagram-details";
    const summary = document.createElement("summary");
    summary.textContent = "Diagram source";
    details.appendChild(summary);
    source.parentNode.insertBefore(container, source);
    // The source may be wider than the screen: keyboard users can scroll it too.
    source.tabIndex = 0;
    source.setAttribute("aria-label", "Diagram source, scrolls sideways");
    details.appendChild(source);
    container.after(details);

    const caption = figure.querySelector("figcaption.diagram-caption");
    if (caption) {
      caption.textContent = "Diagram";
    }
    figure.classList.add("diagram-drawn");
  }

  function failed(figure, source, error) {
    const message = document.createElement("p");
    message.className = "diagram-error";
    message.setAttribute("role", "note");
    const lead = document.createElement("strong");
    lead.textContent = "This diagram could not be drawn.";
    const detail = document.createElement("span");
    detail.className = "diagram-error-detail";
    detail.textContent = errorText(error);
    message.appendChild(lead);
    message.appendChild(document.createTextNode(" "));
    message.appendChild(detail);
    source.parentNode.insertBefore(message, source);
    figure.classList.add("diagram-failed");
  }

  async function drawAll() {
    for (let index = 0; index < figures.length; index++) {
      const figure = figures[index];
      const source = figure.querySelector("pre.diagram-source");
      if (!source) {
        continue;
      }
      const id = prefix + index;
      figure.setAttribute("aria-busy", "true");
      try {
        const result = await mermaid.render(id, source.textContent);
        drawn(figure, source, result.svg);
      } catch (error) {
        failed(figure, source, error);
      } finally {
        removeLeftovers(id);
        figure.removeAttribute("aria-busy");
      }
    }
  }

  drawAll();
})();
