package durabletest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
)

// fakeBucket is an in-memory R2 bucket: objects with R2's metadata (the ETag
// an MD5 of the content, as R2's for single-part uploads), listed in key
// order with delimiters and paging.
type fakeBucket struct {
	mu      sync.Mutex
	objects map[string]*fakeObject
}

type fakeObject struct {
	meta durable.R2Object
	data []byte
}

func newFakeBuckets(bindings []string) map[string]*fakeBucket {
	m := make(map[string]*fakeBucket, len(bindings))
	for _, b := range bindings {
		m[b] = &fakeBucket{objects: make(map[string]*fakeObject)}
	}
	return m
}

// Bucket returns the fake bucket bound under binding.
func (e *env) Bucket(binding string) (any, error) {
	b, ok := e.rt.buckets[binding]
	if !ok {
		return nil, serving.BindingError(binding, "an R2 bucket", "r2_buckets", e.bound(binding))
	}
	return &bucketView{env: e, b: b, name: binding}, nil
}

type bucketView struct {
	env  *env
	b    *fakeBucket
	name string
}

func (v *bucketView) check(ctx context.Context, op, key string) error {
	return v.env.checkEvent(ctx, fmt.Sprintf("R2 %s %s %q", v.name, op, key))
}

func (v *bucketView) Get(ctx context.Context, key string) (*durable.R2Object, bool, error) {
	if err := v.check(ctx, "get", key); err != nil {
		return nil, false, err
	}
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	o, ok := v.b.objects[key]
	if !ok {
		return nil, false, nil
	}
	obj := o.meta
	obj.CustomMetadata = maps.Clone(o.meta.CustomMetadata)
	obj.Body = io.NopCloser(bytes.NewReader(o.data))
	return &obj, true, nil
}

func (v *bucketView) Put(ctx context.Context, key string, body io.Reader, size int64, opts *durable.R2PutOptions) (*durable.R2Object, error) {
	if err := v.check(ctx, "put", key); err != nil {
		return nil, err
	}
	if size >= 0 {
		body = io.LimitReader(body, size)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("durable: R2 %s put %q: reading the body: %w", v.name, key, err)
	}
	if size >= 0 && int64(len(data)) != size {
		return nil, fmt.Errorf("durable: R2 %s put %q: the body has %d bytes, not the %d its size says", v.name, key, len(data), size)
	}
	sum := md5.Sum(data)
	meta := durable.R2Object{Key: key, Size: int64(len(data)), ETag: hex.EncodeToString(sum[:]), Uploaded: time.Now().Truncate(time.Millisecond)}
	if opts != nil {
		meta.ContentType = opts.ContentType
		if len(opts.CustomMetadata) > 0 {
			meta.CustomMetadata = maps.Clone(opts.CustomMetadata)
		}
	}
	v.b.mu.Lock()
	v.b.objects[key] = &fakeObject{meta: meta, data: data}
	v.b.mu.Unlock()
	out := meta
	out.CustomMetadata = maps.Clone(meta.CustomMetadata)
	return &out, nil
}

func (v *bucketView) Delete(ctx context.Context, keys []string) error {
	if err := v.check(ctx, "delete", fmt.Sprint(keys)); err != nil {
		return err
	}
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	for _, k := range keys {
		delete(v.b.objects, k)
	}
	return nil
}

func (v *bucketView) List(ctx context.Context, opts *durable.R2ListOptions) (durable.R2List, error) {
	if err := v.check(ctx, "list", ""); err != nil {
		return durable.R2List{}, err
	}
	var o durable.R2ListOptions
	if opts != nil {
		o = *opts
	}
	var after string
	var err error
	if o.Limit, after, err = pageStart(fmt.Sprintf("R2 %s list", v.name), o.Limit, o.Cursor); err != nil {
		return durable.R2List{}, err
	}
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	keys := slices.Sorted(maps.Keys(v.b.objects))
	var list durable.R2List
	seen := map[string]bool{}
	n := 0
	for _, k := range keys {
		if !strings.HasPrefix(k, o.Prefix) || (o.Cursor != "" && k <= after) {
			continue
		}
		// A key past the delimiter belongs to its folder, listed once.
		if o.Delimiter != "" {
			if i := strings.Index(k[len(o.Prefix):], o.Delimiter); i >= 0 {
				p := k[:len(o.Prefix)+i+len(o.Delimiter)]
				if seen[p] {
					continue
				}
				if n == o.Limit {
					list.Truncated = true
					break
				}
				seen[p] = true
				list.DelimitedPrefixes = append(list.DelimitedPrefixes, p)
				n++
				after = p + "\xff" // past every key in the folder
				continue
			}
		}
		if n == o.Limit {
			list.Truncated = true
			break
		}
		meta := v.b.objects[k].meta
		meta.CustomMetadata = maps.Clone(meta.CustomMetadata)
		list.Objects = append(list.Objects, meta)
		n++
		after = k
	}
	if list.Truncated {
		list.Cursor = pageCursor(after)
	}
	return list, nil
}
