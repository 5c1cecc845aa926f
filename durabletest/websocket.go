package durabletest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wswrap"
)

// WebSockets are modelled in memory: no network, no frames. An accepted
// socket's client end waits in parked under the number its 101 answer carries
// (serving.WebSocketHeader), as on workerd, until DialWebSocket (a test or a
// stub) takes it. Sockets live with the object's storage, not its Go
// instance, so they survive Restart as they survive hibernation on workerd.

var (
	parked     sync.Map // number → *clientConn or *pipeEnd
	nextParked atomic.Int64
)

// DialWebSocket opens a WebSocket through the Worker's front handler, as a
// browser would: it sends a GET for target (a path, or an absolute URL) with
// the upgrade headers, and returns the client end when the response is a 101
// that carries a WebSocket (an object's, relayed by the front handler). Any
// other answer fails with an error matching [durable.ErrNotWebSocket] that
// gives the status and the start of the body.
//
// The connection is in memory. Writes are delivered to the object before
// Write returns (on workerd they are not awaited): a test reads the object's
// answers right after. Read waits for what the object sends.
func (rt *Runtime) DialWebSocket(ctx context.Context, target string) (*durable.Conn, error) {
	rt.tb.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("durabletest: DialWebSocket: %w", err)
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "ZHVyYWJsZW9iamVjdHNnbw==")
	resp := rt.Fetch(req)
	defer resp.Body.Close()
	id := resp.Header.Get(serving.WebSocketHeader)
	if resp.StatusCode != http.StatusSwitchingProtocols || id == "" {
		var body [200]byte
		n, _ := io.ReadFull(resp.Body, body[:])
		return nil, fmt.Errorf("%w: %s answered status %d: %q", durable.ErrNotWebSocket, target, resp.StatusCode, body[:n])
	}
	c, err := takeParked(id)
	if err != nil {
		return nil, err
	}
	return wswrap.Conn(c).(*durable.Conn), nil
}

func takeParked(id string) (any, error) {
	c, ok := parked.LoadAndDelete(id)
	if !ok {
		return nil, fmt.Errorf("durable: no WebSocket %s: it was already taken", id)
	}
	return c, nil
}

// TakeWebSocket hands a stub's caller the client end of the object's
// WebSocket.
func (s *stub) TakeWebSocket(_ context.Context, id string) (any, error) { return takeParked(id) }

// sockets is one object's hibernatable WebSockets and their settings.
type sockets struct {
	o *object

	mu         sync.Mutex
	list       []*serverSocket // open or closing, in accept order
	autoSet    bool
	autoReq    string
	autoResp   string
	timeout    time.Duration
	timeoutSet bool
}

func (s *state) AcceptWebSocket(w http.ResponseWriter, r *http.Request, tags []string) (any, error) {
	reg := s.sockets
	srv := &serverSocket{reg: reg, tags: slices.Clone(tags)}
	srv.client = &clientConn{server: srv, notify: make(chan struct{}, 1)}
	reg.mu.Lock()
	reg.list = append(reg.list, srv)
	reg.mu.Unlock()
	id := strconv.FormatInt(nextParked.Add(1), 10)
	parked.Store(id, srv.client)
	w.Header().Set(serving.WebSocketHeader, id)
	w.WriteHeader(http.StatusSwitchingProtocols)
	return srv, nil
}

func (s *state) WebSockets(tag string) []any {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	var out []any
	for _, srv := range reg.list {
		if tag == "" || slices.Contains(srv.tags, tag) {
			out = append(out, srv)
		}
	}
	return out
}

func (s *state) SetWebSocketAutoResponse(request, response string) error {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.autoSet, reg.autoReq, reg.autoResp = true, request, response
	return nil
}

func (s *state) ClearWebSocketAutoResponse() {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.autoSet, reg.autoReq, reg.autoResp = false, "", ""
}

func (s *state) WebSocketAutoResponse() (request, response string, ok bool) {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.autoReq, reg.autoResp, reg.autoSet
}

// SetHibernatableWebSocketEventTimeout records the timeout; natively no
// handler is cancelled by it.
func (s *state) SetHibernatableWebSocketEventTimeout(d time.Duration) error {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.timeout, reg.timeoutSet = d, d > 0
	return nil
}

func (s *state) HibernatableWebSocketEventTimeout() (time.Duration, bool) {
	reg := s.sockets
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.timeout, reg.timeoutSet
}

