package serving

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/durableobjects-on-go/durable"
)

// ErrNoScheduledHandler and ErrNoQueueHandler fail an event for which the
// Worker has no handler: its configuration has a cron trigger or a queue
// consumer that the Go program does not serve.
var (
	ErrNoScheduledHandler = errors.New("a cron trigger fired but Worker.Scheduled is nil: set it in the call to workerd.Serve, or remove triggers.crons from wrangler.jsonc")
	ErrNoQueueHandler     = errors.New("a queue batch arrived but Worker.Queue is nil: set it in the call to workerd.Serve, or remove queues.consumers from wrangler.jsonc")
)

// RunScheduled runs w's Scheduled handler, turning a panic into an error
// (logged with its stack) so that the Worker keeps serving.
func RunScheduled(ctx context.Context, w durable.Worker, env durable.Env, ev durable.ScheduledEvent, logf func(string, ...any)) (err error) {
	if w.Scheduled == nil {
		return ErrNoScheduledHandler
	}
	defer recoverTo(&err, "Scheduled", logf)
	return w.Scheduled(ctx, env, ev)
}

// RunQueue runs w's Queue handler, turning a panic into an error.
func RunQueue(ctx context.Context, w durable.Worker, env durable.Env, batch *durable.MessageBatch, logf func(string, ...any)) (err error) {
	if w.Queue == nil {
		return ErrNoQueueHandler
	}
	defer recoverTo(&err, "Queue", logf)
	return w.Queue(ctx, env, batch)
}

func recoverTo(err *error, handler string, logf func(string, ...any)) {
	if p := recover(); p != nil {
		logf("durable: panic in Worker.%s: %v\n%s", handler, p, debug.Stack())
		*err = fmt.Errorf("Worker.%s panicked: %v", handler, p)
	}
}
