package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// ClockBinding is the binding name of the Clock namespace in wrangler.jsonc.
const ClockBinding = "CLOCK"

// Limits of a reminder.
const (
	MaxReminderLength = 200
	MaxReminderDelay  = 24 * time.Hour
)

// Clock is the town clock of one name: a board of reminders that go off by
// alarm and are posted to the square of the same name. The object's one alarm
// is always set to the earliest reminder due.
type Clock struct {
	storage durable.Storage
	sql     durable.SQL
	squares durable.Namespace
	mux     *http.ServeMux
}

// NewClock opens the reminders table.
func NewClock(state durable.State, env durable.Env) (durable.Object, error) {
	squares, err := env.Namespace(SquareBinding)
	if err != nil {
		return nil, err
	}
	c := &Clock{storage: state.Storage(), sql: state.Storage().SQL(), squares: squares, mux: http.NewServeMux()}
	if _, err := c.sql.Exec(`CREATE TABLE IF NOT EXISTS reminders (
		id   INTEGER PRIMARY KEY AUTOINCREMENT,
		due  INTEGER NOT NULL, -- Unix milliseconds
		room TEXT NOT NULL,
		text TEXT NOT NULL
	)`); err != nil {
		return nil, err
	}
	c.mux.HandleFunc("POST /remind", c.remind)
	c.mux.HandleFunc("GET /reminders", c.list)
	return c, nil
}

// ServeHTTP implements durable.Object.
func (c *Clock) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// reminderRequest is the JSON body of POST /clock/{name}.
type reminderRequest struct {
	Text      string  `json:"text"`
	InSeconds float64 `json:"in_seconds"`
}

// check returns what is wrong with the reminder, or "".
func (in reminderRequest) check() string {
	text := strings.TrimSpace(in.Text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0 || n > MaxReminderLength || !utf8.ValidString(text):
		return fmt.Sprintf("text must be 1 to %d characters of UTF-8", MaxReminderLength)
	case in.InSeconds < 1 || in.InSeconds > MaxReminderDelay.Seconds() || in.InSeconds != float64(int64(in.InSeconds)):
		return fmt.Sprintf("in_seconds must be a whole number from 1 to %d", int(MaxReminderDelay.Seconds()))
	}
	return ""
}

// MaxReminderBody is the largest body POST /clock/{name} reads.
const MaxReminderBody = 4096

const reminderShape = `{"text": "…", "in_seconds": 5}`

