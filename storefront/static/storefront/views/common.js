// Small pieces several views share.
import { request } from "../api.js";
import { h, fill, settleFocus } from "../dom.js";
import { session } from "../session.js";

/** Render "sign in first" and return false when nobody is signed in. */
export function signedIn(main, title, what) {
  if (session.user) return true;
  const next = encodeURIComponent(location.pathname + location.search);
  document.title = `${title} – Store`;
  fill(main,
    h("h1", {}, title),
    h("p", {}, `Sign in to see ${what}. `,
      h("a", { href: `/signin/?next=${next}` }, "Sign in"), " or ",
      h("a", { href: `/signup/?next=${next}` }, "create an account"), "."));
  return false;
}

/** A failed load: the message and a way to try again. */
export function loadFailure(error, retry) {
  return h("div", { class: "message error", role: "alert" },
    h("p", {}, error.message),
    retry && error.status !== 404
      ? h("button", { type: "button", class: "button secondary", onClick: retry }, "Try again")
      : null);
}

export function stateBadge(state) {
  return h("span", { class: `state state-${state}` }, state.charAt(0).toUpperCase() + state.slice(1));
}

/** "Load more" over the API's page-number pagination (`next` links). */
export function pager(button, fetchPage, appendItems) {
  let nextUrl = null;
  button.addEventListener("click", async () => {
    if (!nextUrl || button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    try {
      const page = await fetchPage(nextUrl);
      nextUrl = page.next;
      appendItems(page.results, { focusFirst: true });
      button.hidden = !nextUrl;
    } finally {
      button.removeAttribute("aria-disabled");
    }
  });
  return {
    set(next) {
      nextUrl = next;
      button.hidden = !nextUrl;
    },
  };
}

/** The path and query of an absolute `next` URL from the API. */
export function localUrl(url) {
  const parsed = new URL(url, location.origin);
  return parsed.pathname + parsed.search;
}

/** Tabs that link to the filtered versions of a page: `[href, label, current]` each. */
export function tabs(label, entries) {
  return h("nav", { class: "tabs", "aria-label": label },
    h("ul", {}, entries.map(([href, text, current]) => h("li", {},
      h("a", { href, "aria-current": current ? "page" : null }, text)))));
}

/**
 * A signed-in page listing what `url` pages through: `head` (its heading and tabs) above a
 * status line (loading, nothing yet, a failure with "Try again"), the `list` element filled
 * with `item(result)` nodes, and `moreLabel`'s button for the next page, which moves focus to
 * the first new item's `focusSelector`. `empty()` says what an empty first page means.
 * Returns the view's controller, with `reload()` to draw the first page again.
 */
export function listPage(main, { title, what, head, list, url, item, focusSelector, empty, moreLabel = "Show more" }) {
  if (!signedIn(main, title, what)) return undefined;
  document.title = `${title} – Store`;
  const controller = new AbortController();
  const more = h("button", { type: "button", class: "button secondary more", hidden: true }, moreLabel);
  const status = h("div", {}, h("p", { class: "loading" }, "Loading…"));
  fill(main, ...head, status, list, more);

  const pages = pager(more, (next) => request(localUrl(next)), (results, { focusFirst } = {}) => {
    const before = list.children.length;
    list.append(...results.map(item));
    if (focusFirst && list.children[before]) list.children[before].querySelector(focusSelector).focus();
  });

  async function load() {
    try {
      const page = await request(url, { signal: controller.signal });
      status.replaceChildren();
      list.replaceChildren(...page.results.map(item));
      pages.set(page.next);
      if (!page.results.length) fill(status, empty());
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(status, loadFailure(error, load));
    }
    settleFocus(main);
  }

  load();
  return { leave: () => controller.abort(), reload: load };
}
