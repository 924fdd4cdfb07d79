"""Notices (*oppslag*): short messages an organisation shares across the cooperation.

The first content module, and the reference for how to add one (see ARCHITECTURE.md).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from samvirke.core.models import Content


class Notice(Content):
    class Category(models.TextChoices):
        INFORMATION = "information", _("Information")
        MEETING = "meeting", _("Meeting")
        WARNING = "warning", _("Warning")
        LESSON = "lesson", _("Lesson learned")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.INFORMATION
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The listing order: lists and pages walk this index and stop after one page.
            models.Index(fields=["-created_at", "-id"], name="notice_listing_idx"),
            # Covers the visibility rule's columns, so counting what an actor may see reads no table rows.
            models.Index(fields=["owner", "access_level"], name="notice_owner_level_idx"),
        ]

    def __str__(self):
        return self.title
