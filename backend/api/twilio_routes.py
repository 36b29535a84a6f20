"""Twilio webhooks: `POST /twilio/sms` (inbound SMS/MMS) and `POST /twilio/status` (message
status callbacks). Thin: read the form, hand the work to backend.messaging.webhooks in a
worker thread, answer. Signature validation happens there, before anything is stored."""

from __future__ import annotations

import logging

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backend.messaging import webhooks

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # Twilio's SMS/MMS webhook posts are a few kilobytes at most


async def _params(request: Request) -> dict[str, str] | None:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return None
    form = await request.form(max_files=0, max_fields=200)
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


async def sms(request: Request) -> Response:
    params = await _params(request)
    if params is None:
        return PlainTextResponse("Request too large.", status_code=413)
    try:
        result = await run_in_threadpool(
            webhooks.handle_inbound_sms,
            url=webhooks.public_url(request.url.path, request.url.query),
            params=params,
            signature=request.headers.get("x-twilio-signature", ""),
        )
    except Exception:
        # Twilio retries on 5xx; the message is stored at most once (MessageSid is unique).
        log.exception("inbound SMS webhook failed")
        return PlainTextResponse("Temporary failure; please retry.", status_code=500)
    if result.status == 200:
        # Linking and the live-update event run after the answer is sent (sync → threadpool).
        background = BackgroundTask(result.after) if result.after else None
        return Response(result.body, media_type="text/xml", background=background)
    return PlainTextResponse(result.body, status_code=result.status)


async def status(request: Request) -> Response:
    params = await _params(request)
    if params is None:
        return PlainTextResponse("Request too large.", status_code=413)
    try:
        result = await run_in_threadpool(
            webhooks.handle_status_callback,
            url=webhooks.public_url(request.url.path, request.url.query),
            params=params,
            query=dict(request.query_params),
            signature=request.headers.get("x-twilio-signature", ""),
        )
    except Exception:
        log.exception("status callback failed")
        return PlainTextResponse("Temporary failure; please retry.", status_code=500)
    if result.status == 204:
        return Response(status_code=204)
    return PlainTextResponse(result.body, status_code=result.status)


ROUTES = [
    Route("/twilio/sms", sms, methods=["POST"]),
    Route("/twilio/status", status, methods=["POST"]),
]
