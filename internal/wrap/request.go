package wrap

// CFKey is the context key under which a runtime stores, in an incoming
// request's context, a func() []byte that returns the request's cf object
// as JSON (nil when it has none); durable.CF reads it. A function, so that
// only requests that ask pay for the encoding.
type CFKey struct{}
