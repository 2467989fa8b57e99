// A seller's public profile, their products on sale (from search, cursor pages), follow.
import { query, request } from "../api.js";
import { announce, fill, h, settleFocus, when } from "../dom.js";
import { busy, messageBox, showMessage } from "../forms.js";
import { session } from "../session.js";
import { loadFailure } from "./common.js";
import { productCard } from "./products.js";

/** Whether I follow `userId`: my following list, first 100 (the API has no direct check). */
async function iFollow(userId, signal) {
  if (!session.user || session.user.id === userId) return false;
  const page = await request(`/api/users/${session.user.id}/following/?page_size=100`, { signal });
  return page.results.some((u) => u.id === userId);
}

export function sellerView({ main, params }) {
  const [id] = params;
  const controller = new AbortController();
  const { signal } = controller;

  async function load() {
    fill(main, h("h1", {}, "Seller"), h("p", { class: "loading" }, "Loading…"));
    let profile;
    let following = false;
    try {
      [profile, following] = await Promise.all([
        request(`/api/users/${id}/`, { signal }),
        iFollow(id, signal).catch(() => false),
      ]);
    } catch (error) {
      if (error.name === "AbortError") return;
      fill(main, h("h1", {}, error.status === 404 ? "No such seller" : "Seller"), loadFailure(error, load));
      settleFocus(main);
      return;
    }
    show(profile, following);
  }

  function followControl(profile, following, counts) {
    if (!session.user) {
      return h("p", {}, h("a", { href: `/signin/?next=${encodeURIComponent(location.pathname)}` }, "Sign in"),
        ` to follow ${profile.username}.`);
    }
    if (session.user.id === profile.id) return h("p", { class: "hint" }, "This is your public profile.");
    const box = messageBox();
    const button = h("button", { type: "button", class: "button", "aria-pressed": String(following) },
      following ? "Following" : "Follow");
    button.addEventListener("click", () => busy(button, async () => {
      const now = button.getAttribute("aria-pressed") !== "true";
      try {
        await request(`/api/users/${profile.id}/follow/`, { method: now ? "POST" : "DELETE" });
      } catch (error) {
        showMessage(box, error.message);
        return;
      }
      showMessage(box, "");
      button.setAttribute("aria-pressed", String(now));
      button.textContent = now ? "Following" : "Follow";
      const fresh = await request(`/api/users/${profile.id}/`).catch(() => null);
      if (fresh) counts.textContent = countsText(fresh);
      announce(now ? `You follow ${profile.username}.` : `You no longer follow ${profile.username}.`);
    }));
    return h("div", { class: "follow" }, button, box);
  }

  function countsText(profile) {
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    return `${plural(profile.active_products, "product")} on sale · ${plural(profile.followers, "follower")} · following ${profile.following}`;
  }

  function show(profile, following) {
    document.title = `${profile.username} – Store`;
    const counts = h("p", { class: "counts" }, countsText(profile));
    const list = h("ol", { class: "results", "aria-labelledby": "seller-products" });
    const more = h("button", { type: "button", class: "button secondary more", hidden: true }, "Show more products");
    const status = h("div");
    let cursor = null;

    async function page(append) {
      try {
        const answer = await request(`/api/products/${query({ owner: profile.id, cursor })}`, { signal });
        const cards = answer.results.map((p) => productCard(p));
        const before = list.children.length;
        if (append) list.append(...cards);
        else list.replaceChildren(...cards);
        cursor = answer.next ? new URL(answer.next, location.origin).searchParams.get("cursor") : null;
        more.hidden = !cursor;
        if (!append && !answer.results.length) fill(status, h("p", {}, "Nothing on sale right now."));
        if (append && list.children[before]) list.children[before].querySelector("a").focus();
      } catch (error) {
        if (error.name === "AbortError") return;
        fill(status, loadFailure(error, () => page(append)));
      }
    }
    more.addEventListener("click", () => busy(more, () => page(true)));

    fill(main,
      h("section", { class: "profile" },
        h("h1", {}, profile.username),
        profile.bio ? h("p", { class: "bio" }, profile.bio) : null,
        h("p", { class: "hint" }, `Joined ${when(profile.joined)}`),
        counts,
        followControl(profile, following, counts)),
      h("section", { class: "seller-products" },
        h("h2", { id: "seller-products" }, `On sale by ${profile.username}`),
        status, list, more));
    settleFocus(main);
    page(false);
  }

  load();
  return { leave: () => controller.abort() };
}
