package durabletest_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// TestWebSocketsOutliveTheGoInstance checks what hibernation relies on: after
// the object's Go instance is dropped, its constructor already lists the
// sockets, with their tags and attachments, and their messages reach the new
// instance.
func TestWebSocketsOutliveTheGoInstance(t *testing.T) {
	var seen []int
	w := chatWorker()
	w.Objects["Chat"] = func(state durable.State, env durable.Env) (durable.Object, error) {
		seen = append(seen, len(state.WebSockets("")))
		return newChat(state, env)
	}
	rt := durabletest.New(t, w, nil)
	ctx := context.Background()
	ada, err := rt.DialWebSocket(ctx, "/room?user=ada")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.DialWebSocket(ctx, "/room?user=bob"); err != nil {
		t.Fatal(err)
	}
	rt.RestartObject("Chat", rt.Namespace("Chat").IDFromName("room"))
	if err := ada.Write(ctx, durable.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := ada.Read(ctx); err != nil || string(msg) != "ada: hi" {
		t.Fatalf("Read = %q, %v", msg, err)
	}
	if !slices.Equal(seen, []int{0, 2}) {
		t.Errorf("sockets seen by the constructors = %v, want [0 2]", seen)
	}
	state := rt.State("Chat", rt.Namespace("Chat").IDFromName("room"))
	bobs := state.WebSockets("user:bob")
	if len(bobs) != 1 || !slices.Equal(bobs[0].Tags(), []string{"user:bob"}) {
		t.Fatalf("WebSockets(user:bob) = %v", bobs)
	}
	if name, ok, err := durable.Attachment[string](bobs[0]); name != "bob" || !ok || err != nil {
		t.Errorf("bob's attachment = %q, %v, %v", name, ok, err)
	}

	// A closed connection is refused with ErrWebSocketClosed, and leaves the
	// object's list once closed.
	if err := ada.Close(1000, "bye"); err != nil {
		t.Fatal(err)
	}
	if err := ada.Write(ctx, durable.MessageText, []byte("late")); !errors.Is(err, durable.ErrWebSocketClosed) {
		t.Errorf("Write after Close = %v, want ErrWebSocketClosed", err)
	}
	if n := len(state.WebSockets("")); n != 1 {
		t.Errorf("%d sockets after ada closed, want 1", n)
	}
}

func TestDialWebSocketRefused(t *testing.T) {
	rt := durabletest.New(t, counterWorker(), &durabletest.Options{Bindings: map[string]string{"COUNTER": "Counter"}})
	_, err := rt.DialWebSocket(context.Background(), "/ada")
	if !errors.Is(err, durable.ErrNotWebSocket) {
		t.Fatalf("DialWebSocket to a plain handler = %v, want ErrNotWebSocket", err)
	}
}

// echoRoom accepts plain WebSockets and echoes them from a goroutine.
type echoRoom struct{ state durable.State }

func (e *echoRoom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	conn, err := e.state.AcceptConn(w, r)
	if err != nil {
		durable.RefuseUpgrade(w)
		return
	}
	go func() {
		defer conn.Close(1000, "")
		for {
			typ, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			conn.Write(context.Background(), typ, append([]byte("echo "), data...))
		}
	}()
}

func TestAcceptConnEcho(t *testing.T) {
	rt := durabletest.New(t, durable.Worker{Objects: map[string]durable.Constructor{
		"Echo": func(state durable.State, _ durable.Env) (durable.Object, error) { return &echoRoom{state: state}, nil },
	}}, nil)
	ctx := context.Background()
	stub := rt.Namespace("Echo").Get(rt.Namespace("Echo").IDFromName("e"))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://echo/", nil)
	conn, err := stub.DialWebSocket(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"a", "b"} {
		if err := conn.Write(ctx, durable.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, got, err := conn.Read(ctx); err != nil || string(got) != "echo "+msg {
			t.Fatalf("Read = %q, %v", got, err)
		}
	}
	if len(rt.State("Echo", stub.ID()).WebSockets("")) != 0 {
		t.Errorf("a plain WebSocket is listed with the hibernatable ones")
	}
	conn.Close(4000, "done")
	var ce *durable.CloseError
	if _, _, err := conn.Read(ctx); !errors.As(err, &ce) || ce.Code != 4000 {
		t.Errorf("Read after Close = %v, want the echoed close 4000", err)
	}
}
