package durabletest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// Scheduled runs the Worker's Scheduled handler as a cron trigger does, and
// returns its error: a panic is an error here (logged with its stack), as it
// fails only its event on workerd. A Worker without a Scheduled handler is
// an error too. The handler's env is the runtime's, and its ctx ends when it
// returns.
func (rt *Runtime) Scheduled(ev durable.ScheduledEvent) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return serving.RunScheduled(ctx, rt.worker, rt.Env(), ev, rt.logf)
}

// QueueResult is what became of a batch's messages, as workerd reports it to
// the queue.
type QueueResult struct {
	// Acked are the IDs of the messages acknowledged: explicitly, or left
	// unsettled by a handler that returned nil.
	Acked []string
	// Retried are the messages to be delivered again: explicitly, or left
	// unsettled by a handler that failed.
	Retried []RetriedMessage
}

// RetriedMessage is a message a batch retried, with the delay asked for (0:
// the consumer's retry_delay).
type RetriedMessage struct {
	ID    string
	Delay time.Duration
}

// Queue delivers one batch from the named queue to the Worker's Queue
// handler, as workerd does, and returns what became of each message, with
// the handler's error (a panic is an error here). Messages are not
// redelivered: a test that wants the retry sends them again with Attempts
// raised. Make messages with [QueueMessage].
func (rt *Runtime) Queue(queue string, messages ...*durable.Message) (QueueResult, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	batch := &durable.MessageBatch{Queue: queue, Messages: messages}
	err := serving.RunQueue(ctx, rt.worker, rt.Env(), batch, rt.logf)
	var res QueueResult
	for _, m := range messages {
		kind, delay := wrap.Decision(m)
		switch {
		case kind == 1 || (kind == 0 && err == nil):
			res.Acked = append(res.Acked, m.ID)
		default:
			res.Retried = append(res.Retried, RetriedMessage{ID: m.ID, Delay: delay.Truncate(time.Second)})
		}
	}
	return res, err
}

// QueueMessage makes a queue message with the given ID and body, as a
// producer's send(body) delivers it for the first time: the body encoded as
// JSON (a []byte becomes a JSON string of its base64, as a body of bytes
// does on workerd), Attempts 1, Timestamp now. It panics when body does not
// encode, since that is a mistake in the test.
func QueueMessage(id string, body any) *durable.Message {
	b, err := json.Marshal(body)
	if err != nil {
		panic(fmt.Sprintf("durabletest: QueueMessage %s: %v", id, err))
	}
	return &durable.Message{ID: id, Body: b, Attempts: 1, Timestamp: time.Now().Truncate(time.Millisecond)}
}
