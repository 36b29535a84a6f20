"""The public web chat (/chat/<widget token>, and the widget component wherever it is placed):
no staff session. The business comes only from the signed widget token, verified server-side
with `backend.agent.webchat.verify_widget_token`; a forged, edited or unknown token shows "This
chat link isn't valid" and nothing else.

Secrets stay on the server: the widget token and the chat's session token (the visitor's key to
their transcript, returned by `start_web_chat`) live in backend-only vars (`_widget_token`,
`_session_token`) and never reach the browser; the tab keeps its chat because Reflex keeps this
state per tab. The chat is opened lazily with the visitor's first message, so page views alone
create no chat sessions.

Sending is a background event: the visitor's bubble and the typing indicator show at once, the
agent (a second or two) runs off the event loop, and the reply replaces the indicator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time

import reflex as rx

from backend.agent import ui_views, webchat
from backend.errors import NotFound, UserError
from backend.tenancy import views as tenancy_views
from components.chat import ChatMessage
from state.inbox import safe_url
from state.session import Access, requires, run_blocking

log = logging.getLogger(__name__)

INVALID_LINK = "This chat link isn't valid."
ENDED = "This chat has ended. Start a new chat to keep talking."
GENERIC_PROBLEM = "Sorry — something went wrong on our side. Please try again in a moment."
_PREFIX = "/chat/"
MAX_SENDS_PER_MINUTE = 20  # far more than a person types; stops a script from flooding the agent
WATCH_INTERVAL = 4.0  # seconds between looks for a person's answer
WATCH_SECONDS = 10 * 60  # how long a tab keeps looking after the chat went to a person


@dataclasses.dataclass(frozen=True)
class _Business:
    tenant_id: str
    name: str
    brand_color: str
    logo_url: str
    timezone: str


def token_from_path(path: str) -> str:
    """Returns the widget token named by a /chat/<token> path ("" for anything else)."""
    path = (path or "").split("?", 1)[0].rstrip("/")
    if not path.startswith(_PREFIX):
        return ""
    token = path[len(_PREFIX):]
    return token if 0 < len(token) <= 200 and "/" not in token else ""


def _business(token: str) -> _Business:
    """Verifies the widget token and returns the business's branding (InvalidWidgetToken otherwise)."""
    tenant_id = webchat.verify_widget_token(token)
    try:
        view = tenancy_views.tenant_view(tenant_id=tenant_id)
    except NotFound:
        raise webchat.InvalidWidgetToken(INVALID_LINK) from None
    color = view.brand_color if isinstance(view.brand_color, str) and view.brand_color.startswith("#") else "#2563eb"
    return _Business(tenant_id, view.name, color[:9], safe_url(view.logo_url), view.timezone or "UTC")


def _send(token: str, session_token: str, text: str, page: str) -> tuple[str, webchat.WebChatReply]:
    """Opens the chat if the tab has none yet, then sends; returns (session token, reply)."""
    if not session_token:
        session_token = webchat.start_web_chat(widget_token_value=token, page=page).session_token
    return session_token, webchat.send_web_message(widget_token_value=token, session_token=session_token, text=text)


def to_chat_messages(lines, business_name: str) -> list[ChatMessage]:
    """Turns transcript lines into bubbles for the visitor (their own messages are "in")."""
    senders = {"customer": "You", "agent": "Assistant", "staff": f"{business_name} team"}
    return [ChatMessage(id=line.id, direction=line.direction, body=line.body, time=line.time,
                        sender=senders.get(line.sender, "Assistant"), status=line.sender) for line in lines]


