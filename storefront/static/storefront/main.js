// The storefront: a small router over the History API, the header (search box, account
// links) and the views. Every view reads and writes through /api/ only.
import { signOut } from "./api.js";
import { searchBox } from "./combobox.js";
import { announce, fill, focusHeading, h } from "./dom.js";
import { loadUser, onSessionChange, session, takeFlash } from "./session.js";
import { signInView, signUpView } from "./views/account.js";
import { bagView } from "./views/bag.js";
import { ordersView } from "./views/orders.js";
import { productView } from "./views/product.js";
import { salesView } from "./views/sales.js";
import { searchUrl, searchView } from "./views/search.js";
import { sellerView } from "./views/seller.js";
import { editProductView, newProductView, sellingView } from "./views/selling.js";
import { webhooksView } from "./views/webhooks.js";

const UUID = "([0-9a-fA-F-]{36})";
const routes = [
  [/^\/$/, searchView],
  [new RegExp(`^/products/${UUID}/$`), productView],
  [new RegExp(`^/users/${UUID}/$`), sellerView],
  [/^\/signin\/$/, signInView],
  [/^\/signup\/$/, signUpView],
  [/^\/bag\/$/, bagView],
  [/^\/orders\/$/, ordersView],
  [/^\/selling\/$/, sellingView],
  [/^\/selling\/new\/$/, newProductView],
  [/^\/selling\/webhooks\/$/, webhooksView],
  [new RegExp(`^/selling/${UUID}/$`), editProductView],
  [/^\/sales\/$/, salesView],
];

const main = document.getElementById("main");
const nav = document.getElementById("account-nav");
let current = null; // {view, controller: what the view returned}

function match(pathname) {
  for (const [pattern, view] of routes) {
    const found = pattern.exec(pathname);
    if (found) return { view, params: found.slice(1) };
  }
  return null;
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState({}, "", url);
  else history.pushState({}, "", url);
  render();
}

function render({ typingStarted = false, focus = true } = {}) {
  const found = match(location.pathname);
  if (current && found && current.view === found.view && current.controller && current.controller.update
    && found.view === searchView) {
    current.controller.update();
    // A tag link in a result card is about to be redrawn away: keep focus somewhere sensible.
    if (focus) focusHeading(main);
    return;
  }
  if (current && current.controller && current.controller.leave) current.controller.leave();
  if (!found) {
    fill(main, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/" }, "Back to the store")));
    current = null;
  } else {
    const controller = found.view({ main, params: found.params, box, navigate, typingStarted });
    current = { view: found.view, controller };
  }
  if (found && found.view !== searchView) box.setValue("");
  const message = takeFlash();
  if (message) {
    main.prepend(h("div", { class: "message success", role: "status" }, message));
  }
  updateNav();
  if (focus) focusHeading(main);
  window.scrollTo(0, 0);
}

// Same-origin links are handled in the page; /api/ and /admin/ links are real navigations.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
    || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !match(url.pathname)) return;
  event.preventDefault();
  if (url.pathname + url.search === location.pathname + location.search && !url.hash) {
    focusHeading(main);
    return;
  }
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", () => render());

const box = searchBox({
  input: document.getElementById("search-input"),
  listbox: document.getElementById("suggestions"),
  form: document.getElementById("search-form"),
  onType(text, startedAt) {
    if (current && current.view === searchView) {
      current.controller.typed(text, startedAt);
    }
  },
  onSubmit(text) {
    if (current && current.view === searchView) current.controller.submitted(text);
    else navigate(searchUrl({ q: text, tags: [], min_price: "", max_price: "", in_stock: false }));
  },
  onChooseProduct(product) {
    navigate(`/products/${product.id}/`);
  },
  onChooseTag(tag) {
    if (current && current.view === searchView) {
      current.controller.chooseTag(tag);
    } else {
      navigate(searchUrl({ q: "", tags: [tag.slug], min_price: "", max_price: "", in_stock: false }));
    }
  },
});

function navLink(href, label, extra = {}) {
  const here = location.pathname === href;
  return h("li", {}, h("a", { href, "aria-current": here ? "page" : false, ...extra }, label));
}

function updateNav() {
  const user = session.user;
  if (!user) {
    const next = location.pathname.startsWith("/sign") ? "" : `?next=${encodeURIComponent(location.pathname + location.search)}`;
    fill(nav, h("ul", {},
      navLink("/signin/", "Sign in", { href: `/signin/${next}` }),
      navLink("/signup/", "Sign up")));
    return;
  }
  const count = session.bagCount;
  fill(nav, h("ul", {},
    navLink("/bag/", ["Bag ", h("span", { class: "badge", "aria-hidden": "true" }, String(count)),
      h("span", { class: "visually-hidden" }, `(${count} item${count === 1 ? "" : "s"})`)]),
    navLink("/orders/", "Orders"),
    navLink("/selling/", "Selling"),
    navLink("/sales/", "Sales"),
    h("li", { class: "who" }, h("span", {}, "Signed in as ", h("strong", {}, user.username))),
    h("li", {}, h("button", {
      type: "button", class: "link-button", id: "sign-out",
      onClick: async () => {
        await signOut();
        announce("You are signed out.");
        navigate("/");
      },
    }, "Sign out"))));
}

onSessionChange(() => {
  const hadFocus = nav.contains(document.activeElement) ? document.activeElement.id || null : null;
  updateNav();
  if (hadFocus && document.getElementById(hadFocus)) document.getElementById(hadFocus).focus();
});

loadUser()
  .catch(() => null)
  .finally(() => render({ focus: false }));
