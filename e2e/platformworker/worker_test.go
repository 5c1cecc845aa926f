package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"

	"github.com/durableobjects-on-go/durable/durabletest"
)

// The same Worker under durabletest, configured from the same wrangler.jsonc
// and .dev.vars, sees the vars and secrets it sees on workerd
// (e2e/platform.test.mjs).
func TestVarsNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("GET", "/vars", nil))
	var got struct {
		Limits struct {
			MaxUsers int      `json:"maxUsers"`
			Regions  []string `json:"regions"`
		}
		Rate                        float64
		Greeting, Secret            string
		Errors                      []string
		RateIsText                  bool
		WrongType, Missing, Binding struct {
			Is    bool
			Error string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Limits.MaxUsers != 50 || strings.Join(got.Limits.Regions, ",") != "eu,us" || got.Rate != 2.5 ||
		got.Greeting != "hello" || got.Secret != "not so secret" || strings.Join(got.Errors, "") != "" || got.RateIsText {
		t.Errorf("vars = %+v", got)
	}
	if !got.WrongType.Is || !strings.Contains(got.WrongType.Error, `var "LIMITS" (under "vars" in wrangler.jsonc) does not decode into []string`) {
		t.Errorf("wrong type: %+v", got.WrongType)
	}
	if !got.Missing.Is || !got.Binding.Is || !strings.Contains(got.Binding.Error, "binding, not a var") {
		t.Errorf("missing %+v, binding %+v", got.Missing, got.Binding)
	}
}

// The handlers beyond fetch under durabletest: the same outcomes as on
// workerd (e2e/platform.test.mjs).
func TestHandlersNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	if err := rt.Scheduled(durable.ScheduledEvent{Cron: "*/5 * * * *", ScheduledTime: time.UnixMilli(1_700_000_000_000)}); err != nil {
		t.Fatal(err)
	}
	if err := rt.Scheduled(durable.ScheduledEvent{Cron: "0 0 1 1 *"}); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("a panicking cron handler: %v", err)
	}

	m2 := durabletest.QueueMessage("m2", job{N: 2, Action: "retry"})
	m2.Attempts = 2
	res, err := rt.Queue("jobs", durabletest.QueueMessage("m1", job{N: 1, Action: "ack"}), m2, durabletest.QueueMessage("m3", job{N: 3, Action: "none"}))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res) != "{[m1 m3] [{m2 5s}]}" {
		t.Errorf("result = %v", res)
	}
	res, err = rt.Queue("jobs", durabletest.QueueMessage("a", job{N: 4, Action: "ack"}), durabletest.QueueMessage("b", job{N: 5, Action: "fail"}))
	if err == nil || fmt.Sprint(res) != "{[a] [{b 0s}]}" {
		t.Errorf("failed batch: %v, %v", res, err)
	}
	res, err = rt.Queue("jobs", durabletest.QueueMessage("bytes", []byte{1, 2, 3}))
	if err != nil || fmt.Sprint(res) != "{[] [{bytes 0s}]}" {
		t.Errorf("bytes: %v, %v", res, err)
	}

	resp := rt.Fetch(httptest.NewRequest("GET", "/obj/events/list", nil))
	var lines []string
	json.NewDecoder(resp.Body).Decode(&lines)
	want := "cron */5 * * * * at 1700000000000|jobs #1 ack attempt 1|jobs #2 retry attempt 2|jobs #3 none attempt 1|jobs #4 ack attempt 1|jobs #5 fail attempt 1"
	if got := strings.Join(lines, "|"); got != want {
		t.Errorf("lines:\n%s\nwant\n%s", got, want)
	}
}

// kvWant is what the KV scenario gives, natively and on workerd
// (e2e/platform.test.mjs checks the same).
const kvWant = `{"afterDelete":false,"delete":"","get":["value a",true,""],"getMissing":[false,""],` +
	`"longKey":[true,"durable: over a Workers KV limit: key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"… is 513 bytes; Workers KV takes at most 512"],` +
	`"metadata":["{\"i\":1}","{\"i\":0}","{\"i\":2}","{\"i\":3}"],` +
	`"missingBinding":[true,"durable: no such binding: \"NOPE\" is not a Workers KV namespace binding (there is no binding): add it to kv_namespaces in wrangler.jsonc"],` +
	`"noContext":true,"pages":[["a","b","c"],["é"]],` +
	`"wrongBinding":[true,"durable: no such binding: \"LOG\" is not a Workers KV namespace binding (it is a binding of another kind): add it to kv_namespaces in wrangler.jsonc"]}`

func TestWorkersKVNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("POST", "/kv/native", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	b, _ := json.Marshal(got)
	if string(b) != kvWant {
		t.Errorf("got\n%s\nwant\n%s", b, kvWant)
	}
}

func TestR2Natively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("POST", "/r2/native", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	b, _ := json.Marshal(got)
	if string(b) != r2Want {
		t.Errorf("got\n%s\nwant\n%s", b, r2Want)
	}
}

