## Entreprise → Abonnement : l’offre, la changer, le bon de commande, les factures et les paiements.
## Un `{ $mark }` est la place de ce que la page met elle-même (une date en gras).

# Un montant : { $amount } est le nombre (« 1 234,50 »), { $currency } son code ISO.
billing-money-eur = { $amount } €
billing-money-other = { $amount } { $currency }

## Why a card was refused
billing-decline-declined = Votre carte a été refusée. Rien n’a été débité : essayez une autre carte ou demandez la raison à votre banque.
billing-decline-insufficient-funds = Votre carte a été refusée pour provision insuffisante. Rien n’a été débité.
billing-decline-expired = Votre carte a expiré. Rien n’a été débité : utilisez une carte encore valide.
billing-decline-security-code = Le cryptogramme (les 3 chiffres au dos de la carte, 4 au recto pour American Express) est erroné. Rien n’a été débité.
billing-decline-number = Le numéro de carte n’est pas valide : vérifiez qu’il ne contient pas de faute de frappe. Rien n’a été débité.
billing-decline-authentication = Votre banque demande de confirmer ce paiement, ce que Switchboard ne sait pas encore faire : utilisez une autre carte. Rien n’a été débité.

## Offers, lines and VAT
billing-monthly-word = mensuel
billing-annual-word = annuel
billing-seats = { $count ->
    [one] { $count } licence
   *[other] { $count } licences
}
billing-line-seats = { $seats }, paiement { $period }, du { $from } au { $to }
billing-line-added = { $seats } en plus pour le reste de la période, du { $from } au { $to }
billing-line-credit = Avoir pour la durée mensuelle non utilisée de { $seats }, du { $from } au { $to }
billing-vat-charged = TVA { $rate } %
billing-vat-reverse = Autoliquidation de la TVA (article 196 de la directive 2006/112/CE)
billing-vat-outside = Pas de TVA : prestation à un acheteur hors de l’UE

## Prices
billing-col-payment = Paiement
billing-col-per-seat = Par licence
billing-col-per-seat-year = Par licence sur un an
billing-monthly = Mensuel
billing-annual = Annuel
billing-a-month = { $amount } par mois
billing-a-year-monthly = { $amount } par an ({ $monthly } par mois)
billing-save = économisez { $percent } %
billing-before-vat-note = Prix hors TVA.

## The subscription page
billing-title = Abonnement
billing-past-due = Le renouvellement du { $date } n’a pas pu être débité : { $reason } Un nouvel essai a lieu chaque jour ; personne ne perd l’accès. Payez dès maintenant avec une autre carte pour régulariser.
billing-pay-now = Payer maintenant
billing-changed = La modification est enregistrée. Rien n’a été débité.
billing-your-offer = Votre offre
billing-seats-label = Licences
billing-seats-bought = { $in_use ->
    [one] { $in_use } utilisée
   *[other] { $in_use } utilisées
} sur { $seats ->
    [one] { $seats } achetée
   *[other] { $seats } achetées
}
billing-payment = Paiement
billing-price-per-seat = Prix par licence
billing-price-month = { $amount } par mois hors TVA
billing-price-year = { $amount } par an hors TVA
billing-next-renewal = Prochain renouvellement
billing-from-renewal = À partir du renouvellement
billing-pending = { $seats ->
    [one] { $seats } licence
   *[other] { $seats } licences
}, paiement { $period }
billing-no-payment = aucun pour l’instant : ces licences ont été attribuées par Switchboard
billing-card = Carte
billing-card-on-file = { $brand } se terminant par { $last4 }, expire fin { $expiry }
billing-no-card = aucune enregistrée
billing-change-offer = Changer d’offre
billing-prices = Tarifs
billing-invoices = Factures
billing-no-invoices = Aucune facture pour l’instant.
billing-col-number = Numéro
billing-col-date = Date
billing-col-total = Total
billing-invoice-number = Facture n° { $number }

## Changing the offer
billing-bad-seats = « { $value } » n’est pas un nombre de licences (de 1 à 100 000)
billing-what-you-pay = Ce que vous paierez
billing-nothing-now = Rien n’est débité maintenant.
billing-total-before-vat = Total hors TVA
billing-charged-now = Débité maintenant
billing-charged-now-before-vat = Débité maintenant, hors TVA
billing-next-renewal-on = Prochain renouvellement le { $mark } : { $seats }, paiement { $period }, { $amount } hors TVA.
billing-seats-usable = Licences utilisables une fois le paiement reçu : { $count }.
billing-seats-field = Nombre d’utilisateurs (licences)
billing-seats-help = { $count ->
    [one] { $count } licence utilisée
   *[other] { $count } licences utilisées
} en ce moment : vous ne pouvez pas descendre en dessous sans désactiver d’abord des utilisateurs. Une réduction du nombre de licences prend effet au prochain renouvellement.
billing-option-monthly = Mensuel, { $amount } par licence et par mois
billing-option-annual = Annuel, { $amount } par licence et par an (économisez { $percent } %)
billing-show-price = Afficher le prix
billing-cancel = Annuler
billing-continue = Passer à la commande

