"""A company's host: its web admin API, the owner (mini-program) API, its SPA and H5 app."""

from django.urls import URLPattern, URLResolver, include, path, re_path
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from billing.api import routes as billing_routes
from companies import api as companies_api
from config import urls_common, views
from core import api as core_api
from notifications import api as notifications_api
from notifications import api_wechat as notifications_wechat_api
from notifications import settings_api as notification_settings_api
from partners.api import company as partners_api
from partners.api import company_invitations as partners_invitations
from partners.api import owner as partners_owner_api
from partners.api import settlement as partners_settlement
from payments import api as payments_api
from payments.api import card_page
from subscriptions import api as subscriptions_api
from tenants.activities import api as activities_api
from tenants.estates import api as estates_api
from tenants.feedback import api as feedback_api
from tenants.imports import api as imports_api
from tenants.notices import api as notices_api
from tenants.repairs import api as repairs_api
from tenants.residents import api as residents_api
from tenants.staff import api as staff_api
from tenants.vendor_orders import api as vendor_orders_api

router = SimpleRouter(trailing_slash=True)
router.register("users", accounts_api.UserViewSet, basename="user")
router.register("owner-accounts", accounts_api.OwnerAccountViewSet, basename="owner-account")
router.register("house-bindings", residents_api.HouseBindingViewSet, basename="house-binding")
router.register("imports", imports_api.ImportViewSet, basename="import")
router.register("departments", staff_api.DepartmentViewSet, basename="department")
router.register("posts", staff_api.PostViewSet, basename="post")
router.register("shifts", staff_api.ShiftViewSet, basename="shift")
router.register("staff-profiles", staff_api.StaffProfileViewSet, basename="staff-profile")
router.register("roster", staff_api.RosterViewSet, basename="roster")
router.register("estates", estates_api.EstateViewSet, basename="estate")
router.register("buildings", estates_api.BuildingViewSet, basename="building")
router.register("houses", estates_api.HouseViewSet, basename="house")
router.register("residents", residents_api.PersonViewSet, basename="resident")
router.register("occupancies", residents_api.OccupancyViewSet, basename="occupancy")
router.register("resident-corrections", residents_api.CorrectionViewSet, basename="resident-correction")
router.register("notifications", notifications_api.StaffInboxViewSet, basename="notification")
router.register("owner/notifications", notifications_api.OwnerInboxViewSet, basename="owner-notification")
router.register("notification-deliveries", notifications_api.DeliveryViewSet, basename="notification-delivery")
router.register(
    "notification-wechat-templates",
    notifications_wechat_api.WechatTemplateViewSet,
    basename="notification-wechat-template",
)
router.register("repair-categories", repairs_api.RepairCategoryViewSet, basename="repair-category")
router.register("repair-orders", repairs_api.RepairOrderViewSet, basename="repair-order")
router.register("repair-dispatch-rules", repairs_api.DispatchRuleViewSet, basename="repair-dispatch-rule")
router.register("repair-work", repairs_api.RepairWorkViewSet, basename="repair-work")
router.register("owner/repairs", repairs_api.OwnerRepairViewSet, basename="owner-repair")
router.register("feedback", feedback_api.FeedbackViewSet, basename="feedback")
router.register("owner/feedback", feedback_api.OwnerFeedbackViewSet, basename="owner-feedback")
router.register("notices", notices_api.NoticeViewSet, basename="notice")
router.register("owner/notices", notices_api.OwnerNoticeViewSet, basename="owner-notice")
router.register("activities", activities_api.ActivityViewSet, basename="activity")
router.register("owner/activities", activities_api.OwnerActivityViewSet, basename="owner-activity")
router.register("owner/activity-signups", activities_api.OwnerSignUpViewSet, basename="owner-activity-signup")
router.register("partner-admissions", partners_api.PartnerAdmissionViewSet, basename="partner-admission")
router.register("partner-invitations", partners_invitations.PartnerInvitationViewSet, basename="partner-invitation")
router.register("vendor-orders", vendor_orders_api.VendorOrderViewSet, basename="vendor-order")
router.register("owner/vendors", partners_owner_api.OwnerVendorViewSet, basename="owner-vendor")
router.register("owner/vendor-orders", vendor_orders_api.OwnerVendorOrderViewSet, basename="owner-vendor-order")
billing_paths = billing_routes.register(router)

