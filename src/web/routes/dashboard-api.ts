import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { CSRF_HEADER, csrfMatches, dashboardActor } from "../auth.js";
import type { WebContext } from "../context.js";
import { errorText, sendError } from "../errors.js";
import type { Session } from "../sessions.js";

/*
 * The dashboard's JSON API (behind the session, see dashboard-scope.ts). The control routes
 * change what the engine does with real money, so each needs the session's CSRF token in the
 * x-csrf-token header as well, and names the actor (dashboard@<client address>) for the audit
 * log the ControlPort writes.
 */

const SYMBOL = /^[A-Z0-9][A-Z0-9_-]{0,39}$/;
const CONTROL_BODY_LIMIT = 1024;

const entriesBody = z.strictObject({ enabled: z.boolean() });
const panicBody = z.strictObject({ confirm: z.literal(true) });
const lotsBody = z.strictObject({ lots: z.number().int() });

/** Registers /api/session, /api/candles and /api/control/*; `sessionOfRequest` is the scope's session. */
export function registerDashboardApi(
  app: FastifyInstance,
  ctx: WebContext,
  sessionOfRequest: (request: FastifyRequest) => Session,
): void {
  app.get("/api/session", (request, reply) => {
    const session = sessionOfRequest(request);
    return reply.send({
      csrfToken: session.csrfToken,
      mode: ctx.deps.engine.status().mode,
      expiresAt: new Date(session.expiresAtMs).toISOString(),
    });
  });

  app.get("/api/candles", (request, reply) => {
    const symbol = (request.query as Record<string, unknown> | undefined)?.symbol;
    if (typeof symbol !== "string" || !SYMBOL.test(symbol)) {
      return sendError(
        reply,
        400,
        "symbol: expected one contract's trading symbol, e.g. SENSEX2591180500CE or NIFTY2590924950CE",
      );
    }
    const known = ctx.deps.engine.status().universe.contracts.some((c) => c.symbol === symbol);
    if (!known) return sendError(reply, 400, `symbol: ${symbol} is not in today's universe`);
    return reply.send(ctx.deps.engine.candles(symbol));
  });

  /** A control route: CSRF checked, body validated, the port called with the actor. */
  const control = <T>(
    path: string,
    schema: z.ZodType<T> | null,
    act: (body: T, actor: string) => void,
    what: (body: T) => string,
  ) => {
    app.post(path, { bodyLimit: CONTROL_BODY_LIMIT }, (request, reply) => {
      if (!csrfMatches(request, sessionOfRequest(request))) {
        return sendError(reply, 403, `missing or wrong CSRF token (send the ${CSRF_HEADER} header)`);
      }
      let body = undefined as T;
      if (schema) {
        const parsed = schema.safeParse(request.body);
        if (!parsed.success) return sendError(reply, 400, bodyProblem(parsed.error));
        body = parsed.data;
      }
      const actor = dashboardActor(request);
      return runControl(ctx, reply, () => act(body, actor), `${what(body)} by ${actor}`);
    });
  };

  const port = ctx.deps.engine.control;
  control(
    "/api/control/entries",
    entriesBody,
    (b, actor) => port.setEntriesEnabled(b.enabled, actor),
    (b) => (b.enabled ? "entries enabled" : "entries disabled"),
  );
  control(
    "/api/control/panic",
    panicBody,
    (_b, actor) => port.panic(actor),
    () => "PANIC",
  );
  control(
    "/api/control/panic/clear",
    null,
    (_b, actor) => port.clearPanic(actor),
    () => "panic cleared",
  );
  control(
    "/api/control/lots",
    lotsBody,
    (b, actor) => port.setLots(b.lots, actor),
    (b) => `lots set to ${b.lots}`,
  );
}

function runControl(ctx: WebContext, reply: FastifyReply, act: () => void, what: string): FastifyReply {
  try {
    act();
  } catch (e) {
    if (e instanceof RangeError) return sendError(reply, 400, e.message);
    ctx.log.error({ action: what, err: errorText(e) }, "a control action failed");
    return sendError(reply, 500, "the action failed; see the service log");
  }
  ctx.log.info({ action: what }, "control action");
  return reply.code(200).send({ ok: true });
}

/** A short description of what is wrong with a control body. */
function bodyProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid body";
  const at = issue.path.length > 0 ? issue.path.map(String).join(".") : "body";
  return `${at}: ${issue.message}`;
}
