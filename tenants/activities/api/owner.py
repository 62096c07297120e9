"""Owners: the published activities for their houses' estates, signing up and cancelling, and their
own sign-ups with the check-in code (shown only once a seat is confirmed)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import DomainError
from tenants.activities import selectors, services
from tenants.activities.models import ACTIVE, Activity, SignUp, SignUpStatus
from tenants.estates.models import House


class MySignUpSerializer(serializers.ModelSerializer):
    house_label = serializers.CharField(source="house.label", read_only=True)
    waiting_position = serializers.SerializerMethodField()
    check_in_code = serializers.SerializerMethodField()
    activity_title = serializers.CharField(source="activity.title", read_only=True)
    activity_start_at = serializers.DateTimeField(source="activity.start_at", read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "activity_title",
            "activity_start_at",
            "house",
            "house_label",
            "people",
            "contact_name",
            "status",
            "waiting_position",
            "check_in_code",
            "checked_in_at",
            "fee_total",
            "charge_status",
            "created_at",
        ]
        read_only_fields = fields

    fee_total = serializers.SerializerMethodField(help_text="Fee × people of a paid activity (yuan), else null.")
    charge_status = serializers.SerializerMethodField(
        help_text="The fee's charge in the owner's bills: unpaid, partial, paid, overdue, cancelled; null if none."
    )

    def get_fee_total(self, signup: SignUp) -> str | None:
        fee = signup.activity.fee
        return f"{fee * signup.people:.2f}" if fee > 0 else None

    def get_charge_status(self, signup: SignUp) -> str | None:
        return selectors.charge_status(signup)

    def get_waiting_position(self, signup: SignUp) -> int | None:
        return selectors.waiting_position(signup)

    def get_check_in_code(self, signup: SignUp) -> str | None:
        return signup.check_in_code if signup.status == SignUpStatus.CONFIRMED else None


class OwnerActivitySerializer(serializers.ModelSerializer):
    confirmed_people = serializers.IntegerField(read_only=True, default=0)
    waiting_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "cover_url",
            "start_at",
            "end_at",
            "place",
            "capacity",
            "signup_deadline",
            "max_people",
            "fee",
            "status",
            "confirmed_people",
            "waiting_count",
        ]
        read_only_fields = fields


class OwnerActivityDetailSerializer(OwnerActivitySerializer):
    my_signup = serializers.SerializerMethodField()

    class Meta(OwnerActivitySerializer.Meta):
        fields = [*OwnerActivitySerializer.Meta.fields, "description", "my_signup"]
        read_only_fields = fields

    @extend_schema_field(MySignUpSerializer(allow_null=True))
    def get_my_signup(self, activity: Activity) -> dict | None:
        mine = _my_live_signup(activity, self.context["request"].user)
        return MySignUpSerializer(mine).data if mine is not None else None


def _my_live_signup(activity: Activity, user) -> SignUp | None:
    return (
        SignUp.objects.filter(activity=activity, user=user, status__in=ACTIVE)
        .select_related("house", "activity")
        .first()
    )


class SignUpRequestSerializer(serializers.Serializer):
    people = serializers.IntegerField(min_value=1, max_value=100, default=1)
    house = serializers.PrimaryKeyRelatedField(
        queryset=House.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="One of the owner's houses; the first one in the activity's estates by default.",
    )
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class OwnerActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """社区活动 for the owner: published ones for the company or their houses' estates."""

    required_permission = "owner.self"
    error_statuses = {"sign_up": [409], "cancel_signup": [409]}

    def get_serializer_class(self):
        return OwnerActivitySerializer if self.action == "list" else OwnerActivityDetailSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Activity.objects.none()
        return selectors.visible_to(self.request.user)

    def _detail(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=activity.pk)
        return Response(OwnerActivityDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=SignUpRequestSerializer, responses={201: OwnerActivityDetailSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request, pk=None):
        activity = self.get_object()
        form = SignUpRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.sign_up(activity=activity, user=request.user, **form.validated_data)
        return self._detail(activity, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OwnerActivityDetailSerializer)
    @action(detail=True, methods=["post"], url_path="cancel-signup", url_name="cancel-signup")
    def cancel_signup(self, request, pk=None):
        activity = self.get_object()
        mine = _my_live_signup(activity, request.user)
        if mine is None:
            raise DomainError(_("您没有该活动的报名。"), code="no_signup", status_code=409)
        services.cancel_signup(signup=mine, actor=request.user)
        return self._detail(activity)


class OwnerSignUpViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """我的报名: the owner's sign-ups, newest first, with the check-in code of the confirmed ones."""

    serializer_class = MySignUpSerializer
    required_permission = "owner.self"
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return SignUp.objects.none()
        return selectors.owner_signups(self.request.user)
