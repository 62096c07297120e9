from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import BlindIndexField, EncryptedTextField
from core.masking import mask_contact, mask_id_number, mask_phone
from tenants.estates.models import House


class Relation(models.TextChoices):
    OWNER = "owner", _("业主")
    FAMILY = "family", _("家庭成员")
    RENTER = "renter", _("租户")


class Gender(models.TextChoices):
    UNKNOWN = "", _("未填")
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class DocumentType(models.TextChoices):
    """证件类型 — what an identity document number is. A resident ID card is 18 characters, or 15
    digits for a first-generation card (indexed by its 18-digit form: core.identity.document_key)."""

    ID_CARD = "id_card", _("居民身份证")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    OTHER = "other", _("其他证件")


EMERGENCY_CONTACT_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 200


class Person(models.Model):
    """住户档案 — an owner, family member or renter, whether or not they use the mini-program.

    Phone and ID number are encrypted; their blind indexes (HMAC, per company) find a person by the
    exact value without decrypting every row. Lists show them masked; whole values are revealed
    only to roles holding `pii.reveal`, and every reveal is audited. The emergency contact (a third
    person's name and number, free text) is kept the same way, without an index.
    """

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True, default="")
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    phone_index = BlindIndexField(source="phone", purpose="phone", default="", db_index=True)
    id_type = models.CharField(
        _("证件类型"), max_length=16, choices=DocumentType.choices, blank=True, default="", db_default=""
    )
    id_number = EncryptedTextField(_("证件号码"), blank=True, default="")
    # Indexed with its type (core.identity.document_key): one person per document.
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", qualifier="id_type", default="")
    # Kept masked beside the ciphertext so lists never decrypt (and exports never leak) a value.
    phone_masked = models.CharField(max_length=20, blank=True, default="")
    id_number_masked = models.CharField(max_length=24, blank=True, default="")
    emergency_contact = EncryptedTextField(_("紧急联系人"), blank=True, default="")
    emergency_contact_masked = models.CharField(max_length=200, blank=True, default="")
    note = models.CharField(_("备注"), max_length=NOTE_MAX_LENGTH, blank=True, default="")
    # The mini-program account of this person, once they have bound a house.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # One person per ID number in a company: the natural key imports match on.
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="person_id_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    def set_phone(self, phone: str, index: str) -> None:
        self.phone, self.phone_index, self.phone_masked = phone, index, mask_phone(phone)

    def set_id_number(self, id_number: str, index: str, id_type: str = DocumentType.ID_CARD) -> None:
        self.id_number, self.id_number_index = id_number, index
        self.id_type = id_type if id_number else ""
        self.id_number_masked = mask_id_number(id_number)

    def set_emergency_contact(self, contact: str) -> None:
        self.emergency_contact = contact
        self.emergency_contact_masked = mask_contact(contact)[:200]


class Occupancy(models.Model):
    """房屋住户关系 — a person's relation to a house over time. Moving out closes the row; history stays.

    Several owners may share a house (`share`, percent); one current occupant per house is the
    primary payer whom bills are addressed to.
    """

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="occupancies")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="occupancies")
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    share = models.DecimalField(_("产权份额(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    is_primary_payer = models.BooleanField(_("主缴费人"), default=False)
    # Unknown when an imported file left it blank: never guessed as the import day.
    moved_in = models.DateField(_("入住日期"), null=True, blank=True)
    moved_out = models.DateField(_("迁出日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["house_id", "moved_out", "-is_primary_payer", "relation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "person", "relation"],
                condition=Q(moved_out__isnull=True),
                name="occupancy_current_once",
            ),
            models.UniqueConstraint(
                fields=["house"],
                condition=Q(moved_out__isnull=True, is_primary_payer=True),
                name="occupancy_one_primary_payer",
            ),
            models.CheckConstraint(
                condition=Q(moved_out__isnull=True) | Q(moved_out__gte=F("moved_in")), name="occupancy_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | Q(relation="owner", share__gt=0, share__lte=100),
                name="occupancy_share_owner_percent",
            ),
        ]
        indexes = [models.Index(fields=["person", "moved_out"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} {self.house_id}"

    @property
    def is_current(self) -> bool:
        return self.moved_out is None


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class CorrectionRequest(models.Model):
    """An owner's request to change identity fields (name, ID number); staff approve before it applies."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    name = models.CharField(_("新姓名"), max_length=50, blank=True, default="")
    id_number = EncryptedTextField(_("新身份证号"), blank=True, default="")
    id_number_masked = models.CharField(max_length=24, blank=True, default="")
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    reason = models.CharField(_("驳回原因"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="correction_one_pending_per_person"
            ),
            models.CheckConstraint(condition=~Q(name="", id_number=""), name="correction_changes_something"),
        ]

    def __str__(self) -> str:
        return f"correction {self.pk} of {self.person_id} ({self.status})"


class BindingStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class HouseBinding(models.Model):
    """绑定申请 — a mini-program user asks to be linked to a house; staff approve or reject it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="house_bindings")
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="bindings")
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    status = models.CharField(max_length=10, choices=BindingStatus.choices, default=BindingStatus.PENDING)
    reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    via_code = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open or granted link per user and house; a rejected one may be asked again.
            models.UniqueConstraint(
                fields=["user", "house"], condition=~Q(status="rejected"), name="binding_once_per_user_house"
            ),
            models.CheckConstraint(
                condition=Q(status="rejected") | Q(reason=""), name="binding_reason_only_when_rejected"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.house_id} ({self.status})"
