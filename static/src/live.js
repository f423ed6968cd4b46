// live.js: listens on the server's WebSocket (/ws, channel "data") and
// calls back when the data changed, so the map, panel and table reload.
// Reconnects with backoff; silent when the server has no live endpoint.

const EVENTS = new Set(['data.changed', 'tiles.invalidated', 'transfer.added', 'transfer.updated', 'transfer.deleted']);

export function watchData(onChange, { debounceMs = 600 } = {}) {
  let ws = null;
  let retry = 1000;
  let timer = null;
  let stopped = false;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const connect = () => {
    if (stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    try {
      ws = new WebSocket(url);
    } catch {
      return;
    }
    ws.addEventListener('open', () => {
      retry = 1000;
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', channel: 'data' }));
    });
    ws.addEventListener('message', (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (EVENTS.has(msg?.type)) fire();
    });
    ws.addEventListener('close', (e) => {
      if (stopped || e.code === 1008) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 60_000);
    });
  };
  connect();
  return () => {
    stopped = true;
    ws?.close();
  };
}
