// The Worker's handlers beyond fetch, for the generated entry module: cron
// triggers (scheduled) and queue batches (queue). Each runs in Go
// (internal/bridge, handlers_js.go) as an event with a context and a pump of
// its own, like a front request, forgotten when it ends.

async function runEvent(program, env, name, data) {
  const runtime = program.runtime?.alive ? program.runtime : await program.runtimeFor(env);
  const ctx = runtime.newContext();
  try {
    return await ctx.serve(name, data, env);
  } finally {
    runtime.contexts.delete(ctx.id);
    if (runtime.alive) runtime.enter(() => runtime.api.closeContext(ctx.id));
  }
}

// runScheduled runs Worker.Scheduled; a failure rejects, and workerd logs it.
export async function runScheduled(program, controller, env) {
  await runEvent(program, env, "scheduled", { cron: controller.cron, scheduledTime: controller.scheduledTime });
}

// runQueue runs Worker.Queue, then settles each message as Go decided; when
// the handler failed it throws, so workerd retries the messages left
// unsettled (and acknowledges them when it succeeded).
export async function runQueue(program, batch, env) {
  const messages = batch.messages.map((m) => ({
    id: m.id,
    timestamp: m.timestamp?.getTime?.() ?? Number(m.timestamp),
    attempts: m.attempts,
    body: bodyJSON(m.body),
  }));
  const out = await runEvent(program, env, "queue", { queue: batch.queue, messages });
  out.decisions.forEach(([kind, delaySeconds], i) => {
    const m = batch.messages[i];
    if (kind === 1) m.ack();
    else if (kind === 2) m.retry(delaySeconds > 0 ? { delaySeconds } : undefined);
  });
  if (out.failed) throw new Error("durable: Worker.Queue failed (the log has the details); the messages it did not settle are retried");
}

// bodyJSON is a message body as JSON for Go: bytes as a JSON string of their
// base64, the way encoding/json encodes a []byte.
function bodyJSON(body) {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return JSON.stringify(btoa(s));
  }
  return JSON.stringify(body) ?? "null";
}
