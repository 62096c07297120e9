"""WeChat Pay API v3 cryptography, with `cryptography` directly (wechatpayv3 downloads platform
certificates over the network when it starts; this needs nothing but the keys).

- our requests: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,
  serial_no=…`, the signature SHA256withRSA (PKCS#1 v1.5) over "METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n"
  with the merchant's private key;
- answers and notifications: `Wechatpay-Signature` over "TIMESTAMP\\nNONCE\\nBODY\\n" (the raw bytes),
  checked with the WeChat Pay public key (or platform certificate) named by `Wechatpay-Serial`;
- notification resources: AEAD_AES_256_GCM with the 32-byte API v3 key, 12-byte nonce, associated data;
- the mini-program's requestPayment: paySign over "APPID\\nTIMESTAMP\\nNONCE\\nPACKAGE\\n".
"""

from __future__ import annotations

import base64
import functools
import re
import secrets
import time
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509 import load_pem_x509_certificate

from core import text
from payments.gateways import VerificationFailed

SCHEMA = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW_SECONDS = 300  # WeChat Pay's own rule for request timestamps; we hold its answers to it too
_AUTH_PART = re.compile(r'(\w+)="([^"]*)"')


@functools.lru_cache(maxsize=32)
def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    """Parsed once per PEM: OpenSSL 3 checks an RSA private key on every load (~10 ms idle, hundreds of
    ms on a busy machine), and a gateway is built per call — every prepay, query, refund paid it."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the merchant key must be an RSA private key")
    return key


@functools.lru_cache(maxsize=32)
def load_public_key(pem: str) -> rsa.RSAPublicKey:
    """A WeChat Pay public key (微信支付公钥) or a platform certificate (平台证书), in PEM."""
    data = pem.encode()
    key = (
        load_pem_x509_certificate(data).public_key()
        if b"BEGIN CERTIFICATE" in data
        else serialization.load_pem_public_key(data)
    )
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the WeChat Pay key must be an RSA public key")
    return key


def sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def nonce() -> str:
    return secrets.token_hex(16).upper()


def request_message(method: str, url_path: str, timestamp: str, nonce_str: str, body: str) -> str:
    return f"{method}\n{url_path}\n{timestamp}\n{nonce_str}\n{body}\n"


def authorization(
    key: rsa.RSAPrivateKey, *, mchid: str, serial: str, method: str, url_path: str, body: str, now: float | None = None
) -> str:
    timestamp, nonce_str = str(int(now if now is not None else time.time())), nonce()
    signature = sign(key, request_message(method, url_path, timestamp, nonce_str, body))
    return (
        f'{SCHEMA} mchid="{mchid}",nonce_str="{nonce_str}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial}"'
    )


def parse_authorization(header: str) -> dict[str, str]:
    scheme, _, rest = (header or "").partition(" ")
    if scheme != SCHEMA:
        return {}
    return dict(_AUTH_PART.findall(rest))


def response_message(timestamp: str, nonce_str: str, body: bytes) -> bytes:
    return timestamp.encode() + b"\n" + nonce_str.encode() + b"\n" + body + b"\n"


def verify_signed(
    keys: Mapping[str, rsa.RSAPublicKey], headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> None:
    """Raise VerificationFailed unless `body` is signed by the WeChat Pay key the serial names,
    within MAX_SKEW_SECONDS. Header names are looked up lowercased."""
    serial = headers.get("wechatpay-serial", "")
    key = keys.get(serial)
    if key is None:
        raise VerificationFailed(f"unknown Wechatpay-Serial {serial[:64]!r}")
    timestamp, nonce_str = headers.get("wechatpay-timestamp", ""), headers.get("wechatpay-nonce", "")
    signature = headers.get("wechatpay-signature", "")
    if not text.is_ascii_digits(timestamp) or not nonce_str or not signature:
        raise VerificationFailed("missing Wechatpay-Timestamp, -Nonce or -Signature")
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_SKEW_SECONDS:
        raise VerificationFailed("stale Wechatpay-Timestamp")
    if not verify(key, response_message(timestamp, nonce_str, body), signature):
        raise VerificationFailed("bad Wechatpay-Signature")


def signed_headers(key: rsa.RSAPrivateKey, serial: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers WeChat Pay puts on an answer or a notification (the stand-in signs with these)."""
    timestamp, nonce_str = str(int(now if now is not None else time.time())), nonce()
    message = response_message(timestamp, nonce_str, body).decode()
    return {
        "Wechatpay-Serial": serial,
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce_str,
        "Wechatpay-Signature": sign(key, message),
    }


def decrypt_resource(apiv3_key: str, resource: Mapping[str, str]) -> bytes:
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise VerificationFailed("unknown resource algorithm")
    try:
        return AESGCM(apiv3_key.encode()).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            (resource.get("associated_data") or "").encode() or None,
        )
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise VerificationFailed("resource does not decrypt") from exc


def encrypt_resource(apiv3_key: str, plaintext: bytes, *, associated_data: str, original_type: str) -> dict[str, str]:
    nonce_str = secrets.token_hex(6)  # 12 characters, as WeChat Pay's nonces
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce_str.encode(), plaintext, associated_data.encode() or None)
    return {
        "original_type": original_type,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce_str,
    }


def pay_sign(key: rsa.RSAPrivateKey, *, appid: str, prepay_id: str, now: float | None = None) -> dict[str, str]:
    """wx.requestPayment's parameters for a JSAPI prepay."""
    timestamp, nonce_str, package = str(int(now if now is not None else time.time())), nonce(), f"prepay_id={prepay_id}"
    return {
        "appId": appid,
        "timeStamp": timestamp,
        "nonceStr": nonce_str,
        "package": package,
        "signType": "RSA",
        "paySign": sign(key, f"{appid}\n{timestamp}\n{nonce_str}\n{package}\n"),
    }


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def generate_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
