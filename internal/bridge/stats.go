package bridge

// Stats is a census of the workerd runtime, for tests that look for leaks;
// ReadStats reads it (on workerd only).
type Stats struct {
	Goroutines int     `json:"goroutines"` // live goroutines
	Funcs      int     `json:"funcs"`      // JavaScript callbacks not yet released
	Contexts   int     `json:"contexts"`   // I/O contexts Go knows
	Objects    int     `json:"objects"`    // object instances Go holds
	JS         JSStats `json:"js"`         // what runtime.mjs keeps for the runtime
}

// JSStats is the JavaScript side of the census (runtime.mjs's host.stats).
type JSStats struct {
	Values   int `json:"values"`   // JavaScript values Go holds references to
	Contexts int `json:"contexts"` // I/O contexts runtime.mjs keeps
	Pumps    int `json:"pumps"`    // events in flight, each with its pump
	Timers   int `json:"timers"`   // Go wake-ups not yet fired or cleared
	Parked   int `json:"parked"`   // WebSockets parked for a response or for Go
	Cursors  int `json:"cursors"`  // SQL cursors open
}
