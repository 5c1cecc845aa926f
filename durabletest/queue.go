package durabletest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// fakeQueues holds the messages sent through queue producers, by queue
// name, until the test takes them.
type fakeQueues struct {
	producers map[string]string // binding → queue

	mu   sync.Mutex
	sent map[string][]*durable.Message
}

// QueueProducer returns the fake producer bound under binding.
func (e *env) QueueProducer(binding string) (any, error) {
	queue, ok := e.rt.queues.producers[binding]
	if !ok {
		return nil, serving.BindingError(binding, "a queue producer", "queues.producers", e.bound(binding))
	}
	return &producerView{env: e, queue: queue, name: binding}, nil
}

type producerView struct {
	env   *env
	queue string
	name  string
}

func (p *producerView) Send(ctx context.Context, bodies []json.RawMessage, delay time.Duration) error {
	if err := p.env.checkEvent(ctx, fmt.Sprintf("queue %s send", p.name)); err != nil {
		return err
	}
	q := p.env.rt.queues
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, b := range bodies {
		id := make([]byte, 16)
		rand.Read(id)
		q.sent[p.queue] = append(q.sent[p.queue], &durable.Message{
			ID: hex.EncodeToString(id), Timestamp: time.Now().Truncate(time.Millisecond), Attempts: 1, Body: slices.Clone(b),
		})
	}
	return nil
}

// QueueSent takes the messages sent to the named queue so far, in order:
// hand them to [Runtime.Queue] to deliver them to the consumer, or inspect
// them. Delays are not modelled: every message is ready at once.
func (rt *Runtime) QueueSent(queue string) []*durable.Message {
	q := rt.queues
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs := q.sent[queue]
	delete(q.sent, queue)
	return msgs
}
