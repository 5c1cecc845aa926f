package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// SquareBinding is the binding name of the Square namespace in wrangler.jsonc.
const SquareBinding = "SQUARE"

// MaxMessageLength is the longest chat message, in characters, a square takes.
const MaxMessageLength = 500

// Square is the chat room of one name. Each person is a hibernatable WebSocket
// tagged with their name; their rate-limit bucket rides in the socket's
// attachment, so an idle room can leave memory without forgetting anyone.
type Square struct {
	state   durable.State
	storage durable.Storage
	history history
	mux     *http.ServeMux
}

// member is what a square keeps with each socket.
type member struct {
	Name   string `json:"name"`
	Bucket bucket `json:"bucket"`
	Left   bool   `json:"left,omitempty"` // closing: no longer on the roster
}

// squareEvent is one message from a square to its clients.
type squareEvent struct {
	Type     string    `json:"type"` // "history", "message", "roster" or "error"
	Messages []message `json:"messages,omitempty"`
	Message  *message  `json:"message,omitempty"`
	Names    []string  `json:"names,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// NewSquare opens the room's history. The auto-response lets clients keep
// their connection alive with "ping" without waking a hibernating room.
func NewSquare(state durable.State, env durable.Env) (durable.Object, error) {
	h, err := newHistory(state.Storage().SQL())
	if err != nil {
		return nil, err
	}
	if err := state.SetWebSocketAutoResponse("ping", "pong"); err != nil {
		return nil, err
	}
	s := &Square{state: state, storage: state.Storage(), history: h, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /ws", s.join)
	s.mux.HandleFunc("POST /announce", s.announce)
	return s, nil
}

// ServeHTTP implements durable.Object.
func (s *Square) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Square) join(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if err := CheckName(name); err != nil {
		http.Error(w, "Bad name: "+err.Error(), http.StatusBadRequest)
		return
	}
	ws, err := s.state.AcceptWebSocket(w, r, &durable.AcceptOptions{Tags: []string{name}})
	if errors.Is(err, durable.ErrNotWebSocket) {
		durable.RefuseUpgrade(w)
		return
	}
	if err != nil {
		log.Printf("square: accepting %s: %v", name, err)
		http.Error(w, "could not join the square", http.StatusInternalServerError)
		return
	}
	if err := durable.SetAttachment(ws, member{Name: name, Bucket: fullBucket(time.Now())}); err != nil {
		log.Printf("square: %v", err)
	}
	recent, err := s.history.recent()
	if err != nil {
		log.Printf("square: reading history: %v", err)
	}
	send(ws, squareEvent{Type: "history", Messages: recent})
	s.sendRoster()
}

// announce posts a message from inside the village (the town clock).
func (s *Square) announce(w http.ResponseWriter, r *http.Request) {
	var in struct{ Who, Text string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Who == "" || in.Text == "" {
		http.Error(w, `announce takes JSON {"who": "…", "text": "…"}`, http.StatusBadRequest)
		return
	}
	if err := s.post(newMessage(time.Now(), in.Who, in.Text, "clock")); err != nil {
		log.Printf("square: announcing: %v", err)
		http.Error(w, "could not post the announcement", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// WebSocketMessage takes one chat message: JSON {"text": "…"}.
func (s *Square) WebSocketMessage(ctx context.Context, ws *durable.WebSocket, typ durable.MessageType, data []byte) error {
	m, ok, err := durable.Attachment[member](ws)
	if err != nil || !ok {
		ws.Close(1011, "this connection lost its member record; join again")
		return fmt.Errorf("square: socket without a member: %v", err)
	}
	var in struct {
		Text string `json:"text"`
	}
	if typ != durable.MessageText || json.Unmarshal(data, &in) != nil {
		send(ws, squareEvent{Type: "error", Error: `messages are JSON text: {"text": "…"}`})
		return nil
	}
	text := strings.TrimSpace(in.Text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxMessageLength || !utf8.ValidString(text) {
		send(ws, squareEvent{Type: "error", Error: fmt.Sprintf("a message is 1 to %d characters of UTF-8", MaxMessageLength)})
		return nil
	}
	allowed, wait := m.Bucket.take(time.Now())
	if err := durable.SetAttachment(ws, m); err != nil {
		return err
	}
	if !allowed {
		send(ws, squareEvent{Type: "error", Error: fmt.Sprintf("slow down: your next message can go in %.1f s", wait.Seconds())})
		return nil
	}
	return s.post(newMessage(time.Now(), m.Name, text, "chat"))
}

// WebSocketClose takes a person off the roster.
func (s *Square) WebSocketClose(ctx context.Context, ws *durable.WebSocket, code int, reason string, wasClean bool) error {
	if m, ok, _ := durable.Attachment[member](ws); ok {
		m.Left = true
		durable.SetAttachment(ws, m)
	}
	s.sendRoster()
	return nil
}

// post keeps m in the history and sends it to everyone.
func (s *Square) post(m message) error {
	if err := s.history.add(s.storage, m); err != nil {
		return err
	}
	s.broadcast(squareEvent{Type: "message", Message: &m})
	return nil
}

// sendRoster sends everyone the sorted names of the people here.
func (s *Square) sendRoster() {
	names := []string{}
	for _, ws := range s.state.WebSockets("") {
		if m, ok, _ := durable.Attachment[member](ws); ok && !m.Left && !slices.Contains(names, m.Name) {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	s.broadcast(squareEvent{Type: "roster", Names: names})
}

func (s *Square) broadcast(ev squareEvent) {
	for _, ws := range s.state.WebSockets("") {
		send(ws, ev)
	}
}

// send ignores sockets that are closing: their person has gone.
func send(ws *durable.WebSocket, ev squareEvent) {
	b, err := json.Marshal(ev)
	if err == nil {
		ws.Send(durable.MessageText, b)
	}
}
