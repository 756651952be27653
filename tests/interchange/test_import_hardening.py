"""The import against hostile files: alias bombs, huge files, deep nesting, bad values.

Each bad input ends in ImportFailed listing `file:line: field: message` (or `file:line:
message` for a whole file), never in a traceback, and writes nothing.
"""

import json
from pathlib import Path

import pytest
from django.test import override_settings

from interchange.longterm_wiki.importer import ImportFailed, longterm_wiki_import
from sources.models import Source, Venue
from tests.interchange.kb_builder import write_kb
from wiki.models import WikiPage

pytestmark = pytest.mark.django_db


def failure(root: Path) -> list[str]:
    """Import root, expecting bad input; return the problems as printed."""
    with pytest.raises(ImportFailed) as excinfo:
        longterm_wiki_import(root)
    assert not Venue.objects.exists()
    assert not Source.objects.exists()
    assert not WikiPage.objects.exists()
    return [str(issue) for issue in excinfo.value.issues]


def mentions(problems: list[str], expected: str) -> bool:
    return any(expected in problem for problem in problems)


# -- YAML aliases ------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_at_its_first_anchor(tmp_path):
    # Six levels (half a million strings) keep this test cheap should the refusal go; nine
    # levels, 636 bytes, took an import past 30 s and 1.2 GB.
    levels = ['  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for name, previous in zip("bcdef", "abcde", strict=True):
        levels.append(f"  {name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "- id: bomb\n  name: Bomb\n  type: news\n  description:\n" + "\n".join(
        "  " + level for level in levels
    )
    problems = failure(write_kb(tmp_path, **{"publications.yaml": bomb + "\n"}))

    assert mentions(problems, "publications.yaml:5: YAML anchors and aliases are not accepted")


def test_a_single_alias_is_refused_with_its_line(tmp_path):
    venues = (
        "- id: think\n  name: &name Think\n  type: think_tank\n"
        "- id: other\n  name: *name\n  type: news\n"
    )
    problems = failure(write_kb(tmp_path, **{"publications.yaml": venues}))

    assert mentions(problems, "publications.yaml:2: YAML anchors and aliases are not accepted")


def test_an_alias_in_front_matter_is_refused_with_its_line(tmp_path):
    page = "---\ntitle: &t Alpha\ndescription: *t\n---\nBody.\n"
    problems = failure(write_kb(tmp_path, **{"pages/alpha-page.mdx": page}))

    assert mentions(problems, "pages/alpha-page.mdx:2: YAML anchors and aliases are not accepted")


# -- file size ---------------------------------------------------------------------------


@override_settings(CREDENCE_IMPORT_MAX_FILE_BYTES=2000, CREDENCE_IMPORT_MAX_PAGE_BYTES=1000)
def test_files_over_the_size_limits_are_reported_unread_and_the_rest_still_checked(
    tmp_path, monkeypatch
):
    big_page = "---\ntitle: Big\n---\n" + "word " * 400
    big_list = '- id: "1111111111111111"\n  url: https://x.example/\n  summary: ' + "w" * 3000
    kb = write_kb(
        tmp_path,
        **{
            "pages/big.mdx": big_page,
            "resources/big.yaml": big_list + "\n",
            "publications.yaml": "- id: think\n  name: [unclosed\n",
        },
    )
    opened = []
    real_open = Path.open

    def spy(self, *args, **kwargs):
        opened.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)

    problems = failure(kb)

    page_size, list_size = len(big_page.encode()), len(big_list.encode()) + 1
    assert mentions(
        problems,
        f"pages/big.mdx: {page_size:,} bytes, over the import's limit of 1,000 bytes "
        "(CREDENCE_IMPORT_MAX_PAGE_BYTES)",
    ), problems
    assert mentions(
        problems,
        f"resources/big.yaml: {list_size:,} bytes, over the import's limit of 2,000 bytes "
        "(CREDENCE_IMPORT_MAX_FILE_BYTES)",
    ), problems
    assert mentions(problems, "publications.yaml:3: malformed YAML")
    assert "big.mdx" not in opened and "big.yaml" not in opened
    assert {"a.yaml", "beta.mdx"} <= set(opened)


def test_a_page_that_is_not_a_regular_file_is_not_read(tmp_path):
    # A device says nothing true about its size (/dev/zero never ends): only files are read.
    kb = write_kb(tmp_path)
    (kb / "pages" / "alpha-page.mdx").unlink()
    (kb / "pages" / "alpha-page.mdx").symlink_to("/dev/null")

    problems = failure(kb)

    assert mentions(problems, "pages/alpha-page.mdx: is not a regular file"), problems


