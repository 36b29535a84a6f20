"""POST /twilio/sms and /twilio/status: signature validation (signed with twilio's own
RequestValidator), tenant resolution, store-first idempotency, MMS, status callbacks."""

from __future__ import annotations


from backend.db.session import tenant_session
from backend.messaging import webhooks
from backend.messaging.enums import OutboundStatus
from backend.vault import crypto
from tests.integration.messaging.conftest import A_MAIN, A_SECOND, B_MAIN, CUSTOMER, PUBLIC, add_number

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def test_signed_request_is_accepted_with_empty_twiml(world, q):
    """A correctly signed inbound SMS is stored and answered with empty TwiML."""
    response, params = world.twilio.text(to=A_MAIN, body="Hi, are you open Saturday?")
    assert response.status_code == 200
    assert response.text == EMPTY_TWIML
    assert response.headers["content-type"].startswith("text/xml")
    (message,) = q.inbound(world.a.id)
    assert message.provider_sid == params["MessageSid"]
    assert message.body == "Hi, are you open Saturday?"
    assert message.from_number == CUSTOMER and message.to_number == A_MAIN
    assert message.conversation_id is not None


def test_bad_signature_is_refused_and_nothing_is_stored(world, q):
    params = {"MessageSid": "SM" + "1" * 32, "From": CUSTOMER, "To": A_MAIN, "Body": "hi", "AccountSid": "AC1"}
    response = world.twilio.post_sms(params, token="not-the-right-token")
    assert response.status_code == 403
    assert q.inbound(world.a.id) == []
    assert q.conversations(world.a.id) == []


def test_missing_signature_is_refused(world, q):
    params = {"MessageSid": "SM" + "2" * 32, "From": CUSTOMER, "To": A_MAIN, "Body": "hi"}
    assert world.twilio.post_sms(params, signature="").status_code == 403
    assert q.inbound(world.a.id) == []


def test_tampered_body_is_refused(world, q):
    params = {"MessageSid": "SM" + "3" * 32, "From": CUSTOMER, "To": A_MAIN, "Body": "hi"}
    signature = world.twilio.sign(f"{PUBLIC}/twilio/sms", params, world.twilio.platform_token())
    tampered = dict(params, Body="STOP")
    assert world.twilio.post_sms(tampered, signature=signature).status_code == 403
    assert q.inbound(world.a.id) == []


def test_signature_over_the_host_header_url_is_refused(world, q):
    """The URL is rebuilt from SERVICEPRO_PUBLIC_URL; signing the request's own Host fails."""
    params = {"MessageSid": "SM" + "4" * 32, "From": CUSTOMER, "To": A_MAIN, "Body": "hi"}
    response = world.twilio.post_sms(params, url="http://internal-host:8000/twilio/sms")
    assert response.status_code == 403
    assert q.inbound(world.a.id) == []


def test_message_goes_to_the_tenant_owning_the_number(world, q):
    world.twilio.text(to=B_MAIN, body="lawn question")
    assert [m.body for m in q.inbound(world.b.id)] == ["lawn question"]
    assert q.inbound(world.a.id) == []


def test_retried_webhook_creates_nothing_new_and_no_second_reply(world, q):
    """Twilio retries with the same MessageSid: one message, one reply (HELP answers once)."""
    sid = "SM" + "5" * 32
    first, _ = world.twilio.text(to=A_MAIN, body="HELP", sid=sid)
    second, _ = world.twilio.text(to=A_MAIN, body="HELP", sid=sid)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text == EMPTY_TWIML
    assert len(q.inbound(world.a.id)) == 1
    replies = q.outbound(world.a.id)
    assert len(replies) == 1 and replies[0].kind == "system"
    (conversation,) = q.conversations(world.a.id)
    assert conversation.unread_count == 1


def test_retry_after_a_crash_before_linking_finishes_the_work(world, q):
    """If the first delivery stored the message but died before linking, the retry links it
    and hands it off — still one message and one reply."""
    from backend.messaging import inbound

    sid = "SM" + "6" * 32
    params = {"MessageSid": sid, "From": CUSTOMER, "To": A_MAIN, "Body": "HELP", "AccountSid": "AC"}
    inbound.store_inbound(tenant_id=world.a.id, params=params)  # the crashed first attempt
    assert q.inbound(world.a.id)[0].conversation_id is None
    assert world.twilio.post_sms(params).status_code == 200
    (message,) = q.inbound(world.a.id)
    assert message.conversation_id is not None
    assert message.handling == "help"
    assert len(q.outbound(world.a.id)) == 1


