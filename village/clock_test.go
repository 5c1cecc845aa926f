package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Each malformed reminder gets the status and message that say what is wrong,
// and none is kept.
func TestClockNamesWhatIsWrongWithABody(t *testing.T) {
	rt := newVillage(t)
	for _, tc := range []struct {
		body   string
		status int
		says   string
	}{
		{``, 400, "the body is empty"},
		{`   `, 400, "the body is empty"},
		{`not json`, 400, "not valid JSON: invalid character 'o' in literal null"},
		{`{"text": "x", "in_seconds": 5`, 400, "cut short"},
		{`{"text": "x" "in_seconds": 5}`, 400, "not valid JSON"},
		{`{"text": 5, "in_seconds": 5}`, 400, "text must be a string, not a JSON number"},
		{`{"text": "x", "in_seconds": "5"}`, 400, "in_seconds must be a number, not a JSON string"},
		{`{"text": "x", "in_seconds": 1e400}`, 400, "in_seconds must be a number, not a JSON number 1e400"},
		{`[1, 2]`, 400, "must be a JSON object, not a JSON array"},
		{`"x"`, 400, "must be a JSON object, not a JSON string"},
		{`{"txt": "x", "in_seconds": 5}`, 400, `unknown field "txt"`},
		{`{"text": "x", "in_seconds": 5} {"text": "y", "in_seconds": 5}`, 400, "more than one JSON value"},
		{`{"text": "x", "in_seconds": 5} trailing`, 400, "more than one JSON value"},
		{"{\"text\": \"a\xffb\", \"in_seconds\": 5}", 400, "not valid UTF-8"},
		{`{"text": "x", "in_seconds": 5, "pad": "` + strings.Repeat("p", MaxReminderBody) + `"}`, 413, "over 4096 bytes"},
		{`null`, 400, "text must be 1 to 200 characters"},
	} {
		status, out := remind(t, rt, "green", tc.body)
		msg, _ := out["error"].(string)
		if status != tc.status || !strings.Contains(msg, tc.says) {
			t.Errorf("%.60q: %d %q; want %d saying %q", tc.body, status, msg, tc.status, tc.says)
		}
		if status == 400 && !strings.Contains(msg, `{"text": "…", "in_seconds": 5}`) && !strings.Contains(msg, "must be") {
			t.Errorf("%.60q: %q does not show what to send", tc.body, msg)
		}
	}
	if got := reminders(t, rt, "green"); len(got) != 0 {
		t.Errorf("refused reminders were kept: %v", got)
	}
	if status, _ := remind(t, rt, "green", `{"text": "tea", "in_seconds": 60}`); status != http.StatusCreated {
		t.Fatalf("a good reminder after the bad ones: %d", status)
	}
	if got := reminders(t, rt, "green"); len(got) != 1 || got[0].Text != "tea" {
		t.Errorf("reminders %v, want the one for tea", got)
	}
}

func reminders(t *testing.T, rt interface {
	Fetch(*http.Request) *http.Response
}, room string) []pendingReminder {
	t.Helper()
	resp := rt.Fetch(httptest.NewRequest(http.MethodGet, "/clock/"+room, nil))
	defer resp.Body.Close()
	var out struct{ Reminders []pendingReminder }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /clock/%s: %d %v", room, resp.StatusCode, err)
	}
	return out.Reminders
}
