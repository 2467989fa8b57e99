// Who is signed in, and how many things are in their bag: read from /api/, shared by views.
import { hasToken, onTokensChange, request } from "./api.js";

export const session = { user: null, bagCount: 0 };
const listeners = new Set();

export function onSessionChange(listener) {
  listeners.add(listener);
}

function changed() {
  for (const listener of listeners) listener(session);
}

export async function loadUser() {
  if (!hasToken()) {
    session.user = null;
    session.bagCount = 0;
    changed();
    return null;
  }
  try {
    session.user = await request("/api/users/me/");
  } catch (error) {
    session.user = null;
    if (error.status !== 401) throw error;
  }
  changed();
  if (session.user) refreshBagCount();
  return session.user;
}

export async function refreshBagCount(bag) {
  if (!session.user) return;
  try {
    const current = bag || (await request("/api/bag/"));
    session.bagCount = current.item_count;
  } catch {
    return; // the count is a convenience; the bag page shows real errors
  }
  changed();
}

onTokensChange((signedIn) => {
  if (!signedIn && session.user) {
    session.user = null;
    session.bagCount = 0;
    changed();
  }
});

// A message for the next view ("Order placed"), shown once.
let pendingFlash = null;
export function flash(message) {
  pendingFlash = message;
}
export function takeFlash() {
  const message = pendingFlash;
  pendingFlash = null;
  return message;
}
