// My orders, newest first; cancel one while nothing of it has been sent.
import { request } from "../api.js";
import { announce, fill, h, money, settleFocus, when } from "../dom.js";
import { busy, messageBox, showMessage } from "../forms.js";
import { loadFailure, localUrl, pager, signedIn, stateBadge } from "./common.js";

export function ordersView({ main }) {
  if (!signedIn(main, "Your orders", "your orders")) return undefined;
  document.title = "Your orders – Store";
  const controller = new AbortController();
  const list = h("ol", { class: "orders", "aria-label": "Orders, newest first" });
  const more = h("button", { type: "button", class: "button secondary more", hidden: true }, "Show older orders");
  const status = h("div", {}, h("p", { class: "loading" }, "Loading…"));
  fill(main, h("h1", {}, "Your orders"), status, list, more);

  const pages = pager(more, (url) => request(localUrl(url)), (orders, { focusFirst } = {}) => {
    const before = list.children.length;
    list.append(...orders.map(orderItem));
    if (focusFirst && list.children[before]) list.children[before].querySelector("h2").focus();
  });

  function orderItem(order) {
    const item = h("li", { class: "order", id: `order-${order.id}` });
    renderOrder(item, order);
    return item;
  }

  function renderOrder(item, order) {
    const box = messageBox();
    const cancellable = order.state === "placed" && !order.lines.some((l) => l.fulfilled);
    const cancel = cancellable
      ? h("button", { type: "button", class: "button secondary", id: `cancel-${order.id}` },
        "Cancel order", h("span", { class: "visually-hidden" }, ` ${order.number}`))
      : null;
    if (cancel) {
      cancel.addEventListener("click", () => busy(cancel, async () => {
        try {
          const fresh = await request(`/api/orders/${order.id}/cancel/`, { method: "POST" });
          renderOrder(item, fresh);
          item.querySelector("h2").focus();
          announce(`Order ${order.number} is cancelled.`);
        } catch (error) {
          showMessage(box, error.status === 409 ? "This order can no longer be cancelled: part of it has been sent." : error.message);
        }
      }));
    }
    fill(item,
      h("div", { class: "order-head" },
        h("h2", { tabindex: "-1" }, `Order ${order.number}`),
        stateBadge(order.state),
        h("span", { class: "hint" }, when(order.created))),
      h("table", { class: "lines" },
        h("caption", { class: "visually-hidden" }, `Lines of order ${order.number}`),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, "Product"), h("th", { scope: "col" }, "Seller"),
          h("th", { scope: "col", class: "num" }, "Quantity"), h("th", { scope: "col", class: "num" }, "Price"),
          h("th", { scope: "col", class: "num" }, "Total"), h("th", { scope: "col" }, "Sent"))),
        h("tbody", {}, order.lines.map((line) => h("tr", {},
          h("td", {}, h("a", { href: `/products/${line.product_id}/` }, line.product_name)),
          h("td", {}, h("a", { href: `/users/${line.seller.id}/` }, line.seller.username)),
          h("td", { class: "num" }, String(line.quantity)),
          h("td", { class: "num" }, money(line.unit_price, order.currency)),
          h("td", { class: "num" }, money(line.line_total, order.currency)),
          h("td", {}, line.fulfilled ? "Sent" : "Not yet"))))),
      h("p", { class: "order-total" }, "Total ", h("strong", {}, money(order.total, order.currency))),
      cancel, box);
  }

  async function load() {
    try {
      const page = await request("/api/orders/", { signal: controller.signal });
      status.replaceChildren();
      list.replaceChildren(...page.results.map(orderItem));
      pages.set(page.next);
      if (!page.results.length) fill(status, h("p", {}, "No orders yet. ", h("a", { href: "/" }, "Start shopping"), "."));
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(status, loadFailure(error, load));
    }
    settleFocus(main);
  }

  load();
  return { leave: () => controller.abort() };
}
