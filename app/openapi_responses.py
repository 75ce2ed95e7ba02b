"""Response headers and error examples as the published OpenAPI document declares them.

Routers declare which of these they answer with (``CACHED_RESPONSES`` on cached GETs); the
document builder (app/openapi.py) adds the headers every response carries and one true
example per error status.
"""

from typing import Any

from app.errors import status_title

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the one you sent (if short and plain) or a new one.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The representation's entity tag; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "Caches may keep the response but must revalidate it first.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme to use: Bearer.",
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": "The quota of this route (IETF httpapi RateLimit headers draft), "
        'such as `"sign-in";q=10;w=60`.',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "What is left of the quota and when it resets (IETF httpapi RateLimit "
        'headers draft), such as `"sign-in";r=7;t=40`.',
        "schema": {"type": "string"},
    },
}


def header_refs(*names: str) -> dict[str, dict[str, str]]:
    """References to ``HEADERS`` entries, for a response's ``headers``."""
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


# A cached GET: 200 with its validators, or 304 with no body when If-None-Match is current.
CACHED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": header_refs("ETag", "Cache-Control")},
    304: {
        "description": "Not Modified: your copy (the ETag in If-None-Match) is current.",
        "headers": header_refs("ETag", "Cache-Control"),
    },
}

IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of your copy; the answer is an empty 304 while it is current.",
    "schema": {"type": "string"},
}

VALIDATION_EXAMPLE: dict[str, Any] = {
    "type": "/problems/validation",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "The request is not valid: check completed_at, rpe.",
    "errors": [
        {
            "loc": ["body", "completed_at"],
            "msg": "This field is required.",
            "type": "missing",
            "pointer": "#/completed_at",
            "code": "required",
        },
        {
            "loc": ["body", "rpe"],
            "msg": "Must be less than or equal to 10.",
            "type": "less_than_equal",
            "pointer": "#/rpe",
            "code": "too_large",
        },
    ],
}

# The detail a client may see for each error status, unless an operation has its own below.
STATUS_DETAILS: dict[int, tuple[str, str]] = {
    401: ("unauthorized", "Sign in: send an access token as 'Authorization: Bearer <token>'."),
    403: ("forbidden", "Only admins may change the catalog."),
    404: ("not-found", "No resource at this address."),
    409: ("conflict", "This conflicts with what is stored."),
    410: ("gone", "This is no longer available."),
    413: ("content-too-large", "The request body is over the 1024 KiB limit."),
    429: ("too-many-requests", "Too many failed sign-ins; try again in 40 seconds."),
    503: ("database-unavailable", "The database is unavailable; retry shortly."),
}

# Operation-specific details, so that each example is what that operation really answers.
OPERATION_DETAILS: dict[tuple[str, int], str] = {
    ("getExercise", 404): "No exercise with slug 'no-such-exercise'.",
    ("updateExercise", 404): "No exercise with slug 'no-such-exercise'.",
    ("deleteExercise", 404): "No exercise with slug 'no-such-exercise'.",
    ("getClass", 404): "No class with slug 'no-such-class'.",
    ("replaceClass", 404): "No class with slug 'no-such-class'.",
    ("deleteClass", 404): "No class with slug 'no-such-class'.",
    ("getWorkout", 404): "No workout with id '42'.",
    ("deleteWorkout", 404): "No workout with id '42'.",
    ("createWorkout", 404): "No planned session with id '31'.",
    ("getPlan", 404): "No plan with id '12'.",
    ("getPlanCalendar", 404): "No plan with id '12'.",
    ("replanPlan", 404): "No plan with id '12'.",
    ("getCalendarFeed", 404): "No calendar feed with token 'given'.",
    ("register", 409): "An account with this email already exists.",
    ("createExercise", 409): "An exercise with slug 'bent-over-row' already exists.",
    ("deleteExercise", 409): "Exercise 'glute-bridge' is used by back-fit-workout; remove it "
    "from those first.",
    ("deleteClass", 409): "Class 'back-fit-workout' is in people's plans; replace it instead "
    "of deleting it.",
    ("createClass", 409): "A class with slug 'desk-break' already exists.",
    ("createPlan", 409): "You already have a plan for the week of 2026-11-23 (id 12); "
    "send ?replace=true to generate it again.",
    ("createWorkout", 409): "A request with this Idempotency-Key is still in progress.",
    ("createToken", 401): "Wrong email or password.",
    ("endSession", 404): "No session with id '7'.",
    ("changePassword", 401): "The password is wrong.",
    ("deleteMe", 401): "The password is wrong.",
    ("confirmPasswordReset", 401): "The reset token is invalid, expired or already used; ask "
    "again.",
    ("listChanges", 410): "The cursor is older than the 30 days of deletions kept; resync: "
    "fetch everything again and sync from the new cursor.",
}

PLAN_RULE_EXAMPLE: dict[str, Any] = {
    "type": "/problems/plan-rule",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "Plan rule 'fit' cannot be met: Every beginner-level class needs equipment you "
    "have not listed; add mat to your equipment to unlock 'Revitalise your spine'.",
    "rule": "fit",
    "errors": [
        {
            "loc": ["body", "equipment"],
            "msg": "Plan rule 'fit' cannot be met: Every beginner-level class needs equipment "
            "you have not listed; add mat to your equipment to unlock 'Revitalise your spine'.",
            "type": "fit",
            "pointer": "#/equipment",
            "code": "fit",
        }
    ],
}
PLAN_OPERATIONS = frozenset({"previewPlan", "createPlan", "replanPlan"})


def problem_examples(operation_id: str, status: int) -> dict[str, Any]:
    """The named examples of ``status`` for ``operation_id``: each one that status, truly."""
    if status == 422:
        examples = {"validation": {"summary": "A field is wrong", "value": VALIDATION_EXAMPLE}}
        if operation_id in PLAN_OPERATIONS:
            examples["plan-rule"] = {"summary": "A plan rule fails", "value": PLAN_RULE_EXAMPLE}
        return examples
    problem, detail = STATUS_DETAILS.get(status, ("error", "The request failed."))
    value = {
        "type": f"/problems/{problem}",
        "title": status_title(status),
        "status": status,
        "detail": OPERATION_DETAILS.get((operation_id, status), detail),
    }
    return {problem: {"summary": value["title"], "value": value}}
