// The one way the page talks to the store: JSON over /api/ with the shopper's bearer token.
// Tokens live in sessionStorage (this tab only, gone when it closes), never in a cookie.

const STORAGE_KEY = "storefront.tokens";
const CLIENT_ID = document.body.dataset.clientId || "storefront";

export class ApiError extends Error {
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
    this.retryAfter = retryAfter;
  }
}

let tokens = readTokens();
const tokenListeners = new Set();

function readTokens() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

function storeTokens(next) {
  tokens = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of tokenListeners) listener(Boolean(next));
}

export function hasToken() {
  return Boolean(tokens && tokens.access);
}

/** Called with true/false whenever the page gains or loses its tokens. */
export function onTokensChange(listener) {
  tokenListeners.add(listener);
}

function retryAfterOf(response) {
  const value = Number(response.headers.get("Retry-After"));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

function friendly(status, code, message, retryAfter) {
  if (status === 429) {
    return retryAfter
      ? `Too many attempts. Try again in ${retryAfter} seconds.`
      : "Too many attempts. Try again in a moment.";
  }
  if (status >= 500 && status !== 503) return "Something went wrong on our side. Please try again.";
  return message || "The request failed.";
}

async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const retryAfter = retryAfterOf(response);
  const error = body && typeof body.error === "object" ? body.error : null;
  if (error) {
    return new ApiError(
      response.status,
      error.code,
      friendly(response.status, error.code, error.message, retryAfter),
      error.details,
      retryAfter,
    );
  }
  // The OAuth2 endpoints keep RFC 6749's own body: {"error": "invalid_grant", ...}.
  const code = body && typeof body.error === "string" ? body.error : `http_${response.status}`;
  const message = body && body.error_description;
  return new ApiError(
    response.status,
    code,
    friendly(response.status, code, message, retryAfter),
    {},
    retryAfter,
  );
}

async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "Could not reach the store. Check your connection and try again.");
  }
}

async function tokenRequest(fields) {
  const response = await send("/api/oauth/token/", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({ ...fields, client_id: CLIENT_ID }),
  });
  if (!response.ok) throw await errorFrom(response);
  const body = await response.json();
  storeTokens({ access: body.access_token, refresh: body.refresh_token });
}

let refreshing = null;
/** Trade the refresh token for new tokens, once even if several requests ask at once. */
function refreshTokens() {
  if (!refreshing) {
    const refresh = tokens && tokens.refresh;
    refreshing = (refresh ? tokenRequest({ grant_type: "refresh_token", refresh_token: refresh })
      : Promise.reject(new Error("no refresh token")))
      .then(() => true, () => {
        storeTokens(null);
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/**
 * request("/api/bag/", {method, json, headers, signal, onResponse}) -> the JSON answer (null
 * for 204); onResponse(response) sees a successful answer first (its headers: the bag's ETag).
 * Throws ApiError (status 0 when the store cannot be reached) or the fetch AbortError.
 */
export async function request(path, { method = "GET", json, headers = {}, signal, onResponse } = {}) {
  const attempt = async () => {
    const init = { method, signal, headers: { Accept: "application/json", ...headers } };
    if (tokens && tokens.access) init.headers.Authorization = `Bearer ${tokens.access}`;
    if (json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    return send(path, init);
  };
  const hadToken = hasToken();
  let response = await attempt();
  if (response.status === 401 && hadToken && (await refreshTokens())) {
    response = await attempt();
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401) {
      if (hasToken()) storeTokens(null);
      error.message = hadToken
        ? "Your session has ended. Please sign in again."
        : "Please sign in first.";
    }
    throw error;
  }
  if (onResponse) onResponse(response);
  if (response.status === 204) return null;
  return response.json();
}

/** The password grant with the public first-party client; the page reads and changes the
 * person's data, so it asks for both scopes (refreshed tokens keep them). */
export async function signIn(username, password) {
  try {
    await tokenRequest({ grant_type: "password", username, password, scope: "read write" });
  } catch (error) {
    if (error.code === "invalid_grant") {
      error.message = "That username and password do not match an account.";
    }
    throw error;
  }
}

/** Revoke both tokens (RFC 7009) and forget them, even if the store cannot be reached. */
export async function signOut() {
  const current = tokens;
  storeTokens(null);
  if (!current) return;
  const revoke = (token) =>
    send("/api/oauth/revoke_token/", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, client_id: CLIENT_ID }),
    }).catch(() => null);
  await Promise.all([current.access, current.refresh].filter(Boolean).map(revoke));
}

/** Query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "" || value === false) continue;
    if (Array.isArray(value) && !value.length) continue;
    search.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A fresh Idempotency-Key. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
