//go:build !(js && wasm)

// Natively only: under js/wasm the workerd bridge dials, and coder/websocket
// has another API there.

package durabletest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/coder/websocket"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/wswrap"
)

func init() { wswrap.DialURL = dialURL }

// dialURL makes a real WebSocket connection for durable.DialWebSocket (to an
// httptest server, say). The calling event, if any, lets its object serve
// while it waits for the handshake, as it does for a stub fetch.
func dialURL(ctx context.Context, rawURL string, header http.Header) (any, error) {
	if ev := eventOf(ctx); ev != nil {
		ev.beginAwait()
		defer ev.endAwait()
	}
	c, resp, err := websocket.Dial(ctx, rawURL, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			var body [200]byte
			n := 0
			if resp.Body != nil {
				n, _ = io.ReadFull(resp.Body, body[:])
			}
			return nil, fmt.Errorf("%w: %s answered status %d: %q", durable.ErrNotWebSocket, rawURL, resp.StatusCode, body[:n])
		}
		return nil, fmt.Errorf("durable: dialing a WebSocket: %w", err)
	}
	c.SetReadLimit(durable.MaxMessageSize)
	return &netConn{c: c}, nil
}

// netConn is a real WebSocket connection.
type netConn struct{ c *websocket.Conn }

func (n *netConn) Read(ctx context.Context) (durable.MessageType, []byte, error) {
	typ, data, err := n.c.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return 0, nil, &durable.CloseError{Code: int(ce.Code), Reason: ce.Reason}
		}
		return 0, nil, fmt.Errorf("durable: WebSocket read: %w", err)
	}
	return durable.MessageType(typ), data, nil
}

func (n *netConn) Write(ctx context.Context, typ durable.MessageType, data []byte) error {
	if err := n.c.Write(ctx, websocket.MessageType(typ), data); err != nil {
		return fmt.Errorf("durable: WebSocket write: %w", err)
	}
	return nil
}

func (n *netConn) Close(code int, reason string) error {
	return n.c.Close(websocket.StatusCode(code), reason)
}
