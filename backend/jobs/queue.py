"""The Huey instance and `enqueue_after_commit`, which makes jobs leave only after the
transaction that caused them has committed (so a worker never sees uncommitted rows)."""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlmodel import Session

from backend.config import get_settings


def _make_huey():
    settings = get_settings()
    if settings.redis_url:
        instance = RedisHuey("servicepro", url=settings.redis_url)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        instance = SqliteHuey("servicepro", filename=str(settings.data_dir / "huey.db"))
    instance.immediate = settings.jobs_immediate
    return instance


huey = _make_huey()

_PENDING_KEY = "jobs_after_commit"


def enqueue_after_commit(db: Session, task, *args, **kwargs) -> None:
    """Calls `task(*args, **kwargs)` (a Huey task: enqueues it) once `db` commits; dropped on
    rollback."""
    pending = db.info.setdefault(_PENDING_KEY, [])
    pending.append((task, args, kwargs))
    if len(pending) == 1:
        event.listen(db, "after_commit", _flush_pending, once=True)
        event.listen(db, "after_rollback", _drop_pending, once=True)


def _flush_pending(db: Session) -> None:
    for task, args, kwargs in db.info.pop(_PENDING_KEY, []):
        task(*args, **kwargs)


def _drop_pending(db: Session) -> None:
    db.info.pop(_PENDING_KEY, None)
