package serving

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
)

// ChunkSize is how much body a streaming response buffers before it sends the
// headers and the bytes so far: a handler that writes less and does not flush
// is answered in one piece when it returns.
const ChunkSize = 64 << 10

// sniffLen is how much of the body Content-Type sniffing reads, as in net/http.
const sniffLen = 512

// A BodySink receives the body of a streamed response.
type BodySink interface {
	// Write sends one chunk; it may wait until the reader took it. p is not
	// kept after Write returns.
	Write(p []byte) error
	// Close ends the body: err nil closes it, otherwise the body is aborted
	// (the reader sees an error, not a short body).
	Close(err error)
}

// StartFunc begins a streamed response: it sends head (status and headers;
// its Body is nil) and returns where the body goes.
type StartFunc func(head Message) (BodySink, error)

// Serve runs h on req and returns the whole response as plain data: Flush
// does nothing. A panic in h becomes a 500 for this request only; the panic
// and its stack go to rep's log.
func Serve(h http.Handler, req *http.Request, rep Reporter) Message {
	m, _ := ServeStream(h, req, rep, nil)
	return m
}

// ServeStream runs h on req. A handler that returns having written less than
// ChunkSize bytes and never flushed gets its response returned whole, as
// Serve does (streamed is false). Otherwise, once the handler flushes (through
// http.Flusher or http.ResponseController) or has written ChunkSize bytes,
// start sends the headers and the body follows chunk by chunk while the
// handler runs; ServeStream then returns streamed true, after closing the
// body. The serving rules stay those of net/http's server: the headers are
// those at WriteHeader (or the first Write), a body is sniffed for a
// Content-Type when it has none, a HEAD response has no body, and a panic
// becomes a 500 when nothing was sent yet, or aborts the body when it was.
// start nil never streams.
func ServeStream(h http.Handler, req *http.Request, rep Reporter, start StartFunc) (m Message, streamed bool) {
	w := &writer{req: req, header: make(http.Header), start: start, rep: rep}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		stack := debug.Stack()
		if p != http.ErrAbortHandler {
			rep.Logf("durable: panic serving %s %s: %v\n%s", req.Method, req.URL.Path, p, stack)
		}
		if w.sink != nil {
			w.sink.Close(fmt.Errorf("the handler panicked after the response began: %v", p))
			m, streamed = Message{}, true
			return
		}
		m, streamed = rep.panicMessage(p, stack), false
	}()
	h.ServeHTTP(w, req)
	w.WriteHeader(http.StatusOK)
	if w.sink == nil && !w.failed() {
		return w.whole(), false
	}
	if w.sink != nil {
		if err := w.flush(); err != nil && w.err == nil {
			w.err = err
		}
		err := w.err
		if err == errRefused {
			err = nil
		}
		w.sink.Close(err)
	}
	return Message{}, true
}

// writer is the http.ResponseWriter given to handlers. It buffers the body
// until the handler flushes or has written ChunkSize bytes, then streams it.
type writer struct {
	req    *http.Request
	header http.Header
	sent   http.Header // header as it was at WriteHeader: later changes are not sent
	status int
	buf    []byte // body not sent yet (for HEAD: its first bytes, for sniffing)
	start  StartFunc
	sink   BodySink // set once the response is streamed
	err    error    // a failed write: the response is broken, later writes fail
	rep    Reporter
}

func (w *writer) Header() http.Header { return w.header }

func (w *writer) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return // informational responses are not forwarded
	}
	w.status = code
	w.sent = w.header.Clone()
}

func (w *writer) failed() bool { return w.err != nil }

