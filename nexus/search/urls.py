from django.urls import path, re_path

from nexus.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    # Ids that fit the database's integer columns; longer ones are a 404 here.
    re_path(r"^search/related/(?P<entry_id>[0-9]{1,9})/$", views.related_entries, name="related"),
    path("search/zero-results/", views.zero_results, name="zero-results"),
]
