"""Fernet encryption with a key derived from SECRET_KEY by HKDF.

Guarantee: values are authenticated-encrypted at rest; a wrong or rotated key fails loudly
(VaultError) instead of returning garbage.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from backend.config import get_settings


class VaultError(RuntimeError):
    """Raised when a stored secret cannot be decrypted with the current key."""


@functools.lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"servicepro-vault", info=b"v1").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plaintext: str) -> str:
    """Returns the ciphertext token for a secret string."""
    return _fernet(get_settings().secret()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Returns the plaintext of a token made by `encrypt`."""
    try:
        return _fernet(get_settings().secret()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise VaultError("stored secret cannot be decrypted with the current SECRET_KEY") from None
