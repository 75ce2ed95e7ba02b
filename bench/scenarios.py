"""What the bench sends, the accounts it signs in as, and the answers the ceilings replay."""

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import httpx

from bench.ceilings import Canned, request_key
from bench.servers import BenchError

Ceiling = Literal["raw", "bare"]
PASSWORD = "bench password 42"
JSON = {"Content-Type": "application/json"}
PREVIEW = {
    "week_start": "2026-11-23",
    "experience_level": "intermediate",
    "equipment": ["mat"],
    "available_days": ["mon", "wed", "fri", "sat"],
}
SETUP_RETRIES = 10
UNIQUE = "{unique}"  # replaced by wrk with a token new on every request
WORKOUT = {
    "class_slug": "revitalise-your-spine",
    "completed_at": "2026-11-23T18:30:00+01:00",
    "duration_minutes": 30,
    "rpe": 6,
    "pain": 2,
    "notes": f"Bench workout {UNIQUE}",
    "exercises": [{"exercise_slug": "glute-bridge", "sets": [{"reps": 12}, {"reps": 10}]}],
}


def _json(document: object) -> str:
    return json.dumps(document, separators=(",", ":"))


@dataclass(frozen=True)
class Scenario:
    """One request, sent alike to the service and to its ceiling, and the target for it."""

    name: str
    method: str
    target: str
    ceiling: Ceiling
    at_least: float | None  # ours/ceiling req/s must reach this
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    account: Literal["reader", "writer"] | None = None
    revalidate: bool = False  # send back the ETag: a 304
    unique: bool = False  # Idempotency-Key and notes new on every request
    store_bound: bool = False  # its cost is the database's: measured on every store


CATALOG = (
    Scenario("class list", "GET", "/v1/classes", "raw", 0.8),
    Scenario("class detail", "GET", "/v1/classes/back-fit-workout", "raw", 0.8),
    Scenario("exercise search", "GET", "/v1/exercises?q=row", "raw", 0.8),
    Scenario(
        "304 revalidation",
        "GET",
        "/v1/classes/back-fit-workout",
        "raw",
        1.0,
        status=304,
        revalidate=True,
    ),
)
SIGNED_IN = (
    Scenario(
        "plan preview",
        "POST",
        "/v1/plans/preview",
        "bare",
        0.5,
        body=_json(PREVIEW),
        headers=JSON,
        store_bound=True,
    ),
    Scenario(
        "workout POST",
        "POST",
        "/v1/me/workouts",
        "bare",
        0.5,
        body=_json(WORKOUT),
        headers={**JSON, "Idempotency-Key": f"bench-{UNIQUE}"},
        status=201,
        account="writer",
        unique=True,
        store_bound=True,
    ),
    Scenario(
        "history page", "GET", "/v1/me/workouts", "bare", None, account="reader", store_bound=True
    ),
    Scenario(
        "stats", "GET", "/v1/me/stats?weeks=52", "bare", None, account="reader", store_bound=True
    ),
)
SCENARIOS = CATALOG + SIGNED_IN


@dataclass
class Accounts:
    """Bearer tokens: the reader (a long history), the writer, and the mix's users."""

    tokens: dict[str, str] = field(default_factory=dict)
    writer_id: int = 0
    crowd: list[str] = field(default_factory=list)


async def _expect(
    client: httpx.AsyncClient, method: str, url: str, status: int, **request: Any
) -> Any:
    """The answer's JSON, once it has ``status``; a 503 is retried after its Retry-After, as
    a client would (SQLite's write lock or the hashing queue can be busy while accounts are
    made eight at a time)."""
    for _ in range(SETUP_RETRIES):
        response = await client.request(method, url, **request)
        if response.status_code != 503:
            break
        await asyncio.sleep(float(response.headers.get("retry-after", 1)))
    if response.status_code != status:
        raise BenchError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def crowd_email(number: int) -> str:
    return f"user{number}@bench.example"


