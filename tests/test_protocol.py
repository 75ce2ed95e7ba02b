"""HTTP edges on the real server: HEAD answers like GET, request heads are bounded, and the
server's own refusals are problem details too."""

import select
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.server import running_service


@pytest.fixture(scope="module")
def base_url(database_url: str) -> Iterator[str]:
    with running_service(database_url) as url:
        yield url


def connect(base_url: str) -> socket.socket:
    address = urlsplit(base_url)
    return socket.create_connection((address.hostname, address.port or 80), timeout=10)


def raw_exchange(base_url: str, request: bytes) -> bytes:
    """Send ``request`` as is on a fresh connection; everything the server answers."""
    with connect(base_url) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "path", ["/healthz", "/v1/exercises?limit=2", "/v1/classes/back-fit-workout"]
)
def test_head_answers_like_get_without_a_body(base_url: str, path: str) -> None:
    got = httpx.get(base_url + path)
    head = httpx.head(base_url + path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("etag") == got.headers.get("etag")


def test_head_on_a_route_without_get_is_405(base_url: str) -> None:
    response = httpx.head(base_url + "/v1/auth/register")
    assert response.status_code == 405


def test_an_oversized_request_head_is_refused_with_a_problem(base_url: str) -> None:
    answer = b""
    with connect(base_url) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Filler: ")
        # A megabyte in pieces, pausing so the server reads each before it answers.
        for _ in range(64):
            connection.sendall(b"x" * 16384)
            if select.select([connection], [], [], 0.2)[0]:
                break
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"431"
    assert b"content-type: application/problem+json" in rest.lower()
    assert httpx.get(base_url + "/healthz").status_code == 200


def test_a_malformed_request_is_a_400_problem(base_url: str) -> None:
    answer = raw_exchange(base_url, b"NOT HTTP AT ALL\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split()[1] == b"400"
    assert b"content-type: application/problem+json" in head.lower()
    assert b'"status":400' in body.replace(b" ", b"")


def test_a_refused_cors_preflight_is_a_403_problem(base_url: str) -> None:
    response = httpx.options(
        base_url + "/v1/me/workouts",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "origin" in response.json()["detail"].lower()