def test_mms_media_urls_and_types_are_stored(world, q):
    media = [("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/jpeg"),
             ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2", "application/pdf")]
    response, _ = world.twilio.text(to=A_MAIN, body="Here is the scratch", media=media)
    assert response.status_code == 200
    (message,) = q.inbound(world.a.id)
    assert message.media == [{"url": media[0][0], "content_type": "image/jpeg"},
                             {"url": media[1][0], "content_type": "application/pdf"}]


def test_mms_images_are_flagged_for_the_inbox(world):
    from backend.messaging import inbox

    world.twilio.text(to=A_MAIN, body="", media=[("https://media.test/ME1", "image/png"),
                                                 ("https://media.test/ME2", "audio/amr")])
    with tenant_session(world.a.id) as db:
        (conversation,) = inbox.list_conversations(db, tenant_id=world.a.id)
        thread = inbox.get_thread(db, tenant_id=world.a.id, conversation_id=conversation.id)
    assert [m.is_image for m in thread.messages[0].media] == [True, False]
    assert conversation.last_message_preview == "📷 Picture"


def test_missing_message_sid_is_a_bad_request(world, q):
    params = {"From": CUSTOMER, "To": A_MAIN, "Body": "hi"}
    assert world.twilio.post_sms(params).status_code == 400
    assert q.inbound(world.a.id) == []


def test_bring_your_own_twilio_number_validates_with_the_tenants_token(world, q):
    """A number on the tenant's own Twilio account is validated only with that account's token."""
    own_sid, own_token = "AC" + "b" * 32, "tenant-own-auth-token"
    with tenant_session(world.b.id) as db:
        from backend.tenancy import service as tenancy_service

        config = tenancy_service.get_phone_configs(db, tenant_id=world.b.id)[0]
        config.twilio_account_sid = own_sid
        config.twilio_auth_token_encrypted = crypto.encrypt(own_token)
        db.add(config)
    webhooks.own_accounts.invalidate()
    ok, _ = world.twilio.text(to=B_MAIN, body="own account", token=own_token, account_sid=own_sid)
    platform_signed, _ = world.twilio.text(to=B_MAIN, body="platform token", account_sid=own_sid)
    wrong_account, _ = world.twilio.text(to=B_MAIN, body="other account", token=own_token, account_sid="AC" + "c" * 32)
    assert ok.status_code == 200
    assert platform_signed.status_code == 403
    assert wrong_account.status_code == 403
    assert [m.body for m in q.inbound(world.b.id)] == ["own account"]


def test_changed_byo_token_is_picked_up_without_waiting_for_the_cache(world, q):
    own_sid = "AC" + "d" * 32
    from backend.tenancy import service as tenancy_service

    def set_token(token):
        with tenant_session(world.b.id) as db:
            config = tenancy_service.get_phone_configs(db, tenant_id=world.b.id)[0]
            config.twilio_account_sid = own_sid
            config.twilio_auth_token_encrypted = crypto.encrypt(token)
            db.add(config)

    set_token("first-token")
    webhooks.own_accounts.invalidate()
    assert world.twilio.text(to=B_MAIN, body="one", token="first-token", account_sid=own_sid)[0].status_code == 200
    set_token("second-token")
    webhooks.own_accounts._loaded_at -= 5  # the 1-second refresh guard has passed
    assert world.twilio.text(to=B_MAIN, body="two", token="second-token", account_sid=own_sid)[0].status_code == 200


def test_unknown_number_falls_back_to_root(world, q):
    from tests.factories import make_tenant

    make_tenant("clean-machine", name="Clean Machine", tenant_id="root")
    response, _ = world.twilio.text(to="+13105550100", body="who is this?")
    assert response.status_code == 200
    assert [m.body for m in q.inbound("root")] == ["who is this?"]


# ---- status callbacks -------------------------------------------------------------------------


def _sent_message(world, q, body="See you at 9!"):
    from backend.messaging import actions

    with tenant_session(world.a.id) as db:
        row = actions.send_sms(db, tenant_id=world.a.id, to=CUSTOMER, body=body, kind="confirmation")
    row = q.outbound_row(world.a.id, row.id)
    return row


def test_status_callback_updates_the_message(world, q):
    row = _sent_message(world, q)
    sid = "SM" + "e" * 32
    response = world.twilio.status(sid=sid, status="sent", frm=A_MAIN, to=CUSTOMER, m=row.id)
    assert response.status_code == 204
    updated = q.outbound_row(world.a.id, row.id)
    # The simulator already marked it "simulated" (final); a real provider's row moves on.
    assert updated.status == OutboundStatus.SIMULATED.value


def _twilio_row(world, q, monkeypatch_status="queued"):
    """An outbound row as the Twilio provider leaves it: accepted, provider SID known."""
    row = _sent_message(world, q)
    with tenant_session(world.a.id) as db:
        from backend.messaging.models import OutboundMessage

        stored = db.get(OutboundMessage, (world.a.id, row.id))
        stored.status = monkeypatch_status
        stored.provider = "twilio"
        stored.provider_sid = "SM" + "f" * 32
        db.add(stored)
    return row.id, "SM" + "f" * 32


def test_status_callbacks_are_out_of_order_safe(world, q):
    """delivered then a late 'sent' leaves it delivered."""
    message_id, sid = _twilio_row(world, q)
    assert world.twilio.status(sid=sid, status="delivered", frm=A_MAIN, to=CUSTOMER, m=message_id).status_code == 204
    assert world.twilio.status(sid=sid, status="sent", frm=A_MAIN, to=CUSTOMER, m=message_id).status_code == 204
    row = q.outbound_row(world.a.id, message_id)
    assert row.status == "delivered"
    assert row.delivered_at is not None


def test_status_callback_found_by_sid_without_message_id(world, q):
    message_id, sid = _twilio_row(world, q)
    world.twilio.status(sid=sid, status="undelivered", frm=A_MAIN, to=CUSTOMER, error_code=30003)
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.error_code) == ("undelivered", 30003)


