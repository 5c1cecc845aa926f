//go:build js && wasm

package bridge

import (
	"context"
	"encoding/json"
	"log"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// The Worker's handlers beyond fetch: cron triggers (scheduled) and queue
// batches (queue). Each event has a context of its own, like a front
// request (cmd/durable-build/js/handlers.mjs makes it), and its env's stubs
// fetch there.

// errHandlerFailed is what workerd sees of a failed handler: the details
// (which may hold a panic's stack) go to the log only.
const errHandlerFailed = "durable: the handler failed (the log has the details)"

// scheduled(ctx, event, env, resolve, reject) runs Worker.Scheduled.
func (rt *isolate) scheduled(args []js.Value) any {
	c := rt.context(int32(args[0].Int()), "scheduled event")
	data, envValue, resolve, reject := args[1], args[2], args[3], args[4]
	ev := durable.ScheduledEvent{Cron: stringOr(data.Get("cron"))}
	ev.ScheduledTime, _ = timeOf(data.Get("scheduledTime"))
	c.startEvent(func(ctx context.Context) error {
		env := wrap.Env(&env{v: envValue, owner: c}).(durable.Env)
		err := serving.RunScheduled(ctx, rt.worker, env, ev, log.Printf)
		if err != nil {
			log.Printf("durable: cron %q: %v", ev.Cron, err)
		}
		return err
	}, func(err error) {
		if err != nil {
			reject.Invoke(errHandlerFailed)
		} else {
			resolve.Invoke()
		}
	})
	return nil
}

// queue(ctx, batch, env, resolve, reject) runs Worker.Queue and resolves with
// each message's decision as [kind, delay in seconds] (kind 0: none, 1: ack,
// 2: retry) and whether the handler failed; handlers.mjs applies them.
func (rt *isolate) queue(args []js.Value) any {
	c := rt.context(int32(args[0].Int()), "queue batch")
	data, envValue, resolve := args[1], args[2], args[3]
	batch := &durable.MessageBatch{Queue: stringOr(data.Get("queue"))}
	msgs := data.Get("messages")
	for i := range msgs.Length() {
		m := msgs.Index(i)
		msg := &durable.Message{ID: stringOr(m.Get("id")), Body: json.RawMessage(stringOr(m.Get("body")))}
		msg.Timestamp, _ = timeOf(m.Get("timestamp"))
		if a := m.Get("attempts"); a.Type() == js.TypeNumber {
			msg.Attempts = a.Int()
		}
		batch.Messages = append(batch.Messages, msg)
	}
	c.startEvent(func(ctx context.Context) error {
		env := wrap.Env(&env{v: envValue, owner: c}).(durable.Env)
		err := serving.RunQueue(ctx, rt.worker, env, batch, log.Printf)
		if err != nil {
			log.Printf("durable: queue %q: %v", batch.Queue, err)
		}
		return err
	}, func(err error) {
		decisions := make([]any, len(batch.Messages))
		for i, m := range batch.Messages {
			kind, delay := wrap.Decision(m)
			decisions[i] = []any{kind, int(delay / time.Second)}
		}
		out := js.Global().Get("Object").New()
		out.Set("decisions", decisions)
		out.Set("failed", err != nil)
		resolve.Invoke(out)
	})
	return nil
}
