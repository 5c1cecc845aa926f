//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/kvbacked"
	"github.com/durableobjects-on-go/durable/internal/packed"
)

// newKVBackedStorage serves an object of a class created with new_classes:
// workerd gives it the asynchronous KV API (ctx.storage.get, put, delete and
// list return promises) and no SQL.
func newKVBackedStorage(c *ioContext, v js.Value) *storage {
	return &storage{ctx: c, v: v, sql: kvbacked.SQL{}, kv: &asyncKV{ctx: c, storage: v}, kvBacked: true}
}

// asyncKV is the KV API over ctx.storage's promises. The KV methods take no
// context, so each waits until workerd answers; workerd answers storage
// calls while the object's event is in flight, and a call made with no event
// in flight fails at once (errNoEvent).
type asyncKV struct {
	ctx     *ioContext
	storage js.Value
}

func (k *asyncKV) await(what string, method string, args ...any) (js.Value, error) {
	v, err := k.ctx.await(context.Background(), func() (js.Value, error) {
		return call(host, method, append([]any{k.storage}, args...)...)
	})
	if err != nil {
		return js.Undefined(), fmt.Errorf("durable: KV %s: %w", what, err)
	}
	return v, nil
}

func (k *asyncKV) Get(key string) ([]byte, bool, error) {
	v, err := k.await(fmt.Sprintf("get %q", key), "kvAsyncGet", key)
	if err != nil || v.IsUndefined() {
		return nil, false, err
	}
	return bytesOf(v), true, nil
}

func (k *asyncKV) Put(key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := k.await(fmt.Sprintf("put %q", key), "kvAsyncPut", key, bytesToJS(value))
	return err
}

func (k *asyncKV) Delete(key string) (bool, error) {
	v, err := k.await(fmt.Sprintf("delete %q", key), "kvAsyncDelete", key)
	return err == nil && v.Truthy(), err
}

func (k *asyncKV) List(opts *durable.ListOptions) ([]durable.Entry, error) {
	o, err := listOptions(opts)
	if err != nil {
		return nil, err
	}
	v, err := k.await("list", "kvAsyncList", o)
	if err != nil {
		return nil, err
	}
	return unpackEntries(bytesOf(v))
}

func (k *asyncKV) GetMany(keys []string) ([][]byte, error) {
	v, err := k.await(fmt.Sprintf("get of %d keys", len(keys)), "kvAsyncGetMany", stringsToJS(keys))
	if err != nil {
		return nil, err
	}
	vals, err := packed.DecodeValues(bytesOf(v))
	if err != nil || len(vals) != len(keys) {
		return nil, fmt.Errorf("durable: KV get of %d keys: bad answer (%d values): %v", len(keys), len(vals), err)
	}
	values := make([][]byte, len(keys))
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			values[i] = b
		}
	}
	return values, nil
}

func (k *asyncKV) PutMany(entries []durable.Entry) error {
	keys := make([]any, len(entries))
	values := make([]any, len(entries))
	for i, e := range entries {
		keys[i], values[i] = e.Key, bytesToJS(e.Value)
	}
	_, err := k.await(fmt.Sprintf("put of %d keys", len(entries)), "kvAsyncPutMany", js.ValueOf(keys), js.ValueOf(values))
	return err
}

func (k *asyncKV) DeleteMany(keys []string) (int, error) {
	v, err := k.await(fmt.Sprintf("delete of %d keys", len(keys)), "kvAsyncDeleteMany", stringsToJS(keys))
	if err != nil {
		return 0, err
	}
	return v.Int(), nil
}
