// Building the page from API data. Every string from the API becomes a text node: nothing is
// ever parsed as HTML, except the <em> tags of search highlights, rebuilt as elements here.

/** h("a", {href: "/"}, "text", child): an element with attributes and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A highlight fragment ("a <em>walnut</em> lamp") as text nodes and <em> elements only:
 * any other markup in it stays visible text. */
export function highlighted(fragment) {
  const out = document.createDocumentFragment();
  let em = null;
  for (const part of String(fragment).split(/(<em>|<\/em>)/)) {
    if (part === "<em>") {
      if (!em) em = document.createElement("em");
    } else if (part === "</em>") {
      if (em) out.append(em);
      em = null;
    } else if (part) {
      (em || out).append(document.createTextNode(part));
    }
  }
  if (em) out.append(em);
  return out;
}

/** The text of a highlight fragment without its tags (to match it to a tag name). */
export function plain(fragment) {
  return String(fragment).replace(/<\/?em>/g, "");
}

const moneyFormats = new Map();
/** "€19.90"; `whole` drops the cents of round amounts ("€25", for price ranges). */
export function money(amount, currency, { whole = false } = {}) {
  const code = currency || document.body.dataset.currency || "EUR";
  const key = `${code}:${whole}`;
  if (!moneyFormats.has(key)) {
    const options = { style: "currency", currency: code };
    if (whole) options.minimumFractionDigits = 0;
    moneyFormats.set(key, new Intl.NumberFormat("en-GB", options));
  }
  return moneyFormats.get(key).format(Number(amount));
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });
export function when(iso) {
  return dateFormat.format(new Date(iso));
}

export function stockText(stock) {
  if (stock <= 0) return "Out of stock";
  return `${stock} in stock`;
}

let idCounter = 0;
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Tell screen-reader users about a change that happened away from their focus. */
export function announce(message) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // A fresh text node after a tick is announced even when the words repeat.
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

/** Move focus to the page's heading after a navigation (and make it focusable for that). */
export function focusHeading(root) {
  const heading = root.querySelector("h1");
  if (!heading) return;
  heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: false });
}

export function spinner(label = "Loading…") {
  return h("p", { class: "loading", role: "status" }, label);
}

/** After a view replaced its content (focus fell to <body>), put focus on its heading. */
export function settleFocus(root) {
  if (!document.activeElement || document.activeElement === document.body) focusHeading(root);
}
