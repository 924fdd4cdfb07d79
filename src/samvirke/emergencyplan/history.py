"""The history of a part or card for core.views.render_history: like core.services.history_with_changes, but
a part's list (roles, alert-list entries, resources) is described entry by entry, not as two JSON dumps."""

from __future__ import annotations

from samvirke.emergencyplan import entries


def versions_of(record, entry_spec: entries.EntrySpec | None = None) -> list[dict]:
    rows = list(record.history.select_related("history_user").order_by("-history_date", "-history_id"))
    result = []
    for newer, older in zip(rows, [*rows[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["version", "updated_at"])
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                old, new = change.old, change.new
                if change.field == "entries" and entry_spec is not None:
                    old, new = entries.describe_changes(entry_spec, old, new)
                changes.append({"field": field.verbose_name, "old": old, "new": new})
        result.append({"record": newer, "changes": changes})
    return result
