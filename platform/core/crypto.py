"""Field encryption at rest (AES-256-GCM) and blind indexes for exact-match lookup.

Every company gets its own data key, derived (HKDF) from the master key and the schema name, and
the schema name is bound into each ciphertext as associated data: a value copied from one company's
table into another's does not decrypt. Ciphertexts carry their key id ("v1:<kid>:<nonce+ct>") so
master keys can be rotated: the first configured key encrypts, every configured key decrypts.
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


@lru_cache(maxsize=1)
def _master_keys() -> tuple[tuple[str, bytes], ...]:
    configured = getattr(settings, "WUYE_DATA_KEYS", "")
    keys: list[tuple[str, bytes]] = []
    for item in filter(None, (part.strip() for part in configured.split(","))):
        kid, _, b64 = item.partition(":")
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
        if len(raw) != 32:
            raise ValueError(f"WUYE_DATA_KEYS entry {kid!r} must be 32 bytes")
        keys.append((kid, raw))
    if not keys:
        # Local default: derived from SECRET_KEY, which .data/ keeps stable across runs.
        keys.append(("local", hashlib.sha256(b"wuye-data-key:" + settings.SECRET_KEY.encode()).digest()))
    return tuple(keys)


@lru_cache(maxsize=4096)
def _derived(kid: str, schema: str, purpose: bytes) -> bytes:
    master = dict(_master_keys())[kid]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose + b":" + schema.encode()).derive(master)


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


def blind_index(value: str, *, purpose: str, schema: str | None = None) -> str:
    """A keyed hash for finding a row by exact value (phone, ID number) without decrypting all rows."""
    schema = schema or _schema()
    kid, _ = _master_keys()[0]
    key = _derived(kid, schema, b"idx:" + purpose.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
