// Selling: my products in every state; list a new one; edit, publish, archive, restore, tag.
import { query, request } from "../api.js";
import { announce, fill, h, money, settleFocus } from "../dom.js";
import { busy, field, messageBox, onSubmit, showErrors, showMessage } from "../forms.js";
import { flash } from "../session.js";
import { listPage, loadFailure, signedIn, stateBadge, tabs } from "./common.js";

const ACTIONS = { draft: ["publish", "Publish"], active: ["archive", "Archive"], archived: ["restore", "Put back on sale"] };
const STATES = [["", "All"], ["draft", "Drafts"], ["active", "On sale"], ["archived", "Archived"]];

function transitionButton(product, onDone) {
  const [event, label] = ACTIONS[product.state] || [];
  if (!event) return null;
  const box = messageBox();
  const button = h("button", { type: "button", class: "button secondary", id: `${event}-${product.id}` },
    label, h("span", { class: "visually-hidden" }, ` ${product.name}`));
  button.addEventListener("click", () => busy(button, async () => {
    try {
      const fresh = await request(`/api/products/${product.id}/${event}/`, { method: "POST" });
      announce(`${fresh.name} is now ${fresh.state}.`);
      onDone(fresh);
    } catch (error) {
      showMessage(box, error.status === 409
        ? `Cannot ${event} it now: it is ${error.details.state || "in another state"}. Reload the page.`
        : error.message);
    }
  }));
  return h("span", { class: "action" }, button, box);
}

export function sellingView({ main }) {
  const state = new URLSearchParams(location.search).get("state") || "";
  return listPage(main, {
    title: "Your products",
    what: "the products you sell",
    head: [
      h("div", { class: "page-head" },
        h("h1", {}, "Your products"),
        h("a", { class: "button", href: "/selling/new/" }, "List a new product"),
        h("a", { class: "button secondary", href: "/selling/webhooks/" }, "Webhooks")),
      tabs("Filter by state", STATES.map(([value, label]) => [`/selling/${query({ state: value })}`, label, value === state])),
    ],
    list: h("ul", { class: "my-products", "aria-label": "Your products" }),
    url: `/api/users/me/products/${query({ state })}`,
    item: row,
    focusSelector: "a",
    empty: () => h("p", {}, state ? "No products in this state." : "You sell nothing yet. ",
      state ? null : h("a", { href: "/selling/new/" }, "List your first product")),
  });
}

function row(product) {
  const item = h("li", { class: "my-product" });
  const render = (p) => fill(item,
    h("div", { class: "what" },
      h("a", { href: `/selling/${p.id}/`, class: "name" }, p.name),
      stateBadge(p.state)),
    h("p", { class: "facts" }, h("span", { class: "price" }, money(p.price, p.currency)),
      h("span", {}, `${p.stock} in stock`),
      p.tags.length ? h("span", { class: "hint" }, p.tags.map((t) => t.name).join(", ")) : null),
    h("div", { class: "actions" },
      h("a", { href: `/selling/${p.id}/` }, "Edit", h("span", { class: "visually-hidden" }, ` ${p.name}`)),
      p.state === "active" ? h("a", { href: `/products/${p.id}/` }, "View", h("span", { class: "visually-hidden" }, ` ${p.name}`)) : null,
      transitionButton(p, (fresh) => { render(fresh); item.querySelector("a").focus(); })));
  render(product);
  return item;
}

function productFields(product = {}) {
  return [
    field({ label: "Name", name: "name", required: true, maxlength: 200, value: product.name }),
    field({ label: "Description", name: "description", control: "textarea", rows: 5, maxlength: 10000,
      value: product.description, hint: "What it is, its size and condition." }),
    h("div", { class: "row" },
      field({ label: "Price (EUR)", name: "price", type: "text", inputmode: "decimal", required: true,
        value: product.price, hint: "For example 19.90" }),
      field({ label: "Stock", name: "stock", type: "number", min: 0, step: 1, inputmode: "numeric", required: true,
        value: product.stock ?? 1, hint: "Units you can send" })),
  ];
}

function values(form) {
  return {
    name: form.elements.name.value.trim(),
    description: form.elements.description.value,
    price: form.elements.price.value.trim().replace(",", "."),
    stock: form.elements.stock.value === "" ? null : Number(form.elements.stock.value),
  };
}

export function newProductView({ main, navigate }) {
  if (!signedIn(main, "List a new product", "the products you sell")) return undefined;
  document.title = "List a new product – Store";
  const box = messageBox();
  const submit = h("button", { type: "submit", class: "button" }, "Save");
  const form = h("form", { class: "form", novalidate: true },
    ...productFields(),
    field({ label: "Tags", name: "tags", hint: "Separated by commas, for example: kitchen, ceramics" }),
    h("div", { class: "check" },
      h("input", { type: "checkbox", id: "publish", name: "publish", checked: true }),
      h("label", { for: "publish" }, "Put it on sale now (otherwise it stays a draft only you see)")),
    box,
    submit);
  onSubmit(form, submit, async () => {
    const tags = form.elements.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
    try {
      const product = await request("/api/products/", {
        method: "POST",
        json: { ...values(form), tags, publish: form.elements.publish.checked },
      });
      flash(product.state === "active" ? `${product.name} is on sale.` : `${product.name} is saved as a draft.`);
      navigate("/selling/");
    } catch (error) {
      showErrors(form, box, error);
    }
  });
  fill(main, h("p", { class: "back" }, h("a", { href: "/selling/" }, "← Your products")),
    h("h1", {}, "List a new product"), form);
  return undefined;
}

