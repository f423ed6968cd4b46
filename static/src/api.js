// api.js: the data API calls the map makes, all to its own server.

/** An error from the API, with the status and the server's message. */
export class APIError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/**
 * Functions told the data version of every API answer that carries one
 * ({version: N}), so the map learns of writes it missed over the socket.
 */
export const versionListeners = new Set();

async function getJSON(path, { signal, dataVersion = true } = {}) {
  const res = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON
  }
  if (!res.ok) {
    throw new APIError(res.status, body?.error || `${res.status} ${res.statusText}`, body?.param);
  }
  if (dataVersion && Number.isSafeInteger(body?.version)) versionListeners.forEach((fn) => fn(body.version));
  return body;
}

/** Some endpoints answer a bare list, others {items: [...]}. */
export function asList(x, ...keys) {
  if (Array.isArray(x)) return x;
  for (const k of ['items', ...keys]) if (Array.isArray(x?.[k])) return x[k];
  if (Array.isArray(x?.features)) return x.features;
  return [];
}

export const api = {
  actors: (opts) => getJSON('/api/actors', opts).then((x) => asList(x, 'actors')),
  country: (iso3, filterQS, opts) => getJSON(`/api/countries/${encodeURIComponent(iso3)}?${filterQS}`, opts),
  transfers: (qs, opts) => getJSON(`/api/transfers?${qs}`, opts),
  flows: (filterQS, opts) => getJSON(`/api/flows?${filterQS}`, opts),
  // A style's "version" is the style spec's (8), not the data's.
  style: (qs, opts) => getJSON(`/style.json?${qs}`, { ...opts, dataVersion: false }),
};

/** Path of the flows CSV for a filter. */
export const flowsCSV = (filterQS) => `/api/flows?format=csv&${filterQS}`;
/** Path of the transfers CSV for a query. */
export const transfersCSV = (qs) => `/api/transfers?format=csv&${qs}`;
