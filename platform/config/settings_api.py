"""The API, imported by config.settings: Django REST framework (fail-closed permissions, input
guards, throttling by core.client_ip) and the OpenAPI document (drf-spectacular)."""

from __future__ import annotations

from config.switches import env

__all__ = ["REST_FRAMEWORK", "SPECTACULAR_SETTINGS", "TRUSTED_PROXY_COUNT"]

# How many reverse proxies of ours add X-Forwarded-For in front of the app (0: trust none); the
# one definition of a client's address is core.client_ip.
TRUSTED_PROXY_COUNT = env.int("WUYE_TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.CsrfSessionAuthentication",
    ],
    # Fail closed: a view that declares no permission is refused (core.permissions).
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasRequiredPermission"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # Control characters, deep JSON and oversized bodies are refused here (core.input_guard).
    "DEFAULT_PARSER_CLASSES": [
        "core.input_guard.JSONParser",
        "core.input_guard.FormParser",
        "core.input_guard.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.openapi.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.exports.FormatFirstNegotiation",
    "DEFAULT_THROTTLE_RATES": {"login": "20/min", "signup": "10/min", "sms": "5/min"},
    # Throttles identify clients by core.client_ip (core.throttling); this only keeps a DRF throttle
    # that forgot to from trusting a client-written X-Forwarded-For.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Wuye API",
    "DESCRIPTION": "物业 — multi-tenant property-management platform. The company is the host.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "companies.openapi.document_suspension",
    ],
    # Several models have a "status" (or "roles") with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "HouseStatusEnum": "tenants.estates.models.HouseStatus",
        "BindingStatusEnum": "tenants.residents.models.BindingStatus",
        "ImportStatusEnum": "tenants.imports.models.ImportStatus",
        "JobStatusEnum": "core.models.JobStatus",
        "VendorKindEnum": "partners.models.VendorKind",
        "DocumentKindEnum": "partners.models.DocumentKind",
        "AdmissionStatusEnum": "partners.models.AdmissionStatus",
        "VendorRoleEnum": "partners.models.VendorRole",
        "CompanyStatusEnum": "companies.models.CompanyStatus",
        "SubscriptionStatusEnum": "companies.models.SubscriptionStatus",
        "SignupStatusEnum": "companies.models.SignupStatus",
        "RoleEnum": "accounts.roles.Role",
        "RelationEnum": "tenants.residents.models.Relation",
        "RepairStatusEnum": "tenants.repairs.models.Status",
        "UrgencyEnum": "tenants.repairs.models.Urgency",
        "DispatchModeEnum": "tenants.repairs.models.DispatchMode",
        "RepairScopeEnum": "tenants.repairs.models.Scope",
        "PasswordChannelEnum": "accounts.password_codes.CHANNELS",
        "ChannelEnum": "payments.models.Channel",  # the owner app's name for the payment channel
        "RefundStateEnum": "billing.selectors.owner.PAYMENT_REFUND_STATES",  # the owner app's name
        "VendorOrderRefundStateEnum": "tenants.vendor_orders.models.RefundState",
        "PasswordResetModeEnum": "accounts.password_codes.RESET_MODES",
        "ModeEnum": "billing.models.fees.ChargingMode",  # the name the faces use, kept as more `mode` fields arrive
        # Names the faces' generated types already use, kept as more choice sets named `use`/`kind` arrive.
        "UseEnum": "tenants.estates.models.HouseUse",
        "KindEnum": "tenants.imports.kinds.choices",  # every registered import kind
        "RepairPhotoKindEnum": "tenants.repairs.models.PhotoKind",
        "NoticeKindEnum": "tenants.notices.models.Kind",
        "NoticeTargetEnum": "tenants.notices.models.Target",
        "ActivityStatusEnum": "tenants.activities.models.Status",
        "ActivityTargetEnum": "tenants.activities.models.Target",
        "ActivitySignUpStatusEnum": "tenants.activities.models.SignUpStatus",
        "VendorOrderStatusEnum": "tenants.vendor_orders.models.OrderStatus",
        "OfferingKindEnum": "partners.models.OfferingKind",
        "FeeKindEnum": "billing.models.fees.FeeKind",
        "MeterKindEnum": "billing.models.MeterKind",
        "ReadingStatusEnum": "billing.models.ReadingStatus",
        "ChargeKindEnum": "billing.models.ChargeKind",
        "ChargeStatusEnum": "billing.outstanding.CHARGE_STATUS_CHOICES",
        "BillRunStatusEnum": "billing.models.BillRunStatus",
        "OnboardingStepEnum": "billing.selectors.onboarding.STEPS",
        "PaymentMethodEnum": "billing.models.PaymentMethod",
        "OfflineMethodEnum": "billing.api.cashdesk.OFFLINE_CHOICES",
        "RefundMethodEnum": "billing.api.requests.REFUND_METHOD_CHOICES",
        "RefundSourceEnum": "billing.api.requests.REFUND_SOURCE_CHOICES",
        "RequestStatusEnum": "billing.models.RequestStatus",
        "WaiverKindEnum": "billing.models.WaiverKind",
        "BalanceEntryKindEnum": "billing.models.BalanceEntryKind",
        "PaymentOrderStatusEnum": "payments.models.OrderStatus",
        "DeliveryChannelEnum": "notifications.models.Channel",  # the delivery log's name, kept for every channel field
        "TemplateLanguageEnum": "notifications.models.Language",
        "FeedbackStatusEnum": "tenants.feedback.models.Status",
        "FeedbackKindEnum": "tenants.feedback.models.Kind",
    },
}
