"""The Lua scripts that tell wrk what to send and make it print its totals as JSON.

A scenario with a ``unique_header`` gets a ``request`` function: each request's token is
``<run>-<thread>-<counter>``, so every Idempotency-Key and body is new across threads, runs
and apps (the run part is new for every wrk invocation).
"""

import re

from bench.scenarios import UNIQUE_MARKER, PreparedScenario

RESULT_MARKER = "BENCH_RESULT "


def lua_string(value: str | bytes) -> str:
    """``value`` as a Lua string literal: printable ASCII kept, every other byte as ``\\ddd``."""
    data = value.encode() if isinstance(value, str) else value
    return (
        '"'
        + "".join(
            chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}"
            for byte in data
        )
        + '"'
    )


# Numbers the threads (for unique tokens) and keeps them (for the totals in ``done``).
THREADS_LUA = """
local threads = {}
local next_thread_id = 1
setup = function(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(threads, thread)
end
init = function(args)
  unexpected = 0
  sent = 0
end
"""

# Counts responses whose status is not the expected one; slows wrk, so warm-ups only.
STATUS_CHECK_LUA = """
response = function(status, headers, body)
  if status ~= EXPECTED_STATUS then unexpected = unexpected + 1 end
end
"""

UNIQUE_REQUEST_LUA = """
request = function()
  sent = sent + 1
  local unique = RUN_TOKEN .. "-" .. thread_id .. "-" .. sent
  wrk.headers[HEADER_NAME] = HEADER_BEFORE .. unique .. HEADER_AFTER
  return wrk.format(nil, nil, nil, BODY_BEFORE .. unique .. BODY_AFTER)
end
"""

DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.status + e.timeout
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%.1f,"p99_us":%.1f}\\n',
    "RESULT_MARKER", summary.requests, summary.duration, bad,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _unique_request(scenario: PreparedScenario, run_token: str) -> str:
    assert scenario.unique_header is not None
    header_before, _, header_after = scenario.headers[scenario.unique_header].partition(
        UNIQUE_MARKER
    )
    body_before, _, body_after = (scenario.body or b"").partition(UNIQUE_MARKER.encode())
    replacements = {
        "RUN_TOKEN": lua_string(run_token),
        "HEADER_NAME": lua_string(scenario.unique_header),
        "HEADER_BEFORE": lua_string(header_before),
        "HEADER_AFTER": lua_string(header_after),
        "BODY_BEFORE": lua_string(body_before),
        "BODY_AFTER": lua_string(body_after),
    }
    # One pass, so a replacement that happens to contain a placeholder's name stays as it is.
    return re.sub("|".join(replacements), lambda match: replacements[match[0]], UNIQUE_REQUEST_LUA)


def wrk_script(scenario: PreparedScenario, *, run_token: str, check_statuses: bool = False) -> str:
    """A wrk Lua script that sends ``scenario``'s request and prints the totals as JSON."""
    lines = [f"wrk.method = {lua_string(scenario.method)}"]
    lines += [
        f"wrk.headers[{lua_string(name)}] = {lua_string(value)}"
        for name, value in scenario.headers.items()
    ]
    if scenario.body is not None:
        lines.append(f"wrk.body = {lua_string(scenario.body)}")
    lines.append(THREADS_LUA)
    if scenario.unique_header is not None:
        lines.append(_unique_request(scenario, run_token))
    if check_statuses:
        lines.append(STATUS_CHECK_LUA.replace("EXPECTED_STATUS", str(scenario.expected_status)))
    lines.append(DONE_LUA.replace("RESULT_MARKER", RESULT_MARKER))
    return "\n".join(lines)
