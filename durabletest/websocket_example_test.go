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

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// chat is a Durable Object that keeps hibernatable WebSockets: each socket
// carries its user's name as an attachment and a tag, and every text message
// is sent to everyone as "name: text".
type chat struct{ state durable.State }

func newChat(state durable.State, _ durable.Env) (durable.Object, error) {
	return &chat{state: state}, nil
}

func (c *chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	ws, err := c.state.AcceptWebSocket(w, r, &durable.AcceptOptions{Tags: []string{"user:" + user}})
	if errors.Is(err, durable.ErrNotWebSocket) {
		durable.RefuseUpgrade(w) // 426 Upgrade Required
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	durable.SetAttachment(ws, user)
}

func (c *chat) WebSocketMessage(ctx context.Context, ws *durable.WebSocket, typ durable.MessageType, data []byte) error {
	user, _, err := durable.Attachment[string](ws)
	if err != nil {
		return err
	}
	for _, peer := range c.state.WebSockets("") {
		peer.SendText(user + ": " + string(data))
	}
	return nil
}

// chatWorker relays /{room}?user=... to the chat room of that name; an
// upgrade's 101 goes back through the front handler as it came.
func chatWorker() durable.Worker {
	return durable.Worker{
		Objects: map[string]durable.Constructor{"Chat": newChat},
		Front: func(env durable.Env) http.Handler {
			rooms, _ := env.Namespace("Chat")
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, "https://chat/?"+r.URL.RawQuery, nil)
				req.Header = r.Header.Clone()
				resp, err := rooms.Get(rooms.IDFromName(strings.TrimPrefix(r.URL.Path, "/"))).Fetch(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				for k, v := range resp.Header {
					w.Header()[k] = v
				}
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			})
		},
	}
}

func ExampleRuntime_DialWebSocket() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, chatWorker(), nil)
	defer rt.Close()
	ctx := context.Background()

	ada, _ := rt.DialWebSocket(ctx, "/lobby?user=ada")
	grace, _ := rt.DialWebSocket(ctx, "/lobby?user=grace")
	ada.Write(ctx, durable.MessageText, []byte("hello"))
	for _, conn := range []*durable.Conn{ada, grace} {
		_, msg, _ := conn.Read(ctx)
		fmt.Printf("%s\n", msg)
	}

	// Sockets, tags and attachments belong to the object, not its Go
	// instance: they survive a restart, as they survive hibernation.
	rt.Restart()
	grace.Write(ctx, durable.MessageText, []byte("still here"))
	_, msg, _ := ada.Read(ctx)
	fmt.Printf("%s\n", msg)

	// A plain GET is refused.
	resp := rt.Fetch(httptest.NewRequest("GET", "/lobby", nil))
	fmt.Println(resp.StatusCode)
	// Output:
	// ada: hello
	// ada: hello
	// grace: still here
	// 426
}
