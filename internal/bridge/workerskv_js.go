//go:build js && wasm

package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// Workers KV (durable.KVNamespace): each call awaits the namespace's promise
// in the event's context; cmd/durable-build/js/bindings.mjs shapes the data.

func (e *env) WorkersKV(binding string) (any, error) {
	v, err := e.binding(binding, "getWithMetadata", "a Workers KV namespace", "kv_namespaces")
	if err != nil {
		return nil, err
	}
	return &workersKV{env: e, v: v, name: binding}, nil
}

type workersKV struct {
	env  *env
	v    js.Value
	name string
}

// await runs one call of the namespace in ctx's event.
func (k *workersKV) await(ctx context.Context, op, key string, start func() (js.Value, error)) (js.Value, error) {
	what := fmt.Sprintf("KV %s %s %q", k.name, op, key)
	c, err := k.env.contextFor(ctx, what)
	if err != nil {
		return js.Undefined(), err
	}
	v, err := c.await(ctx, start)
	if err != nil {
		return js.Undefined(), fmt.Errorf("durable: %s: %w", what, err)
	}
	return v, nil
}

func (k *workersKV) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := k.await(ctx, "get", key, func() (js.Value, error) { return call(host, "workersKVGet", k.v, key) })
	if err != nil || v.IsNull() || v.IsUndefined() {
		return nil, false, err
	}
	return bytesOf(v), true, nil
}

func (k *workersKV) Put(ctx context.Context, key string, value []byte, opts *durable.KVPutOptions) error {
	o := js.Global().Get("Object").New()
	if opts != nil {
		if !opts.Expiration.IsZero() {
			o.Set("expiration", opts.Expiration.Unix())
		}
		if opts.TTL > 0 {
			o.Set("expirationTtl", int64(opts.TTL/time.Second))
		}
		if opts.Metadata != nil {
			b, err := json.Marshal(opts.Metadata)
			if err != nil {
				return fmt.Errorf("durable: KV %s put %q: metadata: %w", k.name, key, err)
			}
			o.Set("metadata", string(b))
		}
	}
	_, err := k.await(ctx, "put", key, func() (js.Value, error) {
		return call(host, "workersKVPut", k.v, key, bytesToJS(value), o)
	})
	return err
}

func (k *workersKV) Delete(ctx context.Context, key string) error {
	_, err := k.await(ctx, "delete", key, func() (js.Value, error) { return call(host, "workersKVDelete", k.v, key) })
	return err
}

func (k *workersKV) List(ctx context.Context, opts *durable.KVListOptions) (durable.KVList, error) {
	o := js.Global().Get("Object").New()
	if opts != nil {
		if opts.Prefix != "" {
			o.Set("prefix", opts.Prefix)
		}
		if opts.Limit > 0 {
			o.Set("limit", opts.Limit)
		}
		if opts.Cursor != "" {
			o.Set("cursor", opts.Cursor)
		}
	}
	v, err := k.await(ctx, "list", "", func() (js.Value, error) { return call(host, "workersKVList", k.v, o) })
	if err != nil {
		return durable.KVList{}, err
	}
	list := durable.KVList{Complete: v.Get("complete").Truthy(), Cursor: stringOr(v.Get("cursor"))}
	keys := v.Get("keys")
	for i := range keys.Length() {
		kv := keys.Index(i)
		key := durable.KVKey{Name: kv.Get("name").String()}
		if exp := kv.Get("expiration"); exp.Type() == js.TypeNumber {
			key.Expiration = time.Unix(int64(exp.Float()), 0)
		}
		if md := kv.Get("metadata"); md.Type() == js.TypeString {
			key.Metadata = json.RawMessage(md.String())
		}
		list.Keys = append(list.Keys, key)
	}
	return list, nil
}
