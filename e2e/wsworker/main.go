// Command wsworker is the Worker of the WebSocket tests (e2e/websocket.test.mjs):
// a chat-room object that accepts hibernatable WebSockets with tags and
// attachments, answers text commands sent over them, and can restart itself
// to show that its sockets outlive its Go instance.
//
// Build it from the repository root:
//
//	go run ./cmd/durable-build -config e2e/wsworker/wrangler.jsonc ./e2e/wsworker
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/bridge"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{
		Front:   front,
		Objects: map[string]durable.Constructor{"Room": newRoom},
	})
}

// front relays /room/{name}/... to the Room of that name, upgrade requests
// included: the Room's 101 goes back through the front handler as it came.
func front(env durable.Env) http.Handler {
	rooms, err := env.Namespace("ROOM")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/room/{name}/{op...}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "https://room/"+r.PathValue("op")+"?"+r.URL.RawQuery, r.Body)
		req.Header = r.Header.Clone()
		resp, err := rooms.Get(rooms.IDFromName(r.PathValue("name"))).Fetch(req)
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
	// /dial/{name} talks to the Room over a WebSocket from Go: the front
	// handler is the client, and reports what it read.
	mux.HandleFunc("/dial/{name}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://room/ws?tags=go&user=gopher", nil)
		conn, err := rooms.Get(rooms.IDFromName(r.PathValue("name"))).DialWebSocket(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var got []string
		for _, m := range []struct {
			typ  durable.MessageType
			data string
		}{{durable.MessageText, "echo:from-go"}, {durable.MessageBinary, "\x01\x02"}, {durable.MessageText, "me"}, {durable.MessageText, "close:4003:done"}} {
			if err := conn.Write(r.Context(), m.typ, []byte(m.data)); err != nil {
				got = append(got, "write error: "+err.Error())
				break
			}
			typ, data, err := conn.Read(r.Context())
			if err != nil {
				got = append(got, "read error: "+err.Error())
				break
			}
			got = append(got, fmt.Sprintf("%v %q", typ, data))
		}
		json.NewEncoder(w).Encode(got)
	})
	// /marker answers 200 with the header that names WebSockets in a 101: it
	// must reach the client untouched.
	mux.HandleFunc("GET /marker", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Durable-Websocket", "not-a-socket")
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(bridge.ReadStats())
	})
	// /dial-url?url=... talks to a WebSocket server outside workerd.
	mux.HandleFunc("/dial-url", func(w http.ResponseWriter, r *http.Request) {
		conn, err := durable.DialWebSocket(r.Context(), r.URL.Query().Get("url"), http.Header{"X-Who": {"gopher"}})
		if err != nil {
			fmt.Fprintf(w, "dial: %v %v", errors.Is(err, durable.ErrNotWebSocket), err)
			return
		}
		conn.Write(r.Context(), durable.MessageText, []byte("hi"))
		_, data, err := conn.Read(r.Context())
		fmt.Fprintf(w, "%s %v;", data, err)
		conn.Write(r.Context(), durable.MessageBinary, []byte{1, 2})
		_, data, err = conn.Read(r.Context())
		fmt.Fprintf(w, " %v %v;", data, err)
		conn.Close(1000, "client done")
		_, _, err = conn.Read(r.Context())
		fmt.Fprintf(w, " %v", err)
	})
	// /dial-plain/{name} dials a route that is not a WebSocket.
	mux.HandleFunc("/dial-plain/{name}", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "https://room/closes", nil)
		_, err := rooms.Get(rooms.IDFromName(r.PathValue("name"))).DialWebSocket(req)
		fmt.Fprintf(w, "%v %v", errors.Is(err, durable.ErrNotWebSocket), err)
	})
	return mux
}

// member is a socket's attachment.
type member struct {
	User  string `json:"user"`
	Joins int    `json:"joins"`
}

type room struct {
	state    durable.State
	instance string // changes when the Go instance is made again
	// atStart is how many sockets the constructor saw.
	atStart int
}

