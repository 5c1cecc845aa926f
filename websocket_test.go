package durable_test

import (
	"net/http/httptest"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestIsWebSocketUpgradeAndRefuse(t *testing.T) {
	r := httptest.NewRequest("GET", "/ws", nil)
	if durable.IsWebSocketUpgrade(r) {
		t.Errorf("a plain GET is an upgrade")
	}
	r.Header.Set("Upgrade", "WebSocket")
	if !durable.IsWebSocketUpgrade(r) {
		t.Errorf("Upgrade: WebSocket is not an upgrade")
	}
	rec := httptest.NewRecorder()
	durable.RefuseUpgrade(rec)
	if rec.Code != 426 || rec.Header().Get("Upgrade") != "websocket" || rec.Body.Len() == 0 {
		t.Errorf("RefuseUpgrade answered %d %v %q", rec.Code, rec.Header(), rec.Body)
	}
}
