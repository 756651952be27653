"""The admin's import from a reference manager: upload, a preview of what would be created
and which entries are duplicates, then confirm. Wired in config/urls.py beside the source
admin (`/admin/sources/source/import/`), as the sources app cannot name this one."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .citations.errors import FormatError
from .citations.importing import (
    READERS,
    citation_format_guess,
    citations_import,
    citations_plan,
    import_summary,
)

UPLOAD_MAX_BYTES = 5 * 1024 * 1024
PAYLOAD_SALT = "credence.citations-import"
PAYLOAD_MAX_AGE = 3600  # seconds between the preview and the confirmation
FILE_TOO_BIG = _("The file is %(size)s bytes; upload at most 5 MB at a time.")
NOT_UTF8 = _("The file is not UTF-8 text (byte %(at)s); export it as UTF-8.")
PREVIEW_EXPIRED = _("The preview is too old or was altered: upload the file again.")


class CitationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("BibTeX (.bib), RIS (.ris) or CSL-JSON (.json), UTF-8.")
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("From the file name"))] + [(name, name) for name in READERS],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(FILE_TOO_BIG, params={"size": upload.size})
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(NOT_UTF8, params={"at": error.start}) from None


def _preview(context, name: str, text: str, format_name: str):
    try:
        format_name = format_name or citation_format_guess(name, text)
        plan = citations_plan(text, format_name)
    except FormatError as error:
        context["error"] = f"{name}: {error.messages[0]} Nothing was written."
        return None
    context["plan"] = plan
    context["payload"] = signing.dumps(
        {"name": name, "text": text, "format": format_name}, salt=PAYLOAD_SALT, compress=True
    )
    return plan


def citations_import_view(request):
    if not request.user.has_perm("sources.add_source"):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Import sources from a reference manager"),
        "form": CitationUploadForm(),
    }
    if request.method == "POST" and "payload" in request.POST:
        try:
            payload = signing.loads(
                request.POST["payload"], salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE
            )
        except signing.BadSignature:
            context["error"] = PREVIEW_EXPIRED
        else:
            # Planned again: the sources stored meanwhile count as duplicates too.
            plan = _preview(context, payload["name"], payload["text"], payload["format"])
            if plan is not None:
                try:
                    created = citations_import(plan)
                except FormatError as error:
                    context["error"] = (
                        f"{payload['name']}: {error.messages[0]} Nothing was written."
                    )
                else:
                    done = import_summary(
                        len(created), len(plan.duplicates), written=True, name=payload["name"]
                    )
                    messages.success(request, done)
                    return redirect("admin:sources_source_changelist")
    elif request.method == "POST":
        form = CitationUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            name, text = form.cleaned_data["file"]
            _preview(context, name, text, form.cleaned_data["format"])
    return TemplateResponse(request, "admin/interchange/citations_import.html", context)