# -- nesting depth -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "resources-snapshot.json",
            '[{"id": "1111111111111111", "url": "https://x.example/", "tags": '
            + "[" * 200_000
            + "]" * 200_000
            + "}]",
            "resources-snapshot.json:1: nested more than 20 levels deep",
        ),
        (
            "resources-snapshot.json",
            "[\n" + "[" * 500 + "]" * 500 + "\n]",
            "resources-snapshot.json:2: nested more than 20 levels deep",
        ),
        (
            "resources/a.yaml",
            '- id: "1111111111111111"\n  url: https://x.example/\n  tags: '
            + "[" * 900
            + "]" * 900
            + "\n",
            "resources/a.yaml:3: nested more than 20 levels deep",
        ),
        (
            "entities/e.yaml",
            "- id: deep\n  title: " + "[" * 30 + "]" * 30 + "\n",
            "entities/e.yaml:2: nested more than 20 levels deep",
        ),
        (
            "pages/alpha-page.mdx",
            "---\ntitle: Alpha\nratings: " + "{a: " * 600 + "1" + "}" * 600 + "\n---\nBody.\n",
            "pages/alpha-page.mdx:3: nested more than 20 levels deep",
        ),
    ],
    ids=["json-200000", "json-500", "yaml-900", "yaml-30", "front-matter-600"],
)
@override_settings(CREDENCE_IMPORT_MAX_DEPTH=20)
def test_nesting_deeper_than_the_limit_is_refused(tmp_path, name, text, expected):
    problems = failure(write_kb(tmp_path, **{name: text}))

    assert mentions(problems, expected), problems


# -- bad values --------------------------------------------------------------------------

HUGE = "9" * 5000
HUGE_SHOWN = "'" + "9" * 40 + "'... (5,000 characters)"

VENUE = {
    "id": "think",
    "name": "Think",
    "type": "think_tank",
    "credibility": "4",
    "peer_reviewed": "false",
    "description": "A think tank.",
    "credibility_rationale": "Named authors.",
    "credibility_reviewed": "2024-03-02",
    "website": "https://think.example.org/",
    "domains": "[think.example.org]",
}
SOURCE = {
    "id": '"1111111111111111"',
    "url": "https://think.example.org/report",
    "title": "A report",
    "type": "report",
    "authors": "[Ada Author]",
    "published_date": "2024-03",
    "abstract": "An abstract.",
    "summary": "A summary.",
    "review": "A review.",
    "key_points": "[A point.]",
    "tags": "[compute]",
    "publication_id": "think",
    "credibility_override": "2",
    "cited_by": "[alpha]",
}
PAGE = {
    "title": "Alpha",
    "description": "The alpha page.",
    "llmSummary": "A summary.",
    "quality": "57",
    "readerImportance": "72",
    "researchImportance": "64.5",
    "lastEdited": '"2026-03-02"',
    "ratings": "{focus: 7, rigor: 6.5}",
    "clusters": "[governance]",
    "numericId": "E1",
    "pageType": "stub",
    "status": "draft",
    "type": "policy",
}
ENTITY = {"id": "alpha", "numericId": "E1", "type": "policy", "title": "Alpha Policy"}

# (value as written in YAML, the message it gets)
TEXT = [
    ("[a, b]", "expected text, got a list"),
    ("{a: 1}", "expected text, got a mapping"),
    ("true", "expected text, got true"),
    ('"a\\0b"', "text cannot hold a NUL character"),
]
WHOLE = [
    (HUGE, f"expected a whole number, got {HUGE_SHOWN}"),
    ("-" + HUGE, "expected a whole number, got '-" + "9" * 39 + "'... (5,001 characters)"),
    ("4.5", "expected a whole number, got 4.5"),
    ("'four'", "expected a whole number, got 'four'"),
    (".inf", "expected a whole number, got inf"),
    (".nan", "expected a whole number, got nan"),
    ("1e400", "expected a whole number, got '1e400'"),
    ("[4]", "expected a whole number, got a list"),
    ("{a: 4}", "expected a whole number, got a mapping"),
    ("true", "expected a whole number, got true"),
]
DECIMAL = [
    (HUGE, f"expected a number, got {HUGE_SHOWN}"),
    (HUGE + ".5", "expected a number, got '" + "9" * 40 + "'... (5,002 characters)"),
    ("'many'", "expected a number, got 'many'"),
    (".inf", "expected a number, got inf"),
    ("-.inf", "expected a number, got -inf"),
    (".nan", "expected a number, got nan"),
    ("[4]", "expected a number, got a list"),
    ("{a: 4}", "expected a number, got a mapping"),
    ("false", "expected a number, got false"),
]
DATE = [
    (value, f"expected a date (2024, 2024-03 or 2024-03-15), got {shown}")
    for value, shown in [
        ("2024-13-45", "'2024-13-45'"),
        ("2024-02-30", "'2024-02-30'"),
        ("'yesterday'", "'yesterday'"),
        (HUGE, HUGE_SHOWN),
        ("[2024]", "a list"),
        ("{a: 1}", "a mapping"),
        ("true", "true"),
    ]
]
URL = [
    ("'http://[::1'", "expected a URL, got 'http://[::1'"),
    ("http://[::1]:99999/", "expected a URL, got 'http://[::1]:99999/'"),
    ("[a]", "expected a URL, got a list"),
    ("{a: 1}", "expected a URL, got a mapping"),
    ("true", "expected a URL, got true"),
]
TEXTS = [
    ("{a: 1}", "expected a list of texts, got a mapping"),
    ("true", "expected a list of texts, got true"),
    ("[[a]]", "item 1: expected text, got a list"),
    ("[ok, {a: 1}]", "item 2: expected text, got a mapping"),
    ("[true]", "item 1: expected text, got true"),
    ('["a\\0b"]', "item 1: text cannot hold a NUL character"),
]
BOOLEAN = [
    ("'yes please'", "expected true or false, got 'yes please'"),
    ("[true]", "expected true or false, got a list"),
    ("{a: 1}", "expected true or false, got a mapping"),
    ("3", "expected true or false, got 3"),
]
MAPPING = [
    ("[7]", "expected a mapping of keys, got a list"),
    ("7", "expected a mapping of keys, got 7"),
    ("'seven'", "expected a mapping of keys, got 'seven'"),
    ("true", "expected a mapping of keys, got true"),
]


