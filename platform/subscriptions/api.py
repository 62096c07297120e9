"""The company's 订阅与套餐 (its own host) and Stripe's webhook endpoint (the public host)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import PUBLIC
from companies.models import Plan, SubscriptionStatus
from payments.gateways import GatewayError
from payments.services.notifications import Refused
from subscriptions import gateway, selectors
from subscriptions.models import SubscriptionInvoice
from subscriptions.services import checkout, webhooks

MANAGE = "settings.manage"


class SubscriptionPlanSerializer(serializers.ModelSerializer):
    purchasable = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["code", "name", "max_houses", "max_staff", "monthly_price", "purchasable"]

    def get_purchasable(self, plan: Plan) -> bool:
        return bool(plan.stripe_price_id)


class PlanUsageSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["houses", "staff"])
    used = serializers.IntegerField()
    limit = serializers.IntegerField()


class SubscriptionOverviewSerializer(serializers.Serializer):
    plan = SubscriptionPlanSerializer(source="subscription.plan")
    status = serializers.ChoiceField(
        source="state", choices=SubscriptionStatus.choices, help_text="As of now, clocks applied"
    )
    trial_ends_at = serializers.DateTimeField(source="subscription.trial_ends_at", allow_null=True)
    trial_days_left = serializers.IntegerField(allow_null=True)
    grace_ends_at = serializers.DateTimeField(source="subscription.grace_ends_at", allow_null=True)
    current_period_end = serializers.DateTimeField(source="subscription.current_period_end", allow_null=True)
    can_manage_card = serializers.SerializerMethodField()
    usage = PlanUsageSerializer(many=True)
    plans = SubscriptionPlanSerializer(many=True)

    def get_can_manage_card(self, overview: selectors.Overview) -> bool:
        return bool(overview.subscription.stripe_customer_id)


class SubscriptionCheckoutSerializer(serializers.Serializer):
    plan = serializers.SlugField(max_length=30)


class SubscriptionRedirectSerializer(serializers.Serializer):
    url = serializers.URLField()


class SubscriptionInvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubscriptionInvoice
        fields = [
            "id",
            "number",
            "status",
            "currency",
            "amount_due",
            "amount_paid",
            "period_start",
            "period_end",
            "hosted_invoice_url",
            "issued_at",
        ]


def _return_url(request) -> str:
    return request.build_absolute_uri("/settings/subscription")


class SubscriptionView(APIView):
    """The company's plan, its state as of now, usage against the plan's limits, and the plans to pick."""

    required_permission = MANAGE

    @extend_schema(responses=SubscriptionOverviewSerializer)
    def get(self, request):
        overview = selectors.overview(request.tenant)
        if overview is None:
            raise NotFound(_("没有订阅信息。"))
        return Response(SubscriptionOverviewSerializer(overview).data)


class CheckoutView(APIView):
    """Subscribe to a plan (a Stripe Checkout Session to send the browser to), or — with a live
    subscription — change to it in place (the URL is then the subscription page, ?checkout=changed)."""

    required_permission = MANAGE
    error_statuses = {"post": (409, 503)}

    @extend_schema(request=SubscriptionCheckoutSerializer, responses=SubscriptionRedirectSerializer)
    def post(self, request):
        form = SubscriptionCheckoutSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        url = checkout.start_checkout(
            company=request.tenant,
            plan_code=form.validated_data["plan"],
            actor=request.user,
            return_url=_return_url(request),
        )
        return Response({"url": url})


class PortalView(APIView):
    """Stripe's Billing portal for the card and past invoices."""

    required_permission = MANAGE
    error_statuses = {"post": (409, 503)}

    @extend_schema(request=None, responses=SubscriptionRedirectSerializer)
    def post(self, request):
        return Response({"url": checkout.portal_url(company=request.tenant, return_url=_return_url(request))})


class InvoiceList(generics.ListAPIView):
    """The subscription's invoices, as Stripe's webhooks reported them, newest first."""

    required_permission = MANAGE
    serializer_class = SubscriptionInvoiceSerializer
    queryset = SubscriptionInvoice.objects.none()  # (for the API document; the rows: get_queryset)

    def get_queryset(self):
        return selectors.invoices_of(self.request.tenant)


class StripeWebhookAnswerSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField()


class StripeWebhookView(APIView):
    """Stripe's events (public host): the subscription's, and owners' card payments routed to their
    company. The signature is the authentication; 400 when it fails or the event is refused (404: its
    order is not its company's), 503 when Stripe could not be asked for the current state (Stripe
    delivers again)."""

    required_permission = PUBLIC
    authentication_classes: list = []
    error_statuses = {"post": (400, 404, 503)}

    @extend_schema(request=None, responses=StripeWebhookAnswerSerializer)
    def post(self, request):
        try:
            outcome = webhooks.receive(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        except Refused as refused:
            return Response({"code": "refused", "message": _("事件未被接受。"), "fields": {}}, status=refused.status)
        except GatewayError as exc:
            if not exc.unreachable:  # Stripe answered: it has no such PaymentIntent
                return Response({"code": "refused", "message": _("事件未被接受。"), "fields": {}}, status=400)
            return Response(
                {"code": "gateway_unavailable", "message": _("暂时无法处理，请稍后重发。"), "fields": {}}, status=503
            )
        except gateway.GatewayUnavailable:
            return Response(
                {"code": "gateway_unavailable", "message": _("暂时无法处理，请稍后重发。"), "fields": {}}, status=503
            )
        return Response({"received": True, "outcome": outcome})
