from django.shortcuts import render

from core.page_cache import cache_depends_on_kinds
from sources.models import Snapshot, Source, Venue
from wiki.models import Citation, WikiPage

from .charts import knowledge_base_charts


# Counts over every record of these kinds: any write of them may move a bar.
@cache_depends_on_kinds(WikiPage, Citation, Source, Venue, Snapshot)
def about(request):
    return render(request, "about/index.html", {"charts": knowledge_base_charts()})
