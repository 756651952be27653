"""What the last Longterm Wiki import read and wrote, so that the next one can skip it.

The state is the importer's own, so it lives in this app rather than on the rows it
describes: a venue, source or page does not know it came from a file (editors make them
too), part of the state describes no row (a file, an entity), and losing it costs only
time (the next import compares everything, as `import_longterm_wiki --full` does). There
are no foreign keys: a row the state describes may be deleted, and noticing that is part
of the next import's work (interchange/longterm_wiki/state.py has the rules).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class ImportedFile(TimeStampedModel):
    """A file of the last import: the hash of its bytes and of the importer that read them."""

    path = models.CharField(
        _("path"), max_length=1000, unique=True, help_text=_("Relative to the imported folder.")
    )
    kind = models.CharField(_("kind"), max_length=16)
    sha256 = models.CharField(_("SHA-256 of its bytes"), max_length=64)
    importer = models.CharField(
        _("importer version"),
        max_length=64,
        help_text=_("A hash of the importer's code and limits: a new importer reads every file."),
    )
    # What a later import needs of the file without reading it again (an entity file's
    # entities) or what the file was read against (a source file: the venues).
    facts = models.JSONField(_("facts"), default=dict, blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")

    def __str__(self) -> str:
        return self.path


class RecordKind(models.TextChoices):
    VENUE = "venue", _("venue")
    SOURCE = "source", _("source")
    PAGE = "page", _("page")


class ImportedRecord(TimeStampedModel):
    """A venue, source or page of the last import: the hash of its input and of its row."""

    kind = models.CharField(_("kind"), max_length=8, choices=RecordKind.choices)
    key = models.CharField(_("slug or id"), max_length=200)
    # The order of the files, so that a report rebuilt from the state reads as the files do.
    position = models.PositiveIntegerField(_("position"), default=0)
    input_sha256 = models.CharField(
        _("SHA-256 of its input"),
        max_length=64,
        help_text=_("Of the record's values as read, and of what else the import used for it."),
    )
    row_stamp = models.CharField(
        _("row stamp"),
        max_length=200,
        help_text=_("The row as the import left it: when it changed, and its child rows."),
    )
    # What the report and the citations need of the record without reading its file again.
    facts = models.JSONField(_("facts"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "position"]
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="importedrecord_kind_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
