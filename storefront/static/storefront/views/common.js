// Small pieces several views share.
import { h, fill } from "../dom.js";
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
