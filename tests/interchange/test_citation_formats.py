"""BibTeX, RIS and CSL-JSON: hand-written files in each format read as a reference manager
would write them, malformed ones refused naming the entry and field, and Credence's own
exports read back with every field the format carries."""

import json

import pytest

from interchange.citations.bibtex import bibtex_read
from interchange.citations.csl import csl_fields, name_split
from interchange.citations.csljson import csljson_read
from interchange.citations.errors import FormatError
from interchange.citations.export import sources_export, sources_for_export
from interchange.citations.ris import ris_read
from sources.models import Source, SourceAuthor
from tests.factories import SourceFactory, VenueFactory

BIBTEX = r"""
% A comment line, as JabRef writes.
@article{godel2024,
  title   = {On {AI} Risk: G\"odel's \& {T}uring's 50\% \{braces\}},
  author  = {M{\"u}ller, Hans and Jos\'e N\'u\~nez and {Center for AI Safety}},
  journal = {Journal of {AI} Safety},
  year    = 2024,
  month   = mar,
  doi     = {https://doi.org/10.1234/ABC.5},
  url     = {https://example.org/paper_1%20v2},
  keywords = {alignment; evaluation},
  abstract = {First line
    continues here.},
}

@misc{talk1,
  title = {A Talk},
  howpublished = {Talk},
  date = {2023-11-05},
  eprint = {2101.00001v2},
  archivePrefix = {arXiv},
}
"""


def test_bibtex_braces_accents_and_month_macros_read_as_text():
    paper, talk = [csl_fields(item) for item in bibtex_read(BIBTEX)]

    assert paper.title == "On AI Risk: Gödel's & Turing's 50% {braces}"
    assert paper.authors == ["Hans Müller", "José Núñez", "Center for AI Safety"]
    assert paper.venue_name == "Journal of AI Safety"
    assert paper.published == "2024-03"
    assert paper.type == "paper"
    assert paper.doi == "https://doi.org/10.1234/ABC.5"  # normalised when stored
    assert paper.url == "https://example.org/paper_1%20v2"  # % and _ are not LaTeX here
    assert paper.tags == ["alignment", "evaluation"]
    assert paper.abstract.split() == ["First", "line", "continues", "here."]
    assert (talk.type, talk.published, talk.arxiv_id) == ("talk", "2023-11-05", "2101.00001v2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@article{a, title = {Unclosed, year = 2020}\n@book{b, title = {B}}", "line 1"),
        ("@article{a, title = {T}, year = {20x4}, url = {https://a.org}}", "field “year”"),
        (
            "@article{a, title = {T}, month = {Smarch}, year = 2020, url = {https://a.org}}",
            "field “month”",
        ),
        ("@article{nourl, title = {T}}", "Entry “nourl” (line 1), field “url”"),
        ("@patent{p, title = {T}, url = {https://a.org}}", "field “entry type”"),
        ("This is not BibTeX at all.", "no BibTeX entry found"),
    ],
)
def test_malformed_bibtex_is_refused_naming_entry_and_field(text, message):
    with pytest.raises(FormatError) as error:
        bibtex_read(text)
    assert message in error.value.messages[0]


RIS = """TY  - JOUR
TI  - A long title that a reference manager
  wrapped onto two lines
AU  - Núñez, José
AU  - OpenAI
PY  - 2021
DA  - 2021/07//
JO  - Journal of Tests
UR  - https://example.org/ris-1
DO  - 10.5555/RIS.1
SN  - 0-306-40615-2
KW  - interpretability
KW  - evals
AB  - First paragraph
and a second line.
N1  - A note that is not imported.
ER  -

TY  - GOVDOC
TI  - A government report
UR  - https://example.gov/report
AN  - arXiv:2101.00001
ER  -
"""


def test_ris_multi_line_fields_and_repeated_tags_read_as_one_value_each():
    # The end tag is "ER  - " with its space, which an editor may trim: both are read.
    for text in (RIS, RIS.replace("ER  -\n", "ER  - \n")):
        assert len(ris_read(text)) == 2
    paper, government = [csl_fields(item) for item in ris_read(RIS)]

    assert paper.title == "A long title that a reference manager wrapped onto two lines"
    assert paper.authors == ["José Núñez", "OpenAI"]
    assert paper.published == "2021-07"
    assert paper.venue_name == "Journal of Tests"
    assert (paper.doi, paper.isbn) == ("10.5555/RIS.1", "0-306-40615-2")
    assert paper.tags == ["interpretability", "evals"]
    assert paper.abstract == "First paragraph and a second line."
    assert (government.type, government.arxiv_id) == ("government", "2101.00001")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("TY  - JOUR\nTI  - No end\nUR  - https://a.org\n", "Record 1 (line 1), field “ER”"),
        ("TY  - XXXX\nTI  - T\nUR  - https://a.org\nER  - \n", "field “TY”"),
        ("TY  - JOUR\nTI  - T\nER  - \n", "Record 1 (line 1), field “UR”"),
        ("TY  - JOUR\nTI  - T\nUR  - https://a.org\nDA  - 2020/xx//\nER  - \n", "field “DA”"),
        ("Just some text\n", "no RIS record found"),
    ],
)
def test_malformed_ris_is_refused_naming_record_and_field(text, message):
    with pytest.raises(FormatError) as error:
        ris_read(text)
    assert message in error.value.messages[0]


