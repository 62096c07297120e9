"""Routes every host has: the API schema and docs, media of the host's own company."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from companies import api as companies_api
from config import views


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI document of the host asked: the public site's API or a company's."""

    @extend_schema(exclude=True)  # the document does not describe itself
    def get(self, request, *args, **kwargs):
        # django-tenants routes the public host through PUBLIC_SCHEMA_URLCONF via request.urlconf.
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("api/schema/", HostSchemaView.as_view(permission_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]), name="docs"),
    path("api/v1/site/", companies_api.SiteView.as_view(), name="site"),
    path("api/v1/auth/csrf/", accounts_api.CsrfView.as_view(), name="auth-csrf"),
    path("media/<path:path>", views.company_media, name="media"),
]

# Django's error views for both URL configurations: JSON under /api/ (config.views).
error_handlers = (views.bad_request, views.permission_denied, views.page_not_found, views.server_error)
