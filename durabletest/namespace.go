package durabletest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/durableobjects-on-go/durable"
)

// idFactory makes and checks the IDs of one Durable Object class the way workerd's
// ActorIdFactoryImpl does: 16 bytes (an HMAC of the name, or random) followed by
// 16 bytes of HMAC over them, keyed by the namespace, so that an ID of another
// namespace (or a typo) is refused locally.
type idFactory struct {
	class string
	key   [sha256.Size]byte
}

func newIDFactory(class string) *idFactory {
	return &idFactory{class: class, key: sha256.Sum256([]byte("durabletest:" + class))}
}

func (f *idFactory) mac(b []byte) []byte {
	h := hmac.New(sha256.New, f.key[:])
	h.Write(b)
	return h.Sum(nil)
}

func (f *idFactory) withMAC(base []byte) string {
	return hex.EncodeToString(append(base[:16:16], f.mac(base[:16])[:16]...))
}

func (f *idFactory) fromName(name string) *id {
	return &id{hex: f.withMAC(f.mac([]byte(jsString(name)))), name: name}
}

func (f *idFactory) unique() *id {
	base := make([]byte, 16)
	rand.Read(base)
	return &id{hex: f.withMAC(base)}
}

func (f *idFactory) fromString(s string) (*id, error) {
	b, err := hex.DecodeString(s)
	if len(s) != 64 || err != nil {
		return nil, fmt.Errorf("%w %q: Invalid Durable Object ID: must be 64 hex digits", durable.ErrInvalidID, s)
	}
	if !hmac.Equal(b[16:], f.mac(b[:16])[:16]) {
		return nil, fmt.Errorf("%w %q: Durable Object ID is not valid for this namespace.", durable.ErrInvalidID, s)
	}
	return &id{hex: hex.EncodeToString(b)}, nil
}

// id implements durable.ID.
type id struct {
	hex  string
	name string
}

func (i *id) String() string { return i.hex }
func (i *id) Name() string   { return i.name }
func (i *id) Equal(other durable.ID) bool {
	return other != nil && i.hex == other.String()
}

// namespace implements durable.Namespace for one binding, as seen from one owner
// (an object, the front handler, or the test itself when owner is nil).
type namespace struct {
	rt      *Runtime
	class   string
	ids     *idFactory
	binding string
	front   bool // made from the front handler's env
}

func (n *namespace) IDFromName(name string) durable.ID { return n.ids.fromName(name) }
func (n *namespace) NewUniqueID() durable.ID           { return n.ids.unique() }

func (n *namespace) IDFromString(s string) (durable.ID, error) {
	i, err := n.ids.fromString(s)
	if err != nil {
		return nil, err
	}
	return i, nil
}

func (n *namespace) Get(target durable.ID) any {
	if target == nil {
		return &stub{err: errors.New("durable: Namespace.Get called with a nil ID")}
	}
	// Like workerd, Get trusts IDs made by a namespace (even another one) and
	// checks only IDs of other origins, which it parses.
	if own, ok := target.(*id); ok {
		return &stub{id: target, ns: n, target: own}
	}
	parsed, err := n.ids.fromString(target.String())
	if err != nil {
		return &stub{id: target, err: err}
	}
	return &stub{id: target, ns: n, target: parsed}
}

// stub implements durable.Stub.
type stub struct {
	id     durable.ID
	ns     *namespace
	target *id
	err    error

	mu     sync.Mutex
	broken error // set when the object was reset under this stub
}

func (s *stub) ID() durable.ID { return s.id }

func (s *stub) Fetch(req *http.Request) (*http.Response, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
		return nil, brokenError("stub fetch "+req.URL.String(), broken)
	}
	resp, err := s.ns.rt.stubFetch(s.ns, s.target, req)
	if se := new(durable.StubError); errors.As(err, &se) && se.Reset {
		// As on workerd, a stub whose object was reset stays broken: every
		// later call fails the same way, and a new stub reaches the new
		// instance.
		s.mu.Lock()
		s.broken = err
		s.mu.Unlock()
	}
	return resp, err
}

// WithJurisdiction is a no-op natively: there are no locations to restrict.
func (n *namespace) WithJurisdiction(string) (any, error) { return n, nil }

// WithLocationHint is a no-op natively: there are no locations to choose.
func (n *namespace) WithLocationHint(string) any { return n }
