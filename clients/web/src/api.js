// The HTTP/JSON face of healthscore-server (docs/http.md), from the same
// origin that serves the dashboard. Errors become ApiError with the server's
// gRPC status name and message.

export class ApiError extends Error {
  constructor(request, httpStatus, status, message) {
    super(message);
    this.request = request;      // e.g. "GET /v1/portfolio"
    this.httpStatus = httpStatus;
    this.status = status;        // the gRPC code's name, e.g. "NOT_FOUND"
  }
}

// Calls `path` and returns its JSON; throws ApiError when the server answers
// an error (its JSON {code, status, message}) or cannot be reached.
export async function api(path, { method = 'GET', body } = {}) {
  const request = `${method} ${path.split('?')[0]}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(request, 0, 'UNAVAILABLE', `the server did not answer (${e.message})`);
  }
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(request, res.status, `HTTP ${res.status}`,
      `the reply is not JSON: ${text.slice(0, 200) || res.statusText}`);
  }
  if (!res.ok) {
    throw new ApiError(request, res.status, json.status || `HTTP ${res.status}`,
      json.message || text.slice(0, 200));
  }
  return json;
}

// Query string from an object, leaving out empty values.
export function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

// int64 fields arrive as strings (protobuf's JSON mapping).
export const int = (v) => Number(v ?? 0);
