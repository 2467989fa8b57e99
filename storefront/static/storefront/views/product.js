// One product: what it is, what it costs, how many are left, who sells it; put it in the bag.
import { request } from "../api.js";
import { fill, h, money, settleFocus, stockText } from "../dom.js";
import { busy, clearErrors, field, messageBox, showErrors } from "../forms.js";
import { refreshBagCount, session } from "../session.js";
import { loadFailure } from "./common.js";

export function productView({ main, params }) {
  const [id] = params;
  const controller = new AbortController();

  async function load() {
    fill(main, h("h1", {}, "Product"), h("p", { class: "loading" }, "Loading…"));
    let product;
    try {
      product = await request(`/api/products/${id}/`, { signal: controller.signal });
    } catch (error) {
      if (error.name === "AbortError") return;
      document.title = "Product not found – Store";
      fill(main,
        h("h1", {}, error.status === 404 ? "This product is not available" : "Product"),
        error.status === 404
          ? h("p", {}, "It may have been sold out and archived, or the link is wrong. ",
            h("a", { href: "/" }, "Search the store"), ".")
          : loadFailure(error, load));
      settleFocus(main);
      return;
    }
    show(product);
  }

  function buyArea(product) {
    const user = session.user;
    if (product.state !== "active") {
      return h("p", { class: "notice" }, `This product is ${product.state}: only you can see it.`,
        " ", h("a", { href: `/selling/${product.id}/` }, "Manage it"));
    }
    if (user && user.id === product.owner.id) {
      return h("p", { class: "notice" }, "This is your product. ",
        h("a", { href: `/selling/${product.id}/` }, "Edit it"));
    }
    if (product.stock <= 0) return h("p", { class: "notice" }, "Sold out for now.");
    if (!user) {
      const next = encodeURIComponent(location.pathname);
      return h("p", { class: "notice" }, h("a", { href: `/signin/?next=${next}` }, "Sign in"),
        " or ", h("a", { href: `/signup/?next=${next}` }, "create an account"), " to buy it.");
    }
    const box = messageBox();
    const submit = h("button", { type: "submit", class: "button" }, "Add to bag");
    const quantity = field({
      label: "Quantity", name: "quantity", type: "number", value: 1,
      min: 1, max: Math.min(product.stock, 999), step: 1, inputmode: "numeric", required: true,
    });
    const form = h("form", { class: "buy", novalidate: true }, quantity, submit, box);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(submit, async () => {
        const count = Number(form.elements.quantity.value);
        try {
          const bag = await request("/api/bag/items/", {
            method: "POST", json: { product_id: product.id, quantity: count },
          });
          refreshBagCount(bag);
          clearErrors(form);
          box.hidden = false;
          box.className = "message success";
          box.setAttribute("role", "status");
          fill(box, `Added ${count} to your bag. `, h("a", { href: "/bag/" }, "Go to your bag"));
        } catch (error) {
          // "Only 2 in stock." goes under the quantity; "not for sale" above the button.
          showErrors(form, box, error);
        }
      });
    });
    return form;
  }

  function show(product) {
    document.title = `${product.name} – Store`;
    fill(main,
      h("article", { class: "product-page" },
        h("p", { class: "back" }, h("a", { href: "/" }, "← All products")),
        h("h1", {}, product.name),
        h("p", { class: "facts" },
          h("span", { class: "price big" }, money(product.price, product.currency)),
          h("span", { class: `stock ${product.stock > 0 ? "in" : "out"}` }, stockText(product.stock))),
        h("p", { class: "seller" }, "Sold by ",
          h("a", { href: `/users/${product.owner.id}/` }, product.owner.username)),
        buyArea(product),
        h("h2", {}, "About this product"),
        product.description
          ? h("p", { class: "description" }, product.description)
          : h("p", { class: "hint" }, "The seller wrote no description."),
        product.tags.length
          ? [h("h2", {}, "Tags"),
            h("ul", { class: "tags" }, product.tags.map((tag) =>
              h("li", {}, h("a", { class: "tag", href: `/?tags=${encodeURIComponent(tag.slug)}` }, tag.name))))]
          : null));
    settleFocus(main);
  }

  load();
  return { leave: () => controller.abort() };
}
