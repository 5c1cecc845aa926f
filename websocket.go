package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable/internal/wswrap"
)

// MessageType is the kind of a WebSocket message: text (UTF-8) or binary. The
// values are those of the WebSocket protocol's opcodes, as in
// github.com/coder/websocket.
type MessageType int

const (
	// MessageText is a text message: its data is UTF-8.
	MessageText MessageType = 1
	// MessageBinary is a binary message.
	MessageBinary MessageType = 2
)

// String returns "text" or "binary".
func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "text"
	case MessageBinary:
		return "binary"
	}
	return fmt.Sprintf("MessageType(%d)", int(t))
}

// Limits of the WebSocket API. workerd enforces the tag limits; the SDK checks
// them first, and the others itself, so that both runtimes refuse the same
// values with errors that match [ErrWebSocketLimit].
const (
	// MaxTags is how many distinct tags a hibernatable WebSocket may have.
	MaxTags = 10
	// MaxTagLength is the longest tag, in bytes.
	MaxTagLength = 256
	// MaxAttachmentSize is the largest attachment, in bytes of its JSON
	// encoding: Cloudflare's documented limit (workerd itself takes up to 16 KiB
	// of its own serialization, so the SDK's check is the one that bites).
	MaxAttachmentSize = 2048
	// MaxAutoResponseSize is the longest auto-response request or response, in
	// bytes.
	MaxAutoResponseSize = 2048
	// MaxMessageSize is the largest message a WebSocket sends or receives, in
	// bytes: workerd's limit (WEBSOCKET_MAX_MESSAGE_SIZE, 32 MiB). A larger
	// send fails in Go; a larger message received fails the socket (close
	// code 1009) and reaches the object's [WebSocketErrorHandler].
	MaxMessageSize = 32 << 20
	// MaxEventTimeout is the longest hibernatable WebSocket event timeout
	// workerd takes: 7 days.
	MaxEventTimeout = 7 * 24 * time.Hour
)

var (
	// ErrNotWebSocket is matched by the error of [State.AcceptWebSocket] and
	// [AcceptWebSocket] when the request is not a WebSocket upgrade. Answer it
	// with status 426 (Upgrade Required), as [RefuseUpgrade] does.
	ErrNotWebSocket = errors.New("durable: not a WebSocket upgrade request")
	// ErrWebSocketLimit is matched by errors about values over a WebSocket
	// limit: too many or too long tags, an attachment, an auto-response or a
	// message too large, an event timeout too long.
	ErrWebSocketLimit = errors.New("durable: WebSocket limit exceeded")
	// ErrWebSocketClosed is matched by the errors of sends, reads and writes on
	// a WebSocket that is closed or closing.
	ErrWebSocketClosed = errors.New("durable: WebSocket closed")
)

// CloseError is what [Conn.Read] returns when the peer closed the connection:
// the close frame's status code and reason. It matches [ErrWebSocketClosed].
type CloseError struct {
	// Code is the close frame's status code (1005 when it had none, 1006
	// when the connection was lost without one).
	Code int
	// Reason is the close frame's reason, "" when it had none.
	Reason string
}

// Error implements error.
func (e *CloseError) Error() string {
	return fmt.Sprintf("durable: WebSocket closed with status %d: %q", e.Code, e.Reason)
}

// Is makes a CloseError match [ErrWebSocketClosed].
func (e *CloseError) Is(target error) bool { return target == ErrWebSocketClosed }

// IsWebSocketUpgrade reports whether r asks to upgrade to a WebSocket.
func IsWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// RefuseUpgrade answers a request that should have been a WebSocket upgrade
// with 426 Upgrade Required and a short message, as a WebSocket route does when
// [State.AcceptWebSocket] fails with [ErrNotWebSocket].
func RefuseUpgrade(w http.ResponseWriter) {
	w.Header().Set("Upgrade", "websocket")
	http.Error(w, "this URL serves WebSockets only: send a WebSocket upgrade request (Upgrade: websocket)", http.StatusUpgradeRequired)
}

// AcceptOptions configure [State.AcceptWebSocket]. A nil *AcceptOptions is the
// zero value.
type AcceptOptions struct {
	// Tags label the WebSocket for [State.WebSockets]. At most [MaxTags]
	// distinct tags of at most [MaxTagLength] bytes each; duplicates count once.
	Tags []string
}

