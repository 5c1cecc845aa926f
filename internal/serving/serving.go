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
	"net"
	"net/http"
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
	Body   []byte      // nil: no body (unless Stream is set)

	// Stream, when not nil, is the body, read on demand; Body is then unused.
	// Its length is the Content-Length header's, or unknown.
	Stream io.ReadCloser
}

// streamLength is the length of a streamed body: its Content-Length, or -1.
func streamLength(header [][2]string) int64 {
	for _, kv := range header {
		if strings.EqualFold(kv[0], "Content-Length") {
			if n, err := strconv.ParseInt(strings.TrimSpace(kv[1]), 10, 64); err == nil && n >= 0 {
				return n
			}
		}
	}
	return -1
}

// NewRequest turns an incoming request Message into the *http.Request a handler
// serves, the way net/http's server would fill it.
func NewRequest(ctx context.Context, m Message) (*http.Request, error) {
	var body io.Reader = http.NoBody
	length := int64(len(m.Body))
	switch {
	case m.Stream != nil:
		body, length = m.Stream, streamLength(m.Header)
	case m.Body != nil:
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
	req.ContentLength = length
	req.RequestURI = req.URL.RequestURI()
	req.Host = req.URL.Host
	// As net/http's server does, RemoteAddr is "ip:port", so that
	// net.SplitHostPort works; workerd tells the address but not the port.
	if ip := req.Header.Get("CF-Connecting-IP"); ip != "" {
		req.RemoteAddr = net.JoinHostPort(ip, "0")
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

// OutgoingStream is OutgoingMessage for a runtime that can stream: a body whose
// length is known and at most inline bytes is read into Body; any other body
// is left in Stream, to be read as it is sent.
func OutgoingStream(req *http.Request, inline int64) (Message, error) {
	if req.Body == nil || req.Body == http.NoBody || (req.ContentLength > 0 && req.ContentLength <= inline) {
		return OutgoingMessage(req)
	}
	body := req.Body
	req.Body = nil // read by the stream alone
	m, err := OutgoingMessage(req)
	req.Body = body
	if err != nil {
		return m, err
	}
	m.Stream = body
	return m, nil
}

// NewResponse turns a response Message from a stub into an *http.Response.
func NewResponse(req *http.Request, m Message) *http.Response {
	body, length := io.NopCloser(bytes.NewReader(m.Body)), int64(len(m.Body))
	if m.Stream != nil {
		body, length = m.Stream, streamLength(m.Header)
	}
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
		Body:          body,
		ContentLength: length,
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

func textMessage(status int, text string) Message {
	return Message{
		Status: status,
		Header: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}},
		Body:   []byte(text),
	}
}

// BuildFront builds a Worker's front handler: a nil Front, or a nil handler, is
// http.NotFoundHandler; a panic becomes an error.
func BuildFront(front func(durable.Env) http.Handler, env durable.Env) (h http.Handler, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Public("the Worker's front handler could not be built", fmt.Errorf("durable: building the front handler: Worker.Front panicked: %v", p))
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
// Its errors tell a caller only that the object could not be constructed: the
// constructor's own error is for the log.
func Construct(ctor durable.Constructor, s durable.State, e durable.Env) (obj durable.Object, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("constructor panicked: %v", p)
		}
		if err != nil {
			obj, err = nil, Public("the Durable Object could not be constructed", err)
		}
	}()
	obj, err = ctor(s, e)
	if err == nil && obj == nil {
		err = errors.New("constructor returned a nil object")
	}
	return obj, err
}

// ErrFrontStubContext is the error of a stub fetch made by the front handler
// with a request whose context is not the one of the request being served:
// on workerd the fetch must run in that request's I/O context, which the
// context carries. Both runtimes refuse it the same way.
var ErrFrontStubContext = errors.New("the request's context does not come from the front request being served: build it with http.NewRequestWithContext(r.Context(), ...)")
