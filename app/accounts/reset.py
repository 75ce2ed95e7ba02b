"""Password reset by mail: a single-use token, valid 30 minutes, stored only as its hash."""

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.mail import send_mail
from app.accounts.models import PasswordReset, User
from app.accounts.security import digest, hash_password, new_opaque_token
from app.accounts.sessions import end_other_sessions
from app.config import Settings
from app.db import utc_now
from app.errors import Unauthorized

logger = logging.getLogger("backfit.accounts")
RESET_TOKEN_LIFETIME = timedelta(minutes=30)
RESET_MAIL_SUBJECT = "Reset your Backfit password"


def _reset_mail(token: str) -> str:
    minutes = int(RESET_TOKEN_LIFETIME.total_seconds() // 60)
    return (
        "Someone asked to reset the password of your Backfit account.\n\n"
        f"Your reset token (valid for {minutes} minutes, usable once):\n\n{token}\n\n"
        "Send it with your new password to POST /v1/auth/password-reset/confirm as\n"
        '{"token": "...", "new_password": "..."}. Every device is then signed out.\n\n'
        "If you did not ask for this, ignore this message: your password stays as it is.\n"
    )


async def mail_reset_token(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, email: str
) -> None:
    """Store a reset token for ``email``'s account, if there is one, and mail it.

    Runs after the 202 was sent, in its own session, so the answer and its timing are the
    same whether or not the account exists, and a slow mail server delays nobody.
    """
    try:
        async with sessionmaker() as session:
            user = (await session.exec(select(User).where(User.email == email))).first()
            if user is None or user.id is None:
                return
            token, token_hash = new_opaque_token()
            session.add(
                PasswordReset(
                    user_id=user.id,
                    token_hash=token_hash,
                    expires_at=utc_now() + RESET_TOKEN_LIFETIME,
                )
            )
            await session.commit()
        await send_mail(settings, to=email, subject=RESET_MAIL_SUBJECT, body=_reset_mail(token))
    except Exception as error:  # a background task has nobody to answer: log, never raise
        logger.error("password-reset mail failed", extra={"error": type(error).__name__})


async def confirm_reset(session: AsyncSession, *, token: str, new_password: str) -> None:
    """Set the new password for a valid, unused reset token; every session ends."""
    # Hash first: nothing slow may run inside the (SQLite) write transaction.
    new_hash = await hash_password(new_password)
    now = utc_now()
    user_id: int | None = (
        await session.exec(
            update(PasswordReset)
            .where(
                col(PasswordReset.token_hash) == digest(token),
                col(PasswordReset.used_at).is_(None),
                col(PasswordReset.expires_at) > now,
            )
            .values(used_at=now)
            .returning(col(PasswordReset.user_id))
        )
    ).scalar_one_or_none()
    if user_id is None:
        raise Unauthorized("The reset token is invalid, expired or already used; ask again.")
    await session.exec(update(User).where(col(User.id) == user_id).values(password_hash=new_hash))
    # Any other reset token mailed to the user dies with this one.
    await session.exec(
        update(PasswordReset)
        .where(col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None))
        .values(used_at=now)
    )
    await end_other_sessions(session, user_id=user_id, keep=None)
