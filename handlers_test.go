package durable_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// The first settlement of a message wins; AckAll and RetryAll settle only
// the messages not settled yet, as on workerd.
func TestMessageFirstSettlementWins(t *testing.T) {
	rt := durabletest.New(t, durable.Worker{Queue: func(ctx context.Context, env durable.Env, b *durable.MessageBatch) error {
		b.Messages[0].Ack()
		b.Messages[0].Retry(nil) // ignored
		b.Messages[1].Retry(&durable.RetryOptions{Delay: 90 * time.Second})
		b.RetryAll(&durable.RetryOptions{Delay: time.Minute}) // settles 2 only
		b.AckAll()                                            // settles nothing
		return nil
	}}, nil)
	res, err := rt.Queue("q", durabletest.QueueMessage("0", 0), durabletest.QueueMessage("1", 1), durabletest.QueueMessage("2", 2))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Acked) != 1 || res.Acked[0] != "0" || len(res.Retried) != 2 ||
		res.Retried[0] != (durabletest.RetriedMessage{ID: "1", Delay: 90 * time.Second}) ||
		res.Retried[1] != (durabletest.RetriedMessage{ID: "2", Delay: time.Minute}) {
		t.Fatalf("result = %+v", res)
	}
}

// Values over the platforms' limits fail before anything is stored or sent.
func TestBindingLimits(t *testing.T) {
	rt := durabletest.New(t, durable.Worker{}, &durabletest.Options{
		KVNamespaces: []string{"KV"}, R2Buckets: []string{"R2"}, QueueProducers: map[string]string{"Q": "q"},
	})
	ctx := context.Background()
	kv, _ := rt.Env().KV("KV")
	err := kv.Put(ctx, "big", make([]byte, durable.MaxKVValueBytes+1), nil)
	if !errors.Is(err, durable.ErrKVLimit) || !strings.Contains(err.Error(), "store larger values in R2") {
		t.Errorf("a value over 25 MiB: %v", err)
	}
	if _, ok, _ := kv.Get(ctx, "big"); ok {
		t.Error("the value over the limit was stored")
	}
	if err := kv.Put(ctx, "", []byte("x"), nil); !errors.Is(err, durable.ErrKVLimit) {
		t.Errorf("an empty key: %v", err)
	}
	r2, _ := rt.Env().Bucket("R2")
	if err := r2.Delete(ctx, make([]string, 1001)...); !errors.Is(err, durable.ErrR2Limit) {
		t.Errorf("1001 keys: %v", err)
	}
	if _, err := r2.Put(ctx, "k", bytes.NewReader([]byte("abc")), &durable.R2PutOptions{Size: 5}); err == nil || !strings.Contains(err.Error(), "not the 5 its size says") {
		t.Errorf("a body shorter than its size: %v", err)
	}
	q, _ := rt.Env().Queue("Q")
	if err := q.SendBatch(ctx, make([]any, durable.MaxQueueBatch+1), nil); !errors.Is(err, durable.ErrQueueMessage) {
		t.Errorf("101 messages: %v", err)
	}
	fill := strings.Repeat("x", 100<<10)
	if err := q.SendBatch(ctx, []any{fill, fill, fill}, nil); !errors.Is(err, durable.ErrQueueMessage) || !strings.Contains(err.Error(), "the batch is") {
		t.Errorf("a batch over 256 KiB: %v", err)
	}
	if sent := rt.QueueSent("q"); len(sent) != 0 {
		t.Errorf("%d messages were sent from refused batches", len(sent))
	}
}
