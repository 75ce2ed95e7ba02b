"""Drives a running Backfit API through the client openapi-python-client generates for it.

Usage: python flow.py http://127.0.0.1:8000 (with the generated ``backfit_client`` importable).

The test generates the package from the live /openapi.json, type-checks this file against it
with ``mypy --strict``, then runs it: it does what a front-end does first (sign up, sign in,
browse classes, preview and save a plan, log a workout, read history and stats), prints one
line of JSON and exits 0, or names the step whose answer was unexpected and exits 1.
"""

import json
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from backfit_client import AuthenticatedClient, Client
from backfit_client.api.accounts import create_token, register
from backfit_client.api.classes import list_classes
from backfit_client.api.plans import create_plan, preview_plan
from backfit_client.api.sync import list_changes
from backfit_client.api.workouts import create_workout, get_stats, list_workouts
from backfit_client.models import (
    AccessToken,
    ChangesPage,
    CreateTokenForm,
    PlanCreate,
    PlanPreview,
    PlanPreviewRequest,
    PlanPreviewRequestAvailableDaysItem,
    PlanPreviewRequestExperienceLevel,
    PlanPublic,
    Problem,
    RegisterRequest,
    Stats,
    UserPublic,
    WorkoutClassPublicPage,
    WorkoutCreate,
    WorkoutPublic,
    WorkoutPublicPage,
)
from backfit_client.types import Response

Parsed = TypeVar("Parsed")


class UnexpectedResponse(Exception):
    pass


def expect(step: str, status: int, response: Response[Any], kind: type[Parsed]) -> Parsed:
    """The parsed body when ``response`` has ``status`` and parsed as ``kind``."""
    if response.status_code != status or not isinstance(response.parsed, kind):
        raise UnexpectedResponse(
            f"{step}: expected {status}, got {int(response.status_code)} {response.content!r}"
        )
    return response.parsed


def this_monday() -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


def main(base_url: str) -> None:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    classes_response = list_classes.sync_detailed(client=anonymous, limit=100)
    classes = expect("GET /v1/classes", 200, classes_response, WorkoutClassPublicPage)
    etag = classes_response.headers["ETag"]
    cached = list_classes.sync_detailed(client=anonymous, limit=100, if_none_match=etag)
    if cached.status_code != 304:
        raise UnexpectedResponse(f"GET /v1/classes with If-None-Match: {cached.status_code}")

    days = [PlanPreviewRequestAvailableDaysItem(day) for day in ("mon", "wed", "fri", "sat")]
    preview = expect(
        "POST /v1/plans/preview",
        200,
        preview_plan.sync_detailed(
            client=anonymous,
            body=PlanPreviewRequest(
                week_start=this_monday() + timedelta(weeks=1),
                experience_level=PlanPreviewRequestExperienceLevel.INTERMEDIATE,
                equipment=["mat"],
                available_days=days,
            ),
        ),
        PlanPreview,
    )

    email = f"py-client-{uuid.uuid4().hex[:12]}@example.com"
    password = "correct horse 42"
    user = expect(
        "POST /v1/auth/register",
        201,
        register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(email=email, password=password, display_name="Python client"),
        ),
        UserPublic,
    )
    token = expect(
        "POST /v1/auth/token",
        200,
        create_token.sync_detailed(
            client=anonymous, body=CreateTokenForm(username=email, password=password)
        ),
        AccessToken,
    )
    wrong = create_token.sync_detailed(
        client=anonymous, body=CreateTokenForm(username=email, password="not the password")
    )
    refusal = expect("POST /v1/auth/token (wrong password)", 401, wrong, Problem)
    api = AuthenticatedClient(base_url=base_url, token=token.access_token)

    plan = expect(
        "POST /v1/me/plans",
        201,
        create_plan.sync_detailed(client=api, body=PlanCreate(week_start=this_monday())),
        PlanPublic,
    )
    first = plan.sessions[0]
    key = uuid.uuid4().hex
    workout_body = WorkoutCreate(
        # The planned session it completes (a strength session has no class).
        plan_session_id=first.id,
        completed_at=datetime.now(UTC) - timedelta(minutes=5),
        duration_minutes=first.class_.duration_minutes if first.class_ else 30,
        rpe=6,
        pain=1,
    )
    logged = [
        expect(
            "POST /v1/me/workouts",
            201,
            create_workout.sync_detailed(client=api, body=workout_body, idempotency_key=key),
            WorkoutPublic,
        )
        for _ in range(2)  # the second is a retry: the same workout comes back
    ]
    history = expect(
        "GET /v1/me/workouts", 200, list_workouts.sync_detailed(client=api), WorkoutPublicPage
    )
    stats = expect("GET /v1/me/stats", 200, get_stats.sync_detailed(client=api, weeks=4), Stats)
    changes = expect("GET /v1/me/changes", 200, list_changes.sync_detailed(client=api), ChangesPage)
    print(
        json.dumps(
            {
                "classes": [item.slug for item in classes.items],
                "preview_sessions": len(preview.sessions),
                "user": {"email": user.email, "role": str(user.role)},
                "refusal_status": refusal.status,
                "plan": {"week_start": plan.week_start.isoformat(), "sessions": len(plan.sessions)},
                "workout_ids": [workout.id for workout in logged],
                "history_ids": [workout.id for workout in history.items],
                "stats_total_sessions": stats.total_sessions,
                "changes": sorted({change.entity for change in changes.changes}),
            }
        )
    )


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except UnexpectedResponse as error:
        print(error, file=sys.stderr)
        sys.exit(1)