async def _sign_up(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    account = {"email": email, "password": PASSWORD}
    await _expect(client, "POST", "/v1/auth/register", 201, json=account)
    form = {"username": email, "password": PASSWORD}
    token = await _expect(client, "POST", "/v1/auth/token", 200, data=form)
    return {"Authorization": f"Bearer {token['access_token']}"}


async def _history(client: httpx.AsyncClient, auth: dict[str, str], workouts: int) -> None:
    """Plans for the last weeks, most sessions done, and older free workouts."""
    profile = {
        "experience_level": "intermediate",
        "equipment": ["mat"],
        "available_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    }
    await _expect(client, "PATCH", "/v1/me", 200, json=profile, headers=auth)
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday())
    days: list[tuple[date, int | None]] = []
    for weeks_back in range(min(12, workouts // 4), 0, -1):
        week = {"week_start": (monday - timedelta(weeks=weeks_back)).isoformat()}
        plan = await _expect(client, "POST", "/v1/me/plans", 201, json=week, headers=auth)
        days += [(date.fromisoformat(s["date"]), s["id"]) for s in plan["sessions"][:-1]]
    days += [(monday - timedelta(weeks=13, days=i * 2), None) for i in range(workouts - len(days))]
    for day, session_id in days:
        body = {
            **WORKOUT,
            "completed_at": f"{day}T18:30:00Z",
            "notes": None,
            "plan_session_id": session_id,
            "pain": day.toordinal() % 4,
        }
        await _expect(client, "POST", "/v1/me/workouts", 201, json=body, headers=auth)


async def _make_accounts(base_url: str, crowd: int) -> Accounts:
    accounts = Accounts()
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        reader = await _sign_up(client, "reader@bench.example")
        await _history(client, reader, 300)
        writer = await _sign_up(client, "writer@bench.example")
        me = await _expect(client, "GET", "/v1/me", 200, headers=writer)
        accounts.writer_id = me["id"]
        for name, auth in (("reader", reader), ("writer", writer)):
            accounts.tokens[name] = auth["Authorization"].removeprefix("Bearer ")
        gate = asyncio.Semaphore(8)

        async def member(number: int) -> str:
            async with gate:
                auth = await _sign_up(client, crowd_email(number))
                await _history(client, auth, 12)
                return auth["Authorization"].removeprefix("Bearer ")

        accounts.crowd = list(await asyncio.gather(*(member(n) for n in range(crowd))))
    return accounts


def make_accounts(base_url: str, crowd: int) -> Accounts:
    """The reader with 300 workouts over 12 planned weeks and more, the writer, ``crowd`` users."""
    return asyncio.run(_make_accounts(base_url, crowd))


async def _sign_in_burst(base_url: str, emails: list[str]) -> Counter[int | str]:
    # One connection per sign-in, all open at once: the hashing queue, not the client, bounds it.
    limits = httpx.Limits(max_connections=len(emails))
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/auth/token",
                    data={"username": email, "password": PASSWORD},
                    # Each from its own phone, as nginx forwards them (the service trusts
                    # loopback's X-Forwarded-For); one address would meet the sign-in throttle.
                    headers={"X-Forwarded-For": f"198.18.{number // 256}.{number % 256}"},
                )
                for number, email in enumerate(emails)
            ),
            return_exceptions=True,
        )
    statuses: Counter[int | str] = Counter()
    for answer in answers:
        if isinstance(answer, BaseException):
            statuses[type(answer).__name__] += 1
        elif answer.status_code == 503 and "retry-after" not in answer.headers:
            statuses["503 without Retry-After"] += 1
        else:
            statuses[answer.status_code] += 1
    return statuses


def sign_in_burst(base_url: str, crowd: int, count: int) -> Counter[int | str]:
    """``count`` sign-ins of the crowd's users at once; answers by status (or error's name)."""
    return asyncio.run(_sign_in_burst(base_url, [crowd_email(n % crowd) for n in range(count)]))


@dataclass(frozen=True)
class Prepared:
    """A scenario with every header resolved, and its ceiling's answer."""

    scenario: Scenario
    headers: dict[str, str]
    canned: Canned | None


def prepare(base_url: str, scenarios: tuple[Scenario, ...], accounts: Accounts) -> list[Prepared]:
    """Ask the service once per scenario; its answer is what the ceilings replay."""
    prepared = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for scenario in scenarios:
            headers = dict(scenario.headers)
            if scenario.account:
                headers["Authorization"] = f"Bearer {accounts.tokens[scenario.account]}"
            body = (scenario.body or "").replace(UNIQUE, "prepare")
            sent = {**headers, "Idempotency-Key": "prepare"} if scenario.unique else headers
            answer = client.request(scenario.method, scenario.target, headers=sent, content=body)
            if answer.status_code != (201 if scenario.unique else 200):
                raise BenchError(f"{scenario.name}: {answer.status_code} {answer.text[:300]}")
            kept = {
                k: v
                for k, v in answer.headers.items()
                if k in ("etag", "cache-control", "content-type")
            }
            if scenario.revalidate:
                headers["If-None-Match"] = answer.headers["etag"]
            canned = None if scenario.unique else (200, kept, answer.content)
            prepared.append(Prepared(scenario, headers, canned))
    return prepared


def canned_answers(prepared: list[Prepared]) -> dict[str, Canned]:
    answers = {}
    for item in prepared:
        if item.canned is not None:
            path, _, query = item.scenario.target.partition("?")
            answers[request_key(item.scenario.method, path, query)] = item.canned
    return answers
