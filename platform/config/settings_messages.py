"""Messages to people, imported by config.settings: SMS (login and password codes, invitations),
the password-code and invitation limits, and mail. With the demo switch SMS goes to its local
stand-in and mail to the console."""

from __future__ import annotations

from config.switches import DEMO, env

__all__ = [
    "DEFAULT_FROM_EMAIL",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_USER",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "PASSWORD_CODE_MAX_ATTEMPTS",
    "PASSWORD_CODE_TTL_SECONDS",
    "PASSWORD_INVITE_TTL_HOURS",
    "PASSWORD_RESET_LIMITS",
    "PASSWORD_RESET_LIMITS_PER_ADDRESS",
    "PASSWORD_VERIFY_LIMITS",
    "SMS_BACKEND",
    "SMS_CODES_PER_PHONE_PER_DAY",
    "SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES",
    "SMS_CODE_MAX_ATTEMPTS",
    "SMS_CODE_TTL_SECONDS",
    "TENCENT_SMS",
]

# "tencent" (Tencent Cloud SMS API 3.0) or "standin" (the same adapter against the local stand-in).
SMS_BACKEND = env("WUYE_SMS_BACKEND", default="standin" if DEMO else "tencent")
TENCENT_SMS = {
    "SECRET_ID": env("TENCENT_SMS_SECRET_ID", default=""),
    "SECRET_KEY": env("TENCENT_SMS_SECRET_KEY", default=""),
    "SDK_APP_ID": env("TENCENT_SMS_SDK_APP_ID", default=""),
    "SIGN_NAME": env("TENCENT_SMS_SIGN_NAME", default=""),
    # Our template name -> the approved template's ID, e.g. "login_code=1234567".
    "TEMPLATE_IDS": env.dict("TENCENT_SMS_TEMPLATE_IDS", default={}),
    "REGION": env("TENCENT_SMS_REGION", default="ap-guangzhou"),
    "ENDPOINT": env("TENCENT_SMS_ENDPOINT", default="https://sms.tencentcloudapi.com/"),
}
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_MAX_ATTEMPTS = 5
# Login codes per destination number, besides one a minute (accounts.owner_login._count_code_to).
SMS_CODES_PER_PHONE_PER_DAY = 10
SMS_CODES_PER_PHONE_PER_DAY_ALL_COMPANIES = 20
# Passwords (accounts.passwords): a reset code lives 10 minutes and survives 5 wrong tries; an
# invitation link 72 hours. Requests per typed name (and per real account, silently) and per
# address; the destination shares the SMS caps above.
PASSWORD_CODE_TTL_SECONDS = 600
PASSWORD_CODE_MAX_ATTEMPTS = 5
PASSWORD_INVITE_TTL_HOURS = 72
PASSWORD_RESET_LIMITS = ["1/m", "5/h", "10/d"]
PASSWORD_RESET_LIMITS_PER_ADDRESS = ["20/h"]
PASSWORD_VERIFY_LIMITS = ["10/m", "30/h"]
# Mail (reset codes and invitations to an email address): SMTP from EMAIL_HOST etc.; the demo
# prints mail to the console.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEMO else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
