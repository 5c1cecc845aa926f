// Headless Chromium for the browser tests, driven by playwright-core (pinned in
// package.json). playwright-core downloads no browser: it uses the system's
// Chromium (Debian: apt-get install chromium), or the one CHROMIUM_PATH names.
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";

const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);

export async function launchBrowser() {
  const executablePath = candidates.find((p) => existsSync(p));
  if (!executablePath) {
    throw new Error(
      `no Chromium found (looked at ${candidates.join(", ")}). Install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
  // The flags keep Chromium off the network: it only talks to the local Worker.
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
