// My sales: lines of other people's orders for my products; mark a line as sent.
import { query, request } from "../api.js";
import { announce, fill, h, money, when } from "../dom.js";
import { busy, messageBox, showMessage } from "../forms.js";
import { listPage, stateBadge, tabs } from "./common.js";

const FILTERS = [
  ["to-send", "To send", { fulfilled: "false", order_state: "placed" }],
  ["sent", "Sent", { fulfilled: "true" }],
  ["all", "All", {}],
];

export function salesView({ main }) {
  const chosen = new URLSearchParams(location.search).get("show") || "to-send";
  const filter = FILTERS.find(([key]) => key === chosen) || FILTERS[0];
  return listPage(main, {
    title: "Your sales",
    what: "your sales",
    head: [
      h("h1", {}, "Your sales"),
      tabs("Which sales", FILTERS.map(([key, label]) => [
        `/sales/${query({ show: key === "to-send" ? "" : key })}`, label, key === filter[0]])),
    ],
    list: h("ul", { class: "sales", "aria-label": "Sales, newest first" }),
    url: `/api/sales/${query(filter[2])}`,
    item: saleItem,
    focusSelector: "a",
    empty: () => h("p", {}, filter[0] === "to-send" ? "Nothing to send right now." : "No sales here yet."),
  });
}

function saleItem(sale) {
  const item = h("li", { class: "sale" });
  const render = (s) => {
    const box = messageBox();
    let action = h("span", { class: "done" }, s.fulfilled ? "Sent" : "");
    if (!s.fulfilled && s.order.state === "placed") {
      action = h("button", { type: "button", class: "button", id: `fulfil-${s.id}` },
        "Mark as sent", h("span", { class: "visually-hidden" }, ` (${s.product_name}, order ${s.order.number})`));
      action.addEventListener("click", () => busy(action, async () => {
        try {
          const fresh = await request(`/api/sales/${s.id}/fulfil/`, { method: "POST" });
          render({ ...s, ...fresh, order: { ...s.order, ...(fresh.order || {}) } });
          item.querySelector("a").focus();
          announce(`${s.product_name} for order ${s.order.number} is marked as sent.`);
        } catch (error) {
          showMessage(box, error.status === 409 ? `It cannot be sent now: ${error.message}` : error.message);
        }
      }));
    }
    fill(item,
      h("div", { class: "what" },
        h("a", { href: `/products/${s.product_id}/`, class: "name" }, s.product_name),
        h("span", {}, ` × ${s.quantity} · ${money(s.line_total)}`)),
      h("p", { class: "hint" }, `Order ${s.order.number} by ${s.order.buyer.username}, ${when(s.order.created)} `,
        stateBadge(s.order.state)),
      h("div", { class: "actions" }, action, box));
  };
  render(sale);
  return item;
}
