"""HTTP routes for registration, sign-in sessions, passwords and the caller's account."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Form, Request, Response

from app.accounts import reset, service, sessions
from app.accounts.deps import CurrentSignInId, CurrentUser
from app.accounts.keys import Keys
from app.accounts.models import (
    AccessToken,
    AccountDeletion,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    RegisterRequest,
    SignInPublic,
    UserPublic,
)
from app.api_types import ResourceId
from app.db import WRITES, DbSession
from app.errors import Unprocessable, problem_responses

router = APIRouter(tags=["accounts"])


def client_address(request: Request) -> str:
    """Who is calling, as the sign-in throttle counts them (the proxy's X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


@router.post(
    "/v1/auth/register",
    status_code=201,
    response_model=UserPublic,
    operation_id="register",
    responses=problem_responses(409, 413, 422),
    dependencies=[WRITES],
)
async def register(session: DbSession, body: RegisterRequest) -> UserPublic:
    """Create an account (10+ characters, not one of the most common breached passwords)."""
    return UserPublic.model_validate(await service.register(session, request=body))


@router.post(
    "/v1/auth/token",
    response_model=AccessToken,
    operation_id="createToken",
    responses=problem_responses(401, 413, 422, 429, 503),
    dependencies=[WRITES],
)
async def create_token(
    request: Request,
    response: Response,
    session: DbSession,
    keys: Keys,
    grant_type: Annotated[Literal["password", "refresh_token"], Form()] = "password",
    username: Annotated[str | None, Form(max_length=320)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    refresh_token: Annotated[str | None, Form(max_length=256)] = None,
    scope: Annotated[str, Form(max_length=256)] = "",
) -> AccessToken:
    """Sign in, or trade a refresh token for a new pair (the OAuth2 token endpoint).

    `grant_type=password` (email as `username`, `password`) signs in;
    `grant_type=refresh_token` (`refresh_token`) rotates a pair.

    Ten failed sign-ins within a minute for one account, or from one address, answer 429 with
    Retry-After until the minute has passed; `RateLimit-Policy` and `RateLimit` say how many
    are left. A refresh token works once: used again, it signs its session out.
    """
    settings = request.app.state.settings
    if grant_type == "refresh_token":
        if not refresh_token:
            raise Unprocessable("grant_type=refresh_token needs the refresh_token field.")
        return await sessions.refresh(
            session, refresh_token=refresh_token, keys=keys, settings=settings
        )
    if username is None or password is None:
        raise Unprocessable("grant_type=password needs the username and password fields.")
    signed_in = await sessions.sign_in(
        session,
        email=username,
        password=password,
        client_address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        keys=keys,
        settings=settings,
    )
    response.headers.update(signed_in.allowance.headers())
    return signed_in.token


@router.post(
    "/v1/auth/logout",
    status_code=204,
    operation_id="logout",
    responses=problem_responses(401),
    dependencies=[WRITES],
)
async def logout(session: DbSession, user: CurrentUser, sign_in_id: CurrentSignInId) -> None:
    """End this session: its access and refresh tokens stop working at once."""
    assert user.id is not None
    await sessions.end_session(session, user_id=user.id, sign_in_id=sign_in_id)


@router.post(
    "/v1/auth/password-reset",
    status_code=202,
    response_class=Response,
    operation_id="requestPasswordReset",
    responses={
        202: {"description": "Accepted: a mail is on its way if the account exists."},
        **problem_responses(413, 422),
    },
)
async def request_password_reset(
    request: Request, background: BackgroundTasks, body: PasswordResetRequest
) -> Response:
    """Mail a reset token (valid 30 minutes, single use) if the account exists; 202 always."""
    background.add_task(
        reset.mail_reset_token,
        request.app.state.sessionmaker,
        request.app.state.settings,
        email=body.email,
    )
    return Response(status_code=202)


@router.post(
    "/v1/auth/password-reset/confirm",
    status_code=204,
    operation_id="confirmPasswordReset",
    responses=problem_responses(401, 413, 422, 503),
    dependencies=[WRITES],
)
async def confirm_password_reset(session: DbSession, body: PasswordResetConfirm) -> None:
    """Set a new password with a mailed reset token; every session of the account ends."""
    await reset.confirm_reset(session, token=body.token, new_password=body.new_password)


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
    dependencies=[WRITES],
)
async def update_me(session: DbSession, user: CurrentUser, body: ProfileUpdate) -> UserPublic:
    """Change profile fields; only those sent change. Role and id are not settable."""
    return UserPublic.model_validate(await service.update_profile(session, user=user, changes=body))


# No WRITES on the routes below: they check a password first, and take the write lock after.
@router.delete(
    "/v1/me",
    status_code=204,
    operation_id="deleteMe",
    responses=problem_responses(401, 413, 422, 429, 503),
)
async def delete_me(
    request: Request, session: DbSession, user: CurrentUser, body: AccountDeletion
) -> None:
    """Delete the account and everything stored about it; the password confirms it."""
    await service.delete_account(
        session, user=user, password=body.password, client_address=client_address(request)
    )


@router.post(
    "/v1/me/password",
    status_code=204,
    operation_id="changePassword",
    responses=problem_responses(401, 413, 422, 429, 503),
)
async def change_password(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    sign_in_id: CurrentSignInId,
    body: PasswordChange,
) -> None:
    """Change the password; every other session ends, this one stays signed in."""
    await service.change_password(
        session,
        user=user,
        sign_in_id=sign_in_id,
        current=body.current_password,
        new=body.new_password,
        client_address=client_address(request),
    )


@router.get(
    "/v1/me/sessions",
    response_model=list[SignInPublic],
    operation_id="listSessions",
    responses=problem_responses(401),
)
async def list_sessions(
    session: DbSession, user: CurrentUser, sign_in_id: CurrentSignInId
) -> list[SignInPublic]:
    """The devices signed in to the account, most recently used first."""
    assert user.id is not None
    return await sessions.list_sessions(session, user_id=user.id, current_sign_in_id=sign_in_id)


@router.delete(
    "/v1/me/sessions/{sign_in_id}",
    status_code=204,
    operation_id="endSession",
    responses=problem_responses(401, 404, 422),
    dependencies=[WRITES],
)
async def end_session(session: DbSession, user: CurrentUser, sign_in_id: ResourceId) -> None:
    """Sign one device out (a lost phone): its tokens stop working at once."""
    assert user.id is not None
    await sessions.end_session(session, user_id=user.id, sign_in_id=sign_in_id)


@router.get(
    "/v1/me/export",
    operation_id="exportMe",
    responses=problem_responses(401),
)
async def export_me(session: DbSession, user: CurrentUser) -> dict[str, Any]:
    """Everything stored about the signed-in user, as JSON (secrets and hashes left out)."""
    return await service.export_account(session, user=user)
