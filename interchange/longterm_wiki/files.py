"""Reading the Longterm Wiki's files: YAML and JSON with line numbers, MDX pages with front
matter, and the values in them as typed Python values.

The importer (importer.py) and the exporter (exporter.py) share what this module knows
about the format; it writes nothing to the database. `layout_scan` finds a folder's files
and hashes their bytes, so that an import parses only those it needs. The files come from
outside, so reading them is bounded: a file over the size limit is refused before it is
read, values nested deeper than the depth limit are refused before they are built, and so
are YAML anchors and aliases, with which a few hundred bytes expand to gigabytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from yaml.composer import Composer

from sources.services import partial_date_parse

PUBLICATIONS = "publications.yaml"
RESOURCES_DIR = "resources"
SNAPSHOT = "resources-snapshot.json"
ENTITIES_DIR = "entities"
PAGES_DIR = "pages"

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n---[ \t]*(?:\n|\Z)", re.S)

FILE_NOT_REGULAR = "is not a regular file"
FILE_TOO_LARGE = "{size} bytes, over the import's limit of {limit:,} bytes ({setting})"
NESTED_TOO_DEEP = "nested more than {limit} levels deep (CREDENCE_IMPORT_MAX_DEPTH)"
YAML_ALIAS = "YAML anchors and aliases are not accepted; write the value out"

# A number written with more characters than this is kept as the text it is, for the
# converters to refuse by name: no field here needs one, and Python refuses to read an
# integer of more than 4,300 digits.
NUMBER_MAX_CHARS = 40


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


@dataclass(frozen=True)
class Limits:
    """What the readers accept: a file's size in bytes, how deep its values nest.

    A page has its own size limit: converting and rendering it costs far more per byte
    (about 80 times its size in memory) than loading a data file does.
    """

    max_bytes: int
    max_page_bytes: int
    max_depth: int


def file_bytes_read(path: Path, *, file: str, max_bytes: int, setting: str) -> bytes:
    """Return a file's bytes; refuse, before reading it, anything but a file within max_bytes.

    The read is bounded as well, for a file that grows after it was measured. OSError is
    the caller's to report.
    """
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise FormatError([Issue("format", file, None, FILE_NOT_REGULAR)])
    if status.st_size > max_bytes:
        size = f"{status.st_size:,}"
        message = FILE_TOO_LARGE.format(size=size, limit=max_bytes, setting=setting)
        raise FormatError([Issue("format", file, None, message)])
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = f"more than {max_bytes:,}"
        message = FILE_TOO_LARGE.format(size=size, limit=max_bytes, setting=setting)
        raise FormatError([Issue("format", file, None, message)])
    return data


def text_decode(data: bytes) -> str:
    """Return a file's bytes as text (UTF-8, `\\n` line endings); UnicodeDecodeError if not."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


class _Refused(yaml.MarkedYAMLError):
    """YAML that parses but is refused here (an alias, too deep), at its place in the file."""


