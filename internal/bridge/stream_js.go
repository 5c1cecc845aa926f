//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall/js"
)

// inlineBody is the largest body of known length that crosses the boundary
// whole (one copy, one wait); runtime.mjs uses the same bound. Larger bodies,
// and bodies of unknown length, are streamed.
const inlineBody = 64 << 10

// errBodyClosed is what reading a body closed before its end returns.
var errBodyClosed = errors.New("durable: read on a closed body")

// jsBody is a body that is a JavaScript ReadableStream of c: each Read takes
// the next chunk from its reader (awaited in c), so a body is read on demand
// and one left unread costs nothing; Close cancels what is left.
type jsBody struct {
	c      *ioContext
	ctx    context.Context
	stream js.Value

	mu     sync.Mutex
	reader js.Value // set by the first read
	window js.Value // the Uint8Array JavaScript copies each read into
	err    error    // io.EOF at the end, errBodyClosed, or a read's failure
	taken  bool     // handed on whole to JavaScript (see take)
}

func newJSBody(c *ioContext, ctx context.Context, stream js.Value) *jsBody {
	return &jsBody{c: c, ctx: ctx, stream: stream}
}

// Read waits for the next bytes, at most len(p) and inlineBody. JavaScript
// copies them into the body's window, which Go copies from: Go never holds a
// chunk, which syscall/js would free only when Go's collector runs.
func (b *jsBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	max := min(len(p), inlineBody)
	for {
		v, err := b.c.await(b.ctx, func() (js.Value, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.err != nil {
				return js.Undefined(), b.err
			}
			if b.reader.IsUndefined() {
				r, err := call(b.stream, "getReader")
				if err != nil {
					return js.Undefined(), err
				}
				b.reader = r
				b.window = uint8Array.New(inlineBody)
			}
			return call(host, "read", b.reader, b.window, max)
		})
		b.mu.Lock()
		if b.err != nil { // closed meanwhile
			err = b.err
		}
		if err != nil {
			if b.err == nil {
				b.err = fmt.Errorf("durable: reading a body: %w", err)
			}
			err = b.err
			b.mu.Unlock()
			return 0, err
		}
		n := v.Int()
		if n < 0 {
			b.err = io.EOF
			b.mu.Unlock()
			return 0, io.EOF
		}
		if n > 0 {
			js.CopyBytesToGo(p[:n], b.window)
		}
		b.mu.Unlock()
		if n > 0 {
			return n, nil
		}
	}
}

// Close cancels the stream when it was not read to its end, so the sender
// stops; a body read to its end, or handed on, is left alone.
func (b *jsBody) Close() error {
	b.mu.Lock()
	if b.err != nil || b.taken {
		b.mu.Unlock()
		return nil
	}
	b.err = errBodyClosed
	target := b.reader
	if target.IsUndefined() {
		target = b.stream
	}
	b.mu.Unlock()
	b.c.run(func() error { host.Call("cancel", target); return nil })
	return nil
}

// take hands the stream on whole, to be sent on by c, when nothing read it
// yet: a handler that forwards its request body to a stub then costs Go
// nothing. Reads then fail.
func (b *jsBody) take(c *ioContext) (js.Value, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != c || b.err != nil || b.taken || !b.reader.IsUndefined() {
		return js.Undefined(), false
	}
	b.taken = true
	b.err = errors.New("durable: this body was sent on as a whole and cannot be read")
	return b.stream, true
}

// jsSink streams a body into the writer of a JavaScript TransformStream of c,
// whose readable side is a response's (or a request's) body. Each write waits
// until the reader took the chunk, so no more than one chunk is held.
type jsSink struct {
	c      *ioContext
	ctx    context.Context
	writer js.Value
	window js.Value // Go copies each chunk here; JavaScript copies it out

	ended  bool
	endErr error
}

// newPipe makes a TransformStream in c and returns its readable side and a
// sink into its writable side; it runs in c.
func newPipe(c *ioContext, ctx context.Context) (js.Value, *jsSink, error) {
	pipe, err := call(host, "pipe")
	if err != nil {
		return js.Undefined(), nil, err
	}
	sink := &jsSink{c: c, ctx: ctx, writer: pipe.Get("writer"), window: uint8Array.New(inlineBody)}
	return pipe.Get("readable"), sink, nil
}

// Write sends p a window at a time: Go copies into the window, JavaScript
// copies out of it into a chunk of its own (so Go holds no chunk) and writes
// that.
func (s *jsSink) Write(p []byte) error {
	for len(p) > 0 {
		n := js.CopyBytesToJS(s.window, p[:min(len(p), inlineBody)])
		p = p[n:]
		_, err := s.c.await(s.ctx, func() (js.Value, error) { return call(host, "write", s.writer, s.window, n) })
		if err != nil {
			return fmt.Errorf("durable: sending a body: %w", err)
		}
	}
	return nil
}

// Close records how the body ends; end sends it, in the same call into c that
// ends the event, while the body is still open and so the event alive.
func (s *jsSink) Close(err error) { s.ended, s.endErr = true, err }

// end closes the stream, or aborts it with endErr; it runs in c.
func (s *jsSink) end() {
	if s.endErr != nil {
		host.Call("end", s.writer, s.endErr.Error())
	} else {
		host.Call("end", s.writer)
	}
}

// pipeToJS copies r into sink, then closes the stream (or aborts it when
// reading r fails) and r. It runs on its own goroutine while a stub fetch
// sends the stream.
func pipeToJS(r io.ReadCloser, sink *jsSink) {
	defer r.Close()
	buf := make([]byte, inlineBody)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := sink.Write(buf[:n]); werr != nil {
				sink.endErr = werr
				break
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			sink.endErr = err
			break
		}
	}
	sink.c.run(func() error { sink.end(); return nil })
}
