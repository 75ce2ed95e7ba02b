"""Who is calling: the signed-in user, or an admin, resolved from the bearer token."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.accounts.models import User
from app.accounts.security import user_id_from_token
from app.db import DbSession
from app.errors import Forbidden, Unauthorized
from app.request_context import user_id_var

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from /v1/auth/token.")


async def current_user(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The user named by a valid bearer token; 401 otherwise (also for deleted users)."""
    if credentials is None:
        raise Unauthorized("Sign in: send an access token as 'Authorization: Bearer <token>'.")
    user_id = user_id_from_token(credentials.credentials, request.app.state.settings)
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise Unauthorized("The access token is invalid or has expired; sign in again.")
    user_id_var.set(user.id)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_admin(user: CurrentUser) -> User:
    """The signed-in user when they are an admin; 403 otherwise."""
    if user.role != "admin":
        raise Forbidden("Only admins may change the catalog.")
    return user


AdminUser = Annotated[User, Depends(current_admin)]
