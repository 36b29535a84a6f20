"""Password hashing with argon2id (argon2-cffi defaults) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.config import get_settings

# argon2id with the library's recommended cost; the test suite uses a cheap profile so that
# hundreds of logins stay fast (hashes made with either profile verify with both).
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if get_settings().servicepro_env == "test"
    else PasswordHasher()
)
# Verified against when the account does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("servicepro-dummy-password")

MIN_PASSWORD_LENGTH = 10


class WeakPassword(ValueError):
    """Raised with a message that tells the user what the policy needs."""


def check_policy(password: str) -> None:
    """Raises WeakPassword unless the password meets the policy."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 256:
        raise WeakPassword("Use at most 256 characters.")
    if password.strip() == "" or len(set(password)) < 4:
        raise WeakPassword("That password is too simple; mix more different characters.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Checks a password in constant-ish time whether or not the account exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
