"""How the API docs describe the partner portal's way in: its own bearer tokens."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Partner portal (public host): POST /api/v1/partner/auth/login/, then Bearer <token>.",
        }
