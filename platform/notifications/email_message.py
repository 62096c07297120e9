"""A notification e-mail as a property company's owner expects it: the plain-text part and an HTML
part in the company's branding (its logo, name and primary colour), rendered in the company's
language. The company is the one whose schema is current: its branding never reaches another's mail.

The body comes from company-editable templates: it is escaped, never marked safe. The colour goes into
style attributes and the links into href/src, so each is checked first (a #rrggbb colour, an
http(s) URL) and replaced by a safe default, or left out, when it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

DEFAULT_COLOUR = "#1677ff"  # the platform's own blue, as a company's default (companies.models)
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Branding:
    name: str
    colour: str  # #rrggbb
    logo_url: str  # absolute http(s) URL; "" when the company has no logo


def safe_colour(value: object) -> str:
    """The colour when it is exactly #rrggbb, else the default (nothing else goes into a style)."""
    return value if isinstance(value, str) and HEX_COLOUR.fullmatch(value) else DEFAULT_COLOUR


def text_on(colour: str) -> str:
    """White text on the colour, unless it would read worse than 3:1 there (WCAG's contrast for large
    text; a company's pale colour): then dark text."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    colour = safe_colour(colour)
    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return "#ffffff" if 1.05 / (luminance + 0.05) >= 3 else "#1f2329"


def web_url(url: str) -> str:
    """The URL when it is an absolute http(s) one, else "" (no javascript:, data: or relative links)."""
    parts = urlsplit(url or "")
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def absolute(url: str, root: str) -> str:
    """A media URL made absolute from the company's site root (one already absolute kept as it is)."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:  # absolute already (a storage's own host), or a scheme we refuse
        return web_url(url)
    return web_url(f"{root.rstrip('/')}/{url.lstrip('/')}") if root else ""


def current_branding(fallback_name: str = "") -> Branding:
    """The current company's branding: its brand name, colour and logo (absolute from its site)."""
    from companies.selectors import company_by_schema
    from companies.services import company_url
    from core.db import current_schema

    company = company_by_schema(current_schema())
    if company is None:
        return Branding(name=fallback_name, colour=DEFAULT_COLOUR, logo_url="")
    try:
        logo = company.logo.url if company.logo else ""
    except ValueError:  # a name the storage cannot make a URL of
        logo = ""
    return Branding(
        name=company.brand_name,
        colour=safe_colour(company.primary_color),
        logo_url=absolute(logo, company_url(company.slug)),
    )


def render(*, title: str, body: str, link: str, branding: Branding, language: str) -> tuple[str, str]:
    """(text, html) of a notification e-mail, in `language`."""
    context = {
        "title": title,
        "body": body,
        "link": web_url(link),
        "company": branding.name,
        "colour": safe_colour(branding.colour),
        "on_colour": text_on(branding.colour),
        "logo_url": web_url(branding.logo_url),
        "language": language,
    }
    with translation.override(language):
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    return text, html


def message(*, subject: str, text: str, html: str, to: str) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    mail.attach_alternative(html, "text/html")
    return mail
