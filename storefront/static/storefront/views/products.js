// A product as a card in a list of results: highlighted name and snippet, price, stock,
// tags and seller. Shared by the search page and the seller's page.
import { h, highlighted, money, plain, stockText } from "../dom.js";

export const tagNames = new Map(); // slug -> name, learnt from every answer seen

function rememberTags(product) {
  for (const tag of product.tags || []) tagNames.set(tag.slug, tag.name);
}

export function tagName(slug) {
  return tagNames.get(slug) || slug.replace(/-/g, " ");
}

export function productCard(product, { headingLevel = 3 } = {}) {
  rememberTags(product);
  const hl = product.highlight || {};
  const title = hl.name && hl.name.length ? highlighted(hl.name[0]) : product.name;
  const snippet = hl.description && hl.description.length
    ? hl.description.map((fragment, i) => [i ? " … " : "", highlighted(fragment)])
    : shorten(product.description || "", 160);
  const tagFragments = new Map((hl["tags.name"] || []).map((f) => [plain(f), f]));
  const headingId = `product-${product.id}`;
  const inStock = product.stock > 0;
  return h(
    "li",
    { class: "product-card" },
    h(
      "article",
      { "aria-labelledby": headingId },
      h(`h${headingLevel}`, { class: "product-name", id: headingId },
        h("a", { href: `/products/${product.id}/` }, title)),
      h(
        "p",
        { class: "facts" },
        h("span", { class: "price" }, money(product.price, product.currency)),
        h("span", { class: `stock ${inStock ? "in" : "out"}` }, stockText(product.stock)),
      ),
      snippet ? h("p", { class: "snippet" }, snippet) : null,
      product.tags && product.tags.length
        ? h(
          "ul",
          { class: "tags", "aria-label": "Tags" },
          product.tags.map((tag) =>
            h("li", {}, h("a", { class: "tag", href: `/?tags=${encodeURIComponent(tag.slug)}` },
              tagFragments.has(tag.name) ? highlighted(tagFragments.get(tag.name)) : tag.name))),
        )
        : null,
      product.owner
        ? h("p", { class: "seller" }, "Sold by ",
          h("a", { href: `/users/${product.owner.id}/` }, product.owner.username))
        : null,
    ),
  );
}

function shorten(text, length) {
  if (text.length <= length) return text;
  return `${text.slice(0, length).replace(/\s+\S*$/, "")} …`;
}
