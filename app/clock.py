"""The request's "now", taken from the app so tests can pin the clock."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from app.db import utc_now


async def current_time(request: Request) -> datetime:
    """Now, from ``app.state.clock`` when one is set (tests), else the system clock."""
    # async: FastAPI runs a plain def dependency in a worker thread, a hop for each request.
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", utc_now)
    return clock()


Now = Annotated[datetime, Depends(current_time)]
