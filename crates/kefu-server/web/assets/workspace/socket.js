// The agent's realtime link. It never gives up: the workspace is left open all day and must
// survive server restarts, laptop sleep and flaky Wi-Fi without the agent reloading.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
// Idle proxies and NATs drop silent TCP connections; a ping keeps the path warm and lets us
// notice a dead link even when the browser has not yet fired `close`.
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
// 1012 = "service restart": the server is coming back, so retry soon, with jitter so a whole
// floor of agents does not reconnect in the same millisecond.
const RESTART_CODE = 1012;

export class AgentSocket {
  constructor(url, { onFrame, onState, beforeReconnect }) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState;
    this.beforeReconnect = beforeReconnect;
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.countdownTimer = null;
    this.generation = 0; // bumps on every manual reconnect so a stale timer cannot open a 2nd socket
    // Leaving the page must end the connection, also into the back/forward cache (which keeps
    // sockets open): presence follows the socket, and routing gives chats only to a live page.
    window.addEventListener('pagehide', () => this.suspend());
    window.addEventListener('pageshow', (ev) => { if (ev.persisted) this.reconnectNow(); });
  }

  /** Close without reconnecting (the page is being left). */
  suspend() {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
    this.stopPing();
    const ws = this.ws;
    this.ws = null; // the close handler then ignores this socket: no reconnect
    if (ws) ws.close(1000, 'page left');
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (_) {
      this.scheduleReconnect(null);
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.attempt = 0;
      this.onState('open');
      this.startPing();
    });
    ws.addEventListener('message', (ev) => {
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch (_) {
        return; // Not ours to interpret; a malformed frame must not kill the session.
      }
      if (frame && frame.type === 'pong') {
        clearTimeout(this.pongTimer);
        return;
      }
      this.onFrame(frame);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      this.scheduleReconnect(ev.code);
    });
    // `error` is always followed by `close`; reconnecting is handled there.
  }

  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => {
        // No pong: treat the link as dead; closing triggers the normal reconnect path.
        if (this.ws) this.ws.close(4000, 'pong timeout');
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  scheduleReconnect(code) {
    let delay;
    if (code === RESTART_CODE) {
      delay = 300 + Math.floor(Math.random() * 700);
    } else {
      delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
    }
    const due = Date.now() + delay;
    const tick = () => {
      const left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      this.onState('closed', { retryIn: left });
    };
    tick();
    clearInterval(this.countdownTimer);
    this.countdownTimer = setInterval(tick, 1000);
    const gen = this.generation;
    this.retryTimer = setTimeout(async () => {
      clearInterval(this.countdownTimer);
      // A socket refused because the session expired looks like any other failure from
      // the browser's side; asking /me tells the two apart (and redirects on 401).
      if (this.beforeReconnect) {
        try {
          await this.beforeReconnect();
        } catch (_) {
          // Server unreachable: just try the socket again.
        }
      }
      if (gen !== this.generation || this.ws) return;
      this.connect();
    }, delay);
  }

  reconnectNow() {
    if (this.ws) return;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    clearInterval(this.countdownTimer);
    this.connect();
  }
}
