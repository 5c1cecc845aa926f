// The village on local workerd: every rule of the README, over HTTP.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorker, tempDir } from "./harness.mjs";

let village;
beforeAll(async () => {
  village = await startWorker();
});
afterAll(() => village?.stop());

// unique keeps names of different tests apart, since state lives for the whole file.
let counter = 0;
const unique = (base) => `${base}-${Date.now().toString(36)}-${counter++}`;

async function hey(name) {
  const res = await village.fetch(`/hey/${encodeURIComponent(name)}`);
  const text = await res.text();
  return { res, text, lines: text.split("\n") };
}

describe("GET /", () => {
  test("serves an HTML page that links the endpoints", async () => {
    const res = await village.fetch("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("<h1>");
    expect(html).toMatch(/href="\/hey\/[^"]+"/);
  });
});

describe("GET /hey/{name}", () => {
  test("greets in plain text and counts visits per name", async () => {
    const name = unique("xyz");
    const first = await hey(name);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(first.lines[0]).toBe(`Hey: ${name}`);
    expect(first.lines[1]).toBe("1");
    expect((await hey(name)).lines[1]).toBe("2");

    const other = unique("other");
    expect((await hey(other)).lines.slice(0, 2)).toEqual([`Hey: ${other}`, "1"]);
    expect((await hey(name)).lines[1]).toBe("3");
  });

  test.each([
    ["a single character", "a"],
    ["64 characters", "n".repeat(64)],
    ["64 non-ASCII characters", "é".repeat(64)],
    ["emoji and spaces", "Zoë 🏡 von Dorf"],
  ])("accepts %s", async (_, base) => {
    const { res, lines } = await hey(base);
    expect(res.status).toBe(200);
    expect(lines[0]).toBe(`Hey: ${base}`);
    expect(Number(lines[1])).toBeGreaterThanOrEqual(1);
  });

  test.each([
    ["an empty name", "/hey/"],
    ["65 characters", `/hey/${"n".repeat(65)}`],
    ["a slash", "/hey/a/b"],
    ["an encoded slash", "/hey/a%2Fb"],
    ["a control character", "/hey/a%01b"],
    ["a newline", "/hey/a%0Ab"],
  ])("refuses %s with 400 and the rule", async (_, path) => {
    const res = await village.fetch(path);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toMatch(/name/);
    expect(text).toContain("1 to 64 characters");
  });

  test.each(["POST", "PUT", "DELETE", "PATCH"])("answers %s with 405 and Allow", async (method) => {
    const res = await village.fetch("/hey/xyz", { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
    await res.arrayBuffer();
  });
});

test("HEAD answers the headers without counting a visit", async () => {
  const name = unique("head");
  expect((await hey(name)).lines[1]).toBe("1");
  const res = await village.fetch(`/hey/${name}`, { method: "HEAD" });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  expect((await hey(name)).lines[1]).toBe("2");
});

test("unknown paths are 404", async () => {
  for (const path of ["/nope", "/hey-you/x", "/index.html", "/Hey/x"]) {
    const res = await village.fetch(path);
    expect(res.status, path).toBe(404);
    await res.arrayBuffer();
  }
});

test("/hey without a name redirects to /hey/, which asks for a name", async () => {
  const res = await village.fetch("/hey", { redirect: "manual" });
  expect([301, 307, 308]).toContain(res.status);
  expect(new URL(res.headers.get("location"), village.url).pathname).toBe("/hey/");
  expect((await village.fetch("/hey")).status).toBe(400);
});

test("20 overlapping requests to one object all succeed with exact counts", async () => {
  const name = unique("crowd");
  const results = await Promise.all(Array.from({ length: 20 }, () => hey(name)));
  for (const { res, lines } of results) {
    expect(res.status).toBe(200);
    expect(lines[0]).toBe(`Hey: ${name}`);
  }
  const counts = results.map(({ lines }) => Number(lines[1])).sort((a, b) => a - b);
  expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect((await hey(name)).lines[1]).toBe("21");
});

test("overlapping requests to many objects all succeed", async () => {
  const names = Array.from({ length: 10 }, (_, i) => unique(`many${i}`));
  const results = await Promise.all(names.flatMap((name) => [hey(name), hey(name)]));
  expect(results.every(({ res }) => res.status === 200)).toBe(true);
  for (const name of names) expect((await hey(name)).lines[1]).toBe("3");
});

test("a panic in a handler is a 500 for that request only; the object keeps serving", async () => {
  const name = unique("panicky");
  expect((await hey(name)).lines[1]).toBe("1");
  const res = await village.fetch(`/panic/${name}`);
  expect(res.status).toBe(500);
  expect(await res.text()).toMatch(/Internal Server Error/);
  expect((await hey(name)).lines[1]).toBe("2");
});

test("a dead Go runtime is booted again on the next event, state intact", async () => {
  const name = unique("crashy");
  expect((await hey(name)).lines[1]).toBe("1");
  const res = await village.fetch(`/crash/${name}`);
  expect(res.status).toBe(500);
  expect(await res.text()).toMatch(/Go runtime exited/);
  expect((await hey(name)).lines[1]).toBe("2");
  expect((await hey(name)).lines[1]).toBe("3");
});

test("visits survive a restart of the runtime with persisted state", async () => {
  const [dir, cleanup] = tempDir("village-state-");
  try {
    const name = unique("persistent");
    let server = await startWorker({ persist: dir });
    try {
      for (const want of ["1", "2"]) {
        const res = await server.fetch(`/hey/${name}`);
        expect((await res.text()).split("\n")[1]).toBe(want);
      }
    } finally {
      await server.stop();
    }
    server = await startWorker({ persist: dir });
    try {
      const res = await server.fetch(`/hey/${name}`);
      expect((await res.text()).split("\n")).toEqual([`Hey: ${name}`, "3", ""]);
    } finally {
      await server.stop();
    }
  } finally {
    cleanup();
  }
});

describe("GET /census", () => {
  test("every Greeter reports to the town hall by RPC; the census counts names and visits", async () => {
    const before = await (await village.fetch("/census?top=100")).json();
    const ada = unique("census-ada");
    const bob = unique("census-bob");
    for (const name of [ada, bob, ada, ada]) await hey(name);
    const res = await village.fetch("/census?top=100");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const after = await res.json();
    expect(after.names - before.names).toBe(2);
    expect(after.visits - before.visits).toBe(4);
    expect(after.top).toContainEqual({ name: ada, visits: 3 });
    expect(after.top).toContainEqual({ name: bob, visits: 1 });
  });

  test("a bad top is 400", async () => {
    expect((await village.fetch("/census?top=many")).status).toBe(400);
  });
});
