package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// TestDialWebSocketURL dials a real WebSocket server from a front handler.
func TestDialWebSocketURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ws" {
			http.Error(w, "no socket here", http.StatusNotFound)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		typ, data, err := c.Read(r.Context())
		if err != nil {
			return
		}
		c.Write(r.Context(), typ, append([]byte(r.Header.Get("X-Who")+" "), data...))
		c.Close(4005, "server done")
	}))
	defer srv.Close()

	rt := durabletest.New(t, durable.Worker{Front: func(durable.Env) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, err := durable.DialWebSocket(r.Context(), srv.URL+r.URL.Path, http.Header{"X-Who": {"gopher"}})
			if err != nil {
				fmt.Fprintf(w, "dial: %v %v", errors.Is(err, durable.ErrNotWebSocket), err)
				return
			}
			conn.Write(r.Context(), durable.MessageText, []byte("hi"))
			_, data, err := conn.Read(r.Context())
			fmt.Fprintf(w, "%s %v;", data, err)
			_, _, err = conn.Read(r.Context())
			fmt.Fprintf(w, " %v", err)
		})
	}}, nil)
	got := func(path string) string {
		resp := rt.Fetch(httptest.NewRequest("GET", path, nil))
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if s := got("/ws"); s != `gopher hi <nil>; durable: WebSocket closed with status 4005: "server done"` {
		t.Errorf("dial /ws: %s", s)
	}
	if s := got("/nope"); !strings.HasPrefix(s, "dial: true") || !strings.Contains(s, "status 404") {
		t.Errorf("dial /nope: %s", s)
	}
	_, err := durable.DialWebSocket(context.Background(), "ws://127.0.0.1:1/", nil)
	if err == nil {
		t.Errorf("dialing a closed port succeeded")
	}
}