export function editProductView({ main, params }) {
  if (!signedIn(main, "Edit product", "the products you sell")) return undefined;
  const [id] = params;
  const controller = new AbortController();

  async function load() {
    fill(main, h("h1", {}, "Edit product"), h("p", { class: "loading" }, "Loading…"));
    try {
      show(await request(`/api/products/${id}/`, { signal: controller.signal }));
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(main, h("h1", {}, "Edit product"), loadFailure(error, load));
      settleFocus(main);
    }
  }

  function show(product) {
    document.title = `Edit ${product.name} – Store`;
    let version = product.version;
    const box = messageBox();
    const submit = h("button", { type: "submit", class: "button" }, "Save changes");
    const form = h("form", { class: "form", novalidate: true, "aria-labelledby": "details-heading" },
      ...productFields(product), box, submit);
    onSubmit(form, submit, async () => {
      try {
        const fresh = await request(`/api/products/${product.id}/`, {
          method: "PATCH", json: values(form), headers: { "If-Match": `"${version}"` },
        });
        version = fresh.version;
        showMessage(box, "Saved.", "success");
      } catch (error) {
        if (error.status === 412) {
          showMessage(box, "Someone changed this product since you opened it (in another tab?). Reload to see the latest version, then edit again.");
        } else {
          showErrors(form, box, error);
        }
      }
    });

    const stateArea = h("div", { class: "state-area" });
    const renderState = (p) => {
      version = p.version;
      fill(stateArea, h("p", {}, "State: ", stateBadge(p.state),
        p.state === "active" ? [" ", h("a", { href: `/products/${p.id}/` }, "See it as shoppers do")] : null),
      transitionButton(p, (fresh) => { renderState(fresh); stateArea.querySelector("button, a")?.focus(); }));
    };
    renderState(product);

    const tagList = h("ul", { class: "tags editable", "aria-label": "Tags of this product" });
    const tagBox = messageBox();
    const renderTags = (tags) => {
      fill(tagList, tags.length ? tags.map((tag) => {
        const remove = h("button", { type: "button", class: "chip", id: `untag-${tag.slug}`, "aria-label": `Remove tag ${tag.name}` },
          tag.name, h("span", { "aria-hidden": "true" }, " ✕"));
        remove.addEventListener("click", () => busy(remove, async () => {
          try {
            await request(`/api/products/${product.id}/tags/${encodeURIComponent(tag.slug)}/`, { method: "DELETE" });
            await refreshTags();
            announce(`Tag ${tag.name} removed.`);
            tagForm.elements.name.focus();
          } catch (error) {
            showMessage(tagBox, error.message);
          }
        }));
        return h("li", {}, remove);
      }) : h("li", { class: "hint" }, "No tags yet."));
    };
    renderTags(product.tags);
    // Tags change the product's version too: keep the one the next save sends as If-Match.
    async function refreshTags() {
      const fresh = await request(`/api/products/${product.id}/`);
      version = fresh.version;
      renderTags(fresh.tags);
    }
    const tagSubmit = h("button", { type: "submit", class: "button secondary" }, "Add tag");
    const tagForm = h("form", { class: "inline-form", novalidate: true },
      field({ label: "New tag", name: "name", maxlength: 50, hint: "A word shoppers search for, like “ceramics”" }),
      tagSubmit);
    onSubmit(tagForm, tagSubmit, async () => {
      try {
        await request(`/api/products/${product.id}/tags/`, {
          method: "POST", json: { name: tagForm.elements.name.value.trim() },
        });
        await refreshTags();
        showMessage(tagBox, "");
        announce("Tag added.");
        tagForm.elements.name.value = "";
      } catch (error) {
        showErrors(tagForm, tagBox, error);
      }
    });

    fill(main,
      h("p", { class: "back" }, h("a", { href: "/selling/" }, "← Your products")),
      h("h1", {}, `Edit ${product.name}`),
      h("section", { "aria-labelledby": "state-heading" }, h("h2", { id: "state-heading" }, "On sale?"), stateArea),
      h("section", { "aria-labelledby": "details-heading" }, h("h2", { id: "details-heading" }, "Details"), form),
      h("section", { "aria-labelledby": "tags-heading" }, h("h2", { id: "tags-heading" }, "Tags"), tagList, tagForm, tagBox));
    settleFocus(main);
  }

  load();
  return { leave: () => controller.abort() };
}
