//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/packed"
)

// The KV batches run as one host call each, so one turn of the object's
// context: GetMany reads a consistent snapshot, and PutMany and DeleteMany run
// inside transactionSync, so a failure leaves nothing half written.

func (k *kvStorage) GetMany(keys []string) ([][]byte, error) {
	var values [][]byte
	err := k.do(fmt.Sprintf("get of %d keys", len(keys)), func() error {
		res, err := call(host, "kvGetMany", k.v, stringsToJS(keys))
		if err != nil {
			return err
		}
		vals, err := packed.DecodeValues(bytesOf(res))
		if err != nil {
			return err
		}
		if len(vals) != len(keys) {
			return fmt.Errorf("got %d values for %d keys", len(vals), len(keys))
		}
		values = make([][]byte, len(keys))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				values[i] = b
			}
		}
		return nil
	})
	return values, err
}

func (k *kvStorage) PutMany(entries []durable.Entry) error {
	keys := make([]any, len(entries))
	values := make([]any, len(entries))
	for i, e := range entries {
		keys[i], values[i] = e.Key, bytesToJS(e.Value)
	}
	return k.do(fmt.Sprintf("put of %d keys", len(entries)), func() error {
		_, err := call(host, "kvPutMany", k.storage, js.ValueOf(keys), js.ValueOf(values))
		return err
	})
}

func (k *kvStorage) DeleteMany(keys []string) (int, error) {
	var n int
	err := k.do(fmt.Sprintf("delete of %d keys", len(keys)), func() error {
		v, err := call(host, "kvDeleteMany", k.storage, stringsToJS(keys))
		if err == nil {
			n = v.Int()
		}
		return err
	})
	return n, err
}

func stringsToJS(ss []string) js.Value {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return js.ValueOf(a)
}

// Sync waits for ctx.storage.sync(): every write so far is durable.
func (s *storage) Sync(ctx context.Context) error {
	_, err := s.ctx.await(ctx, func() (js.Value, error) { return call(s.v, "sync") })
	if err != nil {
		return fmt.Errorf("durable: Sync: %w", err)
	}
	return nil
}