// remove forgets a socket that finished closing.
func (reg *sockets) remove(srv *serverSocket) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	reg.list = slices.DeleteFunc(reg.list, func(s *serverSocket) bool { return s == srv })
}

// autoResponse returns the response to a text message, when it is the
// auto-response request.
func (reg *sockets) autoResponse(msg string) (string, bool) {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if reg.autoSet && msg == reg.autoReq {
		return reg.autoResp, true
	}
	return "", false
}

// deliver runs one WebSocket event on the object, as deliver does a request:
// one event at a time, its writes committed when it ends.
func (reg *sockets) deliver(ev wswrap.Event) error {
	o := reg.o
	rt := o.rt
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.acquire()
	e := &event{owner: o.owner, held: true, resets: o.resetCount()}
	defer e.finish()
	ctx = context.WithValue(ctx, eventKey{}, e)
	h, err := o.handler()
	if err != nil {
		rt.logf("durable: %s: %v", ev.Kind, err)
		return err
	}
	wswrap.Deliver(ctx, h, ev, rt.logf)
	e.finish()
	return o.resetSince(e.resets)
}

// The states of a socket.
const (
	open    = iota
	closing // the server sent its close frame; the client has not answered
	closed
)

// serverSocket is the object's end of a hibernatable WebSocket.
type serverSocket struct {
	reg    *sockets
	tags   []string
	client *clientConn

	mu            sync.Mutex
	state         int
	attachment    string
	hasAttachment bool
	autoAt        time.Time
	hasAuto       bool
}

func (s *serverSocket) Send(typ durable.MessageType, data []byte) error {
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st != open {
		return fmt.Errorf("durable: WebSocket send: %w", durable.ErrWebSocketClosed)
	}
	s.client.push(message{typ: typ, data: slices.Clone(data)})
	return nil
}

func (s *serverSocket) Close(code int, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != open {
		return nil
	}
	s.state = closing
	s.client.push(message{close: &durable.CloseError{Code: code, Reason: reason}})
	return nil
}

func (s *serverSocket) Tags() []string { return slices.Clone(s.tags) }

func (s *serverSocket) Attachment() (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attachment, s.hasAttachment, nil
}

func (s *serverSocket) SetAttachment(text string, ok bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attachment, s.hasAttachment = text, ok
	return nil
}

func (s *serverSocket) AutoResponseTimestamp() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.autoAt, s.hasAuto
}

// finish marks the socket closed and forgets it.
func (s *serverSocket) finish() {
	s.mu.Lock()
	s.state = closed
	s.mu.Unlock()
	s.reg.remove(s)
}

// message is one frame for the client: a message, or the server's close.
type message struct {
	typ   durable.MessageType
	data  []byte
	close *durable.CloseError
}

// clientConn is the client end of an accepted WebSocket.
type clientConn struct {
	server *serverSocket
	notify chan struct{}

	mu     sync.Mutex
	inbox  []message
	closed *durable.CloseError // the close Read reports, once known
}

