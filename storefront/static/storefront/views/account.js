// Sign up and sign in: the OAuth2 password grant with the public client `storefront`.
import { request, signIn } from "../api.js";
import { announce, fill, h } from "../dom.js";
import { field, messageBox, onSubmit, showErrors } from "../forms.js";
import { flash, loadUser } from "../session.js";

function nextPath() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  // Only a path on this site: never an open redirect to another origin.
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function withNext(path) {
  const next = new URLSearchParams(location.search).get("next");
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

export function signInView({ main, navigate }) {
  document.title = "Sign in – Store";
  const box = messageBox();
  const submit = h("button", { type: "submit", class: "button" }, "Sign in");
  const form = h("form", { class: "form narrow", novalidate: true },
    field({ label: "Username", name: "username", autocomplete: "username", required: true }),
    field({ label: "Password", name: "password", type: "password", autocomplete: "current-password", required: true }),
    box,
    submit);
  onSubmit(form, submit, async () => {
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username || !password) {
      showErrors(form, box, { status: 400, details: {
        ...(username ? {} : { username: ["Enter your username."] }),
        ...(password ? {} : { password: ["Enter your password."] }),
      } });
      return;
    }
    try {
      await signIn(username, password);
      await loadUser();
      flash(`Welcome back, ${username}.`);
      navigate(nextPath());
    } catch (error) {
      showErrors(form, box, error);
      form.elements.password.focus();
    }
  });
  fill(main,
    h("h1", {}, "Sign in"),
    form,
    h("p", {}, "New here? ", h("a", { href: withNext("/signup/") }, "Create an account"), "."));
}

export function signUpView({ main, navigate }) {
  document.title = "Create an account – Store";
  const box = messageBox();
  const submit = h("button", { type: "submit", class: "button" }, "Create account");
  const form = h("form", { class: "form narrow", novalidate: true },
    field({ label: "Username", name: "username", autocomplete: "username", required: true,
      hint: "Letters, digits and @ . + - _ only. Others see it next to what you sell." }),
    field({ label: "Email", name: "email", type: "email", autocomplete: "email", required: true }),
    field({ label: "Password", name: "password", type: "password", autocomplete: "new-password", required: true,
      hint: "At least 8 characters, not only digits, not too common." }),
    box,
    submit);
  onSubmit(form, submit, async () => {
    const username = form.elements.username.value.trim();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    try {
      await request("/api/users/", { method: "POST", json: { username, email, password } });
    } catch (error) {
      showErrors(form, box, error);
      return;
    }
    try {
      await signIn(username, password);
      await loadUser();
    } catch (error) {
      showErrors(form, box, error);
      return;
    }
    flash(`Welcome, ${username}! Your account is ready.`);
    announce("Account created. You are signed in.");
    navigate(nextPath());
  });
  fill(main,
    h("h1", {}, "Create an account"),
    form,
    h("p", {}, "Already have one? ", h("a", { href: withNext("/signin/") }, "Sign in"), "."));
}
