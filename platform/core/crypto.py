"""Field encryption at rest (AES-256-GCM) and blind indexes for exact-match lookup.

Every company gets its own data key, derived (HKDF) from the master key and the schema name, and
the schema name is bound into each ciphertext as associated data: a value copied from one company's
table into another's does not decrypt. Ciphertexts carry their key id ("v1:<kid>:<nonce+ct>") so
master keys can be rotated: the first configured key encrypts, every configured key decrypts.

Rotation, step by step: put the new key first (`WUYE_DATA_KEYS="k2:…,k1:…"`) and restart every
process; run `manage.py rotate_data_keys` (re-encrypts every encrypted column and recomputes every
blind index under k2, company by company, resumable); then drop k1. A blind index cannot say which
key made it, so while both keys are configured a lookup asks for the value's index under each
(`blind_indexes`, `WHERE index IN (…)`), and nothing stops finding rows the command has not reached.

Production (DEBUG off, not the demo) refuses to start on a key derived from SECRET_KEY or on a
default SECRET_KEY (`data_key_problems`, a guard in core.adapters' startup registry). An
installation that ran on the derived key lists it by value behind the new one,
`WUYE_DATA_KEYS="k1:<new>,local:<old derived key>"` (README), rotates, and then drops it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connection

PREFIX = "v1"


class DecryptionError(Exception):
    pass


LOCAL_KID = "local"


def _local_key() -> bytes:
    return hashlib.sha256(b"wuye-data-key:" + settings.SECRET_KEY.encode()).digest()


def parse_keys(configured: str) -> tuple[tuple[str, bytes], ...]:
    """`WUYE_DATA_KEYS` → ((kid, 32-byte key), ...). The bare entry `local` stands for the key derived
    from SECRET_KEY, so an installation that ran on it can list it behind a real key and rotate away."""
    keys: list[tuple[str, bytes]] = []
    for item in filter(None, (part.strip() for part in configured.split(","))):
        kid, _, b64 = item.partition(":")
        if kid == LOCAL_KID and not b64:
            keys.append((kid, _local_key()))
            continue
        if not kid or not b64:
            raise ValueError(f"WUYE_DATA_KEYS entry {kid!r} must be kid:base64(32 bytes)")
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        if len(raw) != 32:
            raise ValueError(f"WUYE_DATA_KEYS entry {kid!r} must be 32 bytes")
        keys.append((kid, raw))
    kids = [kid for kid, _ in keys]
    if len(set(kids)) != len(kids):
        raise ValueError("WUYE_DATA_KEYS names a key id twice")
    return tuple(keys)


@lru_cache(maxsize=1)
def _master_keys() -> tuple[tuple[str, bytes], ...]:
    # Unset: derived from SECRET_KEY, which .data/ keeps stable across local runs. Production
    # refuses to start on it (data_key_problems).
    return parse_keys(getattr(settings, "WUYE_DATA_KEYS", "")) or ((LOCAL_KID, _local_key()),)


def reset_keys() -> None:
    """Forget the loaded keys (after changing settings in tests or a shell)."""
    _master_keys.cache_clear()
    _derived_from.cache_clear()


@lru_cache(maxsize=4096)
def _derived_from(master: bytes, schema: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose + b":" + schema.encode()).derive(master)


def _derived(kid: str, schema: str, purpose: bytes) -> bytes:
    return _derived_from(dict(_master_keys())[kid], schema, purpose)


def _schema() -> str:
    return getattr(connection, "schema_name", "public") or "public"


def encrypt(plaintext: str, *, schema: str | None = None) -> str:
    schema = schema or _schema()
    kid, _ = _master_keys()[0]
    nonce = os.urandom(12)
    ct = AESGCM(_derived(kid, schema, b"enc")).encrypt(nonce, plaintext.encode(), schema.encode())
    return f"{PREFIX}:{kid}:{base64.urlsafe_b64encode(nonce + ct).decode()}"


def decrypt(token: str, *, schema: str | None = None) -> str:
    schema = schema or _schema()
    try:
        prefix, kid, b64 = token.split(":", 2)
        if prefix != PREFIX:
            raise DecryptionError("unknown ciphertext version")
        blob = base64.urlsafe_b64decode(b64)
        return AESGCM(_derived(kid, schema, b"enc")).decrypt(blob[:12], blob[12:], schema.encode()).decode()
    except DecryptionError:
        raise
    except Exception as exc:  # wrong key, wrong schema, tampered or truncated
        raise DecryptionError("cannot decrypt value") from exc


def current_key_id() -> str:
    """The key new values are encrypted and indexed under."""
    return _master_keys()[0][0]


def key_id_of(token: str) -> str:
    """The key a stored ciphertext was made with ("" when it is not one of ours)."""
    prefix, _, rest = token.partition(":")
    return rest.partition(":")[0] if prefix == PREFIX else ""


def _index_under(kid: str, value: str, purpose: str, schema: str) -> str:
    key = _derived(kid, schema, b"idx:" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str, *, purpose: str, schema: str | None = None) -> str:
    """A keyed hash for finding a row by exact value (phone, ID number) without decrypting all rows.

    The index to store: under the first (current) key. To find a row, use `blind_indexes`."""
    return _index_under(current_key_id(), value, purpose, schema or _schema())


def blind_indexes(value: str, *, purpose: str, schema: str | None = None) -> tuple[str, ...]:
    """The value's index under every configured key, the current one first: what a lookup matches
    (`index__in=…`), so rows indexed before a key rotation are still found until they are re-keyed."""
    schema = schema or _schema()
    return tuple(_index_under(kid, value, purpose, schema) for kid, _ in _master_keys())


# --- production refuses keys anyone could know -------------------------------------------------

_DEFAULT_SECRETS = frozenset(
    {"change-me", "changeme", "change_me", "secret", "secret-key", "secret_key", "django", "dev", "test", "insecure"}
)
MIN_SECRET_LENGTH = 40


def data_key_problems() -> list[str]:
    """Why the configured keys are unfit to protect real data (empty when they are fine). Operators
    read these in a crash log: in both languages, not through gettext (as core.adapters does)."""
    problems = []
    secret = settings.SECRET_KEY or ""
    if (
        secret.strip().lower() in _DEFAULT_SECRETS
        or secret.startswith("django-insecure")
        or len(secret) < MIN_SECRET_LENGTH
        or len(set(secret)) < 5
    ):
        problems.append(
            f"DJANGO_SECRET_KEY 是默认值或过短，请使用至少 {MIN_SECRET_LENGTH} 个随机字符 / "
            f"DJANGO_SECRET_KEY is a known default or too short: use at least {MIN_SECRET_LENGTH} random characters "
            "(it signs sessions and login codes)."
        )
    try:
        keys = parse_keys(getattr(settings, "WUYE_DATA_KEYS", ""))
    except ValueError as exc:
        return [*problems, f"WUYE_DATA_KEYS 格式错误 / WUYE_DATA_KEYS is malformed: {exc}."]
    if not keys:
        problems.append(
            "WUYE_DATA_KEYS 未设置，个人信息将用由 DJANGO_SECRET_KEY 推导的密钥加密 / "
            "WUYE_DATA_KEYS is unset: personal data would be encrypted under a key derived from DJANGO_SECRET_KEY. "
            "Set WUYE_DATA_KEYS=kid:base64(32 random bytes)."
        )
    elif keys[0][0] == LOCAL_KID:
        problems.append(
            "WUYE_DATA_KEYS 的第一个密钥是由 DJANGO_SECRET_KEY 推导的 local / "
            "The first key of WUYE_DATA_KEYS is `local`, derived from DJANGO_SECRET_KEY: put a random key first."
        )
    elif len(set(keys[0][1])) < 8:
        problems.append(
            f"数据密钥 {keys[0][0]!r} 不是随机值 / The data key {keys[0][0]!r} is not random (a placeholder?)."
        )
    return problems
