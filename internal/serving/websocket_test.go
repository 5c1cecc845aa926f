package serving

import (
	"net/http"
	"testing"
)

// A 101 passes only when it names a WebSocket the runtime keeps, as workerd
// takes a 101 only with a webSocket.
func TestServeLets101WithAWebSocketThrough(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://x/ws", nil)
	m := Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(WebSocketHeader, "7")
		w.WriteHeader(http.StatusSwitchingProtocols)
	}), req, Reporter{Logf: t.Logf})
	if m.Status != http.StatusSwitchingProtocols || headerValue(m, WebSocketHeader) != "7" || m.Body != nil {
		t.Errorf("101 with a WebSocket: %+v", m)
	}
}
