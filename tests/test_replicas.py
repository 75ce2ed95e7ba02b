"""docker-compose.yml's topology, started by hand on this machine and driven through nginx.

No Docker engine runs here, so the test starts the same processes compose would, from the
same files: the API replicas with the command and environment docker-compose.yml gives
``api-1`` and ``api-2`` (only the address, the database URL and the secret's value differ),
the ``migrate`` service's command once, and Debian's nginx with deploy/nginx.conf, the file
compose mounts into the official image, its upstream and listen addresses swapped for
loopback ports. The database is a scratch database on the machine's PostgreSQL.

The replicas start before the one-shot migration, to show they never migrate themselves:
``/readyz`` says 503 until ``migrate`` has run, then 200. Each replica keeps compose's two
workers; which replica served a request is read from its own JSON access log (and checked
against nginx's ``upstream`` field), matched by the X-Request-ID the test sends.
"""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from tests.support.server import free_port
from tests.support.system import require_command
from tests.test_containers import API_REPLICAS, MIGRATE, NGINX_CONF, PROXY, option, services

VENV_BIN = Path(sys.executable).parent
SECRET_KEY = "replica-test-secret-" + "0123456789abcdef" * 2
MIB = 1024 * 1024
RETRIES = 16
SPREAD_REQUESTS = 20
PROBLEM_JSON = "application/problem+json"
PASSWORD = "long enough pw"

