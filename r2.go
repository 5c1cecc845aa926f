package durable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxR2KeyBytes is R2's limit on the length of an object key: a longer key
// fails with [ErrR2Limit] before anything is sent.
const MaxR2KeyBytes = 1024

// ErrR2Limit is matched by the error of a [Bucket] call over one of R2's
// limits.
var ErrR2Limit = errors.New("durable: over an R2 limit")

type r2Runtime interface {
	Bucket(binding string) (any, error) // a bucketRuntime
}

type bucketRuntime interface {
	Get(ctx context.Context, key string) (*R2Object, bool, error)
	Put(ctx context.Context, key string, body io.Reader, size int64, opts *R2PutOptions) (*R2Object, error)
	Delete(ctx context.Context, keys []string) error
	List(ctx context.Context, opts *R2ListOptions) (R2List, error)
}

// Bucket returns the R2 bucket bound under the given name
// (r2_buckets[].binding in wrangler.jsonc). It fails with [ErrNoBinding]
// when there is no such binding, or when the binding is of another kind.
func (e Env) Bucket(binding string) (Bucket, error) {
	impl, err := bindingOf(e, "R2", binding, r2Runtime.Bucket)
	if err != nil {
		return Bucket{}, err
	}
	return Bucket{impl: impl.(bucketRuntime)}, nil
}

// Bucket is an R2 bucket: object storage for large values, read and written
// as streams. Get it from [Env.Bucket]; the zero Bucket is not usable.
//
// Every call takes the context of the event it serves, as [KVNamespace]'s
// do; a body being read or written belongs to that event too.
type Bucket struct{ impl bucketRuntime }

// R2Object is an object's metadata and, from [Bucket.Get], its body.
type R2Object struct {
	Key            string
	Size           int64
	ETag           string
	Uploaded       time.Time
	ContentType    string            // the HTTP Content-Type stored with it
	CustomMetadata map[string]string // nil when it has none

	// Body is the object's content, streamed as it is read, from
	// [Bucket.Get] only; close it when done.
	Body io.ReadCloser
}

// R2PutOptions tune [Bucket.Put]; nil means none.
type R2PutOptions struct {
	ContentType    string
	CustomMetadata map[string]string
	// Size is the body's length, when the caller knows it: R2 takes a
	// streamed body only of known length. A body with a Len method
	// (*bytes.Reader, *bytes.Buffer, *strings.Reader) tells its own. A body
	// of unknown length is read into memory before it is sent.
	Size int64
}

// R2ListOptions tune [Bucket.List]; nil means none.
type R2ListOptions struct {
	Prefix string
	// Delimiter, such as "/", groups the keys that go on past it after the
	// prefix into R2List.DelimitedPrefixes, as folders.
	Delimiter string
	Limit     int // at most this many objects (0: 1000, the most)
	Cursor    string
}

// R2List is one page of a listing.
type R2List struct {
	Objects           []R2Object // without bodies
	DelimitedPrefixes []string
	// Truncated reports that there is more: Cursor fetches the next page.
	Truncated bool
	Cursor    string
}

// Get returns the object stored under key, with its body, and whether it
// exists.
func (b Bucket) Get(ctx context.Context, key string) (*R2Object, bool, error) {
	if err := checkR2Key(key); err != nil {
		return nil, false, err
	}
	return b.runtime().Get(ctx, key)
}

// Put stores body under key, replacing any object there, and returns the new
// object's metadata.
func (b Bucket) Put(ctx context.Context, key string, body io.Reader, opts *R2PutOptions) (*R2Object, error) {
	if err := checkR2Key(key); err != nil {
		return nil, err
	}
	size := int64(-1)
	if opts != nil && opts.Size > 0 {
		size = opts.Size
	} else if l, ok := body.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	return b.runtime().Put(ctx, key, body, size, opts)
}

// Delete removes the objects stored under keys (at most 1000); a key with no
// object is no error.
func (b Bucket) Delete(ctx context.Context, keys ...string) error {
	if len(keys) > 1000 {
		return fmt.Errorf("%w: Delete takes at most 1000 keys, got %d", ErrR2Limit, len(keys))
	}
	for _, k := range keys {
		if err := checkR2Key(k); err != nil {
			return err
		}
	}
	return b.runtime().Delete(ctx, keys)
}

// List returns a page of objects in lexicographic order of their keys.
func (b Bucket) List(ctx context.Context, opts *R2ListOptions) (R2List, error) {
	return b.runtime().List(ctx, opts)
}

func checkR2Key(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: the key is empty", ErrR2Limit)
	case len(key) > MaxR2KeyBytes:
		return fmt.Errorf("%w: key %.40q… is %d bytes; R2 takes at most %d", ErrR2Limit, key, len(key), MaxR2KeyBytes)
	}
	return nil
}

func (b Bucket) runtime() bucketRuntime {
	if b.impl == nil {
		panic("durable: zero Bucket; use Env.Bucket")
	}
	return b.impl
}
