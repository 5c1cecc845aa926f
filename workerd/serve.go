package workerd

import (
	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/bridge"
)

// Serve runs w for as long as workerd keeps the program alive; it does not return
// on workerd. Call it at the end of main.
func Serve(w durable.Worker) {
	bridge.Serve(w)
}