def too_long(limit: int) -> tuple[str, str]:
    return (f"[{'x' * (limit + 1)}]", f"item 1: {limit + 1} characters, over the limit of {limit}")


FIELD_VALUES = {
    "venue": {
        "id": TEXT,
        "name": TEXT + [("null", "required field missing (venue 'think')")],
        "type": TEXT + [("null", "required field missing (venue 'think')")],
        "credibility": WHOLE,
        "peer_reviewed": BOOLEAN,
        "description": TEXT,
        "credibility_rationale": TEXT,
        "credibility_reviewed": DATE,
        "website": URL,
        "domains": TEXTS,
    },
    "source": {
        "id": TEXT,
        "url": URL + [("null", "required field missing")],
        "title": TEXT,
        "type": TEXT,
        "authors": TEXTS + [too_long(300)],
        "published_date": DATE,
        "abstract": TEXT,
        "summary": TEXT,
        "review": TEXT,
        "key_points": TEXTS,
        "tags": TEXTS + [too_long(100)],
        "publication_id": TEXT,
        "credibility_override": WHOLE,
        "cited_by": TEXTS,
    },
    "page": {
        "title": TEXT,
        "description": TEXT,
        "llmSummary": TEXT,
        "quality": WHOLE,
        "readerImportance": DECIMAL,
        "researchImportance": DECIMAL,
        "lastEdited": DATE,
        "ratings": MAPPING,
        "ratings.focus": DECIMAL,
        "clusters": TEXTS + [too_long(100)],
        "numericId": TEXT,
        "pageType": TEXT,
        "status": TEXT,
        "type": TEXT,
    },
    "entity": {
        "id": TEXT,
        "numericId": TEXT,
        "type": TEXT,
        "title": TEXT + [("x" * 301, "Ensure this value has at most 300 characters (it has 301).")],
    },
}


def _yaml_record(fields: dict, key: str, value: str, *, first: str, indent: str) -> list[str]:
    lines = []
    for name, text in fields.items():
        if name == "ratings" and key.startswith("ratings."):
            text = "{" + f"{key.split('.')[1]}: {value}" + "}"
        elif name == key:
            text = value
        prefix = first if not lines else indent
        lines.append(f"{prefix}{name}: {text}")
    return lines


def bad_kb(tmp_path: Path, kind: str, key: str, value: str) -> tuple[Path, str, int]:
    """Write a folder whose one record has `value` (YAML) at `key`; return it, file and line."""
    root = tmp_path / "kb"
    if kind == "venue":
        name, lines = "publications.yaml", _yaml_record(VENUE, key, value, first="- ", indent="  ")
    elif kind == "source":
        name = "resources/a.yaml"
        lines = _yaml_record(SOURCE, key, value, first="- ", indent="  ")
    elif kind == "entity":
        name = "entities/e.yaml"
        lines = _yaml_record(ENTITY, key, value, first="- ", indent="  ")
        (root / "pages").mkdir(parents=True)
        (root / "pages" / "alpha.mdx").write_text("---\ntitle: Alpha\n---\nBody.\n")
    else:
        name = "pages/alpha.mdx"
        lines = ["---", *_yaml_record(PAGE, key, value, first="", indent=""), "---", "Body."]
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    field = key.split(".")[0]
    line = next(
        n for n, text in enumerate(lines, start=1) if text.lstrip("- ").startswith(f"{field}:")
    )
    return root, name, line


def _short(value: str) -> str:
    return value if len(value) < 20 else f"{value[:12]}..({len(value)})"


