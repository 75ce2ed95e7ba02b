"""Password reset by mail, through a real SMTP server (aiosmtpd) that the test reads."""

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from httpx import ASGITransport, AsyncClient
from sqlmodel import update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import PasswordReset
from app.config import Settings
from app.db import utc_now
from app.main import create_app
from tests.factories import PASSWORD, auth_headers, make_user
from tests.support.server import free_port, running_service

pytestmark = [pytest.mark.anyio, pytest.mark.owasp("API2")]
NEW_PASSWORD = "battery staple 7"


class Mailbox:
    """An aiosmtpd handler that keeps every message; optionally slow to accept one."""

    def __init__(self, delay_seconds: float = 0) -> None:
        self.messages: list[Message] = []
        self.delay_seconds = delay_seconds

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.delay_seconds)
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, str]]:
    """A real SMTP server on a free port, and the BACKFIT_SMTP_URL that reaches it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield box, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


@pytest.fixture
async def mailing_client(
    settings: Settings, joined_sessions: Callable[[], AsyncSession], mailbox: tuple[Mailbox, str]
) -> AsyncIterator[AsyncClient]:
    app = create_app(settings.model_copy(update={"smtp_url": mailbox[1]}))
    app.state.sessionmaker = joined_sessions
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client


def reset_token(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"usable once\):\s+(\S+)", body.decode())
    assert found, body
    return found.group(1)


async def test_reset_by_mail_then_every_session_ends(
    mailing_client: AsyncClient,
    mailbox: tuple[Mailbox, str],
    db_session: AsyncSession,
    settings: Settings,
) -> None:
    user = await make_user(db_session)
    signed_in = auth_headers(user, settings)
    asked = await mailing_client.post("/v1/auth/password-reset", json={"email": user.email})
    assert asked.status_code == 202
    (message,) = mailbox[0].wait_for(1)
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your Backfit password"
    token = reset_token(message)
    confirm = {"token": token, "new_password": NEW_PASSWORD}
    done = await mailing_client.post("/v1/auth/password-reset/confirm", json=confirm)
    assert done.status_code == 204, done.text
    assert (await mailing_client.get("/v1/me", headers=signed_in)).status_code == 401
    for password, status in ((PASSWORD, 401), (NEW_PASSWORD, 200)):
        form = {"username": user.email, "password": password}
        assert (await mailing_client.post("/v1/auth/token", data=form)).status_code == status
    # Single use.
    again = await mailing_client.post("/v1/auth/password-reset/confirm", json=confirm)
    assert again.status_code == 401


async def test_unknown_email_gets_the_same_202_and_no_mail(
    mailing_client: AsyncClient, mailbox: tuple[Mailbox, str]
) -> None:
    asked = await mailing_client.post("/v1/auth/password-reset", json={"email": "no@example.com"})
    assert asked.status_code == 202
    assert asked.content == b""
    assert mailbox[0].wait_for(1, timeout=0.5) == []


@pytest.mark.parametrize("problem", ["expired", "made up", "breached password"])
async def test_bad_confirmations_change_nothing(
    mailing_client: AsyncClient,
    mailbox: tuple[Mailbox, str],
    db_session: AsyncSession,
    problem: str,
) -> None:
    user = await make_user(db_session)
    await mailing_client.post("/v1/auth/password-reset", json={"email": user.email})
    token = reset_token(mailbox[0].wait_for(1)[0])
    if problem == "expired":
        past = utc_now() - timedelta(seconds=1)
        await db_session.exec(update(PasswordReset).values(expires_at=past))
        await db_session.commit()
    confirm = {
        "token": "not-a-token" if problem == "made up" else token,
        "new_password": "password123" if problem == "breached password" else NEW_PASSWORD,
    }
    response = await mailing_client.post("/v1/auth/password-reset/confirm", json=confirm)
    assert response.status_code == (422 if problem == "breached password" else 401)
    form = {"username": user.email, "password": PASSWORD}
    assert (await mailing_client.post("/v1/auth/token", data=form)).status_code == 200


async def test_without_smtp_development_logs_the_mail(
    settings: Settings,
    joined_sessions: Callable[[], AsyncSession],
    db_session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = await make_user(db_session)
    app = create_app(settings.model_copy(update={"env": "development", "smtp_url": ""}))
    app.state.sessionmaker = joined_sessions
    transport = ASGITransport(app=app)
    with caplog.at_level(logging.INFO, logger="backfit.mail"):
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            asked = await client.post("/v1/auth/password-reset", json={"email": user.email})
    assert asked.status_code == 202
    (record,) = [record for record in caplog.records if record.name == "backfit.mail"]
    assert "Reset your Backfit password" in record.__dict__["mail"]


@pytest.mark.slow
def test_a_slow_mail_server_never_delays_the_answer(scratch_database_url: str) -> None:
    box = Mailbox(delay_seconds=3)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    smtp = {"BACKFIT_SMTP_URL": f"smtp://127.0.0.1:{controller.port}"}
    try:
        with running_service(scratch_database_url, extra_env=smtp) as base_url:
            account = {"email": "slowmail@example.com", "password": PASSWORD}
            assert httpx.post(f"{base_url}/v1/auth/register", json=account).status_code == 201
            started = time.monotonic()
            asked = httpx.post(
                f"{base_url}/v1/auth/password-reset", json={"email": account["email"]}
            )
            answered_in = time.monotonic() - started
            assert asked.status_code == 202
            assert answered_in < 1.5, answered_in
            assert len(box.wait_for(1, timeout=15)) == 1
    finally:
        controller.stop()
