"""The request's "now", taken from the app so tests can pin the clock."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from app.db import utc_now


def now_for(app_state: Any) -> datetime:
    """Now, from ``app.state.clock`` when one is set (tests), else the system clock."""
    clock: Callable[[], datetime] = getattr(app_state, "clock", utc_now)
    return clock()


async def current_time(request: Request) -> datetime:
    """Now, for the request's app (see ``now_for``)."""
    # async: FastAPI runs a plain def dependency in a worker thread, a hop for each request.
    return now_for(request.app.state)


Now = Annotated[datetime, Depends(current_time)]
