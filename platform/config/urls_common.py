"""Routes every host has: the API schema and docs, media of the host's own company."""

from typing import Any

from django.urls import path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.response import Response

from accounts import api as accounts_api
from companies import api as companies_api
from config import views

# Generated documents by (URL configuration, language, API version): the same for every company and
# every reader (SERVE_PUBLIC), fixed for the life of the process — generating one takes seconds.
_documents: dict[tuple[str | None, str | None, str | None], dict[str, Any]] = {}


class HostSchemaView(SpectacularAPIView):
    """The OpenAPI document of the host asked: the public site's API or a company's."""

    @extend_schema(exclude=True)  # the document does not describe itself
    def get(self, request, *args, **kwargs):
        # django-tenants routes the public host through PUBLIC_SCHEMA_URLCONF via request.urlconf.
        self.urlconf = getattr(request, "urlconf", None)
        return super().get(request, *args, **kwargs)

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (self.urlconf, translation.get_language(), version)
        document = _documents.get(key)
        if document is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            document = _documents[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=document, headers={"Content-Disposition": f'inline; filename="{filename}"'})


urlpatterns = [
    path("api/schema/", HostSchemaView.as_view(permission_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", permission_classes=[]), name="docs"),
    path("api/v1/site/", companies_api.SiteView.as_view(), name="site"),
    path("api/v1/auth/csrf/", accounts_api.CsrfView.as_view(), name="auth-csrf"),
    path("media/<path:path>", views.company_media, name="media"),
]

# Django's error views for both URL configurations: JSON under /api/ (config.views).
error_handlers = (views.bad_request, views.permission_denied, views.page_not_found, views.server_error)
