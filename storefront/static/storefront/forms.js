// Form fields with their labels, hints and errors, and API errors shown next to their cause.
import { h, uid } from "./dom.js";

/** A labelled input (or textarea/select) with room for a hint and an error message. */
export function field({ label, name, type = "text", hint, value, control, ...attrs }) {
  const id = attrs.id || uid(`f-${name}`);
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  let input;
  if (control === "textarea") {
    input = h("textarea", { id, name, ...attrs }, value ?? "");
  } else {
    input = h("input", { id, name, type, ...attrs });
    if (value !== undefined && value !== null) input.value = value;
  }
  input.dataset.describedby = hintId || "";
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    input,
    h("p", { class: "field-error", id: errorId, hidden: true }),
  );
}

/** The message box of a form or an action, shown next to what caused it. */
export function messageBox(extra = {}) {
  return h("div", { class: "message", hidden: true, ...extra });
}

export function showMessage(box, text, kind = "error") {
  box.hidden = !text;
  box.className = `message ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.textContent = text || "";
}

function flatten(value) {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (typeof value === "object") return Object.values(value).flatMap(flatten);
  return [String(value)];
}

export function clearErrors(form) {
  for (const wrapper of form.querySelectorAll(".field")) {
    const input = wrapper.querySelector("input, textarea, select");
    const error = wrapper.querySelector(".field-error");
    error.hidden = true;
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    const hint = input.dataset.describedby;
    if (hint) input.setAttribute("aria-describedby", hint);
    else input.removeAttribute("aria-describedby");
  }
}

/**
 * Show an ApiError on a form: each field's messages under that field (linked with
 * aria-describedby, focus on the first), everything else in the form's message box.
 * `aliases` maps API field names to the form's (e.g. product_id -> quantity).
 */
export function showErrors(form, box, error, aliases = {}) {
  clearErrors(form);
  // A 400 names the fields it refuses; a 409 may name one too (a username someone has), and
  // otherwise explains itself in its message (a state, the events allowed).
  const details = (error.status === 400 || error.status === 409) && error.details ? error.details : {};
  const leftover = [];
  let first = null;
  for (const [name, messages] of Object.entries(details)) {
    const wrapper = form.querySelector(`.field[data-field="${CSS.escape(aliases[name] || name)}"]`);
    const text = flatten(messages).join(" ");
    if (!wrapper) {
      if (error.status === 400) leftover.push(text);
      continue;
    }
    const input = wrapper.querySelector("input, textarea, select");
    const errorEl = wrapper.querySelector(".field-error");
    errorEl.textContent = text;
    errorEl.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [input.dataset.describedby, errorEl.id].filter(Boolean).join(" "));
    first = first || input;
  }
  if (first) {
    showMessage(box, leftover.length ? leftover.join(" ") : "Please correct the marked fields.");
    first.focus();
  } else {
    showMessage(box, leftover.length ? leftover.join(" ") : error.message);
  }
}

/** Run `work` once at a time for a button: a second click while it runs does nothing. The
 * button stays focusable (aria-disabled, not disabled) so keyboard focus is never lost. */
export async function busy(button, work) {
  if (button.getAttribute("aria-disabled") === "true") return undefined;
  button.setAttribute("aria-disabled", "true");
  try {
    return await work();
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

/** Submit `form` by script: no page load, one submission at a time (`button` busy while
 * `work` runs), the previous attempt's field errors cleared first. */
export function onSubmit(form, button, work) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(button, async () => {
      clearErrors(form);
      await work();
    });
  });
}