func (w *writer) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.err != nil {
		return 0, w.err
	}
	if w.req.Method == http.MethodHead {
		// The headers describe the GET: keep what sniffing needs, drop the rest.
		if w.sink == nil && len(w.buf) < sniffLen {
			w.buf = append(w.buf, p[:min(len(p), sniffLen-len(w.buf))]...)
		}
		return len(p), nil
	}
	if w.start == nil || len(w.buf)+len(p) < ChunkSize {
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	if w.sink == nil {
		// The first chunk goes out with the headers, sniffed from it.
		w.buf = append(w.buf, p...)
		if err := w.flush(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return w.writeThrough(p)
}

// writeThrough sends what is buffered, then p, which is large enough to go
// out without a copy.
func (w *writer) writeThrough(p []byte) (int, error) {
	n := len(p)
	if err := w.flush(); err != nil {
		return 0, err
	}
	if len(p) > 0 {
		if err := w.sink.Write(p); err != nil {
			w.err = err
			return 0, err
		}
	}
	return n, nil
}

// Flush sends the headers, if they are not sent yet, and the body so far.
func (w *writer) Flush() { w.FlushError() }

// FlushError is Flush that reports a failure (http.ResponseController uses it).
func (w *writer) FlushError() error {
	if w.start == nil {
		return nil
	}
	w.WriteHeader(http.StatusOK)
	return w.flush()
}

// flush begins the stream if it has not begun, and sends the buffer.
func (w *writer) flush() error {
	if w.err != nil {
		return w.err
	}
	if w.sink == nil {
		if err := w.begin(); err != nil {
			w.err = err
			return err
		}
	}
	if len(w.buf) == 0 || w.req.Method == http.MethodHead || !bodyAllowed(w.status) {
		w.buf = w.buf[:0]
		return nil
	}
	err := w.sink.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = err
	}
	return err
}

// begin sends the headers, sniffed from the buffer.
func (w *writer) begin() error {
	head := w.head()
	if bad := w.badStatus(); bad != nil {
		head = w.rep.ErrorMessage(bad)
	}
	body := head.Body
	head.Body = nil
	sink, err := w.start(head)
	if err != nil {
		return fmt.Errorf("durable: sending the response: %w", err)
	}
	w.sink = sink
	if body != nil {
		// The handler's status could not be sent: answer the 500 and refuse
		// the handler's body.
		w.buf = w.buf[:0]
		if err := sink.Write(body); err != nil {
			return err
		}
		return errRefused
	}
	return nil
}

// errRefused fails the writes of a handler whose status was refused: its 500
// was sent instead, and ends normally.
var errRefused = errors.New("durable: the response status was refused; a 500 was sent instead (see the log)")

// WebSocketHeader names, in a response, the WebSocket a runtime keeps for it:
// a 101 response carries it (set by State.AcceptWebSocket, or by a stub fetch
// answered with a WebSocket), and the runtime removes it when it hands the
// socket over.
const WebSocketHeader = "X-Durable-Websocket"

func (w *writer) badStatus() error {
	if w.status == http.StatusSwitchingProtocols && w.sent.Get(WebSocketHeader) != "" {
		return nil
	}
	if w.status < 200 || w.status > 599 {
		// workerd's Response takes 200-599 only, and 101 with a WebSocket.
		return Public("the handler answered an invalid status", fmt.Errorf("%s %s: the handler answered status %d; a Worker's response status must be 200 to 599", w.req.Method, w.req.URL.Path, w.status))
	}
	return nil
}

// head is the response's status and headers, with a sniffed Content-Type when
// it has a body but no type.
func (w *writer) head() Message {
	m := Message{Status: w.status, Header: headerPairs(w.sent)}
	if bodyAllowed(w.status) && len(w.buf) > 0 && w.sent.Get("Content-Type") == "" && w.sent.Get("Content-Encoding") == "" {
		m.Header = append(m.Header, [2]string{"Content-Type", http.DetectContentType(w.buf)})
	}
	return m
}

// whole is the response of a handler that returned before anything was sent.
func (w *writer) whole() Message {
	if err := w.badStatus(); err != nil {
		return w.rep.ErrorMessage(err)
	}
	m := w.head()
	if bodyAllowed(w.status) && w.req.Method != http.MethodHead {
		if len(w.buf) > 0 {
			m.Body = w.buf
		}
	}
	return m
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusResetContent && status != http.StatusNotModified
}
