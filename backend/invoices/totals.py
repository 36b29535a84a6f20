"""Document totals in integer cents, shared by quotes and invoices (the only place they are
computed). Rounding is half-up on whole cents; a discount is capped at the subtotal and reduces
the taxable amount in proportion to the taxable share of the lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

MAX_TAX_RATE_BPS = 2500  # 25.00 %: anything higher is a typo (e.g. 825 entered as 8250)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Returns numerator / denominator rounded half up (both non-negative integers)."""
    if denominator <= 0 or numerator < 0:
        raise ValueError("round_half_up_div needs a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


@dataclasses.dataclass(frozen=True)
class LineAmount:
    quantity: int
    unit_price_cents: int
    taxable: bool = True

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


@dataclasses.dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    discount_cents: int
    taxable_cents: int
    tax_cents: int
    total_cents: int


def compute_totals(
    lines: Iterable[LineAmount], *, tax_rate_bps: int, discount_cents: int = 0, discount_percent_bps: int = 0
) -> Totals:
    """Returns subtotal, discount, taxable base, tax and total for lines (all integer cents).

    `tax_rate_bps` is basis points (825 = 8.25 %); the discount is `discount_cents` plus
    `discount_percent_bps` of the subtotal, capped at the subtotal.
    """
    lines = list(lines)
    if not 0 <= tax_rate_bps <= MAX_TAX_RATE_BPS:
        raise ValueError(f"tax rate must be between 0% and {MAX_TAX_RATE_BPS / 100:.0f}%")
    if discount_cents < 0 or not 0 <= discount_percent_bps <= 10000:
        raise ValueError("discounts cannot be negative or above 100%")
    for line in lines:
        if line.quantity < 1 or line.unit_price_cents < 0:
            raise ValueError("line quantities must be at least 1 and prices cannot be negative")
    subtotal = sum(line.total_cents for line in lines)
    taxable_subtotal = sum(line.total_cents for line in lines if line.taxable)
    discount = discount_cents + round_half_up_div(subtotal * discount_percent_bps, 10000)
    discount = min(discount, subtotal)
    taxable_discount = round_half_up_div(discount * taxable_subtotal, subtotal) if subtotal else 0
    taxable = taxable_subtotal - taxable_discount
    tax = round_half_up_div(taxable * tax_rate_bps, 10000)
    return Totals(subtotal, discount, taxable, tax, subtotal - discount + tax)
