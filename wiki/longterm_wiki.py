"""Reading the Longterm Wiki's files: YAML and JSON with line numbers, MDX pages with front matter.

The importer (wiki/importer.py) and the exporter (wiki/exporter.py) share what this module
knows about the format; it writes nothing to the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PUBLICATIONS = "publications.yaml"
RESOURCES_DIR = "resources"
SNAPSHOT = "resources-snapshot.json"
ENTITIES_DIR = "entities"
PAGES_DIR = "pages"

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)", re.S)


@dataclass(frozen=True)
class Issue:
    """Something about the files worth telling: where it is and what it is."""

    kind: str
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class FormatError(Exception):
    """The files cannot be read; carries every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


class Record(dict):
    """A mapping read from a file, remembering its file and the line of each key."""

    def __init__(self, data: dict, *, file: str, line: int, key_lines: dict[str, int]):
        super().__init__(data)
        self.file = file
        self.line = line
        self.key_lines = key_lines

    def line_of(self, key: str) -> int:
        """Return the line of a key, or of the record when the key is absent."""
        return self.key_lines.get(key, self.line)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader (libyaml's when present: ten times faster) whose mappings remember lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = loader.construct_mapping(node, deep=True)
    key_lines = {
        str(key_node.value): key_node.start_mark.line + 1 for key_node, _value in node.value
    }
    return _Located(mapping, node.start_mark.line + 1, key_lines)


class _Located(dict):
    def __init__(self, data, line, key_lines):
        super().__init__(data)
        self.line = line
        self.key_lines = key_lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def relative_name(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def yaml_load(text: str, *, file: str, line_offset: int = 0) -> Any:
    """Parse YAML, turning every mapping into a Record; raise FormatError naming the line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormatError([Issue("format", file, line, f"malformed YAML: {problem}")]) from None
    return _records(data, file=file, line_offset=line_offset)


def _records(value: Any, *, file: str, line_offset: int) -> Any:
    if isinstance(value, _Located):
        return Record(
            {k: _records(v, file=file, line_offset=line_offset) for k, v in value.items()},
            file=file,
            line=value.line + line_offset,
            key_lines={k: n + line_offset for k, n in value.key_lines.items()},
        )
    if isinstance(value, list):
        return [_records(item, file=file, line_offset=line_offset) for item in value]
    return value


def json_records_load(text: str, *, file: str) -> list[Record]:
    """Parse a JSON array of objects, remembering the line each object and key starts on."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        raise FormatError([Issue("format", file, 1, "malformed JSON: expected a list of objects")])
    position = _skip_space(text, position + 1)
    records = []
    lines = _LineCounter(text)
    while not text.startswith("]", position):
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise FormatError(
                [Issue("format", file, exc.lineno, f"malformed JSON: {exc.msg}")]
            ) from None
        line = lines.at(position)
        if not isinstance(value, dict):
            raise FormatError([Issue("format", file, line, "malformed JSON: expected an object")])
        span = text[position:end]
        key_lines = {
            key: line + span.count("\n", 0, max(span.find(json.dumps(key)), 0)) for key in value
        }
        records.append(Record(value, file=file, line=line, key_lines=key_lines))
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("]", position):
            line = text.count("\n", 0, position) + 1
            raise FormatError([Issue("format", file, line, "malformed JSON: expected , or ]")])
    return records


class _LineCounter:
    """Line numbers of increasing offsets in one text, counting each newline once."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


@dataclass
class MdxPage:
    """One page file: its front matter as a Record and its MDX body."""

    path: Path
    file: str
    front_matter: Record
    body: str
    body_line: int
    slug: str = ""
    notes: list[Issue] = field(default_factory=list)


def mdx_page_read(path: Path, *, file: str) -> MdxPage:
    """Split a page file into front matter and body, keeping line numbers."""
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        front_matter = Record({}, file=file, line=1, key_lines={})
        return MdxPage(path, file, front_matter, text, 1)
    loaded = yaml_load(match["yaml"], file=file, line_offset=1) or {}
    if not isinstance(loaded, Record):
        raise FormatError([Issue("format", file, 2, "front matter is not a mapping of keys")])
    body_line = text.count("\n", 0, match.end()) + 1
    return MdxPage(path, file, loaded, text[match.end() :], body_line)


def page_slugs_assign(pages: list[MdxPage]) -> list[Issue]:
    """Give each page its slug: its file name, with a rule for names that repeat.

    A file name used once is the slug (`pages/risks/ai-proliferation.mdx` ->
    `ai-proliferation`). Where several files share a name, each takes its folder path
    joined by `-` as a prefix, and an `index.mdx` takes its folder path alone
    (`pages/risks/index.mdx` -> `risks`); the file at the top of pages/ keeps the bare name.
    If that still collides, `-2`, `-3`... follow in path order. Every renamed page is
    reported.
    """
    by_stem: dict[str, list[MdxPage]] = {}
    for page in sorted(pages, key=lambda p: p.file):
        by_stem.setdefault(page.path.stem, []).append(page)
    issues = []
    taken: set[str] = {stem for stem, group in by_stem.items() if len(group) == 1}
    for stem, group in by_stem.items():
        if len(group) == 1:
            group[0].slug = stem
            continue
        for page in group:
            folders = _folder_parts(page)
            if not folders:
                candidate = stem
            elif stem == "index":
                candidate = "-".join(folders)
            else:
                candidate = "-".join([*folders, stem])
            slug, suffix = candidate, 2
            while slug in taken:
                slug, suffix = f"{candidate}-{suffix}", suffix + 1
            taken.add(slug)
            page.slug = slug
            issues.append(
                Issue(
                    "slug",
                    page.file,
                    None,
                    f"file name {stem!r} is used by {len(group)} pages; this one is {slug!r}",
                )
            )
    return issues


def _folder_parts(page: MdxPage) -> list[str]:
    parts = Path(page.file).parts
    # page.file is relative to the import root: pages/<folders...>/<name>.mdx
    inner = parts[1:-1] if parts and parts[0] == PAGES_DIR else parts[:-1]
    return [part.lower() for part in inner]
