"""Read a rendered form back into POST data, as a browser would submit it unchanged."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.inside = self.inside or a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(a.get("value", default))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option = a
            value = a.get("value")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.data.setdefault(self._select, []).append(value or "")
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.data.setdefault(self._select, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            self.data.setdefault(self._textarea, []).append("".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self.form_id is not None and self.inside:
            self.inside = False


def form_data(html: str | bytes, form_id: str | None = None) -> dict:
    """Return a form's fields as POST data (lists for repeated names)."""
    reader = _FormReader(form_id)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