@requires(Access.PUBLIC)
class WebChatState(rx.State):
    """A visitor chatting with one business's assistant."""

    # Server-side only: the verified widget token, its tenant, the chat's session token.
    _widget_token: str = ""
    _tenant_id: str = ""
    _session_token: str = ""
    _tz: str = "UTC"
    _recent_sends: list[float] = []  # monotonic times of this tab's sends in the last minute
    _watch_pending: bool = False  # set by `send`: the next `watch_replies` may start a watcher
    _watch_id: int = 0
    _watch_beat: float = 0.0  # wall time of the watcher's last round

    loaded: bool = False
    problem: str = ""
    business_name: str = ""
    brand_color: str = "#2563eb"
    logo_url: str = ""

    messages: list[ChatMessage] = []
    typing: bool = False
    error: str = ""
    status: str = ""  # "" (not started) | open | handoff | closed
    ended: bool = False
    panel_open: bool = False  # the floating widget's panel
    launcher: bool = False  # /chat/<token>?view=button shows the floating button instead of the panel

    @rx.var
    def handed_off(self) -> bool:
        return self.status == "handoff"

    def _invalid(self) -> None:
        self._widget_token = self._tenant_id = self._session_token = ""
        self.loaded, self.problem = True, INVALID_LINK
        self.business_name, self.logo_url, self.brand_color = "", "", "#64748b"
        self.messages, self.typing, self.status, self.error, self.ended = [], False, "", "", False

    def _greeting(self) -> list[ChatMessage]:
        text = (f"Hi! I'm the assistant for {self.business_name}. Ask me about prices, openings or booking "
                "a visit.")
        return [ChatMessage(id="greeting", direction="out", body=text, sender="Assistant", status="agent")]

    async def _open(self, token: str) -> None:
        try:
            business = await run_blocking(_business, token)
        except UserError:
            self._invalid()
            return
        if business.tenant_id != self._tenant_id:
            self._session_token = ""  # another business's widget in this tab: a new chat
        self._widget_token, self._tenant_id, self._tz = token, business.tenant_id, business.timezone
        self.business_name, self.brand_color, self.logo_url = business.name, business.brand_color, business.logo_url
        self.problem, self.error, self.typing = "", "", False
        if self._session_token:
            try:
                transcript = await run_blocking(webchat.get_transcript, widget_token_value=token,
                                                session_token=self._session_token)
            except UserError:
                self._session_token = ""
            else:
                self.messages = to_chat_messages(ui_views.visitor_transcript(transcript, self._tz),
                                                 self.business_name)
                self.loaded = True
                return
        self.messages, self.status, self.ended = self._greeting(), "", False
        self.loaded = True

    @rx.event
    async def load(self):
        """The /chat/<token> page: the token in the URL names the business (verified here)."""
        token = token_from_path(str(self.router.url.path or ""))
        self.launcher = self.router.url.query_parameters.get("view", "") == "button"
        if not token:
            self._invalid()
            return
        await self._open(token)

    @rx.event
    async def open_widget(self, token: str):
        """For the widget placed on another page: that page passes its widget token (the token
        is the credential; it is verified exactly like the /chat link)."""
        if not isinstance(token, str) or not 0 < len(token) <= 200:
            self._invalid()
            return
        await self._open(token)

    @rx.event
    def set_panel_open(self, value: bool):
        self.panel_open = bool(value)

    @rx.event
    def toggle_panel(self):
        self.panel_open = not self.panel_open

    @rx.event
    def new_chat(self):
        """Forgets this tab's chat; the next message starts a new one."""
        if not self._tenant_id:
            return
        self._session_token = ""
        self.messages, self.status, self.ended, self.error, self.typing = self._greeting(), "", False, "", False

    @rx.event(background=True)
    async def send(self, form: dict):
        """Shows the visitor's message and the typing indicator at once, then lets the agent
        answer off the event loop and shows the transcript with its reply."""
        text = form.get("message") if isinstance(form, dict) else None
        if not isinstance(text, str):
            return
        text = " ".join(text.split())
        async with self:
            if not self._widget_token or self.typing or self.ended:
                return
            if not text:
                self.error = "Type a message first."
                return
            if len(text) > webchat.MAX_MESSAGE:
                self.error = f"Messages can be at most {webchat.MAX_MESSAGE:,} characters."
                return
            now = time.monotonic()
            recent = [t for t in self._recent_sends if now - t < 60]
            if len(recent) >= MAX_SENDS_PER_MINUTE:
                self.error = "That's a lot of messages — please wait a moment and send that again."
                return
            self._recent_sends = [*recent, now]
            token, session_token, tz, name = self._widget_token, self._session_token, self._tz, self.business_name
            path = str(self.router.url.path or "")
            page = "/chat" if path.startswith(_PREFIX) else path[:300]  # the widget token stays out of the row
            self.error = ""
            self.typing = True
            self.messages = [*self.messages, ChatMessage(id=f"pending-{len(self.messages)}", direction="in", body=text,
                                                         sender="You", status="sending")]
        try:
            session_token, reply = await run_blocking(_send, token, session_token, text, page)
        except NotFound:
            async with self:
                self.typing, self.ended, self._session_token = False, True, ""
                self.error = ENDED
            return
        except UserError as exc:
            async with self:
                self.typing = False
                self.error = str(exc) if not isinstance(exc, webchat.InvalidWidgetToken) else INVALID_LINK
                self.messages = [m for m in self.messages if m.status != "sending"]
            return
        except Exception:  # the agent failed: say so, keep the page alive
            log.exception("web chat message failed")
            async with self:
                self.typing = False
                self.error = GENERIC_PROBLEM
                self.messages = [m for m in self.messages if m.status != "sending"]
            return
        async with self:
            if self._widget_token != token:
                return  # the tab moved to another business meanwhile
            self._session_token = session_token
            self.messages = to_chat_messages(ui_views.visitor_transcript(reply.messages, tz), name)
            self.status = reply.status
            self.ended = reply.status == "closed"
            self.typing = False
            start_watch = reply.status == "handoff" and time.time() - self._watch_beat > 3 * WATCH_INTERVAL
            if start_watch:
                self._watch_pending, self._watch_beat = True, time.time()
        if start_watch:
            yield WebChatState.watch_replies

    @rx.event(background=True)
    async def watch_replies(self):
        """While a person has the chat, looks for their answers every few seconds (for a while)."""
        async with self:
            if not self._watch_pending:
                return  # only started by `send`
            self._watch_pending = False
            self._watch_id += 1
            mine = self._watch_id
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(WATCH_INTERVAL)
            async with self:
                token, session_token, tz, name = self._widget_token, self._session_token, self._tz, self.business_name
                if self._watch_id != mine or not token or not session_token or self.status != "handoff":
                    return
                self._watch_beat = time.time()
                known = len(self.messages)
            try:
                transcript = await run_blocking(webchat.get_transcript, widget_token_value=token,
                                                session_token=session_token)
            except UserError:
                return
            if len(transcript) == known:
                continue
            async with self:
                if self._watch_id == mine and self._session_token == session_token and not self.typing:
                    self.messages = to_chat_messages(ui_views.visitor_transcript(transcript, tz), name)

    @rx.event
    async def refresh(self):
        """Reloads the transcript (a person may have answered)."""
        if not self._widget_token or not self._session_token or self.typing:
            return
        try:
            transcript = await run_blocking(webchat.get_transcript, widget_token_value=self._widget_token,
                                            session_token=self._session_token)
        except UserError:
            return
        self.messages = to_chat_messages(ui_views.visitor_transcript(transcript, self._tz), self.business_name)
