'use strict';
/**
 * A load process. The orchestrator (bench/run.js) forks it, pins it to the load core and drives it
 * over IPC: {id, cmd, ...args} → {id, ok, result|error}; progress marks as {mark, ...}.
 * Both clients of every pair live in this process, so latency is measured on one clock.
 * Every loop here is bounded by a count or a deadline.
 */
const { createClient, now } = require('./clients');
const { newHist, summary } = require('./histogram');
const flood = require('./flood-load');
const P = require('./payloads');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let clients = [];
const errors = {};

/** Scenario-specific callbacks; swapped per command. */
const noop = () => {};
let on = { paired: noop, chat: noop, signal: noop, left: noop };
const handlers = {
  onPaired: (c) => on.paired(c),
  onChat: (c, ts) => on.chat(c, ts),
  onSignal: (c, kind, ts) => on.signal(c, kind, ts),
  onPartnerLeft: (c) => on.left(c),
  onError: (_c, code) => {
    errors[code] = (errors[code] || 0) + 1;
  },
  onClose: noop,
};
function takeErrors() {
  const e = { ...errors };
  for (const k of Object.keys(errors)) delete errors[k];
  return e;
}

async function connect({ kind, url, count, concurrency = 100, timeoutMs = 30000 }) {
  const t0 = performance.now();
  const made = [];
  let failed = 0;
  let firstError = null;
  let i = 0;
  async function lane() {
    while (i < count) {
      i++;
      const c = createClient(kind, url, handlers);
      try {
        await c.connect(timeoutMs);
        made.push(c);
      } catch (err) {
        failed++;
        firstError = firstError || String(err && err.message);
        c.close();
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  const ms = performance.now() - t0;
  clients.push(...made);
  return { connected: made.length, failed, firstError, ms, errors: takeErrors() };
}

function linkPartners() {
  const byId = new Map(clients.map((c) => [c.userId, c]));
  let linked = 0;
  for (const c of clients) {
    c.partner = c.roomId ? byId.get(c.partnerId) || null : null;
    if (c.partner) linked++;
  }
  return linked;
}

/** Pair clients (peer: locally, in order), everyone joins `type` at once, wait until all paired. */
async function join({ type = 'chat', timeoutMs = 60000, interleave = false, laneInterests = false }) {
  if (clients[0] && clients[0].constructor.name === 'PeerClient') {
    for (let k = 0; k + 1 < clients.length; k += 2) {
      const [a, b] = [clients[k], clients[k + 1]];
      a.partnerId = b.userId;
      b.partnerId = a.userId;
      a.roomId = b.roomId = `local-${k}`;
    }
    const linked = linkPartners();
    return { paired: linked, want: linked, linked, ms: 0, errors: takeErrors() };
  }
  const want = clients.length - (clients.length % 2);
  let paired = 0;
  let done;
  const all = new Promise((r) => (done = r));
  on = { ...on, paired: () => ++paired >= want && done() };
  // interleave: clients were connected half to one node, then half to another; joining them
  // alternately makes consecutive joiners sit on different nodes (cross-node pairs).
  let order = clients;
  if (interleave) {
    const half = Math.ceil(clients.length / 2);
    order = [];
    for (let i = 0; i < half; i++) order.push(clients[i], ...(clients[i + half] ? [clients[i + half]] : []));
  }
  // laneInterests: client i of the first half and client i of the second half share a unique
  // interest, so (within the interest window) each can only meet its twin: with interleave, every
  // pair then spans the two nodes.
  const prefs = new Map();
  if (laneInterests) {
    const half = Math.ceil(clients.length / 2);
    clients.forEach((c, i) => prefs.set(c, { interests: [`lane${i % half}`] }));
  }
  const t0 = performance.now();
  for (const c of order) c.join(type, prefs.get(c));
  await Promise.race([all, sleep(timeoutMs)]);
  const ms = performance.now() - t0;
  on = { ...on, paired: noop };
  await sleep(50);
  const linked = linkPartners();
  const crossPairs = clients.filter((c) => c.partner && c.partner.url !== c.url).length / 2;
  return { paired, want, ms, linked, crossPairs, errors: takeErrors() };
}

function mark(name) {
  process.send({ mark: name });
}

/** Counters of one load run (relay or signal), shared by its handlers and its measured window. */
function newRun() {
  return { hist: newHist(), measuring: false, running: true, delivered: 0, sent: 0, received: 0 };
}

/** A message sent at `ts` arrived: counts it and, inside the window, records its latency (returned; 0 outside). */
function arrived(run, ts) {
  run.received++;
  if (!run.measuring) return 0;
  run.delivered++;
  const latency = Math.max(1, now() - ts);
  run.hist.recordValue(latency);
  return latency;
}

/**
 * Warm-up, then the measured window between the 'start' and 'end' marks (run.measuring); then stops
 * the load loop (run.running = false). Returns the window's length in seconds.
 */
async function measureWindow(run, warmup, seconds) {
  await sleep(warmup * 1000);
  run.measuring = true;
  mark('start');
  const t1 = performance.now();
  await sleep(seconds * 1000);
  run.measuring = false;
  const elapsed = (performance.now() - t1) / 1000;
  mark('end');
  run.running = false;
  return elapsed;
}

/** Waits, at most drainMs, for the messages still in flight. */
async function drain(run, drainMs) {
  const deadline = Date.now() + drainMs;
  while (run.received < run.sent && Date.now() < deadline) await sleep(20);
}

/**
 * Chat relay. mode 'saturate': every client keeps `window` messages in flight to its partner.
 * mode 'rate': `rate` messages/s in total, spread round-robin over all clients, open loop.
 * Latency = send → the partner's copy arrives (the sender's own echo is ignored).
 */
async function relay({ mode, warmup = 2, seconds = 10, window = 4, rate = 1000, size = 64, drainMs = 5000 }) {
  const senders = clients.filter((c) => c.partner && c.roomId);
  if (!senders.length) throw new Error('no paired clients');
  const run = newRun();
  on = {
    ...on,
    chat: (c, ts) => {
      arrived(run, ts);
      if (mode === 'saturate' && run.running) {
        c.partner.sendChat(P.makeText(now(), size));
        run.sent++;
      }
    },
  };
  let ticker = null;
  let offeredInWindow = 0;
  if (mode === 'saturate') {
    for (let w = 0; w < window; w++) {
      for (const c of senders) {
        c.sendChat(P.makeText(now(), size));
        run.sent++;
      }
    }
  } else {
    const t0 = performance.now();
    let rr = 0;
    let offered = 0;
    ticker = setInterval(() => {
      const due = Math.floor((rate * (performance.now() - t0)) / 1000);
      const burst = Math.min(due - offered, Math.ceil(rate / 100));
      for (let k = 0; k < burst; k++) {
        senders[rr++ % senders.length].sendChat(P.makeText(now(), size));
        offered++;
        run.sent++;
        if (run.measuring) offeredInWindow++;
      }
      if (due - offered > rate / 10) offered = due - Math.ceil(rate / 10); // never more than 100 ms of backlog
    }, 2);
  }
  const elapsed = await measureWindow(run, warmup, seconds);
  if (ticker) clearInterval(ticker);
  await drain(run, drainMs);
  on = { ...on, chat: noop };
  return {
    mode,
    pairs: senders.length / 2,
    sent: run.sent, // warm-up and drain included: the divisor for whole-call counts (Redis commands)
    delivered: run.delivered,
    seconds: elapsed,
    perSec: run.delivered / elapsed,
    offeredPerSec: mode === 'rate' ? offeredInWindow / elapsed : null,
    lost: run.sent - run.received,
    latencyMs: summary(run.hist),
    errors: takeErrors(),
  };
}

/**
 * Signalling bursts, closed loop per pair: A offers (SDP ≈ 10 KB); B answers and trickles `candidates`
 * ICE candidates; A trickles as many once it has the answer; the next negotiation starts when both
 * have everything. Messages per negotiation: 2 + 2 × candidates.
 */
async function signal({ warmup = 2, seconds = 10, candidates = 10, drainMs = 5000 }) {
  const list = [];
  const seen = new Set();
  for (const c of clients) {
    if (!c.partner || seen.has(c)) continue;
    seen.add(c);
    seen.add(c.partner);
    list.push([c, c.partner]);
  }
  if (!list.length) throw new Error('no paired clients');
  const run = newRun();
  const sdpHist = newHist();
  let negotiations = 0;
  const state = new Map();
  function start(a, b) {
    const st = { a, b, answered: false, aCands: 0, bCands: 0 };
    state.set(a, st);
    state.set(b, st);
    a.sendOffer(now());
    run.sent++;
  }
  function sendCandidates(c) {
    for (let k = 0; k < candidates; k++) {
      c.sendCandidate(now());
      run.sent++;
    }
  }
  function maybeDone(st) {
    if (st.answered && st.aCands >= candidates && st.bCands >= candidates) {
      negotiations += run.measuring ? 1 : 0;
      if (run.running) start(st.a, st.b);
    }
  }
  on = {
    ...on,
    signal: (c, kind, ts) => {
      const latency = arrived(run, ts);
      if (latency && kind !== 'candidate') sdpHist.recordValue(latency);
      const st = state.get(c);
      if (kind === 'offer') {
        c.sendAnswer(now());
        run.sent++;
        sendCandidates(c);
      } else if (kind === 'answer') {
        st.answered = true;
        sendCandidates(c);
        maybeDone(st);
      } else {
        if (c === st.a) st.aCands++;
        else st.bCands++;
        maybeDone(st);
      }
    },
  };
  for (const [a, b] of list) start(a, b);
  const elapsed = await measureWindow(run, warmup, seconds);
  await drain(run, drainMs);
  on = { ...on, signal: noop };
  return {
    pairs: list.length,
    delivered: run.delivered,
    negotiations,
    seconds: elapsed,
    perSec: run.delivered / elapsed,
    lost: run.sent - run.received,
    latencyMs: summary(run.hist),
    sdpLatencyMs: summary(sdpHist),
    errors: takeErrors(),
  };
}

/**
 * Churn for `seconds`: each client joins, chats a little when paired, then skips (`next`), leaves and
 * re-joins, or drops its connection and comes back as a new one. A client whose partner left joins
 * again. At the end every client leaves its room and the queue and stays connected, idle.
 */
async function churn({ kind, url, seconds = 20, type = 'chat', msgs = 3, pauseMs = 30 }) {
  const counts = { joins: 0, pairs: 0, messages: 0, next: 0, leave: 0, reconnect: 0, partnerLeft: 0 };
  let running = true;
  const rnd = (n) => Math.floor(Math.random() * n);
  const later = (fn, ms) => setTimeout(() => running && fn(), ms);
  function join(c) {
    counts.joins++;
    c.join(type);
  }
  async function act(c) {
    if (!c.roomId) return;
    const r = Math.random();
    if (r < 0.5) {
      counts.next++;
      c.roomId = null;
      c.next();
    } else if (r < 0.8) {
      counts.leave++;
      c.leaveRoom();
      later(() => join(c), rnd(pauseMs));
    } else {
      counts.reconnect++;
      const idx = clients.indexOf(c);
      c.close();
      const fresh = createClient(kind, url, handlers);
      try {
        await fresh.connect(10000);
        clients[idx] = fresh;
        if (running) join(fresh);
        else fresh.leaveQueue();
      } catch {
        errors.reconnect_failed = (errors.reconnect_failed || 0) + 1;
        clients.splice(idx, 1);
      }
    }
  }
  on = {
    ...on,
    paired: (c) => {
      counts.pairs++;
      const room = c.roomId;
      for (let k = 0; k < 1 + rnd(msgs); k++) {
        later(() => {
          if (c.roomId === room) {
            c.sendChat(P.makeText(now(), 40));
            counts.messages++;
          }
        }, rnd(pauseMs));
      }
      later(() => c.roomId === room && act(c), pauseMs + rnd(pauseMs * 4));
    },
    left: (c) => {
      counts.partnerLeft++;
      later(() => !c.roomId && join(c), rnd(pauseMs));
    },
    chat: noop,
  };
  for (const c of clients) join(c);
  await sleep(seconds * 1000);
  running = false;
  await sleep(300);
  for (const c of clients) {
    c.leaveRoom();
    c.leaveQueue();
  }
  await sleep(1000);
  on = { ...on, paired: noop, left: noop };
  // Anyone paired in the last second leaves too (bounded: two rounds).
  for (let round = 0; round < 2; round++) {
    for (const c of clients) if (c.roomId) c.leaveRoom();
    await sleep(300);
  }
  return { counts, clients: clients.length, errors: takeErrors() };
}

async function closeAll({ waitMs = 1000 }) {
  const n = clients.length;
  for (const c of clients) c.close();
  clients = [];
  await sleep(waitMs);
  return { closed: n };
}

const commands = { connect, join, relay, signal, churn, closeAll, ...flood.commands };
process.on('message', async (msg) => {
  if (msg.cmd === 'exit') {
    for (const c of clients) c.close();
    flood.closeAll();
    setTimeout(() => process.exit(0), 200);
    return;
  }
  try {
    const result = await commands[msg.cmd](msg);
    process.send({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: String((err && err.stack) || err) });
  }
});
process.on('disconnect', () => process.exit(0));
