package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func ExampleRuntime_Queue() {
	// A consumer that acknowledges each order it can decode and retries the
	// others; a batch with an order over 100 fails as a whole.
	w := durable.Worker{Queue: func(ctx context.Context, env durable.Env, batch *durable.MessageBatch) error {
		for _, m := range batch.Messages {
			var order struct{ Total int }
			if err := m.Decode(&order); err != nil {
				m.Retry(nil)
				continue
			}
			if order.Total > 100 {
				return errors.New("order too large")
			}
			m.Ack()
		}
		return nil
	}}
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, w, nil)
	defer rt.Close()

	fmt.Println(rt.Queue("orders",
		durabletest.QueueMessage("a", map[string]int{"Total": 5}),
		durabletest.QueueMessage("b", "not an order")))
	fmt.Println(rt.Queue("orders",
		durabletest.QueueMessage("c", map[string]int{"Total": 7}),
		durabletest.QueueMessage("d", map[string]int{"Total": 500}),
		durabletest.QueueMessage("e", map[string]int{"Total": 9})))
	// Output:
	// {[a] [{b 0s}]} <nil>
	// {[c] [{d 0s} {e 0s}]} order too large
}
