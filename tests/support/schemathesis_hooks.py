"""Schemathesis hooks for the stateful run: keep bodies that can create something.

Random slugs and ids in a workout body (class, exercises, planned session) almost never
name a real row, so the create would fail and the links after it would go untested. These
hooks drop those optional references, keep dates within the years the service accepts
(its schema says "a date"; the service also wants 2000 to 2099) and move a plan's week to
a Monday.
"""

from datetime import date, timedelta
from typing import Any

import schemathesis

from app.api_types import EARLIEST_DATE, LATEST_DATE

EARLIEST = EARLIEST_DATE + timedelta(days=7)
LATEST = LATEST_DATE - timedelta(days=7)
DANGLING_WORKOUT_REFERENCES = ("class_slug", "exercises", "plan_session_id")


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    operation = context.operation
    if operation is None or not isinstance(body, dict):
        return body
    if (operation.method.upper(), operation.path) == ("POST", "/v1/me/workouts"):
        workout = {k: v for k, v in body.items() if k not in DANGLING_WORKOUT_REFERENCES}
        return {**workout, "completed_at": "2026-11-23T18:30:00Z"}
    if (operation.method.upper(), operation.path) == ("POST", "/v1/me/plans"):
        week = min(max(date.fromisoformat(body["week_start"]), EARLIEST), LATEST)
        return {"week_start": (week - timedelta(days=week.weekday())).isoformat()}
    return body
