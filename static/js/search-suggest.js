// Suggestions while typing, in two places, with one WAI-ARIA 1.2 combobox (a listbox popup:
// the input keeps focus, aria-activedescendant names the active option, a polite status
// says how many suggestions there are):
// - the header's search box (form[data-suggest-url]): up to 8 titles of every kind; an
//   option opens its record;
// - a list's typed filter (input[data-options-url], core.widgets.NamedChoiceWidget, when a
//   list has too many venues or tags to offer them all): names; an option fills the box,
//   and the form sends the record's slug (a hidden field takes the box's name; a name typed
//   and not chosen is sent as typed, and the server finds it by name).
//
// Keys: Down and Up move through the options (wrapping), Enter takes the active option (with
// none active, the form submits as it always did), Escape closes the list (a second Escape
// clears the box), Tab closes it. Without JavaScript, or if this fails, the box is the plain
// form field it is in the HTML. Loaded with `defer`; no inline script or handler (CSP).
(function () {
  "use strict";

  const DEBOUNCE_MS = 150;
  const MIN_LENGTH = 2;

  if (!window.fetch || !window.AbortController || !window.Map) {
    return;
  }

  // `use`: the endpoint, the element the list is put in, `read(data)` (the answer's items),
  // `render(item, element)` (an option's content, as text) and `take(item)`.
  function enhance(input, use) {
    const endpoint = use.endpoint;
    if (!input || !input.id || !endpoint) {
      return;
    }

    const answers = new Map(); // query as typed -> suggestions
    let timer = 0;
    let controller = null;
    let wanted = ""; // the query whose suggestions the list is to show
    let shown = ""; // the query whose suggestions the list holds
    let options = [];
    let active = -1;

    const list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;

    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    // The browser's own list of past entries would cover ours.
    input.setAttribute("autocomplete", "off");
    use.container.classList.add("has-suggestions");
    use.container.append(list, status);

    function isOpen() {
      return !list.hidden;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      const previous = list.children[active];
      if (previous) {
        previous.setAttribute("aria-selected", "false");
      }
      active = index;
      const option = list.children[index];
      if (!option) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
        return;
      }
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function move(step) {
      if (!options.length) {
        return;
      }
      if (!isOpen()) {
        open();
      }
      let next = active === -1 ? (step > 0 ? 0 : options.length - 1) : active + step;
      if (next >= options.length) {
        next = 0;
      } else if (next < 0) {
        next = options.length - 1;
      }
      setActive(next);
    }

    function announce(count) {
      status.textContent =
        count === 0 ? "No suggestions" : count === 1 ? "1 suggestion" : count + " suggestions";
    }

    function optionFor(suggestion, index) {
      const item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.className = "suggestion";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      use.render(suggestion, item);
      return item;
    }

    function show(query, suggestions) {
      shown = query;
      options = suggestions;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.replaceChildren.apply(list, options.map(optionFor));
      announce(options.length);
      if (options.length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    }

    function go(index) {
      const suggestion = options[index];
      if (suggestion) {
        close();
        use.take(suggestion);
      }
    }

    function abort() {
      if (controller) {
        controller.abort();
        controller = null;
      }
    }

    function request(query) {
      abort();
      const own = new AbortController();
      controller = own;
      const url = new URL(endpoint, window.location.href);
      url.searchParams.set("q", query);
      fetch(url, { signal: own.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("suggestions: HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          const suggestions = use.read(data);
          answers.set(query, suggestions);
          // An answer to anything but the latest query is out of date: keep it, show nothing.
          if (query === wanted) {
            show(query, suggestions);
          }
        })
        .catch(function (error) {
          if (error.name !== "AbortError" && query === wanted) {
            close(); // the plain form still works
          }
        })
        .finally(function () {
          if (controller === own) {
            controller = null;
          }
        });
    }

    function update() {
      window.clearTimeout(timer);
      timer = 0;
      const query = input.value;
      wanted = query;
      if (query.trim().length < MIN_LENGTH) {
        abort();
        shown = "";
        options = [];
        list.replaceChildren();
        close();
        return;
      }
      if (answers.has(query)) {
        abort();
        show(query, answers.get(query));
        return;
      }
      timer = window.setTimeout(function () {
        timer = 0;
        request(query);
      }, DEBOUNCE_MS);
    }

    input.addEventListener("input", function () {
      if (use.typed) {
        use.typed(input.value);
      }
      update();
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          event.preventDefault();
          if (options.length && shown === input.value) {
            move(event.key === "ArrowDown" ? 1 : -1);
          } else if (!timer && !controller) {
            update(); // ask for what the box holds now; the list opens with the answer
          }
          break;
        case "Enter":
          if (isOpen() && active !== -1) {
            event.preventDefault();
            go(active);
          } else {
            close(); // the form submits: the search page, an exact title (go=1), a filter
          }
          break;
        case "Escape":
          event.preventDefault();
          if (isOpen()) {
            close();
          } else if (input.value) {
            input.value = "";
            if (use.typed) {
              use.typed("");
            }
            update();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", close);

    // Keep focus in the box while an option is pressed, so that the click lands.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      const option = event.target.closest("[role=option]");
      if (option) {
        go(Array.prototype.indexOf.call(list.children, option));
      }
    });

    if (input.form) {
      input.form.addEventListener("submit", close);
    }
    // Coming back with the Back button, the page may be restored as it was left.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        close();
      }
    });
  }

  function text(element, className, content) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = content; // text, never markup
    element.append(span);
  }

  // Only a link of this site is followed, whatever the answer says.
  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  // The header's box: titles of every kind; an option opens its record.
  document.querySelectorAll("form[data-suggest-url]").forEach(function (form) {
    enhance(form.querySelector("input[name=q]"), {
      endpoint: form.dataset.suggestUrl,
      container: form,
      read: function (data) {
        const suggestions = Array.isArray(data.suggestions) ? data.suggestions : [];
        return suggestions.filter(function (suggestion) {
          return suggestion && typeof suggestion.title === "string" && sameOrigin(suggestion.url);
        });
      },
      render: function (suggestion, item) {
        text(item, "suggestion-title", suggestion.title);
        text(item, "visually-hidden", ", ");
        text(item, "suggestion-kind suggestion-kind-" + suggestion.kind, suggestion.kind_label);
      },
      take: function (suggestion) {
        window.location.assign(suggestion.url);
      },
    });
  });

  // A list's typed filter: the box shows a name, a hidden field sends the record's slug.
  document.querySelectorAll("input[data-options-url][name]").forEach(function (input) {
    const sent = document.createElement("input");
    sent.type = "hidden";
    sent.name = input.name;
    sent.value = input.dataset.value || input.value;
    input.removeAttribute("name");
    input.after(sent);
    enhance(input, {
      endpoint: input.dataset.optionsUrl,
      container: input.parentElement,
      read: function (data) {
        const options = Array.isArray(data.options) ? data.options : [];
        return options.filter(function (option) {
          return option && typeof option.label === "string" && typeof option.value === "string";
        });
      },
      render: function (option, item) {
        text(item, "suggestion-title", option.label);
      },
      take: function (option) {
        input.value = option.label;
        sent.value = option.value;
      },
      typed: function (value) {
        sent.value = value; // a name typed and not chosen: the server finds it by name
      },
    });
  });
})();
