// SQL cursors Go reads lazily (SQL.Query in Go): the cursor of sql.exec stays
// here, under a number, and Go asks for its rows a chunk at a time, so a large
// result never crosses into Go whole.
import { Packer } from "./packer.mjs";

// A chunk ends after CHUNK_BYTES of packed rows or CHUNK_ROWS rows, whichever
// comes first: Go holds one chunk at a time.
const CHUNK_BYTES = 64 * 1024;
const CHUNK_ROWS = 1024;

const cursors = new Map(); // number → { cursor, rows: its raw iterator, columns }
let nextCursor = 1;

// cursorCount is how many cursors Go has open (bridge.ReadStats).
export function cursorCount() {
  return cursors.size;
}

function header(p, columns) {
  p.u32(columns.length);
  for (const c of columns) p.string(2, c);
}

export const cursorHost = {
  // cursorOpen runs the statement and returns [cursor number, packed column
  // names (a result without rows)].
  cursorOpen(sql, query, args) {
    const cursor = sql.exec(query, ...args);
    const id = nextCursor++;
    const columns = cursor.columnNames;
    cursors.set(id, { cursor, rows: cursor.raw(), columns });
    const p = new Packer();
    header(p, columns);
    return [id, p.done()];
  },
  // cursorNext returns [packed rows, done]; a cursor that is done is
  // forgotten.
  cursorNext(id) {
    const c = cursors.get(id);
    const p = new Packer();
    if (!c) {
      header(p, []);
      return [p.done(), true];
    }
    header(p, c.columns);
    let n = 0;
    let done = false;
    while (n < CHUNK_ROWS && p.n < CHUNK_BYTES) {
      let step;
      try {
        step = c.rows.next();
      } catch (e) {
        cursors.delete(id);
        throw e;
      }
      if (step.done) {
        done = true;
        break;
      }
      for (const v of step.value) p.value(v);
      n++;
    }
    if (done) cursors.delete(id);
    return [p.done(), done];
  },
  // cursorClose ends a cursor the loop left early. workerd's cursors have no
  // close method, and one left unfinished holds its statement (and SQLite's
  // read lock on its tables) until it is garbage collected. one() reads a
  // row and, when more remain, ends the query before it throws "Expected
  // exactly one result": the one way to end it now (workerd's sql.c++,
  // Cursor::one).
  cursorClose(id) {
    const c = cursors.get(id);
    cursors.delete(id);
    try {
      c?.cursor.one();
    } catch {
      // expected: the cursor had more than one row left, or none
    }
  },
};
