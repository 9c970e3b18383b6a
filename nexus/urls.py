from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from nexus.core import views as core_views
from nexus.graphql.views import graphql_view

# The API, GraphQL and the probes first: they are most of the requests, and Django tries
# patterns in order (an API path used to walk every page route first: 100 us of 670 for a
# cached entry detail). Every page route starts with a literal prefix, so none of them
# could match an /api/ path anyway.
urlpatterns = [
    path("api/", include("nexus.api.urls")),
    path("graphql/", graphql_view(), name="graphql"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("", include("nexus.web.urls")),
    path("", include("nexus.accounts.urls")),
    path("", include("nexus.knowledge.urls")),
    path("", include("nexus.interchange.urls")),
    path("", include("nexus.traffic.urls")),
    path("", include("nexus.audit.urls")),
    path("", include("nexus.search.urls")),
    path("", include("nexus.notifications.urls")),
    path("", include("nexus.community.urls")),
    path("admin/", admin.site.urls),
]

if settings.NEXUS_BENCH_ENDPOINTS:
    # The floor `make bench` compares against: a bare JsonResponse in the same process.
    def bench_floor(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"username": "floor", "profile": {"display_name": "Floor"}})

    urlpatterns.append(path("_bench/floor", bench_floor))

handler400 = "nexus.core.views.bad_request"
handler403 = "nexus.core.views.permission_denied"
handler404 = "nexus.core.views.page_not_found"
handler500 = "nexus.core.views.server_error"
