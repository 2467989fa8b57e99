// The search page at `/`: results as you type, facets with counts, more from the cursor.
// Its state lives in the URL (/?q=…&tags=…&min_price=…&max_price=…&in_stock=true&sort=…), so
// a search can be shared and the back button steps through earlier searches.
import { query, request } from "../api.js";
import { announce, h, fill, money } from "../dom.js";
import { productCard, tagName, tagNames } from "./products.js";

const FIELDS = ["q", "tags", "min_price", "max_price", "in_stock", "sort", "typos"];
const SORTS = [
  { value: "relevance", label: "Best match", needsWords: true },
  { value: "newest", label: "Newest" },
  { value: "price", label: "Price: low to high" },
  { value: "-price", label: "Price: high to low" },
];

export function parseState(search) {
  const params = new URLSearchParams(search);
  return {
    q: (params.get("q") || "").trim(),
    tags: (params.get("tags") || "").split(",").map((t) => t.trim()).filter(Boolean),
    min_price: params.get("min_price") || "",
    max_price: params.get("max_price") || "",
    in_stock: params.get("in_stock") === "true",
    sort: SORTS.some((s) => s.value === params.get("sort")) ? params.get("sort") : "",
    typos: params.get("typos") === "false" ? "false" : "",
  };
}

/** The sort to ask for: "" is the API's default (best match with words, else newest). */
function sortOf(state) {
  return state.sort === "relevance" && !state.q ? "" : state.sort;
}

function apiParams(state) {
  return {
    q: state.q,
    tags: state.tags,
    min_price: state.min_price,
    max_price: state.max_price,
    in_stock: state.in_stock ? "true" : "",
    sort: sortOf(state),
    typos: state.q ? state.typos : "",
  };
}

export function searchUrl(state) {
  return `/${query(Object.fromEntries(FIELDS.map((f) => [f, apiParams(state)[f]])))}`;
}

/** A price facet bucket as the API's min_price/max_price, from its numeric bounds. */
function priceRange(bucket) {
  return {
    min_price: bucket.from ? String(bucket.from) : "",
    // A bucket excludes its upper bound (`to`); max_price includes it, and prices have cents.
    max_price: bucket.to === null || bucket.to === undefined ? "" : (bucket.to - 0.01).toFixed(2),
  };
}

function priceLabel(bucket) {
  const whole = (amount) => money(amount, null, { whole: true });
  const hasFrom = Boolean(bucket.from), hasTo = bucket.to !== null && bucket.to !== undefined;
  if (!hasFrom && hasTo) return `Under ${whole(bucket.to)}`;
  if (hasFrom && !hasTo) return `${whole(bucket.from)} and more`;
  if (!hasFrom && !hasTo) return "Any price";
  return `${whole(bucket.from)} – ${whole(bucket.to)}`;
}

function selectedPriceKey(state, buckets) {
  if (!state.min_price && !state.max_price) return "";
  for (const bucket of buckets) {
    const range = priceRange(bucket);
    if (Number(range.min_price || 0) === Number(state.min_price || 0)
      && (range.max_price || "") === (state.max_price || "")) return bucket.value;
  }
  return null; // a range typed into the URL by hand
}

function hasFilters(state) {
  return Boolean(state.tags.length || state.min_price || state.max_price || state.in_stock);
}

function domId(value) {
  return String(value).replace(/[^a-zA-Z0-9_-]/g, (c) => (c === "+" ? "plus" : "_"));
}

/** Keep keyboard focus on "the same" control when a part of the page is rebuilt. */
function keepingFocus(container, rebuild) {
  const focused = document.activeElement;
  const id = focused && container.contains(focused) ? focused.id : null;
  rebuild();
  if (id) {
    const again = document.getElementById(id);
    if (again) again.focus();
  }
}

