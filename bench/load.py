"""wrk and the Lua that tells it what to send: one fixed request, or a weighted mix.

Requests that must be new each time (workout POSTs) get an Idempotency-Key and notes carrying
``<run>-<thread>-<counter>``, the run part new for every wrk invocation. Signed-in requests of
a mix pick one of the crowd's tokens at random.

wrk is a closed loop: each connection sends its next request when the last is answered, so
when it saturates the server its latency is queueing (connections ÷ throughput). Given a
``rate``, requests are paced instead, wrk2's way: the n-th is due n/rate seconds after the
start, and a connection waits (wrk's ``delay()``) for the next request's due time; a request
sent after its due time is late, and the latest is reported.
"""

import json
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.scenarios import UNIQUE, Prepared
from bench.servers import BenchError

RESULT = "BENCH_RESULT "


@dataclass(frozen=True)
class Load:
    """One wrk run's totals."""

    requests: int
    seconds: float
    errors: int  # socket errors, timeouts, and unexpected statuses where they were checked
    p50_ms: float
    p99_ms: float
    late_ms: float = 0.0  # paced runs: how far behind its due time a request was sent, at most

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Weighted:
    """A request of a mix, with its share of the requests; ``crowd``: signed in as anyone."""

    prepared: Prepared
    weight: float
    crowd: bool = False


def lua(value: str) -> str:
    """``value`` as a Lua string literal (every byte outside printable ASCII escaped)."""
    escaped = "".join(
        chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in value.encode()
    )
    return f'"{escaped}"'


def _template(item: Weighted) -> str:
    scenario = item.prepared.scenario
    headers = ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in item.prepared.headers.items())
    before, _, after = (scenario.body or "").partition(UNIQUE)
    fields = [
        f"w = {item.weight}",
        f"m = {lua(scenario.method)}",
        f"p = {lua(scenario.target)}",
        f"h = {{{headers}}}",
        f"b1 = {lua(before)}",
        f"b2 = {lua(after)}",
        f"unique = {str(scenario.unique).lower()}",
        f"crowd = {str(item.crowd).lower()}",
        f"has_body = {str(scenario.body is not None).lower()}",
    ]
    return "{" + ", ".join(fields) + "}"


REQUEST_LUA = """
request = function()
  sent = sent + 1
  local r = math.random() * total
  local t = templates[#templates]
  for _, c in ipairs(templates) do
    r = r - c.w
    if r <= 0 then t = c break end
  end
  local headers = {}
  for k, v in pairs(t.h) do headers[k] = v end
  if t.crowd then headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] end
  local body = nil
  if t.has_body then body = t.b1 .. t.b2 end
  if t.unique then
    local u = RUN .. "-" .. id .. "-" .. sent
    headers["Idempotency-Key"] = "bench-" .. u
    body = t.b1 .. u .. t.b2
  end
  return wrk.format(t.m, t.p, headers, body)
end
"""
COMMON_LUA = """
local threads = {}
local next_id = 1
setup = function(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
init = function(args)
  sent = 0
  unexpected = 0
  late = 0
  math.randomseed(id * 7919 + os.time())
end
done = function(summary, latency, requests)
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.timeout
  local late_ms = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    late_ms = math.max(late_ms, thread:get("late"))
  end
  io.write(string.format(
    'RESULT{"requests":%d,"us":%d,"errors":%d,"p50":%.1f,"p99":%.1f,"late":%.1f}\\n',
    summary.requests, summary.duration, bad, latency:percentile(50), latency:percentile(99),
    late_ms))
end
"""
# LuaJIT's FFI: wrk's Lua has no clock finer than a second. CLOCK_MONOTONIC is 1 on Linux.
PACE_LUA = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local due = nil
delay = function()
  local now = now_ms()
  due = (due or now) + INTERVAL_MS
  if now - due > late then late = now - due end
  return math.max(0, due - now)
end
"""
# Slows wrk (each response goes through Lua), so only in warm-ups.
CHECK_LUA = """
response = function(status, headers, body)
  if not expected[status] then unexpected = unexpected + 1 end
end
"""


def script(
    mix: list[Weighted],
    tokens: list[str],
    check: bool,
    also_ok: tuple[int, ...],
    rate: float | None = None,
) -> str:
    """The Lua for ``mix``; a lone request that is the same every time is left to wrk's C."""
    ok = {item.prepared.scenario.status for item in mix} | set(also_ok)
    statuses = ", ".join(f"[{status}] = true" for status in sorted(ok))
    lines = [
        f"RUN = {lua(secrets.token_hex(4))}",
        f"expected = {{{statuses}}}",
        COMMON_LUA.replace("RESULT", RESULT),
    ]
    first = mix[0].prepared
    if len(mix) == 1 and not first.scenario.unique:
        lines.append(f"wrk.method = {lua(first.scenario.method)}")
        lines += [f"wrk.headers[{lua(k)}] = {lua(v)}" for k, v in first.headers.items()]
        if first.scenario.body is not None:
            lines.append(f"wrk.body = {lua(first.scenario.body)}")
    else:
        lines.append("templates = {" + ",\n".join(_template(item) for item in mix) + "}")
        lines.append("total = 0\nfor _, c in ipairs(templates) do total = total + c.w end")
        lines.append("tokens = {" + ", ".join(lua(token) for token in tokens) + "}")
        lines.append(REQUEST_LUA)
    if check:
        lines.append(CHECK_LUA)
    if rate:
        lines.append(PACE_LUA.replace("INTERVAL_MS", f"{1000 / rate!r}"))
    return "\n".join(lines)


def run_wrk(
    base_url: str,
    mix: list[Weighted],
    *,
    seconds: int,
    connections: int,
    scratch: Path,
    tokens: list[str] | tuple[()] = (),
    check: bool = False,
    also_ok: tuple[int, ...] = (),
    rate: float | None = None,
) -> Load:
    """Drive ``base_url`` with ``mix`` for ``seconds`` (paced to ``rate`` req/s if given)."""
    path = scratch / "load.lua"
    path.write_text(script(mix, list(tokens), check, also_ok, rate))
    command = [
        "wrk",
        "--threads=1",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={path}",
        base_url + mix[0].prepared.scenario.target,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            totals = json.loads(line.removeprefix(RESULT))
            return Load(
                totals["requests"],
                totals["us"] / 1e6,
                totals["errors"],
                totals["p50"] / 1000,
                totals["p99"] / 1000,
                totals["late"],
            )
    raise BenchError(f"wrk printed no result ({done.returncode}): {done.stderr or done.stdout}")