_COMPOSE_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` in ``value``."""

    def replace(match: re.Match[str]) -> str:
        name, op, argument = match["name"], match["op"] or "", match["arg"] or ""
        current = variables.get(name)
        if current is not None and not (op.startswith(":") and current == ""):
            return current
        if op.endswith("?"):
            raise AssertionError(f"compose needs {name}: {argument}")
        return argument if op.endswith("-") else ""

    return _COMPOSE_VARIABLE.sub(replace, value)


def service_environment(name: str, database_url: str) -> dict[str, str]:
    """The environment compose gives ``name``, on this machine's database."""
    declared = {
        key: interpolate(str(value), {"BACKFIT_SECRET_KEY": SECRET_KEY})
        for key, value in services()[name]["environment"].items()
    }
    assert "@db:5432/" in declared["BACKFIT_DATABASE_URL"]
    declared["BACKFIT_DATABASE_URL"] = database_url
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("BACKFIT_")}
    path = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**inherited, "PATH": path, **declared}


def replica_command(name: str, port: int) -> list[str]:
    """The replica's compose command, listening on a loopback port."""
    command = [str(part) for part in services()[name]["command"]]
    command[0] = str(VENV_BIN / command[0])
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    return command


def render_nginx(directory: Path, replica_ports: Mapping[str, int], port: int) -> Path:
    """deploy/nginx.conf on loopback ports, inside a main config like the official image's."""
    server = NGINX_CONF.read_text()
    compose_services = services()
    for name, replica_port in replica_ports.items():
        address = f"{name}:{option(compose_services[name]['command'], '--port')}"
        server, count = re.subn(
            rf"^(\s*server\s+){re.escape(address)}(?=[\s;])",
            rf"\g<1>127.0.0.1:{replica_port}",
            server,
            flags=re.MULTILINE,
        )
        assert count == 1, f"deploy/nginx.conf has no upstream server {address}"
    [mapping] = compose_services[PROXY]["ports"]
    container_port = str(mapping).rpartition(":")[2]
    server, count = re.subn(
        rf"^(\s*listen\s+){container_port};",
        rf"\g<1>127.0.0.1:{port};",
        server,
        flags=re.MULTILINE,
    )
    assert count == 1, f"deploy/nginx.conf does not listen on {container_port}"
    (directory / "default.conf").write_text(server)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Root's workers would run as nobody, who cannot enter pytest's private tmp_path.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = directory / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    default_type application/octet-stream;\n"
        f"{temp_paths}\n"
        f"    include {directory / 'default.conf'};\n"
        "}\n"
    )
    return main


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL for the process group if it does not end in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start(
    stack: ExitStack, command: list[str], *, env: Mapping[str, str], log: Path, errors: Path
) -> subprocess.Popen[bytes]:
    """``command`` in its own process group, stopped when ``stack`` closes."""
    stdout = stack.enter_context(log.open("wb"))
    stderr = stdout if errors == log else stack.enter_context(errors.open("wb"))
    process = subprocess.Popen(
        command,
        env=dict(env),
        cwd=PROJECT_ROOT,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )
    stack.callback(stop, process)
    return process


def wait_for_status(
    url: str, status: int, processes: list[subprocess.Popen[bytes]], timeout: float = 45
) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, f"{process.args!r} exited with {process.returncode}"
        try:
            last = httpx.get(url, timeout=2).status_code
            if last == status:
                return
        except httpx.TransportError as error:
            last = error
        time.sleep(0.2)
    raise TimeoutError(f"{url}: wanted {status}, last saw {last!r}")


def json_lines(log: Path) -> Iterator[dict[str, Any]]:
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            yield entry


def served_by(logs: Mapping[str, Path], request_ids: list[str]) -> dict[str, list[str]]:
    """Which replica logged each of ``request_ids`` (waits for the lines to be written)."""
    wanted = set(request_ids)
    deadline = time.monotonic() + 10
    while True:
        found = {
            name: [
                entry["request_id"]
                for entry in json_lines(log)
                if entry.get("logger") == "backfit.access" and entry.get("request_id") in wanted
            ]
            for name, log in logs.items()
        }
        if sum(len(ids) for ids in found.values()) >= len(wanted) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def nginx_upstreams(access_log: Path, request_ids: list[str]) -> dict[str, str]:
    """The upstream address nginx's access log names for each of ``request_ids``."""
    wanted = set(request_ids)
    return {
        entry["request_id"]: entry["upstream"]
        for entry in json_lines(access_log)
        if entry.get("logger") == "nginx.access" and entry.get("request_id") in wanted
    }


async def retry_storm(proxy: str, token: str) -> list[httpx.Response]:
    """RETRIES simultaneous POSTs of one workout with one Idempotency-Key."""
    payload = {"completed_at": "2026-11-23T18:30:00Z", "duration_minutes": 30, "pain": 1}
    async with httpx.AsyncClient(base_url=proxy, timeout=30) as client:
        return await asyncio.gather(
            *(
                client.post(
                    "/v1/me/workouts",
                    json=payload,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": "flaky-phone-behind-nginx",
                        "X-Request-ID": f"retry-{attempt:02d}",
                    },
                )
                for attempt in range(RETRIES)
            )
        )


def sign_in(base_url: str, email: str, password: str = PASSWORD, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/v1/auth/token",
        data={"username": email, "password": password},
        headers=headers,
        timeout=30,
    )


def padded_preview(size: int) -> bytes:
    """A valid plan-preview body padded with whitespace to exactly ``size`` bytes."""
    body = json.dumps(
        {"week_start": "2026-11-23", "experience_level": "intermediate", "equipment": ["mat"]}
    ).encode()
    return body + b" " * (size - len(body))


@contextmanager
def compose_by_hand(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[dict[str, str], str, dict[str, Path], Path, Callable[[str], None]]]:
    """The topology up and ready: (replica URLs, proxy URL, replica logs, nginx log, stop)."""
    nginx = require_command("nginx", "nginx")
    replica_ports = {name: free_port() for name in API_REPLICAS}
    proxy_port = free_port()
    urls = {name: f"http://127.0.0.1:{port}" for name, port in replica_ports.items()}
    logs = {name: tmp_path / f"{name}.log" for name in API_REPLICAS}
    with ExitStack() as stack:
        replicas = {
            name: start(
                stack,
                replica_command(name, replica_ports[name]),
                env=service_environment(name, database_url),
                log=logs[name],
                errors=logs[name],
            )
            for name in API_REPLICAS
        }
        running = list(replicas.values())
        for name in API_REPLICAS:
            wait_for_status(f"{urls[name]}/healthz", 200, running)
            # Up, and the database still empty: nobody but `migrate` migrates.
            assert httpx.get(f"{urls[name]}/readyz").status_code == 503, name

        migrated = subprocess.run(
            [str(part) for part in services()[MIGRATE]["command"]],
            env=service_environment(MIGRATE, database_url),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr
        for name in API_REPLICAS:
            wait_for_status(f"{urls[name]}/readyz", 200, running)
            logged = {entry.get("message") for entry in json_lines(logs[name])}
            assert not logged & {"migrated", "seeded"}, name

        nginx_dir = tmp_path / "nginx"
        nginx_dir.mkdir()
        config = render_nginx(nginx_dir, replica_ports, proxy_port)
        error_log = nginx_dir / "error.log"
        nginx_args = [nginx, "-p", str(nginx_dir), "-c", str(config), "-e", str(error_log)]
        checked = subprocess.run(
            [*nginx_args, "-t"], capture_output=True, text=True, timeout=30, check=False
        )
        logged_errors = error_log.read_text() if error_log.exists() else ""
        assert checked.returncode == 0, checked.stderr + logged_errors
        access_log = nginx_dir / "access.log"
        proxy_process = start(
            stack,
            [*nginx_args, "-g", "daemon off;"],
            env=os.environ,
            log=access_log,
            errors=nginx_dir / "stderr.log",
        )
        proxy = f"http://127.0.0.1:{proxy_port}"
        wait_for_status(f"{proxy}/readyz", 200, [*running, proxy_process])

        def stop_replica(name: str) -> None:
            stop(replicas[name])

        yield urls, proxy, logs, access_log, stop_replica


@pytest.mark.slow
def test_two_replicas_behind_nginx_share_one_database(
    scratch_database_url: str, tmp_path: Path
) -> None:
    if scratch_database_url.startswith("sqlite"):
        pytest.skip("replicas share a PostgreSQL database; set BACKFIT_TEST_DATABASE_URLS")
    started = time.monotonic()
    with compose_by_hand(scratch_database_url, tmp_path) as (urls, proxy, logs, nginx_log, halt):
        first, second = API_REPLICAS
        port_of = {name: url.rpartition(":")[2] for name, url in urls.items()}

        # (a) nginx spreads requests over both replicas and passes X-Request-ID through.
        spread_ids = [f"spread-{n:02d}" for n in range(SPREAD_REQUESTS)]
        with httpx.Client(base_url=proxy, timeout=30) as client:
            for request_id in spread_ids:
                response = client.get(
                    "/v1/exercises", params={"limit": 1}, headers={"X-Request-ID": request_id}
                )
                assert response.status_code == 200
                assert response.headers["X-Request-ID"] == request_id
            anonymous = client.get("/healthz")
        spread = served_by(logs, spread_ids)
        assert sorted(id_ for ids in spread.values() for id_ in ids) == spread_ids
        assert all(spread.values()), spread
        upstreams = nginx_upstreams(nginx_log, spread_ids)
        for name, ids in spread.items():
            assert {upstreams[id_].rpartition(":")[2] for id_ in ids} == {port_of[name]}
        # Without one, nginx makes the id; the replica logs the same one.
        generated = anonymous.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
        assert sum(len(ids) for ids in served_by(logs, [generated]).values()) == 1

        # (b) A token from one replica works on the other and through nginx (one secret).
        account = {"email": "replica@example.com", "password": PASSWORD}
        assert httpx.post(f"{urls[first]}/v1/auth/register", json=account).status_code == 201
        for issuer, others in ((first, (urls[second], proxy)), (second, (urls[first], proxy))):
            signed_in = sign_in(urls[issuer], account["email"])
            assert signed_in.status_code == 200
            bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            for base_url in others:
                me = httpx.get(f"{base_url}/v1/me", headers=bearer)
                assert me.status_code == 200, base_url
                assert me.json()["email"] == account["email"]
        token = signed_in.json()["access_token"]

        # (c) Simultaneous retries with one key, spread over both replicas, store one row.
        responses = asyncio.run(retry_storm(proxy, token))
        statuses = Counter(response.status_code for response in responses)
        workout_ids = {r.json()["id"] for r in responses if r.status_code == 201}
        retry_ids = [f"retry-{attempt:02d}" for attempt in range(RETRIES)]
        retries_served = {name: len(ids) for name, ids in served_by(logs, retry_ids).items()}
        assert set(statuses) <= {201, 409}, statuses
        assert statuses[201] >= 1
        assert len(workout_ids) == 1
        assert all(retries_served.values()), retries_served
        stored = {}
        for base_url in (urls[first], urls[second], proxy):
            listed = httpx.get(
                f"{base_url}/v1/me/workouts", headers={"Authorization": f"Bearer {token}"}
            )
            stored[base_url] = [item["id"] for item in listed.json()["items"]]
            assert stored[base_url] == list(workout_ids), base_url

        # (d) nginx and the API draw the body limit at the same byte: 1 MiB passes, 1 more not.
        json_body = {"Content-Type": "application/json"}
        for base_url in (proxy, urls[first]):
            fits = httpx.post(
                f"{base_url}/v1/plans/preview", content=padded_preview(MIB), headers=json_body
            )
            assert fits.status_code == 200, (base_url, fits.text[:300])
        too_large = httpx.post(
            f"{proxy}/v1/plans/preview",
            content=padded_preview(MIB + 1),
            headers={**json_body, "X-Request-ID": "too-large"},
        )
        from_api = httpx.post(
            f"{urls[first]}/v1/plans/preview", content=padded_preview(MIB + 1), headers=json_body
        )
        assert too_large.status_code == from_api.status_code == 413
        assert too_large.headers["Content-Type"] == PROBLEM_JSON
        assert too_large.headers["X-Request-ID"] == "too-large"
        problem, api_problem = too_large.json(), from_api.json()
        assert {key: problem[key] for key in ("type", "title", "status")} == {
            key: api_problem[key] for key in ("type", "title", "status")
        }
        assert not any(served_by(logs, ["too-large"]).values()), "nginx should refuse it first"

        # (e) Sign-in throttling counts failures in the database: 10 spread over both
        # replicas block the 11th anywhere; a forged X-Forwarded-For does not get round nginx.
        victim = {"email": "throttled@example.com", "password": PASSWORD}
        assert httpx.post(f"{proxy}/v1/auth/register", json=victim).status_code == 201
        failures = [
            sign_in(urls[API_REPLICAS[n % 2]], victim["email"], "wrong password").status_code
            for n in range(10)
        ]
        assert failures == [401] * 10
        throttled = sign_in(proxy, victim["email"])
        assert throttled.status_code == 429
        assert int(throttled.headers["Retry-After"]) >= 1
        forged = sign_in(proxy, account["email"], **{"X-Forwarded-For": "203.0.113.7"})
        assert forged.status_code == 429

        # (f) One replica gone: nginx serves from the other. Both gone: a 502 problem.
        halt(second)
        after_one = [
            httpx.get(f"{proxy}/v1/exercises", params={"limit": 1}).status_code for _ in range(6)
        ]
        assert after_one == [200] * 6
        halt(first)
        gone = httpx.get(f"{proxy}/v1/exercises")
        assert gone.status_code == 502
        assert gone.headers["Content-Type"] == PROBLEM_JSON
        assert gone.json()["status"] == 502

    print(
        f"\n{SPREAD_REQUESTS} GETs through nginx: "
        + ", ".join(f"{name} served {len(ids)}" for name, ids in spread.items())
        + f"\n{RETRIES} concurrent retries of one Idempotency-Key: statuses {dict(statuses)}, "
        + ", ".join(f"{name} served {count}" for name, count in retries_served.items())
        + f", rows listed by {first}/{second}/nginx: "
        + "/".join(str(len(ids)) for ids in stored.values())
        + f"\nbody limit: {MIB} bytes -> 200, {MIB + 1} -> 413 from nginx ({problem['type']})"
        + f"\nsign-in: 10 failures over both replicas -> {throttled.status_code}; "
        + f"forged X-Forwarded-For -> {forged.status_code}"
        + f"\nfailover: one replica down -> {after_one}, both down -> {gone.status_code}"
        + f"\ntook {time.monotonic() - started:.1f}s"
    )