export function searchView({ main, box, typingStarted }) {
  let state = parseState(location.search);
  let controller = null;
  let sequence = 0;
  let nextCursor = null;
  let facets = null;
  let typingEntry = typingStarted;

  const heading = h("h1", { id: "results-heading" });
  const summary = h("p", { class: "result-summary", id: "result-summary" });
  const chips = h("div", { class: "chips", hidden: true });
  const facetForm = h("form", { class: "facets-form", "aria-labelledby": "facets-heading" });
  const failure = h("div", { class: "message error", hidden: true, role: "alert" });
  // What the search understood: a corrected spelling, words left out.
  const understood = h("div", { class: "understood", hidden: true });
  const sortSelect = h("select", { id: "sort", onChange: (event) => { state.sort = event.target.value; change(); } });
  const sortControl = h("div", { class: "sort-control" }, h("label", { for: "sort" }, "Sort by"), sortSelect);
  const filtersButton = h("button", {
    type: "button", class: "button secondary filters-button", "aria-expanded": "false",
    "aria-controls": "facets-panel", onClick: () => toggleFilters(),
  }, "Filters");
  const empty = h("div", { class: "empty", hidden: true });
  const list = h("ol", { class: "results", "aria-labelledby": "results-heading", "aria-describedby": "result-summary" });
  const end = h("p", { class: "end-of-results", hidden: true }, "That is everything that matches.");
  const more = h("button", { type: "button", class: "button secondary more", hidden: true, onClick: loadMore },
    "Show more products");
  const aside = h("aside", { class: "facets", id: "facets-panel", hidden: true },
    h("h2", { id: "facets-heading" }, "Narrow the results"), facetForm);
  const resultsSection = h("section", { class: "results-area", "aria-label": "Results" },
    understood, failure, empty, list, more, end);

  fill(
    main,
    h("div", { class: "search-page" },
      h("div", { class: "search-head" }, heading, summary, chips,
        h("div", { class: "search-tools" }, filtersButton, sortControl)),
      aside,
      resultsSection),
  );
  box.setValue(state.q);

  function title() {
    if (state.q) return `Results for “${state.q}”`;
    if (state.tags.length) return `Products tagged ${state.tags.map(tagName).join(" and ")}`;
    return "All products";
  }

  function pushUrl({ replace = false } = {}) {
    const url = searchUrl(state);
    if (url === location.pathname + location.search) return;
    if (replace) history.replaceState({ search: true }, "", url);
    else history.pushState({ search: true }, "", url);
  }

  /** Narrow screens: the facets open from the "Filters" button, the results come first. */
  function toggleFilters(open = filtersButton.getAttribute("aria-expanded") !== "true") {
    filtersButton.setAttribute("aria-expanded", String(open));
    aside.classList.toggle("open", open);
  }

  function renderSort() {
    const current = sortOf(state) || (state.q ? "relevance" : "newest");
    fill(sortSelect, SORTS.filter((s) => !s.needsWords || state.q).map((s) =>
      h("option", { value: s.value, selected: s.value === current }, s.label)));
    sortSelect.value = current;
  }

  function renderUnderstood(page) {
    const parts = [];
    if (page.corrected_query) {
      parts.push(h("p", { class: "corrected" }, "Showing results for ",
        h("strong", {}, page.corrected_query), "."));
      parts.push(h("p", { class: "instead" }, "Search instead for ",
        h("button", { type: "button", class: "link-button", onClick: () => {
          state.typos = "false";
          change();
        } }, state.q)));
    }
    if (page.dropped_words && page.dropped_words.length) {
      const words = page.dropped_words;
      parts.push(h("p", { class: "dropped" }, "No product has all your words; showing results without ",
        words.flatMap((w, i) => [i ? (i === words.length - 1 ? " and " : ", ") : "", h("s", {}, w)]), "."));
    }
    understood.hidden = !parts.length;
    fill(understood, parts);
  }

  function renderChips() {
    const items = [];
    if (state.q) items.push({ label: `“${state.q}”`, what: "search words", clear: () => { state.q = ""; box.setValue(""); } });
    for (const slug of state.tags) {
      items.push({ label: tagName(slug), what: "tag", clear: () => { state.tags = state.tags.filter((t) => t !== slug); } });
    }
    if (state.min_price || state.max_price) {
      const low = state.min_price ? money(state.min_price) : "";
      const high = state.max_price ? money(state.max_price) : "";
      const label = low && high ? `${low} – ${high}` : low ? `${low} and more` : `up to ${high}`;
      items.push({ label, what: "price", clear: () => { state.min_price = ""; state.max_price = ""; } });
    }
    if (state.in_stock) items.push({ label: "In stock", what: "availability", clear: () => { state.in_stock = false; } });
    chips.hidden = !items.length;
    fill(
      chips,
      h("span", { class: "chips-label", id: "chips-label" }, "Showing:"),
      h("ul", { "aria-labelledby": "chips-label" },
        items.map((item, i) => h("li", {},
          h("button", {
            type: "button",
            class: "chip",
            id: `chip-${i}`,
            "aria-label": `Remove ${item.what} ${item.label}`,
            onClick: () => { item.clear(); change(); },
          }, item.label, h("span", { "aria-hidden": "true" }, " ✕"))))),
      items.length > 1
        ? h("button", { type: "button", class: "link-button", onClick: clearAll }, "Clear all")
        : null,
    );
  }

  function clearAll() {
    state = { q: "", tags: [], min_price: "", max_price: "", in_stock: false, sort: state.sort, typos: "" };
    box.setValue("");
    change();
  }

  function renderFacets() {
    aside.hidden = !facets;
    filtersButton.hidden = !facets;
    if (!facets) {
      facetForm.replaceChildren();
      return;
    }
    keepingFocus(facetForm, () => {
      const tagBuckets = [...facets.tags];
      for (const slug of state.tags) { // a chosen tag stays listed, even when not in the top
        if (!tagBuckets.some((b) => b.value === slug)) tagBuckets.unshift({ value: slug, count: 0 });
      }
      const priceKey = selectedPriceKey(state, facets.price);
      const inStockCount = (facets.in_stock.find((b) => b.value === true) || { count: 0 }).count;
      fill(
        facetForm,
        h("fieldset", {},
          h("legend", {}, "Availability"),
          h("ul", { class: "facet-list" },
            h("li", {},
              h("input", {
                type: "checkbox", id: "facet-in-stock", checked: state.in_stock,
                onChange: (event) => { state.in_stock = event.target.checked; change(); },
              }),
              h("label", { for: "facet-in-stock" }, "In stock only ", h("span", { class: "count" }, `(${inStockCount})`))))),
        h("fieldset", {},
          h("legend", {}, "Price"),
          h("ul", { class: "facet-list" },
            h("li", {},
              h("input", {
                type: "radio", name: "price", id: "facet-price-any", value: "",
                checked: priceKey === "",
                onChange: () => { state.min_price = ""; state.max_price = ""; change(); },
              }),
              h("label", { for: "facet-price-any" }, "Any price")),
            facets.price.map((bucket) => {
              const id = `facet-price-${domId(bucket.value)}`;
              const chosen = priceKey === bucket.value;
              return h("li", {},
                h("input", {
                  type: "radio", name: "price", id, value: bucket.value, checked: chosen,
                  disabled: !bucket.count && !chosen,
                  onChange: () => { Object.assign(state, priceRange(bucket)); change(); },
                }),
                h("label", { for: id }, priceLabel(bucket), " ", h("span", { class: "count" }, `(${bucket.count})`)));
            }))),
        h("fieldset", {},
          h("legend", {}, "Tags"),
          tagBuckets.length
            ? h("ul", { class: "facet-list" }, tagBuckets.map((bucket) => {
              const id = `facet-tag-${domId(bucket.value)}`;
              return h("li", {},
                h("input", {
                  type: "checkbox", id, value: bucket.value,
                  checked: state.tags.includes(bucket.value),
                  onChange: (event) => {
                    state.tags = event.target.checked
                      ? [...state.tags, bucket.value]
                      : state.tags.filter((t) => t !== bucket.value);
                    change();
                  },
                }),
                h("label", { for: id }, tagName(bucket.value), " ", h("span", { class: "count" }, `(${bucket.count})`)));
            }))
            : h("p", { class: "hint" }, "No tags for these results.")),
      );
    });
  }

  function showFailure(error) {
    heading.textContent = title();
    document.title = `${title()} – Store`;
    facets = null;
    renderFacets();
    failure.hidden = false;
    const retry = h("button", { type: "button", class: "button secondary", onClick: () => load() }, "Try again");
    const parts = [h("p", {}, error.status === 503 ? "Search is unavailable right now. Your bag and orders are safe; try again in a moment." : error.message)];
    if (error.status === 400) {
      parts.push(h("button", { type: "button", class: "button secondary", onClick: clearAll }, "Start a new search"));
    } else {
      parts.push(retry);
    }
    fill(failure, parts);
    list.classList.remove("stale");
    list.replaceChildren();
    more.hidden = true;
    end.hidden = true;
    empty.hidden = true;
    summary.textContent = "";
    announce(error.status === 503 ? "Search is unavailable right now." : error.message);
  }

  function showPage(page, { append }) {
    failure.hidden = true;
    list.classList.remove("stale");
    const cards = page.results.map((product) => productCard(product));
    if (append) list.append(...cards);
    else list.replaceChildren(...cards);
    nextCursor = page.next ? new URL(page.next, location.origin).searchParams.get("cursor") : null;
    more.hidden = !nextCursor;
    end.hidden = Boolean(nextCursor) || !list.children.length || !append;
    if (!append) {
      facets = page.facets || null;
      // Stock counts ignore the stock filter (disjunctive facets): with it, only "in stock" is shown.
      const total = !facets ? null : facets.in_stock
        .filter((b) => !state.in_stock || b.value === true).reduce((sum, b) => sum + b.count, 0);
      heading.textContent = title();
      document.title = `${title()} – Store`;
      summary.textContent = total === null ? "" : `${total.toLocaleString("en-GB")} product${total === 1 ? "" : "s"}`;
      renderChips();
      renderFacets();
      renderSort();
      renderUnderstood(page);
      empty.hidden = Boolean(page.results.length);
      if (!page.results.length) {
        fill(
          empty,
          h("h2", {}, state.q ? `Nothing matches “${state.q}”` : "No products here yet"),
          h("p", {}, state.q
            ? "Check the spelling, use fewer words, or remove a filter."
            : hasFilters(state) ? "No product has all of these filters." : "Nothing is for sale yet. Sell something!"),
          hasFilters(state)
            ? h("button", { type: "button", class: "button secondary", onClick: () => {
              Object.assign(state, { tags: [], min_price: "", max_price: "", in_stock: false });
              change();
            } }, "Remove the filters")
            : null,
        );
      }
      announce(page.results.length ? summary.textContent || `${page.results.length} products` : empty.querySelector("h2").textContent);
    }
  }

  async function load({ startedAt } = {}) {
    sequence += 1;
    const mine = sequence;
    if (controller) controller.abort();
    controller = new AbortController();
    list.classList.add("stale");
    resultsSection.setAttribute("aria-busy", "true");
    try {
      const page = await request(`/api/products/${query({ ...apiParams(state), facets: "true" })}`,
        { signal: controller.signal });
      if (mine !== sequence) return;
      showPage(page, { append: false });
      if (startedAt !== undefined) {
        const q = state.q;
        // After the frame with the new results is drawn.
        requestAnimationFrame(() => setTimeout(() => {
          performance.measure("keystroke-to-results", { start: startedAt, end: performance.now(), detail: { q } });
        }, 0));
      }
    } catch (error) {
      if (error.name === "AbortError" || mine !== sequence) return;
      showFailure(error);
    } finally {
      if (mine === sequence) resultsSection.removeAttribute("aria-busy");
    }
  }

  async function loadMore() {
    if (!nextCursor || more.getAttribute("aria-disabled") === "true") return;
    more.setAttribute("aria-disabled", "true");
    const before = list.children.length;
    try {
      const page = await request(`/api/products/${query({ ...apiParams(state), cursor: nextCursor })}`);
      showPage(page, { append: true });
      const first = list.children[before];
      if (first) first.querySelector("a").focus();
      announce(`${page.results.length} more products shown`);
    } catch (error) {
      showFailure(error);
    } finally {
      more.removeAttribute("aria-disabled");
    }
  }

  /** A filter changed: a new history entry, fresh results. */
  function change() {
    typingEntry = false;
    pushUrl();
    load();
  }

  load();

  return {
    /** The shopper typed in the search box: results follow each keystroke. */
    typed(q, startedAt) {
      for (const note of main.querySelectorAll(":scope > .message")) note.remove(); // moving on
      state.q = q.trim();
      state.typos = ""; // new words: typos tolerated again
      // One history entry per burst of typing, not one per letter.
      pushUrl({ replace: typingEntry });
      typingEntry = true;
      load({ startedAt });
    },
    submitted(q) {
      state.q = q;
      state.typos = "";
      typingEntry = false;
      pushUrl({ replace: true });
      load();
    },
    chooseTag(tag) {
      tagNames.set(tag.slug, tag.name);
      state.q = "";
      box.setValue("");
      if (!state.tags.includes(tag.slug)) state.tags = [...state.tags, tag.slug];
      change();
    },
    /** Back/forward to another search: show it without a new history entry. */
    update() {
      state = parseState(location.search);
      typingEntry = false;
      box.setValue(state.q);
      load();
    },
    leave() {
      if (controller) controller.abort();
    },
  };
}
