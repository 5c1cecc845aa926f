package conformance

import (
	"errors"
	"net/http"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

func namespace(t T, o *Object, binding string) durable.Namespace {
	t.Helper()
	ns, err := o.Env.Namespace(binding)
	must(t, err, "Namespace("+binding+")")
	return ns
}

func init() {
	add("id/from-name-deterministic", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		a, b := ns.IDFromName("alice"), ns.IDFromName("alice")
		if !isHexID(a.String()) {
			t.Errorf("ID %q is not 64 lowercase hex digits", a)
		}
		if a.String() != b.String() || !a.Equal(b) {
			t.Errorf("IDFromName is not deterministic: %s, %s", a, b)
		}
		same(t, "Name", a.Name(), "alice")
		c := ns.IDFromName("bob")
		if c.Equal(a) || c.String() == a.String() {
			t.Errorf("alice and bob share an ID")
		}
		for _, name := range []string{"", "😀", strings.Repeat("n", 1000), "a/b?c"} {
			if id := ns.IDFromName(name); !isHexID(id.String()) || id.Name() != name {
				t.Errorf("IDFromName(%q) = %s, name %q", name, id, id.Name())
			}
		}
	})
	add("id/namespaces-differ", func(t T, o *Object) {
		peer, scenario := namespace(t, o, PeerBinding), namespace(t, o, ScenarioBinding)
		if peer.IDFromName("x").String() == scenario.IDFromName("x").String() {
			t.Errorf("two classes give the same ID for one name")
		}
		alias := namespace(t, o, PeerAliasBinding)
		same(t, "same class through two bindings", alias.IDFromName("x").String(), peer.IDFromName("x").String())
		if _, err := alias.IDFromString(peer.NewUniqueID().String()); err != nil {
			t.Errorf("an ID of the same class through another binding was refused: %v", err)
		}
	})
	add("id/unique", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		seen := map[string]bool{}
		for range 20 {
			id := ns.NewUniqueID()
			if !isHexID(id.String()) || id.Name() != "" || seen[id.String()] {
				t.Errorf("NewUniqueID = %s (name %q, seen %v)", id, id.Name(), seen[id.String()])
			}
			seen[id.String()] = true
		}
	})
	add("id/from-string-roundtrip", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		for _, id := range []durable.ID{ns.IDFromName("carol"), ns.NewUniqueID()} {
			parsed, err := ns.IDFromString(id.String())
			if err != nil {
				t.Errorf("IDFromString(%s): %v", id, err)
				continue
			}
			if !parsed.Equal(id) || !id.Equal(parsed) || parsed.String() != id.String() {
				t.Errorf("parsed %s != %s", parsed, id)
			}
			same(t, "parsed Name", parsed.Name(), "")
		}
	})
	add("id/from-string-uppercase", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		id := ns.IDFromName("dave")
		parsed, err := ns.IDFromString(strings.ToUpper(id.String()))
		if err != nil {
			t.Fatalf("IDFromString(upper case): %v", err)
		}
		same(t, "String", parsed.String(), id.String())
	})
	add("id/from-string-invalid", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		good := ns.IDFromName("erin").String()
		for _, s := range []string{"", "abc", good[:63], good + "0", strings.Repeat("g", 64), " " + good[1:], good[:62] + "--"} {
			if _, err := ns.IDFromString(s); !errors.Is(err, durable.ErrInvalidID) {
				t.Errorf("IDFromString(%q) = %v, want ErrInvalidID", s, err)
			}
		}
		// Flip one hex digit: still 64 hex digits, but no longer an ID of this namespace.
		flipped := []byte(good)
		flipped[0] = "01"[map[bool]int{true: 1}[flipped[0] == '0']]
		if _, err := ns.IDFromString(string(flipped)); !errors.Is(err, durable.ErrInvalidID) {
			t.Errorf("IDFromString(tampered) = %v, want ErrInvalidID", err)
		}
	})
	add("id/from-string-other-namespace", func(t T, o *Object) {
		peer, scenario := namespace(t, o, PeerBinding), namespace(t, o, ScenarioBinding)
		_, err := peer.IDFromString(scenario.IDFromName("x").String())
		if !errors.Is(err, durable.ErrInvalidID) {
			t.Errorf("IDFromString(ID of another class) = %v, want ErrInvalidID", err)
		}
	})
	add("id/own-state-id", func(t T, o *Object) {
		ns := namespace(t, o, ScenarioBinding)
		want := ns.IDFromName(o.Name)
		if !o.State.ID().Equal(want) {
			t.Errorf("state ID %s, want IDFromName(%q) = %s", o.State.ID(), o.Name, want)
		}
		same(t, "state ID name", o.State.ID().Name(), o.Name)
	})
	add("id/peer-sees-its-id", func(t T, o *Object) {
		ns := namespace(t, o, PeerBinding)
		name := o.Unique("peer")
		id := ns.IDFromName(name)
		_, body := call(t, o, ns.Get(id), http.MethodGet, "https://peer/id", nil)
		same(t, "peer's own ID and name", body, id.String()+" "+name)
	})
	add("env/var", func(t T, o *Object) {
		v, ok := o.Env.Var(VarName)
		if !ok || v != VarValue {
			t.Errorf("Var(%s) = %q, %v", VarName, v, ok)
		}
		if v, ok := o.Env.Var("NO_SUCH_VAR"); ok || v != "" {
			t.Errorf("Var(missing) = %q, %v", v, ok)
		}
		if _, ok := o.Env.Var(PeerBinding); ok {
			t.Errorf("Var(%s) returned a namespace binding as text", PeerBinding)
		}
	})
	add("env/no-binding", func(t T, o *Object) {
		_, err := o.Env.Namespace("NO_SUCH_BINDING")
		if !errors.Is(err, durable.ErrNoBinding) {
			t.Errorf("Namespace(missing) = %v, want ErrNoBinding", err)
		}
		_, err = o.Env.Namespace(VarName)
		if !errors.Is(err, durable.ErrNoBinding) {
			t.Errorf("Namespace(a text var) = %v, want ErrNoBinding", err)
		}
	})
}
