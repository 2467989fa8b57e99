// The search box: an ARIA 1.2 combobox (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/)
// whose listbox suggests products and tags after each keystroke. Focus stays in the input;
// the active option is aria-activedescendant. Up/Down move, Enter chooses, Escape closes.
import { query, request } from "./api.js";
import { announce, h } from "./dom.js";

const PER_KIND = 5;

export function searchBox({ input, listbox, form, onType, onSubmit, onChooseProduct, onChooseTag }) {
  let options = [];
  let active = -1;
  let controller = null;
  let lastValue = input.value;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function open() {
    if (!options.length) return;
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function setActive(index) {
    active = index;
    options.forEach((option, i) => {
      option.el.setAttribute("aria-selected", String(i === index));
      option.el.classList.toggle("active", i === index);
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].el.id);
      options[index].el.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(option) {
    close();
    if (option.kind === "product") onChooseProduct(option.value);
    else onChooseTag(option.value);
  }

  const keyOf = (option) => `${option.kind}:${option.kind === "product" ? option.value.id : option.value.slug}`;

  function render(products, tags) {
    const wasActive = active >= 0 ? keyOf(options[active]) : null;
    options = [
      ...products.slice(0, PER_KIND).map((p) => ({ kind: "product", value: p, label: p.name })),
      ...tags.slice(0, PER_KIND).map((t) => ({ kind: "tag", value: t, label: t.name })),
    ];
    listbox.replaceChildren(
      ...options.map((option, i) => {
        const count = option.kind === "tag" ? `${option.value.product_count} products` : null;
        option.el = h(
          "li",
          {
            id: `suggestion-${i}`,
            role: "option",
            "aria-selected": "false",
            class: `suggestion suggestion-${option.kind}`,
            dataset: { kind: option.kind },
            // mousedown would blur the input before the click lands
            onMousedown: (event) => event.preventDefault(),
            onClick: () => choose(option),
          },
          h("span", { class: "kind" }, option.kind === "product" ? "Product" : "Tag"),
          h("span", { class: "label" }, option.label),
          count ? h("span", { class: "count" }, count) : null,
        );
        return option.el;
      }),
    );
    active = -1;
    if (options.length && document.activeElement === input) {
      open();
      // An answer that arrives after the shopper arrowed to an option keeps that option.
      const again = wasActive ? options.findIndex((option) => keyOf(option) === wasActive) : -1;
      if (again >= 0) setActive(again);
      announce(`${options.length} suggestion${options.length === 1 ? "" : "s"}`);
    } else {
      close();
    }
  }

  async function suggest(text, startedAt) {
    if (controller) controller.abort();
    const q = text.trim();
    if (!q) {
      options = [];
      listbox.replaceChildren();
      close();
      return;
    }
    controller = new AbortController();
    const { signal } = controller;
    try {
      const [products, tags] = await Promise.all([
        request(`/api/products/autocomplete/${query({ q })}`, { signal }),
        request(`/api/tags/autocomplete/${query({ q })}`, { signal }),
      ]);
      render(products.results, tags.results);
      listbox.dataset.query = q; // which text these suggestions answer (tests wait on it)
      performance.measure("keystroke-to-suggestions", { start: startedAt, end: performance.now() });
    } catch (error) {
      if (error.name === "AbortError") return;
      // Suggestions are a help, not the search itself: the results area reports failures.
      options = [];
      listbox.replaceChildren();
      close();
    }
  }

  input.addEventListener("input", (event) => {
    if (input.value === lastValue) return;
    lastValue = input.value;
    const startedAt = event.timeStamp;
    suggest(input.value, startedAt);
    onType(input.value, startedAt);
  });

  input.addEventListener("keydown", (event) => {
    const expanded = !listbox.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!expanded) open();
        if (options.length) setActive(active + 1 >= options.length ? 0 : active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!expanded) open();
        if (options.length) setActive(active <= 0 ? options.length - 1 : active - 1);
        break;
      case "Enter":
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(options[active]);
        }
        break; // otherwise the form submits: a search for what was typed
      case "Escape":
        if (expanded) {
          event.preventDefault();
          close();
        }
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", () => close());
  input.addEventListener("focus", () => {
    if (options.length && input.value.trim()) open();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    close();
    onSubmit(input.value.trim());
  });

  return {
    /** Show `value` in the box (after back/forward) without suggesting anything. */
    setValue(value) {
      if (input.value !== value) input.value = value;
      lastValue = input.value;
    },
    close,
  };
}
