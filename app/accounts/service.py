"""Accounts: registration, the training profile, passwords, and the account's export and
deletion (GDPR)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.accounts.models import ProfileUpdate, RegisterRequest, Role, User
from app.accounts.security import hash_password, verify_password
from app.accounts.sessions import end_other_sessions
from app.accounts.throttle import forget_account, give_back_attempt, reserve_attempt
from app.db import committed_now, start_writing, utc_now
from app.errors import Conflict, Unauthorized
from app.sync.changes import record_change
from app.vocabulary import STARTER_EQUIPMENT

# Columns that hold secrets (or their hashes): never exported, not even to their owner.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "calendar_token", "request_hash"})


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


async def _check_password(
    session: AsyncSession, *, user: User, password: str, client_address: str
) -> None:
    """401 unless ``password`` is the user's; a stolen access token must not make a way to
    guess it, so each check counts against the sign-in throttle like a sign-in does."""
    # The request only read so far: end that, then count the attempt before hashing.
    await start_writing(session)
    async with committed_now(session):
        await reserve_attempt(
            session, email=user.email, client_address=client_address, now=utc_now()
        )
    if not await verify_password(password, user.password_hash):
        raise Unauthorized("The password is wrong.")
    await give_back_attempt(session, email=user.email, client_address=client_address)


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    sign_in_id: int,
    current: str,
    new: str,
    client_address: str,
) -> None:
    """Set a new password after checking the current one; every other session ends."""
    assert user.id is not None
    await _check_password(session, user=user, password=current, client_address=client_address)
    new_hash = await hash_password(new)
    await session.exec(update(User).where(col(User.id) == user.id).values(password_hash=new_hash))
    await end_other_sessions(session, user_id=user.id, keep=sign_in_id)


def _rows_owned_by_user() -> list[tuple[sa.Table, sa.ColumnElement[bool]]]:
    """Every table holding the user's rows, with the condition that selects them (by the
    foreign-key path to ``user``), so a table added later is exported without a change here."""
    user_table: sa.Table = User.__table__  # type: ignore[attr-defined]
    owned: list[tuple[sa.Table, sa.ColumnElement[bool]]] = []
    parents = {user_table.name: user_table.c.id == sa.bindparam("user_id")}
    for table in SQLModel.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            parent = foreign_key.column.table
            if parent.name in parents and foreign_key.ondelete == "CASCADE":
                parent_rows = sa.select(foreign_key.column).where(parents[parent.name])
                condition = foreign_key.parent.in_(parent_rows.scalar_subquery())
                parents[table.name] = condition
                owned.append((table, condition))
                break
    return owned


async def export_account(session: AsyncSession, *, user: User) -> dict[str, Any]:
    """Everything stored about the user, table by table (secrets left out)."""
    assert user.id is not None
    account = user.model_dump(exclude=set(SECRET_COLUMNS))
    tables: dict[str, list[dict[str, Any]]] = {}
    connection = await session.connection()
    for table, condition in _rows_owned_by_user():
        columns = [column for column in table.c if column.name not in SECRET_COLUMNS]
        result = await connection.execute(
            sa.select(*columns).where(condition).order_by(*table.primary_key.columns),
            {"user_id": user.id},
        )
        tables[table.name] = [dict(row._mapping) for row in result]
    return {"account": account, **tables}


async def delete_account(
    session: AsyncSession, *, user: User, password: str, client_address: str
) -> None:
    """Remove the account and every row it owns; the email may register again."""
    assert user.id is not None
    await _check_password(session, user=user, password=password, client_address=client_address)
    # Foreign keys cascade from the user to everything it owns (on SQLite too: see db.py).
    await session.exec(delete(User).where(col(User.id) == user.id))
    await forget_account(session, email=user.email)