func newRoom(state durable.State, _ durable.Env) (durable.Object, error) {
	b := make([]byte, 4)
	rand.Read(b)
	r := &room{state: state, instance: hex.EncodeToString(b), atStart: len(state.WebSockets(""))}
	_, err := state.Storage().SQL().Exec(`CREATE TABLE IF NOT EXISTS closes (code INTEGER, reason TEXT, clean INTEGER, user TEXT)`)
	return r, err
}

func (rm *room) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/ws":
		var tags []string
		if t := q.Get("tags"); t != "" {
			tags = strings.Split(t, ",")
		}
		ws, err := rm.state.AcceptWebSocket(w, r, &durable.AcceptOptions{Tags: tags})
		switch {
		case errors.Is(err, durable.ErrNotWebSocket):
			durable.RefuseUpgrade(w)
			return
		case errors.Is(err, durable.ErrWebSocketLimit):
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if u := q.Get("user"); u != "" {
			if err := durable.SetAttachment(ws, member{User: u, Joins: 1}); err != nil {
				ws.Close(4000, "attachment")
			}
		}
	case "/echo":
		// A plain WebSocket: Go reads and writes it on its own goroutine,
		// after the handler returned, and counts in storage meanwhile.
		conn, err := rm.state.AcceptConn(w, r)
		if err != nil {
			durable.RefuseUpgrade(w)
			return
		}
		go rm.echo(conn)
	case "/auto":
		var err error
		if q.Has("clear") {
			rm.state.ClearWebSocketAutoResponse()
		} else {
			err = rm.state.SetWebSocketAutoResponse(q.Get("request"), q.Get("response"))
		}
		req, resp, ok := rm.state.WebSocketAutoResponse()
		json.NewEncoder(w).Encode(map[string]any{"error": errString(err), "request": req, "response": resp, "set": ok})
	case "/closes":
		res, err := rm.state.Storage().SQL().Exec(`SELECT code, reason, clean, user FROM closes ORDER BY rowid`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var out []map[string]any
		for _, row := range res.Rows {
			var code, clean int64
			var reason, user string
			row.Scan(&code, &reason, &clean, &user)
			out = append(out, map[string]any{"code": code, "reason": reason, "clean": clean == 1, "user": user})
		}
		json.NewEncoder(w).Encode(out)
	case "/broadcast":
		n := 0
		for _, ws := range rm.state.WebSockets(q.Get("tag")) {
			if ws.SendText(q.Get("text")) == nil {
				n++
			}
		}
		fmt.Fprint(w, n)
	default:
		http.NotFound(w, r)
	}
}

