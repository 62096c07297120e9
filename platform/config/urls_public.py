"""The public host: signup, plans, the platform console (Django admin), stand-ins, the SPA."""

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path

from accounts import console
from companies import api as companies_api
from config import urls_common, views
from partners.api import catalogue as partner_catalogue
from partners.api import notices as partner_notices
from partners.api import orders as partner_orders
from partners.api import portal as partner_api
from partners.api import settlement as partner_settlement
from partners.api import shop as partner_shop
from standins import views as standin_views
from subscriptions import api as subscriptions_api

# The console signs in through the login backoff (accounts.console), like every password login.
admin.site.login_form = console.ConsoleLoginForm

urlpatterns = [
    *urls_common.urlpatterns,
    path("api/v1/signups/", companies_api.SignupCreateView.as_view(), name="signup-create"),
    path("api/v1/signups/<uuid:pk>/", companies_api.SignupStatusView.as_view(), name="signup-status"),
    path("api/v1/plans/", companies_api.PlanList.as_view(), name="plans"),
    # The partner portal (merchants, housekeeping vendors): partner tokens only (partners.api.portal).
    path("api/v1/partner/signup/", partner_api.PartnerSignupView.as_view(), name="partner-signup"),
    path("api/v1/partner/auth/login/", partner_api.PartnerLoginView.as_view(), name="partner-login"),
    path("api/v1/partner/auth/logout/", partner_api.PartnerLogoutView.as_view(), name="partner-logout"),
    path("api/v1/partner/me/", partner_api.PartnerMeView.as_view(), name="partner-me"),
    path("api/v1/partner/documents/", partner_api.PartnerDocumentList.as_view(), name="partner-documents"),
    path("api/v1/partner/admissions/", partner_api.PartnerAdmissionList.as_view(), name="partner-admissions"),
    path("api/v1/partner/accounts/", partner_api.PartnerStaffList.as_view(), name="partner-accounts"),
    path("api/v1/partner/accounts/<int:pk>/", partner_api.PartnerStaffDetail.as_view(), name="partner-account-detail"),
    path("api/v1/partner/offerings/", partner_catalogue.PartnerOfferingList.as_view(), name="partner-offerings"),
    path(
        "api/v1/partner/offerings/<int:pk>/",
        partner_catalogue.PartnerOfferingDetail.as_view(),
        name="partner-offering-detail",
    ),
    path("api/v1/partner/shop/", partner_shop.PartnerShop.as_view(), name="partner-shop"),
    path("api/v1/partner/photos/", partner_shop.PartnerPhotoList.as_view(), name="partner-photos"),
    path("api/v1/partner/photos/<int:pk>/", partner_shop.PartnerPhotoDetail.as_view(), name="partner-photo-detail"),
    path("api/v1/partner/photos/<int:pk>/image/", partner_shop.PartnerPhotoFile.as_view(), name="partner-photo-file"),
    path(
        "api/v1/partner/photos/<int:pk>/thumbnail/",
        partner_shop.PartnerPhotoThumbnail.as_view(),
        name="partner-photo-thumbnail",
    ),
    path("api/v1/partner/slots/", partner_catalogue.PartnerSlotList.as_view(), name="partner-slots"),
    path("api/v1/partner/slots/<int:pk>/", partner_catalogue.PartnerSlotDetail.as_view(), name="partner-slot-detail"),
    path("api/v1/partner/orders/", partner_orders.PartnerOrderList.as_view(), name="partner-orders"),
    path(
        "api/v1/partner/orders/<int:pk>/<str:move>/",
        partner_orders.PartnerOrderMove.as_view(),
        name="partner-order-move",
    ),
    path("api/v1/partner/notices/", partner_notices.PartnerNoticeList.as_view(), name="partner-notices"),
    path("api/v1/partner/notices/read/", partner_notices.PartnerNoticeRead.as_view(), name="partner-notices-read"),
    path(
        "api/v1/partner/notices/settings/",
        partner_notices.PartnerNoticeSettings.as_view(),
        name="partner-notice-settings",
    ),
    path(
        "api/v1/partner/invitations/accept/",
        partner_notices.PartnerInvitationAccept.as_view(),
        name="partner-invitation-accept",
    ),
    path(
        "api/v1/partner/invitations/<str:token>/",
        partner_notices.PartnerInvitationView.as_view(),
        name="partner-invitation",
    ),
    path("api/v1/partner/settlement/", partner_settlement.PartnerSettlement.as_view(), name="partner-settlement"),
    path("api/v1/stripe/webhook/", subscriptions_api.StripeWebhookView.as_view(), name="stripe-webhook"),
    path("console/login/", console.login, name="console-login"),
    path("console/", admin.site.urls),
]
if settings.DEMO:  # stand-ins (and their unauthenticated device endpoints) exist only in the demo
    urlpatterns.append(path("_standins/wechat/<path:path>", standin_views.wechat_api))
    urlpatterns.append(path("_standins/wechatpay/pay/<str:prepay_id>", standin_views.wechatpay_pay_page))
    urlpatterns += standin_views.stripe_urls
urlpatterns.append(re_path(r"^(?!api/|static/|media/|_standins/).*$", views.spa_index))

# Every host answers errors the same way (JSON under /api/).
handler400, handler403, handler404, handler500 = urls_common.error_handlers
