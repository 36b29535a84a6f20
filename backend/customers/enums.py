"""Customer enums."""

from backend.enums import StrEnum


class SmsConsent(StrEnum):
    UNKNOWN = "unknown"
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class CustomerSource(StrEnum):
    SMS = "sms"
    VOICE = "voice"
    WEB = "web"
    MANUAL = "manual"
    IMPORT = "import"
    REFERRAL = "referral"


class AssetKind(StrEnum):
    VEHICLE = "vehicle"
    PET = "pet"
    PROPERTY = "property"
    OTHER = "other"
