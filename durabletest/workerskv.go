package durabletest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// fakeKV is an in-memory Workers KV namespace. It is consistent at once
// (Workers KV is eventually consistent across locations, and so is local
// workerd not), lists keys in the order of their bytes, pages with an
// opaque cursor, and lets expired keys vanish on real time.
type fakeKV struct {
	mu      sync.Mutex
	entries map[string]fakeKVEntry
}

type fakeKVEntry struct {
	value    []byte
	expires  time.Time
	metadata json.RawMessage
}

func newFakeKVs(bindings []string) map[string]*fakeKV {
	m := make(map[string]*fakeKV, len(bindings))
	for _, b := range bindings {
		m[b] = &fakeKV{entries: make(map[string]fakeKVEntry)}
	}
	return m
}

// WorkersKV returns the fake namespace bound under binding.
func (e *env) WorkersKV(binding string) (any, error) {
	kv, ok := e.rt.kvs[binding]
	if !ok {
		return nil, serving.BindingError(binding, "a Workers KV namespace", "kv_namespaces", e.bound(binding))
	}
	return &kvView{env: e, kv: kv, name: binding}, nil
}

// bound reports whether name is bound to anything.
func (e *env) bound(name string) bool {
	_, ns := e.rt.bindings[name]
	_, v := e.rt.vars[name]
	_, j := e.rt.jsonVars[name]
	_, kv := e.rt.kvs[name]
	_, r2 := e.rt.buckets[name]
	_, svc := e.rt.services[name]
	_, q := e.rt.queues.producers[name]
	_, d1 := e.rt.d1s[name]
	return ns || v || j || kv || r2 || svc || q || d1
}

// checkEvent applies workerd's rule for I/O from the front handler: it must
// carry the context of the request being served.
func (e *env) checkEvent(ctx context.Context, what string) error {
	if !e.front {
		return nil
	}
	if ev := eventOf(ctx); ev == nil || ev.owner != e.rt.front {
		return fmt.Errorf("durable: %s: %w", what, durable.ErrNoEventContext)
	}
	return nil
}

type kvView struct {
	env  *env
	kv   *fakeKV
	name string
}

func (v *kvView) live(key string) (fakeKVEntry, bool) {
	e, ok := v.kv.entries[key]
	if ok && !e.expires.IsZero() && !time.Now().Before(e.expires) {
		delete(v.kv.entries, key)
		return e, false
	}
	return e, ok
}

func (v *kvView) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := v.env.checkEvent(ctx, fmt.Sprintf("KV %s get %q", v.name, key)); err != nil {
		return nil, false, err
	}
	v.kv.mu.Lock()
	defer v.kv.mu.Unlock()
	e, ok := v.live(key)
	if !ok {
		return nil, false, nil
	}
	return slices.Clone(e.value), true, nil
}

func (v *kvView) Put(ctx context.Context, key string, value []byte, opts *durable.KVPutOptions) error {
	what := fmt.Sprintf("KV %s put %q", v.name, key)
	if err := v.env.checkEvent(ctx, what); err != nil {
		return err
	}
	e := fakeKVEntry{value: slices.Clone(value)}
	if opts != nil {
		now := time.Now()
		switch {
		case !opts.Expiration.IsZero() && opts.Expiration.Before(now.Add(60*time.Second)):
			return fmt.Errorf("durable: %s: KV PUT failed: 400 Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", what, opts.Expiration.Unix())
		case opts.TTL != 0 && opts.TTL < 60*time.Second:
			return fmt.Errorf("durable: %s: KV PUT failed: 400 Invalid expiration_ttl of %d. Expiration TTL must be at least 60.", what, int64(opts.TTL/time.Second))
		case !opts.Expiration.IsZero():
			e.expires = time.Unix(opts.Expiration.Unix(), 0)
		case opts.TTL != 0:
			e.expires = time.Unix(now.Add(opts.TTL).Unix(), 0)
		}
		if opts.Metadata != nil {
			b, err := json.Marshal(opts.Metadata)
			if err != nil {
				return fmt.Errorf("durable: %s: metadata: %w", what, err)
			}
			e.metadata = b
		}
	}
	v.kv.mu.Lock()
	defer v.kv.mu.Unlock()
	v.kv.entries[key] = e
	return nil
}

func (v *kvView) Delete(ctx context.Context, key string) error {
	if err := v.env.checkEvent(ctx, fmt.Sprintf("KV %s delete %q", v.name, key)); err != nil {
		return err
	}
	v.kv.mu.Lock()
	defer v.kv.mu.Unlock()
	delete(v.kv.entries, key)
	return nil
}

func (v *kvView) List(ctx context.Context, opts *durable.KVListOptions) (durable.KVList, error) {
	if err := v.env.checkEvent(ctx, fmt.Sprintf("KV %s list", v.name)); err != nil {
		return durable.KVList{}, err
	}
	var o durable.KVListOptions
	if opts != nil {
		o = *opts
	}
	var after string
	var err error
	if o.Limit, after, err = pageStart(fmt.Sprintf("KV %s list", v.name), o.Limit, o.Cursor); err != nil {
		return durable.KVList{}, err
	}
	v.kv.mu.Lock()
	defer v.kv.mu.Unlock()
	var names []string
	for name := range v.kv.entries {
		if strings.HasPrefix(name, o.Prefix) && (o.Cursor == "" || name > after) {
			if _, ok := v.live(name); ok {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names) // Go compares strings by their bytes, as KV orders keys
	list := durable.KVList{Complete: len(names) <= o.Limit}
	if !list.Complete {
		names = names[:o.Limit]
		list.Cursor = pageCursor(names[len(names)-1])
	}
	for _, name := range names {
		e := v.kv.entries[name]
		list.Keys = append(list.Keys, durable.KVKey{Name: name, Expiration: e.expires, Metadata: slices.Clone(e.metadata)})
	}
	return list, nil
}
