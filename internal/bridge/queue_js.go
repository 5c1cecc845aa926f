//go:build js && wasm

package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"
)

// Queue producers (durable.QueueProducer): bodies cross as JSON text, which
// bindings.mjs parses and sends with contentType "json".

func (e *env) QueueProducer(binding string) (any, error) {
	v, err := e.binding(binding, "sendBatch", "a queue producer", "queues.producers")
	if err != nil {
		return nil, err
	}
	return &queueProducer{env: e, v: v, name: binding}, nil
}

type queueProducer struct {
	env  *env
	v    js.Value
	name string
}

func (q *queueProducer) Send(ctx context.Context, bodies []json.RawMessage, delay time.Duration) error {
	what := fmt.Sprintf("queue %s send", q.name)
	c, err := q.env.contextFor(ctx, what)
	if err != nil {
		return err
	}
	texts := make([]any, len(bodies))
	for i, b := range bodies {
		texts[i] = string(b)
	}
	_, err = c.await(ctx, func() (js.Value, error) {
		return call(host, "queueSend", q.v, texts, int(delay/time.Second))
	})
	if err != nil {
		return fmt.Errorf("durable: %s: %w", what, err)
	}
	return nil
}
