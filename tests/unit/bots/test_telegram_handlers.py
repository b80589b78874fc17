"""What the Telegram routers hand to the inbound flow, for each kind of update."""

import pytest
from aiogram.types import Update

from bots.telegram.dispatcher import TelegramChannel
from core.settings import Settings
from tests.support import telegram_payloads as tp
from tests.support.telegram_double import TelegramDouble


class RecordingFlow:
    """Stands in for the inbound flow: keeps what the handlers produce."""

    def __init__(self):
        self.received = []

    async def process(self, inbound):
        self.received.append(inbound)


@pytest.fixture
async def channel():
    with TelegramDouble() as double:
        settings = Settings(_env_file=None, telegram_token=double.token, telegram_api_url=double.url)
        flow = RecordingFlow()
        channel = TelegramChannel(settings, flow)
        channel.flow = flow
        channel.double = double
        yield channel
        await channel.close()


async def feed(channel, payload):
    await channel.feed(channel.parse(payload))
    return channel.flow.received[-1] if channel.flow.received else None


@pytest.mark.parametrize(("payload", "phone"), [
    pytest.param(tp.contact_update("380501234567"), "+380501234567", id="own-without-plus"),
    pytest.param(tp.contact_update("+380 (50) 123-45-67"), "+380501234567", id="own-formatted"),
    pytest.param(tp.contact_update("380501234567", contact_user_id=999), None, id="someone-elses"),
    pytest.param(tp.contact_update("380501234567", contact_user_id=None), None, id="card-without-user"),
])
async def test_contact_phone_is_trusted_only_when_it_is_the_senders_own(channel, payload, phone):
    inbound = await feed(channel, payload)
    assert (inbound.kind, inbound.phone) == ("contact", phone)
    assert inbound.payload["contact"]["phone_number"] == payload["message"]["contact"]["phone_number"]


async def test_text_carries_sender_chat_language_and_update_id(channel):
    inbound = await feed(channel, tp.text_update("Привіт", update_id=777, language_code="uk-UA"))
    assert (inbound.channel, inbound.user_id, inbound.chat_id, inbound.dedup_key) == (
        "telegram", str(tp.USER_ID), str(tp.USER_ID), "777")
    assert (inbound.kind, inbound.text, inbound.language_hint) == ("text", "Привіт", "uk")
    assert (inbound.display_name, inbound.username) == ("Test Test Lastname", "Test")
    assert inbound.sent_at is not None


async def test_start_payload_goes_to_payload_start(channel):
    inbound = await feed(channel, tp.start_update("link_abc-123"))
    assert (inbound.kind, inbound.payload["start"]) == ("start", "link_abc-123")


async def test_callback_is_answered_and_carries_the_pressed_data(channel):
    inbound = await feed(channel, tp.callback_update("order:1042"))
    assert (inbound.kind, inbound.text, inbound.payload["data"]) == ("callback", "order:1042", "order:1042")
    assert inbound.chat_id == str(tp.USER_ID)
    assert len(channel.double.calls_of("answerCallbackQuery")) == 1


async def test_gif_is_an_animation_not_a_document(channel):
    payload = tp.document_update()
    payload["message"]["animation"] = {"file_id": "CgADgif", "file_unique_id": "AgADgif", "width": 1, "height": 1,
                                       "duration": 1}
    inbound = await feed(channel, payload)
    assert (inbound.kind, inbound.payload["attachment"]["file_id"]) == ("animation", "CgADgif")


async def test_location_is_kept_with_its_coordinates(channel):
    inbound = await feed(channel, tp.location_update())
    assert inbound.kind == "location"
    assert inbound.payload["attachment"] == {"type": "location", "latitude": 50.4501, "longitude": 30.5234}


def test_every_payload_builder_validates_as_an_aiogram_update():
    payloads = [tp.text_update("a"), tp.start_update("p"), tp.contact_update("1"), tp.callback_update("d"),
                tp.edited_update("e"), tp.photo_update(), tp.document_update(), tp.voice_update(), tp.sticker_update(),
                tp.video_update(), tp.location_update(), tp.dice_update(), tp.chat_member_update("kicked"),
                tp.chat_member_update("member")]
    kinds = [Update.model_validate(p).event_type for p in payloads]
    assert kinds == ["message"] * 3 + ["callback_query", "edited_message"] + ["message"] * 7 + ["my_chat_member"] * 2
