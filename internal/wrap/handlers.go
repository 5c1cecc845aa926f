package wrap

import "time"

// Decision reports what a handler decided for a queue message (a
// *durable.Message): 0 nothing, 1 ack, 2 retry (after delay). Package durable
// sets it.
var Decision func(msg any) (kind int, delay time.Duration)
