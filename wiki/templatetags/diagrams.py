"""Whether the diagram library is installed: `{% mermaid_available as ok %}`.

The Mermaid build is copied into static/vendor/ by `make install` when npm is present and is
never committed, so it may be missing; the page then shows each diagram as its source. With
WhiteNoise's manifest storage `{% static %}` raises for a file that was not collected, so a
template asks this tag first and names the file only when it is there.
"""

from django import template

from core.static_files import static_file_available

register = template.Library()

MERMAID_SCRIPT = "vendor/mermaid/mermaid.min.js"


@register.simple_tag
def mermaid_available() -> bool:
    """Whether the Mermaid browser build is available through the static files."""
    return static_file_available(MERMAID_SCRIPT)
