"""Outgoing mail over SMTP (``BACKFIT_SMTP_URL``), sent off the event loop.

``smtp://host:25`` plain, ``smtp+starttls://user:pass@host:587`` upgraded with STARTTLS,
``smtps://user:pass@host:465`` TLS from the start. Unset in development the message is
logged instead, so a reset can be tried without a mail server; elsewhere it is dropped
with a warning that names no recipient and carries no content.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from starlette.concurrency import run_in_threadpool

from app.config import Settings

logger = logging.getLogger("backfit.mail")
SMTP_TIMEOUT_SECONDS = 10


def _deliver(smtp_url: str, message: EmailMessage) -> None:
    url = urlsplit(smtp_url)
    scheme = url.scheme.lower()
    if scheme not in ("smtp", "smtp+starttls", "smtps"):
        raise ValueError(f"BACKFIT_SMTP_URL: unsupported scheme {scheme!r}")
    host = url.hostname or "localhost"
    port = url.port or {"smtp": 25, "smtp+starttls": 587, "smtps": 465}[scheme]
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if scheme == "smtp+starttls":
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


async def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text message (or log it in development when no SMTP URL is set)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if settings.smtp_url:
        await run_in_threadpool(_deliver, settings.smtp_url, message)
    elif settings.env == "development":
        logger.info("mail not sent (BACKFIT_SMTP_URL unset)", extra={"mail": message.as_string()})
    else:
        logger.warning("mail dropped: BACKFIT_SMTP_URL is not set", extra={"subject": subject})
