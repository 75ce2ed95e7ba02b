/**
 * Drives a running Backfit API through a client generated from its own OpenAPI document.
 *
 * Usage: node dist/smoke.js http://127.0.0.1:8000
 *
 * `src/api.d.ts` is generated first (`openapi-typescript <spec> -o src/api.d.ts`), so this file
 * only type-checks while the published schema still describes what it does. It prints one line
 * of JSON and exits 0, or prints the unexpected response to stderr and exits 1.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

type PlanPreview = components["schemas"]["PlanPreview"];
type Weekday = NonNullable<components["schemas"]["PlanPreviewRequest"]["available_days"]>[number];

class UnexpectedResponse extends Error {}

/** Fails unless the response has the expected status; narrows `data` to the success body. */
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

/** The next Monday (UTC) strictly after today, as YYYY-MM-DD. */
function nextMonday(): string {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() + (((8 - day.getUTCDay()) % 7) || 7));
  return day.toISOString().slice(0, 10);
}

async function main(baseUrl: string): Promise<void> {
  const api = createClient<paths>({ baseUrl });

  const classes = expectStatus(
    "GET /v1/classes",
    200,
    await api.GET("/v1/classes", { params: { query: { limit: 100 } } }),
  );

  const days: Weekday[] = ["mon", "wed", "fri", "sat"];
  const plan: PlanPreview = expectStatus(
    "POST /v1/plans/preview",
    200,
    await api.POST("/v1/plans/preview", {
      body: {
        week_start: nextMonday(),
        experience_level: "intermediate",
        equipment: ["mat"],
        available_days: days,
      },
    }),
  );
  const firstClass = plan.sessions[0]?.class;
  // A mat-only profile gets classes only (strength sessions need gym kit).
  if (firstClass === undefined || firstClass === null) {
    throw new UnexpectedResponse(`POST /v1/plans/preview: no class first in ${JSON.stringify(plan)}`);
  }

  const email = `ts-client-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = "correct horse 42";
  const user = expectStatus(
    "POST /v1/auth/register",
    201,
    await api.POST("/v1/auth/register", {
      body: { email, password, display_name: "TypeScript client" },
    }),
  );

  const token = expectStatus(
    "POST /v1/auth/token",
    200,
    await api.POST("/v1/auth/token", {
      body: { username: email, password },
      // openapi-fetch's default serializer writes URLSearchParams for this content type.
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
  const authorised = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${token.access_token}` },
  });

  const me = expectStatus("GET /v1/me", 200, await authorised.GET("/v1/me"));

  const idempotencyKey = `ts-smoke-${email}`;
  const workoutLog: components["schemas"]["WorkoutCreate"] = {
    class_slug: firstClass.slug,
    completed_at: new Date().toISOString(),
    duration_minutes: firstClass.duration_minutes,
    rpe: 6,
    pain: 1,
    notes: "Logged by the TypeScript client smoke test.",
  };
  const logWorkout = () =>
    authorised.POST("/v1/me/workouts", {
      params: { header: { "Idempotency-Key": idempotencyKey } },
      body: workoutLog,
    });
  const workout = expectStatus("POST /v1/me/workouts", 201, await logWorkout());
  // The same key and body again is a retry: the first response comes back, nothing new is logged.
  const replay = expectStatus("POST /v1/me/workouts (retry)", 201, await logWorkout());
  if (replay.id !== workout.id) {
    throw new UnexpectedResponse(`retry logged workout ${replay.id} besides ${workout.id}`);
  }

  const history = expectStatus("GET /v1/me/workouts", 200, await authorised.GET("/v1/me/workouts"));

  console.log(
    JSON.stringify({
      classes: classes.items.map((item) => item.slug),
      plan: {
        week_start: plan.week_start,
        experience_level: plan.experience_level,
        sessions_per_week: plan.sessions_per_week,
        sessions: plan.sessions.map((session) => ({
          date: session.date,
          class: session.class?.slug ?? null,
        })),
        advisories: plan.advisories.map((advisory) => advisory.code),
      },
      user: { id: user.id, email: me.email, role: me.role },
      token_type: token.token_type,
      workout: {
        id: workout.id,
        class_slug: workout.class_slug,
        replayed_id: replay.id,
        logged: history.items.length,
      },
    }),
  );
}

const baseUrl = process.argv[2];
if (baseUrl === undefined) {
  console.error("usage: node dist/smoke.js BASE_URL");
  process.exit(2);
}
main(baseUrl).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