// readReminder decodes the body of a reminder request, or answers why it
// cannot (413 for a body over MaxReminderBody, else 400) and returns false.
func readReminder(w http.ResponseWriter, r *http.Request) (reminderRequest, bool) {
	var in reminderRequest
	tooLarge := func() (reminderRequest, bool) {
		jsonError(w, fmt.Sprintf("the body is over %d bytes; send %s", MaxReminderBody, reminderShape), http.StatusRequestEntityTooLarge)
		return in, false
	}
	bad := func(problem string) (reminderRequest, bool) {
		jsonError(w, problem+"; send "+reminderShape, http.StatusBadRequest)
		return in, false
	}
	if r.ContentLength > MaxReminderBody {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReminderBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge()
	case err != nil:
		return bad("the body could not be read: " + err.Error())
	case len(bytes.TrimSpace(body)) == 0:
		return bad("the body is empty")
	case !utf8.Valid(body):
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return bad("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	err = dec.Decode(&in)
	switch {
	case errors.As(err, &syntax):
		return bad(fmt.Sprintf("the body is not valid JSON: %v (at byte %d)", syntax, syntax.Offset))
	case errors.As(err, &typ) && typ.Field != "":
		return bad(fmt.Sprintf("%s must be a %s, not a JSON %s", typ.Field, jsonKind(typ.Type.Kind()), typ.Value))
	case errors.As(err, &typ):
		return bad(fmt.Sprintf("the body must be a JSON object, not a JSON %s", typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bad("the body is cut short: the JSON ends early")
	case err != nil:
		return bad("the body is not a reminder: " + strings.TrimPrefix(err.Error(), "json: "))
	case dec.More():
		return bad("the body holds more than one JSON value")
	}
	return in, true
}

// jsonKind names a Go kind the way a JSON writer knows it.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Float64, reflect.Float32, reflect.Int, reflect.Int64:
		return "number"
	}
	return k.String()
}

func (c *Clock) remind(w http.ResponseWriter, r *http.Request) {
	in, ok := readReminder(w, r)
	if !ok {
		return
	}
	if problem := in.check(); problem != "" {
		jsonError(w, problem, http.StatusBadRequest)
		return
	}
	room := r.URL.Query().Get("room")
	due := time.Now().Add(time.Duration(in.InSeconds) * time.Second)
	if _, err := c.sql.Exec(`INSERT INTO reminders (due, room, text) VALUES (?, ?, ?)`, due.UnixMilli(), room, strings.TrimSpace(in.Text)); err != nil {
		log.Printf("clock: %v", err)
		jsonError(w, "could not keep the reminder", http.StatusInternalServerError)
		return
	}
	if err := c.rearm(); err != nil {
		log.Printf("clock: %v", err)
		jsonError(w, "could not set the alarm", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]int64{"at": due.UnixMilli()})
}

// pendingReminder is one reminder not yet due, as GET /clock/{name} lists it.
type pendingReminder struct {
	At   int64  `json:"at" durable:"due"` // Unix milliseconds
	Text string `json:"text" durable:"text"`
}

// list answers the reminders not yet posted, earliest first.
func (c *Clock) list(w http.ResponseWriter, r *http.Request) {
	res, err := c.sql.Exec(`SELECT due, text FROM reminders ORDER BY due, id`)
	var pending []pendingReminder
	if err == nil {
		pending, err = durable.Rows[pendingReminder](res)
	}
	if err != nil {
		log.Printf("clock: %v", err)
		jsonError(w, "could not read the reminders", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"reminders": append([]pendingReminder{}, pending...)})
}

// Alarm posts every reminder that is due to its square. A square that cannot
// be reached fails the alarm, so workerd tries again; each reminder is deleted
// only once posted. What is due is judged by the alarm's scheduled time as
// well as the wall clock, so a test clock (durabletest) drives it too.
func (c *Clock) Alarm(ctx context.Context, info durable.AlarmInfo) error {
	now := time.Now()
	if info.ScheduledTime.After(now) {
		now = info.ScheduledTime
	}
	res, err := c.sql.Exec(`SELECT id, room, text FROM reminders WHERE due <= ? ORDER BY due, id`, now.UnixMilli())
	if err != nil {
		return err
	}
	for _, row := range res.Rows {
		var id int64
		var room, text string
		if err := row.Scan(&id, &room, &text); err != nil {
			return err
		}
		if err := c.announce(ctx, room, text); err != nil {
			return fmt.Errorf("clock: posting reminder %d to square %q (attempt %d): %w", id, room, info.RetryCount+1, err)
		}
		if _, err := c.sql.Exec(`DELETE FROM reminders WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return c.rearm()
}

// rearm sets the alarm to the earliest reminder, or clears it.
func (c *Clock) rearm() error {
	var next any
	res, err := c.sql.Exec(`SELECT min(due) FROM reminders`)
	if err == nil {
		err = res.One(&next)
	}
	if err != nil {
		return err
	}
	if next == nil {
		return c.storage.DeleteAlarm()
	}
	return c.storage.SetAlarm(time.UnixMilli(next.(int64)))
}

func (c *Clock) announce(ctx context.Context, room, text string) error {
	body, _ := json.Marshal(map[string]string{"who": "town clock", "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://square/announce", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.squares.Get(c.squares.IDFromName(room)).Fetch(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fmt.Errorf("square answered %d: %s", resp.StatusCode, msg)
	}
	return nil
}

func jsonError(w http.ResponseWriter, msg string, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// clockPath is the Clock's URL for a reminder to the square of room.
func clockPath(room string) string { return "/remind?room=" + url.QueryEscape(room) }