def test_status_callback_21610_marks_the_customer_opted_out(world, q):
    from backend.messaging import service

    world.twilio.text(to=A_MAIN, body="hello")  # creates the customer
    message_id, sid = _twilio_row(world, q)
    world.twilio.status(sid=sid, status="failed", frm=A_MAIN, to=CUSTOMER, m=message_id, error_code=21610)
    row = q.outbound_row(world.a.id, message_id)
    assert (row.status, row.error_code) == ("failed", 21610)
    with tenant_session(world.a.id) as db:
        assert service.is_opted_out(db, tenant_id=world.a.id, phone_e164=CUSTOMER)
        from backend.customers import service as customers_service

        assert customers_service.get_by_phone(db, tenant_id=world.a.id, phone_e164=CUSTOMER).sms_consent == "opted_out"
    (event,) = q.consent_events(world.a.id)
    assert (event.source, event.error_code) == ("carrier", 21610)


def test_status_callback_with_bad_signature_changes_nothing(world, q):
    message_id, sid = _twilio_row(world, q)
    response = world.twilio.status(sid=sid, status="delivered", frm=A_MAIN, to=CUSTOMER, m=message_id,
                                   token="wrong-token")
    assert response.status_code == 403
    assert q.outbound_row(world.a.id, message_id).status == "queued"


def test_status_callback_cannot_touch_another_tenants_message(world, q):
    """A callback 'from' tenant B's number resolves to B and cannot update A's row."""
    message_id, sid = _twilio_row(world, q)
    world.twilio.status(sid=sid, status="delivered", frm=B_MAIN, to=CUSTOMER, m=message_id)
    assert q.outbound_row(world.a.id, message_id).status == "queued"


def test_second_number_of_a_tenant_routes_to_it(world, q):
    world.twilio.text(to=A_SECOND, body="via second line")
    (message,) = q.inbound(world.a.id)
    assert message.to_number == A_SECOND
    (conversation,) = q.conversations(world.a.id)
    assert conversation.tenant_number == A_SECOND


def test_messaging_service_sid_resolution(world, q):
    msid = "MG" + "7" * 32
    add_number(world.b.id, "+15125550143", messaging_service_sid=msid)
    params = {"MessageSid": "SM" + "8" * 32, "From": CUSTOMER, "To": "+15125550143", "Body": "via service",
              "MessagingServiceSid": msid}
    assert world.twilio.post_sms(params).status_code == 200
    assert [m.body for m in q.inbound(world.b.id)] == ["via service"]


def test_short_code_sender_is_stored_without_a_conversation(world, q):
    params = {"MessageSid": "SM" + "c" * 32, "From": "72345", "To": A_MAIN, "Body": "Your carrier alert"}
    assert world.twilio.post_sms(params).status_code == 200
    (message,) = q.inbound(world.a.id)
    assert (message.from_number, message.conversation_id, message.handling) == ("72345", None, "no_conversation")
    assert q.conversations(world.a.id) == [] and q.outbound(world.a.id) == []
