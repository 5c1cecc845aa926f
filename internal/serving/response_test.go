package serving

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fakeSink records a streamed response.
type fakeSink struct {
	head   *Message
	chunks [][]byte
	closed bool
	err    error // Close's argument
	fail   error // what Write returns
	onData chan string
}

func (s *fakeSink) start(head Message) (BodySink, error) {
	if s.head != nil {
		panic("started twice")
	}
	s.head = &head
	return s, nil
}

func (s *fakeSink) Write(p []byte) error {
	if s.closed {
		panic("write after close")
	}
	if s.fail != nil {
		return s.fail
	}
	s.chunks = append(s.chunks, bytes.Clone(p))
	if s.onData != nil {
		s.onData <- string(p)
	}
	return nil
}

func (s *fakeSink) Close(err error) { s.closed, s.err = true, err }

func (s *fakeSink) body() string { return string(bytes.Join(s.chunks, nil)) }

func TestServeStreamSmallResponseIsWhole(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/", nil)
	sink := &fakeSink{}
	m, streamed := ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html>small</html>")
	}), req, Reporter{Logf: t.Logf}, sink.start)
	if streamed || sink.head != nil || string(m.Body) != "<html>small</html>" || !strings.HasPrefix(headerValue(m, "Content-Type"), "text/html") {
		t.Fatalf("streamed=%v head=%v m=%+v", streamed, sink.head, m)
	}
}

func TestServeStreamFlushSendsFirstEventBeforeReturn(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/events", nil)
	sink := &fakeSink{onData: make(chan string, 1)}
	release := make(chan struct{})
	done := make(chan struct{})
	var m Message
	var streamed bool
	go func() {
		defer close(done)
		m, streamed = ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "data: one\n\n")
			w.(http.Flusher).Flush()
			<-release
			io.WriteString(w, "data: two\n\n")
		}), req, Reporter{Logf: t.Logf}, sink.start)
	}()
	if got := <-sink.onData; got != "data: one\n\n" {
		t.Fatalf("first chunk %q", got)
	}
	if sink.head == nil || sink.head.Status != 200 || headerValue(*sink.head, "Content-Type") != "text/event-stream" || sink.closed {
		t.Fatalf("head %+v closed=%v", sink.head, sink.closed)
	}
	close(release)
	<-sink.onData
	<-done
	if !streamed || m.Status != 0 || !sink.closed || sink.err != nil || sink.body() != "data: one\n\ndata: two\n\n" {
		t.Fatalf("streamed=%v closed=%v err=%v body %q", streamed, sink.closed, sink.err, sink.body())
	}
}

func TestServeStreamLargeBodyStreamsWithoutFlush(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/big", nil)
	sink := &fakeSink{}
	big := bytes.Repeat([]byte("a"), 3*ChunkSize+100)
	var heads int
	_, streamed := ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 1000 {
			w.Write(big[i:min(i+1000, len(big))])
			if sink.head != nil {
				heads++
			}
		}
		w.Header().Set("X-Late", "1") // too late: the headers are gone
	}), req, Reporter{Logf: t.Logf}, sink.start)
	if !streamed || sink.body() != string(big) || !sink.closed || sink.err != nil {
		t.Fatalf("streamed=%v body %d bytes, closed=%v err=%v", streamed, len(sink.body()), sink.closed, sink.err)
	}
	if heads == 0 || len(sink.chunks) < 3 {
		t.Fatalf("the body was not sent while the handler ran: %d chunks", len(sink.chunks))
	}
	if !strings.HasPrefix(headerValue(*sink.head, "Content-Type"), "text/plain") || headerValue(*sink.head, "X-Late") != "" {
		t.Fatalf("head %v", sink.head.Header)
	}
	// One large write goes out in one piece after the buffered bytes.
	sink = &fakeSink{}
	ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "x")
		w.(http.Flusher).Flush()
		w.Write(big)
	}), req, Reporter{Logf: t.Logf}, sink.start)
	if len(sink.chunks) != 2 || len(sink.chunks[1]) != len(big) {
		t.Fatalf("%d chunks", len(sink.chunks))
	}
}

func TestServeStreamPanics(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/boom", nil)
	var logged string
	logf := func(format string, args ...any) { logged = format }
	sink := &fakeSink{}
	m, streamed := ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		panic("boom")
	}), req, Reporter{Logf: logf}, sink.start)
	if streamed || m.Status != 500 || sink.head != nil {
		t.Fatalf("panic before sending: streamed=%v %+v", streamed, m)
	}
	sink = &fakeSink{}
	logged = ""
	_, streamed = ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("boom")
	}), req, Reporter{Logf: logf}, sink.start)
	if !streamed || sink.head.Status != 200 || !sink.closed || sink.err == nil || !strings.Contains(sink.err.Error(), "boom") || logged == "" {
		t.Fatalf("panic after sending: streamed=%v closed=%v err=%v logged=%q", streamed, sink.closed, sink.err, logged)
	}
}

