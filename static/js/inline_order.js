/*
 * Reorder the rows of an admin inline whose model has a `position` (authors, key points,
 * venue domains, citations) by dragging a row's handle, or from the keyboard: focus the
 * handle and press the up or down arrow. The positions are renumbered in the order shown
 * and saved with the form; without JavaScript, the position boxes are typed as before.
 */
(function () {
  "use strict";

  var status = null;

  function announce(text) {
    if (!status) {
      status = document.createElement("p");
      status.className = "visually-hidden order-status";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = text;
  }

  function positionInput(row) {
    return row.querySelector("td.field-position input");
  }

  // Rows that hold a record, or that the editor has started to fill in: an untouched
  // extra row keeps its own values, or Django would take it for a new record.
  function counts(row) {
    var id = row.querySelector("input[type=hidden][name$='-id']");
    if (id && id.value) { return true; }
    return Array.prototype.some.call(
      row.querySelectorAll("input[type=text], input[type=url], textarea, select"),
      function (field) { return field !== positionInput(row) && field.value; }
    );
  }

  function orderedRows(tbody) {
    return Array.prototype.filter.call(tbody.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form") && positionInput(row);
    });
  }

  function renumber(tbody) {
    var position = 0;
    orderedRows(tbody).forEach(function (row) {
      if (counts(row)) {
        positionInput(row).value = position;
        position += 1;
      }
    });
  }

  function label(row) {
    var named = row.querySelector("td:not(.original) input[type=text], td:not(.original) input[type=url], td:not(.original) textarea");
    return named && named.value ? named.value : "this row";
  }

  function move(row, by) {
    var tbody = row.parentNode;
    var rows = orderedRows(tbody);
    var index = rows.indexOf(row);
    var target = rows[index + by];
    if (!target) { return; }
    if (by < 0) { tbody.insertBefore(row, target); } else { tbody.insertBefore(row, target.nextSibling); }
    renumber(tbody);
    var filled = orderedRows(tbody).filter(counts);
    announce("Moved " + label(row) + " to place " + (filled.indexOf(row) + 1) + " of " + filled.length + ".");
  }

  var dragged = null;

  function equip(row) {
    var input = positionInput(row);
    if (!input || row.classList.contains("empty-form") || row.querySelector(".order-handle")) { return; }
    var handle = document.createElement("button");
    handle.type = "button";
    handle.className = "order-handle";
    handle.textContent = "⇅";
    handle.setAttribute("aria-label", "Move: drag, or press the up or down arrow");
    handle.title = "Drag to reorder, or use the up and down arrows";
    input.parentNode.appendChild(handle);

    handle.addEventListener("keydown", function (event) {
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        move(row, event.key === "ArrowUp" ? -1 : 1);
        handle.focus();
      }
    });
    // Only the handle starts a drag: the row's fields stay selectable as text.
    handle.addEventListener("mousedown", function () { row.draggable = true; });
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("order-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", function () {
      row.draggable = false;
      row.classList.remove("order-dragging");
      dragged = null;
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row || dragged.parentNode !== row.parentNode) { return; }
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("drop", function (event) {
      if (!dragged) { return; }
      event.preventDefault();
      renumber(row.parentNode);
      announce("Moved " + label(dragged) + ".");
    });
  }

  function start() {
    document.querySelectorAll(".inline-group tbody tr.form-row").forEach(equip);
    // Rows added with "Add another" get a handle too.
    document.addEventListener("formset:added", function (event) {
      var row = event.target.closest ? event.target.closest("tr.form-row") : null;
      if (row) { equip(row); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
