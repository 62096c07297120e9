import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHINESE_MOBILE = RegexValidator(r"^1[3-9]\d{9}$", gettext_lazy("请输入有效的中国大陆手机号（11 位，以 1 开头）。"))


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password: str, user: object = None) -> None:
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_letters_digits")

    def get_help_text(self) -> str:
        return _("密码须同时包含字母和数字。")
