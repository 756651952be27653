"""The one error a reference file raises: where (which entry), which field, and why."""

from django.core.exceptions import ValidationError


class FormatError(ValidationError):
    def __init__(self, where: str, field: str, reason: str):
        self.where, self.field, self.reason = where, field, reason
        about = f"{where}, field “{field}”" if field else where
        super().__init__(f"{about[0].upper()}{about[1:]}: {reason}.", code="format")
