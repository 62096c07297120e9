import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core import text

# ASCII digits only: `\d` also matches full-width and other scripts' digits, which would be
# stored as typed and never equal the same number typed in ASCII.
CHINESE_MOBILE = RegexValidator(r"^1[3-9][0-9]{9}$", gettext_lazy("请输入有效的中国大陆手机号（11 位，以 1 开头）。"))

# Usernames staff choose: lower-case ASCII, so `Admin` is `admin` and a Cyrillic `а` that looks
# like a Latin one cannot make a second "admin". The owner app's own accounts (wx_…, m_…) are
# named by the system, never through this rule, and their prefixes are kept for them.
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
SYSTEM_USERNAME_PREFIXES = ("wx_", "m_")
# Names a founder may not give the company's first admin: the ones every attacker tries first.
RESERVED_USERNAMES = frozenset(
    {"admin", "administrator", "root", "system", "support", "superuser", "sysadmin", "test", "guest", "user"}
)


def normalise_phone(value: object) -> str:
    """'138 1234 5678', '+86 13812345678', '１３８…' (full-width), 13812345678.0 from Excel → '13812345678'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    phone = re.sub(r"[\s\-]", "", text.fold_width(str(value)))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def normalise_username(value: str) -> str:
    return text.normalise(value).lower()


def username_problem(username: str) -> str | None:
    """None when `username` (already normalised) may be chosen for a staff account."""
    if not USERNAME_RE.match(username):
        return _("用户名须为 2 到 60 位小写字母、数字、点、下划线或连字符，以字母或数字开头。")
    if username.startswith(SYSTEM_USERNAME_PREFIXES):
        return _("以 wx_ 或 m_ 开头的用户名为系统保留。")
    return None


def founder_username_problem(username: str) -> str | None:
    """None when `username` (already normalised) may name a company's first admin."""
    if problem := username_problem(username):
        return problem
    if username in RESERVED_USERNAMES:
        return _("该用户名过于常见、容易被猜到，请另选一个。")
    return None


class PhoneField(serializers.CharField):
    """A mainland mobile number, normalised before it is checked (so it is stored and indexed
    in one form whatever way it was typed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.validators.append(CHINESE_MOBILE)

    def to_internal_value(self, data):
        return normalise_phone(super().to_internal_value(data))


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password: str, user: object = None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_letters_digits")

    def get_help_text(self) -> str:
        return _("密码须同时包含字母和数字。")
