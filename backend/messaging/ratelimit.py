"""Per-sending-number rate limit shared by every worker on every machine.

Each sending number (or messaging service) has one `sms_send_slots` row holding the next free
slot in microseconds. A worker reserves a slot with a single atomic
`UPDATE ... SET next_slot_us = max(next_slot_us, now) + interval RETURNING next_slot_us`
committed at once, so concurrent workers always get distinct slots at least `1/rate` seconds
apart (row lock on PostgreSQL, the write lock on SQLite). The worker then sends no earlier
than its slot.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError

from backend.db.session import tenant_session
from backend.messaging.models import SmsSendSlot

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def _to_us(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _from_us(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def interval_for(rate_per_second: float) -> dt.timedelta:
    """Returns the spacing between two sends from one number at `rate_per_second`."""
    return dt.timedelta(microseconds=max(1, int(1_000_000 / rate_per_second)))


def reserve_slot(*, tenant_id: str, sender: str, rate_per_second: float, now: dt.datetime) -> dt.datetime:
    """Reserves the next send slot of `sender` and returns when that send may happen (≥ now).

    Runs in its own short transaction so other workers see the reservation immediately.
    """
    interval_us = interval_for(rate_per_second) // dt.timedelta(microseconds=1)
    now_us = _to_us(now)
    for _ in range(3):
        with tenant_session(tenant_id) as db:
            stmt = (
                update(SmsSendSlot)
                .where(SmsSendSlot.tenant_id == tenant_id, SmsSendSlot.sender == sender)
                .values(
                    next_slot_us=case(
                        (SmsSendSlot.next_slot_us > now_us, SmsSendSlot.next_slot_us), else_=now_us
                    ) + interval_us
                )
                .returning(SmsSendSlot.next_slot_us)
            )
            row = db.execute(stmt, execution_options={"synchronize_session": False}).first()
            if row is not None:
                return _from_us(row[0] - interval_us)
            try:
                with db.begin_nested():
                    db.add(SmsSendSlot(tenant_id=tenant_id, sender=sender, next_slot_us=now_us + interval_us))
                    db.flush()
            except IntegrityError:
                continue  # another worker created the row first; reserve through it
            return now
    raise RuntimeError(f"could not reserve a send slot for {sender}")
