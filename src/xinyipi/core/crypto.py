"""SM3 hashing and SM4 field encryption (GB/T 32905, GB/T 32907), from hashlib and ``cryptography``.

One master key (``XINYIPI_FIELD_KEY``) derives, by HKDF over SM3, an SM4 key for ciphertexts and an
HMAC-SM3 key for blind indexes, so that an ID number can be found without being stored in clear.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    digest = hashlib.new("sm3")
    digest.update(data)
    return digest.hexdigest()


@cache
def _keys(master_hex: str) -> tuple[bytes, bytes]:
    master = bytes.fromhex(master_hex)
    if len(master) < 16:
        raise ValueError("XINYIPI_FIELD_KEY must be at least 32 hex characters")
    material = HKDF(algorithm=hashes.SM3(), length=48, salt=None, info=b"xinyipi-field-keys").derive(master)
    return material[:16], material[16:]


def _encryption_key() -> bytes:
    return _keys(settings.FIELD_KEY)[0]


def sm4_encrypt(plaintext: str) -> str:
    """SM4-GCM with a random nonce; the result is ``v1:`` + base64(nonce | ciphertext | tag)."""
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(_encryption_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return f"{_VERSION}:" + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")


def sm4_decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(payload)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(_encryption_key()), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise ValueError("ciphertext was altered or the key is wrong") from exc


@cache
def _index_mac(master_hex: str):
    return hmac.new(_keys(master_hex)[1], digestmod="sm3")


def blind_indexer():
    """``blind_index`` with the key looked up once: for loops over millions of values (imports)."""
    keyed = _index_mac(settings.FIELD_KEY)

    def index(value: str) -> str:
        mac = keyed.copy()
        mac.update(value.encode("utf-8"))
        return mac.hexdigest()

    return index


def blind_index(value: str) -> str:
    """Keyed SM3 (HMAC) of a normalised value: equal inputs match, the value cannot be read back."""
    return blind_indexer()(value)
