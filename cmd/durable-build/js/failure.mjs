// What a caller is told when an event fails before Go answers it. A deployed
// Worker must not tell its callers internal text (a constructor's error, a
// JavaScript exception, a stack), so a 500's body says only what failed, and
// the whole error goes to the log. DURABLE_ERROR_DETAILS=on (development: npm
// start sets it) puts the error's own message in the body. Go's side of the
// same rule is internal/serving's Reporter.

// publicly marks e with text any caller may be told about it.
export function publicly(e, text) {
  e.publicText = text;
  return e;
}

// errorDetailsValue is the Worker's DURABLE_ERROR_DETAILS, as Go reads it.
export function errorDetailsValue(env) {
  return String(env?.DURABLE_ERROR_DETAILS ?? "");
}

// detailsOn mirrors serving.DetailsOn: anything but on, true or 1 is off.
function detailsOn(env) {
  return ["on", "true", "1"].includes(errorDetailsValue(env).trim().toLowerCase());
}

// failure logs e and returns the 500 that reports it.
export function failure(e, env) {
  console.error("durable:", e);
  const text = detailsOn(env)
    ? `Internal Server Error: ${e?.message ?? e}`
    : e?.publicText
      ? `Internal Server Error: ${e.publicText}; the Worker's log has the details`
      : "Internal Server Error";
  return new Response(`${text}\n`, {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" },
  });
}
