// Stripe's card field on the order form. The card number never reaches our server: Stripe.js
// turns the card into a payment method in the browser and the form sends only its id.
//
// The page provides, inside <form id="order-form">:
//   <div id="card-element" data-publishable-key="pk_…" data-js-url="https://js.stripe.com/v3/">
//   <p id="card-errors" role="alert">           messages from Stripe
//   <input type="hidden" name="payment_token">  filled with the payment method id (pm_…)
//   inputs billing_name and billing_email       sent to Stripe as billing details
// and its words in the reader's language (layout::strings); Stripe's own messages follow the
// page's language too.

import { tr, lang } from "/static/strings.js";

const form = document.getElementById("order-form");
const mount = document.getElementById("card-element");
const errors = document.getElementById("card-errors");

function showError(message) {
  if (errors) errors.textContent = message || "";
}

function submitButtons() {
  return form.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]');
}

function setBusy(busy) {
  for (const button of submitButtons()) button.disabled = busy;
  form.toggleAttribute("aria-busy", busy);
}

// Stripe.js must come from Stripe (or, in tests, from localstripe), never bundled: a classic
// script element, as Stripe documents, which also lets localstripe find its own address.
function loadStripeJs(url) {
  if (typeof window.Stripe === "function") return Promise.resolve(window.Stripe);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => (typeof window.Stripe === "function" ? resolve(window.Stripe) : reject(new Error("Stripe.js did not load")));
    script.onerror = () => reject(new Error("Stripe.js did not load"));
    document.head.appendChild(script);
  });
}

function billingDetails() {
  const details = {};
  const name = form.elements.namedItem("billing_name")?.value?.trim();
  const email = form.elements.namedItem("billing_email")?.value?.trim();
  // Stripe refuses an empty e-mail address; an absent one is fine.
  if (name) details.name = name;
  if (email) details.email = email;
  return details;
}

async function start() {
  const token = form.elements.namedItem("payment_token");
  let stripe;
  let card;
  setBusy(true);
  try {
    const Stripe = await loadStripeJs(mount.dataset.jsUrl || "https://js.stripe.com/v3/");
    stripe = Stripe(mount.dataset.publishableKey);
    card = stripe.elements({ locale: lang }).create("card");
    card.mount(mount);
  } catch {
    showError(tr("billing-js-card-not-loaded"));
    return;
  }
  setBusy(false);
  // Stripe's element reports what is wrong with the card as it is typed.
  card.on("change", (event) => showError(event?.error?.message));

  form.addEventListener("submit", async (event) => {
    if (token.value) {
      // Second pass, with the payment method: let it go, once. Disabled after this event,
      // since a button disabled now would drop out of the submitted form.
      setTimeout(() => setBusy(true));
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    setBusy(true);
    showError("");
    let result;
    try {
      result = await stripe.createPaymentMethod({ type: "card", card, billing_details: billingDetails() });
    } catch {
      result = undefined;
    }
    if (!result || result.error || !result.paymentMethod) {
      showError(result?.error?.message || tr("billing-js-card-not-checked"));
      setBusy(false);
      return;
    }
    token.value = result.paymentMethod.id;
    setBusy(false);
    // requestSubmit runs the form's checks and keeps the button pressed (its name and value).
    if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    else form.submit();
  });
}

if (form && mount && form.elements.namedItem("payment_token")) start();
