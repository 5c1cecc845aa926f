package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// joinSquare opens a socket to the square of room as name and reads the
// history it is sent first.
func joinSquare(t *testing.T, rt *durabletest.Runtime, room, name string) (*durable.Conn, []message) {
	t.Helper()
	conn, err := rt.DialWebSocket(context.Background(), "/square/"+room+"/ws?name="+name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(1000, "") })
	ev := readEvent(t, conn, "history")
	return conn, ev.Messages
}

// readEvent reads events until one of the given type arrives.
func readEvent(t *testing.T, conn *durable.Conn, typ string) squareEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for a %q event: %v", typ, err)
		}
		var ev squareEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("event %q: %v", data, err)
		}
		if ev.Type == typ {
			return ev
		}
	}
}

// readRoster reads roster events until one lists want.
func readRoster(t *testing.T, conn *durable.Conn, want ...string) {
	t.Helper()
	var last []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for !slices.Equal(last, want) {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the roster %q (last %q): %v", want, last, err)
		}
		var ev squareEvent
		if json.Unmarshal(data, &ev) == nil && ev.Type == "roster" {
			last = ev.Names
		}
	}
}

func say(t *testing.T, conn *durable.Conn, text string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"text": text})
	if err := conn.Write(context.Background(), durable.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func TestSquareChatHistoryAndRoster(t *testing.T) {
	rt := newVillage(t)
	ada, history := joinSquare(t, rt, "plaza", "Ada")
	if len(history) != 0 {
		t.Fatalf("a new square sent history %v", history)
	}
	grace, _ := joinSquare(t, rt, "plaza", "Grace")
	readRoster(t, ada, "Ada", "Grace")
	say(t, ada, "  hello  ")
	if m := readEvent(t, grace, "message").Message; m.Who != "Ada" || m.Text != "hello" || m.Kind != "chat" {
		t.Fatalf("Grace got %+v", m)
	}
	if m := readEvent(t, ada, "message").Message; m.Text != "hello" {
		t.Fatalf("Ada's own message came back as %+v", m)
	}
	rt.Restart() // the room leaves memory; its sockets stay, as after hibernation
	say(t, grace, "still here")
	if m := readEvent(t, ada, "message").Message; m.Who != "Grace" || m.Text != "still here" {
		t.Fatalf("after a restart Ada got %+v", m)
	}
	_, history = joinSquare(t, rt, "plaza", "Late")
	var lines []string
	for _, m := range history {
		lines = append(lines, m.Who+": "+m.Text)
	}
	if !slices.Equal(lines, []string{"Ada: hello", "Grace: still here"}) {
		t.Fatalf("the late joiner's history: %q", lines)
	}
	readRoster(t, ada, "Ada", "Grace", "Late")
	grace.Close(1000, "bye")
	readRoster(t, ada, "Ada", "Late")
}

func TestSquareKeepsTheLastHundredMessages(t *testing.T) {
	rt := newVillage(t)
	state := rt.State(SquareBinding, rt.Namespace(SquareBinding).IDFromName("busy"))
	h, err := newHistory(state.Storage().SQL())
	if err != nil {
		t.Fatal(err)
	}
	for i := range HistoryLength + 20 {
		if err := h.add(state.Storage(), newMessage(time.Now(), "bot", fmt.Sprint(i), "chat")); err != nil {
			t.Fatal(err)
		}
	}
	_, history := joinSquare(t, rt, "busy", "Ada")
	if len(history) != HistoryLength || history[0].Text != "20" || history[len(history)-1].Text != fmt.Sprint(HistoryLength+19) {
		t.Fatalf("history has %d messages, %q to %q", len(history), history[0].Text, history[len(history)-1].Text)
	}
}

func TestSquareRateLimitAndBadMessages(t *testing.T) {
	rt := newVillage(t)
	ada, _ := joinSquare(t, rt, "quick", "Ada")
	for i := range MessageBurst {
		say(t, ada, fmt.Sprint("burst ", i))
		readEvent(t, ada, "message")
	}
	say(t, ada, "one too many")
	if e := readEvent(t, ada, "error").Error; !strings.Contains(e, "slow down") {
		t.Fatalf("over the limit: %q", e)
	}
	ada.Write(context.Background(), durable.MessageText, []byte("not json"))
	if e := readEvent(t, ada, "error").Error; !strings.Contains(e, "JSON") {
		t.Fatalf("not JSON: %q", e)
	}
	res, err := rt.State(SquareBinding, rt.Namespace(SquareBinding).IDFromName("quick")).Storage().SQL().Exec(`SELECT count(*) FROM messages`)
	var n int64
	if err == nil {
		err = res.One(&n)
	}
	if err != nil || n != MessageBurst {
		t.Fatalf("%d messages kept (%v), want the %d of the burst", n, err, MessageBurst)
	}
}

func TestSquareRefusesWhatIsNotAJoin(t *testing.T) {
	rt := newVillage(t)
	if status, body := get(t, rt, "/square/plaza/ws?name=Ada"); status != http.StatusUpgradeRequired || !strings.Contains(body, "WebSocket") {
		t.Errorf("plain GET: %d %q, want 426", status, body)
	}
	_, err := rt.DialWebSocket(context.Background(), "/square/plaza/ws?name=a%2Fb")
	if !errors.Is(err, durable.ErrNotWebSocket) || !strings.Contains(err.Error(), "400") {
		t.Errorf("bad name: %v, want a 400", err)
	}
	if status, body := get(t, rt, "/square/plaza"); status != http.StatusOK || !strings.Contains(body, "<title>The square</title>") {
		t.Errorf("page: %d", status)
	}
}

func remind(t *testing.T, rt *durabletest.Runtime, room, body string) (int, map[string]any) {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(http.MethodPost, "/clock/"+room, strings.NewReader(body)))
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestClockPostsDueRemindersToTheSquare(t *testing.T) {
	rt := newVillage(t)
	ada, _ := joinSquare(t, rt, "green", "Ada")
	if status, out := remind(t, rt, "green", `{"text": "tea", "in_seconds": 60}`); status != http.StatusCreated || out["at"] == nil {
		t.Fatalf("remind: %d %v", status, out)
	}
	remind(t, rt, "green", `{"text": "cake", "in_seconds": 30}`)
	clock := rt.State(ClockBinding, rt.Namespace(ClockBinding).IDFromName("green"))
	at, ok, err := clock.Storage().Alarm()
	if err != nil || !ok || time.Until(at) > 30*time.Second {
		t.Fatalf("alarm %v %v %v, want the earlier reminder's time", at, ok, err)
	}
	rt.Clock().Advance(31 * time.Second)
	if m := readEvent(t, ada, "message").Message; m.Who != "town clock" || m.Text != "cake" || m.Kind != "clock" {
		t.Fatalf("after 31 s: %+v", m)
	}
	rt.Clock().Advance(30 * time.Second)
	if m := readEvent(t, ada, "message").Message; m.Text != "tea" {
		t.Fatalf("after 61 s: %+v", m)
	}
	if _, ok, _ := clock.Storage().Alarm(); ok {
		t.Fatal("the alarm is still set with no reminder left")
	}
}

func TestClockRefusesBadReminders(t *testing.T) {
	rt := newVillage(t)
	for _, body := range []string{`{"text": "x", "in_seconds": 0}`, `{"text": "x", "in_seconds": 1.5}`, `{"text": "", "in_seconds": 5}`, `not json`, `{"text": "x", "in_seconds": 86401}`} {
		status, out := remind(t, rt, "green", body)
		if status != http.StatusBadRequest || out["error"] == "" {
			t.Errorf("%s: %d %v, want 400 with an error", body, status, out)
		}
	}
	if _, ok, _ := rt.State(ClockBinding, rt.Namespace(ClockBinding).IDFromName("green")).Storage().Alarm(); ok {
		t.Error("a refused reminder set the alarm")
	}
}
