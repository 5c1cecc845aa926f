package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Workers KV limits (https://developers.cloudflare.com/kv/platform/limits/):
// a longer key or a larger value fails with [ErrKVLimit] before anything is
// sent.
const (
	MaxKVKeyBytes   = 512
	MaxKVValueBytes = 25 << 20
)

// ErrKVLimit is matched by the error of a [KVNamespace] call whose key or
// value is over Workers KV's limits.
var ErrKVLimit = errors.New("durable: over a Workers KV limit")

// workersKVRuntime is what [Env.KV] needs of a runtime's Env.
type workersKVRuntime interface {
	WorkersKV(binding string) (any, error) // a kvNamespaceRuntime
}

type kvNamespaceRuntime interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, opts *KVPutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, opts *KVListOptions) (KVList, error)
}

// KV returns the Workers KV namespace bound under the given name
// (kv_namespaces[].binding in wrangler.jsonc). It fails with [ErrNoBinding]
// when there is no such binding, or when the binding is of another kind.
// (Not to be confused with [Storage.KV], an object's own key-value storage.)
func (e Env) KV(binding string) (KVNamespace, error) {
	impl, err := bindingOf(e, "Workers KV", binding, workersKVRuntime.WorkersKV)
	if err != nil {
		return KVNamespace{}, err
	}
	return KVNamespace{impl: impl.(kvNamespaceRuntime)}, nil
}

// KVNamespace is a Workers KV namespace: a global, eventually consistent
// key-value store shared by every Worker bound to it. Get it from [Env.KV];
// the zero KVNamespace is not usable.
//
// Every call takes the context of the event it serves (r.Context() in a
// handler, the ctx of an Alarm, Scheduled or Queue handler): on workerd the
// call runs in that event's I/O context. An object's env may be used with any
// context; the front handler's needs the request's, else the call fails with
// [ErrNoEventContext].
type KVNamespace struct{ impl kvNamespaceRuntime }

// KVPutOptions tune [KVNamespace.Put]; nil means none.
type KVPutOptions struct {
	// Expiration, when not zero, is when the key expires (at least 60
	// seconds ahead).
	Expiration time.Time
	// TTL, when not zero, is how long the key lives (at least 60 seconds).
	TTL time.Duration
	// Metadata is stored with the key and returned by List; it is encoded
	// with encoding/json (at most 1024 bytes).
	Metadata any
}

// KVListOptions tune [KVNamespace.List]; nil means none.
type KVListOptions struct {
	Prefix string // only keys with this prefix
	Limit  int    // at most this many keys (0: 1000, the most)
	Cursor string // from the previous page's KVList.Cursor
}

// KVList is one page of a listing.
type KVList struct {
	Keys []KVKey
	// Complete reports the last page; otherwise Cursor fetches the next.
	Complete bool
	Cursor   string
}

// KVKey is one key of a listing.
type KVKey struct {
	Name       string
	Expiration time.Time       // zero when the key does not expire
	Metadata   json.RawMessage // nil when the key has none
}

// Get returns the value of key and whether it exists.
func (n KVNamespace) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := checkKVKey(key); err != nil {
		return nil, false, err
	}
	return n.runtime().Get(ctx, key)
}

// Put stores value under key.
func (n KVNamespace) Put(ctx context.Context, key string, value []byte, opts *KVPutOptions) error {
	if err := checkKVKey(key); err != nil {
		return err
	}
	if len(value) > MaxKVValueBytes {
		return fmt.Errorf("%w: the value for key %q is %d bytes; Workers KV takes at most %d (store larger values in R2)", ErrKVLimit, key, len(value), MaxKVValueBytes)
	}
	return n.runtime().Put(ctx, key, value, opts)
}

// Delete removes key; deleting a key that does not exist is no error.
func (n KVNamespace) Delete(ctx context.Context, key string) error {
	if err := checkKVKey(key); err != nil {
		return err
	}
	return n.runtime().Delete(ctx, key)
}

// List returns a page of keys in lexicographic order of their UTF-8 bytes.
func (n KVNamespace) List(ctx context.Context, opts *KVListOptions) (KVList, error) {
	return n.runtime().List(ctx, opts)
}

func checkKVKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: the key is empty", ErrKVLimit)
	case len(key) > MaxKVKeyBytes:
		return fmt.Errorf("%w: key %.40q… is %d bytes; Workers KV takes at most %d", ErrKVLimit, key, len(key), MaxKVKeyBytes)
	}
	return nil
}

func (n KVNamespace) runtime() kvNamespaceRuntime {
	if n.impl == nil {
		panic("durable: zero KVNamespace; use Env.KV")
	}
	return n.impl
}