# libyaml's parser when present (ten times faster), under PyYAML's own composer, placed
# before libyaml's so that every node passes through the checks below.
_LOADER_BASES = (Composer, yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else (yaml.SafeLoader,)


class _LineLoader(*_LOADER_BASES):
    """A safe loader that builds Records, refusing anchors, aliases and deep nesting.

    Nesting is counted before a node goes deeper, so that no input reaches the recursion
    of the composer or the constructor past the limit.
    """

    def __init__(self, text: str, *, file: str, line_offset: int, max_depth: int):
        _LOADER_BASES[-1].__init__(self, text)
        Composer.__init__(self)
        self.file, self.line_offset, self.max_depth = file, line_offset, max_depth
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _Refused(problem=YAML_ALIAS, problem_mark=event.start_mark)
        return super().compose_node(parent, index)

    def compose_sequence_node(self, anchor):
        self._descend()
        node = super().compose_sequence_node(anchor)
        self.depth -= 1
        return node

    def compose_mapping_node(self, anchor):
        self._descend()
        node = super().compose_mapping_node(anchor)
        self.depth -= 1
        return node

    def _descend(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            problem = NESTED_TOO_DEEP.format(limit=self.max_depth)
            raise _Refused(problem=problem, problem_mark=self.peek_event().start_mark)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Record:
    mapping = loader.construct_mapping(node, deep=True)
    key_lines = {
        str(key_node.value): key_node.start_mark.line + 1 + loader.line_offset
        for key_node, _value in node.value
    }
    line = node.start_mark.line + 1 + loader.line_offset
    return Record(mapping, file=loader.file, line=line, key_lines=key_lines)


def _kept_as_written(construct):
    """Wrap a scalar constructor so that a value it cannot make stays the text written.

    `2024-13-45` looks like a date and a 5,000-digit number like an integer; as text they
    reach the converters, which refuse them naming the field, rather than failing the file.
    """

    def construct_or_keep(loader: _LineLoader, node: yaml.ScalarNode):
        if len(node.value) > NUMBER_MAX_CHARS:
            return node.value
        try:
            return construct(loader, node)
        except (ValueError, AttributeError):
            return node.value

    return construct_or_keep


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _kind in ("int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _LineLoader.add_constructor(_tag, _kept_as_written(_LineLoader.yaml_constructors[_tag]))


def relative_name(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def yaml_load(text: str, *, file: str, limits: Limits, line_offset: int = 0) -> Any:
    """Parse YAML, turning every mapping into a Record; raise FormatError naming the line."""
    loader = _LineLoader(text, file=file, line_offset=line_offset, max_depth=limits.max_depth)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        if not isinstance(exc, _Refused):
            problem = f"malformed YAML: {problem}"
        raise FormatError([Issue("format", file, line, problem)]) from None
    finally:
        loader.dispose()


def _json_number(parse):
    """Return a JSON number parser that keeps a number too long to be one as its text."""

    def parse_or_keep(text: str):
        return text if len(text) > NUMBER_MAX_CHARS else parse(text)

    return parse_or_keep


_JSON_DECODER = json.JSONDecoder(parse_int=_json_number(int), parse_float=_json_number(float))
_JSON_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def _json_depth_check(text: str, *, file: str, max_depth: int) -> None:
    """Refuse JSON nested deeper than max_depth before parsing it: the parser recurses."""
    depth, in_string, escaped = 0, False, -1
    for match in _JSON_SIGNIFICANT.finditer(text):
        char, position = match.group(), match.start()
        if in_string:
            if position == escaped:
                continue
            if char == "\\":
                escaped = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, position) + 1
                message = NESTED_TOO_DEEP.format(limit=max_depth)
                raise FormatError([Issue("format", file, line, message)])
        else:
            depth -= 1


def json_records_load(text: str, *, file: str, limits: Limits) -> list[Record]:
    """Parse a JSON array of objects, remembering the line each object and key starts on."""
    _json_depth_check(text, file=file, max_depth=limits.max_depth)
    decoder = _JSON_DECODER
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


def mdx_page_parse(text: str, *, path: Path, file: str, limits: Limits) -> MdxPage:
    """Split a page's text into front matter and body, keeping line numbers."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        front_matter = Record({}, file=file, line=1, key_lines={})
        return MdxPage(path, file, front_matter, text, 1)
    loaded = yaml_load(match["yaml"], file=file, limits=limits, line_offset=1) or {}
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


# -- the layout --------------------------------------------------------------------------


@dataclass
class FoundFile:
    """A recognised file under the import's folder, read within its limit and hashed."""

    kind: str
    name: str
    path: Path
    data: bytes
    sha256: str


@dataclass
class Layout:
    """The recognised files of a folder, in the order the import reads them."""

    venues: FoundFile | None = None
    sources: list[FoundFile] = field(default_factory=list)
    entities: list[FoundFile] = field(default_factory=list)
    pages: list[FoundFile] = field(default_factory=list)

    def all(self) -> list[FoundFile]:
        return [*([self.venues] if self.venues else []), *self.sources, *self.entities, *self.pages]


def layout_scan(root: Path, limits: Limits, problems: list[Issue]) -> Layout:
    """Read and hash every recognised file under root; add those that cannot be read to
    problems, and raise FormatError if root is not a folder.

    A file over the size limit, or not a regular file, is one of them, refused before it is
    read; the other files are still read, so that one run lists every problem.
    """
    if not root.is_dir():
        raise FormatError([Issue("format", str(root), None, "is not a folder")])
    layout = Layout()

    def found(kind: str, path: Path) -> FoundFile | None:
        name = relative_name(root, path)
        if kind == "pages":
            limit, setting = limits.max_page_bytes, "CREDENCE_IMPORT_MAX_PAGE_BYTES"
        else:
            limit, setting = limits.max_bytes, "CREDENCE_IMPORT_MAX_FILE_BYTES"
        try:
            data = file_bytes_read(path, file=name, max_bytes=limit, setting=setting)
        except FormatError as exc:
            problems.extend(exc.issues)
            return None
        except OSError as exc:
            problems.append(Issue("format", name, None, f"cannot be read: {exc}"))
            return None
        return FoundFile(kind, name, path, data, hashlib.sha256(data).hexdigest())

    if (root / PUBLICATIONS).is_file():
        layout.venues = found("venues", root / PUBLICATIONS)
    # The snapshot first: it is the newer export and carries the stable ids.
    source_paths = [root / SNAPSHOT] if (root / SNAPSHOT).is_file() else []
    source_paths += sorted((root / RESOURCES_DIR).glob("*.yaml"))
    layout.sources = [f for path in source_paths if (f := found("sources", path))]
    entity_paths = sorted((root / ENTITIES_DIR).glob("*.yaml"))
    layout.entities = [f for path in entity_paths if (f := found("entities", path))]
    page_paths = sorted((root / PAGES_DIR).glob("**/*.mdx"))
    layout.pages = [f for path in page_paths if (f := found("pages", path))]
    return layout


def records_parse(found: FoundFile, loader, limits: Limits, problems: list[Issue]) -> list[Record]:
    """Parse a file holding a list of records; add what is wrong with it to problems."""
    try:
        data = loader(text_decode(found.data), file=found.name, limits=limits)
    except FormatError as exc:
        problems.extend(exc.issues)
        return []
    except UnicodeDecodeError as exc:
        problems.append(Issue("format", found.name, None, f"cannot be read: {exc}"))
        return []
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(r, Record) for r in data):
        problems.append(Issue("format", found.name, 1, "expected a list of records (mappings)"))
        return []
    return data


def page_parse(found: FoundFile, limits: Limits, problems: list[Issue]) -> MdxPage | None:
    """Parse a page file; add what is wrong with it to problems."""
    try:
        return mdx_page_parse(
            text_decode(found.data), path=found.path, file=found.name, limits=limits
        )
    except FormatError as exc:
        problems.extend(exc.issues)
    except UnicodeDecodeError as exc:
        problems.append(Issue("format", found.name, None, f"cannot be read: {exc}"))
    return None


# -- values --------------------------------------------------------------------------------
# Every value the importer takes from a file goes through one of these converters, which
# raise ValidationError saying what was expected; RecordReader adds the file, line and key.

VALUE_NOT_TEXT = _("expected text, got %(got)s")
VALUE_NUL = _("text cannot hold a NUL character")
VALUE_TOO_LONG = _("%(length)s characters, over the limit of %(limit)s")
VALUE_NOT_LIST = _("expected a list of texts, got %(got)s")
VALUE_ITEM = _("item %(position)s: %(problem)s")
VALUE_NOT_NUMBER = _("expected a number, got %(got)s")
VALUE_NOT_WHOLE_NUMBER = _("expected a whole number, got %(got)s")
VALUE_NOT_BOOLEAN = _("expected true or false, got %(got)s")
VALUE_NOT_DATE = _("expected a date (2024, 2024-03 or 2024-03-15), got %(got)s")
VALUE_NOT_URL = _("expected a URL, got %(got)s")
VALUE_NOT_MAPPING = _("expected a mapping of keys, got %(got)s")

_SHOWN_CHARS = 40


def value_described(value: Any) -> str:
    """Describe a value for a message: its kind, or the start of its text and its length."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if not isinstance(value, str | int | float | Decimal | date):
        return f"a {type(value).__name__}"
    if isinstance(value, int) and value.bit_length() > 128:
        return f"a number of {value.bit_length():,} bits"
    if not isinstance(value, str):
        return str(value)  # a number or a date: short, since longer ones stay text when read
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}... ({len(value):,} characters)"


def _invalid(message, value: Any, code: str) -> ValidationError:
    return ValidationError(message, code=code, params={"got": value_described(value)})


def as_text(value: Any, *, max_length: int | None = None) -> str:
    """Return text: a string, or a number or date written bare; nothing is empty text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | date):
        raise _invalid(VALUE_NOT_TEXT, value, "not_text")
    text = str(value).strip()
    if "\0" in text:
        raise ValidationError(VALUE_NUL, code="nul")
    if max_length is not None and len(text) > max_length:
        params = {"length": f"{len(text):,}", "limit": f"{max_length:,}"}
        raise ValidationError(VALUE_TOO_LONG, code="too_long", params=params)
    return text


def as_texts(value: Any, *, max_length: int | None = None) -> list[str]:
    """Return a list of texts without the empty ones; one text alone is a list of one."""
    if value is None:
        return []
    if not isinstance(value, list):
        if isinstance(value, bool | dict):
            raise _invalid(VALUE_NOT_LIST, value, "not_list")
        value = [value]
    texts = []
    for position, item in enumerate(value, start=1):
        try:
            text = as_text(item, max_length=max_length)
        except ValidationError as exc:
            params = {"position": position, "problem": exc.messages[0]}
            raise ValidationError(VALUE_ITEM, code=exc.code, params=params) from None
        if text:
            texts.append(text)
    return texts


def _number(value: Any, message, code: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _invalid(message, value, code)
    if isinstance(value, int) and value.bit_length() > 128:
        raise _invalid(message, value, code)
    text = value.strip() if isinstance(value, str) else str(value)
    try:
        number = Decimal(text) if len(text) <= NUMBER_MAX_CHARS else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _invalid(message, value, code)
    return number


def as_decimal(value: Any) -> Decimal | None:
    """Return a finite number as a Decimal (`64.5` stays 64.5), or None for nothing."""
    if value is None or value == "":
        return None
    return _number(value, VALUE_NOT_NUMBER, "not_number")


def as_whole_number(value: Any) -> int | None:
    """Return a whole number (`4`, `4.0`, `"4"`), or None for nothing."""
    if value is None or value == "":
        return None
    number = _number(value, VALUE_NOT_WHOLE_NUMBER, "not_whole_number")
    if number != number.to_integral_value() or number.adjusted() > NUMBER_MAX_CHARS:
        raise _invalid(VALUE_NOT_WHOLE_NUMBER, value, "not_whole_number")
    return int(number)


def as_boolean(value: Any, *, default: bool = False) -> bool:
    """Return true or false as written (YAML's true/false, yes/no), or the default."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _invalid(VALUE_NOT_BOOLEAN, value, "not_boolean")
    return value


def as_partial_date(value: Any) -> str | date | None:
    """Return a date, or a checked partial date's text (`2024`, `2024-03`); None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _invalid(VALUE_NOT_DATE, value, "not_date")
    text = str(value).strip()
    try:
        partial_date_parse(text)
    except ValidationError:
        raise _invalid(VALUE_NOT_DATE, value, "not_date") from None
    return text


def as_date(value: Any) -> date | None:
    """Return a date; a year or a month stands for its first day."""
    parsed, _precision = partial_date_parse(as_partial_date(value))
    return parsed


def as_url(value: Any, *, max_length: int | None = None) -> str:
    """Return a URL's text, refusing one that cannot even be split into its parts.

    Whether it is a URL the site accepts (scheme, host) is the model's to say.
    """
    if value is not None and not isinstance(value, str):
        raise _invalid(VALUE_NOT_URL, value, "not_url")
    text = as_text(value, max_length=max_length)
    if text:
        try:
            _ = urlsplit(text).port  # raises for `http://[::1` or a port over 65535
        except ValueError:
            raise _invalid(VALUE_NOT_URL, value, "not_url") from None
    return text


def as_mapping(value: Any) -> dict:
    """Return a mapping of keys (a Record when read from YAML); nothing is an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(VALUE_NOT_MAPPING, value, "not_mapping")
    return value


class RecordReader:
    """Read a record's values through the converters; each refused value becomes an Issue.

    A refused value reads as None, so that the caller can go on to find every bad field of
    the record, then skip the record if `issues` is not empty.
    """

    def __init__(self, record: Record, *, prefix: str = ""):
        self.record = record
        self.prefix = prefix
        self.issues: list[Issue] = []

    def read(self, key: str, convert, **options) -> Any:
        """Return the value at key through `convert(value, **options)`; None if refused."""
        try:
            return convert(self.record.get(key), **options)
        except ValidationError as exc:
            line = self.record.line_of(key)
            message = f"{self.prefix}{key}: {exc.messages[0]}"
            self.issues.append(Issue("invalid", self.record.file, line, message))
            return None
