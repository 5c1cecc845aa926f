// Package serving holds what both runtimes do the same way when they serve an
// object: constructing it, turning requests and responses into plain data and
// back, and running a handler with panics turned into 500 responses. The workerd
// runtime (internal/bridge) moves that data across the JavaScript boundary; the
// native runtime (durabletest) hands it from one object to another in process.
package serving

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

// Message is a request or response as plain data, the form it crosses the
// JavaScript boundary in.
type Message struct {
	Method string      // requests only
	URL    string      // requests only
	Status int         // responses only
	Header [][2]string // name-value pairs, in order; a name may repeat
	Body   []byte      // nil: no body
}

// NewRequest turns an incoming request Message into the *http.Request a handler
// serves, the way net/http's server would fill it.
func NewRequest(ctx context.Context, m Message) (*http.Request, error) {
	var body io.Reader = http.NoBody
	if m.Body != nil {
		body = bytes.NewReader(m.Body)
	}
	req, err := http.NewRequestWithContext(ctx, m.Method, m.URL, body)
	if err != nil {
		return nil, fmt.Errorf("bad request from workerd: %w", err)
	}
	for _, kv := range m.Header {
		req.Header.Add(kv[0], kv[1])
	}
	// As net/http's server does, the Host header becomes Request.Host only.
	req.Header.Del("Host")
	req.ContentLength = int64(len(m.Body))
	req.RequestURI = req.URL.RequestURI()
	req.Host = req.URL.Host
	if ip := req.Header.Get("CF-Connecting-IP"); ip != "" {
		req.RemoteAddr = ip
	}
	return req, nil
}

// OutgoingMessage turns a request a Go handler sends to a stub into plain data.
func OutgoingMessage(req *http.Request) (Message, error) {
	if req.URL == nil || !req.URL.IsAbs() {
		return Message{}, fmt.Errorf("durable: stub Fetch needs an absolute URL (such as https://do/path), got %q", req.URL)
	}
	m := Message{Method: req.Method, URL: req.URL.String(), Header: headerPairs(req.Header)}
	if m.Method == "" {
		m.Method = http.MethodGet
	}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return Message{}, fmt.Errorf("durable: reading request body: %w", err)
		}
		m.Body = b
	}
	return m, nil
}

// NewResponse turns a response Message from a stub into an *http.Response.
func NewResponse(req *http.Request, m Message) *http.Response {
	h := make(http.Header, len(m.Header))
	for _, kv := range m.Header {
		h.Add(kv[0], kv[1])
	}
	status := strconv.Itoa(m.Status)
	if text := http.StatusText(m.Status); text != "" {
		status += " " + text
	}
	return &http.Response{
		Status:        status,
		StatusCode:    m.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(m.Body)),
		ContentLength: int64(len(m.Body)),
		Request:       req,
	}
}

func headerPairs(h http.Header) [][2]string {
	pairs := make([][2]string, 0, len(h))
	for k, vs := range h {
		for _, v := range vs {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	return pairs
}

// recorder is the http.ResponseWriter given to handlers: it buffers the response,
// which is handed to workerd whole when the handler returns.
type recorder struct {
	header http.Header
	sent   http.Header // header as it was at WriteHeader: later changes are not sent
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return // informational responses are not forwarded
	}
	r.status = code
	r.sent = r.header.Clone()
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	if !bodyAllowed(r.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return r.body.Write(p)
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusResetContent && status != http.StatusNotModified
}

// Serve runs h on req and returns the response as plain data. A panic in h becomes
// a 500 for this request only; the panic and its stack go to logf (workerd's
// console, or the test's log).
func Serve(h http.Handler, req *http.Request, logf func(format string, args ...any)) (m Message) {
	rec := &recorder{header: make(http.Header)}
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				logf("durable: panic serving %s %s: %v\n%s", req.Method, req.URL.Path, p, debug.Stack())
			}
			m = textMessage(http.StatusInternalServerError, "Internal Server Error\n")
		}
	}()
	h.ServeHTTP(rec, req)
	rec.WriteHeader(http.StatusOK)
	if rec.status < 200 || rec.status > 599 {
		// workerd's Response takes 200-599 only (101 with a WebSocket, which the
		// SDK does not offer yet).
		return ErrorMessage(fmt.Errorf("%s %s: the handler answered status %d; a Worker's response status must be 200 to 599", req.Method, req.URL.Path, rec.status), logf)
	}
	m = Message{Status: rec.status, Header: headerPairs(rec.sent)}
	if bodyAllowed(rec.status) {
		m.Body = rec.body.Bytes()
		if rec.sent.Get("Content-Type") == "" && len(m.Body) > 0 && rec.sent.Get("Content-Encoding") == "" {
			m.Header = append(m.Header, [2]string{"Content-Type", http.DetectContentType(m.Body)})
		}
	}
	if req.Method == http.MethodHead {
		m.Body = nil // as net/http's server does: the headers describe the GET
	}
	return m
}

func textMessage(status int, text string) Message {
	return Message{
		Status: status,
		Header: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}},
		Body:   []byte(text),
	}
}

// ErrorMessage logs an error that kept the handler from running at all and
// returns the 500 that reports it.
func ErrorMessage(err error, logf func(format string, args ...any)) Message {
	logf("durable: %v", err)
	return textMessage(http.StatusInternalServerError, "Internal Server Error: "+strings.TrimPrefix(err.Error(), "durable: ")+"\n")
}

// BuildFront builds a Worker's front handler: a nil Front, or a nil handler, is
// http.NotFoundHandler; a panic becomes an error.
func BuildFront(front func(durable.Env) http.Handler, env durable.Env) (h http.Handler, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("durable: building the front handler: Worker.Front panicked: %v", p)
		}
	}()
	if front != nil {
		h = front(env)
	}
	if h == nil {
		h = http.NotFoundHandler()
	}
	return h, nil
}

// Construct runs a constructor, turning a panic or a nil object into an error.
func Construct(ctor durable.Constructor, s durable.State, e durable.Env) (obj durable.Object, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("constructor panicked: %v", p)
		}
	}()
	obj, err = ctor(s, e)
	if err == nil && obj == nil {
		err = errors.New("constructor returned a nil object")
	}
	return obj, err
}