// r2Want is what the R2 scenario gives, natively and on workerd.
const r2Want = `{"big":[3145728,3145728,true,` +
	`""],` +
	`"delete":"","list":[["big.bin","dir/ (folder)"],["small.txt","unknown.bin"]],` +
	`"listAfterDelete":[["big.bin","unknown.bin"]],` +
	`"longKey":[true,` +
	`"durable: over an R2 limit: key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"… is 1025 bytes; R2 takes at most 1024"],` +
	`"missing":[false,""],` +
	`"noContext":true,` +
	`"put big.bin":3145728,` +
	`"put dir/a":1,` +
	`"put dir/b":1,` +
	`"put small.txt":8,` +
	`"put unknown.bin":100000,` +
	`"small":["hello r2",8,` +
	`"text/plain",{"owner":"ada"},true,true],` +
	`"wrongBinding":[true,` +
	`"durable: no such binding: \"CACHE\" is not an R2 bucket binding (it is a binding of another kind): add it to r2_buckets in wrangler.jsonc"]}`

// serviceWant is what /service gives, natively and on workerd.
const serviceWant = `{"answer":[200,"POST /echo-service?x=1 caller=go body=ping"],` +
	`"missingBinding":"durable: no such binding: \"NOPE\" is not a service binding (there is no binding): add it to services in wrangler.jsonc",` +
	`"noContext":true,` +
	`"wrongBinding":[true,"durable: no such binding: \"CACHE\" is not a service binding (it is a binding of another kind): add it to services in wrangler.jsonc"]}`

func TestServiceNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("GET", "/service", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	b, _ := json.Marshal(got)
	if string(b) != serviceWant {
		t.Errorf("got\n%s\nwant\n%s", b, serviceWant)
	}
}

// sendWant is what /send gives, natively and on workerd.
const sendWant = `{"send":"",` +
	`"tooLarge":[true,"durable: queue message cannot be sent: message 0 is 204802 bytes as JSON; a message may be at most 131072"],` +
	`"unencodable":[true,"durable: queue message cannot be sent: message 0 does not encode as JSON: json: unsupported type: func()"],` +
	`"wrongBinding":[true,"durable: no such binding: \"FILES\" is not a queue producer binding (it is a binding of another kind): add it to queues.producers in wrangler.jsonc"]}`

// A message sent through the producer reaches the consumer.
func TestQueueProducerNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("POST", "/send?n=7", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	if b, _ := json.Marshal(got); string(b) != sendWant {
		t.Errorf("got\n%s\nwant\n%s", b, sendWant)
	}
	sent := rt.QueueSent("jobs")
	if len(sent) != 1 {
		t.Fatalf("sent %d messages, want 1", len(sent))
	}
	if res, err := rt.Queue("jobs", sent...); err != nil || len(res.Acked) != 1 {
		t.Fatalf("delivering: %v, %v", res, err)
	}
	var lines []string
	json.NewDecoder(rt.Fetch(httptest.NewRequest("GET", "/obj/events/list", nil)).Body).Decode(&lines)
	if strings.Join(lines, "|") != "jobs #7 ack attempt 1" {
		t.Errorf("lines = %q", lines)
	}
}

func TestD1Natively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("POST", "/d1/native", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	if b, _ := json.Marshal(got); string(b) != d1Want {
		t.Errorf("got\n%s\nwant\n%s", b, d1Want)
	}
}

// d1Want is what the D1 scenario gives, natively and on workerd.
const d1Want = `{"columns":["id","name","score","data","note"],"constraint":true,"create":"","insert":"","integerRange":true,"noContext":true,` +
	`"rows":["int64 1|string ada|float64 9.5|[]uint8 [1 2]|\u003cnil\u003e \u003cnil\u003e","int64 2|string grace|int64 7|[]uint8 []|string x"],` +
	`"syntax":[true,true],` +
	`"wrongBinding":[true,"durable: no such binding: \"CACHE\" is not a D1 database binding (it is a binding of another kind): add it to d1_databases in wrangler.jsonc"]}`

func TestD1SQLNatively(t *testing.T) {
	opts, err := durabletest.OptionsFromConfig("wrangler.jsonc")
	if err != nil {
		t.Fatal(err)
	}
	rt := durabletest.New(t, Worker(), opts)
	resp := rt.Fetch(httptest.NewRequest("POST", "/d1sql/native", nil))
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	if b, _ := json.Marshal(got); string(b) != d1SQLWant {
		t.Errorf("got\n%s\nwant\n%s", b, d1SQLWant)
	}
}

// d1SQLWant is what the database/sql scenario on D1 gives, natively and on
// workerd.
const d1SQLWant = `{"beginTx":[true,"sqlstore: BeginTx is not supported on D1: D1 has no interactive transactions; it commits each statement as it runs, and only a batch of statements is atomic"],` +
	`"columns":["id","name","score","data","note"],"constraint":[true,true],` +
	`"create":[0,0,""],"delete":[1,3,""],"ignored":[0,0,""],"insert":[2,2,""],"insertOne":[1,3,""],` +
	`"named":true,"noContext":true,"noRows":true,"nulls":[2,""],"returning":[3,""],` +
	`"rows":["1|ada|{10.5 true}|[1 2]|{ false}","2|grace|{8 true}|[]|{x true}"],"rowsErr":"","syntax":[true,true],` +
	`"update":[2,3,""],"updateNone":[0,0,""]}`
