"""Small hand-written Longterm Wiki folders for import tests (our own text, not the corpus),
and a snapshot of what an import writes, for round-trip comparisons."""

import json
import textwrap
from pathlib import Path

from sources.models import Source, Venue
from wiki.models import Citation, WikiPage

PUBLICATIONS = """\
- id: think
  domains: [think.example.org]
  name: Think Example
  type: think_tank
  credibility: 4
  peer_reviewed: false
  description: A think tank invented for tests.
  credibility_rationale: Editorial review and named authors.
- id: journal
  domains: [journal.example.com/articles]
  name: Journal Example
  type: academic_journal
  credibility: 5
  peer_reviewed: true
  description: A journal invented for tests.
"""

SNAPSHOT = [
    {
        "id": "1111111111111111",
        "url": "https://think.example.org/reports/compute",
        "title": "Compute report",
        "type": "report",
        "stable_id": "AbCdE12345",
        "tags": ["compute"],
        "authors": ["Ada Author", "Ben Writer"],
        "published_date": "2024-03",
    },
    {
        "id": "2222222222222222",
        "url": "https://journal.example.com/articles/x1",
        "title": "A journal article",
        "type": "paper",
        "stable_id": "FgHiJ67890",
        "summary": "",
        "publication_id": "journal",
    },
]

RESOURCES = """\
- id: "1111111111111111"
  url: https://think.example.org/reports/compute
  title: Compute report (older title)
  type: report
  summary: How compute shapes policy.
  key_points:
    - Compute is measurable.
    - Thresholds are contested.
  cited_by: [alpha-page]
  tags: [policy]
- id: "2222222222222222"
  url: https://journal.example.com/articles/x1
  title: A journal article
  type: paper
  summary: The article's summary.
  abstract: The article's abstract.
  published_date: 2023-07-12
  cited_by: [alpha-page, no-such-page]
- id: "3333333333333333"
  url: https://blog.example.net/post
  title: A blog post
  type: blog
  publication_id: ghost-venue
  credibility_override: 2
- id: "kb-3333333333333333"
  url: https://blog.example.net/post
  title: The same blog post under a second id
  type: blog
- id: "4444444444444444"
  url: https://www.linked.example.org/page/
  title: Linked only
  type: web
"""

ENTITIES = """\
- id: alpha-page
  numericId: E1
  type: policy
  title: Alpha Policy
- id: beta
  numericId: E2
  type: ai-model
  title: Beta Model
"""

ALPHA = """\
---
title: alpha front matter title
description: The alpha page, for tests.
quality: 57
readerImportance: 72
researchImportance: 64.5
lastEdited: "2026-03-02"
llmSummary: A summary of alpha.
ratings:
  focus: 7
  rigor: 6.5
clusters: ["governance", "compute"]
---
import {R, EntityLink} from '@components/wiki';

Alpha cites <R id="AbCdE12345">a compute report</R> and links <EntityLink id="E2" name="beta">the beta model</EntityLink>.

It also links [a page](https://linked.example.org/page) and cites <R id="ffffffffffffffff">nothing</R>.
"""

BETA = """\
---
title: Beta
pageType: stub
quality: 20
---
Beta is short.
"""

INDEX = """\
---
title: Section index {n}
---
Index page {n}.
"""


def write_kb(root: Path, **overrides) -> Path:
    """Write a small knowledge base under root; overrides replace whole files by name."""
    files = {
        "publications.yaml": PUBLICATIONS,
        "resources-snapshot.json": json.dumps(SNAPSHOT, indent=2),
        "resources/a.yaml": RESOURCES,
        "entities/e.yaml": ENTITIES,
        "pages/alpha-page.mdx": ALPHA,
        "pages/models/beta.mdx": BETA,
        "pages/one/index.mdx": INDEX.format(n=1),
        "pages/two/index.mdx": INDEX.format(n=2),
    }
    files.update(overrides)
    for name, text in files.items():
        if text is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if name.endswith(".mdx") else text)
    return root


def database_state() -> dict:
    """Return everything an import writes, as sorted rows, to compare two databases."""
    return {
        "venues": sorted(
            Venue.objects.values_list(
                "slug",
                "name",
                "type",
                "credibility",
                "peer_reviewed",
                "description",
                "credibility_rationale",
                "website",
            )
        ),
        "domains": sorted(Venue.objects.values_list("slug", "domains__domain")),
        "sources": sorted(
            Source.objects.values_list(
                "id",
                "stable_id",
                "url",
                "title",
                "type",
                "published_on",
                "published_precision",
                "abstract",
                "summary",
                "review",
                "venue__slug",
                "credibility_override",
            )
        ),
        "authors": sorted(Source.objects.values_list("id", "authors__position", "authors__name")),
        "points": sorted(Source.objects.values_list("id", "key_points__text")),
        "source_tags": sorted(Source.objects.values_list("id", "tags__name")),
        "pages": sorted(
            WikiPage.objects.values_list(
                "slug",
                "title",
                "type",
                "status",
                "description",
                "summary",
                "body",
                "last_edited",
                "reader_importance",
                "research_importance",
                "quality",
                "focus",
                "novelty",
                "rigor",
                "completeness",
                "objectivity",
                "concreteness",
                "actionability",
            )
        ),
        "page_tags": sorted(WikiPage.objects.values_list("slug", "tags__name")),
        "citations": sorted(Citation.objects.values_list("page__slug", "source_id", "in_body")),
    }
