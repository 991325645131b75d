## Company → Subscription: the offer, changing it, the order form, invoices and payments.
## A `{ $mark }` stands where the page puts something of its own (a date in bold).

# An amount: { $amount } is the number ("1,234.50"), { $currency } its ISO code.
billing-money-eur = €{ $amount }
billing-money-other = { $amount } { $currency }

## Why a card was refused
billing-decline-declined = Your card was declined. Nothing was charged: try another card, or ask your bank why.
billing-decline-insufficient-funds = Your card was declined for insufficient funds. Nothing was charged.
billing-decline-expired = Your card has expired. Nothing was charged: use a card that is still valid.
billing-decline-security-code = The security code (the 3 digits on the back, 4 on the front for American Express) is wrong. Nothing was charged.
billing-decline-number = The card number is not valid: check it for a typing mistake. Nothing was charged.
billing-decline-authentication = Your bank asks to confirm this payment, which Switchboard cannot do yet: use another card. Nothing was charged.

## Offers, lines and VAT
billing-monthly-word = monthly
billing-annual-word = annual
billing-seats = { $count ->
    [one] { $count } seat
   *[other] { $count } seats
}
billing-line-seats = { $seats }, { $period } payment, { $from } to { $to }
billing-line-added = { $seats } added for the rest of the period, { $from } to { $to }
billing-line-credit = Credit for the unused monthly time of { $seats }, { $from } to { $to }
billing-vat-charged = VAT { $rate }%
billing-vat-reverse = VAT reverse-charged (article 196 of Directive 2006/112/EC)
billing-vat-outside = No VAT: services to a buyer outside the EU

## Prices
billing-col-payment = Payment
billing-col-per-seat = Per seat
billing-col-per-seat-year = Per seat over a year
billing-monthly = Monthly
billing-annual = Annual
billing-a-month = { $amount } a month
billing-a-year-monthly = { $amount } a year ({ $monthly } a month)
billing-save = save { $percent }%
billing-before-vat-note = Prices before VAT.

## The subscription page
billing-title = Subscription
billing-past-due = The renewal of { $date } could not be charged: { $reason } It is tried again every day; nobody loses access. Pay now with another card to settle it.
billing-pay-now = Pay now
billing-changed = The change is recorded. Nothing was charged.
billing-your-offer = Your offer
billing-seats-label = Seats
billing-seats-bought = { $in_use } in use of { $seats } bought
billing-payment = Payment
billing-price-per-seat = Price per seat
billing-price-month = { $amount } a month before VAT
billing-price-year = { $amount } a year before VAT
billing-next-renewal = Next renewal
billing-from-renewal = From the renewal
billing-pending = { $seats } seats, { $period } payment
billing-no-payment = none yet: these seats were set up by Switchboard
billing-card = Card
billing-card-on-file = { $brand } ending in { $last4 }, expires { $expiry }
billing-no-card = none on file
billing-change-offer = Change the offer
billing-prices = Prices
billing-invoices = Invoices
billing-no-invoices = No invoices yet.
billing-col-number = Number
billing-col-date = Date
billing-col-total = Total
billing-invoice-number = Invoice { $number }

## Changing the offer
billing-bad-seats = "{ $value }" is not a number of seats (1 to 100,000)
billing-what-you-pay = What you will pay
billing-nothing-now = Nothing is charged now.
billing-total-before-vat = Total before VAT
billing-charged-now = Charged now
billing-charged-now-before-vat = Charged now, before VAT
billing-next-renewal-on = Next renewal on { $mark }: { $seats }, { $period } payment, { $amount } before VAT.
billing-seats-usable = Seats usable once paid: { $count }.
billing-seats-field = Number of users (seats)
billing-seats-help = { $count ->
    [one] { $count } seat
   *[other] { $count } seats
} in use now: you cannot go below that without deactivating users first. Fewer seats take effect at the next renewal.
billing-option-monthly = Monthly, { $amount } per seat a month
billing-option-annual = Annual, { $amount } per seat a year (save { $percent }%)
billing-show-price = Show the price
billing-cancel = Cancel
billing-continue = Continue to the order

## An invoice
billing-invoice-date = Date: { $date }
billing-invoice-refs = Order { $order } · payment { $payment }
billing-seller = Seller
billing-buyer = Buyer
billing-vat-number = VAT number { $number }
billing-col-description = Description
billing-col-amount = Amount
billing-total-paid = Total paid
billing-paid-by = Paid by { $brand } ending in { $last4 } on { $date }.
billing-print = Print
billing-back-to-subscription = Back to the subscription

## The order form
billing-order = Order
billing-back-to-offer = Back to the offer
billing-details = Billing details
billing-field-name = Billing name
billing-field-company = Company
billing-field-address = Address
billing-field-country = Country (two letters, such as FR)
billing-field-vat = VAT number (optional, such as FR40303265045)
billing-field-email = E-mail for invoices
billing-vat-explain = VAT: charged in { $country } and to buyers in the EU without a VAT number; reverse-charged for EU businesses with one; none outside the EU. If your details change the VAT, the new total is shown before anything is charged.
billing-test-gateway = This server uses Switchboard's test gateway: no real card is charged. Test cards:
billing-test-gateway-end = . Any future expiry date, any 3-digit code.
billing-test-card-succeeds = succeeds
billing-test-card-declined = declined
billing-test-card-insufficient-funds = insufficient funds
billing-test-card-expired = expired card
billing-test-card-security-code = wrong security code
billing-test-card-later-declined = accepted, later charges declined
billing-card-number = Card number
billing-card-expiry = Expiry (MM/YY)
billing-card-security-code = Security code
billing-validate = Validate
billing-validate-and-pay = Validate and pay { $amount }
billing-back = Back
billing-order-incomplete = The order form was incomplete: check it and validate again.
billing-bad-expiry = The expiry is not a date such as 12/30.
billing-amount-changed = The total is now { $actual } instead of the { $expected } shown, because of the VAT that applies to your billing details. Nothing was charged: check the new total and validate again.
# The card field (static/stripe-checkout.js).
billing-js-card-not-loaded = The card field could not be loaded. Check your connection and reload the page.
billing-js-card-not-checked = The card could not be checked. Please try again.

## Billing details that will not do
billing-missing-name = the billing name is missing
billing-missing-company = the company is missing
billing-missing-address = the address is missing
billing-missing-email = the e-mail for invoices is missing
billing-bad-country = `{ $value }` is not a country code (two letters, such as FR or DE)
billing-bad-vat-number = `{ $value }` is not a VAT number of { $country } (expected { $shape })
billing-bad-email = `{ $value }` is not an e-mail address

## Payments (app/src/billing.rs) and the billing API
billing-provider-unreachable = The payment provider did not answer (unreachable); nothing was charged twice: validate again.
billing-provider-unconfirmed = The payment provider did not answer (the payment is not confirmed yet); nothing was charged twice: validate again.
billing-stripe-card-field = this server takes cards through Stripe's card field, not card numbers
billing-api-idempotency-key = send an Idempotency-Key header with a UUID, one per order
billing-api-stripe-only = this server charges cards through Stripe: create a payment method with Stripe.js
billing-api-not-a-string = `{ $name }` must be a string
billing-api-not-a-whole-number = `{ $name }` must be a whole number
billing-api-not-an-object = the body is not a JSON object