## An invoice
billing-invoice-date = Date : { $date }
billing-invoice-refs = Commande { $order } · paiement { $payment }
billing-seller = Vendeur
billing-buyer = Acheteur
billing-vat-number = N° de TVA { $number }
billing-col-description = Désignation
billing-col-amount = Montant
billing-total-paid = Total payé
billing-paid-by = Payé par { $brand } se terminant par { $last4 } le { $date }.
billing-print = Imprimer
billing-back-to-subscription = Retour à l’abonnement

## The order form
billing-order = Commande
billing-back-to-offer = Retour à l’offre
billing-details = Coordonnées de facturation
billing-field-name = Nom de facturation
billing-field-company = Entreprise
billing-field-address = Adresse
billing-field-country = Pays (deux lettres, par exemple FR)
billing-field-vat = N° de TVA (facultatif, par exemple FR40303265045)
billing-field-email = Adresse e-mail pour les factures
billing-vat-explain = TVA : facturée en { $country } et aux acheteurs de l’UE sans numéro de TVA ; autoliquidée pour les entreprises de l’UE qui en ont un ; aucune hors de l’UE. Si vos coordonnées changent la TVA, le nouveau total s’affiche avant tout débit.
billing-test-gateway = Ce serveur utilise la passerelle de test de Switchboard : aucune vraie carte n’est débitée. Cartes de test :
billing-test-gateway-end = . N’importe quelle date d’expiration future, n’importe quel code à 3 chiffres.
billing-test-card-succeeds = acceptée
billing-test-card-declined = refusée
billing-test-card-insufficient-funds = provision insuffisante
billing-test-card-expired = carte expirée
billing-test-card-security-code = cryptogramme erroné
billing-test-card-later-declined = acceptée, débits suivants refusés
billing-card-number = Numéro de carte
billing-card-expiry = Date d’expiration (MM/AA)
billing-card-security-code = Cryptogramme
billing-validate = Valider
billing-validate-and-pay = Valider et payer { $amount }
billing-back = Retour
billing-order-incomplete = Le bon de commande était incomplet : vérifiez-le et validez de nouveau.
billing-bad-expiry = La date d’expiration n’est pas une date comme 12/30.
billing-amount-changed = Le total est maintenant de { $actual } au lieu des { $expected } affichés, en raison de la TVA qui s’applique à vos coordonnées de facturation. Rien n’a été débité : vérifiez le nouveau total et validez de nouveau.
# The card field (static/stripe-checkout.js).
billing-js-card-not-loaded = Le champ de la carte n’a pas pu être chargé. Vérifiez votre connexion et rechargez la page.
billing-js-card-not-checked = La carte n’a pas pu être vérifiée. Veuillez réessayer.

## Billing details that will not do
billing-missing-name = le nom de facturation est manquant
billing-missing-company = l’entreprise est manquante
billing-missing-address = l’adresse est manquante
billing-missing-email = l’adresse e-mail pour les factures est manquante
billing-bad-country = « { $value } » n’est pas un code pays (deux lettres, par exemple FR ou DE)
billing-bad-vat-number = « { $value } » n’est pas un numéro de TVA de { $country } (format attendu : { $shape })
billing-bad-email = « { $value } » n’est pas une adresse e-mail valide

## Payments (app/src/billing.rs) and the billing API
billing-provider-unreachable = Le prestataire de paiement n’a pas répondu (injoignable) ; rien n’a été débité deux fois : validez de nouveau.
billing-provider-unconfirmed = Le prestataire de paiement n’a pas répondu (le paiement n’est pas encore confirmé) ; rien n’a été débité deux fois : validez de nouveau.
billing-stripe-card-field = ce serveur reçoit les cartes par le champ de carte de Stripe, pas par leur numéro
billing-api-idempotency-key = envoyez un en-tête Idempotency-Key contenant un UUID, un par commande
billing-api-stripe-only = ce serveur débite les cartes par Stripe : créez un moyen de paiement avec Stripe.js
billing-api-not-a-string = `{ $name }` doit être une chaîne de caractères
billing-api-not-a-whole-number = `{ $name }` doit être un nombre entier
billing-api-not-an-object = le corps n’est pas un objet JSON
