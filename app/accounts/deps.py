"""Who is calling: the signed-in user, or an admin, resolved from the bearer token."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.accounts.keys import Keys
from app.accounts.models import User
from app.accounts.security import session_from_token
from app.accounts.sessions import find_signed_in_user
from app.db import DbSession
from app.errors import Forbidden, Unauthorized
from app.request_context import user_id_var

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from /v1/auth/token.")


async def current_user(
    request: Request,
    session: DbSession,
    keys: Keys,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> User:
    """The user named by a valid bearer token of a live session; 401 otherwise (also after
    sign-out and for deleted users)."""
    if credentials is None:
        raise Unauthorized("Sign in: send an access token as 'Authorization: Bearer <token>'.")
    named = session_from_token(credentials.credentials, await keys.current(session))
    user = None
    if named is not None:
        user_id, sign_in_id = named
        user = await find_signed_in_user(session, user_id=user_id, sign_in_id=sign_in_id)
    if named is None or user is None:
        raise Unauthorized("The access token is invalid or has expired; sign in again.")
    request.state.sign_in_id = named[1]
    user_id_var.set(user.id)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_sign_in_id(request: Request, _user: CurrentUser) -> int:
    """The id of the session the caller's access token belongs to."""
    sign_in_id: int = request.state.sign_in_id
    return sign_in_id


CurrentSignInId = Annotated[int, Depends(current_sign_in_id)]


async def current_admin(user: CurrentUser) -> User:
    """The signed-in user when they are an admin; 403 otherwise."""
    if user.role != "admin":
        raise Forbidden("Only admins may change the catalog.")
    return user


AdminUser = Annotated[User, Depends(current_admin)]
