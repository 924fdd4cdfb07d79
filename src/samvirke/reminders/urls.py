from django.urls import path

from samvirke.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.feed_list, name="feeds"),
    path("feeds/new/", views.feed_create, name="feed_create"),
    path("feeds/<int:feed_id>/revoke/", views.feed_revoke, name="feed_revoke"),
    # The calendar file itself: no sign-in; the secret token in the address is the key (reminders.feeds).
    path("feeds/<str:feed_token>.ics", views.feed, name="feed"),
]