def test_csl_json_date_parts_at_each_precision():
    items = csljson_read(
        json.dumps(
            [
                {
                    "id": "y",
                    "type": "report",
                    "URL": "https://a.org/1",
                    "issued": {"date-parts": [[2020]]},
                },
                {
                    "id": "m",
                    "type": "report",
                    "URL": "https://a.org/2",
                    "issued": {"date-parts": [["2020", "4"]]},
                },
                {
                    "id": "d",
                    "type": "book",
                    "URL": "https://a.org/3",
                    "issued": {"date-parts": [[2020, 4, 9]]},
                },
            ]
        )
    )

    assert [csl_fields(item).published for item in items] == ["2020", "2020-04", "2020-04-09"]
    assert [csl_fields(item).type for item in items] == ["report", "report", "book"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[{", "The file (line 1, column 3): not JSON"),
        ({"id": "a"}, "Item 1 (“a”), field “type”: missing"),
        (
            [{"id": "a", "type": "book", "URL": "u", "issued": {"date-parts": [[2020, 13]]}}],
            "month 13",
        ),
        ([{"id": "a", "type": "book", "URL": "u", "issued": {"raw": "May 2020"}}], "date-parts"),
        ([{"id": "a", "type": "book", "URL": "u", "author": ["Jane Doe"]}], "field “author”"),
        ([{"id": "a", "type": "book"}], "field “URL”"),
        ([{"id": "a", "type": "book", "URL": "u"}, 3], "Item 2: an item is a JSON object"),
    ],
)
def test_malformed_csl_json_is_refused_naming_item_and_field(data, message):
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(FormatError) as error:
        csljson_read(text)
    assert message in error.value.messages[0]


def test_people_are_split_and_organisations_kept_whole():
    assert name_split("Ada Lovelace") == {"family": "Lovelace", "given": "Ada"}
    assert name_split("Center for AI Safety") == {"literal": "Center for AI Safety"}
    assert name_split("OpenAI") == {"literal": "OpenAI"}


# -- Credence's own exports read back ------------------------------------------------------

READERS = {"bibtex": bibtex_read, "ris": ris_read, "csljson": csljson_read}


@pytest.fixture
def rich_source(db):
    venue = VenueFactory(name="Journal of Gödel & Co", credibility=4)
    source = SourceFactory(
        title="Risks & {braces}: 50% of $5 a_b — “quoted”",
        type="paper",
        venue=venue,
        url="https://example.org/a_b%20c?x=1&y=2",
        published_on="2024-05-01",
        published_precision="month",
        abstract="One paragraph.",
        doi="10.1126/science.adn0117",
        arxiv_id="2310.17688",
        isbn="9780306406157",
    )
    for position, name in enumerate(["Yoshua Bengio", "José Núñez", "Center for AI Safety"]):
        SourceAuthor.objects.create(source=source, name=name, position=position)
    source.tags.add("governance", "Risk")
    return source


@pytest.mark.parametrize("format_name", READERS)
def test_an_export_reads_back_with_every_field(rich_source, format_name):
    [source] = sources_for_export(Source.objects.all())

    [item] = READERS[format_name](sources_export([source], format_name))
    fields = csl_fields(item)

    assert fields.url == rich_source.url
    assert fields.title == rich_source.title
    assert fields.type == "paper"
    assert fields.authors == ["Yoshua Bengio", "José Núñez", "Center for AI Safety"]
    assert fields.published == "2024-05"
    assert fields.venue_name == "Journal of Gödel & Co"
    assert fields.abstract == "One paragraph."
    assert fields.doi == "10.1126/science.adn0117"
    assert fields.arxiv_id == "2310.17688"
    assert fields.isbn.replace("-", "") == "9780306406157"
    assert sorted(fields.tags, key=str.lower) == ["governance", "Risk"]


@pytest.mark.parametrize("format_name", READERS)
@pytest.mark.parametrize(
    "kind", [value for value, _label in Source._meta.get_field("type").choices]
)
def test_every_type_survives_each_format(db, format_name, kind):
    SourceFactory(type=kind)
    [source] = sources_for_export(Source.objects.all())

    [item] = READERS[format_name](sources_export([source], format_name))

    assert csl_fields(item).type == kind


def test_a_braced_name_may_hold_and_and_commas():
    text = (
        "@misc{n, url = {https://a.org},"
        " author = {{Barry, Wells and French} and Doe, Jane and {Center for AI Safety}}}"
    )

    [item] = bibtex_read(text)

    assert csl_fields(item).authors == [
        "Barry, Wells and French",
        "Jane Doe",
        "Center for AI Safety",
    ]


@pytest.mark.parametrize(
    "text",
    ["a -- b --- c", "R_{D^*} and x · y", "``quoted'' and it's", "~ \\ # $ % & _ { }"],
)
def test_text_latex_would_rewrite_comes_back_as_written(db, text):
    SourceFactory(title=text, abstract=text)
    [source] = sources_for_export(Source.objects.all())

    [item] = bibtex_read(sources_export([source], "bibtex"))

    assert (item["title"], item["abstract"]) == (text, text)
