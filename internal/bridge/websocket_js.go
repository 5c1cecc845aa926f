//go:build js && wasm

package bridge

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wswrap"
)

// A WebSocket's client end stays in JavaScript (websocket.mjs parks it under a
// random name); the handler's 101 response names it in serving.WebSocketHeader,
// and the entry module's Response takes it from there.

// AcceptWebSocket accepts r as a hibernatable WebSocket of the object
// (ctx.acceptWebSocket) and makes the handler's response a 101 that carries
// the client end.
func (s *state) AcceptWebSocket(w http.ResponseWriter, r *http.Request, tags []string) (any, error) {
	c := s.storage.ctx
	var ws *hibernatable
	err := c.run(func() error {
		jsTags := make([]any, len(tags))
		for i, t := range tags {
			jsTags[i] = t
		}
		pair, err := call(host, "wsAccept", s.v, jsTags)
		if err != nil {
			return err
		}
		w.Header().Set(serving.WebSocketHeader, pair.Index(0).String())
		ws = &hibernatable{c: c, state: s.v, v: pair.Index(1)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("durable: accepting a WebSocket: %w", err)
	}
	w.WriteHeader(http.StatusSwitchingProtocols)
	return ws, nil
}

func (s *state) WebSockets(tag string) []any {
	c := s.storage.ctx
	var out []any
	err := c.run(func() error {
		list, err := call(host, "wsSockets", s.v, tag)
		if err != nil {
			return err
		}
		n := list.Length()
		out = make([]any, n)
		for i := range n {
			out[i] = &hibernatable{c: c, state: s.v, v: list.Index(i)}
		}
		return nil
	})
	if err != nil {
		log.Printf("durable: listing WebSockets: %v", err)
	}
	return out
}

func (s *state) SetWebSocketAutoResponse(request, response string) error {
	return s.storage.ctx.run(func() error {
		_, err := call(host, "wsSetAutoResponse", s.v, request, response)
		return err
	})
}

func (s *state) ClearWebSocketAutoResponse() {
	s.storage.ctx.run(func() error {
		_, err := call(s.v, "setWebSocketAutoResponse")
		return err
	})
}

func (s *state) WebSocketAutoResponse() (request, response string, ok bool) {
	s.storage.ctx.run(func() error {
		pair, err := call(host, "wsAutoResponse", s.v)
		if err != nil || pair.IsNull() {
			return err
		}
		request, response, ok = pair.Index(0).String(), pair.Index(1).String(), true
		return nil
	})
	return request, response, ok
}

func (s *state) SetHibernatableWebSocketEventTimeout(d time.Duration) error {
	return s.storage.ctx.run(func() error {
		_, err := call(s.v, "setHibernatableWebSocketEventTimeout", d.Milliseconds())
		return err
	})
}

func (s *state) HibernatableWebSocketEventTimeout() (d time.Duration, ok bool) {
	s.storage.ctx.run(func() error {
		v, err := call(s.v, "getHibernatableWebSocketEventTimeout")
		if err != nil || v.Type() != js.TypeNumber {
			return err
		}
		d, ok = time.Duration(v.Int())*time.Millisecond, true
		return nil
	})
	return d, ok
}

// hibernatable is the server end of a hibernatable WebSocket. Every call runs
// in the object's context, which needs an event in flight.
type hibernatable struct {
	c     *ioContext
	state js.Value
	v     js.Value
}

func (ws *hibernatable) Send(typ durable.MessageType, data []byte) error {
	err := ws.c.run(func() error {
		var payload any = string(data)
		if typ == durable.MessageBinary {
			payload = bytesToJS(data)
		}
		why, err := call(host, "wsSend", ws.v, int(typ), payload)
		if err == nil && why.String() != "" {
			err = durable.ErrWebSocketClosed
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("durable: WebSocket send: %w", err)
	}
	return nil
}

func (ws *hibernatable) Close(code int, reason string) error {
	err := ws.c.run(func() error {
		_, err := call(host, "wsClose", ws.v, code, reason)
		return err
	})
	if err != nil {
		return fmt.Errorf("durable: WebSocket close: %w", err)
	}
	return nil
}

func (ws *hibernatable) Tags() []string {
	var tags []string
	ws.c.run(func() error {
		list, err := call(ws.state, "getTags", ws.v)
		if err != nil {
			return err
		}
		n := list.Length()
		tags = make([]string, n)
		for i := range n {
			tags[i] = list.Index(i).String()
		}
		return nil
	})
	return tags
}

func (ws *hibernatable) Attachment() (text string, ok bool, err error) {
	err = ws.c.run(func() error {
		v, err := call(host, "wsAttachment", ws.v)
		if err != nil || v.IsNull() {
			return err
		}
		text, ok = v.String(), true
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("durable: WebSocket attachment: %w", err)
	}
	return text, ok, nil
}

func (ws *hibernatable) SetAttachment(text string, ok bool) error {
	err := ws.c.run(func() error {
		var v any = text
		if !ok {
			v = js.Null()
		}
		_, err := call(ws.v, "serializeAttachment", v)
		return err
	})
	if err != nil {
		return fmt.Errorf("durable: WebSocket attachment: %w", err)
	}
	return nil
}

func (ws *hibernatable) AutoResponseTimestamp() (t time.Time, ok bool) {
	ws.c.run(func() error {
		ms, err := call(host, "wsTimestamp", ws.state, ws.v)
		if err != nil || ms.Float() < 0 {
			return err
		}
		t, ok = time.UnixMilli(int64(ms.Float())), true
		return nil
	})
	return t, ok
}

// webSocket(ctx, event, resolve, reject) runs a hibernatable WebSocket event
// (webSocketMessage, webSocketClose, webSocketError) on an instance,
// constructing it first when it was evicted or restarted.
func (rt *isolate) webSocket(args []js.Value) any {
	c, o := rt.lookup(int32(args[0].Int()))
	if c == nil || o == nil {
		args[3].Invoke(fmt.Sprintf("durable: no object with context %d in this Go runtime", args[0].Int()))
		return nil
	}
	c.enter()
	data, resolve, reject := args[1], args[2], args[3]
	// The event's values are read now, while Go runs in c.
	ev := wswrap.Event{
		Kind:   wswrap.Kind(data.Get("kind").Int()),
		Socket: &hibernatable{c: c, state: o.state.v, v: data.Get("ws")},
	}
	switch ev.Kind {
	case wswrap.Message:
		ev.Type = data.Get("type").Int()
		ev.Data = bytesOf(data.Get("data"))
	case wswrap.Close:
		ev.Code = data.Get("code").Int()
		ev.Reason = data.Get("reason").String()
		ev.WasClean = data.Get("wasClean").Truthy()
	case wswrap.Error:
		ev.Err = errors.New(data.Get("error").String())
	}
	c.startEvent(func(ctx context.Context) error {
		inst, err := o.get()
		if err == nil {
			// The handler's error is logged; the event succeeds, so workerd
			// keeps the socket and the object as they are.
			wswrap.Deliver(ctx, inst, ev, log.Printf)
		} else {
			log.Printf("durable: %s: %v", ev.Kind, err)
		}
		return err
	}, func(err error) {
		if err != nil {
			reject.Invoke(err.Error())
		} else {
			resolve.Invoke(js.Null())
		}
	})
	return nil
}

func init() { wswrap.DialURL = dialURL }

// dialURL connects to a WebSocket server with fetch in the context of the
// request ctx belongs to.
func dialURL(ctx context.Context, rawURL string, header http.Header) (any, error) {
	c := ioContextFrom(ctx)
	if c == nil {
		return nil, fmt.Errorf("durable: dialing %s: pass the handler's request context (r.Context()): on workerd the connection belongs to that request", rawURL)
	}
	if err := c.checkCanWait(); err != nil {
		return nil, fmt.Errorf("durable: dialing %s: %w", rawURL, err)
	}
	v, err := c.await(ctx, func() (js.Value, error) {
		pairs := make([]any, 0, len(header))
		for name, values := range header {
			for _, value := range values {
				pairs = append(pairs, []any{name, value})
			}
		}
		return call(host, "wsDial", rawURL, pairs)
	})
	if err != nil {
		return nil, fmt.Errorf("durable: dialing %s: %w", rawURL, err)
	}
	if jsConn := v.Get("conn"); jsConn.Type() == js.TypeObject {
		return &conn{c: c, v: jsConn}, nil
	}
	return nil, fmt.Errorf("%w: %s answered status %d: %q", durable.ErrNotWebSocket, rawURL, v.Get("status").Int(), v.Get("body").String())
}

// TakeWebSocket takes the WebSocket a stub fetch was answered with (parked by
// websocket.mjs) and accepts it for Go to read, in the context of the request
// that ctx belongs to.
func (s *stub) TakeWebSocket(ctx context.Context, name string) (any, error) {
	c := ioContextFrom(ctx)
	if c == nil {
		c = s.ns.owner
	}
	if c == nil {
		return nil, serving.ErrFrontStubContext
	}
	var v js.Value
	err := c.run(func() error {
		var err error
		v, err = call(host, "wsConn", name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &conn{c: c, v: v}, nil
}

// conn is a WebSocket Go reads: websocket.mjs's Conn, which queues the
// socket's messages until Go asks for them.
type conn struct {
	c *ioContext
	v js.Value

	// done is closed when an accepted conn closes, which ends the event
	// that holds its object in flight (wsHold).
	done chan struct{}
	once sync.Once
}

// finish ends an accepted conn's hold.
func (k *conn) finish() {
	if k.done != nil {
		k.once.Do(func() { close(k.done) })
	}
}

// AcceptConn answers r with a WebSocket that Go reads (accept(), not
// hibernatable), and starts the event that keeps the object in flight while
// the socket is open: workerd allows the object's I/O only during an event,
// and the fetch that accepted it ends with the 101.
func (s *state) AcceptConn(w http.ResponseWriter, r *http.Request) (any, error) {
	c := s.storage.ctx
	k := &conn{c: c, done: make(chan struct{})}
	err := c.run(func() error {
		pair, err := call(host, "wsAcceptConn")
		if err != nil {
			return err
		}
		k.v = pair.Index(1)
		id := nextHold.Add(1)
		k.v.Set("holdID", id)
		holds.Store(id, k)
		if _, err := call(host, "wsHold", c.id, k.v); err != nil {
			holds.Delete(id)
			return err
		}
		w.Header().Set(serving.WebSocketHeader, pair.Index(0).String())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("durable: accepting a WebSocket: %w", err)
	}
	w.WriteHeader(http.StatusSwitchingProtocols)
	return k, nil
}

// closeGrace is how long an accepted conn's event outlives the socket's close
// when Go does not call Close.
const closeGrace = 10 * time.Second

// holds maps the number of an accepted conn (holdID on its JavaScript Conn)
// to it, until its hold event starts.
var (
	holds    sync.Map // int64 → *conn
	nextHold atomic.Int64
)

// wsHold(ctx, conn, resolve, reject) is the event that holds an accepted
// conn's object in flight until the conn closes, from either side.
func (rt *isolate) wsHold(args []js.Value) any {
	c, _ := rt.lookup(int32(args[0].Int()))
	v, resolve := args[1], args[2]
	found, ok := holds.LoadAndDelete(int64(v.Get("holdID").Int()))
	if c == nil || !ok {
		args[3].Invoke("durable: no WebSocket to hold")
		return nil
	}
	k := found.(*conn)
	c.enter()
	c.beginEvent()
	// Once the socket closed, Go has closeGrace to read what is left and
	// clean up (storage calls need the event) before the event ends without
	// a Close.
	onClosed := c.funcOf(func([]js.Value) any { time.AfterFunc(closeGrace, k.finish); return nil })
	v.Set("onClosed", onClosed)
	go func() {
		defer c.endEvent()
		<-k.done
		c.run(func() error {
			v.Set("onClosed", js.Null())
			release(onClosed)
			resolve.Invoke(js.Null())
			return nil
		})
	}()
	return nil
}

func (k *conn) Read(ctx context.Context) (durable.MessageType, []byte, error) {
	m, err := k.c.await(ctx, func() (js.Value, error) { return call(host, "wsRead", k.v) })
	if err != nil {
		return 0, nil, fmt.Errorf("durable: WebSocket read: %w", err)
	}
	if m.Get("cancelled").Truthy() {
		return 0, nil, errors.New("durable: WebSocket read: superseded by another Read")
	}
	if m.Get("closed").Truthy() {
		return 0, nil, &durable.CloseError{Code: m.Get("code").Int(), Reason: m.Get("reason").String()}
	}
	return durable.MessageType(m.Get("type").Int()), bytesOf(m.Get("data")), nil
}

func (k *conn) Write(ctx context.Context, typ durable.MessageType, data []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("durable: WebSocket write: %w", err)
	}
	ws := &hibernatable{c: k.c, v: k.v.Get("ws")}
	return ws.Send(typ, data)
}

func (k *conn) Close(code int, reason string) error {
	ws := &hibernatable{c: k.c, v: k.v.Get("ws")}
	err := ws.Close(code, reason)
	k.finish()
	return err
}
