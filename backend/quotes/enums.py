"""Quote statuses and line kinds."""

from backend.enums import StrEnum


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    APPROVED = "approved"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class LineKind(StrEnum):
    SERVICE = "service"
    ADDON = "addon"
    CUSTOM = "custom"
