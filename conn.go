package durable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/durableobjects-on-go/durable/internal/wswrap"
)

// Conn is a WebSocket that Go reads and writes itself, in the style of
// github.com/coder/websocket: the server end of a WebSocket accepted with
// [State.AcceptConn], or the client end of one opened with
// [Stub.DialWebSocket] (or durabletest's Runtime.DialWebSocket). Read and
// Write may be called from different goroutines; each from one at a time.
//
// On workerd a dialed Conn belongs to the event that opened it (a front
// request, or an object's event): it works while that event is in flight, so
// read and write before the handler returns. An accepted Conn keeps an event
// of its object in flight until it closes.
type Conn struct{ impl connRuntime }

// connRuntime is one WebSocket that Go reads.
type connRuntime interface {
	Read(ctx context.Context) (MessageType, []byte, error)
	Write(ctx context.Context, typ MessageType, data []byte) error
	Close(code int, reason string) error
}

// Read waits for the next message. When the peer closed the connection it
// returns a [*CloseError] (which matches [ErrWebSocketClosed]) with the
// peer's code and reason.
func (c *Conn) Read(ctx context.Context) (MessageType, []byte, error) { return c.impl.Read(ctx) }

// Write sends one message. Text must be valid UTF-8; a message larger than
// [MaxMessageSize] fails with [ErrWebSocketLimit], a closed connection with
// [ErrWebSocketClosed].
func (c *Conn) Write(ctx context.Context, typ MessageType, data []byte) error {
	if err := checkMessage(typ, data); err != nil {
		return fmt.Errorf("durable: WebSocket write: %w", err)
	}
	return c.impl.Write(ctx, typ, data)
}

// Close starts the closing handshake with a status code (1000, or 3000–4999)
// and a reason of at most 123 bytes.
func (c *Conn) Close(code int, reason string) error {
	if err := checkClose(code, reason); err != nil {
		return err
	}
	return c.impl.Close(code, reason)
}

// AcceptConn answers the upgrade request r with a WebSocket that Go reads and
// writes itself, through the returned [Conn], rather than through the
// object's handler methods. Such a socket is not hibernatable: workerd keeps
// the object in memory while it is open, and [State.WebSockets] does not list
// it. Typically the handler starts a goroutine that reads and writes, and
// returns at once:
//
//	conn, err := state.AcceptConn(w, r)
//	if err != nil { ... }
//	go func() {
//		defer conn.Close(1000, "")
//		for {
//			typ, data, err := conn.Read(context.Background())
//			if err != nil {
//				return
//			}
//			conn.Write(context.Background(), typ, data)
//		}
//	}()
//
// On workerd the connection keeps an event of the object in flight, so the
// goroutine may use storage and stubs meanwhile, until Go calls Close (defer
// it), or 10 seconds after the peer closed when Go does not. A request that is
// not an upgrade fails with [ErrNotWebSocket].
func (s State) AcceptConn(w http.ResponseWriter, r *http.Request) (*Conn, error) {
	if !IsWebSocketUpgrade(r) {
		return nil, fmt.Errorf("%w: %s %s has no Upgrade: websocket header", ErrNotWebSocket, r.Method, r.URL.Path)
	}
	impl, err := s.webSockets().AcceptConn(w, r)
	if err != nil {
		return nil, err
	}
	return &Conn{impl: impl.(connRuntime)}, nil
}

// webSocketStubRuntime is what a runtime's stub implements to hand over the
// WebSocket of a 101 answer.
type webSocketStubRuntime interface {
	// TakeWebSocket returns the connection named id in the answer's
	// WebSocketHeader, as a connRuntime; ctx is the request's.
	TakeWebSocket(ctx context.Context, id string) (any, error)
}

// DialWebSocket opens a WebSocket to the object behind the stub: it sends req
// (a GET, usually) with the upgrade headers added, and when the object
// accepts, returns the client end. req's context must be the handler's (on
// workerd the connection belongs to that event). When the object answers
// anything but 101, the error matches [ErrNotWebSocket] and gives the status
// and the start of the body.
func (s Stub) DialWebSocket(req *http.Request) (*Conn, error) {
	rt, ok := s.runtime().(webSocketStubRuntime)
	if !ok {
		panic("durable: this runtime does not implement WebSockets")
	}
	req = req.Clone(req.Context())
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	if req.Header.Get("Sec-WebSocket-Key") == "" {
		req.Header.Set("Sec-WebSocket-Key", "ZHVyYWJsZW9iamVjdHNnbw==")
	}
	resp, err := s.Fetch(req)
	if err != nil {
		return nil, fmt.Errorf("durable: dialing a WebSocket: %w", err)
	}
	id := resp.Header.Get(webSocketHeader)
	if resp.StatusCode != http.StatusSwitchingProtocols || id == "" {
		defer resp.Body.Close()
		var body [200]byte
		n, _ := io.ReadFull(resp.Body, body[:])
		return nil, fmt.Errorf("%w: %s answered status %d: %q", ErrNotWebSocket, req.URL, resp.StatusCode, body[:n])
	}
	impl, err := rt.TakeWebSocket(req.Context(), id)
	if err != nil {
		return nil, fmt.Errorf("durable: dialing a WebSocket: %w", err)
	}
	return &Conn{impl: impl.(connRuntime)}, nil
}

// webSocketHeader is internal/serving's WebSocketHeader: the answer's header
// that names the WebSocket the runtime keeps for it.
const webSocketHeader = "X-Durable-Websocket"

// DialWebSocket opens a WebSocket to a server at rawURL (ws, wss, http or
// https) and returns the client end; header adds request headers. To reach a
// Durable Object, use [Stub.DialWebSocket]. ctx must be a handler's request
// context (or derived from it): on workerd the connection belongs to that
// event, and works while it is in flight. When the server answers anything but
// 101, the error matches [ErrNotWebSocket]. Under durabletest the connection
// is a real one, made with github.com/coder/websocket.
func DialWebSocket(ctx context.Context, rawURL string, header http.Header) (*Conn, error) {
	if wswrap.DialURL == nil {
		return nil, errors.New("durable: DialWebSocket needs a runtime: run the program on workerd (package workerd) or under package durabletest")
	}
	impl, err := wswrap.DialURL(ctx, rawURL, header)
	if err != nil {
		return nil, err
	}
	return &Conn{impl: impl.(connRuntime)}, nil
}
