/*
 * The page editor: the admin's body textarea becomes a Markdown editor (EasyMDE) with a
 * live preview beside it, rendered on the server by the same renderer readers get, a
 * citation picker, a page-link picker and "Show changes". Without JavaScript, or without
 * the library, the textarea stays as it is.
 *
 * The URLs come from data-* attributes on the textarea (WikiPageAdmin._editor_urls).
 * Everything received is either HTML rendered and sanitized by the server (the preview,
 * the changes) or JSON written into the page as text, never as markup.
 */
(function () {
  "use strict";

  // The admin loads form media in the <head>: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
  var PREVIEW_PAUSE_MS = 600;
  var SEARCH_PAUSE_MS = 250;
  // After "Add this source": look again while its snapshot (and title) may arrive.
  var TITLE_CHECKS_MS = [1500, 4000, 10000];
  var URL_LIKE = /^https?:\/\/\S+$/i;

  var textarea = document.getElementById("id_body");
  if (!textarea || !window.EasyMDE || !textarea.dataset.previewUrl) {
    return;
  }
  var form = textarea.form;
  var data = textarea.dataset;
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    body.append("csrfmiddlewaretoken", csrfInput ? csrfInput.value : "");
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function element(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  // -- layout: the editor and its preview side by side ---------------------------------

  var workspace = element("div", { "class": "page-editor" });
  textarea.parentNode.insertBefore(workspace, textarea);
  var editorColumn = element("div", { "class": "page-editor-source" });
  workspace.appendChild(editorColumn);
  editorColumn.appendChild(textarea);
  var previewColumn = element("section", {
    "class": "page-editor-preview",
    "aria-labelledby": "page-editor-preview-heading"
  });
  var previewHeading = element("h2", { id: "page-editor-preview-heading" }, "Preview");
  var previewState = element("p", { "class": "page-editor-state", role: "status" });
  var previewBody = element("div", { "class": "page-editor-rendered" });
  previewColumn.appendChild(previewHeading);
  previewColumn.appendChild(previewState);
  previewColumn.appendChild(previewBody);
  workspace.appendChild(previewColumn);

  // -- the editor -----------------------------------------------------------------------

  var editor;

  function insert(text) {
    var cm = editor.codemirror;
    cm.replaceSelection(text);
    cm.focus();
  }

  function footnote() {
    var body = editor.value();
    var used = body.match(/\[\^(\d+)\]/g) || [];
    var next = used.reduce(function (top, label) {
      return Math.max(top, parseInt(label.slice(2, -1), 10));
    }, 0) + 1;
    insert("[^" + next + "]");
    var cm = editor.codemirror;
    var end = cm.lastLine();
    cm.replaceRange("\n\n[^" + next + "]: ", { line: end, ch: cm.getLine(end).length });
    cm.setCursor({ line: cm.lastLine(), ch: cm.getLine(cm.lastLine()).length });
  }

  var toolbar = [
    { name: "heading", action: EasyMDE.toggleHeadingSmaller, text: "H", title: "H: heading" },
    { name: "bold", action: EasyMDE.toggleBold, text: "B", title: "B: bold" },
    { name: "italic", action: EasyMDE.toggleItalic, text: "I", title: "I: italic" },
    "|",
    { name: "link", action: EasyMDE.drawLink, text: "Link", title: "Link" },
    { name: "unordered-list", action: EasyMDE.toggleUnorderedList, text: "• List", title: "• List: bulleted" },
    { name: "ordered-list", action: EasyMDE.toggleOrderedList, text: "1. List", title: "1. List: numbered" },
    { name: "table", action: EasyMDE.drawTable, text: "Table", title: "Table" },
    { name: "footnote", action: footnote, text: "Footnote", title: "Footnote" },
    "|",
    { name: "cite", action: function () { picker.open("sources"); }, text: "Cite…", title: "Cite… a source (Ctrl-Alt-C)" },
    { name: "page-link", action: function () { picker.open("pages"); }, text: "Link a page…", title: "Link a page… (Ctrl-Alt-L)" }
  ];
  if (data.changesUrl) {
    toolbar.push("|", { name: "changes", action: showChanges, text: "Show changes", title: "Show changes since the last save" });
  }

  editor = new EasyMDE({
    element: textarea,
    autoDownloadFontAwesome: false,
    spellChecker: false,
    nativeSpellcheck: true,
    lineNumbers: true,
    forceSync: true,
    // The text itself is the editable element, inside the scrolling area: keyboard users
    // reach what scrolls (WCAG 2.1.1), and screen readers read the text as a text box.
    inputStyle: "contenteditable",
    status: ["lines", "words", "cursor"],
    toolbar: toolbar,
    maxHeight: "70vh"  // the editor scrolls: a 44 KB body would push the preview far down
  });
  editor.codemirror.setOption("extraKeys", {
    "Ctrl-Alt-C": function () { picker.open("sources"); },
    "Cmd-Alt-C": function () { picker.open("sources"); },
    "Ctrl-Alt-L": function () { picker.open("pages"); },
    "Cmd-Alt-L": function () { picker.open("pages"); },
    // Tab leaves the editor (keyboard users must be able to go on through the form).
    "Tab": false,
    "Shift-Tab": false
  });
  editor.codemirror.getInputField().setAttribute("aria-label", "Page body (Markdown)");
  // The toolbar's buttons are reachable by keyboard like any other.
  workspace.querySelectorAll(".editor-toolbar button").forEach(function (button) {
    button.tabIndex = 0;
    button.type = "button";
  });

  // -- live preview ----------------------------------------------------------------------

  var previewRequest = 0;

  function refreshPreview() {
    var mine = ++previewRequest;
    previewState.textContent = "Updating the preview…";
    var fields = { body: editor.value() };
    if (data.page) { fields.page = data.page; }
    post(data.previewUrl, fields)
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        if (mine !== previewRequest) { return; }  // a newer one is on its way
        previewBody.innerHTML = html;  // rendered and sanitized by the server
        previewState.textContent = "Preview up to date.";
      })
      .catch(function () {
        if (mine === previewRequest) {
          previewState.textContent = "The preview could not be updated; your text is safe.";
        }
      });
  }

  editor.codemirror.on("change", debounce(refreshPreview, PREVIEW_PAUSE_MS));
  refreshPreview();

  // -- show changes ----------------------------------------------------------------------

  var changesDialog = element("dialog", { "class": "page-editor-dialog", "aria-labelledby": "page-editor-changes-heading" });
  changesDialog.appendChild(element("h2", { id: "page-editor-changes-heading" }, "Changes since the last save"));
  var changesBody = element("div", { "class": "page-editor-changes" });
  changesDialog.appendChild(changesBody);
  var changesClose = element("button", { type: "button", "class": "button" }, "Close");
  changesClose.addEventListener("click", function () { changesDialog.close(); });
  changesDialog.appendChild(changesClose);
  document.body.appendChild(changesDialog);

  function showChanges() {
    changesBody.textContent = "Comparing…";
    changesDialog.showModal();
    post(data.changesUrl, { body: editor.value() })
      .then(function (response) { return response.text(); })
      .then(function (html) { changesBody.innerHTML = html; })  // rendered by the server
      .catch(function () { changesBody.textContent = "The changes could not be shown."; });
  }

  // -- the pickers: sources to cite, pages to link ----------------------------------------

  var picker = (function () {
    var dialog = element("dialog", { "class": "page-editor-dialog page-editor-picker", "aria-labelledby": "page-editor-picker-heading" });
    var heading = element("h2", { id: "page-editor-picker-heading" });
    var label = element("label", { "for": "page-editor-picker-query" });
    var input = element("input", { id: "page-editor-picker-query", type: "search", autocomplete: "off" });
    var status = element("p", { "class": "page-editor-state", role: "status" });
    var results = element("ul", { "class": "page-editor-results" });
    var add = element("button", { type: "button", "class": "button default", hidden: "" }, "Add this source");
    var close = element("button", { type: "button", "class": "button" }, "Cancel");
    [heading, label, input, status, results, add, close].forEach(function (node) { dialog.appendChild(node); });
    document.body.appendChild(dialog);
    var mode = "sources";
    var searchRequest = 0;

    function choose(text) {
      dialog.close();
      insert(text);
    }

    function show(items) {
      results.textContent = "";
      items.forEach(function (item) {
        var button = element("button", { type: "button", "class": "page-editor-result" });
        if (mode === "sources") {
          button.appendChild(element("strong", {}, item.title || "Untitled"));
          button.appendChild(element("span", { "class": "page-editor-detail" },
            [item.venue, item.url, item.id].filter(Boolean).join(" · ")));
          button.addEventListener("click", function () { choose("[[cite:" + item.id + "]]"); });
        } else {
          button.appendChild(element("strong", {}, item.title));
          button.appendChild(element("span", { "class": "page-editor-detail" }, item.slug));
          button.addEventListener("click", function () { choose("[[" + item.slug + "]]"); });
        }
        var li = element("li");
        li.appendChild(button);
        results.appendChild(li);
      });
      var query = input.value.trim();
      add.hidden = !(mode === "sources" && URL_LIKE.test(query) && items.length === 0);
      status.textContent = items.length
        ? items.length + (items.length === 1 ? " match" : " matches")
        : (query ? (add.hidden ? "Nothing matches." : "No source has this URL yet.") : "");
    }

    var search = debounce(function () {
      var query = input.value.trim();
      var mine = ++searchRequest;
      if (!query) { show([]); return; }
      var url = (mode === "sources" ? data.pickSourcesUrl : data.pickPagesUrl) + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (found) { if (mine === searchRequest) { show(found.results); } })
        .catch(function () { status.textContent = "The search failed; try again."; });
    }, SEARCH_PAUSE_MS);

    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // never submit the page's form from here
        var first = results.querySelector("button");
        if (first) { first.click(); } else if (!add.hidden) { add.click(); }
      }
    });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { editor.codemirror.focus(); });

    add.addEventListener("click", function () {
      status.textContent = "Adding the source…";
      post(data.quickAddUrl, { url: input.value.trim() })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (!answer.ok) { status.textContent = answer.body.error || "The source could not be added."; return; }
          choose("[[cite:" + answer.body.id + "]]");
          TITLE_CHECKS_MS.forEach(function (ms) { setTimeout(refreshPreview, ms); });
        })
        .catch(function () { status.textContent = "The source could not be added."; });
    });

    return {
      open: function (which) {
        mode = which;
        heading.textContent = which === "sources" ? "Cite a source" : "Link a wiki page";
        label.textContent = which === "sources"
          ? "Title, URL, id or venue (paste a URL no source has to add it)"
          : "Title or slug";
        input.value = editor.codemirror.getSelection();
        show([]);
        dialog.showModal();
        input.focus();
        if (input.value) { search(); }
      }
    };
  })();
  }
})();
