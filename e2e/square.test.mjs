// The square and the town clock in a real browser: headless Chromium drives the
// page the village serves, against the Go Worker on local workerd.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { launchBrowser } from "./browser.mjs";
import { startWorker } from "./harness.mjs";

let village;
let browser;
beforeAll(async () => {
  [village, browser] = await Promise.all([startWorker(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await village?.stop();
});

const room = `plaza-${Date.now().toString(36)}`;

// join opens the square in a fresh browser context (its own cookies and
// sockets) and joins as name.
async function join(name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`page error (${name}):`, e.message));
  await page.goto(new URL(`/square/${encodeURIComponent(room)}`, village.url).href);
  await page.fill("#name", name);
  await page.click("#join button");
  await page.waitForSelector("#chat", { state: "visible" });
  return page;
}

async function say(page, text) {
  await page.fill("#text", text);
  await page.click("#say button");
}

const log = (page) => page.locator("#log");
const roster = (page) => page.locator("#roster li");

describe("the square in a browser", () => {
  test("two people chat both ways, a late joiner sees the history, a reminder reaches every page", async () => {
    const ada = await join("Ada");
    const grace = await join("Grace");
    await expect.poll(() => roster(ada).allTextContents(), { timeout: 10_000 }).toEqual(["Ada", "Grace"]);

    await say(ada, "hello from Ada");
    await expect.poll(() => log(grace).textContent(), { timeout: 10_000 }).toContain("Ada: hello from Ada");
    await say(grace, "hi Ada, Grace here");
    await expect.poll(() => log(ada).textContent(), { timeout: 10_000 }).toContain("Grace: hi Ada, Grace here");

    const late = await join("Late");
    await expect.poll(() => log(late).textContent(), { timeout: 10_000 }).toContain("Ada: hello from Ada");
    expect(await log(late).textContent()).toContain("Grace: hi Ada, Grace here");
    await expect.poll(() => roster(grace).allTextContents(), { timeout: 10_000 }).toEqual(["Ada", "Grace", "Late"]);

    await ada.fill("#reminder", "tea on the green");
    await ada.fill("#seconds", "2");
    await ada.click("#remind button");
    await expect.poll(() => ada.locator("#status").textContent(), { timeout: 10_000 }).toMatch(/Reminder set for/);
    for (const page of [ada, grace, late]) {
      await expect.poll(() => log(page).textContent(), { timeout: 20_000 }).toContain("town clock: tea on the green");
    }

    await late.context().close();
    await expect.poll(() => roster(ada).allTextContents(), { timeout: 10_000 }).toEqual(["Ada", "Grace"]);
  });
});

describe("the square over HTTP", () => {
  test("a plain GET to the socket route is 426 with a message", async () => {
    const res = await village.fetch(`/square/${room}/ws?name=Ada`);
    expect(res.status).toBe(426);
    expect(await res.text()).toMatch(/WebSocket/);
  });

  test("joining with a bad name is refused with 400 before any socket opens", async () => {
    const url = new URL(`/square/${room}/ws?name=a%2Fb`, village.url);
    url.protocol = "ws:";
    const socket = new WebSocket(url);
    const status = await new Promise((resolve, reject) => {
      socket.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      socket.on("open", () => reject(new Error("the socket opened")));
      socket.on("error", () => {});
    });
    expect(status).toBe(400);
  });

  test("a reminder with a bad delay is 400 and sets nothing", async () => {
    const res = await village.fetch(`/clock/${room}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "never", in_seconds: -5 }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/in_seconds/);
  });
});
