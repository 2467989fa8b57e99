// Webhooks: my endpoints (register, test, rotate the secret, remove) and each one's
// deliveries (status, tries, the last answer), with a redelivery button.
import { request } from "../api.js";
import { announce, fill, h, when } from "../dom.js";
import { busy, clearErrors, field, messageBox, showErrors, showMessage } from "../forms.js";
import { listPage, stateBadge } from "./common.js";

function secretNotice(secret) {
  return h("div", { class: "message success", role: "status" },
    h("p", {}, "Your signing secret, shown this once: keep it where your system can read it."),
    h("p", {}, h("code", { class: "secret" }, secret)));
}

function deliveryItem(endpoint, delivery, onChange) {
  const box = messageBox();
  const redeliver = h("button", { type: "button", class: "button secondary", id: `redeliver-${delivery.id}` },
    "Send again", h("span", { class: "visually-hidden" }, ` (${delivery.event_type})`));
  redeliver.addEventListener("click", () => busy(redeliver, async () => {
    try {
      await request(`/api/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver/`, { method: "POST" });
      announce(`${delivery.event_type} is sent again.`);
      onChange();
    } catch (error) {
      showMessage(box, error.message);
    }
  }));
  const answer = delivery.response_code ? `HTTP ${delivery.response_code}` : (delivery.attempts ? "no answer" : "not tried yet");
  return h("li", { class: `delivery ${delivery.status}` },
    h("div", { class: "what" },
      h("span", { class: "name" }, delivery.event_type),
      stateBadge(delivery.status)),
    h("p", { class: "hint" },
      `${when(delivery.created)} · ${delivery.attempts} ${delivery.attempts === 1 ? "try" : "tries"} · ${answer}`,
      delivery.next_try && delivery.status === "pending" ? ` · next try ${when(delivery.next_try)}` : ""),
    delivery.error ? h("p", { class: "hint error-text" }, delivery.error) : null,
    h("div", { class: "actions" }, redeliver, box));
}

function endpointItem(endpoint, reload) {
  const item = h("li", { class: "webhook" });
  const box = messageBox();
  const deliveries = h("ul", { class: "deliveries", "aria-label": `Deliveries to ${endpoint.url}` });
  const secret = h("div", {});

  async function loadDeliveries() {
    try {
      const page = await request(`/api/webhooks/${endpoint.id}/deliveries/`);
      deliveries.replaceChildren(...page.results.map((d) => deliveryItem(endpoint, d, loadDeliveries)));
      if (!page.results.length) fill(deliveries, h("li", { class: "hint" }, "Nothing sent yet."));
    } catch (error) {
      showMessage(box, error.message);
    }
  }

  function action(id, label, work) {
    const button = h("button", { type: "button", class: "button secondary", id: `${id}-${endpoint.id}` },
      label, h("span", { class: "visually-hidden" }, ` ${endpoint.url}`));
    button.addEventListener("click", () => busy(button, async () => {
      try {
        await work();
      } catch (error) {
        showMessage(box, error.message);
      }
    }));
    return button;
  }

  const test = action("test", "Send a test event", async () => {
    await request(`/api/webhooks/${endpoint.id}/test/`, { method: "POST" });
    announce("A test event is on its way.");
    await loadDeliveries();
  });
  const rotate = action("rotate", "New secret", async () => {
    const fresh = await request(`/api/webhooks/${endpoint.id}/rotate-secret/`, { method: "POST" });
    fill(secret, secretNotice(fresh.secret),
      h("p", { class: "hint" }, `The old secret also signs until ${when(fresh.previous_secret_expires)}.`));
  });
  const toggle = action("toggle", endpoint.active ? "Pause" : "Turn on", async () => {
    await request(`/api/webhooks/${endpoint.id}/`, { method: "PATCH", json: { active: !endpoint.active } });
    reload();
  });
  const remove = action("remove", "Remove", async () => {
    await request(`/api/webhooks/${endpoint.id}/`, { method: "DELETE" });
    announce(`${endpoint.url} is removed.`);
    reload();
  });
  fill(item,
    h("div", { class: "what" },
      h("span", { class: "name" }, endpoint.url),
      stateBadge(endpoint.active ? "active" : "paused")),
    h("p", { class: "hint" }, endpoint.event_types.length ? endpoint.event_types.join(", ") : "Every event about your sales and orders"),
    endpoint.disabled_reason ? h("p", { class: "message error", role: "alert" }, endpoint.disabled_reason) : null,
    secret,
    h("div", { class: "actions" }, test, rotate, toggle, remove, box),
    h("h3", {}, "Deliveries"),
    deliveries);
  loadDeliveries();
  return { item, secret };
}

export function webhooksView({ main }) {
  const box = messageBox();
  const submit = h("button", { type: "submit", class: "button" }, "Add endpoint");
  const form = h("form", { class: "form", novalidate: true },
    field({ label: "Endpoint URL", name: "url", type: "url", required: true, maxlength: 2000,
      hint: "An https URL of your system. Each event is signed (Standard Webhooks): verify it with your secret." }),
    box, submit);
  let created = null; // {id, secret}: shown once, when the list is drawn again
  const page = listPage(main, {
    title: "Webhooks",
    what: "your webhooks",
    head: [
      h("div", { class: "page-head" }, h("h1", {}, "Webhooks")),
      h("p", {}, "Your systems hear about your sales and your orders as they happen: ",
        h("a", { href: "/api/events/schemas/" }, "the event types and their schemas"), "."),
      form,
      h("h2", {}, "Your endpoints"),
    ],
    list: h("ul", { class: "webhooks", "aria-label": "Your endpoints" }),
    url: "/api/webhooks/",
    item: (endpoint) => {
      const { item, secret } = endpointItem(endpoint, () => page.reload());
      if (created && created.id === endpoint.id) {
        fill(secret, secretNotice(created.secret));
        created = null;
      }
      return item;
    },
    focusSelector: "button",
    empty: () => h("p", {}, "No endpoints yet."),
  });
  if (!page) return undefined;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, async () => {
      clearErrors(form);
      try {
        const endpoint = await request("/api/webhooks/", { method: "POST", json: { url: form.elements.url.value.trim() } });
        created = endpoint;
        form.reset();
        announce(`${endpoint.url} is added.`);
        await page.reload();
      } catch (error) {
        showErrors(form, box, error);
      }
    });
  });
  return page;
}
