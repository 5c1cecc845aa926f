package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
)

// The Peer accepts hibernatable WebSockets at /ws (?tags=a,b&attachment=json)
// and answers text commands "verb" or "verb:argument" with "verb:answer";
// binary messages come back reversed. The scenarios dial it from the
// Scenario object with Stub.DialWebSocket, so the client end is Go too.

func (p *peer) webSocket(w http.ResponseWriter, r *http.Request) {
	var tags []string
	if t := r.URL.Query().Get("tags"); t != "" {
		tags = strings.Split(t, ",")
	}
	ws, err := p.state.AcceptWebSocket(w, r, &durable.AcceptOptions{Tags: tags})
	if errors.Is(err, durable.ErrNotWebSocket) {
		durable.RefuseUpgrade(w)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if a := r.URL.Query().Get("attachment"); a != "" {
		if err := durable.SetAttachment(ws, json.RawMessage(a)); err != nil {
			ws.Close(4000, "bad attachment")
		}
	}
}

// conn accepts a plain WebSocket and echoes it from a goroutine, prefixing
// each text message with the count of messages so far, kept in storage.
func (p *peer) conn(w http.ResponseWriter, r *http.Request) {
	conn, err := p.state.AcceptConn(w, r)
	if err != nil {
		durable.RefuseUpgrade(w)
		return
	}
	go func() {
		defer conn.Close(1000, "")
		ctx := context.Background()
		for {
			typ, data, err := conn.Read(ctx)
			if err != nil {
				p.state.Storage().SQL().Exec(`INSERT INTO events (what) VALUES (?)`, fmt.Sprintf("conn-end %v", errors.Is(err, durable.ErrWebSocketClosed)))
				return
			}
			if typ == durable.MessageText {
				p.state.Storage().SQL().Exec(`INSERT INTO events (what) VALUES ('conn-message')`)
				res, err := p.state.Storage().SQL().Exec(`SELECT count(*) FROM events WHERE what = 'conn-message'`)
				var n int64
				if err == nil {
					err = res.One(&n)
				}
				data = fmt.Appendf(nil, "%d %s %v", n, data, err)
			}
			if err := conn.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}()
}

func (p *peer) autoResponse(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("clear") {
		p.state.ClearWebSocketAutoResponse()
		return
	}
	if err := p.state.SetWebSocketAutoResponse(q.Get("request"), q.Get("response")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// WebSocketMessage answers the scenarios' commands.
func (p *peer) WebSocketMessage(_ context.Context, ws *durable.WebSocket, typ durable.MessageType, data []byte) error {
	if typ == durable.MessageBinary {
		out := slices.Clone(data)
		slices.Reverse(out)
		return ws.Send(durable.MessageBinary, out)
	}
	verb, arg, _ := strings.Cut(string(data), ":")
	answer := func(s string) error { return ws.SendText(verb + ":" + s) }
	switch verb {
	case "echo":
		return answer(arg)
	case "tags":
		return answer(strings.Join(ws.Tags(), ","))
	case "count":
		return answer(fmt.Sprint(len(p.state.WebSockets(arg))))
	case "attachment":
		v, ok, err := durable.Attachment[json.RawMessage](ws)
		if err != nil || !ok {
			return answer(fmt.Sprintf("none %v", err))
		}
		return answer(string(v))
	case "set-attachment":
		var v any
		if arg != "" {
			v = json.RawMessage(arg)
		}
		return answer(fmt.Sprint(durable.SetAttachment(ws, v)))
	case "big-attachment":
		err := durable.SetAttachment(ws, strings.Repeat("x", durable.MaxAttachmentSize-1))
		return answer(fmt.Sprint(errors.Is(err, durable.ErrWebSocketLimit)))
	case "max-attachment":
		// The largest attachment: a JSON string of exactly the limit.
		return answer(fmt.Sprint(durable.SetAttachment(ws, strings.Repeat("x", durable.MaxAttachmentSize-4)+"é")))
	case "autots":
		at, ok := ws.AutoResponseTimestamp()
		return answer(fmt.Sprint(ok, ok && time.Since(at) < time.Minute && time.Until(at) < time.Minute))
	case "close":
		code, reason, _ := strings.Cut(arg, ":")
		var n int
		fmt.Sscan(code, &n)
		return ws.Close(n, reason)
	case "panic":
		panic("peer's WebSocketMessage panics on purpose")
	}
	return answer("unknown")
}

// WebSocketClose records the close as an event.
func (p *peer) WebSocketClose(_ context.Context, ws *durable.WebSocket, code int, reason string, wasClean bool) error {
	_, err := p.state.Storage().SQL().Exec(`INSERT INTO events (what) VALUES (?)`, fmt.Sprintf("ws-close %d %s %v", code, reason, wasClean))
	return err
}

// dial opens a WebSocket to the peer of the given name.
func dial(t T, o *Object, peer, query string) *durable.Conn {
	t.Helper()
	stub := peerStub(t, o, PeerBinding, o.Unique(peer))
	req, err := http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/ws?"+query, nil)
	must(t, err, "NewRequest")
	conn, err := stub.DialWebSocket(req)
	must(t, err, "DialWebSocket")
	return conn
}

// ask sends a text command and returns the answer's text after "verb:".
func ask(t T, o *Object, conn *durable.Conn, command string) string {
	t.Helper()
	must(t, conn.Write(o.Ctx, durable.MessageText, []byte(command)), "Write "+command)
	typ, data, err := read(o, conn)
	must(t, err, "Read after "+command)
	same(t, "type of the answer to "+command, typ, durable.MessageText)
	verb, _, _ := strings.Cut(command, ":")
	answer, ok := strings.CutPrefix(string(data), verb+":")
	if !ok {
		t.Fatalf("answer to %q = %q", command, data)
	}
	return answer
}

func read(o *Object, conn *durable.Conn) (durable.MessageType, []byte, error) {
	ctx, cancel := context.WithTimeout(o.Ctx, 5*time.Second)
	defer cancel()
	return conn.Read(ctx)
}

// peerEvents polls the peer's events until one contains want.
func peerEvents(t T, o *Object, peer, want string) string {
	t.Helper()
	stub := peerStub(t, o, PeerBinding, o.Unique(peer))
	var body string
	for range 40 {
		_, body = call(t, o, stub, http.MethodGet, "https://peer/events", nil)
		if strings.Contains(body, want) {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	return body
}

// discard is a ResponseWriter for calls that must fail before answering.
func discard() http.ResponseWriter { return httptest.NewRecorder() }

func init() {
	add("websocket/text-and-binary", func(t T, o *Object) {
		conn := dial(t, o, "ws-echo", "")
		same(t, "echo", ask(t, o, conn, "echo:héllo, wörld"), "héllo, wörld")
		same(t, "empty echo", ask(t, o, conn, "echo:"), "")
		must(t, conn.Write(o.Ctx, durable.MessageBinary, []byte{0, 1, 2, 255}), "Write binary")
		typ, data, err := read(o, conn)
		must(t, err, "Read binary")
		same(t, "binary type", typ, durable.MessageBinary)
		same(t, "binary reversed", data, []byte{255, 2, 1, 0})
		// A Read whose context ends consumes nothing: the next message goes
		// to the next Read.
		short, cancel := context.WithTimeout(o.Ctx, 30*time.Millisecond)
		_, _, err = conn.Read(short)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Read with nothing to read = %v, want DeadlineExceeded", err)
		}
		same(t, "echo after a timed-out Read", ask(t, o, conn, "echo:after"), "after")
		if err := conn.Write(o.Ctx, durable.MessageText, []byte{'a', 0xff}); err == nil {
			t.Errorf("Write of text that is not UTF-8 succeeded")
		}
		conn.Close(1000, "")
	})
	add("websocket/tags-and-listing", func(t T, o *Object) {
		a := dial(t, o, "ws-tags", "tags=red,blue,red")
		b := dial(t, o, "ws-tags", "tags=blue")
		same(t, "tags, duplicates once", ask(t, o, a, "tags"), "red,blue")
		same(t, "no tags", ask(t, o, dial(t, o, "ws-tags", ""), "tags"), "")
		same(t, "count red", ask(t, o, b, "count:red"), "1")
		same(t, "count blue", ask(t, o, b, "count:blue"), "2")
		same(t, "count green", ask(t, o, b, "count:green"), "0")
		same(t, "count all", ask(t, o, b, "count"), "3")
		a.Close(1000, "")
		// A closed socket leaves the listing once its close is handled.
		peerEvents(t, o, "ws-tags", "ws-close 1000")
		same(t, "count red after close", ask(t, o, b, "count:red"), "0")
	})
	add("websocket/attachment-roundtrip", func(t T, o *Object) {
		conn := dial(t, o, "ws-attach", `attachment={"n":1,"s":"x"}`)
		same(t, "attachment", ask(t, o, conn, "attachment"), `{"n":1,"s":"x"}`)
		same(t, "set", ask(t, o, conn, `set-attachment:[1,"two",null]`), "<nil>")
		same(t, "attachment after set", ask(t, o, conn, "attachment"), `[1,"two",null]`)
		same(t, "over the limit", ask(t, o, conn, "big-attachment"), "true")
		same(t, "kept after refusal", ask(t, o, conn, "attachment"), `[1,"two",null]`)
		same(t, "at the limit", ask(t, o, conn, "max-attachment"), "<nil>")
		same(t, "remove", ask(t, o, conn, "set-attachment:"), "<nil>")
		same(t, "removed", ask(t, o, conn, "attachment"), "none <nil>")
		fresh := dial(t, o, "ws-attach", "")
		same(t, "none on a new socket", ask(t, o, fresh, "attachment"), "none <nil>")
	})
	add("websocket/auto-response", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("ws-auto"))
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/ws-auto?request=ping&response=pong", nil)
		same(t, "set status "+body, resp.StatusCode, http.StatusOK)
		conn := dial(t, o, "ws-auto", "")
		same(t, "no timestamp yet", ask(t, o, conn, "autots"), "false false")
		must(t, conn.Write(o.Ctx, durable.MessageText, []byte("ping")), "Write ping")
		_, data, err := read(o, conn)
		must(t, err, "Read pong")
		same(t, "auto-response", string(data), "pong")
		same(t, "timestamp", ask(t, o, conn, "autots"), "true true")
		// Only the exact text is answered; anything else reaches the object.
		same(t, "other text", ask(t, o, conn, "pingx"), "unknown")
		call(t, o, stub, http.MethodGet, "https://peer/ws-auto?clear", nil)
		same(t, "cleared", ask(t, o, conn, "ping"), "unknown")
		resp, body = call(t, o, stub, http.MethodGet, "https://peer/ws-auto?request=ping&response="+strings.Repeat("y", durable.MaxAutoResponseSize+1), nil)
		same(t, "too large status", resp.StatusCode, http.StatusBadRequest)
		if !strings.Contains(body, "at most 2048 bytes") {
			t.Errorf("too large: %q", body)
		}
	})
	add("websocket/close-both-ways", func(t T, o *Object) {
		a := dial(t, o, "ws-close", "")
		must(t, a.Write(o.Ctx, durable.MessageText, []byte("close:4001:server bye")), "Write close")
		_, _, err := read(o, a)
		var ce *durable.CloseError
		if !errors.As(err, &ce) || ce.Code != 4001 || ce.Reason != "server bye" {
			t.Fatalf("Read after the server closed = %v, want CloseError 4001 \"server bye\"", err)
		}
		if !errors.Is(err, durable.ErrWebSocketClosed) {
			t.Errorf("CloseError does not match ErrWebSocketClosed")
		}
		if err := a.Write(o.Ctx, durable.MessageText, []byte("echo:late")); !errors.Is(err, durable.ErrWebSocketClosed) {
			t.Errorf("Write after close = %v, want ErrWebSocketClosed", err)
		}
		// The client's answer to the server's close reaches WebSocketClose.
		if ev := peerEvents(t, o, "ws-close", "ws-close 4001"); !strings.Contains(ev, "ws-close 4001 server bye true") {
			t.Errorf("events = %q", ev)
		}
		b := dial(t, o, "ws-close", "")
		must(t, b.Close(4002, "client bye"), "Close")
		if ev := peerEvents(t, o, "ws-close", "ws-close 4002"); !strings.Contains(ev, "ws-close 4002 client bye true") {
			t.Errorf("events = %q", ev)
		}
		if err := b.Close(1005, ""); err == nil {
			t.Errorf("Close(1005) succeeded; a client may not send 1005")
		}
	})
	add("websocket/plain-conn-echo", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("ws-conn"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/ws-conn", nil)
		conn, err := stub.DialWebSocket(req)
		must(t, err, "DialWebSocket")
		for i, msg := range []string{"one", "two"} {
			must(t, conn.Write(o.Ctx, durable.MessageText, []byte(msg)), "Write")
			_, data, err := read(o, conn)
			must(t, err, "Read")
			same(t, "echo", string(data), fmt.Sprintf("%d %s <nil>", i+1, msg))
		}
		must(t, conn.Write(o.Ctx, durable.MessageBinary, []byte{3, 2, 1}), "Write binary")
		typ, data, err := read(o, conn)
		must(t, err, "Read binary")
		same(t, "binary echo", []any{typ, data}, []any{durable.MessageBinary, []byte{3, 2, 1}})
		must(t, conn.Close(1000, "done"), "Close")
		if ev := peerEvents(t, o, "ws-conn", "conn-end"); !strings.Contains(ev, "conn-end true") {
			t.Errorf("events = %q, want the peer's Read to end with ErrWebSocketClosed", ev)
		}
		// A plain GET to the same route is refused.
		resp, _ := call(t, o, stub, http.MethodGet, "https://peer/ws-conn", nil)
		same(t, "plain GET status", resp.StatusCode, http.StatusUpgradeRequired)
	})
	add("websocket/handler-panic-keeps-serving", func(t T, o *Object) {
		conn := dial(t, o, "ws-panic", "")
		must(t, conn.Write(o.Ctx, durable.MessageText, []byte("panic")), "Write panic")
		same(t, "after the panic", ask(t, o, conn, "echo:alive"), "alive")
	})
	add("websocket/dial-refused", func(t T, o *Object) {
		stub := peerStub(t, o, PeerBinding, o.Unique("ws-refused"))
		req, _ := http.NewRequestWithContext(o.Ctx, http.MethodGet, "https://peer/echo", nil)
		_, err := stub.DialWebSocket(req)
		if !errors.Is(err, durable.ErrNotWebSocket) || !strings.Contains(err.Error(), "status 200") {
			t.Errorf("DialWebSocket to /echo = %v, want ErrNotWebSocket with status 200", err)
		}
		resp, body := call(t, o, stub, http.MethodGet, "https://peer/ws", nil)
		same(t, "plain GET status", resp.StatusCode, http.StatusUpgradeRequired)
		if !strings.Contains(body, "WebSocket upgrade") {
			t.Errorf("426 body = %q", body)
		}
	})
	add("websocket/state-limits", func(t T, o *Object) {
		plain := httptest.NewRequest(http.MethodGet, "https://scenario/ws", nil).WithContext(o.Ctx)
		if _, err := o.State.AcceptWebSocket(discard(), plain, nil); !errors.Is(err, durable.ErrNotWebSocket) {
			t.Errorf("AcceptWebSocket(no upgrade) = %v, want ErrNotWebSocket", err)
		}
		up := plain.Clone(o.Ctx)
		up.Header.Set("Upgrade", "websocket")
		eleven := make([]string, 11)
		for i := range eleven {
			eleven[i] = fmt.Sprint("t", i)
		}
		if _, err := o.State.AcceptWebSocket(discard(), up, &durable.AcceptOptions{Tags: eleven}); !errors.Is(err, durable.ErrWebSocketLimit) {
			t.Errorf("AcceptWebSocket(11 tags) = %v, want ErrWebSocketLimit", err)
		}
		if _, err := o.State.AcceptWebSocket(discard(), up, &durable.AcceptOptions{Tags: []string{strings.Repeat("x", 257)}}); !errors.Is(err, durable.ErrWebSocketLimit) {
			t.Errorf("AcceptWebSocket(257-byte tag) = %v, want ErrWebSocketLimit", err)
		}
		same(t, "no sockets", len(o.State.WebSockets("")), 0)

		_, _, ok := o.State.WebSocketAutoResponse()
		same(t, "no auto-response at first", ok, false)
		must(t, o.State.SetWebSocketAutoResponse("ping", "pong"), "SetWebSocketAutoResponse")
		req, resp, ok := o.State.WebSocketAutoResponse()
		same(t, "auto-response", []any{req, resp, ok}, []any{"ping", "pong", true})
		if err := o.State.SetWebSocketAutoResponse(strings.Repeat("x", 2049), "y"); !errors.Is(err, durable.ErrWebSocketLimit) {
			t.Errorf("SetWebSocketAutoResponse(2049 bytes) = %v, want ErrWebSocketLimit", err)
		}
		o.State.ClearWebSocketAutoResponse()
		_, _, ok = o.State.WebSocketAutoResponse()
		same(t, "auto-response cleared", ok, false)

		must(t, o.State.SetHibernatableWebSocketEventTimeout(1500*time.Millisecond), "SetHibernatableWebSocketEventTimeout")
		d, ok := o.State.HibernatableWebSocketEventTimeout()
		same(t, "event timeout", []any{d, ok}, []any{1500 * time.Millisecond, true})
		if err := o.State.SetHibernatableWebSocketEventTimeout(8 * 24 * time.Hour); !errors.Is(err, durable.ErrWebSocketLimit) {
			t.Errorf("SetHibernatableWebSocketEventTimeout(8 days) = %v, want ErrWebSocketLimit", err)
		}
		must(t, o.State.SetHibernatableWebSocketEventTimeout(0), "SetHibernatableWebSocketEventTimeout(0)")
		_, ok = o.State.HibernatableWebSocketEventTimeout()
		same(t, "event timeout cleared", ok, false)
	})
}