// webSocketStateRuntime is what a runtime's state implements for hibernatable
// WebSockets. Methods returning a WebSocket return the runtime's
// implementation (a webSocketRuntime) as any.
type webSocketStateRuntime interface {
	AcceptWebSocket(w http.ResponseWriter, r *http.Request, tags []string) (any, error)
	AcceptConn(w http.ResponseWriter, r *http.Request) (any, error) // a connRuntime
	WebSockets(tag string) []any
	SetWebSocketAutoResponse(request, response string) error
	ClearWebSocketAutoResponse()
	WebSocketAutoResponse() (request, response string, ok bool)
	SetHibernatableWebSocketEventTimeout(d time.Duration) error
	HibernatableWebSocketEventTimeout() (time.Duration, bool)
}

// webSocketRuntime is one hibernatable WebSocket, server side.
type webSocketRuntime interface {
	Send(typ MessageType, data []byte) error
	Close(code int, reason string) error
	Tags() []string
	Attachment() (string, bool, error) // the JSON text
	SetAttachment(json string, ok bool) error
	AutoResponseTimestamp() (time.Time, bool)
}

func (s State) webSockets() webSocketStateRuntime {
	ws, ok := s.runtime().(webSocketStateRuntime)
	if !ok {
		panic("durable: this runtime does not implement WebSockets")
	}
	return ws
}

// AcceptWebSocket answers the upgrade request r with a hibernatable WebSocket
// (workerd's ctx.acceptWebSocket): the handler's response becomes 101 Switching
// Protocols, the client end goes back to the caller, and the server end stays
// with the object. Messages and closes arrive at the object's
// [WebSocketMessageHandler] and [WebSocketCloseHandler] methods, even after
// workerd evicted the object from memory while the socket stayed connected
// (hibernation); the object is then constructed again first.
//
// Call it from the object's fetch handler and return without writing to w.
// When r is not an upgrade request it fails with an error matching
// [ErrNotWebSocket] and writes nothing (see [RefuseUpgrade]); too many or too
// long tags fail with [ErrWebSocketLimit].
func (s State) AcceptWebSocket(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*WebSocket, error) {
	if !IsWebSocketUpgrade(r) {
		return nil, fmt.Errorf("%w: %s %s has no Upgrade: websocket header", ErrNotWebSocket, r.Method, r.URL.Path)
	}
	var tags []string
	if opts != nil {
		var err error
		if tags, err = checkTags(opts.Tags); err != nil {
			return nil, err
		}
	}
	impl, err := s.webSockets().AcceptWebSocket(w, r, tags)
	if err != nil {
		return nil, err
	}
	return &WebSocket{impl: impl.(webSocketRuntime)}, nil
}