// echo answers each message of a plain WebSocket with the number of messages
// echoed so far (kept in SQL) and the message; binary comes back as it was.
// "bye" closes from the server side.
func (rm *room) echo(conn *durable.Conn) {
	defer conn.Close(1000, "")
	ctx := context.Background()
	sql := rm.state.Storage().SQL()
	sql.Exec(`CREATE TABLE IF NOT EXISTS echoes (n INTEGER)`)
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if typ == durable.MessageBinary {
			conn.Write(ctx, typ, data)
			continue
		}
		if string(data) == "bye" {
			conn.Close(4010, "echo bye")
			continue
		}
		var n int64
		res, err := sql.Exec(`INSERT INTO echoes VALUES (1); SELECT count(*) FROM echoes`)
		if err == nil {
			err = res.One(&n)
		}
		if err != nil {
			conn.Write(ctx, durable.MessageText, []byte("error: "+err.Error()))
			continue
		}
		// A Go timer between read and write: the goroutine wakes outside
		// any request of the room, and must still reach workerd.
		time.Sleep(5 * time.Millisecond)
		conn.Write(ctx, durable.MessageText, []byte(fmt.Sprintf("%d %s", n, data)))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// WebSocketMessage answers a binary message with its bytes reversed, and text
// commands "verb" or "verb:argument".
func (rm *room) WebSocketMessage(ctx context.Context, ws *durable.WebSocket, typ durable.MessageType, data []byte) error {
	if typ == durable.MessageBinary {
		out := make([]byte, len(data))
		for i, b := range data {
			out[len(data)-1-i] = b
		}
		return ws.Send(durable.MessageBinary, out)
	}
	verb, arg, _ := strings.Cut(string(data), ":")
	reply := func(v any) error {
		b, _ := json.Marshal(v)
		return ws.SendText(verb + ":" + string(b))
	}
	switch verb {
	case "echo":
		return ws.SendText("echo:" + arg)
	case "instance":
		return reply(map[string]any{"instance": rm.instance, "atStart": rm.atStart})
	case "tags":
		return reply(ws.Tags())
	case "count":
		return reply(len(rm.state.WebSockets(arg)))
	case "who":
		var users []string
		for _, s := range rm.state.WebSockets(arg) {
			m, ok, err := durable.Attachment[member](s)
			if err != nil {
				return err
			}
			if ok {
				users = append(users, m.User)
			}
		}
		return reply(users)
	case "me":
		m, ok, err := durable.Attachment[member](ws)
		return reply(map[string]any{"member": m, "ok": ok, "error": errString(err)})
	case "rejoin":
		m, _, _ := durable.Attachment[member](ws)
		m.Joins++
		return reply(errString(durable.SetAttachment(ws, m)))
	case "big-attachment":
		err := durable.SetAttachment(ws, strings.Repeat("x", durable.MaxAttachmentSize))
		return reply(map[string]any{"limit": errors.Is(err, durable.ErrWebSocketLimit), "error": errString(err)})
	case "big-message":
		err := ws.Send(durable.MessageBinary, make([]byte, durable.MaxMessageSize+1))
		return reply(map[string]any{"limit": errors.Is(err, durable.ErrWebSocketLimit), "error": errString(err)})
	case "autots":
		t, ok := ws.AutoResponseTimestamp()
		return reply(map[string]any{"ok": ok, "ms": t.UnixMilli()})
	case "timeout":
		ms, _ := strconv.Atoi(arg)
		err := rm.state.SetHibernatableWebSocketEventTimeout(time.Duration(ms) * time.Millisecond)
		d, ok := rm.state.HibernatableWebSocketEventTimeout()
		return reply(map[string]any{"error": errString(err), "ms": d.Milliseconds(), "set": ok})
	case "close":
		code, reason, _ := strings.Cut(arg, ":")
		n, _ := strconv.Atoi(code)
		return ws.Close(n, reason)
	case "restart":
		// Drop the Go instance, as eviction does: the next event constructs
		// the room again, and its sockets must still be there.
		return reply(errString(bridge.RestartObject(rm.state.ID())))
	case "panic":
		panic("the handler panicked on purpose")
	case "exit":
		// A panic no handler recovers ends the whole Go program; workerd keeps
		// the sockets, and the next event boots a new one.
		go func() { panic("the Go program ends on purpose") }()
		return nil
	case "fail":
		return errors.New("the handler failed on purpose")
	}
	return ws.SendText("unknown:" + verb)
}

// WebSocketError records the failure in storage, where the test reads it.
func (rm *room) WebSocketError(ctx context.Context, ws *durable.WebSocket, err error) error {
	m, _, _ := durable.Attachment[member](ws)
	_, e := rm.state.Storage().SQL().Exec(`INSERT INTO closes VALUES (?, ?, ?, ?)`, -1, err.Error(), false, m.User)
	return e
}

// WebSocketClose records the close in storage, where the test reads it.
func (rm *room) WebSocketClose(ctx context.Context, ws *durable.WebSocket, code int, reason string, wasClean bool) error {
	m, _, _ := durable.Attachment[member](ws)
	_, err := rm.state.Storage().SQL().Exec(`INSERT INTO closes VALUES (?, ?, ?, ?)`, code, reason, wasClean, m.User)
	return err
}
