package durable

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// ScheduledEvent is one firing of a cron trigger, passed to
// [Worker.Scheduled]. A Scheduled handler that returns an error or panics
// fails the event (workerd logs it; the Worker keeps serving).
//
// The handler's ctx belongs to the event: requests built with it (stub
// fetches, outbound HTTP) run in the event's I/O context, and it ends when
// the handler returns.
type ScheduledEvent struct {
	// Cron is the trigger's cron expression, as written in triggers.crons.
	Cron string
	// ScheduledTime is when the trigger was due.
	ScheduledTime time.Time
}

// MessageBatch is a batch of messages from one queue, passed to
// [Worker.Queue].
//
// Each message is settled once: [Message.Ack] (done, deleted from the queue)
// or [Message.Retry] (delivered again later); the first call on a message
// wins, later ones are ignored, as on workerd. [MessageBatch.AckAll] and
// [MessageBatch.RetryAll] settle the messages not settled yet. When the
// handler returns nil, the messages it left unsettled are acknowledged; when
// it returns an error or panics, they are retried (up to the consumer's
// max_retries, then dropped or sent to its dead-letter queue).
type MessageBatch struct {
	// Queue is the name of the queue the batch comes from.
	Queue string
	// Messages are the batch's messages, in delivery order.
	Messages []*Message
}

// AckAll acknowledges every message of the batch not settled yet.
func (b *MessageBatch) AckAll() {
	for _, m := range b.Messages {
		m.Ack()
	}
}

// RetryAll asks for every message of the batch not settled yet to be
// delivered again; opts may be nil.
func (b *MessageBatch) RetryAll(opts *RetryOptions) {
	for _, m := range b.Messages {
		m.Retry(opts)
	}
}

// RetryOptions tune [Message.Retry].
type RetryOptions struct {
	// Delay postpones the next delivery; it is rounded down to whole
	// seconds (workerd's delaySeconds, at most 12 hours). Zero uses the
	// consumer's retry_delay.
	Delay time.Duration
}

// Message is one queue message.
type Message struct {
	// ID is the message's unique ID.
	ID string
	// Timestamp is when the message was sent.
	Timestamp time.Time
	// Attempts counts the deliveries of this message, this one included.
	Attempts int
	// Body is the message's body as JSON: what the producer sent, encoded
	// as JSON.stringify encodes it. A body sent as bytes is a JSON string
	// of its base64, as encoding/json encodes a []byte, so [Message.Decode]
	// into a []byte gives the bytes back.
	Body json.RawMessage

	mu       sync.Mutex
	decision int // decisionNone, decisionAck, decisionRetry
	delay    time.Duration
}

const (
	decisionNone = iota
	decisionAck
	decisionRetry
)

// Decode decodes the body into v with encoding/json.
func (m *Message) Decode(v any) error {
	if err := json.Unmarshal(m.Body, v); err != nil {
		return fmt.Errorf("durable: queue message %s: %w", m.ID, err)
	}
	return nil
}

// Ack acknowledges the message: it will not be delivered again, whatever
// the handler returns. It does nothing when the message is already settled.
func (m *Message) Ack() { m.decide(decisionAck, 0) }

// Retry asks for the message to be delivered again, whatever the handler
// returns; opts may be nil. It does nothing when the message is already
// settled.
func (m *Message) Retry(opts *RetryOptions) {
	var d time.Duration
	if opts != nil {
		d = opts.Delay
	}
	m.decide(decisionRetry, d)
}

func (m *Message) decide(kind int, delay time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.decision == decisionNone {
		m.decision, m.delay = kind, delay
	}
}

func init() {
	wrap.Decision = func(msg any) (int, time.Duration) {
		m := msg.(*Message)
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.decision, m.delay
	}
}