func TestServeStreamRules(t *testing.T) {
	head, _ := http.NewRequest("HEAD", "https://x/", nil)
	sink := &fakeSink{}
	_, streamed := ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "the GET body")
		w.(http.Flusher).Flush()
		io.WriteString(w, strings.Repeat("more", ChunkSize))
	}), head, Reporter{Logf: t.Logf}, sink.start)
	if !streamed || len(sink.chunks) != 0 || !strings.HasPrefix(headerValue(*sink.head, "Content-Type"), "text/plain") {
		t.Fatalf("HEAD: chunks %d head %+v", len(sink.chunks), sink.head)
	}

	get, _ := http.NewRequest("GET", "https://x/", nil)
	sink = &fakeSink{}
	ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		w.(http.Flusher).Flush()
		if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
			t.Errorf("Write after 204: %v", err)
		}
	}), get, Reporter{Logf: t.Logf}, sink.start)
	if sink.head.Status != 204 || len(sink.chunks) != 0 || headerValue(*sink.head, "Content-Type") != "" {
		t.Fatalf("204: %+v %d chunks", sink.head, len(sink.chunks))
	}

	sink = &fakeSink{}
	ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusSwitchingProtocols)
		if err := http.NewResponseController(w).Flush(); err == nil {
			t.Error("flushing a status workerd refuses succeeded")
		}
		if _, err := io.WriteString(w, "x"); err == nil {
			t.Error("writing after a refused status succeeded")
		}
	}), get, Reporter{Logf: func(string, ...any) {}, Detailed: true}, sink.start)
	if sink.head.Status != 500 || !strings.Contains(sink.body(), "answered status 101") || !sink.closed || sink.err != nil {
		t.Fatalf("101: %+v %q", sink.head, sink.body())
	}

	// A reader that went away fails the handler's writes.
	gone := errors.New("reader gone")
	sink = &fakeSink{fail: gone}
	ServeStream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "x")
		if err := http.NewResponseController(w).Flush(); err != gone {
			t.Errorf("Flush: %v", err)
		}
		if _, err := io.WriteString(w, "y"); err != gone {
			t.Errorf("Write: %v", err)
		}
	}), get, Reporter{Logf: t.Logf}, sink.start)
	if !sink.closed || sink.err != gone {
		t.Fatalf("closed=%v err=%v", sink.closed, sink.err)
	}
}

func TestStreamedBodies(t *testing.T) {
	body := io.NopCloser(strings.NewReader("streamed"))
	req, err := NewRequest(t.Context(), Message{Method: "POST", URL: "https://x/", Header: [][2]string{{"content-length", "8"}}, Stream: body})
	if err != nil || req.ContentLength != 8 {
		t.Fatalf("%v %d", err, req.ContentLength)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != "streamed" {
		t.Fatalf("body %q", b)
	}
	req, _ = NewRequest(t.Context(), Message{Method: "POST", URL: "https://x/", Stream: io.NopCloser(strings.NewReader(""))})
	if req.ContentLength != -1 {
		t.Fatalf("unknown length: %d", req.ContentLength)
	}
	resp := NewResponse(req, Message{Status: 200, Stream: io.NopCloser(strings.NewReader("answer"))})
	if b, _ := io.ReadAll(resp.Body); string(b) != "answer" || resp.ContentLength != -1 {
		t.Fatalf("response body %q, length %d", b, resp.ContentLength)
	}

	small, _ := http.NewRequest("PUT", "https://do/", strings.NewReader("small"))
	if m, err := OutgoingStream(small, 10); err != nil || m.Stream != nil || string(m.Body) != "small" {
		t.Fatalf("small: %+v %v", m, err)
	}
	large, _ := http.NewRequest("PUT", "https://do/", strings.NewReader(strings.Repeat("x", 11)))
	if m, err := OutgoingStream(large, 10); err != nil || m.Stream == nil || m.Body != nil {
		t.Fatalf("large: %+v %v", m, err)
	}
	unknown, _ := http.NewRequest("PUT", "https://do/", io.MultiReader(strings.NewReader("?")))
	if m, err := OutgoingStream(unknown, 10); err != nil || m.Stream == nil {
		t.Fatalf("unknown length: %+v %v", m, err)
	}
	get, _ := http.NewRequest("GET", "https://do/", nil)
	if m, err := OutgoingStream(get, 10); err != nil || m.Stream != nil || m.Body != nil {
		t.Fatalf("GET: %+v %v", m, err)
	}
}
