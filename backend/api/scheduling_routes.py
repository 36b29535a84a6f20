"""Scheduling routes: the technician ICS feed (public, tokenised) and the authenticated
appointment-photo download.

- GET /ics/{token}.ics — the token names its tenant and is checked by hash inside that tenant;
  unknown, malformed or revoked tokens all get the same 404.
- GET /files/appointment-photos/{photo_id} — needs a staff session cookie; the photo is looked
  up inside the session's tenant only (another tenant's id is a 404), served privately.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backend.api.auth_routes import SESSION_COOKIE
from backend.auth import actions as auth_actions
from backend.db.session import tenant_session
from backend.errors import NotFound
from backend.scheduling import ics
from backend.scheduling import service as scheduling_service
from backend.storage import private as private_storage

log = logging.getLogger(__name__)


async def ics_feed(request: Request) -> Response:
    token = request.path_params.get("token", "")
    body = await run_in_threadpool(ics.render_feed_for_token, token)
    if body is None:
        return PlainTextResponse("Not found.", status_code=404)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="appointments.ics"',
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def _load_photo(tenant_id: str, photo_id: str) -> tuple[bytes, str] | None:
    with tenant_session(tenant_id) as db:
        try:
            photo = scheduling_service.access_photo_by_id(db, tenant_id=tenant_id, photo_id=photo_id)
        except NotFound:
            return None
        try:
            return private_storage.read(tenant_id, photo.storage_key), photo.content_type
        except (FileNotFoundError, private_storage.StorageError):
            log.warning("photo %s of tenant %s has no file", photo_id, tenant_id)
            return None


async def appointment_photo(request: Request) -> Response:
    state = await run_in_threadpool(auth_actions.authenticate, token=request.cookies.get(SESSION_COOKIE))
    context = state.context
    if context is None:
        return PlainTextResponse("Sign in to see this photo.", status_code=401)
    if not context.tenant_id:
        return PlainTextResponse("Choose a business first.", status_code=403)
    found = await run_in_threadpool(_load_photo, context.tenant_id, request.path_params.get("photo_id", ""))
    if found is None:
        return PlainTextResponse("Not found.", status_code=404)
    data, content_type = found
    return Response(
        data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [
    Route("/ics/{token}.ics", ics_feed, methods=["GET"]),
    Route("/files/appointment-photos/{photo_id}", appointment_photo, methods=["GET"]),
]
