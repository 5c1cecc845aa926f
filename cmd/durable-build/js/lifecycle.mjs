// Alarms and the lifecycle calls of a Durable Object's state (blockConcurrencyWhile,
// waitUntil, abort), for the runtime in runtime.mjs. Each runs Go work as an
// event of the object's context, with a pump of its own (IOContext.serve), so
// that Go may call into workerd until the work is done.

// objectAlarm runs an alarm attempt of an instance: the DO class's alarm()
// method. A failed attempt rejects, which makes workerd retry it.
export async function objectAlarm(program, object, className, alarmInfo) {
  const ctx = await program.contextOf(object, className);
  const info = {
    retryCount: alarmInfo?.retryCount ?? 0,
    isRetry: alarmInfo?.isRetry ?? false,
    scheduledTime: alarmInfo?.scheduledTime,
  };
  await ctx.serve("objectAlarm", info);
}

// lifecycleHost returns the helpers Go calls (internal/bridge, lifecycle_js.go);
// runtime() is the live Go runtime.
export function lifecycleHost(runtime) {
  const contextOf = (id) => {
    const ctx = runtime()?.contexts.get(id);
    if (!ctx?.state) throw new Error(`durable: no object with context ${id}`);
    return ctx;
  };
  return {
    // blockConcurrencyWhile runs Go task `task` inside the object's critical
    // section; a failure rejects, and workerd resets the object.
    blockConcurrencyWhile(id, task) {
      const ctx = contextOf(id);
      return ctx.state.blockConcurrencyWhile(() => ctx.serveGated("runTask", task));
    },
    // waitUntil runs Go task `task` as background work of the current event.
    waitUntil(id, task) {
      const ctx = contextOf(id);
      ctx.state.waitUntil(ctx.serve("runTask", task).catch((e) => console.error("durable:", e)));
    },
    // abort resets the object. ctx.abort() ends the JavaScript that runs
    // (terminateExecution), so it is called from one of the object's pumps,
    // never while Go is on the stack; the context's pumps and Go's timer
    // backup leave it first, since nothing of it runs afterwards.
    abort(id, reason) {
      const ctx = contextOf(id);
      const rt = ctx.runtime;
      const pumps = [...ctx.pumps];
      if (pumps.length === 0) throw new Error("durable: abort: no event of the object is in flight");
      pumps[0].post(() => {
        // Every pump is marked done before the timer backup moves, so that
        // it moves to another context's pump.
        const dying = [...ctx.pumps];
        for (const pump of dying) pump.done = true;
        ctx.pumps.clear();
        rt.active.delete(ctx);
        rt.contexts.delete(ctx.id);
        for (const pump of dying) rt.timers.leave(pump);
        ctx.state.abort(reason);
      });
    },
  };
}
