// Go's timers on workerd: when and in which I/O context the Go runtime is
// woken for a timer it asked for. Used by runtime.mjs.

// BACKUP_GRACE_MS is how much later than a Go wake-up its backup fires.
const BACKUP_GRACE_MS = 50;

// Timers runs Go's timer events. Go asks for one wake-up at a time, while some
// goroutine runs. The wake-up is set in the context Go runs in then, which is
// most often the sleeping goroutine's own: the timer fires there and enters Go
// as that context, so the goroutine goes on where it belongs. (Waking it from
// another context, through that context's pump, has been seen to hand it
// another event's trace span under load: see "Known limit" in
// internal/bridge/doc.go.) A JavaScript timer fires only while the context
// that set it lives, so every wake-up also has a backup, set by one event in
// flight (moved to another when that event ends), which fires a little later,
// or at once when Go asked from no known context.
export class Timers {
  constructor(runtime) {
    this.runtime = runtime;
    this.due = new Map(); // Go's timeout id → time the backup is due (ms)
    this.nextID = 1;
    this.armed = null; // the backup: { pump, at, handle }
  }

  schedule(delay) {
    const id = this.nextID++;
    const rt = this.runtime;
    const ctx = rt.contexts.get(rt.current());
    if (ctx?.active) {
      setTimeout(() => this.fireIn(ctx, id), Math.max(0, delay));
      this.due.set(id, Date.now() + delay + BACKUP_GRACE_MS);
    } else {
      this.due.set(id, Date.now() + delay);
    }
    this.rearm();
    return id;
  }

  clear(id) {
    this.due.delete(id);
  }

  earliest() {
    let at = Infinity;
    for (const t of this.due.values()) at = Math.min(at, t);
    return at;
  }

  // fireIn runs a wake-up set in the context ctx, which the timer runs in.
  fireIn(ctx, id) {
    const rt = this.runtime;
    // Go clears the event it handled; should it miss one, it gets another try.
    for (let tries = 0; tries < 3 && rt.alive && this.due.has(id); tries++) {
      rt.enter(() => rt.resumeAs(ctx.id));
    }
    this.due.delete(id);
  }

  // rearm makes sure an event in flight holds the backup for the earliest
  // wake-up.
  rearm() {
    const at = this.earliest();
    if (at === Infinity) return;
    const armed = this.armed;
    if (armed && armed.at <= at && !armed.pump.done) return;
    const host = armed && !armed.pump.done ? armed.pump : this.anyPump();
    if (!host) return; // no event in flight anywhere: the next event rearms
    const next = { pump: host, at, handle: undefined };
    this.armed = next;
    host.post(() => {
      if (armed?.pump === host) clearTimeout(armed.handle);
      if (this.armed !== next) return;
      next.handle = setTimeout(() => this.fire(next), Math.max(0, at - Date.now()));
    });
  }

  anyPump() {
    for (const ctx of this.runtime.active) {
      for (const pump of ctx.pumps) if (!pump.done) return pump;
    }
    return undefined;
  }

  // fire runs the backup: Go runs with no context known, so every call the
  // woken goroutines make is routed.
  fire(armed) {
    if (this.armed !== armed) return;
    this.armed = null;
    const rt = this.runtime;
    for (let tries = 0; tries < 3 && rt.alive && this.earliest() <= Date.now(); tries++) {
      rt.enter(() => rt.go._resume());
    }
    const now = Date.now();
    for (const [id, at] of this.due) if (at <= now) this.due.delete(id);
    if (rt.alive) this.rearm();
  }

  // leave moves the backup away from an event that ends.
  leave(pump) {
    if (this.armed?.pump !== pump) return;
    clearTimeout(this.armed.handle);
    this.armed = null;
    this.rearm();
  }
}