BAD_VALUES = [
    pytest.param(kind, key, value, message, id=f"{kind}-{key}-{_short(value)}")
    for kind, fields in FIELD_VALUES.items()
    for key, cases in fields.items()
    for value, message in cases
]


@pytest.mark.parametrize("kind, key, value, message", BAD_VALUES)
def test_a_bad_value_is_reported_with_file_line_and_field(tmp_path, kind, key, value, message):
    root, name, line = bad_kb(tmp_path, kind, key, value)

    problems = failure(root)

    assert mentions(problems, f"{name}:{line}: {key}: {message}"), problems


JSON_VALUES = {
    "id": [
        ("null", "required field missing"),
        ("[]", "expected text, got a list"),
        ("{}", "expected text, got a mapping"),
        ("true", "expected text, got true"),
        ("7" * 5000, "Ensure this value has at most 64 characters (it has 5000)."),
    ],
    "url": [
        ("null", "required field missing"),
        ('"http://[::1"', "expected a URL, got 'http://[::1'"),
        ("[]", "expected a URL, got a list"),
        ("{}", "expected a URL, got a mapping"),
        ("true", "expected a URL, got true"),
    ],
    "title": [
        ("[]", "expected text, got a list"),
        ("{}", "expected text, got a mapping"),
        ("false", "expected text, got false"),
        (json.dumps("a\0b"), "text cannot hold a NUL character"),
    ],
    "credibility_override": [
        ("7" * 5000, "expected a whole number, got '" + "7" * 40 + "'... (5,000 characters)"),
        ("1e400", "expected a whole number, got inf"),
        ("NaN", "expected a whole number, got nan"),
        ("Infinity", "expected a whole number, got inf"),
        ('"2.5"', "expected a whole number, got '2.5'"),
        ("[2]", "expected a whole number, got a list"),
        ("{}", "expected a whole number, got a mapping"),
        ("true", "expected a whole number, got true"),
    ],
    "published_date": [
        (value, f"expected a date (2024, 2024-03 or 2024-03-15), got {shown}")
        for value, shown in [
            ('"2024-13-45"', "'2024-13-45'"),
            ("[2024]", "a list"),
            ("{}", "a mapping"),
            ("true", "true"),
            (HUGE, HUGE_SHOWN),
        ]
    ],
    "stable_id": [
        ("[]", "expected text, got a list"),
        ("{}", "expected text, got a mapping"),
        ("true", "expected text, got true"),
    ],
    "authors": [
        ("{}", "expected a list of texts, got a mapping"),
        ("true", "expected a list of texts, got true"),
        ("[[]]", "item 1: expected text, got a list"),
        ("[{}]", "item 1: expected text, got a mapping"),
        ("[null, 1, true]", "item 3: expected text, got true"),
        (json.dumps(["x" * 301]), "item 1: 301 characters, over the limit of 300"),
    ],
    "tags": [
        ("{}", "expected a list of texts, got a mapping"),
        ("[[]]", "item 1: expected text, got a list"),
        (json.dumps(["x" * 101]), "item 1: 101 characters, over the limit of 100"),
    ],
}
JSON_CASES = [
    pytest.param(key, value, message, id=f"{key}-{_short(value)}")
    for key, cases in JSON_VALUES.items()
    for value, message in cases
]


@pytest.mark.parametrize("key, value, message", JSON_CASES)
def test_a_bad_value_in_the_snapshot_is_reported_with_line_and_field(tmp_path, key, value, message):
    fields = {
        "id": '"1111111111111111"',
        "url": '"https://think.example.org/report"',
        "title": '"A report"',
        "type": '"report"',
        "stable_id": '"AbCdE12345"',
        "credibility_override": "2",
        "published_date": '"2024-03"',
        "authors": '["Ada Author"]',
        "tags": '["compute"]',
    }
    fields[key] = value
    lines = ["[", "  {"] + [f'    "{k}": {v},' for k, v in fields.items()]
    lines[-1] = lines[-1].rstrip(",")
    lines += ["  }", "]"]
    root = tmp_path / "kb"
    root.mkdir()
    (root / "resources-snapshot.json").write_text("\n".join(lines) + "\n")
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith(f'    "{key}"'))

    problems = failure(root)

    assert mentions(problems, f"resources-snapshot.json:{line}: {key}: {message}"), problems


def test_a_value_of_a_merged_source_is_reported_in_the_file_it_came_from(tmp_path):
    resources = '- id: "1111111111111111"\n  url: https://think.example.org/reports/compute\n'
    resources += "  credibility_override: 9\n"
    problems = failure(write_kb(tmp_path, **{"resources/b.yaml": resources}))

    expected = "resources/b.yaml:3: credibility_override: Value 9 is not a valid choice."
    assert mentions(problems, expected), problems
