// The bag: quantities, removal, the total at today's prices, and placing the order (with an
// Idempotency-Key, so a retry after a lost answer never places a second order). A price that
// rose since a line was added is shown old and new, and the buyer confirms it (If-Match).
import { newKey, request } from "../api.js";
import { announce, fill, h, money, settleFocus } from "../dom.js";
import { busy, messageBox, showMessage } from "../forms.js";
import { flash, refreshBagCount } from "../session.js";
import { loadFailure, signedIn } from "./common.js";

// The key of the order being placed, kept while the bag's lines stay the same.
let pending = null; // {key, lines}

function fingerprint(bag) {
  return bag.items.map((item) => `${item.product.id}:${item.quantity}`).sort().join(",");
}

function shortageText(line) {
  if (line.reason === "insufficient_stock") {
    return line.available
      ? `Only ${line.available} left: lower the quantity to ${line.available} or remove it.`
      : "Sold out since you added it: remove it to place your order.";
  }
  if (line.reason === "not_active") return "No longer for sale: remove it to place your order.";
  return "This product was removed: remove it to place your order.";
}

function availabilityText(item) {
  const a = item.availability;
  if (!a.active) return "No longer for sale.";
  if (!a.in_stock) return "Sold out.";
  if (!a.enough_stock) return `Only ${item.product.stock} left.`;
  return "";
}

