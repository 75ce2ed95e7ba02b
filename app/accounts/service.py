"""Accounts: registration, sign-in and the training profile."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import ProfileUpdate, RegisterRequest, Role, User
from app.accounts.security import hash_password, verify_password
from app.errors import Conflict


async def register(session: AsyncSession, *, request: RegisterRequest, role: Role = "user") -> User:
    """A new account; an email already registered is a Conflict."""
    user = User(
        email=request.email,
        password_hash=hash_password(request.password),
        display_name=request.display_name,
        role=role,
    )
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        raise Conflict("An account with this email already exists.") from error
    return user


async def find_by_email(session: AsyncSession, *, email: str) -> User | None:
    """The account registered with ``email`` (any case), if there is one."""
    return (await session.exec(select(User).where(User.email == email.strip().lower()))).first()


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    """The account when the password matches, else None (in the same time either way)."""
    user = await find_by_email(session, email=email)
    if not verify_password(password, user.password_hash if user else None):
        return None
    return user


async def update_profile(session: AsyncSession, *, user: User, changes: ProfileUpdate) -> User:
    """Apply the profile fields the client sent."""
    user.sqlmodel_update(changes.model_dump(exclude_unset=True))
    session.add(user)
    await session.flush()
    return user


async def make_admin(session: AsyncSession, *, email: str, password: str) -> User:
    """Create an admin account, or promote the existing one and reset its password."""
    user = await find_by_email(session, email=email)
    if user is None:
        return await register(
            session, request=RegisterRequest(email=email, password=password), role="admin"
        )
    user.role = "admin"
    user.password_hash = hash_password(password)
    session.add(user)
    await session.flush()
    return user
