"""Invoice statuses and payment methods."""

from backend.enums import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PAID = "paid"
    VOID = "void"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    VENMO = "venmo"
    ZELLE = "zelle"
    OTHER = "other"
