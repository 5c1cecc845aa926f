//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"io"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// R2 (durable.Bucket): each call awaits the bucket's promise in the event's
// context. Bodies stream: a Get's body is read on demand like a request body
// (jsBody); a Put of known length is written into a FixedLengthStream (R2
// takes a stream only of known length) chunk by chunk.

func (e *env) Bucket(binding string) (any, error) {
	v, err := e.binding(binding, "createMultipartUpload", "an R2 bucket", "r2_buckets")
	if err != nil {
		return nil, err
	}
	return &bucket{env: e, v: v, name: binding}, nil
}

type bucket struct {
	env  *env
	v    js.Value
	name string
}

func (b *bucket) context(ctx context.Context, op, key string) (*ioContext, string, error) {
	what := fmt.Sprintf("R2 %s %s %q", b.name, op, key)
	c, err := b.env.contextFor(ctx, what)
	return c, what, err
}

func (b *bucket) Get(ctx context.Context, key string) (*durable.R2Object, bool, error) {
	c, what, err := b.context(ctx, "get", key)
	if err != nil {
		return nil, false, err
	}
	v, err := c.await(ctx, func() (js.Value, error) { return call(host, "r2Get", b.v, key) })
	if err != nil {
		return nil, false, fmt.Errorf("durable: %s: %w", what, err)
	}
	if v.IsNull() {
		return nil, false, nil
	}
	obj := r2ObjectFromJS(v)
	obj.Body = newJSBody(c, ctx, v.Get("stream"))
	return obj, true, nil
}

func (b *bucket) Put(ctx context.Context, key string, body io.Reader, size int64, opts *durable.R2PutOptions) (*durable.R2Object, error) {
	c, what, err := b.context(ctx, "put", key)
	if err != nil {
		return nil, err
	}
	if err := c.checkCanWait(); err != nil {
		return nil, fmt.Errorf("durable: %s: %w", what, err)
	}
	var whole []byte
	if size < 0 || size <= inlineBody {
		// Of unknown length (R2 would refuse the stream) or small: whole.
		if size >= 0 {
			body = io.LimitReader(body, size)
		}
		if whole, err = io.ReadAll(body); err != nil {
			return nil, fmt.Errorf("durable: %s: reading the body: %w", what, err)
		}
		if size >= 0 && int64(len(whole)) != size {
			return nil, fmt.Errorf("durable: %s: the body has %d bytes, not the %d its size says", what, len(whole), size)
		}
	}
	o := js.Global().Get("Object").New()
	if opts != nil {
		if opts.ContentType != "" {
			o.Set("contentType", opts.ContentType)
		}
		if opts.CustomMetadata != nil {
			m := js.Global().Get("Object").New()
			for k, v := range opts.CustomMetadata {
				m.Set(k, v)
			}
			o.Set("customMetadata", m)
		}
	}
	var sink *jsSink
	v, err := c.await(ctx, func() (js.Value, error) {
		if whole != nil {
			return call(host, "r2Put", b.v, key, bytesToJS(whole), o)
		}
		pipe, err := call(host, "r2Pipe", size)
		if err != nil {
			return js.Undefined(), err
		}
		sink = &jsSink{c: c, ctx: ctx, writer: pipe.Get("writer"), window: uint8Array.New(inlineBody)}
		go pipeToJS(io.NopCloser(io.LimitReader(body, size)), sink)
		return call(host, "r2Put", b.v, key, pipe.Get("readable"), o)
	})
	if err != nil {
		if sink != nil {
			c.run(func() error { host.Call("end", sink.writer, err.Error()); return nil })
		}
		return nil, fmt.Errorf("durable: %s: %w", what, err)
	}
	return r2ObjectFromJS(v), nil
}

func (b *bucket) Delete(ctx context.Context, keys []string) error {
	c, what, err := b.context(ctx, "delete", fmt.Sprint(keys))
	if err != nil {
		return err
	}
	list := make([]any, len(keys))
	for i, k := range keys {
		list[i] = k
	}
	if _, err := c.await(ctx, func() (js.Value, error) { return call(host, "r2Delete", b.v, list) }); err != nil {
		return fmt.Errorf("durable: %s: %w", what, err)
	}
	return nil
}

func (b *bucket) List(ctx context.Context, opts *durable.R2ListOptions) (durable.R2List, error) {
	c, what, err := b.context(ctx, "list", "")
	if err != nil {
		return durable.R2List{}, err
	}
	o := js.Global().Get("Object").New()
	if opts != nil {
		for k, v := range map[string]string{"prefix": opts.Prefix, "delimiter": opts.Delimiter, "cursor": opts.Cursor} {
			if v != "" {
				o.Set(k, v)
			}
		}
		if opts.Limit > 0 {
			o.Set("limit", opts.Limit)
		}
	}
	v, err := c.await(ctx, func() (js.Value, error) { return call(host, "r2List", b.v, o) })
	if err != nil {
		return durable.R2List{}, fmt.Errorf("durable: %s: %w", what, err)
	}
	list := durable.R2List{Truncated: v.Get("truncated").Truthy(), Cursor: stringOr(v.Get("cursor"))}
	objs := v.Get("objects")
	for i := range objs.Length() {
		list.Objects = append(list.Objects, *r2ObjectFromJS(objs.Index(i)))
	}
	prefixes := v.Get("prefixes")
	for i := range prefixes.Length() {
		list.DelimitedPrefixes = append(list.DelimitedPrefixes, prefixes.Index(i).String())
	}
	return list, nil
}

func r2ObjectFromJS(v js.Value) *durable.R2Object {
	obj := &durable.R2Object{
		Key:         v.Get("key").String(),
		Size:        int64(v.Get("size").Float()),
		ETag:        stringOr(v.Get("etag")),
		Uploaded:    time.UnixMilli(int64(v.Get("uploaded").Float())),
		ContentType: stringOr(v.Get("contentType")),
	}
	custom := v.Get("custom")
	for i := range custom.Length() {
		if obj.CustomMetadata == nil {
			obj.CustomMetadata = map[string]string{}
		}
		pair := custom.Index(i)
		obj.CustomMetadata[pair.Index(0).String()] = pair.Index(1).String()
	}
	return obj
}
