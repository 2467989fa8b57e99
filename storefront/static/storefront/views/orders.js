// My orders, newest first; cancel one while nothing of it has been sent.
import { request } from "../api.js";
import { announce, fill, h, money, when } from "../dom.js";
import { busy, messageBox, showMessage } from "../forms.js";
import { listPage, stateBadge } from "./common.js";

export function ordersView({ main }) {
  return listPage(main, {
    title: "Your orders",
    what: "your orders",
    head: [h("h1", {}, "Your orders")],
    list: h("ol", { class: "orders", "aria-label": "Orders, newest first" }),
    url: "/api/orders/",
    item: orderItem,
    focusSelector: "h2",
    empty: () => h("p", {}, "No orders yet. ", h("a", { href: "/" }, "Start shopping"), "."),
    moreLabel: "Show older orders",
  });
}

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
