"""Staff auth routes. They own the session cookie: HttpOnly, SameSite=Lax, Secure on https,
holding an opaque 256-bit token whose SHA-256 is the stored session id.

All are form POSTs from the app's own pages answered with 303 redirects back to the app. A POST
whose Origin (or Referer) is not the app's own origin is refused: SameSite=Lax already keeps
the cookie off cross-site POSTs; the origin check also covers sibling ports on the same host.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlparse

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.auth import actions as auth_actions
from backend.auth.passwords import WeakPassword
from backend.config import get_settings
from backend.errors import PermissionDenied, UserError, pydantic_message

log = logging.getLogger(__name__)

SESSION_COOKIE = "sp_session"
MAX_FORM_FIELD = 2000


def _app_url(path: str, **params: str) -> str:
    base = get_settings().servicepro_public_url.rstrip("/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{base}{path}{query}"


def _redirect(path: str, **params: str) -> RedirectResponse:
    return RedirectResponse(_app_url(path, **params), status_code=303)


def _allowed_origins() -> set[str]:
    settings = get_settings()
    origins = set()
    for url in (settings.servicepro_public_url, settings.servicepro_api_url):
        parsed = urlparse(url)
        origins.add(f"{parsed.scheme}://{parsed.netloc}")
    return origins


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer", "")
        parsed = urlparse(referer)
        origin = f"{parsed.scheme}://{parsed.netloc}" if parsed.netloc else ""
    return origin in _allowed_origins()


def _safe_next(value: str | None) -> str:
    """Only same-app relative paths are followed after login (no open redirects)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return "/"


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=get_settings().public_url_is_https,
        path="/",
        max_age=12 * 3600,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().public_url_is_https)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:MAX_FORM_FIELD] for k, v in form.items() if isinstance(v, str)}


def _refuse_cross_site(request: Request) -> Response | None:
    if _same_origin(request):
        return None
    return PlainTextResponse("Cross-site form posts are not accepted.", status_code=403)


async def login(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    form = await _form(request)
    try:
        result = await run_in_threadpool(
            auth_actions.login,
            email=form.get("email", ""),
            password=form.get("password", ""),
            ip=request.client.host if request.client else "",
            user_agent=request.headers.get("user-agent", ""),
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except auth_actions.AccountLocked as exc:
        return _redirect("/login", error="locked", minutes=str(exc.minutes))
    except UserError:
        return _redirect("/login", error="invalid")
    response = _redirect("/select-tenant" if result.needs_tenant_choice else _safe_next(form.get("next")))
    set_session_cookie(response, result.token)
    return response


async def logout(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    await run_in_threadpool(auth_actions.logout, token=request.cookies.get(SESSION_COOKIE))
    response = _redirect("/login", info="signed_out")
    clear_session_cookie(response)
    return response


async def select_tenant(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    form = await _form(request)
    try:
        token = await run_in_threadpool(
            auth_actions.select_tenant, token=request.cookies.get(SESSION_COOKIE, ""),
            tenant_slug=form.get("tenant", ""),
        )
    except PermissionDenied:
        return _redirect("/login", error="session")
    except UserError:
        return _redirect("/select-tenant", error="tenant")
    response = _redirect("/")
    set_session_cookie(response, token)
    return response


async def impersonate(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    form = await _form(request)
    try:
        token = await run_in_threadpool(
            auth_actions.start_impersonation, token=request.cookies.get(SESSION_COOKIE, ""),
            tenant_slug=form.get("tenant", ""), reason=form.get("reason", ""),
        )
    except PermissionDenied:
        return _redirect("/login", error="session")
    except UserError:
        return _redirect("/admin/tenants", error="reason")
    response = _redirect("/")
    set_session_cookie(response, token)
    return response


async def exit_impersonation(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    try:
        token = await run_in_threadpool(
            auth_actions.exit_impersonation, token=request.cookies.get(SESSION_COOKIE, "")
        )
    except UserError:
        return _redirect("/")
    if token is None:
        response = _redirect("/login", info="impersonation_ended")
        clear_session_cookie(response)
        return response
    response = _redirect("/admin/tenants", info="exited")
    set_session_cookie(response, token)
    return response


async def forgot_password(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    form = await _form(request)
    await run_in_threadpool(auth_actions.request_password_reset, email=form.get("email", ""))
    return _redirect("/forgot-password", info="sent")


async def reset_password(request: Request) -> Response:
    if refused := _refuse_cross_site(request):
        return refused
    form = await _form(request)
    token = form.get("token", "")
    if form.get("password", "") != form.get("confirm", ""):
        return _redirect("/reset-password", token=token, error="mismatch")
    try:
        await run_in_threadpool(auth_actions.reset_password, token=token, new_password=form.get("password", ""))
    except WeakPassword:
        return _redirect("/reset-password", token=token, error="weak")
    except (UserError, ValidationError) as exc:
        log.info("password reset refused: %s", pydantic_message(exc) if isinstance(exc, ValidationError) else exc)
        return _redirect("/reset-password", error="invalid")
    response = _redirect("/login", info="password_reset")
    clear_session_cookie(response)
    return response


async def healthz(_request: Request) -> Response:
    return JSONResponse({"ok": True})


ROUTES = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/select-tenant", select_tenant, methods=["POST"]),
    Route("/auth/impersonate", impersonate, methods=["POST"]),
    Route("/auth/impersonate/exit", exit_impersonation, methods=["POST"]),
    Route("/auth/forgot-password", forgot_password, methods=["POST"]),
    Route("/auth/reset-password", reset_password, methods=["POST"]),
    Route("/healthz", healthz, methods=["GET"]),
]
