package bridge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
)

// message is a request or response as plain data, the form it crosses the
// JavaScript boundary in.
type message struct {
	Method string // requests only
	URL    string // requests only
	Status int    // responses only
	Header [][2]string
	Body   []byte // nil: no body
}

// newRequest turns an incoming request message into the *http.Request a handler
// serves, the way net/http's server would fill it.
func newRequest(ctx context.Context, m message) (*http.Request, error) {
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
	req.ContentLength = int64(len(m.Body))
	req.RequestURI = req.URL.RequestURI()
	req.Host = req.URL.Host
	if ip := req.Header.Get("CF-Connecting-IP"); ip != "" {
		req.RemoteAddr = ip
	}
	return req, nil
}

// outgoingMessage turns a request a Go handler sends to a stub into plain data.
func outgoingMessage(req *http.Request) (message, error) {
	if req.URL == nil || !req.URL.IsAbs() {
		return message{}, fmt.Errorf("durable: stub Fetch needs an absolute URL (such as https://do/path), got %q", req.URL)
	}
	m := message{Method: req.Method, URL: req.URL.String(), Header: headerPairs(req.Header)}
	if m.Method == "" {
		m.Method = http.MethodGet
	}
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return message{}, fmt.Errorf("durable: reading request body: %w", err)
		}
		m.Body = b
	}
	return m, nil
}

// newResponse turns a response message from a stub into an *http.Response.
func newResponse(req *http.Request, m message) *http.Response {
	h := make(http.Header, len(m.Header))
	for _, kv := range m.Header {
		h.Add(kv[0], kv[1])
	}
	return &http.Response{
		Status:        strconv.Itoa(m.Status) + " " + http.StatusText(m.Status),
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

// logf reports panics and failed events; workerd shows it in its console.
var logf = log.Printf

// serve runs h on req and returns the response as plain data. A panic in h becomes
// a 500 for this request only; the panic and its stack go to the log (workerd's
// console).
func serve(h http.Handler, req *http.Request) (m message) {
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
	m = message{Status: rec.status, Header: headerPairs(rec.header)}
	if bodyAllowed(rec.status) {
		m.Body = rec.body.Bytes()
		if rec.header.Get("Content-Type") == "" && len(m.Body) > 0 && rec.header.Get("Content-Encoding") == "" {
			m.Header = append(m.Header, [2]string{"Content-Type", http.DetectContentType(m.Body)})
		}
	}
	return m
}

func textMessage(status int, text string) message {
	return message{
		Status: status,
		Header: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Content-Type-Options", "nosniff"}},
		Body:   []byte(text),
	}
}

// errorMessage reports an error that kept the handler from running at all.
func errorMessage(err error) message {
	logf("durable: %v", err)
	return textMessage(http.StatusInternalServerError, "Internal Server Error: "+strings.TrimPrefix(err.Error(), "durable: ")+"\n")
}
