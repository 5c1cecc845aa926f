package durable_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

func ExampleEnv_KV() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	// As wrangler.jsonc's "kv_namespaces": [{"binding": "CACHE", "id": "..."}]
	rt := durabletest.New(t, durable.Worker{}, &durabletest.Options{KVNamespaces: []string{"CACHE"}})
	defer rt.Close()
	ctx := context.Background() // in a handler: r.Context()

	cache, err := rt.Env().KV("CACHE")
	if err != nil {
		panic(err)
	}
	cache.Put(ctx, "user/ada", []byte("Ada Lovelace"), &durable.KVPutOptions{Metadata: map[string]int{"v": 1}})
	cache.Put(ctx, "user/grace", []byte("Grace Hopper"), nil)
	v, ok, err := cache.Get(ctx, "user/ada")
	fmt.Println(string(v), ok, err)
	list, _ := cache.List(ctx, &durable.KVListOptions{Prefix: "user/"})
	for _, k := range list.Keys {
		fmt.Println(strings.TrimSpace(k.Name + " " + string(k.Metadata)))
	}
	_, err = rt.Env().KV("SESSIONS")
	fmt.Println(err)
	// Output:
	// Ada Lovelace true <nil>
	// user/ada {"v":1}
	// user/grace
	// durable: no such binding: "SESSIONS" is not a Workers KV namespace binding (there is no binding): add it to kv_namespaces in wrangler.jsonc
}

func ExampleEnv_Bucket() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, durable.Worker{}, &durabletest.Options{R2Buckets: []string{"FILES"}})
	defer rt.Close()
	ctx := context.Background() // in a handler: r.Context()

	files, _ := rt.Env().Bucket("FILES")
	// Any io.Reader; one that knows its length (or R2PutOptions.Size) streams.
	obj, err := files.Put(ctx, "notes/today.txt", strings.NewReader("bring bread"), &durable.R2PutOptions{ContentType: "text/plain"})
	fmt.Println(obj.Size, err)

	got, ok, _ := files.Get(ctx, "notes/today.txt")
	if ok {
		defer got.Body.Close()
		body, _ := io.ReadAll(got.Body)
		fmt.Println(got.ContentType, string(body))
	}
	// Output:
	// 11 <nil>
	// text/plain bring bread
}
