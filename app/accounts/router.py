"""HTTP routes for registration, sign-in and the caller's profile."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from app.accounts import service
from app.accounts.deps import CurrentUser
from app.accounts.models import AccessToken, ProfileUpdate, RegisterRequest, UserPublic
from app.db import DbSession
from app.errors import problem_responses

router = APIRouter(tags=["accounts"])


@router.post(
    "/v1/auth/register",
    status_code=201,
    response_model=UserPublic,
    operation_id="register",
    responses=problem_responses(409, 413, 422),
)
async def register(session: DbSession, body: RegisterRequest) -> UserPublic:
    """Create an account (password of 10 characters or more)."""
    return UserPublic.model_validate(await service.register(session, request=body))


@router.post(
    "/v1/auth/token",
    response_model=AccessToken,
    operation_id="createToken",
    responses=problem_responses(401, 413, 422, 429),
)
async def create_token(
    request: Request,
    session: DbSession,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> AccessToken:
    """Exchange email (`username`) and password for a bearer access token.

    Ten failures within a minute for one account, or from one address, answer 429 with
    Retry-After until the minute has passed.
    """
    return await service.sign_in(
        session,
        email=form.username,
        password=form.password,
        client_address=request.client.host if request.client else "unknown",
        settings=request.app.state.settings,
    )


@router.get(
    "/v1/me",
    response_model=UserPublic,
    operation_id="getMe",
    responses=problem_responses(401),
)
async def read_me(user: CurrentUser) -> UserPublic:
    """The signed-in user's account and training profile."""
    return UserPublic.model_validate(user)


@router.patch(
    "/v1/me",
    response_model=UserPublic,
    operation_id="updateMe",
    responses=problem_responses(401, 413, 422),
)
async def update_me(session: DbSession, user: CurrentUser, body: ProfileUpdate) -> UserPublic:
    """Change profile fields; only those sent change. Role and id are not settable."""
    return UserPublic.model_validate(await service.update_profile(session, user=user, changes=body))