api_v1: list[URLPattern | URLResolver] = [
    path("auth/login/", accounts_api.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/wechat/", accounts_api.WeChatLoginView.as_view(), name="auth-wechat"),
    path("auth/sms/send/", accounts_api.SmsSendView.as_view(), name="auth-sms-send"),
    path("auth/sms/login/", accounts_api.SmsLoginView.as_view(), name="auth-sms-login"),
    path("auth/session/", accounts_api.SessionView.as_view(), name="auth-session"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("me/password/", accounts_api.ChangePasswordView.as_view(), name="me-password"),
    path("auth/password/forgot/", accounts_api.ForgotPasswordView.as_view(), name="auth-password-forgot"),
    path("auth/password/reset/", accounts_api.ResetPasswordView.as_view(), name="auth-password-reset"),
    path("auth/password/invitation/", accounts_api.AcceptInvitationView.as_view(), name="auth-password-invitation"),
    path("audit-events/", accounts_api.AuditEventList.as_view(), name="audit-events"),
    path("jobs/<uuid:pk>/", core_api.JobDetailView.as_view(), name="job-detail"),
    path("settings/branding/", companies_api.BrandingView.as_view(), name="branding"),
    path("settings/branding/logo/", companies_api.BrandingLogoView.as_view(), name="branding-logo"),
    path("settings/agreements/", companies_api.AgreementSettingsView.as_view(), name="agreement-settings"),
    path("site/agreements/<str:kind>/", companies_api.AgreementView.as_view(), name="site-agreement"),
    path("subscription/", subscriptions_api.SubscriptionView.as_view(), name="subscription"),
    path("subscription/checkout/", subscriptions_api.CheckoutView.as_view(), name="subscription-checkout"),
    path("subscription/portal/", subscriptions_api.PortalView.as_view(), name="subscription-portal"),
    path("subscription/invoices/", subscriptions_api.InvoiceList.as_view(), name="subscription-invoices"),
    path("owner/estates/", residents_api.OwnerEstateList.as_view(), name="owner-estates"),
    path("owner/estates/<int:estate_id>/houses/", residents_api.OwnerHouseSearch.as_view(), name="owner-houses"),
    path("owner/bindings/", residents_api.OwnerBindingList.as_view(), name="owner-bindings"),
    path("imports/templates/<str:kind>/", imports_api.ImportTemplateView.as_view(), name="import-template"),
    path("owner/houses/", residents_api.OwnerHouses.as_view(), name="owner-houses-mine"),
    path("owner/profile/", residents_api.OwnerProfile.as_view(), name="owner-profile"),
    path("owner/profile/corrections/", residents_api.OwnerCorrections.as_view(), name="owner-corrections"),
    path(
        "owner/notification-preferences/",
        notifications_api.OwnerPreferenceView.as_view(),
        name="owner-notification-preferences",
    ),
    path(
        "owner/wechat-subscriptions/",
        notifications_wechat_api.OwnerWechatSubscriptionView.as_view(),
        name="owner-wechat-subscriptions",
    ),
    path(
        "notification-preferences/",
        notifications_api.StaffPreferenceView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notification-templates/", notification_settings_api.TemplateListView.as_view(), name="notification-templates"
    ),
    path(
        "notification-templates/<str:event>/preview/",
        notification_settings_api.TemplatePreviewView.as_view(),
        name="notification-template-preview",
    ),
    path(
        "notification-templates/<str:event>/<str:channel>/<str:language>/",
        notification_settings_api.TemplateView.as_view(),
        name="notification-template",
    ),
    path("notification-settings/", notification_settings_api.SettingsView.as_view(), name="notification-settings"),
    path("owner/repair-categories/", repairs_api.OwnerRepairCategoryList.as_view(), name="owner-repair-categories"),
    path("repair-settings/", repairs_api.RepairSettingsView.as_view(), name="repair-settings"),
    *repairs_api.PHOTO_PATHS,
    path("notice-unread-houses/", notices_api.NoticeUnreadHouseList.as_view(), name="notice-unread-houses"),
    path("notice-images/", notices_api.NoticeImageUpload.as_view(), name="notice-image-upload"),
    path("repair-stats/", repairs_api.RepairStatsView.as_view(), name="repair-stats"),
    path("activities/<int:activity_id>/signups/", activities_api.ActivitySignUpList.as_view(), name="activity-signups"),
    path("repair-workers/", repairs_api.RepairWorkerList.as_view(), name="repair-workers"),
    path("partner-settlement/", partners_settlement.CompanySettlement.as_view(), name="partner-settlement"),
    path("feedback-settings/", feedback_api.FeedbackSettingsView.as_view(), name="feedback-settings"),
    path("feedback-stats/", feedback_api.FeedbackStatsView.as_view(), name="feedback-stats"),
    path("feedback-handlers/", feedback_api.FeedbackHandlerList.as_view(), name="feedback-handlers"),
    *feedback_api.PHOTO_PATHS,
    path("repair-work/<int:pk>/contact/", repairs_api.RepairWorkContact.as_view(), name="repair-work-contact"),
    path("attendance/today/", staff_api.TodayView.as_view(), name="attendance-today"),
    path("attendance/clock-in/", staff_api.ClockInView.as_view(), name="attendance-clock-in"),
    path("attendance/clock-out/", staff_api.ClockOutView.as_view(), name="attendance-clock-out"),
    path("attendance/duty/", staff_api.MyDutyView.as_view(), name="attendance-duty"),
    path("attendance/mine/", staff_api.MyAttendanceList.as_view(), name="attendance-mine"),
    path("attendance-records/", staff_api.AttendanceRecordList.as_view(), name="attendance-records"),
    path("attendance-sheet/", staff_api.AttendanceSheetView.as_view(), name="attendance-sheet"),
    path("staff-performance/", staff_api.PerformanceView.as_view(), name="staff-performance"),
    *billing_paths,
    *payments_api.PATHS,
    path("", include(router.urls)),
]

urlpatterns = [
    *urls_common.urlpatterns,
    path("api/v1/", include(api_v1)),
    path("h5/", views.owner_app, name="owner-app"),
    path("h5/<path:path>", views.owner_app),
    *card_page.PATHS,  # the owner's card page (Stripe.js), server-rendered on this host
    re_path(r"^(?!api/|static/|media/|h5/|pay/).*$", views.spa_index),
]

# Every host answers errors the same way (JSON under /api/).
handler400, handler403, handler404, handler500 = urls_common.error_handlers