// checkTags returns the distinct tags, in order, or an error when they break
// workerd's limits.
func checkTags(tags []string) ([]string, error) {
	seen := make(map[string]bool, len(tags))
	var out []string
	for _, t := range tags {
		if len(t) > MaxTagLength {
			return nil, fmt.Errorf("%w: tag %.20q… is %d bytes long; the limit is %d", ErrWebSocketLimit, t, len(t), MaxTagLength)
		}
		if seen[t] {
			continue
		}
		if len(out) == MaxTags {
			return nil, fmt.Errorf("%w: a WebSocket may have at most %d distinct tags", ErrWebSocketLimit, MaxTags)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// WebSockets returns the object's hibernatable WebSockets that are open or
// closing and carry tag, or all of them when tag is "". It works in the
// constructor too, and after the object woke from hibernation.
func (s State) WebSockets(tag string) []*WebSocket {
	impls := s.webSockets().WebSockets(tag)
	out := make([]*WebSocket, len(impls))
	for i, impl := range impls {
		out[i] = &WebSocket{impl: impl.(webSocketRuntime)}
	}
	return out
}

// SetWebSocketAutoResponse makes every hibernatable WebSocket of the object
// answer the text message request with response, without waking the object
// (a ping the object needs not see). One pair is set per object; a new call
// replaces it. Each side is at most [MaxAutoResponseSize] bytes.
func (s State) SetWebSocketAutoResponse(request, response string) error {
	if len(request) > MaxAutoResponseSize || len(response) > MaxAutoResponseSize {
		return fmt.Errorf("%w: an auto-response request and response may be at most %d bytes each (got %d and %d)", ErrWebSocketLimit, MaxAutoResponseSize, len(request), len(response))
	}
	return s.webSockets().SetWebSocketAutoResponse(request, response)
}

// ClearWebSocketAutoResponse removes the auto-response pair, if any.
func (s State) ClearWebSocketAutoResponse() { s.webSockets().ClearWebSocketAutoResponse() }

// WebSocketAutoResponse returns the auto-response pair, and whether one is set.
func (s State) WebSocketAutoResponse() (request, response string, ok bool) {
	return s.webSockets().WebSocketAutoResponse()
}

// SetHibernatableWebSocketEventTimeout bounds how long one WebSocket event
// handler of the object may run (workerd cancels it then); 0 removes the
// bound. workerd takes at most [MaxEventTimeout], in whole milliseconds.
func (s State) SetHibernatableWebSocketEventTimeout(d time.Duration) error {
	if d < 0 || d > MaxEventTimeout {
		return fmt.Errorf("%w: the event timeout must be between 0 and %v, not %v", ErrWebSocketLimit, MaxEventTimeout, d)
	}
	return s.webSockets().SetHibernatableWebSocketEventTimeout(d.Truncate(time.Millisecond))
}

// HibernatableWebSocketEventTimeout returns the event timeout, and whether
// one is set.
func (s State) HibernatableWebSocketEventTimeout() (time.Duration, bool) {
	return s.webSockets().HibernatableWebSocketEventTimeout()
}

// WebSocket is the server end of a hibernatable WebSocket, accepted by
// [State.AcceptWebSocket] or listed by [State.WebSockets]. It has no Read: its
// messages arrive at the object's [WebSocketMessageHandler]. Two *WebSocket
// values may stand for the same socket; tell sockets apart by their tags and
// attachments, not by pointer.
//
// On workerd its methods work while the object has an event in flight (a
// request, a WebSocket event, an accepted [Conn]), as all of the object's I/O
// does; outside one, Send and Close fail, Tags returns nil and
// AutoResponseTimestamp reports none.
type WebSocket struct{ impl webSocketRuntime }

// Send sends one message. Text must be valid UTF-8; a message larger than
// [MaxMessageSize] fails with [ErrWebSocketLimit], a socket that is closed
// with [ErrWebSocketClosed]. Send does not wait for the peer.
func (ws *WebSocket) Send(typ MessageType, data []byte) error {
	if err := checkMessage(typ, data); err != nil {
		return fmt.Errorf("durable: WebSocket send: %w", err)
	}
	return ws.impl.Send(typ, data)
}

// SendText sends a text message.
func (ws *WebSocket) SendText(s string) error { return ws.Send(MessageText, []byte(s)) }

// Close starts the closing handshake with a status code (1000 for a normal
// close, or 3000–4999 for an application's own) and a reason of at most 123
// bytes.
func (ws *WebSocket) Close(code int, reason string) error {
	if err := checkClose(code, reason); err != nil {
		return err
	}
	return ws.impl.Close(code, reason)
}

// checkMessage refuses what workerd would refuse or alter: an unknown type,
// a message over the size limit, text that is not UTF-8 (JavaScript would
// replace the bad bytes).
func checkMessage(typ MessageType, data []byte) error {
	switch {
	case typ != MessageText && typ != MessageBinary:
		return fmt.Errorf("invalid message type %v", typ)
	case len(data) > MaxMessageSize:
		return fmt.Errorf("%w: a message of %d bytes is larger than %d", ErrWebSocketLimit, len(data), MaxMessageSize)
	case typ == MessageText && !utf8.Valid(data):
		return errors.New("a text message must be valid UTF-8; send bytes as MessageBinary")
	}
	return nil
}

func checkClose(code int, reason string) error {
	if code != 1000 && (code < 3000 || code > 4999) {
		return fmt.Errorf("durable: WebSocket close code %d: use 1000 or 3000 to 4999", code)
	}
	if len(reason) > 123 {
		return fmt.Errorf("%w: a close reason may be at most 123 bytes, not %d", ErrWebSocketLimit, len(reason))
	}
	return nil
}

// Tags returns the tags the socket was accepted with.
func (ws *WebSocket) Tags() []string { return ws.impl.Tags() }

// AutoResponseTimestamp returns when the socket last answered the
// auto-response request (see [State.SetWebSocketAutoResponse]), and whether
// it ever did.
func (ws *WebSocket) AutoResponseTimestamp() (time.Time, bool) {
	return ws.impl.AutoResponseTimestamp()
}

// SetAttachment stores v with the socket, where it survives hibernation (it is
// kept in workerd's memory, not in storage, and is gone when the socket
// closes). v is encoded as JSON, of at most [MaxAttachmentSize] bytes; a nil v
// removes the attachment.
func SetAttachment(ws *WebSocket, v any) error {
	if v == nil {
		return ws.impl.SetAttachment("", false)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("durable: WebSocket attachment: %w", err)
	}
	if len(b) > MaxAttachmentSize {
		return fmt.Errorf("%w: the attachment's JSON is %d bytes; the limit is %d", ErrWebSocketLimit, len(b), MaxAttachmentSize)
	}
	return ws.impl.SetAttachment(string(b), true)
}

// Attachment decodes the socket's attachment into a T, and reports whether it
// has one. An attachment set by JavaScript code is read as its JSON form.
func Attachment[T any](ws *WebSocket) (T, bool, error) {
	var v T
	text, ok, err := ws.impl.Attachment()
	if err != nil || !ok {
		return v, false, err
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return v, true, fmt.Errorf("durable: WebSocket attachment: %w", err)
	}
	return v, true, nil
}

// WebSocketMessageHandler is implemented by objects that take messages from
// their hibernatable WebSockets. data is the message's payload; it is not
// used by the runtime after the method returns. An error or a panic is logged
// (workerd's console, or the test's log) and the socket stays open; the
// object keeps serving.
type WebSocketMessageHandler interface {
	WebSocketMessage(ctx context.Context, ws *WebSocket, typ MessageType, data []byte) error
}

// WebSocketCloseHandler is implemented by objects that want to know when the
// client closed one of their hibernatable WebSockets: code and reason are the
// client's close frame (1005 and "" when it had none); wasClean reports a
// closing handshake rather than a lost connection. When the method returns
// without having called ws.Close, the runtime answers the client's close frame
// with the same code (1000 for a code a server may not send), so the client
// is not left waiting.
type WebSocketCloseHandler interface {
	WebSocketClose(ctx context.Context, ws *WebSocket, code int, reason string, wasClean bool) error
}

// WebSocketErrorHandler is implemented by objects that want to know when one
// of their hibernatable WebSockets failed (a protocol error, a message over
// the limit).
type WebSocketErrorHandler interface {
	WebSocketError(ctx context.Context, ws *WebSocket, err error) error
}

func init() {
	wswrap.Dispatch = dispatchWebSocket
	wswrap.Conn = func(impl any) any { return &Conn{impl: impl.(connRuntime)} }
}

// dispatchWebSocket delivers one hibernatable WebSocket event to obj, when it
// implements the event's handler.
func dispatchWebSocket(ctx context.Context, obj any, ev wswrap.Event) (handled bool, err error) {
	ws := &WebSocket{impl: ev.Socket.(webSocketRuntime)}
	switch ev.Kind {
	case wswrap.Message:
		h, ok := obj.(WebSocketMessageHandler)
		if !ok {
			return false, nil
		}
		return true, h.WebSocketMessage(ctx, ws, MessageType(ev.Type), ev.Data)
	case wswrap.Close:
		h, ok := obj.(WebSocketCloseHandler)
		if !ok {
			return false, nil
		}
		return true, h.WebSocketClose(ctx, ws, ev.Code, ev.Reason, ev.WasClean)
	case wswrap.Error:
		h, ok := obj.(WebSocketErrorHandler)
		if !ok {
			return false, nil
		}
		return true, h.WebSocketError(ctx, ws, ev.Err)
	}
	return false, fmt.Errorf("durable: unknown WebSocket event %d", ev.Kind)
}
