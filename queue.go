package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Queue limits (https://developers.cloudflare.com/queues/platform/limits/).
const (
	MaxQueueMessageBytes = 128 << 10 // one message's body, as JSON
	MaxQueueBatch        = 100       // messages in one SendBatch
	MaxQueueBatchBytes   = 256 << 10 // all bodies of one SendBatch
)

// ErrQueueMessage is matched by the error of [QueueProducer.Send] and
// [QueueProducer.SendBatch] for a message that cannot be sent: its body does
// not encode as JSON, or it is over a limit. Nothing of the call was sent.
var ErrQueueMessage = errors.New("durable: queue message cannot be sent")

type queueProducerRuntime interface {
	QueueProducer(binding string) (any, error) // a queueRuntime
}

type queueRuntime interface {
	Send(ctx context.Context, bodies []json.RawMessage, delay time.Duration) error
}

// Queue returns the producer of the queue bound under the given name
// (queues.producers[].binding in wrangler.jsonc). It fails with
// [ErrNoBinding] when there is no such binding, or when the binding is of
// another kind.
func (e Env) Queue(binding string) (QueueProducer, error) {
	impl, err := bindingOf(e, "queues", binding, queueProducerRuntime.QueueProducer)
	if err != nil {
		return QueueProducer{}, err
	}
	return QueueProducer{impl: impl.(queueRuntime)}, nil
}

// QueueProducer sends messages to a queue. Get it from [Env.Queue]; the zero
// QueueProducer is not usable. Bodies are encoded with encoding/json and
// sent as JSON, so a consumer written in any language reads them, and
// [Message.Decode] gives them back. Calls take the event's context, as
// [KVNamespace]'s do.
type QueueProducer struct{ impl queueRuntime }

// QueueSendOptions tune a send; nil means none.
type QueueSendOptions struct {
	// Delay postpones delivery, rounded down to whole seconds (at most 12
	// hours).
	Delay time.Duration
}

// Send sends one message whose body is body encoded as JSON.
func (q QueueProducer) Send(ctx context.Context, body any, opts *QueueSendOptions) error {
	return q.SendBatch(ctx, []any{body}, opts)
}

// SendBatch sends several messages at once (at most [MaxQueueBatch], of
// [MaxQueueBatchBytes] in all): all of them or, on error, none.
func (q QueueProducer) SendBatch(ctx context.Context, bodies []any, opts *QueueSendOptions) error {
	if len(bodies) == 0 {
		return nil
	}
	if len(bodies) > MaxQueueBatch {
		return fmt.Errorf("%w: %d messages in one batch; a batch holds at most %d", ErrQueueMessage, len(bodies), MaxQueueBatch)
	}
	encoded := make([]json.RawMessage, len(bodies))
	total := 0
	for i, b := range bodies {
		raw, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("%w: message %d does not encode as JSON: %w", ErrQueueMessage, i, err)
		}
		if len(raw) > MaxQueueMessageBytes {
			return fmt.Errorf("%w: message %d is %d bytes as JSON; a message may be at most %d", ErrQueueMessage, i, len(raw), MaxQueueMessageBytes)
		}
		total += len(raw)
		encoded[i] = raw
	}
	if total > MaxQueueBatchBytes {
		return fmt.Errorf("%w: the batch is %d bytes as JSON; a batch may be at most %d", ErrQueueMessage, total, MaxQueueBatchBytes)
	}
	var delay time.Duration
	if opts != nil {
		delay = opts.Delay
	}
	return q.runtime().Send(ctx, encoded, delay)
}

func (q QueueProducer) runtime() queueRuntime {
	if q.impl == nil {
		panic("durable: zero QueueProducer; use Env.Queue")
	}
	return q.impl
}