export function bagView({ main, navigate }) {
  if (!signedIn(main, "Your bag", "your bag")) return undefined;
  document.title = "Your bag – Store";
  const controller = new AbortController();
  const title = h("h1", {}, "Your bag");
  const body = h("div", { class: "bag" }, h("p", { class: "loading" }, "Loading…"));
  fill(main, title, body);

  async function load() {
    try {
      show(await request("/api/bag/", { signal: controller.signal }));
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(body, loadFailure(error, load));
    }
  }

  function show(bag, { shortages = {}, priceChanges = null, etag = null } = {}) {
    refreshBagCount(bag);
    const focusedId = document.activeElement && body.contains(document.activeElement) ? document.activeElement.id : null;
    if (!bag.items.length) {
      fill(body, h("p", {}, "Your bag is empty. ", h("a", { href: "/" }, "Find something you like"), "."));
      settleFocus(main);
      return;
    }
    const orderBox = messageBox({ id: "order-message" });
    const confirming = Boolean(priceChanges && etag);
    const place = h("button", { type: "button", class: "button", id: confirming ? "confirm-prices" : "place-order", "aria-describedby": "order-message" },
      confirming ? "Confirm new prices" : "Place order");
    place.addEventListener("click", () => busy(place, () => placeOrder(bag, orderBox, confirming ? etag : null)));
    fill(body,
      h("ul", { class: "bag-lines", "aria-label": "Products in your bag" }, bag.items.map((item) => line(item, shortages[item.product.id]))),
      h("div", { class: "bag-total" },
        confirming ? priceNotice(Object.values(priceChanges), bag.currency) : null,
        h("p", {}, "Total ", h("strong", { id: "bag-total" }, money(bag.total, bag.currency)),
          h("span", { class: "hint" }, " at today's prices")),
        bag.orderable ? null : h("p", { class: "hint" }, "Fix the lines marked above to place your order."),
        place, orderBox));
    if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
    settleFocus(main);
  }

  function line(item, shortage) {
    const qtyId = `qty-${item.id}`;
    const errorId = `qty-${item.id}-error`;
    const problem = shortage ? shortageText(shortage) : availabilityText(item);
    const error = h("p", { class: "field-error", id: errorId, hidden: !problem, role: shortage ? "alert" : null }, problem);
    const input = h("input", {
      id: qtyId, type: "number", min: 1, max: 999, step: 1, inputmode: "numeric",
      value: item.quantity, "aria-describedby": errorId, "aria-invalid": problem ? "true" : null,
    });
    input.addEventListener("change", async () => {
      // An empty or out-of-range field is not a quantity: say so here, send nothing.
      if (input.value === "" || !input.checkValidity()) {
        error.hidden = false;
        error.textContent = "Enter a whole number from 1 to 999, or remove the line.";
        input.setAttribute("aria-invalid", "true");
        return;
      }
      const quantity = Number(input.value);
      try {
        show(await request(`/api/bag/items/${item.id}/`, { method: "PATCH", json: { quantity } }));
        announce(`Quantity of ${item.product.name} is now ${quantity}.`);
      } catch (err) {
        error.hidden = false;
        error.textContent = err.details && err.details.quantity ? [].concat(err.details.quantity).join(" ") : err.message;
        input.setAttribute("aria-invalid", "true");
      }
    });
    const remove = h("button", { type: "button", class: "link-button", id: `remove-${item.id}` },
      "Remove", h("span", { class: "visually-hidden" }, ` ${item.product.name}`));
    remove.addEventListener("click", () => busy(remove, async () => {
      try {
        await request(`/api/bag/items/${item.id}/`, { method: "DELETE" });
        announce(`${item.product.name} removed from your bag.`);
        const bag = await request("/api/bag/");
        show(bag);
        const next = body.querySelector("input[type=number]") || document.querySelector("main h1");
        if (next) next.focus();
      } catch (err) {
        error.hidden = false;
        error.textContent = err.message;
      }
    }));
    return h("li", { class: "bag-line", dataset: { product: item.product.id } },
      h("div", { class: "what" },
        h("a", { href: `/products/${item.product.id}/`, class: "name" }, item.product.name),
        h("span", { class: "hint" }, ` from ${item.product.owner.username} · ${money(item.product.price)} each`)),
      h("div", { class: "qty" },
        h("label", { for: qtyId }, "Quantity", h("span", { class: "visually-hidden" }, ` of ${item.product.name}`)),
        input, remove),
      h("p", { class: "line-total" }, money(item.line_total)),
      error);
  }

  function priceNotice(changes, currency) {
    return h("div", { class: "message warning", id: "price-changes", role: "alert" },
      h("p", {}, "Prices changed since you put these in your bag:"),
      h("ul", {}, changes.map((c) => h("li", { dataset: { product: c.product_id } },
        `${c.name}: was ${money(c.old_price, currency)}, now ${money(c.new_price, currency)}`))),
      h("p", {}, "Nothing was ordered. Confirm the new prices to place your order."));
  }

  // A price rose (409 price_changed), or the bag changed while confirming (412): read the bag
  // again with its ETag and ask the buyer to confirm what it costs now.
  async function askToConfirmPrices(error) {
    let etag = null;
    const fresh = await request("/api/bag/", { onResponse: (response) => { etag = response.headers.get("ETag"); } });
    const risen = error.code === "price_changed" ? error.details.lines
      : fresh.items.filter((i) => Number(i.product.price) > Number(i.seen_price)).map((i) => (
        { product_id: i.product.id, name: i.product.name, old_price: i.seen_price, new_price: i.product.price }));
    show(fresh, { priceChanges: Object.fromEntries(risen.map((c) => [c.product_id, c])), etag });
    const confirm = document.getElementById("confirm-prices");
    if (confirm) confirm.focus();
  }

  async function placeOrder(bag, box, etag = null) {
    const lines = fingerprint(bag);
    if (!pending || pending.lines !== lines) pending = { key: newKey(), lines };
    const headers = { "Idempotency-Key": pending.key };
    if (etag) headers["If-Match"] = etag;
    let order;
    try {
      order = await request("/api/orders/", { method: "POST", headers });
    } catch (error) {
      if ((error.status === 409 && error.code === "price_changed") || error.status === 412) {
        await askToConfirmPrices(error);
        return;
      }
      if (error.status === 409 && error.code === "insufficient_stock" && error.details && error.details.lines) {
        const shortages = Object.fromEntries(error.details.lines.map((l) => [l.product_id, l]));
        show(await request("/api/bag/"), { shortages });
        const orderBox = document.getElementById("order-message");
        showMessage(orderBox, "Some products are not available in the quantity you asked: see the lines marked above.");
        return;
      }
      if (error.status === 422 || error.status === 400) pending = null;
      showMessage(box, error.status === 400 && error.details.bag ? [].concat(error.details.bag).join(" ") : error.message);
      return;
    }
    pending = null;
    refreshBagCount({ item_count: 0 });
    flash(`Thank you! Order ${order.number} is placed.`);
    navigate("/orders/");
  }

  load();
  return { leave: () => controller.abort() };
}
