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
  async serve(name, ...args) {
    const rt = this.runtime;
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
      // The event ends only once its pump has stopped. Another context may
      // have woken the pump just before (Go's wake from another event, a
      // timer backup posted): workerd delivers that wake later, in this
      // context, and only while one of its events is in flight. A wake that
      // arrives after the last event of the context ended is run with no
      // request (workerd 1.20260426 then breaks a Durable Object, closing its
      // hibernatable WebSockets with 1006, and runs what the wake left in
      // another event's context, where it resolves this context's promises:
      // "A promise was resolved or rejected from a different request
      // context"). The pump resumes only when its wait is resolved, so
      // waiting for it waits for any such wake.
      await pump.stopped;
    }
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
    let stop;
    this.stopped = new Promise((resolve) => (stop = resolve)); // settles when run returns
    this.stop = stop;
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
      this.stop();
    }
  }
}
