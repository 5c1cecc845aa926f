// I/O contexts and their pumps: how Go's goroutines get turns to call
// JavaScript in the workerd I/O context they belong to (internal/bridge/doc.go
// explains the model). Used by runtime.mjs.

// KEEP_ALIVE_MS: how often a pump's keep-alive timer ticks.
const KEEP_ALIVE_MS = 10_000;

// IOContext is one workerd I/O context as Go knows it: an object instance (all
// of its events share one context) or one front request.
export class IOContext {
  constructor(runtime, id) {
    this.runtime = runtime;
    this.id = id;
    this.pumps = new Set(); // one per event in flight
    this.drain = false; // goroutines wait for a turn in this context
    this.loops = 0; // pump loops running, including those of events that ended
    this.allStopped = null; // settles when loops drops to 0 (stopped)
    this.resolveStopped = null;
    this.onCallEnd = null; // runs when an event's Go call has settled, before any wait
  }

  get active() {
    return this.pumps.size > 0;
  }

  // wake asks one of the context's pumps for a turn; a pump that is not waiting
  // is about to look at drain anyway.
  wake() {
    for (const pump of this.pumps) {
      if (pump.wakeUp) return pump.wake();
    }
  }

  // serve runs one event with a pump of its own until the Go entry point
  // settles.
  serve(name, ...args) {
    return this.serveEvent(true, name, args);
  }

  // serveGated runs Go work inside blockConcurrencyWhile, like serve, except
  // that it does not wait for the context's pumps when it ends: workerd holds
  // back deliveries from other contexts until the callback returns (the
  // input gate), and the event that called blockConcurrencyWhile, still in
  // flight, waits for them instead.
  serveGated(name, ...args) {
    return this.serveEvent(false, name, args);
  }

  async serveEvent(settle, name, args) {
    const rt = this.runtime;
    // An event that waits for the pumps (below) need not wait any longer:
    // this one is in flight, and will wait for them when it ends last.
    this.releaseStopped();
    const pump = new Pump(this);
    this.pumps.add(pump);
    rt.active.add(this);
    pump.run();
    rt.timers.rearm();
    try {
      return await rt.call(pump, name, this.id, ...args);
    } finally {
      pump.done = true;
      this.pumps.delete(pump);
      if (!this.active) rt.active.delete(this);
      pump.wake();
      try {
        this.onCallEnd?.();
      } catch (e) {
        console.error("durable:", e);
      }
      // The last event of a context ends only once every pump of the context
      // has stopped. Another context may have woken a pump just before (Go
      // in another event, a timer backup posted there): workerd delivers
      // that wake later, in this context, and only while one of its events
      // is in flight. Delivered when none is, workerd (1.20260426) runs it
      // with no request, which breaks a Durable Object (its hibernatable
      // WebSockets close with 1006) and leaves its continuations to run in
      // another event's context, where they resolve this context's promises
      // ("A promise was resolved or rejected from a different request
      // context"). A pump's loop resumes only when its wait is resolved, so
      // waiting for the loops to stop waits for every such wake. (Where the
      // event's request ends without waiting, as when a streamed body has
      // been sent, the wait may never end: nothing depends on it then.)
      if (settle && !this.active) await this.stopped();
    }
  }

  // stopped settles once no pump loop of the context runs, or another event
  // of the context began.
  stopped() {
    if (this.loops === 0) return undefined;
    this.allStopped ??= new Promise((resolve) => (this.resolveStopped = resolve));
    return this.allStopped;
  }

  // loopEnded counts a pump loop out.
  loopEnded() {
    if (--this.loops === 0) this.releaseStopped();
  }

  releaseStopped() {
    const resolve = this.resolveStopped;
    this.allStopped = this.resolveStopped = null;
    resolve?.();
  }
}

// Pump runs, inside one event in flight, the work Go hands to that event's
// context: turns for the goroutines waiting to call JavaScript there, Go's
// timer backup, and failures.
// It is tied to its event: a promise of an event that has ended may never run
// its continuation, so a pump ends with its event and hands what is left to
// another event of the same context.
export class Pump {
  constructor(ctx) {
    this.ctx = ctx;
    this.done = false;
    this.wakeUp = null; // resolves the pump's wait
    this.tasks = []; // functions to run in this event
    this.fail = null; // rejects the event's Go call
  }

  // post runs fn in this event, on the pump's next turn.
  post(fn) {
    this.tasks.push(fn);
    this.wake();
  }

  wake() {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  async run() {
    const ctx = this.ctx;
    const rt = ctx.runtime;
    // workerd cancels a request that waits on nothing it tracks as "hung"; an
    // event whose Go handler waits for another context (a timer hosted there,
    // a channel) holds a timer of its own meanwhile.
    let keepAlive;
    const tick = () => (keepAlive = setTimeout(tick, KEEP_ALIVE_MS));
    tick();
    ctx.loops++;
    try {
      while (!this.done) {
        if (this.tasks.length === 0 && !ctx.drain) {
          await new Promise((resolve) => (this.wakeUp = resolve));
        }
        if (this.done) break;
        const tasks = this.tasks;
        this.tasks = [];
        for (const task of tasks) task();
        if (ctx.drain && rt.alive) {
          ctx.drain = false;
          rt.enter(() => rt.api.drain(ctx.id));
        }
      }
    } finally {
      clearTimeout(keepAlive);
      rt.timers.leave(this);
      if (ctx.drain) ctx.wake();
      ctx.loopEnded();
    }
  }
}
