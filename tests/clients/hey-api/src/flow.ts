/**
 * Drives a running Backfit API through the SDK @hey-api/openapi-ts generates for it.
 *
 * Usage: node dist/flow.js http://127.0.0.1:8000
 *
 * `src/client/` is generated first (`openapi-ts -i <spec> -o src/client`), so this file only
 * type-checks while the published document still describes what the flow does: sign up, sign
 * in, classes (and a 304 for a current ETag), preview, plan, an idempotent workout, history and
 * stats. It prints one line of JSON and exits 0, or names the unexpected answer and exits 1.
 */
import { client } from "./client/client.gen.js";
import {
  createPlan,
  createToken,
  createWorkout,
  getStats,
  listChanges,
  listClasses,
  listWorkouts,
  previewPlan,
  register,
} from "./client/sdk.gen.js";
import type { WorkoutCreate } from "./client/types.gen.js";

class UnexpectedResponse extends Error {}

/** Fails unless the call answered `expected`; narrows `data` to the success body. */
function expectStatus<T>(
  step: string,
  expected: number,
  result: { data?: T; error?: unknown; response: Response },
): T {
  const { data, error, response } = result;
  if (response.status !== expected || data === undefined) {
    throw new UnexpectedResponse(
      `${step}: expected ${expected}, got ${response.status} ${JSON.stringify(error ?? data)}`,
    );
  }
  return data;
}

/** The Monday (UTC) of this week, or `weeks` later, as YYYY-MM-DD. */
function monday(weeks = 0): string {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7) + 7 * weeks);
  return day.toISOString().slice(0, 10);
}

async function main(baseUrl: string): Promise<void> {
  let token = "";
  client.setConfig({ baseUrl, auth: () => token });

  const listed = await listClasses({ query: { limit: 100 } });
  const classes = expectStatus("GET /v1/classes", 200, listed);
  const etag = listed.response.headers.get("ETag") ?? "";
  const cached = await listClasses({ query: { limit: 100 }, headers: { "If-None-Match": etag } });
  if (cached.response.status !== 304) {
    throw new UnexpectedResponse(`GET /v1/classes with If-None-Match: ${cached.response.status}`);
  }

  const preview = expectStatus(
    "POST /v1/plans/preview",
    200,
    await previewPlan({
      body: {
        week_start: monday(1),
        experience_level: "intermediate",
        equipment: ["mat"],
        available_days: ["mon", "wed", "fri", "sat"],
      },
    }),
  );

  const email = `hey-api-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = "correct horse 42";
  const user = expectStatus(
    "POST /v1/auth/register",
    201,
    await register({ body: { email, password, display_name: "hey-api client" } }),
  );
  const signedIn = expectStatus(
    "POST /v1/auth/token",
    200,
    await createToken({ body: { username: email, password } }),
  );
  token = signedIn.access_token;

  const plan = expectStatus(
    "POST /v1/me/plans",
    201,
    await createPlan({ body: { week_start: monday() } }),
  );
  const first = plan.sessions[0];
  if (first === undefined) {
    throw new UnexpectedResponse(`POST /v1/me/plans: no sessions in ${JSON.stringify(plan)}`);
  }
  const workout: WorkoutCreate = {
    // The planned session it completes (a strength session has no class).
    plan_session_id: first.id,
    completed_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    duration_minutes: first.class?.duration_minutes ?? 30,
    rpe: 6,
    pain: 1,
  };
  const idempotencyKey = `hey-api-${email}`;
  const logged = [];
  for (const attempt of ["POST /v1/me/workouts", "POST /v1/me/workouts (retry)"]) {
    logged.push(
      expectStatus(
        attempt,
        201,
        await createWorkout({ body: workout, headers: { "Idempotency-Key": idempotencyKey } }),
      ),
    );
  }
  const history = expectStatus("GET /v1/me/workouts", 200, await listWorkouts());
  const stats = expectStatus("GET /v1/me/stats", 200, await getStats({ query: { weeks: 4 } }));
  const changes = expectStatus("GET /v1/me/changes", 200, await listChanges());

  console.log(
    JSON.stringify({
      classes: classes.items.map((item) => item.slug),
      preview_sessions: preview.sessions.length,
      user: { email: user.email, role: user.role },
      plan: { week_start: plan.week_start, sessions: plan.sessions.length },
      workout_ids: logged.map((item) => item.id),
      history_ids: history.items.map((item) => item.id),
      stats_total_sessions: stats.total_sessions,
      changes: [...new Set(changes.changes.map((change) => change.entity))].sort(),
    }),
  );
}

const baseUrl = process.argv[2];
if (baseUrl === undefined) {
  console.error("usage: node dist/flow.js BASE_URL");
  process.exit(2);
}
main(baseUrl).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