func (c *clientConn) push(m message) {
	c.mu.Lock()
	c.inbox = append(c.inbox, m)
	c.mu.Unlock()
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// Read returns the next message. On the server's close frame it answers it,
// as a WebSocket client does, which the object sees as a clean close event
// with the same code and reason (as it does on workerd).
func (c *clientConn) Read(ctx context.Context) (durable.MessageType, []byte, error) {
	for {
		c.mu.Lock()
		if c.closed != nil && len(c.inbox) == 0 {
			err := c.closed
			c.mu.Unlock()
			return 0, nil, err
		}
		if len(c.inbox) > 0 {
			m := c.inbox[0]
			c.inbox = c.inbox[1:]
			if m.close != nil {
				c.closed = m.close
			}
			c.mu.Unlock()
			if m.close == nil {
				return m.typ, m.data, nil
			}
			c.server.reg.deliver(wswrap.Event{Kind: wswrap.Close, Socket: c.server, Code: m.close.Code, Reason: m.close.Reason, WasClean: true})
			c.server.finish()
			return 0, nil, m.close
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("durable: WebSocket read: %w", ctx.Err())
		}
	}
}

// Write delivers the message to the object's WebSocketMessage before it
// returns, unless it is the auto-response request, which is answered at once.
func (c *clientConn) Write(ctx context.Context, typ durable.MessageType, data []byte) error {
	if err := c.usable(); err != nil {
		return fmt.Errorf("durable: WebSocket write: %w", err)
	}
	srv := c.server
	if typ == durable.MessageText {
		if resp, ok := srv.reg.autoResponse(string(data)); ok {
			srv.mu.Lock()
			srv.autoAt, srv.hasAuto = time.Now().Truncate(time.Millisecond), true
			srv.mu.Unlock()
			c.push(message{typ: durable.MessageText, data: []byte(resp)})
			return nil
		}
	}
	// The caller's event, if any, waits for another object as a stub fetch
	// does: it lets its own object serve meanwhile.
	if ev := eventOf(ctx); ev != nil {
		ev.beginAwait()
		defer ev.endAwait()
	}
	return srv.reg.deliver(wswrap.Event{Kind: wswrap.Message, Socket: srv, Type: int(typ), Data: slices.Clone(data)})
}

// Close sends the client's close frame: the object's WebSocketClose runs
// before Close returns, and the server's answer ends the connection.
func (c *clientConn) Close(code int, reason string) error {
	if err := c.usable(); err != nil {
		return nil
	}
	srv := c.server
	c.mu.Lock()
	c.closed = &durable.CloseError{Code: code, Reason: reason}
	c.mu.Unlock()
	err := srv.reg.deliver(wswrap.Event{Kind: wswrap.Close, Socket: srv, Code: code, Reason: reason, WasClean: true})
	srv.finish()
	return err
}

// usable fails once either side closed.
func (c *clientConn) usable() error {
	c.mu.Lock()
	closedHere := c.closed != nil
	c.mu.Unlock()
	c.server.mu.Lock()
	st := c.server.state
	c.server.mu.Unlock()
	if closedHere || st != open {
		return durable.ErrWebSocketClosed
	}
	return nil
}

// AcceptConn answers r with an in-memory WebSocket whose both ends Go reads:
// the server end is returned, the client end parked for DialWebSocket.
func (s *state) AcceptConn(w http.ResponseWriter, r *http.Request) (any, error) {
	server := &pipeEnd{notify: make(chan struct{}, 1)}
	client := &pipeEnd{notify: make(chan struct{}, 1), peer: server}
	server.peer = client
	id := strconv.FormatInt(nextParked.Add(1), 10)
	parked.Store(id, client)
	w.Header().Set(serving.WebSocketHeader, id)
	w.WriteHeader(http.StatusSwitchingProtocols)
	return server, nil
}

// pipeEnd is one end of a WebSocket that Go reads at both ends
// (State.AcceptConn). Writes never wait: the reader's queue holds them.
type pipeEnd struct {
	peer   *pipeEnd
	notify chan struct{}

	mu        sync.Mutex
	inbox     []message
	received  *durable.CloseError // the peer's close frame, once read
	sentClose bool
}

func (p *pipeEnd) push(m message) {
	p.mu.Lock()
	p.inbox = append(p.inbox, m)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Read returns the next message. On the peer's close frame it answers with
// the same code, as WebSocket libraries do, and returns the close.
func (p *pipeEnd) Read(ctx context.Context) (durable.MessageType, []byte, error) {
	for {
		p.mu.Lock()
		if p.received != nil {
			err := p.received
			p.mu.Unlock()
			return 0, nil, err
		}
		if len(p.inbox) > 0 {
			m := p.inbox[0]
			p.inbox = p.inbox[1:]
			if m.close == nil {
				p.mu.Unlock()
				return m.typ, m.data, nil
			}
			p.received = m.close
			answer := !p.sentClose
			p.sentClose = true
			p.mu.Unlock()
			if answer {
				p.peer.push(m)
			}
			return 0, nil, m.close
		}
		p.mu.Unlock()
		select {
		case <-p.notify:
		case <-ctx.Done():
			return 0, nil, fmt.Errorf("durable: WebSocket read: %w", ctx.Err())
		}
	}
}

func (p *pipeEnd) Write(ctx context.Context, typ durable.MessageType, data []byte) error {
	p.mu.Lock()
	closed := p.sentClose || p.received != nil
	p.mu.Unlock()
	if closed {
		return fmt.Errorf("durable: WebSocket write: %w", durable.ErrWebSocketClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("durable: WebSocket write: %w", err)
	}
	p.peer.push(message{typ: typ, data: slices.Clone(data)})
	return nil
}

func (p *pipeEnd) Close(code int, reason string) error {
	p.mu.Lock()
	already := p.sentClose
	p.sentClose = true
	p.mu.Unlock()
	if !already {
		p.peer.push(message{close: &durable.CloseError{Code: code, Reason: reason}})
	}
	return nil
}
