"""Accounts: registration, sign-in and the training profile."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import AccessToken, ProfileUpdate, RegisterRequest, Role, User
from app.accounts.security import hash_password, issue_access_token, verify_password
from app.accounts.throttle import record_login_failure, refuse_if_throttled
from app.config import Settings
from app.db import utc_now
from app.errors import Conflict, Unauthorized
from app.sync.changes import record_change
from app.vocabulary import STARTER_EQUIPMENT


async def register(session: AsyncSession, *, request: RegisterRequest, role: Role = "user") -> User:
    """A new account; an email already registered is a Conflict."""
    user = User(
        email=request.email,
        password_hash=await hash_password(request.password),
        display_name=request.display_name,
        role=role,
        equipment=list(STARTER_EQUIPMENT),
    )
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        raise Conflict("An account with this email already exists.") from error
    await record_change(session, user_id=user.id, entity="profile", entity_id=user.id)
    return user


async def find_by_email(session: AsyncSession, *, email: str) -> User | None:
    """The account registered with ``email`` (any case), if there is one."""
    return (await session.exec(select(User).where(User.email == email.strip().lower()))).first()


async def sign_in(
    session: AsyncSession, *, email: str, password: str, client_address: str, settings: Settings
) -> AccessToken:
    """A bearer token for the right password; 401 otherwise, 429 after too many failures."""
    email = email.strip().lower()[:254]
    now = utc_now()
    await refuse_if_throttled(session, email=email, client_address=client_address, now=now)
    user = await find_by_email(session, email=email)
    # End the transaction before Argon2 runs: on SQLite a writing request's transaction
    # holds the database's write lock, and other writers would queue behind the hashing.
    await session.commit()
    if not await verify_password(password, user.password_hash if user else None):
        user = None
    if user is None or user.id is None:
        await record_login_failure(session, email=email, client_address=client_address, now=now)
        raise Unauthorized("Wrong email or password.")
    token, lifetime = issue_access_token(user.id, settings)
    return AccessToken(access_token=token, expires_in=lifetime)


async def update_profile(session: AsyncSession, *, user: User, changes: ProfileUpdate) -> User:
    """Apply the profile fields the client sent."""
    user.sqlmodel_update(changes.model_dump(exclude_unset=True))
    session.add(user)
    await session.flush()
    await record_change(session, user_id=user.id, entity="profile", entity_id=user.id)
    return user


async def make_admin(session: AsyncSession, *, email: str, password: str) -> User:
    """Create an admin account, or promote the existing one and reset its password."""
    user = await find_by_email(session, email=email)
    if user is None:
        return await register(
            session, request=RegisterRequest(email=email, password=password), role="admin"
        )
    user.role = "admin"
    user.password_hash = await hash_password(password)
    session.add(user)
    await session.flush()
    return user
