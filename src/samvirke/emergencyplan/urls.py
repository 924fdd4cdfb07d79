"""URLs of the emergency plan. Each part has the same set of pages (views.part_*), registered once per part
with its own URL segment and names (`<part key>`, `<part key>_edit`, ...); the view learns which part from
the `part` argument given here, not from the URL, so every URL kwarg is an id the route walker knows."""

from django.urls import path

from samvirke.emergencyplan import views
from samvirke.emergencyplan.parts import PARTS

app_name = "emergencyplan"

urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<int:region_id>/", views.region, name="region"),
    path("organisations/<int:organisation_id>/", views.organisation, name="organisation"),
    path("organisations/<int:organisation_id>/create/", views.plan_create, name="plan_create"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/history/", views.plan_history, name="plan_history"),
    path("<int:plan_id>/history/<int:history_id>/restore/", views.plan_restore, name="plan_restore"),
    path("<int:plan_id>/coverage/", views.coverage, name="coverage"),
    path("<int:plan_id>/binder.html", views.binder_html, name="binder_html"),
    path("<int:plan_id>/binder.pdf", views.binder_pdf, name="binder_pdf"),
    path("<int:plan_id>/action-cards/new/", views.card_new, name="card_new"),
    path("<int:plan_id>/action-cards/<int:card_id>/", views.card_detail, name="card_detail"),
    path("<int:plan_id>/action-cards/<int:card_id>/edit/", views.card_edit, name="card_edit"),
    path("<int:plan_id>/action-cards/<int:card_id>/delete/", views.card_delete, name="card_delete"),
    path("<int:plan_id>/action-cards/<int:card_id>/history/", views.card_history, name="card_history"),
    path(
        "<int:plan_id>/action-cards/<int:card_id>/history/<int:history_id>/restore/",
        views.card_restore,
        name="card_restore",
    ),
]

for spec in PARTS:
    part = {"part": spec.key}
    base = f"<int:plan_id>/{spec.slug}/"
    urlpatterns += [
        path(base, views.part_detail, part, name=spec.key),
        path(f"{base}edit/", views.part_edit, part, name=f"{spec.key}_edit"),
        path(f"{base}history/", views.part_history, part, name=f"{spec.key}_history"),
        path(
            f"{base}history/<int:history_id>/restore/", views.part_restore, part, name=f"{spec.key}_restore"
        ),
    ]
    if spec.entries is not None:
        urlpatterns += [
            path(f"{base}entries/new/", views.entry_edit, part, name=f"{spec.key}_entry_new"),
            path(f"{base}entries/<slug:entry_key>/", views.entry_edit, part, name=f"{spec.key}_entry_edit"),
            path(
                f"{base}entries/<slug:entry_key>/remove/",
                views.entry_remove,
                part,
                name=f"{spec.key}_entry_remove",
            ),
        ]
        if spec.entries.verifiable:
            urlpatterns.append(
                path(
                    f"{base}entries/<slug:entry_key>/verified/",
                    views.entry_verified,
                    part,
                    name=f"{spec.key}_entry_verified",
                )
            )
